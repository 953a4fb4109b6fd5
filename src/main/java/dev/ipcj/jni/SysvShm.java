package dev.ipcj.jni;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.NoException;
import org.bytedeco.javacpp.annotation.Properties;

/**
 * Shims of {@code ipcj_sysv_shm.h} (and the key helper of {@code ipcj_sysv_ipc.h}): System V
 * shared memory by id. Each returns a value or -errno.
 */
@Properties(inherit = IpcjConfig.class)
@NoException
public final class SysvShm {
    static {
        Loader.load();
    }

    /** Length of the array {@link #shmctlStat} fills. */
    public static final int STAT_FIELDS = 13;

    private SysvShm() {
    }

    /** The key as an unsigned 32-bit number, or -errno. */
    @Name("ipcj_ftok") public static native long ftok(String path, int proj);

    @Name("ipcj_shmget") public static native int shmget(int key, long size, int flags);

    /** The attach address, or -errno (-4095..-1). */
    @Name("ipcj_shmat") public static native long shmat(int id, int readOnly);

    @Name("ipcj_shmdt") public static native int shmdt(long address);

    /**
     * out (13): 0 key, 1 uid, 2 gid, 3 cuid, 4 cgid, 5 mode, 6 segsz, 7 atime, 8 dtime,
     * 9 ctime, 10 cpid, 11 lpid, 12 nattch.
     */
    @Name("ipcj_shmctl_stat") public static native int shmctlStat(int id, @Cast("long long*") long[] out);

    @Name("ipcj_shmctl_set") public static native int shmctlSet(int id, int uid, int gid, int mode);

    @Name("ipcj_shmctl_rmid") public static native int shmctlRmid(int id);
}
