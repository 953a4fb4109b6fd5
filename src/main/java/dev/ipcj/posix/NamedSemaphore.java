package dev.ipcj.posix;

import dev.ipcj.IpcException;
import dev.ipcj.internal.Errno;
import dev.ipcj.internal.Names;
import dev.ipcj.jni.PosixSem;

/**
 * A named POSIX semaphore ({@code sem_open}); on Linux it lives as {@code /dev/shm/sem.NAME}.
 * Create and open are explicit; the default mode is 0600. {@link #close()} closes this process's
 * handle, {@link #unlink(String)} removes the name.
 */
public final class NamedSemaphore extends PosixSemaphore {
    /** Longest name after the '/': NAME_MAX less the "sem." prefix glibc adds. */
    public static final int MAX_NAME_LENGTH = Names.NAME_MAX - 4;

    private static final int O_CREAT = 0100;
    private static final int O_EXCL = 0200;

    private NamedSemaphore(String name, long sem) {
        super(name, sem, () -> PosixSem.semClose(sem));
    }

    /** Creates {@code name} with {@code initialValue} permits and mode 0600; fails if it exists. */
    public static NamedSemaphore create(String name, int initialValue) {
        return create(name, initialValue, SharedMemory.DEFAULT_MODE);
    }

    /** Creates {@code name} with {@code initialValue} permits and {@code mode}; fails if it exists. */
    public static NamedSemaphore create(String name, int initialValue, int mode) {
        return open(name, O_CREAT | O_EXCL, mode, initialValue);
    }

    /** Opens an existing semaphore. */
    public static NamedSemaphore open(String name) {
        return open(name, 0, 0, 0);
    }

    /** Opens {@code name}, creating it with {@code initialValue} and {@code mode} if absent. */
    public static NamedSemaphore openOrCreate(String name, int initialValue, int mode) {
        return open(name, O_CREAT, mode, initialValue);
    }

    private static NamedSemaphore open(String name, int oflag, int mode, int value) {
        check(name);
        SharedMemory.checkMode("sem_open", name, mode);
        checkValue("sem_open", name, value);
        long s = PosixSem.semOpen(name, oflag, mode, value);
        if (s < 0 && s > -4096) {
            throw IpcException.of("sem_open", name, (int) s);
        }
        return new NamedSemaphore(name, s);
    }

    /** Removes the name; processes that have it open keep using it. */
    public static void unlink(String name) {
        check(name);
        int r = PosixSem.semUnlink(name);
        if (r < 0) {
            throw IpcException.of("sem_unlink", name, r);
        }
    }

    /** Removes the name if it exists: true if it did. */
    public static boolean unlinkIfExists(String name) {
        check(name);
        int r = PosixSem.semUnlink(name);
        if (r < 0 && r != -Errno.ENOENT) {
            throw IpcException.of("sem_unlink", name, r);
        }
        return r == 0;
    }

    /** Removes this semaphore's name. */
    public void unlink() {
        unlink(name);
    }

    private static void check(String name) {
        Names.check("sem_open", name, MAX_NAME_LENGTH);
    }
}
