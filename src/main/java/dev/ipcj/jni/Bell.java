package dev.ipcj.jni;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.NoException;
import org.bytedeco.javacpp.annotation.Properties;

/** Shims of {@code ipcj_bell.h}, a WaitSet's doorbell socket. Each returns a value or -errno. */
@Properties(inherit = IpcjConfig.class)
@NoException
public final class Bell {
    static {
        Loader.load();
    }

    private Bell() {
    }

    /** Binds a datagram socket to the abstract name of bell (pid, id): its descriptor. */
    @Name("ipcj_bell_open") public static native int open(int pid, int id);

    /** An unbound datagram socket to ring bells from. */
    @Name("ipcj_bell_sender") public static native int sender();

    /** Sends one byte to bell (pid, id); 0 also when it is rung already. */
    @Name("ipcj_bell_ring") public static native int ring(int sender, int pid, int id);

    /** Reads every pending ring: how many. */
    @Name("ipcj_bell_drain") public static native int drain(int fd);

    @Name("ipcj_close") public static native int close(int fd);
}
