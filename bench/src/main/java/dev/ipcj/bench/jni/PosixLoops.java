package dev.ipcj.bench.jni;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.NoException;
import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;

/** C loops of ipcj_bench_posix.h. */
@Properties(inherit = BenchConfig.class, value = @Platform(include = "ipcj_bench_posix.h", library = "jniIpcjBench"))
@NoException
public final class PosixLoops {
    static {
        Loader.load();
    }

    private PosixLoops() {
    }

    @Name("ipcj_bench_nop_loop") public static native long nopLoop(long n);

    @Name("ipcj_bench_nop") public static native int nop(int x);

    @Name("ipcj_bench_sem_pingpong") public static native int semPingPong(long ping, long pong, long n);
}
