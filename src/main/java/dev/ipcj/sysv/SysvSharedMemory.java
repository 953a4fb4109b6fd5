package dev.ipcj.sysv;

import dev.ipcj.InvalidArgumentException;
import dev.ipcj.IpcException;
import dev.ipcj.MappedRegion;
import dev.ipcj.internal.Errno;
import dev.ipcj.internal.Regions;
import dev.ipcj.jni.SysvShm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A System V shared memory segment ({@code shmget}), attached as a bounds-checked
 * {@link MappedRegion}.
 *
 * <p>{@link #create} fails if the key is taken (exclusive), {@link #open} if it is free,
 * {@link #openOrCreate} does either; {@link IpcKey#PRIVATE} always creates a new segment,
 * which other processes then reach by its {@link #id()} ({@link #ofId}). Default mode 0600.
 *
 * <p>{@link #attach()} maps the segment; closing the region detaches it (see
 * {@link MappedRegion}: the range becomes private zero pages in one step, which drops the
 * attach count as {@code shmdt} would; any later access through the region throws).
 *
 * <h2>Removal while attached</h2>
 * {@link #remove()} ({@code IPC_RMID}) only marks a segment that is still attached somewhere:
 * <ul>
 *   <li>every process still attached keeps reading and writing the same memory, and sees the
 *       others' writes, until it detaches;</li>
 *   <li>its key becomes IPC_PRIVATE at once: {@link #open} by the old key fails with
 *       {@link dev.ipcj.NotFoundException}, and {@link #create} with it makes a new, unrelated
 *       segment;</li>
 *   <li>{@link #stat()} still works by id and shows {@link ShmStat#removed()}; Linux even lets
 *       a process attach it by id (other systems refuse);</li>
 *   <li>the memory is freed when the last attach goes; after that the id is invalid and calls
 *       through this handle throw {@link dev.ipcj.RemovedException}.</li>
 * </ul>
 * A segment nobody removes outlives every process (see {@code ipcs -m}).
 */
public final class SysvSharedMemory implements AutoCloseable {
    /** Default permission bits: read and write for the owner only. */
    public static final int DEFAULT_MODE = 0600;
    private static final String KIND = "shared memory segment";

    private final Handle h;
    private final boolean readOnly;

    private SysvSharedMemory(IpcKey key, int id, boolean readOnly) {
        this.h = new Handle(KIND, key, id);
        this.readOnly = readOnly;
    }

    /**
     * Creates a segment of {@code size} bytes (zero-filled), mode 0600; fails if the key exists.
     *
     * @param key  the segment's key, or {@link IpcKey#PRIVATE}
     * @param size its size in bytes
     * @return the open segment
     */
    public static SysvSharedMemory create(IpcKey key, long size) {
        return create(key, size, DEFAULT_MODE);
    }

    /**
     * Creates a segment of {@code size} bytes (zero-filled) with permission bits {@code mode}; fails if the key exists.
     *
     * @param key  the segment's key, or {@link IpcKey#PRIVATE}
     * @param size its size in bytes
     * @param mode the permission bits, e.g. {@code 0600}
     * @return the open segment
     */
    public static SysvSharedMemory create(IpcKey key, long size, int mode) {
        Handle.checkKey("shmget", key);
        return get(key, size, Handle.IPC_CREAT | Handle.IPC_EXCL, mode, false);
    }

    /**
     * Opens the segment with {@code key} for reading and writing; fails with NotFoundException if
     * there is none, and with PermissionDeniedException (here, not at the first attach) if its
     * mode does not let this user read and write it.
     *
     * @param key the segment's key
     * @return the open segment
     */
    public static SysvSharedMemory open(IpcKey key) {
        return open(key, false);
    }

    /**
     * Opens the segment with {@code key} for reading only: PermissionDeniedException if its mode
     * does not let this user read it; {@link #attach()} is refused, {@link #attachReadOnly()} works.
     *
     * @param key the segment's key
     * @return the segment, open read-only
     */
    public static SysvSharedMemory openReadOnly(IpcKey key) {
        return open(key, true);
    }

    private static SysvSharedMemory open(IpcKey key, boolean readOnly) {
        Handle.checkKey("shmget", key);
        if (key.isPrivate()) {
            throw new InvalidArgumentException("shmget", "key " + key, 0,
                    "IPC_PRIVATE cannot be opened, only created: pass the id to ofId() instead");
        }
        // The permission bits of a get without IPC_CREAT are the access asked for: the kernel checks them.
        return get(key, 0, 0, readOnly ? Handle.WANT_READ : Handle.WANT_READ_WRITE, readOnly);
    }

    /**
     * Opens the segment with {@code key}, creating it with {@code size} bytes if it does not
     * exist. An existing segment smaller than {@code size} is an error (EINVAL); one this user may
     * not read and write is PermissionDeniedException.
     *
     * @param key  the segment's key
     * @param size the least size in bytes
     * @param mode the permission bits, if it is created
     * @return the open segment
     */
    public static SysvSharedMemory openOrCreate(IpcKey key, long size, int mode) {
        Handle.checkKey("shmget", key);
        Handle.checkMode("shmget", key, mode);
        if (key.isPrivate()) {
            return get(key, size, Handle.IPC_CREAT | Handle.IPC_EXCL, mode, false);
        }
        for (;;) {
            try {
                return get(key, size, Handle.IPC_CREAT | Handle.IPC_EXCL, mode, false);
            } catch (dev.ipcj.AlreadyExistsException e) {
                // someone else's: open it, asking for read and write
            }
            try {
                return get(key, size, 0, Handle.WANT_READ_WRITE, false);
            } catch (dev.ipcj.NotFoundException e) {
                // removed between the two calls: race for creation again
            }
        }
    }

    /**
     * A handle on the segment with id {@code id} (as another process passed it), for reading and
     * writing: checks that it exists and that this user may read and write it.
     *
     * @param id the segment's id
     * @return the segment
     */
    public static SysvSharedMemory ofId(int id) {
        return ofId(id, false);
    }

    /**
     * As {@link #ofId(int)} for reading only (see {@link #openReadOnly}).
     *
     * @param id the segment's id
     * @return the segment, open read-only
     */
    public static SysvSharedMemory ofIdReadOnly(int id) {
        return ofId(id, true);
    }

    private static SysvSharedMemory ofId(int id, boolean readOnly) {
        SysvSharedMemory s = new SysvSharedMemory(IpcKey.PRIVATE, id, readOnly);
        long[] out = s.statFields();
        s.h.checkAccess("shmat", out, readOnly ? Handle.WANT_READ : Handle.WANT_READ_WRITE,
                readOnly ? "read it" : "read and write it");
        return s;
    }

    private static SysvSharedMemory get(IpcKey key, long size, int flags, int mode, boolean readOnly) {
        Handle.checkMode("shmget", key, mode);
        if ((flags & Handle.IPC_CREAT) != 0 && size <= 0) {
            throw new InvalidArgumentException("shmget", "key " + key, 0, "size " + size + " must be positive");
        }
        int id = SysvShm.shmget(key.value(), size, flags | mode);
        if (id < 0) {
            throw Handle.getError("shmget", KIND, key, id, limitDetail(key, id, size));
        }
        return new SysvSharedMemory(key, id, readOnly);
    }

    private static String limitDetail(IpcKey key, int r, long size) {
        if (r == -Errno.EINVAL) {
            long max = SysvLimits.shmmax();
            if (size > max) {
                return "size " + size + " > " + SysvLimits.named("shmmax", max);
            }
            return "the existing segment with key " + key + " is smaller than the " + size + " bytes asked for";
        }
        if (r == -Errno.ENOSPC) {
            long mni = SysvLimits.shmmni();
            long inUse = countLines("/proc/sysvipc/shm");
            if (inUse >= mni) {
                return "all " + SysvLimits.named("shmmni", mni) + " segment ids are in use";
            }
            return "size " + size + " would take the total of all segments over "
                    + SysvLimits.named("shmall", SysvLimits.shmall()) + " pages";
        }
        if (r == -Errno.ENOMEM) {
            return "no memory for a segment of " + size + " bytes";
        }
        return null;
    }

    static long countLines(String file) {
        try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(Files.newInputStream(Path.of(file)),
                java.nio.charset.StandardCharsets.US_ASCII))) {
            return r.lines().count() - 1; // minus the header line
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * The segment's id ({@code shmid}), which other processes can open with {@link #ofId}.
     *
     * @return the id
     */
    public int id() {
        return h.id;
    }

    /**
     * The key it was created or opened with ({@link IpcKey#PRIVATE} for {@link #ofId}).
     *
     * @return the key
     */
    public IpcKey key() {
        return h.key;
    }

    /**
     * Size in bytes.
     *
     * @return the size in bytes
     */
    public long size() {
        return stat().size();
    }

    /**
     * shmctl(IPC_STAT).
     *
     * @return the segment's state
     */
    public ShmStat stat() {
        return ShmStat.from(statFields());
    }

    private long[] statFields() {
        h.check("shmctl(IPC_STAT)");
        long[] out = new long[SysvShm.STAT_FIELDS];
        int r = SysvShm.shmctlStat(h.id, out);
        if (r < 0) {
            throw h.idError("shmctl(IPC_STAT)", r, null);
        }
        return out;
    }

    /**
     * Whether this handle was opened for reading only ({@link #openReadOnly}, {@link #ofIdReadOnly}).
     *
     * @return true if read-only
     */
    public boolean isReadOnly() {
        return readOnly;
    }

    /**
     * shmctl(IPC_SET): owner uid and gid, permission bits. Only the owner, creator or root may.
     *
     * @param uid  the new owner's user id
     * @param gid  the new owner's group id
     * @param mode the permission bits
     */
    public void setPermissions(int uid, int gid, int mode) {
        Handle.checkMode("shmctl(IPC_SET)", h.key, mode);
        h.check("shmctl(IPC_SET)");
        int r = SysvShm.shmctlSet(h.id, uid, gid, mode);
        if (r < 0) {
            throw h.idError("shmctl(IPC_SET)", r, null);
        }
    }

    /**
     * Attaches read-write.
     *
     * @return the attached region
     */
    public MappedRegion attach() {
        return attach(false);
    }

    /**
     * Attaches read-only (SHM_RDONLY): a write through the region throws PermissionDeniedException.
     *
     * @return the read-only region
     */
    public MappedRegion attachReadOnly() {
        return attach(true);
    }

    private MappedRegion attach(boolean readOnly) {
        if (!readOnly && this.readOnly) {
            h.check("shmat");
            throw new dev.ipcj.PermissionDeniedException("shmat", h.name, 0,
                    "the segment was opened read-only: attach it with attachReadOnly()");
        }
        long size = size();
        if (size > Integer.MAX_VALUE) {
            throw new InvalidArgumentException("shmat", h.name, 0, "the segment has " + size
                    + " bytes; a MappedRegion holds at most " + Integer.MAX_VALUE);
        }
        long a = SysvShm.shmat(h.id, readOnly ? 1 : 0);
        if (a < 0 && a > -4096) {
            int r = (int) a;
            throw h.idError("shmat", r, r == -Errno.EACCES
                    ? "the segment's mode does not allow attaching it " + (readOnly ? "read-only" : "read-write")
                    : r == -Errno.EMFILE || r == -Errno.ENOMEM ? "too many attaches or no address space left"
                    : null);
        }
        try {
            return Regions.wrap("shm " + h.name, a, size, readOnly, null);
        } catch (RuntimeException e) {
            SysvShm.shmdt(a);
            throw e;
        }
    }

    /**
     * shmctl(IPC_RMID): removes the key now and the memory when the last process has
     * detached (see the class comment).
     */
    public void remove() {
        h.check("shmctl(IPC_RMID)");
        int r = SysvShm.shmctlRmid(h.id);
        if (r < 0) {
            throw h.idError("shmctl(IPC_RMID)", r, null);
        }
    }

    /**
     * Whether this handle is open: false after {@link #close()}.
     *
     * @return true until closed
     */
    public boolean isOpen() {
        return !h.isClosed();
    }

    /** Closes this handle: attached regions stay attached, the segment stays. Idempotent. */
    @Override
    public void close() {
        h.close();
    }

    @Override
    public String toString() {
        return "SysvSharedMemory[" + h.name + "]";
    }

}
