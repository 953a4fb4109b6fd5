package dev.ipcj.jni;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.NoException;
import org.bytedeco.javacpp.annotation.Properties;

/** Shims of {@code ipcj_epoll.h}. Each returns a value or -errno. */
@Properties(inherit = IpcjConfig.class)
@NoException
public final class Epoll {
    static {
        Loader.load();
    }

    public static final int EPOLLIN = 0x001;
    public static final int EPOLLOUT = 0x004;
    public static final int EPOLLERR = 0x008;
    public static final int EPOLLHUP = 0x010;
    public static final int CTL_ADD = 1;
    public static final int CTL_DEL = 2;
    public static final int CTL_MOD = 3;
    /** The most events one {@link #epollWait} returns. */
    public static final int BATCH = 64;

    private Epoll() {
    }

    @Name("ipcj_epoll_create") public static native int epollCreate();

    @Name("ipcj_epoll_ctl") public static native int epollCtl(int epfd, int op, int fd, int events, long data);

    /** Writes (events, data) pairs of longs at {@code out}; nanos &lt; 0 waits forever. */
    @Name("ipcj_epoll_wait") public static native int epollWait(int epfd, long out, int max, long nanos);

    @Name("ipcj_close") public static native int close(int fd);
}
