package dev.ipcj.internal;

import dev.ipcj.CorruptedException;
import dev.ipcj.IpcException;
import dev.ipcj.MappedRegion;
import dev.ipcj.jni.PosixShm;

/**
 * The one owner of how ipcj opens, measures and maps an existing POSIX shared memory object:
 * {@code dev.ipcj.posix.SharedMemory} (the public handle) and {@link SharedPage} (the mappings
 * of the log, the mailboxes and the ring's positions) both go through here, so that the rules
 * are written once: no link is followed, a FIFO put where the object should be does not block
 * the open, and anything but a regular file is refused as "not a shared memory object".
 * Descriptors are plain ints; the caller owns and closes them.
 */
public final class ShmObjects {
    private static final int O_RDONLY = 0;
    private static final int O_RDWR = 2;
    private static final int O_CREAT = 0100;
    private static final int O_NONBLOCK = 04000;
    private static final long S_IFMT = 0170000;
    private static final long S_IFREG = 0100000;
    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;

    private ShmObjects() {
    }

    /**
     * Opens the existing object {@code name} ({@code "/"} and a checked name) and returns its
     * descriptor, refusing (and closing) one that is not a regular file.
     *
     * @param name     the object's name
     * @param readOnly O_RDONLY rather than O_RDWR
     * @return the descriptor
     * @throws IpcException (NotFoundException, PermissionDeniedException, CorruptedException for a
     *                      link, a directory or another kind of file) when it cannot be opened
     */
    public static int open(String name, boolean readOnly) {
        return open(name, (readOnly ? O_RDONLY : O_RDWR) | O_NONBLOCK, 0);
    }

    /**
     * Opens {@code name} read-write, creating it empty with {@code mode} if it does not exist,
     * with the checks of {@link #open(String, boolean)}.
     *
     * @param name the object's name
     * @param mode the permission bits, if it is created
     * @return the descriptor
     * @throws IpcException when it cannot be opened or is not a regular file
     */
    public static int openOrCreate(String name, int mode) {
        return open(name, O_RDWR | O_CREAT | O_NONBLOCK, mode);
    }

    private static int open(String name, int flags, int mode) {
        // O_NONBLOCK: a FIFO put where the object should be must not block the open.
        int fd = PosixShm.shmOpen(name, flags, mode);
        if (fd < 0) {
            throw openError(name, fd);
        }
        long[] st = new long[4];
        int r = PosixShm.fstat(fd, st);
        if (r < 0 || (st[1] & S_IFMT) != S_IFREG) {
            PosixShm.close(fd);
            if (r < 0) {
                throw IpcException.of("fstat", name, r);
            }
            throw new CorruptedException("shm_open", name, 0, "/dev/shm" + name + " is not a regular file (file type 0"
                    + Long.toOctalString(st[1] & S_IFMT) + "), so not a shared memory object");
        }
        return fd;
    }

    private static IpcException openError(String name, int fd) {
        if (fd == -Errno.ELOOP) {
            return new CorruptedException("shm_open", name, Errno.ELOOP, "/dev/shm" + name
                    + " is a symbolic link, not a shared memory object (ipcj follows no links in /dev/shm)");
        }
        if (fd == -Errno.EINVAL) { // glibc's shm_open turns EISDIR into EINVAL; the name was checked
            return new CorruptedException("shm_open", name, Errno.EISDIR, "/dev/shm" + name
                    + " is a directory, not a shared memory object");
        }
        return IpcException.of("shm_open", name, fd, detail(fd));
    }

    /**
     * fstat of {@code fd}: {size, st_mode, ...} as {@code PosixShm.fstat} fills them.
     *
     * @param fd   an open descriptor
     * @param name the object's name, for the error
     * @return the stat fields
     * @throws IpcException when fstat fails
     */
    public static long[] stat(int fd, String name) {
        long[] st = new long[4];
        int r = PosixShm.fstat(fd, st);
        if (r < 0) {
            throw IpcException.of("fstat", name, r);
        }
        return st;
    }

    /**
     * Maps {@code length} bytes of {@code fd} from {@code offset} shared, into a region the fault
     * guard watches. The caller has checked the range against the object's size.
     *
     * @param fd       an open descriptor
     * @param name     the object's name, for the region and the error
     * @param offset   a multiple of the page size
     * @param length   1 .. Integer.MAX_VALUE bytes
     * @param readOnly PROT_READ rather than PROT_READ | PROT_WRITE
     * @return the mapping
     * @throws IpcException when mmap fails
     */
    public static MappedRegion map(int fd, String name, long offset, long length, boolean readOnly) {
        long a = PosixShm.mmapShared(fd, length, readOnly ? PROT_READ : PROT_READ | PROT_WRITE, offset);
        if (a < 0 && a > -4096) {
            throw IpcException.of("mmap", name, (int) a);
        }
        return Regions.wrap(name, a, length, readOnly, null);
    }

    /**
     * The words ipcj adds to an errno of shm_open, or null.
     *
     * @param errno the negative errno
     * @return the detail, or null
     */
    public static String detail(int errno) {
        if (errno == -Errno.EACCES) {
            return "permission denied (the object's mode or owner does not allow this access)";
        }
        if (errno == -Errno.EMFILE) {
            return "this process has too many open files (RLIMIT_NOFILE; raise it with ulimit -n)";
        }
        return null;
    }
}
