package dev.ipcj.bench.jni;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.NoException;
import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;

/** C loops of ipcj_bench_posix.h, measured beside the Java loops of PosixBenchmark. */
@Properties(inherit = BenchConfig.class, value = @Platform(include = "ipcj_bench_posix.h", library = "jniIpcjBench"))
@NoException
public final class PosixLoops {
    static {
        Loader.load();
    }

    private PosixLoops() {
    }

    /** n calls of an out-of-line empty C function; returns the sum of their results. */
    @Name("ipcj_bench_nop_loop") public static native long nopLoop(long n);

    /** n rounds of sem_post(ping) + sem_wait(pong), sem_t addresses as from PosixSem.semOpen; 0 or -errno. */
    @Name("ipcj_bench_sem_pingpong") public static native int semPingPong(long ping, long pong, long n);

    /** n rounds of sem_post + sem_trywait on one semaphore (no waiter, no peer); 0 or -errno. */
    @Name("ipcj_bench_sem_post_trywait") public static native int semPostTrywait(long sem, long n);
}
