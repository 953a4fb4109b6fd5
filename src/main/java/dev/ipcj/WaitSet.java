package dev.ipcj;

import dev.ipcj.internal.Check;
import dev.ipcj.internal.Errno;
import dev.ipcj.internal.Timeouts;
import dev.ipcj.internal.UseCount;
import dev.ipcj.internal.Waiter;
import dev.ipcj.jni.Epoll;
import dev.ipcj.jni.PosixShm;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Waits until any of several {@link Waitable}s (message queues today, any descriptor-backed
 * object later) is readable or writable, through one epoll instance.
 *
 * <pre>{@code
 * try (WaitSet ws = new WaitSet()) {
 *     ws.add(orders, WaitSet.READABLE);
 *     ws.add(cancels, WaitSet.READABLE);
 *     int n = ws.await(Duration.ofSeconds(1));      // 0: timed out
 *     for (int i = 0; i < n; i++) {
 *         Waitable w = ws.ready(i);                  // which one, and how:
 *         if (ws.isReadable(i)) { ... }
 *     }
 * }
 * }</pre>
 *
 * <p>Level-triggered: a queue that still holds messages is reported again by the next wait.
 * Waiting allocates nothing: epoll writes its events into a direct buffer
 * ({@code ipcj_epoll.h} draws the layout), and the results stay in this set until the next wait.
 *
 * <p>Threads: one thread waits at a time (the results belong to it); {@link #add},
 * {@link #modify} and {@link #remove} may be called from any thread, also during a wait. A wait
 * returns {@link InterruptedException} when its thread is interrupted.
 *
 * <p>The set holds a use of each member's descriptor (see {@link Waitable}): closing a member
 * while it is in the set marks it closed at once, and the set drops it (and lets its
 * descriptor close) at the next wait or {@link #remove}. {@link #close()} releases all members.
 */
public final class WaitSet implements AutoCloseable {
    /** Interest and readiness: data can be read (a message can be received). */
    public static final int READABLE = Epoll.EPOLLIN;
    /** Interest and readiness: data can be written (a message can be sent). */
    public static final int WRITABLE = Epoll.EPOLLOUT;

    private static final int EVENT_BYTES = 16;

    private final int epfd;
    private final UseCount uses;
    private final ByteBuffer events;
    private final long eventsAddress;
    private final Object waitLock = new Object();

    /** Guarded by this: members by slot; the slot's generation is in the epoll data's high half. */
    private Waitable[] slots = new Waitable[8];
    private int[] generations = new int[8];
    private int[] fds = new int[8];
    private final Map<Waitable, Integer> index = new IdentityHashMap<>();

    /** The last wait's results, owned by the waiting thread. */
    private final Waitable[] ready = new Waitable[Epoll.BATCH];
    private final int[] readyEvents = new int[Epoll.BATCH];
    private int readyCount;

    /** A new, empty set (epoll_create1). */
    public WaitSet() {
        int fd = Epoll.epollCreate();
        if (fd < 0) {
            throw IpcException.of("epoll_create1", null, fd, fd == -Errno.EMFILE
                    ? "this process has too many open descriptors (RLIMIT_NOFILE; raise it with ulimit -n)" : null);
        }
        this.epfd = fd;
        this.uses = new UseCount(() -> PosixShm.close(fd));
        this.events = dev.ipcj.internal.Allocate.direct("epoll_create1", null, EVENT_BYTES * Epoll.BATCH);
        this.eventsAddress = dev.ipcj.internal.DirectBuffers.address(events);
    }

    /**
     * Adds {@code w}, watched for {@code interest} ({@link #READABLE}, {@link #WRITABLE} or both).
     *
     * @param w        the object to watch
     * @param interest the events to watch for
     * @throws AlreadyExistsException if {@code w} is in the set already (use {@link #modify})
     * @throws ClosedException        if {@code w} or this set is closed
     */
    public void add(Waitable w, int interest) {
        checkInterest(w, interest);
        enter();
        try {
            synchronized (this) {
                if (index.containsKey(w)) {
                    throw new AlreadyExistsException("epoll_ctl", w.name(), 0,
                            "already in this WaitSet; use modify() to change its interest");
                }
                int fd = w.acquireDescriptor();
                int slot = freeSlot();
                int gen = ++generations[slot];
                int r = Epoll.epollCtl(epfd, Epoll.CTL_ADD, fd, interest, data(slot, gen));
                if (r < 0) {
                    w.releaseDescriptor();
                    throw IpcException.of("epoll_ctl", w.name(), r, r == -Errno.EPERM
                            ? "this kind of descriptor cannot be watched by epoll" : null);
                }
                slots[slot] = w;
                fds[slot] = fd;
                index.put(w, slot);
            }
        } finally {
            uses.exit();
        }
    }

    /**
     * Changes what {@code w} is watched for.
     *
     * @param w        a member of the set
     * @param interest the events to watch for from now on
     */
    public void modify(Waitable w, int interest) {
        checkInterest(w, interest);
        enter();
        try {
            synchronized (this) {
                Integer slot = index.get(w);
                if (slot == null) {
                    throw new NotFoundException("epoll_ctl", w.name(), 0, "not in this WaitSet; add() it first");
                }
                int fd = w.acquireDescriptor(); // the set's own use keeps it open; this checks it is open
                try {
                    int r = Epoll.epollCtl(epfd, Epoll.CTL_MOD, fd, interest, data(slot, generations[slot]));
                    if (r < 0) {
                        throw IpcException.of("epoll_ctl", w.name(), r);
                    }
                } finally {
                    w.releaseDescriptor();
                }
            }
        } finally {
            uses.exit();
        }
    }

    /**
     * Removes {@code w}: true if it was in the set.
     *
     * @param w the object to remove
     * @return true if {@code w} was a member
     */
    public boolean remove(Waitable w) {
        Check.notNull("epoll_ctl", null, w, "waitable");
        enter();
        try {
            synchronized (this) {
                return drop(w);
            }
        } finally {
            uses.exit();
        }
    }

    /**
     * The members, in no particular order.
     *
     * @return a new list of the members
     */
    public synchronized List<Waitable> members() {
        return new ArrayList<>(index.keySet());
    }

    /**
     * The number of members.
     *
     * @return the number of members
     */
    public synchronized int size() {
        return index.size();
    }

    /**
     * Waits until a member is ready: the number ready (at least 1).
     *
     * @return the number of members ready, at least 1
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public int await() throws InterruptedException {
        return doWait(-1);
    }

    /**
     * Waits at most {@code timeout} until a member is ready: the number ready, 0 on timeout.
     *
     * @param timeout the longest wait
     * @return the number of members ready, 0 if none became ready in time
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public int await(Duration timeout) throws InterruptedException {
        long nanos = Timeouts.nanos("epoll_wait", null, timeout);
        long deadline = System.nanoTime() + nanos;
        for (;;) {
            long remaining = Math.max(0, deadline - System.nanoTime());
            int n = doWait(remaining);
            if (n > 0 || remaining == 0) {
                return n;
            }
            // every event was of a member closed meanwhile: wait for the rest of the time
        }
    }

    /**
     * Checks without waiting: the number of members ready now.
     *
     * @return the number of members ready, possibly 0
     */
    public int poll() {
        try {
            return doWait(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /**
     * The number of members the last wait found ready.
     *
     * @return the number found ready
     */
    public int readyCount() {
        return readyCount;
    }

    /**
     * The {@code i}-th member found ready by the last wait.
     *
     * @param i the index among the ready members
     * @return the member
     * @throws IndexOutOfBoundsException outside 0..readyCount()-1
     */
    public Waitable ready(int i) {
        checkIndex(i);
        return ready[i];
    }

    /**
     * The epoll events of the {@code i}-th ready member ({@link #READABLE}, {@link #WRITABLE}, ...).
     *
     * @param i the index among the ready members
     * @return the events, as epoll reported them
     */
    public int readyEvents(int i) {
        checkIndex(i);
        return readyEvents[i];
    }

    /**
     * Whether the {@code i}-th ready member is readable (errors and hang-ups count as readable).
     *
     * @param i the index among the ready members
     * @return true if readable
     */
    public boolean isReadable(int i) {
        return (readyEvents(i) & (READABLE | Epoll.EPOLLERR | Epoll.EPOLLHUP)) != 0;
    }

    /**
     * Whether the {@code i}-th ready member is writable.
     *
     * @param i the index among the ready members
     * @return true if writable
     */
    public boolean isWritable(int i) {
        return (readyEvents(i) & (WRITABLE | Epoll.EPOLLERR)) != 0;
    }

    /**
     * Whether the last wait found {@code w} readable.
     *
     * @param w a member of the set
     * @return true if the last wait found it readable
     */
    public boolean isReadable(Waitable w) {
        Check.notNull("epoll_wait", null, w, "waitable");
        int i = find(w);
        return i >= 0 && isReadable(i);
    }

    /**
     * Whether the last wait found {@code w} writable.
     *
     * @param w a member of the set
     * @return true if the last wait found it writable
     */
    public boolean isWritable(Waitable w) {
        Check.notNull("epoll_wait", null, w, "waitable");
        int i = find(w);
        return i >= 0 && isWritable(i);
    }

    /**
     * Releases every member and closes the epoll instance. Idempotent. It does not wake a thread
     * blocked in {@link #await()} (interrupt that thread); the epoll descriptor is closed when
     * that wait returns.
     */
    @Override
    public void close() {
        List<Waitable> members;
        synchronized (this) {
            if (uses.isClosed()) {
                return;
            }
            members = new ArrayList<>(index.keySet());
            for (Waitable w : members) {
                drop(w);
            }
        }
        uses.close();
    }

    /**
     * Whether the set is still open: false after {@link #close()}.
     *
     * @return true until closed
     */
    public boolean isOpen() {
        return !uses.isClosed();
    }

    // ---- inside ---------------------------------------------------------------------------

    private int doWait(long nanos) throws InterruptedException {
        synchronized (waitLock) {
            enter();
            try {
                readyCount = 0;
                Waiter w = Waiter.current();
                int n;
                for (;;) {
                    boolean interrupted;
                    w.enter();
                    try {
                        n = Epoll.epollWait(epfd, eventsAddress, Epoll.BATCH, nanos);
                    } finally {
                        interrupted = w.exit();
                    }
                    if (n >= 0) {
                        break;
                    }
                    if (n == -Errno.EINTR) {
                        if (interrupted) {
                            throw Waiter.interrupted();
                        }
                        if (nanos > 0) {
                            return 0; // a stray signal: the caller recomputes the time left
                        }
                        continue;
                    }
                    throw IpcException.of("epoll_wait", null, n);
                }
                return collect(n);
            } finally {
                uses.exit();
            }
        }
    }

    /** Maps the raw events to members, dropping members closed meanwhile. */
    private synchronized int collect(int n) {
        int count = 0;
        for (int i = 0; i < n; i++) {
            int ev = (int) events.getLong(i * EVENT_BYTES);
            long data = events.getLong(i * EVENT_BYTES + 8);
            int slot = (int) data;
            int gen = (int) (data >>> 32);
            if (slot < 0 || slot >= slots.length || generations[slot] != gen || slots[slot] == null) {
                continue; // removed while the wait returned
            }
            Waitable m = slots[slot];
            if (!m.isOpen()) {
                drop(m);
                continue;
            }
            ready[count] = m;
            readyEvents[count] = ev;
            count++;
        }
        for (int i = count; i < readyCount; i++) {
            ready[i] = null;
        }
        readyCount = count;
        return count;
    }

    /** Guarded by this. */
    private boolean drop(Waitable w) {
        Integer slot = index.remove(w);
        if (slot == null) {
            return false;
        }
        slots[slot] = null;
        generations[slot]++;
        // The set's use has kept the descriptor open, so it still names this member's file.
        Epoll.epollCtl(epfd, Epoll.CTL_DEL, fds[slot], 0, 0);
        w.releaseDescriptor();
        return true;
    }

    private int freeSlot() {
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] == null) {
                return i;
            }
        }
        int old = slots.length;
        slots = java.util.Arrays.copyOf(slots, old * 2);
        generations = java.util.Arrays.copyOf(generations, old * 2);
        fds = java.util.Arrays.copyOf(fds, old * 2);
        return old;
    }

    private static long data(int slot, int gen) {
        return ((long) gen << 32) | (slot & 0xffffffffL);
    }

    private int find(Waitable w) {
        for (int i = 0; i < readyCount; i++) {
            if (ready[i] == w) {
                return i;
            }
        }
        return -1;
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= readyCount) {
            throw new IndexOutOfBoundsException("ready index " + i + " outside 0.." + (readyCount - 1)
                    + " (the last wait found " + readyCount + " ready)");
        }
    }

    private static void checkInterest(Waitable w, int interest) {
        if (w == null) {
            throw new InvalidArgumentException("epoll_ctl", null, 0, "waitable is null");
        }
        if (interest == 0 || (interest & ~(READABLE | WRITABLE)) != 0) {
            throw new InvalidArgumentException("epoll_ctl", w.name(), 0, "interest " + interest
                    + " must be READABLE, WRITABLE or READABLE | WRITABLE");
        }
    }

    private void enter() {
        if (!uses.tryEnter()) {
            throw new ClosedException("epoll", null, 0, "the WaitSet is closed");
        }
    }

}
