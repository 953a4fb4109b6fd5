package dev.ipcj.internal;


/**
 * A mutual-exclusion lock in shared memory that a dead holder's successor takes over: a 64-bit
 * word holding the holder's {@link ProcessIdentity} (pid and start time, 0 when free), and a
 * 32-bit waiters flag 8 bytes after it.
 *
 * <pre>
 *   offset  size  field
 *   0       8     holder identity: pid in bits 0..31, start time in bits 32..63; 0 = free
 *   8       4     waiters: 1 when a waiter sleeps (or is about to) on the word's pid half
 * </pre>
 *
 * <p>Why not a semaphore or a FileLock: a semaphore used as a mutex stays taken forever when its
 * holder is killed, and nothing can tell who holds it; {@code FileChannel.lock()} allocates per
 * call and an interrupt closes the channel. Here a waiter spins a few microseconds, then sleeps
 * on a futex on the word's pid half in slices (1 ms growing to 100 ms), and after each slice
 * checks whether the holder still runs: a lock whose holder died, or whose word names a pid
 * now owned by a process started at another time, is taken over with a CAS from that exact
 * value. The protected state must be written so that an unfinished update is never published
 * (each user says how). Threads of one process share the identity and exclude each other all
 * the same.
 *
 * <p>Deadlines: a timed {@link #lock} returns false by its deadline whatever the word holds, a
 * live process that never unlocks included. An untimed one waits as long as the holder lives.
 *
 * <p>Truncation: a load from a vanished page raises an InternalError in the interpreter at once,
 * but in compiled code HotSpot skips the load and raises the error only at the thread's next
 * transition into the VM (a system call, a park). So no loop here runs long on shared words
 * without a system call: the sleeps are futex waits, followed by a size check, and a word that
 * reads free but cannot be taken is followed by one every 64 tries.
 */
public final class SharedLock {
    public static final int SIZE = 12;
    private static final int WAITERS = 8;
    private static final long ME = ProcessIdentity.self();
    private static final long SPIN_NANOS = 20_000;
    private static final long FIRST_SLICE = 1_000_000L;
    private static final long MAX_SLICE = 100_000_000L;

    private final SharedPage page;
    private final int off;
    private final String call;

    public SharedLock(SharedPage page, int off, String call) {
        this.page = page;
        this.off = off;
        this.call = call;
    }

    /**
     * Takes the lock: negative {@code nanos} waits as long as the holder lives, 0 tries (spinning
     * a few microseconds for a holder inside its short section), positive waits at most that
     * long. False when not taken in time; InterruptedException (not taken) when interrupted
     * while sleeping.
     */
    public boolean lock(long nanos) throws InterruptedException {
        if (lock0(nanos)) {
            // Taken on a page the fault guard replaced by a private zero page? Then it guards nothing.
            page.checkIntact(call);
            return true;
        }
        return false;
    }

    private boolean lock0(long nanos) throws InterruptedException {
        if (page.casLong(off, 0, ME)) {
            return true;
        }
        long start = System.nanoTime();
        long deadline = start + Math.max(nanos, 0);
        long spin = nanos < 0 ? SPIN_NANOS : Math.min(nanos == 0 ? SPIN_NANOS : nanos, SPIN_NANOS);
        for (int i = 1;; i++) {
            long w = page.getLongVolatile(off);
            if (w == 0 && page.casLong(off, 0, ME)) {
                return true;
            }
            Thread.onSpinWait();
            if ((i & 31) == 0 && System.nanoTime() - start >= spin) {
                break;
            }
        }
        long slice = FIRST_SLICE;
        for (int lost = 0;; ) {
            long w = page.getLongVolatile(off);
            if (w == 0) {
                if (page.casLong(off, 0, ME)) {
                    return true;
                }
                if (++lost % 64 == 0) {
                    // Free, yet never ours: contention, or a vanished page whose faults the JVM
                    // reports only at this thread's next system call. Make one (fstat).
                    page.checkSize(call);
                    if (nanos >= 0 && deadline - System.nanoTime() <= 0) {
                        return false;
                    }
                }
                continue;
            }
            if (w != ME && !ProcessIdentity.alive(w) && page.casLong(off, w, ME)) {
                return true; // its holder died inside the section: taken over
            }
            long left = nanos < 0 ? slice : deadline - System.nanoTime();
            if (nanos == 0 || left <= 0) {
                return false;
            }
            page.setIntVolatile(off + WAITERS, 1);
            if (page.getLongVolatile(off) == w) {
                page.futexWait(off + SharedPage.LOW_HALF, (int) w, Math.min(left, slice), call);
                page.checkSize(call);
            }
            slice = Math.min(slice * 2, MAX_SLICE);
        }
    }

    /** Releases the lock and wakes its sleepers. */
    public void unlock() {
        page.setLongVolatile(off, 0);
        if (page.getIntVolatile(off + WAITERS) != 0 && page.casInt(off + WAITERS, 1, 0)) {
            page.futexWake(off + SharedPage.LOW_HALF);
        }
    }

    /** The holder's identity now (0 when free). */
    public long holder() {
        return page.getLongVolatile(off);
    }
}
