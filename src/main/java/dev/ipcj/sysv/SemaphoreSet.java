package dev.ipcj.sysv;

import dev.ipcj.InvalidArgumentException;
import dev.ipcj.IpcException;
import dev.ipcj.LimitExceededException;
import dev.ipcj.RemovedException;
import dev.ipcj.TimedOutException;
import dev.ipcj.internal.Allocate;
import dev.ipcj.internal.Check;
import dev.ipcj.internal.DirectBuffers;
import dev.ipcj.internal.Errno;
import dev.ipcj.internal.Timeouts;
import dev.ipcj.internal.Waiter;
import dev.ipcj.jni.SysvSem;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A System V semaphore set ({@code semget}): n counters (0..32767) operated on atomically,
 * several at a time, with {@link SemOps#UNDO} so that a process that dies holding a semaphore
 * gives it back.
 *
 * <h2>Create, then initialise: the race, solved</h2>
 * {@code semget(IPC_CREAT)} makes a set whose values are all 0; setting them is a second call.
 * A process that opens the set between the two would use it uninitialised, and one that
 * "initialises" it again would undo work already done. {@link #openOrCreate} goes as Stevens'
 * UNIX Network Programming describes, and recognises a set initialised by any program:
 * <ol>
 *   <li>{@code semget(IPC_CREAT | IPC_EXCL)}: exactly one process wins;</li>
 *   <li>the winner SETALLs the values, then performs one semop of two operations on semaphore
 *       0 that cancel out ({@code +1, -1}): the values are exact from the SETALL on, and the
 *       semop makes {@code sem_otime} non-zero, which SETALL alone does not;</li>
 *   <li>the others get EEXIST, open the set, and wait (polling, bounded by a timeout) until it
 *       shows that some program has initialised it: {@code sem_otime != 0} (a semop was done),
 *       or a semaphore's {@code sempid} (GETPID) is not 0 (a SETVAL, SETALL or semop was done on
 *       it: how programs that do not follow Stevens initialise), or a process waits on one.</li>
 * </ol>
 * {@link #create} initialises the same way. A set that shows none of these was never touched
 * since semget: its creator may still be about to initialise it, may have died first, or may use
 * the zero values as they are; ipcj cannot tell which, so after the timeout it throws
 * {@link TimedOutException} saying so, and removes nothing ({@link #open} takes such a set as it
 * is).
 *
 * <h2>Blocking</h2>
 * {@link #apply(int, int, int)} and {@link #apply(SemOps)} wait in the kernel and return with
 * InterruptedException on {@link Thread#interrupt()} without having applied anything (an
 * operation that completed at the same moment stays applied, with the interrupt status left
 * set); EINTR from other signals is retried; the timed forms use {@code semtimedop}. A call
 * blocked when the set is removed throws {@link RemovedException} ("removed while waiting").
 */
public final class SemaphoreSet implements AutoCloseable {
    /** Default permission bits: read and write (alter) for the owner only. */
    public static final int DEFAULT_MODE = 0600;
    /** How long {@link #openOrCreate(IpcKey, int[], int)} waits for another creator to initialise. */
    public static final Duration DEFAULT_INIT_TIMEOUT = Duration.ofSeconds(10);

    private static final String KIND = "semaphore set";

    private final Handle h;
    private final int size;
    private final boolean created;

    private SemaphoreSet(IpcKey key, int id, int size, boolean created) {
        this.h = new Handle(KIND, key, id);
        this.size = size;
        this.created = created;
    }

    /**
     * Creates a set of {@code nsems} semaphores, all 0, mode 0600; fails if the key exists.
     *
     * @param key   the set's key, or {@link IpcKey#PRIVATE}
     * @param nsems the number of semaphores
     * @return the open set
     */
    public static SemaphoreSet create(IpcKey key, int nsems) {
        Handle.checkKey("semget", key);
        return create(key, new int[checkCount(key, nsems)], DEFAULT_MODE);
    }

    /**
     * Creates a set with these initial values; fails if the key exists.
     *
     * @param key     the set's key, or {@link IpcKey#PRIVATE}
     * @param initial a value for each semaphore; its length is the set's size
     * @param mode    the permission bits, e.g. {@code 0600}
     * @return the open set
     */
    public static SemaphoreSet create(IpcKey key, int[] initial, int mode) {
        Handle.checkKey("semget", key);
        checkInitial(key, initial);
        Handle.checkMode("semget", key, mode);
        int id = SysvSem.semget(key.value(), initial.length, Handle.IPC_CREAT | Handle.IPC_EXCL | mode);
        if (id < 0) {
            throw Handle.getError("semget", KIND, key, id, limitDetail(id, initial.length));
        }
        initialise(key, id, initial);
        return new SemaphoreSet(key, id, initial.length, true);
    }

    /**
     * Opens the set with {@code key}: NotFoundException if none, PermissionDeniedException (here,
     * not at the first semop) if its mode does not let this user read and alter it. Does not wait
     * for its initialisation.
     *
     * @param key the set's key
     * @return the open set
     */
    public static SemaphoreSet open(IpcKey key) {
        Handle.checkKey("semget", key);
        if (key.isPrivate()) {
            throw new InvalidArgumentException("semget", "key " + key, 0,
                    "IPC_PRIVATE cannot be opened, only created: pass the id to ofId() instead");
        }
        // The permission bits of a get without IPC_CREAT are the access asked for: the kernel checks them.
        int id = SysvSem.semget(key.value(), 0, Handle.WANT_READ_WRITE);
        if (id < 0) {
            throw Handle.getError("semget", KIND, key, id, null);
        }
        SemaphoreSet s = new SemaphoreSet(key, id, 0, false);
        return new SemaphoreSet(key, id, s.stat().size(), false);
    }

    /**
     * A handle on the set with id {@code id} (as another process passed it).
     *
     * @param id the set's id
     * @return the set
     */
    public static SemaphoreSet ofId(int id) {
        SemaphoreSet s = new SemaphoreSet(IpcKey.PRIVATE, id, 0, false);
        long[] out = s.statFields();
        s.h.checkAccess("semget", out, Handle.WANT_READ_WRITE, "read and alter it");
        return new SemaphoreSet(IpcKey.PRIVATE, id, SemSetStat.from(out).size(), false);
    }

    /**
     * {@link #openOrCreate(IpcKey, int[], int, Duration)} with a 10 s timeout.
     *
     * @param key     the set's key
     * @param initial a value for each semaphore, if it is created
     * @param mode    the permission bits, if it is created
     * @return the open set
     * @throws InterruptedException if the thread is interrupted while waiting for the initialisation
     */
    public static SemaphoreSet openOrCreate(IpcKey key, int[] initial, int mode) throws InterruptedException {
        return openOrCreate(key, initial, mode, DEFAULT_INIT_TIMEOUT);
    }

    /**
     * Creates the set with {@code initial} values, or opens it and waits until its creator has
     * initialised it; safe when any number of processes race (see the class comment).
     * {@link #created()} says which happened.
     *
     * @param key     the set's key
     * @param initial a value for each semaphore, if it is created
     * @param mode    the permission bits, if it is created
     * @param initTimeout how long to wait for another process's initialisation
     * @return the open set
     * @throws TimedOutException the set stayed uninitialised for {@code initTimeout}
     * @throws InterruptedException if the thread is interrupted while waiting for the initialisation
     */
    public static SemaphoreSet openOrCreate(IpcKey key, int[] initial, int mode, Duration initTimeout)
            throws InterruptedException {
        return openOrCreate(key, initial, mode, initTimeout, null);
    }

    /** afterCreate: a test hook run between semget and the initialisation, to widen the race window. */
    static SemaphoreSet openOrCreate(IpcKey key, int[] initial, int mode, Duration initTimeout, Runnable afterCreate)
            throws InterruptedException {
        Handle.checkKey("semget", key);
        checkInitial(key, initial);
        Handle.checkMode("semget", key, mode);
        long timeoutNanos = Timeouts.nanos("semget", "key " + key, initTimeout);
        if (key.isPrivate()) {
            return create(key, initial, mode);
        }
        long deadline = Timeouts.deadline(timeoutNanos);
        for (;;) {
            int id = SysvSem.semget(key.value(), initial.length, Handle.IPC_CREAT | Handle.IPC_EXCL | mode);
            if (id >= 0) {
                if (afterCreate != null) {
                    afterCreate.run();
                }
                initialise(key, id, initial);
                return new SemaphoreSet(key, id, initial.length, true);
            }
            if (id != -Errno.EEXIST) {
                throw Handle.getError("semget", KIND, key, id, limitDetail(id, initial.length));
            }
            id = SysvSem.semget(key.value(), 0, Handle.WANT_READ_WRITE);
            if (id == -Errno.ENOENT) {
                continue; // removed between our two semgets: race for creation again
            }
            if (id < 0) {
                throw Handle.getError("semget", KIND, key, id, null);
            }
            SemaphoreSet s = new SemaphoreSet(key, id, 0, false);
            SemSetStat st = s.awaitInitialised(deadline, initTimeout);
            if (st == null) {
                continue; // removed while we waited
            }
            if (st.size() < initial.length) {
                throw new InvalidArgumentException("semget", s.h.name, 0, "the existing set has " + st.size()
                        + " semaphores, fewer than the " + initial.length + " asked for");
            }
            return new SemaphoreSet(key, id, st.size(), false);
        }
    }

    /**
     * Polls until some program has initialised the set (see the class comment): the stat, or null
     * if the set went away meanwhile.
     */
    private SemSetStat awaitInitialised(long deadline, Duration timeout) throws InterruptedException {
        long sleepMicros = 200;
        for (;;) {
            long[] out = new long[SysvSem.STAT_FIELDS];
            int r = SysvSem.semctlStat(h.id, out);
            if (r == -Errno.EINVAL || r == -Errno.EIDRM) {
                return null;
            }
            if (r < 0) {
                throw h.idError("semctl(IPC_STAT)", r, null);
            }
            int touched = out[6] != 0 ? 0 : touched((int) out[8]);
            if (touched == -2) {
                return null;
            }
            if (out[6] != 0 || touched >= 0) {
                return SemSetStat.from(out);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimedOutException("semget", h.name, 0, "the set has not been initialised within " + timeout
                        + ": no semop was done on it (sem_otime 0) and no semaphore of its " + out[8] + " was ever set"
                        + " (GETPID 0 for all) since it was made at " + java.time.Instant.ofEpochSecond(out[7])
                        + " by uid " + out[3] + "; its creator may still be about to initialise it, may have died"
                        + " first, or may use the zero values as they are: ipcj cannot tell which and removed"
                        + " nothing (open() takes the set as it is; wait longer with openOrCreate's initTimeout)");
            }
            long sleep = Math.min(sleepMicros * 1000, left);
            Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
            sleepMicros = Math.min(sleepMicros * 2, 10_000);
        }
    }

    /**
     * The first semaphore some process has set or operated on (GETPID != 0) or waits on
     * (GETNCNT, GETZCNT): its index; -1 if none; -2 if the set went away.
     */
    private int touched(int nsems) {
        for (int i = 0; i < nsems; i++) {
            int pid = SysvSem.getpid(h.id, i);
            if (pid == -Errno.EINVAL || pid == -Errno.EIDRM) {
                return -2;
            }
            if (pid > 0 || SysvSem.getncnt(h.id, i) > 0 || SysvSem.getzcnt(h.id, i) > 0) {
                return i;
            }
        }
        return -1;
    }

    /**
     * SETALL the exact values, then one semop of two operations on semaphore 0 that cancel out:
     * afterwards sem_otime != 0, the mark Stevens' openers wait for, and no process ever sees a
     * value other than the initial one. On failure the new set is removed again (it is this
     * call's own), so no half-made set stays behind.
     */
    private static void initialise(IpcKey key, int id, int[] initial) {
        ByteBuffer b = shorts(initial);
        int r = SysvSem.setall(id, DirectBuffers.address(b));
        String call = "semctl(SETALL)";
        if (r == 0) {
            call = "semop";
            SemOps zero = SemOps.allocate(2);
            int first = initial[0] < SysvLimits.SEMVMX ? 1 : -1;
            zero.add(0, first, SemOps.NO_WAIT).add(0, -first, SemOps.NO_WAIT);
            r = SysvSem.semop(id, zero.address(), 2);
        }
        if (r < 0) {
            SysvSem.semctlRmid(id);
            throw IpcException.of(call, "key " + key + " id " + id, r, "initialising the new set failed");
        }
    }

    private static ByteBuffer shorts(int[] v) {
        ByteBuffer b = Allocate.direct("semctl", null, 2 * v.length);
        for (int i = 0; i < v.length; i++) {
            b.putShort(2 * i, (short) v[i]);
        }
        return b;
    }

    /** 1..SEMMSL (the live limit, read before anything is allocated). */
    private static int checkCount(IpcKey key, int nsems) {
        if (nsems < 1) {
            throw new InvalidArgumentException("semget", "key " + key, 0, "nsems " + nsems + " must be >= 1");
        }
        long msl = SysvLimits.semmsl();
        if (msl >= 0 && nsems > msl) {
            throw new LimitExceededException("semget", "key " + key, 0, "nsems " + nsems + " > "
                    + SysvLimits.namedSem("SEMMSL", msl));
        }
        return nsems;
    }

    private static void checkInitial(IpcKey key, int[] initial) {
        Check.notNull("semget", "key " + key, initial, "initial");
        checkCount(key, initial.length);
        for (int i = 0; i < initial.length; i++) {
            if (initial[i] < 0 || initial[i] > SysvLimits.SEMVMX) {
                throw new InvalidArgumentException("semget", "key " + key, 0, "initial value " + initial[i]
                        + " of semaphore " + i + " is outside 0.." + SysvLimits.SEMVMX + " (SEMVMX)");
            }
        }
    }

    private static String limitDetail(int r, int nsems) {
        if (r == -Errno.EINVAL) {
            long msl = SysvLimits.semmsl();
            if (nsems > msl) {
                return "nsems " + nsems + " > " + SysvLimits.namedSem("SEMMSL", msl);
            }
            return "the existing set with this key has fewer than " + nsems + " semaphores";
        }
        if (r == -Errno.ENOSPC) {
            return "a new set of " + nsems + " would exceed " + SysvLimits.namedSem("SEMMNI", SysvLimits.semmni())
                    + " sets or SEMMNS " + SysvLimits.semmns() + " semaphores system-wide";
        }
        return null;
    }

    private long nanos(String call, Duration d) {
        return Timeouts.nanos(call, h.name, d);
    }

    /**
     * The set's id ({@code semid}), which other processes can open with {@link #ofId}.
     *
     * @return the id
     */
    public int id() {
        return h.id;
    }

    /**
     * The key the set was created or opened with ({@link IpcKey#PRIVATE} for {@link #ofId}).
     *
     * @return the key
     */
    public IpcKey key() {
        return h.key;
    }

    /**
     * Number of semaphores in the set.
     *
     * @return the number of semaphores
     */
    public int size() {
        return size;
    }

    /**
     * Whether this handle's open call created (and initialised) the set.
     *
     * @return true if this handle created the set
     */
    public boolean created() {
        return created;
    }

    // ---- semop ---------------------------------------------------------------------------

    /**
     * One operation on semaphore {@code num}, waiting as long as it takes.
     *
     * @param num the semaphore's index
     * @param delta &gt;0 adds; &lt;0 waits until the value is at least -delta and subtracts; 0 waits for zero
     * @param flags 0 or {@link SemOps#UNDO}
     * @throws InterruptedException if the thread is interrupted while waiting; nothing was done
     */
    public void apply(int num, int delta, int flags) throws InterruptedException {
        op1(num, delta, flags, -1);
    }

    /**
     * One operation if it can be done now: false if it would wait.
     *
     * @param num   the semaphore's index
     * @param delta as for {@link #apply(int, int, int)}
     * @param flags 0 or {@link SemOps#UNDO}
     * @return true if done, false if it would wait
     */
    public boolean tryApply(int num, int delta, int flags) {
        try {
            return op1(num, delta, flags | SemOps.NO_WAIT, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // IPC_NOWAIT never blocks; cannot happen
            return false;
        }
    }

    /**
     * One operation, waiting at most {@code timeout} (semtimedop): false if the time ran out.
     *
     * @param num     the semaphore's index
     * @param delta   as for {@link #apply(int, int, int)}
     * @param flags   0 or {@link SemOps#UNDO}
     * @param timeout the longest wait
     * @return true if done, false if the time ran out
     * @throws InterruptedException if the thread is interrupted while waiting; nothing was done
     */
    public boolean apply(int num, int delta, int flags, Duration timeout) throws InterruptedException {
        return op1(num, delta, flags, nanos("semtimedop", timeout));
    }

    /**
     * All of {@code ops} atomically, waiting as long as it takes.
     *
     * @param ops the operations
     * @throws InterruptedException if the thread is interrupted while waiting; nothing was done
     */
    public void apply(SemOps ops) throws InterruptedException {
        Check.notNull("semop", h.name, ops, "ops");
        opN(ops, false, -1);
    }

    /**
     * All of {@code ops} atomically if possible now: false if any would wait.
     *
     * @param ops the operations
     * @return true if all were done, false if any would wait
     */
    public boolean tryApply(SemOps ops) {
        Check.notNull("semop", h.name, ops, "ops");
        try {
            return opN(ops, true, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // IPC_NOWAIT never blocks; cannot happen
            return false;
        }
    }

    /**
     * All of {@code ops} atomically, waiting at most {@code timeout}: false if the time ran out.
     *
     * @param ops     the operations
     * @param timeout the longest wait
     * @return true if all were done, false if the time ran out
     * @throws InterruptedException if the thread is interrupted while waiting; nothing was done
     */
    public boolean apply(SemOps ops, Duration timeout) throws InterruptedException {
        Check.notNull("semtimedop", h.name, ops, "ops");
        return opN(ops, false, nanos("semtimedop", timeout));
    }

    /**
     * Takes one from semaphore {@code num} (waits while it is 0), with SEM_UNDO.
     *
     * @param num the semaphore's index
     * @throws InterruptedException if the thread is interrupted while waiting; nothing was taken
     */
    public void acquire(int num) throws InterruptedException {
        op1(num, -1, SemOps.UNDO, -1);
    }

    /**
     * Gives one back to semaphore {@code num}, with SEM_UNDO (cancelling an acquire's undo).
     *
     * @param num the semaphore's index
     */
    public void release(int num) {
        tryApply(num, 1, SemOps.UNDO);
    }

    private boolean op1(int num, int delta, int flags, long timeoutNanos) throws InterruptedException {
        SemOps.check(num, delta, flags);
        checkIndex(num);
        h.check("semop");
        boolean noWait = (flags & SemOps.NO_WAIT) != 0;
        long deadline = timeoutNanos >= 0 ? System.nanoTime() + timeoutNanos : 0;
        Waiter w = noWait ? null : Waiter.current();
        for (;;) {
            int r;
            boolean interrupted = false;
            long left = 0;
            if (timeoutNanos >= 0) {
                left = Math.max(0, deadline - System.nanoTime());
            }
            if (w != null) {
                w.enter();
            }
            try {
                r = timeoutNanos >= 0 ? SysvSem.semtimedop1(h.id, num, delta, flags, left)
                        : SysvSem.semop1(h.id, num, delta, flags);
            } finally {
                if (w != null) {
                    interrupted = w.exit();
                }
            }
            if (r == 0) {
                return true;
            }
            if (Waiter.retry(r, interrupted)) {
                continue; // EINTR from a stray signal
            }
            if (r == -Errno.EAGAIN) {
                return false;
            }
            throw semopError(timeoutNanos >= 0 ? "semtimedop" : "semop", r, 1);
        }
    }

    private boolean opN(SemOps ops, boolean noWait, long timeoutNanos) throws InterruptedException {
        int n = ops.count();
        if (n == 0) {
            throw new InvalidArgumentException("semop", h.name, 0, "no operations to apply");
        }
        for (int i = 0; i < n; i++) {
            checkIndex(ops.num(i));
        }
        h.check("semop");
        if (noWait) {
            // IPC_NOWAIT on every operation makes the whole call fail instead of waiting.
            ops.noWait(true);
            try {
                return opN(ops, n, true, -1);
            } finally {
                ops.noWait(false);
            }
        }
        return opN(ops, n, false, timeoutNanos);
    }

    private boolean opN(SemOps ops, int n, boolean noWait, long timeoutNanos) throws InterruptedException {
        long deadline = timeoutNanos >= 0 ? System.nanoTime() + timeoutNanos : 0;
        Waiter w = noWait ? null : Waiter.current();
        for (;;) {
            int r;
            boolean interrupted = false;
            long left = 0;
            if (timeoutNanos >= 0) {
                left = Math.max(0, deadline - System.nanoTime());
            }
            if (w != null) {
                w.enter();
            }
            try {
                r = timeoutNanos >= 0 ? SysvSem.semtimedop(h.id, ops.address(), n, left)
                        : SysvSem.semop(h.id, ops.address(), n);
            } finally {
                if (w != null) {
                    interrupted = w.exit();
                }
            }
            if (r == 0) {
                return true;
            }
            if (Waiter.retry(r, interrupted)) {
                continue; // EINTR from a stray signal
            }
            if (r == -Errno.EAGAIN) {
                return false;
            }
            throw semopError(timeoutNanos >= 0 ? "semtimedop" : "semop", r, n);
        }
    }

    private IpcException semopError(String call, int r, int nsops) {
        int e = -r;
        if (e == Errno.EIDRM) {
            return h.removedWhileWaiting(call);
        }
        if (e == Errno.E2BIG) {
            return new LimitExceededException(call, h.name, e,
                    nsops + " operations > " + SysvLimits.namedSem("SEMOPM", SysvLimits.semopm()));
        }
        if (e == Errno.ERANGE) {
            return new LimitExceededException(call, h.name, e,
                    "the operation would take a value above SEMVMX " + SysvLimits.SEMVMX);
        }
        if (e == Errno.ENOMEM) {
            return new LimitExceededException(call, h.name, e, "no memory for the SEM_UNDO record");
        }
        if (e == Errno.EFBIG) {
            return new InvalidArgumentException(call, h.name, e, "a semaphore index is >= the set's size " + size);
        }
        return h.idError(call, r, e == Errno.EACCES ? "the set's mode does not allow altering it" : null);
    }

    /** @throws IndexOutOfBoundsException if {@code num} is not a semaphore of this set (the caller's index) */
    private void checkIndex(int num) {
        if (num < 0 || num >= size) {
            throw new IndexOutOfBoundsException("semaphore " + num + " is outside the set's 0.." + (size - 1)
                    + " (" + h.name + ")");
        }
    }

    // ---- semctl --------------------------------------------------------------------------

    /**
     * GETVAL.
     *
     * @param num the semaphore's index
     * @return its value
     */
    public int get(int num) {
        checkIndex(num);
        return ctl("semctl(GETVAL)", SysvSem.getval(h.check0("semctl(GETVAL)"), num));
    }

    /**
     * SETVAL: sets the value; wakes waiters it satisfies; clears every process's SEM_UNDO record for it.
     *
     * @param num   the semaphore's index
     * @param value the new value, 0 to {@link SysvLimits#SEMVMX}
     */
    public void set(int num, int value) {
        checkIndex(num);
        checkValue(value);
        ctl("semctl(SETVAL)", SysvSem.setval(h.check0("semctl(SETVAL)"), num, value));
    }

    /**
     * GETALL.
     *
     * @return every semaphore's value, in index order
     */
    public int[] getAll() {
        ByteBuffer b = Allocate.direct("semctl(GETALL)", h.name, 2 * size);
        ctl("semctl(GETALL)", SysvSem.getall(h.check0("semctl(GETALL)"), DirectBuffers.address(b)));
        int[] v = new int[size];
        for (int i = 0; i < size; i++) {
            v[i] = b.getShort(2 * i) & 0xffff;
        }
        return v;
    }

    /**
     * SETALL: exactly {@link #size()} values.
     *
     * @param values the new values, in index order
     */
    public void setAll(int... values) {
        Check.notNull("semctl(SETALL)", h.name, values, "values");
        if (values.length != size) {
            throw new InvalidArgumentException("semctl(SETALL)", h.name, 0,
                    values.length + " values given; the set has " + size + " semaphores");
        }
        for (int v : values) {
            checkValue(v);
        }
        ByteBuffer b = shorts(values);
        ctl("semctl(SETALL)", SysvSem.setall(h.check0("semctl(SETALL)"), DirectBuffers.address(b)));
    }

    /**
     * GETPID: the pid of the last process that operated on semaphore {@code num} (0: none yet).
     *
     * @param num the semaphore's index
     * @return the pid, or 0
     */
    public int lastPid(int num) {
        checkIndex(num);
        return ctl("semctl(GETPID)", SysvSem.getpid(h.check0("semctl(GETPID)"), num));
    }

    /**
     * GETNCNT: how many wait for semaphore {@code num} to increase.
     *
     * @param num the semaphore's index
     * @return the number of waiting processes
     */
    public int waitingForIncrease(int num) {
        checkIndex(num);
        return ctl("semctl(GETNCNT)", SysvSem.getncnt(h.check0("semctl(GETNCNT)"), num));
    }

    /**
     * GETZCNT: how many wait for semaphore {@code num} to become zero.
     *
     * @param num the semaphore's index
     * @return the number of waiting processes
     */
    public int waitingForZero(int num) {
        checkIndex(num);
        return ctl("semctl(GETZCNT)", SysvSem.getzcnt(h.check0("semctl(GETZCNT)"), num));
    }

    /**
     * IPC_STAT.
     *
     * @return the set's state
     */
    public SemSetStat stat() {
        return SemSetStat.from(statFields());
    }

    private long[] statFields() {
        long[] out = new long[SysvSem.STAT_FIELDS];
        ctl("semctl(IPC_STAT)", SysvSem.semctlStat(h.check0("semctl(IPC_STAT)"), out));
        return out;
    }

    /**
     * IPC_SET: owner uid and gid, permission bits.
     *
     * @param uid  the new owner's user id
     * @param gid  the new owner's group id
     * @param mode the permission bits
     */
    public void setPermissions(int uid, int gid, int mode) {
        Handle.checkMode("semctl(IPC_SET)", h.key, mode);
        ctl("semctl(IPC_SET)", SysvSem.semctlSet(h.check0("semctl(IPC_SET)"), uid, gid, mode));
    }

    /** IPC_RMID: removes the set now; blocked semop calls throw RemovedException. */
    public void remove() {
        ctl("semctl(IPC_RMID)", SysvSem.semctlRmid(h.check0("semctl(IPC_RMID)")));
    }

    private int ctl(String call, int r) {
        if (r < 0) {
            throw h.idError(call, r, r == -Errno.ERANGE ? "value above SEMVMX " + SysvLimits.SEMVMX : null);
        }
        return r;
    }

    private void checkValue(int value) {
        if (value < 0 || value > SysvLimits.SEMVMX) {
            throw new InvalidArgumentException("semctl", h.name, 0,
                    "value " + value + " is outside 0.." + SysvLimits.SEMVMX + " (SEMVMX)");
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

    /**
     * Semaphore {@code num} of this set as a member of a {@link dev.ipcj.WaitSet}: READABLE while
     * its value is above 0. The kernel gives no descriptor and no hook, so the set polls it: one
     * semctl(GETVAL) per slice (see WaitSet, "Polled members").
     *
     * @param num the semaphore's index
     * @return a Waitable for that semaphore, open as long as this handle is
     * @throws IndexOutOfBoundsException if {@code num} is outside the set
     */
    public dev.ipcj.Waitable waitable(int num) {
        checkIndex(num);
        String n = h.name + " semaphore " + num;
        SemaphoreSet set = this;
        dev.ipcj.WaitHook hook = (dev.ipcj.WaitHook.Polled) interest -> {
            if (interest != dev.ipcj.WaitSet.READABLE) {
                throw new InvalidArgumentException("WaitSet.add", n, 0,
                        "a semaphore can be waited on for READABLE (value above 0) only");
            }
            return set.get(num) > 0 ? dev.ipcj.WaitSet.READABLE : 0;
        };
        return new dev.ipcj.Waitable() {
            @Override
            public String name() {
                return n;
            }

            @Override
            public boolean isOpen() {
                return set.isOpen();
            }

            @Override
            public dev.ipcj.WaitHook waitHook() {
                return hook;
            }
        };
    }

    /** Closes this handle (the set stays; SEM_UNDO records stay until the process exits). Idempotent. */
    @Override
    public void close() {
        h.close();
    }

    @Override
    public String toString() {
        return "SemaphoreSet[" + h.name + ", " + size + " semaphores]";
    }
}
