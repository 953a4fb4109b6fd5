package dev.ipcj.jni;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.NoException;
import org.bytedeco.javacpp.annotation.Properties;

/**
 * Shims of {@code ipcj_sysv_sem.h}: System V semaphore sets by id, one shim per semctl
 * command (the {@code union semun} stays in C). Each returns a value or -errno.
 */
@Properties(inherit = IpcjConfig.class)
@NoException
public final class SysvSem {
    static {
        Loader.load();
    }

    /** Length of the array {@link #semctlStat} fills. */
    public static final int STAT_FIELDS = 9;

    private SysvSem() {
    }

    @Name("ipcj_semget") public static native int semget(int key, int nsems, int flags);

    /** semop of {@code nsops} struct sembuf (6 bytes each) at {@code sops}. */
    @Name("ipcj_semop") public static native int semop(int id, long sops, int nsops);

    @Name("ipcj_semtimedop") public static native int semtimedop(int id, long sops, int nsops, long nanos);

    @Name("ipcj_semop1") public static native int semop1(int id, int num, int op, int flags);

    @Name("ipcj_semtimedop1") public static native int semtimedop1(int id, int num, int op, int flags, long nanos);

    @Name("ipcj_semctl_getval") public static native int getval(int id, int num);

    @Name("ipcj_semctl_getpid") public static native int getpid(int id, int num);

    @Name("ipcj_semctl_getncnt") public static native int getncnt(int id, int num);

    @Name("ipcj_semctl_getzcnt") public static native int getzcnt(int id, int num);

    @Name("ipcj_semctl_setval") public static native int setval(int id, int num, int value);

    /** GETALL into {@code nsems} unsigned shorts at {@code array}. */
    @Name("ipcj_semctl_getall") public static native int getall(int id, long array);

    /** SETALL from {@code nsems} unsigned shorts at {@code array}. */
    @Name("ipcj_semctl_setall") public static native int setall(int id, long array);

    /** out (9): 0 key, 1 uid, 2 gid, 3 cuid, 4 cgid, 5 mode, 6 otime, 7 ctime, 8 nsems. */
    @Name("ipcj_semctl_stat") public static native int semctlStat(int id, @Cast("long long*") long[] out);

    @Name("ipcj_semctl_set") public static native int semctlSet(int id, int uid, int gid, int mode);

    @Name("ipcj_semctl_rmid") public static native int semctlRmid(int id);
}
