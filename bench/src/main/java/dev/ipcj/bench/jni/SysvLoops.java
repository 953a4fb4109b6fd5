package dev.ipcj.bench.jni;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.NoException;
import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;

/** C loops of ipcj_bench_sysv.h: System V round trips measured beside the Java ones. */
@Properties(inherit = BenchConfig.class, value = @Platform(include = "ipcj_bench_sysv.h", library = "jniIpcjBench"))
@NoException
public final class SysvLoops {
    static {
        Loader.load();
    }

    private SysvLoops() {
    }

    @Name("ipcj_bench_msg_pingpong") public static native int msgPingPong(int id, long size, long n);

    @Name("ipcj_bench_sysv_sem_pingpong") public static native int semPingPong(int id, long n);
}
