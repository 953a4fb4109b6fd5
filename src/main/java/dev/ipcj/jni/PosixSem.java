package dev.ipcj.jni;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.NoException;
import org.bytedeco.javacpp.annotation.Properties;

/**
 * Shims of {@code ipcj_sem.h}: POSIX semaphores addressed by their sem_t address.
 *
 * <p>Raw glibc: {@code sem_post}, {@code sem_wait} and the others dereference the sem_t in native
 * code and trust its bytes, so memory another process can truncate or scribble on can crash the
 * JVM through them. {@code dev.ipcj.posix} uses only {@link #semOpen} (to create), {@link #semClose},
 * {@link #semUnlink} and {@link #semSize}, and performs the semaphore operations in Java; the
 * others remain for the benchmarks that measure glibc itself.
 */
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
