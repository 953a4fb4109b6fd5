package dev.ipcj.jni;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.NoException;
import org.bytedeco.javacpp.annotation.Properties;

/**
 * Functions of {@code ipcj_fault.h}: the SIGBUS guard over ipcj's mappings (a page another
 * process truncated away becomes a private zero page and a flag; see the header). Each returns a
 * value or -errno.
 */
@Properties(inherit = IpcjConfig.class)
@NoException
public final class FaultGuard {
    static {
        Loader.load();
    }

    private FaultGuard() {
    }

    /** Installs the handler once, keeping the previous one (the JVM's) for every other SIGBUS: 0 or -errno. */
    @Name("ipcj_fault_install") public static native int install();

    /** Registers {@code [start, start + length)}: the address of its int flag (0 until a fault), or -errno. */
    @Name("ipcj_fault_register") public static native long register(long start, long length, int writable);

    @Name("ipcj_fault_unregister") public static native int unregister(long flag);
}
