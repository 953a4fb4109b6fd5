package dev.ipcj;

import dev.ipcj.internal.Check;
import dev.ipcj.internal.Errno;
import dev.ipcj.internal.Timeouts;
import dev.ipcj.internal.UseCount;
import dev.ipcj.internal.Waiter;
import dev.ipcj.jni.Bell;
import dev.ipcj.jni.Epoll;
import dev.ipcj.jni.PosixShm;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Waits until any of several {@link Waitable}s is readable or writable: POSIX message queues
 * and plain descriptors through one epoll instance, and the objects that sleep on futex words
 * in shared memory (rings, mailboxes and inboxes on every transport, the shared log, the
 * broadcast ring) through a doorbell of the set's own, rung by their wakers only when this set
 * announced itself; System V queues and semaphores, which the kernel gives no hook, by polling.
 *
 * <pre>{@code
 * try (WaitSet ws = new WaitSet()) {
 *     ws.add(orders, WaitSet.READABLE);              // a Mailbox
 *     ws.add(ticks, WaitSet.READABLE);               // a RingConsumer
 *     ws.add(Waitable.ofDescriptor(fd, "pipe"), WaitSet.READABLE);
 *     int n = ws.await(Duration.ofSeconds(1));      // 0: timed out
 *     for (int i = 0; i < n; i++) {
 *         Waitable w = ws.ready(i);                  // which one, and how:
 *         if (ws.isReadable(i)) { ... }
 *     }
 * }
 * }</pre>
 *
 * <h2>Readiness by level</h2>
 * A member that still holds messages is reported again by the next wait. For the members with
 * a {@link WaitHook} the set never trusts a wake-up: it asks each one's real condition (ring
 * not empty, a record of the largest size fits, a message waiting, a semaphore above 0) and
 * reports only those that hold.
 *
 * <h2>Waiting without a syscall on the busy path</h2>
 * The set owns a doorbell: a Unix datagram socket bound to the abstract name
 * {@code "\0ipcj-ws-PID-ID"} ({@code ipcj_bell.h}), which any process can ring without being
 * passed a descriptor, and which vanishes with the process. A member with a shared header
 * (ring, shared log, the ring and log transports of a mailbox) keeps a table of such bells
 * ({@link dev.ipcj.internal.BellTable}); the set registers in it on {@link #add}, and before
 * every sleep announces itself on the very futex waiters word the object's blocking calls
 * use:
 * <pre>
 *   this set                                    a waker (producer, sender)
 *   1 check every member (no announcement)      its change (a record published)
 *   2 none ready: arm each = waiters word 1,    waiters word != 0 ?   (the read it did before)
 *     the object's sleeper barrier                CAS it 0; FUTEX_WAKE
 *   3 check every member again                    ring every bell in the table: sendto()
 *   4 none ready: epoll_wait(bell, mqs, fds)
 *   5 woken: drain the bell, go to 1
 * </pre>
 * Either step 3 sees the change or the waker sees the word set (the object's own argument:
 * {@code SharedRing}, {@link dev.ipcj.internal.Doorbell}), so no wake-up is lost; a waker
 * whose peer announced nothing reads one word, as before. Step 4 never sleeps longer than 250
 * ms for such members: a waker killed between its change and its ring, or another sleeper on
 * the same word clearing it, costs at most that delay. A set killed with kill -9 leaves a slot
 * whose socket is gone: the next waker gets ECONNREFUSED once and frees it; a table whose 8
 * slots are held by live sets makes the ninth set poll that member.
 *
 * <h2>Polled members</h2>
 * System V message queues and semaphores have no descriptor and no shared word to announce on
 * (the kernel wakes only msgrcv/semop sleepers). A wait with such a member sleeps in slices
 * from 1 ms doubling to 16 ms while nothing is ready and checks them after each (one msgctl or
 * semctl system call per member per slice; POSIX semaphores are read without one): up to 16 ms
 * of latency once idle, and at most about 1000 wake-ups a second.
 *
 * <p>Waiting allocates nothing: epoll writes its events into a direct buffer
 * ({@code ipcj_epoll.h} draws the layout), and the results stay in this set until the next wait.
 *
 * <p>Threads: one thread waits at a time (the results belong to it); {@link #add},
 * {@link #modify} and {@link #remove} may be called from any thread, also during a wait. A wait
 * returns {@link InterruptedException} when its thread is interrupted.
 *
 * <p>The set holds a use of each member's descriptor (see {@link Waitable}): closing a member
 * while it is in the set marks it closed at once, and the set drops it (and lets its
 * descriptor close) at the next wait or {@link #remove}; a member with a wait hook is dropped
 * within one slice. {@link #close()} releases all members.
 */
public final class WaitSet implements AutoCloseable {
    /** Interest and readiness: data can be read (a message can be received). */
    public static final int READABLE = Epoll.EPOLLIN;
    /** Interest and readiness: data can be written (a message can be sent). */
    public static final int WRITABLE = Epoll.EPOLLOUT;

    private static final int EVENT_BYTES = 16;
    /** The epoll data of the set's own doorbell (no member's slot has it). */
    private static final long BELL_DATA = -1L;
    /** The longest sleep while a member is announced: the bound on a lost ring's cost. */
    static final long BELL_SLICE = 250_000_000L;
    /** The first and the longest sleep while a member can only be polled. */
    static final long POLL_FIRST = 1_000_000L;
    static final long POLL_MAX = 16_000_000L;
    private static final AtomicInteger BELL_IDS = new AtomicInteger();

    private final int epfd;
    private final UseCount uses;
    private final ByteBuffer events;
    private final long eventsAddress;
    private final Object waitLock = new Object();
    /** {@link #BELL_SLICE}, or the system property ipcj.waitset.bellSliceNanos when this set was made. */
    private final long bellSlice = Math.max(1_000_000L, Long.getLong("ipcj.waitset.bellSliceNanos", BELL_SLICE));

    /** Guarded by this: members by slot; the slot's generation is in the epoll data's high half. */
    private Waitable[] slots = new Waitable[8];
    private int[] generations = new int[8];
    private int[] fds = new int[8];
    private WaitHook[] hooks = new WaitHook[8];
    private int[] interests = new int[8];
    private boolean[] announced = new boolean[8];
    private int hookCount;
    private int polledCount;
    /** Guarded by this: the doorbell, made with the first member that has a wait hook. */
    private volatile int bellFd = -1;
    private long bell;
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
        this.uses = new UseCount(() -> {
            PosixShm.close(fd);
            int b = bellFd;
            if (b >= 0) {
                Bell.close(b);
            }
        });
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
                WaitHook hook = w.waitHook();
                if (hook != null) {
                    addHooked(w, hook, interest);
                    return;
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
                if (hooks[slot] != null) {
                    modifyHooked(w, slot, interest);
                    return;
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
                long start = System.nanoTime();
                long pollSlice = POLL_FIRST;
                Waiter w = Waiter.current();
                for (;;) {
                    int count = checkHooks(0);
                    boolean hooked;
                    boolean polled;
                    synchronized (this) {
                        hooked = hookCount > 0;
                        polled = polledCount > 0;
                    }
                    long wait;
                    if (count > 0 || nanos == 0) {
                        wait = 0;
                    } else {
                        wait = nanos < 0 ? -1 : Math.max(0, nanos - (System.nanoTime() - start));
                        if (hooked) {
                            armHooks();
                            count = checkHooks(0); // step 3: after the announcement
                            if (count > 0) {
                                wait = 0;
                            } else {
                                long slice = polled ? pollSlice : bellSlice;
                                wait = wait < 0 ? slice : Math.min(wait, slice);
                            }
                        }
                    }
                    int n = 0;
                    if (count < Epoll.BATCH) {
                        boolean interrupted;
                        w.enter();
                        try {
                            n = Epoll.epollWait(epfd, eventsAddress, Epoll.BATCH - count, wait);
                        } finally {
                            interrupted = w.exit();
                        }
                        if (n < 0) {
                            if (n != -Errno.EINTR) {
                                throw IpcException.of("epoll_wait", null, n);
                            }
                            if (interrupted) {
                                throw Waiter.interrupted();
                            }
                            n = 0; // a stray signal: look again, within the time left
                        }
                    }
                    count = collect(n, count);
                    if (count > 0 || nanos == 0 || (nanos > 0 && System.nanoTime() - start >= nanos)) {
                        return count;
                    }
                    pollSlice = Math.min(pollSlice * 2, POLL_MAX);
                }
            } finally {
                uses.exit();
            }
        }
    }

    /** Maps the raw events to members after the first {@code count} found by their hooks. */
    private synchronized int collect(int n, int count) {
        for (int i = 0; i < n; i++) {
            int ev = (int) events.getLong(i * EVENT_BYTES);
            long data = events.getLong(i * EVENT_BYTES + 8);
            if (data == BELL_DATA) {
                Bell.drain(bellFd); // rung: the hooks were asked, or are asked next round
                continue;
            }
            int slot = (int) data;
            int gen = (int) (data >>> 32);
            if (slot < 0 || slot >= slots.length || generations[slot] != gen || slots[slot] == null) {
                continue; // removed while the wait returned
            }
            if (hooks[slot] != null) {
                continue; // a wake-up source only: its hook decides, next round
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

    /** Asks every hooked member; appends the ready ones after the first {@code count}. */
    private synchronized int checkHooks(int count) {
        if (hookCount == 0) {
            return count;
        }
        for (int slot = 0; slot < slots.length && count < Epoll.BATCH; slot++) {
            WaitHook h = hooks[slot];
            if (h == null) {
                continue;
            }
            Waitable m = slots[slot];
            int r;
            try {
                r = m.isOpen() ? h.readiness(interests[slot]) : -1;
            } catch (ClosedException e) {
                r = -1;
            }
            if (r < 0) {
                drop(m);
                continue;
            }
            if (r != 0) {
                ready[count] = m;
                readyEvents[count] = r;
                count++;
            }
        }
        return count; // collect() completes the list
    }

    /** Step 2: announces this set to every member that takes a doorbell. */
    private synchronized void armHooks() {
        for (int slot = 0; slot < slots.length; slot++) {
            if (hooks[slot] != null && announced[slot]) {
                try {
                    hooks[slot].arm(interests[slot]);
                } catch (ClosedException e) {
                    drop(slots[slot]);
                }
            }
        }
    }

    /** Guarded by this. */
    private void addHooked(Waitable w, WaitHook hook, int interest) {
        hook.readiness(interest); // refuses a closed member or an interest it cannot have, now
        ensureBell(w);
        int slot = freeSlot();
        int gen = ++generations[slot];
        boolean ann = hook.attach(bell, interest);
        int fd;
        try {
            fd = hook.descriptor();
            if (fd >= 0) {
                int r = Epoll.epollCtl(epfd, Epoll.CTL_ADD, fd, interest, data(slot, gen));
                if (r < 0) {
                    throw IpcException.of("epoll_ctl", w.name(), r);
                }
            }
        } catch (RuntimeException e) {
            hook.detach(bell, interest);
            throw e;
        }
        slots[slot] = w;
        fds[slot] = fd;
        hooks[slot] = hook;
        interests[slot] = interest;
        announced[slot] = ann;
        hookCount++;
        if (!ann) {
            polledCount++;
        }
        index.put(w, slot);
    }

    /** Guarded by this. */
    private void modifyHooked(Waitable w, int slot, int interest) {
        WaitHook h = hooks[slot];
        if (!w.isOpen()) {
            throw new ClosedException("epoll_ctl", w.name(), 0, "closed");
        }
        h.detach(bell, interests[slot]);
        boolean ann = h.attach(bell, interest);
        if (fds[slot] >= 0) {
            int r = Epoll.epollCtl(epfd, Epoll.CTL_MOD, fds[slot], interest, data(slot, generations[slot]));
            if (r < 0) {
                throw IpcException.of("epoll_ctl", w.name(), r);
            }
        }
        if (announced[slot] != ann) {
            polledCount += ann ? -1 : 1;
        }
        announced[slot] = ann;
        interests[slot] = interest;
    }

    /** Guarded by this: makes the doorbell socket and watches it, once. */
    private void ensureBell(Waitable w) {
        if (bellFd >= 0) {
            return;
        }
        int pid = dev.ipcj.internal.ProcessIdentity.pid(dev.ipcj.internal.ProcessIdentity.self());
        for (int attempt = 0;; attempt++) {
            int id = BELL_IDS.incrementAndGet() & 0x7fffffff;
            int fd = Bell.open(pid, id);
            if (fd == -Errno.EADDRINUSE && attempt < 100) {
                continue; // a name left by an earlier process of the same pid in this namespace
            }
            if (fd < 0) {
                throw IpcException.of("socket(AF_UNIX, SOCK_DGRAM) bind", "@ipcj-ws-" + pid + "-" + id, fd,
                        "the WaitSet's doorbell for " + w.name());
            }
            int r = Epoll.epollCtl(epfd, Epoll.CTL_ADD, fd, READABLE, BELL_DATA);
            if (r < 0) {
                Bell.close(fd);
                throw IpcException.of("epoll_ctl", "@ipcj-ws-" + pid + "-" + id, r);
            }
            bell = dev.ipcj.internal.BellTable.bell(pid, id);
            bellFd = fd;
            return;
        }
    }

    /** Guarded by this. */
    private boolean drop(Waitable w) {
        Integer slot = index.remove(w);
        if (slot == null) {
            return false;
        }
        slots[slot] = null;
        generations[slot]++;
        WaitHook h = hooks[slot];
        if (h != null) {
            hooks[slot] = null;
            hookCount--;
            if (!announced[slot]) {
                polledCount--;
            }
            if (fds[slot] >= 0) {
                Epoll.epollCtl(epfd, Epoll.CTL_DEL, fds[slot], 0, 0);
            }
            h.detach(bell, interests[slot]); // releases the hook's descriptor too
            return true;
        }
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
        hooks = java.util.Arrays.copyOf(hooks, old * 2);
        interests = java.util.Arrays.copyOf(interests, old * 2);
        announced = java.util.Arrays.copyOf(announced, old * 2);
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
