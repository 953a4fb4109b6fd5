package dev.ipcj.bench.jni;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.NoException;
import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;

/** C floors of ipcj_bench_ring.h: sem_t ping-pong and the C ring, each against a forked peer. */
@Properties(inherit = BenchConfig.class, value = @Platform(include = "ipcj_bench_ring.h", library = "jniIpcjBench"))
@NoException
public final class RingLoops {
    static {
        Loader.load();
    }

    private RingLoops() {
    }

    /** ns per round trip over two process-shared sem_t. */
    @Name("ipcj_bench_sem_rtt") public static native long semRtt(long n);

    /** ns for n messages of size bytes through the C ring (spinning, batch drain). */
    @Name("ipcj_bench_cring_stream") public static native long cringStream(String name, int capacity, int size, long n);

    /** ns per round trip through two C rings; blocking = 1 uses take/put (spin, then futex). */
    @Name("ipcj_bench_cring_rtt") public static native long cringRtt(String a, String b, int size, long n, int blocking);

    /** Forks a C consumer (producer = 0) or producer (1, n messages of size bytes) on an existing ring: its pid or -errno. */
    @Name("ipcj_bench_cring_fork") public static native int cringFork(String name, int producer, int size, long n);

    /** waitpid: the exit status, or -errno. */
    @Name("ipcj_bench_wait") public static native int waitChild(int pid);
}
