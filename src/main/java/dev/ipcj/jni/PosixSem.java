package dev.ipcj.jni;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.NoException;
import org.bytedeco.javacpp.annotation.Properties;

/** Shims of {@code ipcj_sem.h}: POSIX semaphores addressed by their sem_t address. */
@Properties(inherit = IpcjConfig.class)
@NoException
public final class PosixSem {
    static {
        Loader.load();
    }

    private PosixSem() {
    }

    @Name("ipcj_sem_size") public static native int semSize();

    @Name("ipcj_sem_open") public static native long semOpen(String name, int oflag, int mode, int value);

    @Name("ipcj_sem_close") public static native int semClose(long sem);

    @Name("ipcj_sem_unlink") public static native int semUnlink(String name);

    @Name("ipcj_sem_init") public static native int semInit(long sem, int pshared, int value);

    @Name("ipcj_sem_destroy") public static native int semDestroy(long sem);

    @Name("ipcj_sem_post") public static native int semPost(long sem);

    @Name("ipcj_sem_wait") public static native int semWait(long sem);

    @Name("ipcj_sem_trywait") public static native int semTrywait(long sem);

    @Name("ipcj_sem_timedwait") public static native int semTimedwait(long sem, long nanos);

    @Name("ipcj_sem_getvalue") public static native int semGetvalue(long sem);
}
