package dev.ipcj.posix;

import dev.ipcj.CorruptedException;
import dev.ipcj.IpcException;
import dev.ipcj.MappedRegion;
import dev.ipcj.NotFoundException;
import dev.ipcj.AlreadyExistsException;
import dev.ipcj.internal.Errno;
import dev.ipcj.internal.Names;
import dev.ipcj.internal.Regions;
import dev.ipcj.jni.PosixSem;
import dev.ipcj.jni.PosixShm;

/**
 * A named POSIX semaphore ({@code sem_open}); on Linux it lives as {@code /dev/shm/sem.NAME}.
 * Create and open are explicit; the default mode is 0600. {@link #close()} closes this process's
 * handle, {@link #unlink(String)} removes the name.
 *
 * <p>Creating uses glibc's {@code sem_open(O_CREAT | O_EXCL)}, which writes the new semaphore
 * into a temporary file and links it under the name, so no process ever sees it half made.
 * Opening does not trust the file: ipcj opens {@code /dev/shm/sem.NAME} itself, without
 * following a symbolic link, and refuses with {@link CorruptedException} anything but a regular
 * file of at least 32 bytes ({@code sizeof(sem_t)}) whose bytes a process-shared glibc
 * semaphore can hold (see {@link PosixSemaphore}). The operations are glibc's, done in Java,
 * so C programs using {@code sem_open} and {@code sem_post}/{@code sem_wait} on the same name
 * interoperate.
 */
public final class NamedSemaphore extends PosixSemaphore {
    /** Longest name after the '/': NAME_MAX less the "sem." prefix glibc adds. */
    public static final int MAX_NAME_LENGTH = Names.NAME_MAX - 4;

    private static final int O_RDWR = 2;
    private static final int O_CREAT = 0100;
    private static final int O_EXCL = 0200;
    private static final int O_NONBLOCK = 04000;
    private static final int PROT_RW = 3;
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFIFO = 0010000;
    /** How often openOrCreate retries when the name appears and disappears under it. */
    private static final int RACE_RETRIES = 100;

    private NamedSemaphore(String name, MappedRegion region) {
        super(name, region, 0, region::close);
    }

    /**
     * Creates {@code name} with {@code initialValue} permits and mode 0600; fails if it exists.
     *
     * @param name         the semaphore's name, {@code "/"} and a name
     * @param initialValue the permits it starts with
     * @return the open semaphore
     */
    public static NamedSemaphore create(String name, int initialValue) {
        return create(name, initialValue, SharedMemory.DEFAULT_MODE);
    }

    /**
     * Creates {@code name} with {@code initialValue} permits and {@code mode}; fails if it exists.
     *
     * @param name         the semaphore's name, {@code "/"} and a name
     * @param initialValue the permits it starts with
     * @param mode         the permission bits, e.g. {@code 0600}
     * @return the open semaphore
     */
    public static NamedSemaphore create(String name, int initialValue, int mode) {
        check(name);
        SharedMemory.checkMode("sem_open", name, mode);
        checkValue("sem_open", name, initialValue);
        createFile(name, initialValue, mode);
        return openFile(name);
    }

    /**
     * Opens an existing semaphore.
     *
     * @param name the semaphore's name
     * @return the open semaphore
     */
    public static NamedSemaphore open(String name) {
        check(name);
        return openFile(name);
    }

    /**
     * Opens {@code name}, creating it with {@code initialValue} and {@code mode} if absent.
     *
     * @param name         the semaphore's name, {@code "/"} and a name
     * @param initialValue the permits it starts with, if it is created
     * @param mode         the permission bits, if it is created
     * @return the open semaphore
     */
    public static NamedSemaphore openOrCreate(String name, int initialValue, int mode) {
        check(name);
        SharedMemory.checkMode("sem_open", name, mode);
        checkValue("sem_open", name, initialValue);
        IpcException last = null;
        for (int i = 0; i < RACE_RETRIES; i++) {
            try {
                return openFile(name);
            } catch (NotFoundException e) {
                last = e;
            }
            try {
                createFile(name, initialValue, mode);
                return openFile(name);
            } catch (AlreadyExistsException e) {
                last = e; // made by another process between our two attempts: open it
            }
        }
        throw last;
    }

    /** sem_open(O_CREAT | O_EXCL): glibc makes the file whole, then links it under the name. */
    private static void createFile(String name, int value, int mode) {
        long s = PosixSem.semOpen(name, O_CREAT | O_EXCL, mode, value);
        if (s < 0 && s > -4096) {
            throw IpcException.of("sem_open", name, (int) s, detail((int) s));
        }
        PosixSem.semClose(s); // glibc only unmaps its own mapping; ipcj maps the file itself
    }

    /** Opens and maps /dev/shm/sem.NAME after checking what it is. */
    private static NamedSemaphore openFile(String name) {
        String file = "/" + Names.SEM_PREFIX + name.substring(1); // shm_open adds /dev/shm and O_NOFOLLOW
        String path = "/dev/shm" + file;
        int fd = PosixShm.shmOpen(file, O_RDWR | O_NONBLOCK, 0);
        if (fd < 0) {
            if (fd == -Errno.ELOOP) {
                throw new CorruptedException("sem_open", name, Errno.ELOOP, path
                        + " is a symbolic link, not a semaphore (ipcj follows no links in /dev/shm)");
            }
            if (fd == -Errno.EINVAL) { // glibc's shm_open turns EISDIR into EINVAL
                throw new CorruptedException("sem_open", name, Errno.EISDIR, path + " is a directory, not a semaphore");
            }
            throw IpcException.of("sem_open", name, fd, detail(fd));
        }
        try {
            long[] st = new long[4];
            int r = PosixShm.fstat(fd, st);
            if (r < 0) {
                throw IpcException.of("fstat", name, r);
            }
            int type = (int) st[1] & S_IFMT;
            if (type != S_IFREG) {
                throw new CorruptedException("sem_open", name, 0, path + " is " + kind(type)
                        + ", not a semaphore's regular file");
            }
            if (st[0] < SEM_SIZE) {
                throw new CorruptedException("sem_open", name, 0, path + " has " + st[0] + " bytes, fewer than the "
                        + SEM_SIZE + " of a sem_t: it is not a semaphore (or another process truncated it)");
            }
            long a = PosixShm.mmapShared(fd, SEM_SIZE, PROT_RW, 0);
            if (a < 0 && a > -4096) {
                throw IpcException.of("mmap", name, (int) a);
            }
            MappedRegion region = Regions.wrap(name, a, SEM_SIZE, false, null);
            try {
                validate("sem_open", name, region, 0);
            } catch (RuntimeException e) {
                region.close();
                throw e;
            }
            return new NamedSemaphore(name, region);
        } finally {
            PosixShm.close(fd);
        }
    }

    private static String kind(int type) {
        switch (type) {
            case S_IFDIR: return "a directory";
            case S_IFIFO: return "a FIFO";
            case 0140000: return "a socket";
            case 0020000: return "a character device";
            case 0060000: return "a block device";
            default: return "not a regular file (type 0" + Integer.toOctalString(type) + ")";
        }
    }

    private static String detail(int r) {
        if (r == -Errno.EACCES) {
            return "permission denied (the semaphore's mode or owner does not allow this user to open it)";
        }
        if (r == -Errno.EMFILE) {
            return "this process has too many open files (RLIMIT_NOFILE; raise it with ulimit -n)";
        }
        return null;
    }

    /**
     * Removes the name; processes that have it open keep using it.
     *
     * @param name the semaphore's name
     */
    public static void unlink(String name) {
        check("sem_unlink", name);
        int r = PosixSem.semUnlink(name);
        if (r < 0) {
            throw IpcException.of("sem_unlink", name, r);
        }
    }

    /**
     * Removes the name if it exists: true if it did.
     *
     * @param name the semaphore's name
     * @return true if the name existed and was removed
     */
    public static boolean unlinkIfExists(String name) {
        check("sem_unlink", name);
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
        check("sem_open", name);
    }

    private static void check(String call, String name) {
        Names.check(call, name, MAX_NAME_LENGTH);
    }
}
