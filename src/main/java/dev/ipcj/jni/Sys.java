package dev.ipcj.jni;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.NoException;
import org.bytedeco.javacpp.annotation.Properties;

/** Process-wide shims of {@code ipcj_sys.h}: errno names, pids, thread wake-up signal, rlimits. */
@Properties(inherit = IpcjConfig.class)
@NoException
public final class Sys {
    static {
        Loader.load();
    }

    private Sys() {
    }

    @Name("ipcj_errno_name") public static native String errnoName(int errno);

    @Name("ipcj_errno_text") public static native String errnoText(int errno);

    /** Returns x and does nothing else: the cost of a JNI call into ipcj (see the benchmarks). */
    @Name("ipcj_nop") public static native int nop(int x);

    @Name("ipcj_getpid") public static native int getpid();

    @Name("ipcj_pid_alive") public static native int pidAlive(int pid);

    @Name("ipcj_wake_signal_install") public static native int wakeSignalInstall(int sig);

    @Name("ipcj_sigrtmax") public static native int sigrtmax();

    @Name("ipcj_thread_self") public static native long threadSelf(int sig);

    @Name("ipcj_thread_signal") public static native int threadSignal(long thread, int sig);

    /** out[0] = soft limit, out[1] = hard limit, -1 meaning unlimited. */
    @Name("ipcj_getrlimit") public static native int getrlimit(int resource, @Cast("long long*") long[] out);
}
