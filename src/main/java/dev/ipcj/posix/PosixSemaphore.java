package dev.ipcj.posix;

import dev.ipcj.ClosedException;
import dev.ipcj.CorruptedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.IpcException;
import dev.ipcj.LimitExceededException;
import dev.ipcj.MappedRegion;
import dev.ipcj.internal.Errno;
import dev.ipcj.internal.Faults;
import dev.ipcj.internal.SharedAtomics;
import dev.ipcj.internal.Timeouts;
import dev.ipcj.internal.UseCount;
import dev.ipcj.internal.Waiter;
import dev.ipcj.jni.Futex;
import java.lang.ref.Reference;
import java.time.Duration;

/**
 * A POSIX counting semaphore shared between processes: {@link NamedSemaphore} (sem_open) or
 * {@link UnnamedSemaphore} (sem_init inside a shared mapping). The vocabulary is that of
 * {@link java.util.concurrent.Semaphore}, one permit at a time.
 *
 * <h2>glibc's sem_t, operated on in Java</h2>
 * The semaphore is glibc's {@code sem_t} (glibc 2.21 and later on 64-bit Linux), so C programs
 * using {@code sem_post}/{@code sem_wait} on the same memory interoperate; but ipcj does not
 * call glibc on it. glibc trusts the bytes: a truncated file makes {@code sem_post} die of
 * SIGBUS, garbage makes it abort the process. ipcj performs glibc's protocol in Java, with
 * accesses the JVM guards, and checks every field it reads:
 * <pre>
 *   offset  size  field     (glibc's struct new_sem)
 *   0       8     data      bits 0..31: the value (0..SEM_VALUE_MAX); bits 32..63: nwaiters,
 *                           the threads that may sleep in FUTEX_WAIT on the value's 32-bit word
 *   8       4     private   128 (FUTEX_SHARED) for a process-shared semaphore; 0 is process-private
 *   12      4     pad       0
 *   16      16    (unused)
 * </pre>
 * <ul>
 *   <li>post: CAS {@code data + 1} (EOVERFLOW at SEM_VALUE_MAX); when nwaiters &gt; 0, FUTEX_WAKE
 *       one sleeper on the value word;</li>
 *   <li>wait: CAS {@code data - 1} while the value is positive (the uncontended path: no JNI
 *       call); otherwise register as a waiter (nwaiters + 1), FUTEX_WAIT on the value word while
 *       it is 0, take a permit and unregister in one CAS ({@code data - 1 - (1 << 32)}), and
 *       unregister on timeout or interrupt.</li>
 * </ul>
 * A value above SEM_VALUE_MAX, or a {@code private} other than 128, is no process-shared glibc
 * semaphore: {@link CorruptedException} naming the field and its value. A truncated object is a
 * CorruptedException too, at the access that finds the page gone or where a wait returns.
 *
 * <p>Blocking: {@link #acquire()} sleeps in the kernel (a futex) and returns with
 * {@link InterruptedException} when the thread is interrupted, without taking a permit; a
 * permit taken at the same moment as the interrupt is kept and the interrupt status stays set
 * (see {@code dev.ipcj.internal.Waiter}). EINTR from other signals is retried. Timeouts saturate:
 * {@code Duration.ofSeconds(Long.MAX_VALUE)} waits as long as {@link #acquire()}.
 *
 * <p>{@link #close()} from one thread while another is blocked on the semaphore is safe: the
 * handle refuses new calls at once, and the semaphore is released when the blocked call returns.
 */
public abstract sealed class PosixSemaphore implements AutoCloseable, dev.ipcj.Waitable permits NamedSemaphore, UnnamedSemaphore {
    /** SEM_VALUE_MAX on Linux. */
    public static final int VALUE_MAX = Integer.MAX_VALUE;
    /** sizeof(sem_t) on 64-bit Linux with glibc. */
    static final int SEM_SIZE = 32;
    /** The {@code private} field of a process-shared semaphore: FUTEX_SHARED (LLL_SHARED, FUTEX_PRIVATE_FLAG). */
    static final int FUTEX_SHARED = 128;
    static final int PRIVATE_OFFSET = 8;
    static final int PAD_OFFSET = 12;
    private static final long ONE_WAITER = 1L << 32;
    private static final long VALUE_MASK = 0xffffffffL;

    final String name;
    final MappedRegion region;
    /** The sem_t's address (its value word, for the futex calls): valid while {@link #region} is reachable. */
    private final long futex;
    final UseCount uses;

    PosixSemaphore(String name, MappedRegion region, long offset, Runnable release) {
        this.name = name;
        this.region = region;
        this.futex = region.address(offset, SEM_SIZE);
        this.uses = new UseCount(release);
    }

    /**
     * The name (named) or "region@offset" (unnamed), as error messages give it.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Takes a permit, waiting as long as it takes.
     *
     * @throws InterruptedException if the thread is interrupted while waiting; no permit was taken
     */
    public void acquire() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException(); // as j.u.c: an interrupted thread does not take permits
        }
        enter("sem_wait");
        try {
            if (!tryTake("sem_wait")) {
                waitForPermit("sem_wait", Long.MAX_VALUE, true);
            }
        } finally {
            uses.exit();
        }
    }

    /**
     * Takes a permit if one is free now.
     *
     * @return true if a permit was taken
     */
    public boolean tryAcquire() {
        enter("sem_trywait");
        try {
            return tryTake("sem_trywait");
        } finally {
            uses.exit();
        }
    }

    /**
     * Takes a permit, waiting at most {@code timeout}: false if none came in time.
     *
     * @param timeout the longest wait
     * @return true if a permit was taken, false if none came in time
     * @throws InterruptedException if the thread is interrupted while waiting; no permit was taken
     */
    public boolean tryAcquire(Duration timeout) throws InterruptedException {
        long nanos = Timeouts.nanos("sem_timedwait", name, timeout);
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        long deadline = Timeouts.deadline(nanos);
        enter("sem_timedwait");
        try {
            if (tryTake("sem_timedwait")) {
                return true;
            }
            return nanos > 0 && waitForPermit("sem_timedwait", deadline, false);
        } finally {
            uses.exit();
        }
    }

    /** Returns a permit, waking one waiter. */
    public void release() {
        enter("sem_post");
        try {
            for (;;) {
                long d = load("sem_post");
                int v = value("sem_post", d);
                if (v == VALUE_MAX) {
                    throw new LimitExceededException("sem_post", name, Errno.EOVERFLOW,
                            "the value would exceed SEM_VALUE_MAX " + VALUE_MAX);
                }
                boolean waiters = (d >>> 32) != 0;
                if (waiters) {
                    checkPrivate("sem_post");
                }
                if (cas("sem_post", d, d + 1)) {
                    if (waiters) {
                        int r = Futex.futexWake(futex, 1);
                        if (r < 0) {
                            throw futexError("sem_post", "futex(FUTEX_WAKE)", r);
                        }
                    }
                    return;
                }
            }
        } finally {
            uses.exit();
        }
    }

    /**
     * The current value (permits free now; 0 when threads wait).
     *
     * @return the value
     */
    public int value() {
        enter("sem_getvalue");
        try {
            return value("sem_getvalue", load("sem_getvalue"));
        } finally {
            uses.exit();
        }
    }

    /**
     * Whether this handle is open: false after {@link #close()}.
     *
     * @return true until closed
     */
    public boolean isOpen() {
        return !uses.isClosed();
    }

    /**
     * How a {@link dev.ipcj.WaitSet} waits on this semaphore: READABLE while its value is above
     * 0 (a wait would not block; another process may take the permit first). A semaphore has
     * no hook a waker could ring, so the set polls it (sem_getvalue reads the shared word, no
     * system call; see WaitSet, "Polled members").
     *
     * @return the hook
     */
    @Override
    public dev.ipcj.WaitHook waitHook() {
        return (dev.ipcj.WaitHook.Polled) interest -> {
            if (interest != dev.ipcj.WaitSet.READABLE) {
                throw new dev.ipcj.InvalidArgumentException("WaitSet.add", name(), 0,
                        "a semaphore can be waited on for READABLE (value above 0) only");
            }
            return value() > 0 ? dev.ipcj.WaitSet.READABLE : 0;
        };
    }

    /** Closes this handle. The semaphore itself stays for other processes. Idempotent. */
    @Override
    public void close() {
        uses.close();
    }

    // ---- glibc's protocol ----------------------------------------------------------------

    /** The fast path: CAS the value down while it is positive. No JNI call. */
    private boolean tryTake(String call) {
        for (;;) {
            long d = load(call);
            int v = value(call, d);
            if (v == 0) {
                return false;
            }
            if (cas(call, d, d - 1)) {
                return true;
            }
        }
    }

    /**
     * The slow path, as glibc's __new_sem_wait_slow64: register as a waiter, sleep on the value
     * word while it is 0, take a permit and unregister in one CAS. False when {@code deadline}
     * (System.nanoTime) passed first; unregistered on every way out but a vanished page.
     */
    private boolean waitForPermit(String call, long deadline, boolean forever) throws InterruptedException {
        checkPrivate(call);
        long d;
        for (;;) {
            d = load(call);
            value(call, d);
            if (cas(call, d, d + ONE_WAITER)) {
                break;
            }
        }
        boolean registered = true;
        try {
            Waiter w = Waiter.current();
            for (;;) {
                int v = value(call, d);
                if (v > 0) {
                    if (cas(call, d, d - 1 - ONE_WAITER)) {
                        registered = false;
                        return true;
                    }
                } else {
                    long nanos = -1;
                    if (!forever) {
                        nanos = deadline - System.nanoTime();
                        if (nanos <= 0) {
                            return false;
                        }
                    }
                    int r;
                    boolean interrupted;
                    w.enter(); // InterruptedException if interrupted meanwhile: unregistered below
                    try {
                        r = Futex.futexWait(futex, 0, nanos);
                    } finally {
                        interrupted = w.exit();
                    }
                    afterWait(call);
                    if (r < 0 && r != -Errno.EAGAIN && r != -Errno.ETIMEDOUT && !Waiter.retry(r, interrupted)) {
                        throw futexError(call, "futex(FUTEX_WAIT)", r);
                    }
                    // 0: woken (or spuriously); EAGAIN: the value changed; ETIMEDOUT: see the deadline
                }
                d = load(call);
            }
        } catch (CorruptedException | ClosedException e) {
            registered = false; // the memory is gone, or is no longer the semaphore's
            throw e;
        } finally {
            if (registered) {
                unregister(call);
            }
        }
    }

    /** nwaiters - 1, unless another process zeroed it meanwhile (a wrap would cost every post a wake). */
    private void unregister(String call) {
        for (;;) {
            long d = load(call);
            if ((d >>> 32) == 0 || cas(call, d, d - ONE_WAITER)) {
                return;
            }
        }
    }

    /** Where a wait returns: the handle's region must still be open and the page still there. */
    private void afterWait(String call) {
        if (!region.isOpen()) {
            throw new ClosedException(call, name, 0, "the region holding the semaphore was closed while waiting");
        }
        load(call); // a guarded load: CorruptedException if the object was truncated meanwhile
    }

    // ---- guarded access ------------------------------------------------------------------

    private long load(String call) {
        try {
            long d = SharedAtomics.loadLong(futex);
            region.checkIntact(call); // the fault guard found the page gone (see FaultGuards)
            return d;
        } catch (InternalError e) {
            throw Faults.truncated(call, name, e, -1);
        } finally {
            Reference.reachabilityFence(this); // the region (and so the mapping) stays reachable
        }
    }

    /** A CAS preceded by a guarded volatile load of the same word (Faults, rule 2; SharedAtomics). */
    private boolean cas(String call, long expected, long value) {
        try {
            boolean done = SharedAtomics.casLong(futex, expected, value);
            region.checkIntact(call);
            return done;
        } catch (InternalError e) {
            throw Faults.truncated(call, name, e, -1);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    private int value(String call, long d) {
        long v = d & VALUE_MASK;
        if (v > VALUE_MAX) {
            throw new CorruptedException(call, name, 0, "field value holds " + v + ", more than SEM_VALUE_MAX "
                    + VALUE_MAX + ": these are not a semaphore's bytes (another process wrote over them)");
        }
        return (int) v;
    }

    private void checkPrivate(String call) {
        int p;
        try {
            p = SharedAtomics.loadInt(futex + PRIVATE_OFFSET);
            region.checkIntact(call);
        } catch (InternalError e) {
            throw Faults.truncated(call, name, e, -1);
        } finally {
            Reference.reachabilityFence(this);
        }
        if (p != FUTEX_SHARED) {
            throw badPrivate(call, name, p);
        }
    }

    static CorruptedException badPrivate(String call, String name, int p) {
        return new CorruptedException(call, name, 0, "field private holds " + p + "; a process-shared sem_t holds "
                + FUTEX_SHARED + " (FUTEX_SHARED)" + (p == 0 ? ": 0 is a process-private semaphore (sem_init(sem, 0,"
                + " value)), which other processes cannot use" : ": these are not a semaphore's bytes"));
    }

    /** Checks the fields of the sem_t at {@code offset} of {@code region} (attach, open). */
    static void validate(String call, String name, MappedRegion region, long offset) {
        long d;
        int p;
        try {
            d = region.getLongVolatile(offset);
            p = region.getIntVolatile(offset + PRIVATE_OFFSET);
        } catch (CorruptedException e) {
            throw new CorruptedException(call, name, 0, "the memory under the mapping is gone: another process"
                    + " truncated the object");
        }
        long v = d & VALUE_MASK;
        if (v > VALUE_MAX) {
            throw new CorruptedException(call, name, 0, "field value holds " + v + ", more than SEM_VALUE_MAX "
                    + VALUE_MAX + ": these are not a semaphore's bytes");
        }
        if (p != FUTEX_SHARED) {
            throw badPrivate(call, name, p);
        }
    }

    /** Writes a fresh process-shared sem_t with {@code value} at {@code offset} (sem_init(sem, 1, value)). */
    static void initialise(MappedRegion region, long offset, int value) {
        region.putIntVolatile(offset + PAD_OFFSET, 0);
        region.putIntVolatile(offset + PRIVATE_OFFSET, FUTEX_SHARED);
        region.putLongVolatile(offset, value & VALUE_MASK);
    }

    private IpcException futexError(String call, String what, int r) {
        if (r == -Errno.EFAULT) {
            return new CorruptedException(call, name, Errno.EFAULT, what + " found no memory under the semaphore:"
                    + " another process truncated the object");
        }
        return IpcException.of(call, name, r, what + " failed: " + Errno.text(r));
    }

    final void enter(String call) {
        if (!uses.tryEnter()) {
            throw new ClosedException(call, name, 0, "the semaphore handle is closed");
        }
        if (!region.isOpen()) {
            uses.exit();
            throw new ClosedException(call, name, 0, "the region holding the semaphore was closed");
        }
    }

    static void checkValue(String call, String name, int value) {
        if (value < 0) {
            throw new InvalidArgumentException(call, name, 0,
                    "initial value " + value + " must be between 0 and SEM_VALUE_MAX " + VALUE_MAX);
        }
    }
}
