package dev.ipcj.jni;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.NoException;
import org.bytedeco.javacpp.annotation.Properties;

/** Shims of {@code ipcj_sysv_msg.h}: System V message queues by id. Each returns a value or -errno. */
@Properties(inherit = IpcjConfig.class)
@NoException
public final class SysvMsg {
    static {
        Loader.load();
    }

    /** Length of the array {@link #msgctlStat} fills. */
    public static final int STAT_FIELDS = 14;

    private SysvMsg() {
    }

    @Name("ipcj_msgget") public static native int msgget(int key, int flags);

    /** Sends the msgbuf at {@code msgp}: 8-byte mtype, then {@code size} bytes. */
    @Name("ipcj_msgsnd") public static native int msgsnd(int id, long msgp, long size, int flags);

    /** Sends {@code size} bytes at {@code data} with {@code type}, copied into a msgbuf by the shim. */
    @Name("ipcj_msgsnd_copy") public static native int msgsndCopy(int id, long type, long data, long size, int flags);

    /** Receives into the msgbuf at {@code msgp} with room for {@code size} bytes: the byte count, or -errno. */
    @Name("ipcj_msgrcv") public static native long msgrcv(int id, long msgp, long size, long type, int flags);

    /**
     * out (14): 0 key, 1 uid, 2 gid, 3 cuid, 4 cgid, 5 mode, 6 stime, 7 rtime, 8 ctime,
     * 9 cbytes, 10 qnum, 11 qbytes, 12 lspid, 13 lrpid.
     */
    @Name("ipcj_msgctl_stat") public static native int msgctlStat(int id, @Cast("long long*") long[] out);

    @Name("ipcj_msgctl_set") public static native int msgctlSet(int id, int uid, int gid, int mode, long qbytes);

    @Name("ipcj_msgctl_rmid") public static native int msgctlRmid(int id);
}
