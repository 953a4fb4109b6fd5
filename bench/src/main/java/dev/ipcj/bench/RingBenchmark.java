package dev.ipcj.bench;

import dev.ipcj.ring.RecordHandler;
import dev.ipcj.ring.RingConsumer;
import dev.ipcj.ring.RingProducer;
import dev.ipcj.ring.RingVariant;
import dev.ipcj.ring.SharedRing;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The CPU cost of the ring's data path alone, in one thread of one process: write a batch of
 * {@link #BATCH} records, then drain them, per record. No second core, no cache line moving
 * between cores: what is left is the instructions of offer + read, which the two-process
 * {@code ipcj bench} (ring-spin, ring-array, agrona) cannot separate from the cache lines moving
 * between the processes: so the two report different figures for one call, by design. Beside it the same
 * loop on Agrona's OneToOneRingBuffer over the same kind of memory (a direct buffer of the
 * same capacity), so the two Java data paths compare instruction for instruction.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar RingBenchmark -f 1 -wi 3 -i 5
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"}) // Agrona 2 uses jdk.internal.misc.Unsafe
@State(Scope.Thread)
public class RingBenchmark {
    static final int BATCH = 64;
    static final int CAPACITY = 1 << 20;

    @Param({"64", "4096"})
    int size;

    SharedRing ring;
    RingProducer producer;
    RingConsumer consumer;
    OneToOneRingBuffer agrona;
    UnsafeBuffer agronaSrc;
    byte[] msg;
    ByteBuffer heapMsg;
    ByteBuffer directMsg;
    ByteBuffer dst;
    long sink;
    final RecordHandler handler = (b, o, l) -> sink += b.getLong(o);
    final MessageHandler agronaHandler = (t, b, o, l) -> sink += b.getLong(o);

    @Setup(Level.Trial)
    public void setup() {
        String name = "/ipcj-jmh-ring-" + ProcessHandle.current().pid();
        SharedRing.unlinkIfExists(name);
        ring = SharedRing.create(name, RingVariant.ONE_TO_ONE, CAPACITY, 8192);
        SharedRing.unlink(name); // the mapping stays; nothing to leak if the run dies
        producer = ring.producer();
        consumer = ring.consumer();
        ByteBuffer mem = ByteBuffer.allocateDirect(CAPACITY + RingBufferDescriptor.TRAILER_LENGTH)
                .order(ByteOrder.nativeOrder());
        agrona = new OneToOneRingBuffer(new UnsafeBuffer(mem));
        msg = new byte[size];
        heapMsg = ByteBuffer.wrap(msg);
        directMsg = ByteBuffer.allocateDirect(size);
        dst = ByteBuffer.allocateDirect(8192);
        agronaSrc = new UnsafeBuffer(msg);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        producer.close();
        consumer.close();
        ring.close();
    }

    /** offer(byte[]) BATCH times, then one read(handler) that drains them. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long ipcjOfferRead() {
        for (int i = 0; i < BATCH; i++) {
            msg[0] = (byte) i;
            if (!producer.offer(msg)) {
                throw new IllegalStateException("full");
            }
        }
        if (consumer.read(handler) != BATCH) {
            throw new IllegalStateException("lost");
        }
        return sink;
    }

    /** offer(ByteBuffer) of a heap buffer BATCH times, then one read(handler). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long ipcjOfferHeapBufferRead() {
        return offerBuffers(heapMsg);
    }

    /** offer(ByteBuffer) of a direct buffer BATCH times, then one read(handler). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long ipcjOfferDirectBufferRead() {
        return offerBuffers(directMsg);
    }

    /** offer(byte[]) BATCH times, then poll(ByteBuffer) BATCH times: the copying consumer path. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long ipcjOfferPollBuffer() {
        for (int i = 0; i < BATCH; i++) {
            msg[0] = (byte) i;
            if (!producer.offer(msg)) {
                throw new IllegalStateException("full");
            }
        }
        for (int i = 0; i < BATCH; i++) {
            dst.clear();
            if (consumer.poll(dst) != size) {
                throw new IllegalStateException("lost");
            }
            sink += dst.get(0);
        }
        return sink;
    }

    /** put(ByteBuffer) of a direct buffer BATCH times, then take(ByteBuffer) BATCH times: the blocking calls when nothing blocks. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long ipcjPutTake() throws InterruptedException {
        for (int i = 0; i < BATCH; i++) {
            directMsg.clear();
            directMsg.put(0, (byte) i);
            producer.put(directMsg);
        }
        for (int i = 0; i < BATCH; i++) {
            dst.clear();
            if (consumer.take(dst) != size) {
                throw new IllegalStateException("lost");
            }
            sink += dst.get(0);
        }
        return sink;
    }

    /** offer(byte[]) BATCH times, then poll() BATCH times: a new array per record, by that call's contract. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long ipcjOfferPollArray() {
        for (int i = 0; i < BATCH; i++) {
            msg[0] = (byte) i;
            if (!producer.offer(msg)) {
                throw new IllegalStateException("full");
            }
        }
        for (int i = 0; i < BATCH; i++) {
            byte[] r = consumer.poll();
            if (r == null || r.length != size) {
                throw new IllegalStateException("lost");
            }
            sink += r[0];
        }
        return sink;
    }

    private long offerBuffers(ByteBuffer b) {
        for (int i = 0; i < BATCH; i++) {
            b.clear();
            b.put(0, (byte) i);
            if (!producer.offer(b)) {
                throw new IllegalStateException("full");
            }
        }
        if (consumer.read(handler) != BATCH) {
            throw new IllegalStateException("lost");
        }
        return sink;
    }

    /** The same with tryClaim/commit (zero-copy: one long written per record). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long ipcjClaimRead() {
        ByteBuffer b = producer.buffer();
        for (int i = 0; i < BATCH; i++) {
            int at = producer.tryClaim(size);
            b.putLong(at, i);
            producer.commit(at);
        }
        if (consumer.read(handler) != BATCH) {
            throw new IllegalStateException("lost");
        }
        return sink;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long agronaWriteRead() {
        for (int i = 0; i < BATCH; i++) {
            msg[0] = (byte) i;
            if (!agrona.write(1, agronaSrc, 0, size)) {
                throw new IllegalStateException("full");
            }
        }
        if (drainAgrona() != BATCH) {
            throw new IllegalStateException("lost");
        }
        return sink;
    }

    /** Agrona's zero-copy path, for ipcjClaimRead. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long agronaClaimRead() {
        for (int i = 0; i < BATCH; i++) {
            int at = agrona.tryClaim(1, size);
            agrona.buffer().putLong(at, i);
            agrona.commit(at);
        }
        if (drainAgrona() != BATCH) {
            throw new IllegalStateException("lost");
        }
        return sink;
    }

    /** Agrona's read stops at the end of the buffer (and may return 0 after only padding): read again. */
    private int drainAgrona() {
        int n = 0;
        for (int tries = 0; n < BATCH && tries < 3; tries++) {
            n += agrona.read(agronaHandler);
        }
        return n;
    }
}
