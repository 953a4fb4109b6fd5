package dev.ipcj.bench;

import dev.ipcj.broadcast.BroadcastHandler;
import dev.ipcj.broadcast.BroadcastMode;
import dev.ipcj.broadcast.BroadcastPublisher;
import dev.ipcj.broadcast.BroadcastRing;
import dev.ipcj.broadcast.BroadcastSubscriber;
import dev.ipcj.broadcast.LappedException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.broadcast.BroadcastBufferDescriptor;
import org.agrona.concurrent.broadcast.BroadcastReceiver;
import org.agrona.concurrent.broadcast.BroadcastTransmitter;
import org.agrona.concurrent.broadcast.CopyBroadcastReceiver;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One publisher and one or two subscribers, as threads of one JVM (JMH groups), on ipcj's
 * broadcast ring (in POSIX shared memory, LOSSY and LOSSLESS) beside Agrona's
 * BroadcastTransmitter / CopyBroadcastReceiver on an UnsafeBuffer over a direct buffer of the
 * same capacity. Threads in one process exercise the same cache-line traffic as processes would
 * (the mapping is shared memory either way); what they leave out is only the process switch.
 *
 * <p>Per group: the publisher's {@code published} counter is records per us it published (a
 * LOSSLESS offer is refused while the slowest subscriber is a ring behind); each subscriber's {@code received} and
 * {@code lost} counters are records per us it received and lost to lapping (ipcj counts the
 * records; Agrona's CopyBroadcastReceiver throws without a count, so its {@code lost} counts laps).
 * 64-byte payloads, 1 MiB data area, one record per receive call on both sides. The
 * {@code solo} pair measures the data path alone in one thread (publish 32 records, then two
 * subscribers each receive them: ns per record published and received twice), where the
 * contended groups mostly measure lapping on a loaded machine.
 *
 * <pre>
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -jar bench/target/benchmarks.jar Broadcast -f 1 -wi 2 -i 3
 * </pre>
 * With two subscribers the group has three busy threads: on a 2-core machine they share cores.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class BroadcastBenchmark {
    static final int CAPACITY = 1 << 20;
    static final int SIZE = 64;

    /** The ring and its publisher, shared by the group's threads. */
    @State(Scope.Group)
    public static class Ipcj {
        BroadcastRing ring;
        BroadcastPublisher publisher;
        final ByteBuffer msg = ByteBuffer.allocateDirect(SIZE).order(ByteOrder.nativeOrder());

        void open(BroadcastMode mode) {
            String name = "/ipcj-jmh-bcast-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
            ring = BroadcastRing.create(name, mode, CAPACITY, 1024);
            BroadcastRing.unlink(name); // the mapping stays; nothing to leak if the run dies
            publisher = ring.publisher();
        }

        @TearDown(Level.Trial)
        public void close() {
            publisher.close();
            ring.close();
        }
    }

    /** LOSSY: the mode that compares with Agrona's broadcast, which never holds the publisher back. */
    public static class IpcjLossy extends Ipcj {
        @Setup(Level.Trial)
        public void setup() {
            open(BroadcastMode.LOSSY);
        }
    }

    /** LOSSLESS: the publisher waits (spinning here) for the slowest subscriber. */
    public static class IpcjLossless extends Ipcj {
        @Setup(Level.Trial)
        public void setup() {
            open(BroadcastMode.LOSSLESS);
        }
    }

    /** Agrona's transmitter over a buffer of the same capacity. */
    @State(Scope.Group)
    public static class Agrona {
        UnsafeBuffer buffer;
        BroadcastTransmitter transmitter;
        final UnsafeBuffer msg = new UnsafeBuffer(new byte[SIZE]);

        @Setup(Level.Trial)
        public void setup() {
            buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY + BroadcastBufferDescriptor.TRAILER_LENGTH));
            transmitter = new BroadcastTransmitter(buffer);
        }
    }

    /** Each subscriber thread's counts, reported by JMH as rates. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counts {
        public long published;
        public long received;
        public long lost;
        long sink;
        BroadcastSubscriber subscriber;
        CopyBroadcastReceiver receiver;
        final BroadcastHandler ipcjHandler = (b, o, l, s) -> sink += b.getLong(o);
        final MessageHandler agronaHandler = (t, b, o, l) -> sink += b.getLong(o);

        @Setup(Level.Iteration)
        public void reset() {
            published = 0;
            received = 0;
            lost = 0;
        }

        @TearDown(Level.Trial)
        public void close() {
            if (subscriber != null) {
                subscriber.close();
            }
        }

        long ipcj(Ipcj group) {
            if (subscriber == null) {
                subscriber = group.ring.subscriber();
            }
            try {
                received += subscriber.read(ipcjHandler, 1);
            } catch (LappedException e) {
                lost += e.lost();
            }
            return sink;
        }

        long agrona(Agrona group) {
            if (receiver == null) {
                receiver = new CopyBroadcastReceiver(new BroadcastReceiver(group.buffer));
            }
            try {
                received += receiver.receive(agronaHandler);
            } catch (IllegalStateException e) { // "unable to keep up with broadcast": lapped
                lost++;
            }
            return sink;
        }
    }

    /** One attempt; LOSSLESS refuses while the slowest subscriber is a ring behind (then: spin once). */
    static void publishIpcj(Ipcj s, Counts c) {
        s.msg.clear();
        if (s.publisher.offer(s.msg)) {
            c.published++;
        } else {
            Thread.onSpinWait();
        }
    }

    static void publishAgrona(Agrona s, Counts c) {
        s.transmitter.transmit(1, s.msg, 0, SIZE);
        c.published++;
    }

    // ---- the data path alone: one thread publishes a batch, then each subscriber drains it ----

    static final int BATCH = 32;

    /** One thread's ring (LOSSY, so nothing waits) with two subscribers, and Agrona's twin. */
    @State(Scope.Thread)
    public static class Solo {
        BroadcastRing ring;
        BroadcastPublisher publisher;
        BroadcastSubscriber first;
        BroadcastSubscriber second;
        final ByteBuffer msg = ByteBuffer.allocateDirect(SIZE).order(ByteOrder.nativeOrder());
        BroadcastTransmitter transmitter;
        CopyBroadcastReceiver agronaFirst;
        CopyBroadcastReceiver agronaSecond;
        final UnsafeBuffer agronaMsg = new UnsafeBuffer(new byte[SIZE]);
        long sink;
        final BroadcastHandler ipcjHandler = (b, o, l, q) -> sink += b.getLong(o);
        final MessageHandler agronaHandler = (t, b, o, l) -> sink += b.getLong(o);

        @Setup(Level.Trial)
        public void setup() {
            String name = "/ipcj-jmh-bcast-solo-" + ProcessHandle.current().pid();
            BroadcastRing.unlinkIfExists(name);
            ring = BroadcastRing.create(name, BroadcastMode.LOSSY, CAPACITY, 1024);
            BroadcastRing.unlink(name);
            publisher = ring.publisher();
            first = ring.subscriber();
            second = ring.subscriber();
            UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY + BroadcastBufferDescriptor.TRAILER_LENGTH));
            transmitter = new BroadcastTransmitter(buffer);
            agronaFirst = new CopyBroadcastReceiver(new BroadcastReceiver(buffer));
            agronaSecond = new CopyBroadcastReceiver(new BroadcastReceiver(buffer));
        }

        @TearDown(Level.Trial)
        public void close() {
            first.close();
            second.close();
            publisher.close();
            ring.close();
        }

        void ipcjPublish() {
            for (int i = 0; i < BATCH; i++) {
                msg.clear();
                msg.putLong(0, i);
                publisher.offer(msg);
            }
        }

        void ipcjDrain(BroadcastSubscriber s) {
            for (int i = 0; i < BATCH; i++) {
                if (s.read(ipcjHandler, 1) != 1) {
                    throw new IllegalStateException("lost");
                }
            }
        }

        void agronaPublish() {
            for (int i = 0; i < BATCH; i++) {
                agronaMsg.putLong(0, i);
                transmitter.transmit(1, agronaMsg, 0, SIZE);
            }
        }

        void agronaDrain(CopyBroadcastReceiver r) {
            for (int i = 0; i < BATCH; i++) {
                if (r.receive(agronaHandler) != 1) {
                    throw new IllegalStateException("lost");
                }
            }
        }
    }

    /** Publish BATCH records, one subscriber receives them: ns per record. */
    @Benchmark @BenchmarkMode(Mode.AverageTime) @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @org.openjdk.jmh.annotations.OperationsPerInvocation(BATCH)
    public long soloIpcj1(Solo s) {
        s.ipcjPublish();
        s.ipcjDrain(s.first);
        s.ipcjDrain(s.second); // the second subscriber must keep up too (LOSSY: else it is lapped)
        return s.sink;
    }

    /** The same on Agrona's broadcast (two receivers, as above). */
    @Benchmark @BenchmarkMode(Mode.AverageTime) @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @org.openjdk.jmh.annotations.OperationsPerInvocation(BATCH)
    public long soloAgrona1(Solo s) {
        s.agronaPublish();
        s.agronaDrain(s.agronaFirst);
        s.agronaDrain(s.agronaSecond);
        return s.sink;
    }

    // ---- one subscriber ----

    @Benchmark @Group("ipcjLossy1") @GroupThreads(1)
    public void ipcjLossy1Publish(IpcjLossy s, Counts c) {
        publishIpcj(s, c);
    }

    @Benchmark @Group("ipcjLossy1") @GroupThreads(1)
    public long ipcjLossy1Receive(IpcjLossy s, Counts c) {
        return c.ipcj(s);
    }

    @Benchmark @Group("ipcjLossless1") @GroupThreads(1)
    public void ipcjLossless1Publish(IpcjLossless s, Counts c) {
        publishIpcj(s, c);
    }

    @Benchmark @Group("ipcjLossless1") @GroupThreads(1)
    public long ipcjLossless1Receive(IpcjLossless s, Counts c) {
        return c.ipcj(s);
    }

    @Benchmark @Group("agrona1") @GroupThreads(1)
    public void agrona1Publish(Agrona s, Counts c) {
        publishAgrona(s, c);
    }

    @Benchmark @Group("agrona1") @GroupThreads(1)
    public long agrona1Receive(Agrona s, Counts c) {
        return c.agrona(s);
    }

    // ---- two subscribers ----

    @Benchmark @Group("ipcjLossy2") @GroupThreads(1)
    public void ipcjLossy2Publish(IpcjLossy s, Counts c) {
        publishIpcj(s, c);
    }

    @Benchmark @Group("ipcjLossy2") @GroupThreads(2)
    public long ipcjLossy2Receive(IpcjLossy s, Counts c) {
        return c.ipcj(s);
    }

    @Benchmark @Group("ipcjLossless2") @GroupThreads(1)
    public void ipcjLossless2Publish(IpcjLossless s, Counts c) {
        publishIpcj(s, c);
    }

    @Benchmark @Group("ipcjLossless2") @GroupThreads(2)
    public long ipcjLossless2Receive(IpcjLossless s, Counts c) {
        return c.ipcj(s);
    }

    @Benchmark @Group("agrona2") @GroupThreads(1)
    public void agrona2Publish(Agrona s, Counts c) {
        publishAgrona(s, c);
    }

    @Benchmark @Group("agrona2") @GroupThreads(2)
    public long agrona2Receive(Agrona s, Counts c) {
        return c.agrona(s);
    }
}
