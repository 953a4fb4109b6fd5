package dev.ipcj.jni;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.NoException;
import org.bytedeco.javacpp.annotation.Properties;

/**
 * Shims of {@code ipcj_mq.h}: POSIX message queues, a queue being its descriptor (an int).
 * Each returns a value or -errno; receives return {@code (priority << 32) | length}.
 */
@Properties(inherit = IpcjConfig.class)
@NoException
public final class PosixMq {
    static {
        Loader.load();
    }

    private PosixMq() {
    }

    /** maxmsg &lt;= 0 with O_CREAT: the kernel's default attributes. */
    @Name("ipcj_mq_open") public static native int mqOpen(String name, int oflag, int mode, long maxmsg, long msgsize);

    @Name("ipcj_mq_close") public static native int mqClose(int mqd);

    @Name("ipcj_mq_unlink") public static native int mqUnlink(String name);

    /** out[0] = mq_flags, out[1] = mq_maxmsg, out[2] = mq_msgsize, out[3] = mq_curmsgs. */
    @Name("ipcj_mq_getattr") public static native int mqGetattr(int mqd, @Cast("long long*") long[] out);

    /** Sets mq_flags; returns the old mq_flags or -errno. */
    @Name("ipcj_mq_setattr") public static native long mqSetattr(int mqd, long flags);

    @Name("ipcj_mq_send") public static native int mqSend(int mqd, long address, long length, int priority);

    @Name("ipcj_mq_receive") public static native long mqReceive(int mqd, long address, long length);

    /** nanos &lt; 0: do not wait (ETIMEDOUT at once when the queue is full). */
    @Name("ipcj_mq_timedsend") public static native int mqTimedsend(int mqd, long address, long length, int priority, long nanos);

    /** nanos &lt; 0: do not wait (ETIMEDOUT at once when the queue is empty). */
    @Name("ipcj_mq_timedreceive") public static native long mqTimedreceive(int mqd, long address, long length, long nanos);

    @Name("ipcj_mq_prio_max") public static native int mqPrioMax();

    /** The read end of the process-wide notification pipe, or -errno. */
    @Name("ipcj_mq_notify_pipe") public static native int mqNotifyPipe();

    /** SIGEV_THREAD registration: {@code token} is written to the notification pipe on arrival. */
    @Name("ipcj_mq_notify_thread") public static native int mqNotifyThread(int mqd, long token);

    @Name("ipcj_mq_notify_signal") public static native int mqNotifySignal(int mqd, int signo, int value);

    @Name("ipcj_mq_notify_none") public static native int mqNotifyNone(int mqd);

    @Name("ipcj_mq_notify_cancel") public static native int mqNotifyCancel(int mqd);

    /** Blocks until a token is in the notification pipe: the token or -errno. */
    @Name("ipcj_mq_notify_read") public static native long mqNotifyRead();

    /** Writes a token into the notification pipe as a notification would. */
    @Name("ipcj_mq_notify_post") public static native int mqNotifyPost(long token);
}
