package dev.ipcj.jni;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.NoException;
import org.bytedeco.javacpp.annotation.Properties;

/**
 * Shims of {@code ipcj_futex.h}: shared (not private) futex wait/wake on the address of a
 * 32-bit word inside a shared mapping, and membarrier(2) for asymmetric fences.
 */
@Properties(inherit = IpcjConfig.class)
@NoException
public final class Futex {
    static {
        Loader.load();
    }

    private Futex() {
    }

    /** FUTEX_WAIT while the word equals {@code expected}; {@code nanos < 0}: no timeout. 0 or -errno. */
    @Name("ipcj_futex_wait") public static native int futexWait(long address, int expected, long nanos);

    /** FUTEX_WAKE up to {@code count} waiters: the number woken, or -errno. */
    @Name("ipcj_futex_wake") public static native int futexWake(long address, int count);

    /** membarrier(MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED), after a query: 0, -ENOSYS or -errno. */
    @Name("ipcj_membarrier_register") public static native int membarrierRegister();

    /** membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED): 0 or -errno. */
    @Name("ipcj_membarrier_global") public static native int membarrierGlobal();
}
