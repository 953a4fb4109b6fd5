package dev.ipcj.sysv;

import dev.ipcj.InvalidArgumentException;
import dev.ipcj.IpcException;
import dev.ipcj.LimitExceededException;
import dev.ipcj.RemovedException;
import dev.ipcj.TimedOutException;
import dev.ipcj.internal.Errno;
import dev.ipcj.internal.Waiter;
import dev.ipcj.jni.SysvSem;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import org.bytedeco.javacpp.Pointer;

/**
 * A System V semaphore set ({@code semget}): n counters (0..32767) operated on atomically,
 * several at a time, with {@link SemOps#UNDO} so that a process that dies holding a semaphore
 * gives it back.
 *
 * <h2>Create, then initialise: the race, solved</h2>
 * {@code semget(IPC_CREAT)} makes a set whose values are all 0; setting them is a second call.
 * A process that opens the set between the two would use it uninitialised, and one that
 * "initialises" it again would undo work already done. {@link #openOrCreate} does what
 * Stevens' UNIX Network Programming describes:
 * <ol>
 *   <li>{@code semget(IPC_CREAT | IPC_EXCL)}: exactly one process wins;</li>
 *   <li>the winner SETALLs the values, with semaphore 0 one off, and then performs one semop
 *       that brings it to its initial value: that makes {@code sem_otime} non-zero, which
 *       SETALL alone does not;</li>
 *   <li>the others get EEXIST, open the set, and wait (polling IPC_STAT, bounded by a
 *       timeout) until {@code sem_otime != 0}.</li>
 * </ol>
 * {@link #create} initialises the same way, so sets it makes are seen as initialised too.
 * A creator that dies between steps 1 and 2 leaves a set nobody will initialise: the others
 * then throw {@link TimedOutException} naming the set, to be removed by hand ({@code ipcrm -s}).
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

    /** Creates a set of {@code nsems} semaphores, all 0, mode 0600; fails if the key exists. */
    public static SemaphoreSet create(IpcKey key, int nsems) {
        return create(key, new int[checkCount(key, nsems)], DEFAULT_MODE);
    }

    /** Creates a set with these initial values; fails if the key exists. */
    public static SemaphoreSet create(IpcKey key, int[] initial, int mode) {
        checkInitial(key, initial);
        Handle.checkMode("semget", key, mode);
        int id = SysvSem.semget(key.value(), initial.length, Handle.IPC_CREAT | Handle.IPC_EXCL | mode);
        if (id < 0) {
            throw Handle.getError("semget", KIND, key, id, limitDetail(id, initial.length));
        }
        initialise(key, id, initial);
        return new SemaphoreSet(key, id, initial.length, true);
    }

    /** Opens the set with {@code key} (NotFoundException if none). Does not wait for its initialisation. */
    public static SemaphoreSet open(IpcKey key) {
        if (key.isPrivate()) {
            throw new InvalidArgumentException("semget", "key " + key, 0,
                    "IPC_PRIVATE cannot be opened, only created: pass the id to ofId() instead");
        }
        int id = SysvSem.semget(key.value(), 0, 0);
        if (id < 0) {
            throw Handle.getError("semget", KIND, key, id, null);
        }
        SemaphoreSet s = new SemaphoreSet(key, id, 0, false);
        return new SemaphoreSet(key, id, s.stat().size(), false);
    }

    /** A handle on the set with id {@code id} (as another process passed it). */
    public static SemaphoreSet ofId(int id) {
        SemaphoreSet s = new SemaphoreSet(IpcKey.PRIVATE, id, 0, false);
        return new SemaphoreSet(IpcKey.PRIVATE, id, s.stat().size(), false);
    }

    /** {@link #openOrCreate(IpcKey, int[], int, Duration)} with a 10 s timeout. */
    public static SemaphoreSet openOrCreate(IpcKey key, int[] initial, int mode) throws InterruptedException {
        return openOrCreate(key, initial, mode, DEFAULT_INIT_TIMEOUT);
    }

    /**
     * Creates the set with {@code initial} values, or opens it and waits until its creator has
     * initialised it; safe when any number of processes race (see the class comment).
     * {@link #created()} says which happened.
     *
     * @param initTimeout how long to wait for another process's initialisation
     * @throws TimedOutException the set stayed uninitialised for {@code initTimeout}
     */
    public static SemaphoreSet openOrCreate(IpcKey key, int[] initial, int mode, Duration initTimeout)
            throws InterruptedException {
        return openOrCreate(key, initial, mode, initTimeout, null);
    }

    /** afterCreate: a test hook run between semget and the initialisation, to widen the race window. */
    static SemaphoreSet openOrCreate(IpcKey key, int[] initial, int mode, Duration initTimeout, Runnable afterCreate)
            throws InterruptedException {
        checkInitial(key, initial);
        Handle.checkMode("semget", key, mode);
        if (key.isPrivate()) {
            return create(key, initial, mode);
        }
        long deadline = System.nanoTime() + nanos(initTimeout);
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
            id = SysvSem.semget(key.value(), 0, 0);
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

    /** Polls IPC_STAT until sem_otime != 0: the stat, or null if the set went away meanwhile. */
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
            if (out[6] != 0) {
                return SemSetStat.from(out);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimedOutException("semget", h.name, 0, "the set's creator has not initialised it within "
                        + timeout + " (sem_otime is still 0: it may have died between semget and its first semop;"
                        + " remove the set with: ipcrm -s " + h.id + ")");
            }
            long sleep = Math.min(sleepMicros * 1000, left);
            Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
            sleepMicros = Math.min(sleepMicros * 2, 10_000);
        }
    }

    /**
     * SETALL the values, semaphore 0 one off, then one semop that corrects it: afterwards
     * sem_otime != 0, the mark that openOrCreate's losers wait for. On failure the new set is
     * removed again, so no half-made set stays behind.
     */
    private static void initialise(IpcKey key, int id, int[] initial) {
        int[] v = initial.clone();
        int correction = v[0] < SysvLimits.SEMVMX ? -1 : 1;
        v[0] -= correction;
        ByteBuffer b = shorts(v);
        int r = SysvSem.setall(id, new Pointer(b).address());
        if (r == 0) {
            r = SysvSem.semop1(id, 0, correction, Handle.IPC_NOWAIT);
        }
        if (r < 0) {
            SysvSem.semctlRmid(id);
            throw IpcException.of("semctl(SETALL)", "key " + key + " id " + id, r, "initialising the new set failed");
        }
    }

    private static ByteBuffer shorts(int[] v) {
        ByteBuffer b = ByteBuffer.allocateDirect(2 * v.length).order(ByteOrder.nativeOrder());
        for (int i = 0; i < v.length; i++) {
            b.putShort(2 * i, (short) v[i]);
        }
        return b;
    }

    private static int checkCount(IpcKey key, int nsems) {
        if (nsems < 1) {
            throw new InvalidArgumentException("semget", "key " + key, 0, "nsems " + nsems + " must be >= 1");
        }
        return nsems;
    }

    private static void checkInitial(IpcKey key, int[] initial) {
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

    private static long nanos(Duration d) {
        if (d.isNegative()) {
            return 0;
        }
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }

    public int id() {
        return h.id;
    }

    public IpcKey key() {
        return h.key;
    }

    /** Number of semaphores in the set. */
    public int size() {
        return size;
    }

    /** Whether this handle's open call created (and initialised) the set. */
    public boolean created() {
        return created;
    }

    // ---- semop ---------------------------------------------------------------------------

    /**
     * One operation on semaphore {@code num}, waiting as long as it takes.
     *
     * @param delta &gt;0 adds; &lt;0 waits until the value is at least -delta and subtracts; 0 waits for zero
     * @param flags 0 or {@link SemOps#UNDO}
     */
    public void apply(int num, int delta, int flags) throws InterruptedException {
        op1(num, delta, flags, -1);
    }

    /** One operation if it can be done now: false if it would wait. */
    public boolean tryApply(int num, int delta, int flags) {
        try {
            return op1(num, delta, flags | SemOps.NO_WAIT, -1);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** One operation, waiting at most {@code timeout} (semtimedop): false if the time ran out. */
    public boolean apply(int num, int delta, int flags, Duration timeout) throws InterruptedException {
        return op1(num, delta, flags, nanos(timeout));
    }

    /** All of {@code ops} atomically, waiting as long as it takes. */
    public void apply(SemOps ops) throws InterruptedException {
        opN(ops, false, -1);
    }

    /** All of {@code ops} atomically if possible now: false if any would wait. */
    public boolean tryApply(SemOps ops) {
        try {
            return opN(ops, true, -1);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** All of {@code ops} atomically, waiting at most {@code timeout}: false if the time ran out. */
    public boolean apply(SemOps ops, Duration timeout) throws InterruptedException {
        return opN(ops, false, nanos(timeout));
    }

    /** Takes one from semaphore {@code num} (waits while it is 0), with SEM_UNDO. */
    public void acquire(int num) throws InterruptedException {
        op1(num, -1, SemOps.UNDO, -1);
    }

    /** Gives one back to semaphore {@code num}, with SEM_UNDO (cancelling an acquire's undo). */
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

    private void checkIndex(int num) {
        if (num < 0 || num >= size) {
            throw new IndexOutOfBoundsException("semaphore " + num + " is outside the set's 0.." + (size - 1)
                    + " (" + h.name + ")");
        }
    }

    // ---- semctl --------------------------------------------------------------------------

    /** GETVAL. */
    public int get(int num) {
        checkIndex(num);
        return ctl("semctl(GETVAL)", SysvSem.getval(h.check0("semctl(GETVAL)"), num));
    }

    /** SETVAL: sets the value; wakes waiters it satisfies; clears every process's SEM_UNDO record for it. */
    public void set(int num, int value) {
        checkIndex(num);
        checkValue(value);
        ctl("semctl(SETVAL)", SysvSem.setval(h.check0("semctl(SETVAL)"), num, value));
    }

    /** GETALL. */
    public int[] getAll() {
        ByteBuffer b = ByteBuffer.allocateDirect(2 * size).order(ByteOrder.nativeOrder());
        ctl("semctl(GETALL)", SysvSem.getall(h.check0("semctl(GETALL)"), new Pointer(b).address()));
        int[] v = new int[size];
        for (int i = 0; i < size; i++) {
            v[i] = b.getShort(2 * i) & 0xffff;
        }
        return v;
    }

    /** SETALL: exactly {@link #size()} values. */
    public void setAll(int... values) {
        if (values.length != size) {
            throw new InvalidArgumentException("semctl(SETALL)", h.name, 0,
                    values.length + " values given; the set has " + size + " semaphores");
        }
        for (int v : values) {
            checkValue(v);
        }
        ByteBuffer b = shorts(values);
        ctl("semctl(SETALL)", SysvSem.setall(h.check0("semctl(SETALL)"), new Pointer(b).address()));
    }

    /** GETPID: the pid of the last process that operated on semaphore {@code num} (0: none yet). */
    public int lastPid(int num) {
        checkIndex(num);
        return ctl("semctl(GETPID)", SysvSem.getpid(h.check0("semctl(GETPID)"), num));
    }

    /** GETNCNT: how many wait for semaphore {@code num} to increase. */
    public int waitingForIncrease(int num) {
        checkIndex(num);
        return ctl("semctl(GETNCNT)", SysvSem.getncnt(h.check0("semctl(GETNCNT)"), num));
    }

    /** GETZCNT: how many wait for semaphore {@code num} to become zero. */
    public int waitingForZero(int num) {
        checkIndex(num);
        return ctl("semctl(GETZCNT)", SysvSem.getzcnt(h.check0("semctl(GETZCNT)"), num));
    }

    /** IPC_STAT. */
    public SemSetStat stat() {
        long[] out = new long[SysvSem.STAT_FIELDS];
        ctl("semctl(IPC_STAT)", SysvSem.semctlStat(h.check0("semctl(IPC_STAT)"), out));
        return SemSetStat.from(out);
    }

    /** IPC_SET: owner uid and gid, permission bits. */
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

    public boolean isOpen() {
        return !h.isClosed();
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
