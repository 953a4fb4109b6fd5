package dev.ipcj.bench;

import dev.ipcj.bench.jni.MqLoops;
import dev.ipcj.launch.Child;
import dev.ipcj.posix.MessageQueue;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.Pointer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * POSIX message queues through ipcj beside the same loops in C (libjniIpcjBench), in one run,
 * against the C peer {@code mq_peer} (built by cmake into target/cmake; system property
 * {@code ipcj.cbin} overrides):
 *
 * <ul>
 *   <li>{@code roundTrip*}: send 64 B on one queue, the peer echoes it on another; ns per round trip.
 *   <li>{@code local*}: send 64 B and receive it back on one queue in one thread: the cost of
 *       the two calls without a peer or the scheduler; ns per send+receive.
 *   <li>{@code stream*}: send messages of {@code size} bytes as fast as the peer drains them
 *       (queue depth 10, the default msg_max); ns per message.
 * </ul>
 * Run with {@code -prof gc} to see the allocation per operation of the Java forms (goal 0 B/op).
 *
 * <p>Measured on 2 shared vCPUs while four other builds ran (load 3 to 9, so indicative only;
 * {@code -f 1 -wi 5 -i 10 -w 1 -r 1 -prof gc}, medians of two runs): a same-thread send+receive
 * pair costs 687-985 ns in C, 861-1136 ns through MessageQueue (1.15-1.25x) and 895 ns through the
 * raw binding (0.91x); so ipcj's checks cost about 150 ns per pair. The cross-process round trip
 * (5.2-5.4 us in Java, 5.9-13.5 us in C) and the streaming figures are dominated by scheduling
 * noise: Java/C medians 0.39-0.91 (round trip), 0.74-1.09 (64 B), 1.22-1.29 (4 KiB). Every
 * Java form allocates below 0.05 B/op (no GC in any run).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MqBenchmark {
    static final int C_BATCH = 1000;
    static final int O_RDWR = 2;

    static Child startPeer(String... args) throws InterruptedException {
        return CPeers.startReady("mq_peer", args);
    }

    static void stopPeer(MessageQueue q, Child p) throws Exception {
        try (p) {
            q.send(ByteBuffer.allocateDirect(0), 0); // a message of length 0 ends the peer
            p.process().waitFor(10, TimeUnit.SECONDS);
        }
    }

    static long address(ByteBuffer direct) {
        return new Pointer(direct).address();
    }

    @State(Scope.Benchmark)
    public static class RoundTrip {
        final String pingName = "/ipcj-bench-ping-" + ProcessHandle.current().pid();
        final String pongName = "/ipcj-bench-pong-" + ProcessHandle.current().pid();
        MessageQueue ping;
        MessageQueue pong;
        Child peer;
        ByteBuffer out;
        ByteBuffer in;
        int cPing;
        int cPong;
        long cBuf;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            MessageQueue.unlinkIfExists(pingName);
            MessageQueue.unlinkIfExists(pongName);
            ping = MessageQueue.create(pingName, 10, 64);
            pong = MessageQueue.create(pongName, 10, 64);
            peer = startPeer("echo", pingName, pongName);
            out = ByteBuffer.allocateDirect(64);
            in = ByteBuffer.allocateDirect(64);
            cPing = MqLoops.open(pingName, O_RDWR, 0, 0, 0);
            cPong = MqLoops.open(pongName, O_RDWR, 0, 0, 0);
            cBuf = address(in);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            stopPeer(ping, peer);
            MqLoops.close(cPing);
            MqLoops.close(cPong);
            ping.close();
            pong.close();
            MessageQueue.unlinkIfExists(pingName);
            MessageQueue.unlinkIfExists(pongName);
        }
    }

    @State(Scope.Benchmark)
    public static class Local {
        final String name = "/ipcj-bench-local-" + ProcessHandle.current().pid();
        MessageQueue q;
        ByteBuffer out;
        ByteBuffer in;
        int cQ;
        long cBuf;

        @Setup(Level.Trial)
        public void setUp() {
            MessageQueue.unlinkIfExists(name);
            q = MessageQueue.create(name, 10, 64);
            out = ByteBuffer.allocateDirect(64);
            in = ByteBuffer.allocateDirect(64);
            cQ = MqLoops.open(name, O_RDWR, 0, 0, 0);
            cBuf = address(in);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            MqLoops.close(cQ);
            q.close();
            MessageQueue.unlinkIfExists(name);
        }
    }

    @State(Scope.Benchmark)
    public static class Stream {
        @Param({"64", "4096"})
        public int size;

        final String name = "/ipcj-bench-stream-" + ProcessHandle.current().pid();
        MessageQueue q;
        Child peer;
        ByteBuffer out;
        int cQ;
        long cBuf;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            MessageQueue.unlinkIfExists(name);
            q = MessageQueue.create(name, 10, size);
            peer = startPeer("drain", name);
            out = ByteBuffer.allocateDirect(size);
            cQ = MqLoops.open(name, O_RDWR, 0, 0, 0);
            cBuf = address(out);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            stopPeer(q, peer);
            MqLoops.close(cQ);
            q.close();
            MessageQueue.unlinkIfExists(name);
        }
    }

    @Benchmark
    public int roundTripJava(RoundTrip s) throws InterruptedException {
        s.out.clear();
        s.ping.send(s.out, 1);
        s.in.clear();
        return s.pong.receive(s.in);
    }

    @Benchmark
    @OperationsPerInvocation(C_BATCH)
    public int roundTripC(RoundTrip s) {
        int r = MqLoops.roundTrip(s.cPing, s.cPong, s.cBuf, 64, 64, C_BATCH);
        if (r != 0) {
            throw new IllegalStateException("C round trip: " + r);
        }
        return r;
    }

    @Benchmark
    public int localJava(Local s) throws InterruptedException {
        s.out.clear();
        s.q.send(s.out, 1);
        s.in.clear();
        return s.q.receive(s.in);
    }

    /** The same pair through the raw binding (dev.ipcj.jni.PosixMq): JNI alone, no checks. */
    @Benchmark
    public long localRawJni(Local s) {
        long addr = s.cBuf;
        int r = dev.ipcj.jni.PosixMq.mqSend(s.cQ, addr, 64, 1);
        return r + dev.ipcj.jni.PosixMq.mqReceive(s.cQ, addr, 64);
    }

    @Benchmark
    @OperationsPerInvocation(C_BATCH)
    public int localC(Local s) {
        int r = MqLoops.local(s.cQ, s.cBuf, 64, 64, C_BATCH);
        if (r != 0) {
            throw new IllegalStateException("C local: " + r);
        }
        return r;
    }

    @Benchmark
    public void streamJava(Stream s) throws InterruptedException {
        s.out.clear();
        s.q.send(s.out, 0);
    }

    @Benchmark
    @OperationsPerInvocation(C_BATCH)
    public int streamC(Stream s) {
        int r = MqLoops.stream(s.cQ, s.cBuf, s.size, C_BATCH);
        if (r != 0) {
            throw new IllegalStateException("C stream: " + r);
        }
        return r;
    }
}
