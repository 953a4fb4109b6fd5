package dev.ipcj.bench;

import dev.ipcj.internal.MemoryAccess;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * ipcj's MemoryAccess, the ring's raw accesses, alone: a loop of the operations the ring's data
 * path makes per record (plain header store, payload copy from a byte[], release store of the
 * position, volatile load of the header, CAS). The same jar measures both implementations: as is
 * (java.lang.foreign, META-INF/versions/22) and with
 * {@code -jvmArgsAppend -Djdk.util.jar.enableMultiRelease=false} (the JDK 17 class: sun.misc.Unsafe);
 * {@link #implementation} prints which one ran.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Thread)
public class MemoryAccessBenchmark {
    static final int RECORDS = 64;
    final ByteBuffer mem = ByteBuffer.allocateDirect(RECORDS * 128 + 64);
    final long base = MemoryAccess.address(mem);
    final byte[] payload = new byte[64];
    final ByteBuffer direct = ByteBuffer.allocateDirect(64);
    long position;

    @Setup
    public void implementation() {
        System.out.println("MemoryAccess " + MemoryAccess.implementation());
    }

    /** Per record: header store, 64-byte copy from byte[], release store; then read back. */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long writeRecords() {
        long sum = 0;
        for (int i = 0; i < RECORDS; i++) {
            long at = base + 64 + i * 128L;
            MemoryAccess.putLong(at, (long) i << 32 | 64);
            MemoryAccess.copyFromArray(payload, 0, at + 8, 64);
            MemoryAccess.putLongRelease(base, ++position);
            sum += MemoryAccess.getLongVolatile(at) + MemoryAccess.getLong(at + 16);
        }
        return sum;
    }

    /** Per record: a volatile load then a CAS of the same word (the MANY_TO_ONE claim). */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long claimRecords() {
        long ok = 0;
        for (int i = 0; i < RECORDS; i++) {
            long at = base + 64 + i * 128L;
            long v = MemoryAccess.getLongVolatile(at);
            ok += MemoryAccess.compareAndSetLong(at, v, v + 1) ? 1 : 0;
        }
        return ok;
    }

    /** The address of a direct buffer (per offer(ByteBuffer)): a field read, or a segment view. */
    @Benchmark
    public long directBufferAddress() {
        return MemoryAccess.address(direct);
    }
}
