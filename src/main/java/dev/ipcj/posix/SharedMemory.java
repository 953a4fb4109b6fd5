package dev.ipcj.posix;

import dev.ipcj.ClosedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.IpcException;
import dev.ipcj.MappedRegion;
import dev.ipcj.internal.Errno;
import dev.ipcj.internal.Names;
import dev.ipcj.internal.ShmObjects;
import dev.ipcj.internal.UseCount;
import dev.ipcj.jni.PosixShm;

/**
 * A POSIX shared memory object ({@code shm_open}), a file in {@code /dev/shm} that processes
 * map to share bytes.
 *
 * <p>Create and open are separate on purpose: {@link #create} fails if the name exists,
 * {@link #open} fails if it does not, {@link #openOrCreate} does either. The default mode is
 * {@code 0600} (only the owner). Closing the handle does not unmap regions already mapped and
 * does not remove the name; {@link #unlink()} removes the name, and the memory goes away when
 * the last process has closed and unmapped it.
 *
 * <pre>{@code
 * try (SharedMemory shm = SharedMemory.create("/orders", 4096);
 *      MappedRegion r = shm.map()) {
 *     r.putLong(0, 42);
 * } finally {
 *     SharedMemory.unlinkIfExists("/orders");
 * }
 * }</pre>
 */
public final class SharedMemory implements AutoCloseable {
    /** Default permission bits: read and write for the owner only. */
    public static final int DEFAULT_MODE = 0600;

    private static final int O_RDWR = 2;
    private static final int O_CREAT = 0100;
    private static final int O_EXCL = 0200;

    private final String name;
    private final int fd;
    private final boolean readOnly;
    private final UseCount uses;

    private SharedMemory(String name, int fd, boolean readOnly) {
        this.name = name;
        this.fd = fd;
        this.readOnly = readOnly;
        this.uses = new UseCount(() -> PosixShm.close(fd));
    }

    /**
     * Creates {@code name} with {@code size} bytes and mode 0600; fails if it exists.
     *
     * @param name the object's name, {@code "/"} and a name
     * @param size its size in bytes
     * @return the open object
     */
    public static SharedMemory create(String name, long size) {
        return create(name, size, DEFAULT_MODE);
    }

    /**
     * Creates {@code name} with {@code size} bytes (zero-filled) and {@code mode}; fails if it exists.
     *
     * @param name the object's name, {@code "/"} and a name
     * @param size its size in bytes
     * @param mode the permission bits, e.g. {@code 0600}
     * @return the open object
     */
    public static SharedMemory create(String name, long size, int mode) {
        checkName(name);
        checkSize(name, size);
        checkMode("shm_open", name, mode);
        int fd = PosixShm.shmOpen(name, O_RDWR | O_CREAT | O_EXCL, mode);
        if (fd < 0) {
            throw IpcException.of("shm_open", name, fd, ShmObjects.detail(fd));
        }
        int r = PosixShm.ftruncate(fd, size);
        if (r < 0) {
            PosixShm.close(fd);
            PosixShm.shmUnlink(name);
            throw IpcException.of("ftruncate", name, r, r == -Errno.EFBIG || r == -Errno.EINVAL
                    ? "size " + size + " is more than this file system allows" : null);
        }
        return new SharedMemory(name, fd, false);
    }

    /**
     * Opens an existing object for reading and writing; fails with NotFoundException if absent.
     *
     * @param name the object's name
     * @return the open object
     */
    public static SharedMemory open(String name) {
        return open(name, false);
    }

    /**
     * Opens an existing object for reading only; its mappings are read-only.
     *
     * @param name the object's name
     * @return the object, open read-only
     */
    public static SharedMemory openReadOnly(String name) {
        return open(name, true);
    }

    private static SharedMemory open(String name, boolean readOnly) {
        checkName(name);
        return new SharedMemory(name, ShmObjects.open(name, readOnly), readOnly);
    }

    /**
     * Opens {@code name}, creating it with {@code size} bytes and {@code mode} if it does not
     * exist. An existing object smaller than {@code size} (for instance one a racing creator
     * has not sized yet) is grown to {@code size}; a larger one is left as it is.
     *
     * @param name the object's name, {@code "/"} and a name
     * @param size the least size in bytes
     * @param mode the permission bits, if it is created
     * @return the open object
     */
    public static SharedMemory openOrCreate(String name, long size, int mode) {
        checkName(name);
        checkSize(name, size);
        checkMode("shm_open", name, mode);
        SharedMemory shm = new SharedMemory(name, ShmObjects.openOrCreate(name, mode), false);
        try {
            if (shm.size() < size) {
                shm.resize(size);
            }
        } catch (RuntimeException e) {
            shm.close();
            throw e;
        }
        return shm;
    }

    /**
     * Removes the name; processes that have it open or mapped keep their memory.
     *
     * @param name the object's name
     */
    public static void unlink(String name) {
        checkName(name);
        int r = PosixShm.shmUnlink(name);
        if (r < 0) {
            throw IpcException.of("shm_unlink", name, r, ShmObjects.detail(r));
        }
    }

    /**
     * Removes the name if it exists: true if it did. For cleanup in finally blocks.
     *
     * @param name the object's name
     * @return true if the name existed and was removed
     */
    public static boolean unlinkIfExists(String name) {
        checkName(name);
        int r = PosixShm.shmUnlink(name);
        if (r < 0 && r != -Errno.ENOENT) {
            throw IpcException.of("shm_unlink", name, r, ShmObjects.detail(r));
        }
        return r == 0;
    }

    /** Removes this object's name. */
    public void unlink() {
        unlink(name);
    }

    /**
     * The object's name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Whether the object was opened read-only ({@link #openReadOnly}).
     *
     * @return true if read-only
     */
    public boolean isReadOnly() {
        return readOnly;
    }

    /**
     * The current size in bytes, from fstat (another process may have resized it).
     *
     * @return the size in bytes
     */
    public long size() {
        return stat()[0];
    }

    /**
     * The permission bits (e.g. 0600), from fstat.
     *
     * @return the permission bits
     */
    public int mode() {
        return (int) (stat()[1] & 07777);
    }

    private long[] stat() {
        enter();
        try {
            return ShmObjects.stat(fd, name);
        } finally {
            uses.exit();
        }
    }

    /**
     * Sets the size ({@code ftruncate}). Do it before mapping: a process that has mapped more
     * than the new size gets SIGBUS when it touches the cut-off part, so shrink only objects
     * nobody has mapped.
     *
     * @param size the new size in bytes
     */
    public void resize(long size) {
        checkSize(name, size);
        if (readOnly) {
            throw new InvalidArgumentException("ftruncate", name, 0, "the object was opened read-only");
        }
        enter();
        try {
            int r = PosixShm.ftruncate(fd, size);
            if (r < 0) {
                throw IpcException.of("ftruncate", name, r);
            }
        } finally {
            uses.exit();
        }
    }

    /**
     * Maps the whole object, read-write (read-only if opened read-only).
     *
     * @return the mapping
     */
    public MappedRegion map() {
        return map(0, size(), readOnly);
    }

    /**
     * Maps the whole object read-only: a write through it throws PermissionDeniedException.
     *
     * @return the read-only mapping
     */
    public MappedRegion mapReadOnly() {
        return map(0, size(), true);
    }

    /**
     * Maps {@code length} bytes from {@code offset} (a multiple of the page size). The range
     * must lie inside the object's current size: mapping past the end would turn the first
     * touch into SIGBUS, so it is refused here.
     *
     * @param offset   where the mapping starts in the object, a multiple of the page size
     * @param length   the number of bytes to map
     * @param readOnly whether to map read-only
     * @return the mapping
     */
    public MappedRegion map(long offset, long length, boolean readOnly) {
        if (!readOnly && this.readOnly) {
            throw new InvalidArgumentException("mmap", name, 0,
                    "cannot map read-write: the object was opened read-only");
        }
        long page = PosixShm.pageSize();
        if (offset < 0 || offset % page != 0) {
            throw new InvalidArgumentException("mmap", name, 0,
                    "offset " + offset + " is not a non-negative multiple of the page size " + page);
        }
        long size = size();
        if (length <= 0) {
            throw new InvalidArgumentException("mmap", name, 0, size == 0
                    ? "the object is empty (size 0): create it with a size or resize() it first"
                    : "length " + length + " must be positive");
        }
        if (offset > size || length > size - offset) {
            throw new InvalidArgumentException("mmap", name, 0, "offset " + offset + " + length " + length
                    + " exceeds the object's size " + size);
        }
        if (length > Integer.MAX_VALUE) {
            throw new InvalidArgumentException("mmap", name, 0, "length " + length + " is more than a MappedRegion holds ("
                    + Integer.MAX_VALUE + " bytes): map a window with an offset");
        }
        enter();
        try {
            return ShmObjects.map(fd, name, offset, length, readOnly);
        } finally {
            uses.exit();
        }
    }

    /**
     * False once {@link #close()} was called.
     *
     * @return true until closed
     */
    public boolean isOpen() {
        return !uses.isClosed();
    }

    /** Closes the descriptor. Mappings stay valid; the name stays until unlinked. Idempotent. */
    @Override
    public void close() {
        uses.close();
    }

    private void enter() {
        if (!uses.tryEnter()) {
            throw new ClosedException("shm", name, 0, "the handle is closed");
        }
    }

    static void checkName(String name) {
        Names.check("shm_open", name, Names.NAME_MAX);
    }

    private static void checkSize(String name, long size) {
        if (size <= 0) {
            throw new InvalidArgumentException("ftruncate", name, 0, "size " + size + " must be positive");
        }
    }

    static void checkMode(String call, String name, int mode) {
        if ((mode & ~0777) != 0) {
            throw new InvalidArgumentException(call, name, 0,
                    "mode 0" + Integer.toOctalString(mode) + " has bits outside 0777");
        }
    }
}
