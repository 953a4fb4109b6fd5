package dev.ipcj.internal;

/**
 * "Something changed": a 32-bit sequence in shared memory that wakers bump and sleepers wait on
 * with a futex, and a waiters flag 4 bytes after it, so that a waker makes a system call only
 * when someone sleeps (the pattern of the ring's futex words; see {@code SharedRing}).
 *
 * <pre>
 *   sleeper                                  waker
 *   observe(): s = seq                       (the change, e.g. a message taken)
 *   re-check the condition; unchanged:       ring(): seq += 1 (a volatile get-and-add)
 *   await(s): waiters = 1; fence;                    waiters == 1? CAS it 0, FUTEX_WAKE all
 *             seq == s? FUTEX_WAIT(seq, s)
 * </pre>
 *
 * The waker needs no fence between its add and its load of the flag: both are volatile, and the
 * JMM orders volatile accesses as sequentially consistent (x86 because the add is LOCKed, arm64
 * because its LDAR never passes the add's earlier store-release), so either the sleeper's re-read
 * of seq sees the add or the waker sees the flag.
 *
 * Wakers that change something on every message use the announced form instead, which keeps
 * their busy path free of shared writes (a ring() is a locked add on a line every sleeper reads):
 *
 * <pre>
 *   sleeper                                  waker
 *   s = announce(): waiters = 1; fence;      (the change)
 *                   s = seq                  ringIfAnnounced(): fence;
 *   re-check the condition; unchanged:         waiters == 1? seq += 1; CAS it 0, FUTEX_WAKE all
 *   awaitAnnounced(s): FUTEX_WAIT(seq, s)
 * </pre>
 *
 * Either the waker's load sees the flag, or the sleeper's re-check (after its fence) sees the
 * change; and a sleeper that read seq before the waker's add fails FUTEX_WAIT or is woken. One
 * side of a doorbell must use one form: a sleeper of the first form is not safe with a waker of
 * the second (it re-checks before it sets the flag).
 *
 * A doorbell carries no count: a sleeper always re-checks the real condition (messages in the
 * queue, room in it) after waking. So a waker killed between its change and its ring costs
 * nothing but time: every sleep is a slice (10 ms growing to 250 ms), after which the sleeper
 * looks again. A killed sleeper leaves the flag set, which costs its next waker one useless
 * wake-up call.
 *
 * A doorbell may have a table of WaitSet doorbells ({@link BellTable}): a WaitSet announces
 * itself with {@link #arm()} (the flag and the fence of await, without the sleep), and a ring
 * that clears the flag also rings the table. A ring that finds the flag clear reads nothing more.
 */
public final class Doorbell {
    public static final int SIZE = 8;
    private static final int WAITERS = 4;
    public static final long FIRST_SLICE = 10_000_000L;
    public static final long MAX_SLICE = 250_000_000L;

    private final SharedPage page;
    private final int off;
    private final String call;
    private final BellTable bells;

    public Doorbell(SharedPage page, int off, String call) {
        this(page, off, call, -1);
    }

    /** A doorbell whose rings also ring the WaitSet doorbells of the table at {@code bellsOff}. */
    public Doorbell(SharedPage page, int off, String call, int bellsOff) {
        this.page = page;
        this.off = off;
        this.call = call;
        this.bells = bellsOff >= 0 ? new BellTable(page.buf, bellsOff) : null;
    }

    /** The WaitSet doorbell table, or null. */
    public BellTable bells() {
        return bells;
    }

    /** A WaitSet announces itself: the waiters flag and the fence, as {@link #await} does. */
    public void arm() {
        page.setIntVolatile(off + WAITERS, 1);
        java.lang.invoke.VarHandle.fullFence();
    }

    /** The sequence now: read before checking the condition, passed to {@link #await}. */
    public int observe() {
        return page.getIntVolatile(off);
    }

    /** Something changed: bump the sequence and wake the sleepers, if any. */
    public void ring() {
        page.getAndAddInt(off, 1);
        if (page.getIntVolatile(off + WAITERS) != 0 && page.casInt(off + WAITERS, 1, 0)) {
            page.futexWake(off);
            if (bells != null) {
                bells.ringAll();
            }
        }
    }

    /**
     * The waker's half of the announced protocol (class comment, second table): the change is
     * made; a full fence orders it before the load of the waiters flag, and only when a sleeper
     * announced itself is the sequence bumped and the sleeper woken. So a busy waker writes no
     * shared line: the flag's line stays shared in both caches until someone sleeps.
     */
    public void ringIfAnnounced() {
        java.lang.invoke.VarHandle.fullFence();
        if (page.getIntVolatile(off + WAITERS) != 0) {
            page.getAndAddInt(off, 1);
            if (page.casInt(off + WAITERS, 1, 0)) {
                page.futexWake(off);
                if (bells != null) {
                    bells.ringAll(); // a WaitSet's arm() is an announcement too
                }
            }
        }
    }

    /**
     * The sleeper's half of the announced protocol: sets the waiters flag, fences, and returns
     * the sequence, which the caller passes to {@link #awaitAnnounced} after re-checking its
     * condition (in that order: the sequence is read before the condition).
     */
    public int announce() {
        page.setIntVolatile(off + WAITERS, 1);
        java.lang.invoke.VarHandle.fullFence();
        return page.getIntVolatile(off);
    }

    /**
     * Sleeps at most {@code nanos} (&gt; 0) while the sequence still is {@code announced}, the
     * value {@link #announce} returned; the caller re-checks its condition on return.
     */
    public void awaitAnnounced(int announced, long nanos) throws InterruptedException {
        page.futexWait(off, announced, nanos, call);
        page.checkSize(call);
    }

    /**
     * Sleeps at most {@code nanos} (&gt; 0) while the sequence still is {@code observed}. Returns
     * when rung, on timeout, or spuriously: the caller re-checks its condition either way.
     */
    public void await(int observed, long nanos) throws InterruptedException {
        page.setIntVolatile(off + WAITERS, 1);
        java.lang.invoke.VarHandle.fullFence();
        if (page.getIntVolatile(off) != observed) {
            return;
        }
        page.futexWait(off, observed, nanos, call);
        page.checkSize(call);
    }
}
