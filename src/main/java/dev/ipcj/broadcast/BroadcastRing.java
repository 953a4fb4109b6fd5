package dev.ipcj.broadcast;

import static dev.ipcj.broadcast.BroadcastLayout.*;

import dev.ipcj.ClosedException;
import dev.ipcj.CorruptedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.IpcException;
import dev.ipcj.MappedRegion;
import dev.ipcj.internal.Errno;
import dev.ipcj.internal.FaultPoint;
import dev.ipcj.internal.Faults;
import dev.ipcj.internal.MemoryAccess;
import dev.ipcj.internal.Names;
import dev.ipcj.internal.ShmInode;
import dev.ipcj.internal.Timeouts;
import dev.ipcj.internal.Waiter;
import dev.ipcj.jni.Futex;
import dev.ipcj.posix.SharedMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

/**
 * A one-to-many ring of variable-length records in a POSIX shared memory object: one
 * {@link #publisher()} at a time, up to {@link BroadcastLayout#SLOT_COUNT} {@link #subscriber()}s,
 * each of which sees every record (LOSSLESS) or every record it keeps up with (LOSSY). The C
 * twin is {@code ipcj_broadcast.h}; the contract is in the package documentation, the bytes in
 * {@link BroadcastLayout}.
 *
 * <pre>{@code
 * try (BroadcastRing ring = BroadcastRing.create("/prices", BroadcastMode.LOSSY, 1 << 20, 1024);
 *      BroadcastPublisher p = ring.publisher()) {
 *     p.offer(ByteBuffer.wrap("tick".getBytes()));
 * }
 * }</pre>
 *
 * <p>This class owns the mapping and what the publisher and the subscribers share: the checks
 * of the header, the translation of bad bytes and of a truncated object into
 * {@link CorruptedException}, and the futex sleep with its spin. Closing unmaps (threads still
 * using the ring see {@link ClosedException}); the object stays until {@link #unlink}.
 */
public final class BroadcastRing implements AutoCloseable {
    private static final int REGISTERED = registerMembarrier();
    private static final String CREATE = "broadcast create";
    private static final String OPEN = "broadcast open";
    /** Spin budget before sleeping, in nanoseconds (system property ipcj.broadcast.spinNanos). */
    static final long SPIN_NANOS = Long.getLong("ipcj.broadcast.spinNanos", 20_000L);
    /** The longest sleep without re-checking the header and the object's size. */
    static final long CHECK_NANOS = Math.max(1_000_000L, Long.getLong("ipcj.broadcast.checkNanos", 1_000_000_000L));

    final String name;
    private final SharedMemory shm;
    final MappedRegion region;
    /** A read-only view of the whole mapping, for LOSSLESS handlers. */
    final ByteBuffer readOnly;
    final BroadcastMode mode;
    final int capacity;
    final int mask;
    final int maxRecordLength;
    final boolean asymmetric;
    final long objectSize;
    /** Address of the mapping's first byte; valid while the region object is reachable (see MappedRegion). */
    final long base;
    final long data;
    volatile boolean closed;
    private volatile long spinNanos = SPIN_NANOS;
    /** This handle's open publisher and subscribers: close() releases their places first. */
    final java.util.Set<AutoCloseable> members = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private BroadcastRing(String name, SharedMemory shm, MappedRegion region, BroadcastMode mode, int capacity,
            int maxRecordLength, boolean asymmetric) {
        this.name = name;
        this.shm = shm;
        this.region = region;
        this.mode = mode;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.maxRecordLength = maxRecordLength;
        this.asymmetric = asymmetric;
        this.objectSize = (long) HEADER_SIZE + capacity;
        this.base = region.address(0, objectSize);
        this.data = base + DATA_OFFSET;
        this.readOnly = region.buffer().slice(0, (int) objectSize).asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    }

    /**
     * Creates the shared memory object {@code name} (exclusively, mode 0600) holding an empty
     * broadcast ring.
     *
     * @param name            the shared memory object's name, {@code "/"} and a name
     * @param mode            LOSSLESS or LOSSY
     * @param capacity        bytes of the data area: a power of two from 4096 to 2^30
     * @param maxRecordLength the largest payload, 1..capacity / 4 - 16
     * @return the open ring
     * @throws dev.ipcj.AlreadyExistsException if the name exists (nothing is touched)
     * @throws InvalidArgumentException        for a bad name, mode, capacity or length
     */
    public static BroadcastRing create(String name, BroadcastMode mode, int capacity, int maxRecordLength) {
        return create(name, mode, capacity, maxRecordLength, SharedMemory.DEFAULT_MODE);
    }

    /**
     * As {@link #create(String, BroadcastMode, int, int)} with permission bits {@code fileMode}.
     * If a step after the exclusive create fails, the object this call made is removed (and only
     * that one).
     *
     * @param name            the shared memory object's name, {@code "/"} and a name
     * @param mode            LOSSLESS or LOSSY
     * @param capacity        bytes of the data area: a power of two from 4096 to 2^30
     * @param maxRecordLength the largest payload, 1..capacity / 4 - 16
     * @param fileMode        the permission bits, e.g. {@code 0600}
     * @return the open ring
     * @throws dev.ipcj.AlreadyExistsException if the name exists (nothing is touched)
     * @throws InvalidArgumentException        for a bad name, mode, capacity or length
     */
    public static BroadcastRing create(String name, BroadcastMode mode, int capacity, int maxRecordLength,
            int fileMode) {
        Names.check(CREATE, name, Names.NAME_MAX);
        if (mode == null) {
            throw new InvalidArgumentException(CREATE, name, 0, "mode is null");
        }
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1) {
            throw new InvalidArgumentException(CREATE, name, 0, "capacity " + capacity
                    + " is not a power of two from " + MIN_CAPACITY + " to " + MAX_CAPACITY);
        }
        if (maxRecordLength < 1 || maxRecordLength > maxRecordLengthFor(capacity)) {
            throw new InvalidArgumentException(CREATE, name, 0, "maxRecordLength " + maxRecordLength
                    + " is outside 1.." + maxRecordLengthFor(capacity) + " (capacity / 4 - 16)");
        }
        boolean asymmetric = REGISTERED == 0 && !"full".equals(System.getProperty("ipcj.broadcast.fence"));
        long size = (long) HEADER_SIZE + capacity;
        SharedMemory shm = SharedMemory.create(name, size, fileMode);
        long inode = ShmInode.of(name);
        MappedRegion region = null;
        try {
            region = shm.map();
            long a = region.address(0, size);
            MemoryAccess.putInt(a + VERSION_OFFSET, VERSION);
            MemoryAccess.putInt(a + MODE_OFFSET, mode.code);
            MemoryAccess.putInt(a + CAPACITY_OFFSET, capacity);
            MemoryAccess.putInt(a + MAX_RECORD_OFFSET, maxRecordLength);
            MemoryAccess.putLong(a + OBJECT_SIZE_OFFSET, size);
            MemoryAccess.putInt(a + FLAGS_OFFSET, asymmetric ? FLAG_ASYMMETRIC : 0);
            MemoryAccess.putInt(a + HEADER_SIZE_OFFSET, HEADER_SIZE);
            MemoryAccess.putInt(a + SLOT_COUNT_OFFSET, SLOT_COUNT);
            MemoryAccess.putLongVolatile(a + MAGIC_OFFSET, MAGIC); // last: a joiner that sees it sees the rest
            region.checkIntact(CREATE);
            FaultPoint.deliver();
            return new BroadcastRing(name, shm, region, mode, capacity, maxRecordLength, asymmetric);
        } catch (RuntimeException | Error e) {
            release(region, shm);
            if (inode >= 0 && ShmInode.of(name) == inode) {
                try {
                    SharedMemory.unlinkIfExists(name);
                } catch (RuntimeException ignored) {
                    // the original failure is what the caller needs
                }
            }
            if (e instanceof InternalError && Faults.isMappingFault(e)) {
                throw Faults.truncated(CREATE, name, (InternalError) e, -1);
            }
            throw e;
        }
    }

    /**
     * Opens an existing broadcast ring, checking its header.
     *
     * @param name the shared memory object's name
     * @return the open ring
     * @throws dev.ipcj.NotFoundException if there is no such object
     * @throws CorruptedException         if the object is not a broadcast ring (naming what differs)
     */
    public static BroadcastRing open(String name) {
        return open(name, null);
    }

    /**
     * Opens an existing broadcast ring and checks that it has the expected mode.
     *
     * @param name the shared memory object's name
     * @param mode the expected mode, or null for any
     * @return the open ring
     * @throws dev.ipcj.NotFoundException if there is no such object
     * @throws CorruptedException         if the object is not a broadcast ring or has another mode
     */
    public static BroadcastRing open(String name, BroadcastMode mode) {
        Names.check(OPEN, name, Names.NAME_MAX);
        SharedMemory shm = SharedMemory.open(name);
        MappedRegion region = null;
        try {
            long size = shm.size();
            if (size < HEADER_SIZE + MIN_CAPACITY || size > (long) HEADER_SIZE + MAX_CAPACITY) {
                throw corrupt(OPEN, name, "object size " + size + " is outside " + (HEADER_SIZE + MIN_CAPACITY)
                        + ".." + ((long) HEADER_SIZE + MAX_CAPACITY) + ": not an ipcj broadcast ring");
            }
            region = shm.map(0, size, false);
            long a = region.address(0, size);
            long magic = MemoryAccess.getLongVolatile(a + MAGIC_OFFSET);
            if (magic != MAGIC) {
                throw corrupt(OPEN, name, magic == 0
                        ? "magic is 0: the creator has not finished initialising it, or it is not a broadcast ring"
                        : "magic 0x" + Long.toHexString(magic) + " is not \"IPCJBCST\": not an ipcj broadcast ring");
            }
            int version = MemoryAccess.getInt(a + VERSION_OFFSET);
            if (version != VERSION) {
                throw corrupt(OPEN, name, "layoutVersion " + version + " is not the supported " + VERSION);
            }
            int code = MemoryAccess.getInt(a + MODE_OFFSET);
            BroadcastMode m = BroadcastMode.of(code);
            if (m == null) {
                throw corrupt(OPEN, name, "mode " + code + " is not 1 (LOSSLESS) or 2 (LOSSY)");
            }
            if (mode != null && m != mode) {
                throw corrupt(OPEN, name, "mode " + m + " differs from the expected " + mode);
            }
            int capacity = MemoryAccess.getInt(a + CAPACITY_OFFSET);
            if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1) {
                throw corrupt(OPEN, name, "capacity " + capacity + " is not a power of two from "
                        + MIN_CAPACITY + " to " + MAX_CAPACITY);
            }
            int max = MemoryAccess.getInt(a + MAX_RECORD_OFFSET);
            if (max < 1 || max > maxRecordLengthFor(capacity)) {
                throw corrupt(OPEN, name, "maxRecordLength " + max + " is outside 1.." + maxRecordLengthFor(capacity));
            }
            long objectSize = MemoryAccess.getLong(a + OBJECT_SIZE_OFFSET);
            if (objectSize != (long) HEADER_SIZE + capacity || size != objectSize) {
                throw corrupt(OPEN, name, "objectSize field " + objectSize + ", actual size " + size
                        + ", expected header " + HEADER_SIZE + " + capacity " + capacity);
            }
            int headerSize = MemoryAccess.getInt(a + HEADER_SIZE_OFFSET);
            int slots = MemoryAccess.getInt(a + SLOT_COUNT_OFFSET);
            if (headerSize != HEADER_SIZE || slots != SLOT_COUNT) {
                throw corrupt(OPEN, name, "headerSize " + headerSize + " / slotCount " + slots + " are not "
                        + HEADER_SIZE + " / " + SLOT_COUNT);
            }
            int flags = MemoryAccess.getInt(a + FLAGS_OFFSET);
            if ((flags & ~FLAG_ASYMMETRIC) != 0) {
                throw corrupt(OPEN, name, "flags 0x" + Integer.toHexString(flags) + " has bits other than 0x1");
            }
            boolean asymmetric = (flags & FLAG_ASYMMETRIC) != 0;
            if (asymmetric && REGISTERED != 0) {
                throw IpcException.of("membarrier", name, REGISTERED, "the ring was created ASYMMETRIC, but this"
                        + " process cannot register for MEMBARRIER_CMD_GLOBAL_EXPEDITED");
            }
            region.checkIntact(OPEN);
            FaultPoint.deliver();
            return new BroadcastRing(name, shm, region, m, capacity, max, asymmetric);
        } catch (RuntimeException | Error e) {
            release(region, shm);
            if (e instanceof InternalError && Faults.isMappingFault(e)) {
                throw Faults.truncated(OPEN, name, (InternalError) e, -1);
            }
            throw e;
        }
    }

    /**
     * Removes the name {@code name} (the memory goes when the last process unmaps it).
     *
     * @param name the ring's name
     * @throws dev.ipcj.NotFoundException if there is no such object
     */
    public static void unlink(String name) {
        Names.check("broadcast unlink", name, Names.NAME_MAX);
        SharedMemory.unlink(name);
    }

    /**
     * Removes the name if present.
     *
     * @param name the ring's name
     * @return true if the name existed and was removed
     */
    public static boolean unlinkIfExists(String name) {
        Names.check("broadcast unlink", name, Names.NAME_MAX);
        return SharedMemory.unlinkIfExists(name);
    }

    /**
     * Attaches the publisher: one at a time across all processes; a dead one's place is taken
     * over (and a record it left half written is turned into padding).
     *
     * @return the publisher
     * @throws dev.ipcj.BusyException if a live process holds the publisher already
     * @throws CorruptedException     if the header's bytes are garbage or the object was truncated
     */
    public BroadcastPublisher publisher() {
        String call = "broadcast publisher";
        checkOpen(call);
        try {
            checkSize(call);
            BroadcastPublisher p = new BroadcastPublisher(this);
            region.checkIntact(call);
            FaultPoint.deliver();
            return p;
        } catch (InternalError e) {
            throw fault(call, e);
        }
    }

    /**
     * Joins as a subscriber in a free slot, or in the slot of a subscriber found dead. The
     * subscriber sees the records published from now on.
     *
     * @return the subscriber
     * @throws dev.ipcj.LimitExceededException if all {@link BroadcastLayout#SLOT_COUNT} slots hold live subscribers
     * @throws CorruptedException              if the header's bytes are garbage or the object was truncated
     */
    public BroadcastSubscriber subscriber() {
        String call = "broadcast subscriber";
        checkOpen(call);
        try {
            checkSize(call);
            BroadcastSubscriber s = new BroadcastSubscriber(this);
            region.checkIntact(call);
            FaultPoint.deliver();
            return s;
        } catch (InternalError e) {
            throw fault(call, e);
        }
    }

    /**
     * The shared memory object's name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * LOSSLESS or LOSSY.
     *
     * @return the mode
     */
    public BroadcastMode mode() {
        return mode;
    }

    /**
     * Bytes of the data area.
     *
     * @return the capacity
     */
    public int capacity() {
        return capacity;
    }

    /**
     * The largest payload a record may have.
     *
     * @return the maxRecordLength
     */
    public int maxRecordLength() {
        return maxRecordLength;
    }

    /**
     * How many slots hold a live subscriber now (a snapshot; dead ones not yet taken over count
     * as free).
     *
     * @return the number of live subscribers
     */
    public int subscriberCount() {
        String call = "broadcast subscriberCount";
        checkOpen(call);
        try {
            int used = Math.min(SLOT_COUNT, Math.max(0, MemoryAccess.getIntVolatile(base + SLOTS_USED_OFFSET)));
            int n = 0;
            for (int i = 0; i < used; i++) {
                long id = MemoryAccess.getLongVolatile(base + slotOffset(i) + SLOT_IDENTITY);
                if (id != 0 && dev.ipcj.internal.ProcessIdentity.alive(id)) {
                    n++;
                }
            }
            region.checkIntact(call);
            return n;
        } catch (InternalError e) {
            throw fault(call, e);
        }
    }

    /**
     * How long this process's blocking calls spin before they sleep on the futex (default the
     * system property {@code ipcj.broadcast.spinNanos}, else 20 microseconds; more than one
     * second counts as one second).
     *
     * @param spin the time to spin, zero or more
     * @throws InvalidArgumentException if {@code spin} is null or negative
     */
    public void setSpinTime(Duration spin) {
        if (spin == null || spin.isNegative()) {
            throw new InvalidArgumentException("broadcast setSpinTime", name, 0, "spin time " + spin
                    + " is null or negative");
        }
        spinNanos = spin.compareTo(Duration.ofSeconds(1)) > 0 ? 1_000_000_000L : spin.toNanos();
    }

    /**
     * Whether wakers skip the per-message fence (membarrier on the sleeper's side instead).
     *
     * @return true if asymmetric
     */
    public boolean isAsymmetric() {
        return asymmetric;
    }

    /**
     * Closes this handle's publisher and subscribers (their places in the header are freed, so a
     * LOSSLESS publisher elsewhere stops waiting for them), then unmaps; this process's threads
     * blocked on the ring wake and throw ClosedException. Idempotent; does not throw when the
     * object was truncated under the mapping.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            for (AutoCloseable m : members.toArray(new AutoCloseable[0])) {
                try {
                    m.close();
                } catch (Exception | InternalError e) {
                    // a vanished page needs no freeing; the others are still released
                }
            }
            closed = true;
        }
        try {
            if (!region.isTruncated()) {
                MemoryAccess.getAndAddInt(base + WAKE_COUNTER_OFFSET, 1);
                MemoryAccess.putIntVolatile(base + PUBLISHER_WAITING_OFFSET, 0);
                Futex.futexWake(base + WAKE_COUNTER_OFFSET, Integer.MAX_VALUE);
                Futex.futexWake(base + PUBLISHER_WAITING_OFFSET, Integer.MAX_VALUE);
            }
            FaultPoint.deliver();
        } catch (InternalError e) {
            if (!Faults.isMappingFault(e)) {
                throw e;
            }
        } finally {
            release(region, shm);
        }
    }

    private static void release(MappedRegion region, SharedMemory shm) {
        try {
            if (region != null) {
                region.close();
            }
        } catch (RuntimeException ignored) {
            // the mapping stays until the GC unmaps it: still no crash (see MappedRegion)
        } finally {
            shm.close();
        }
    }

    // ---- shared by the publisher and the subscribers ----

    void checkOpen(String call) {
        if (closed) {
            throw new ClosedException(call, name, 0, "the broadcast ring was closed");
        }
    }

    static CorruptedException corrupt(String call, String name, String detail) {
        return new CorruptedException(call, name, 0, detail);
    }

    /** For bad shared bytes: ClosedException if we closed meanwhile, the truncation if the object shrank. */
    IpcException corrupt(String call, String detail) {
        if (closed) {
            return new ClosedException(call, name, 0, "the broadcast ring was closed");
        }
        long size = currentSize();
        if ((size >= 0 && size < objectSize) || region.isTruncated()) {
            return corrupt(call, name, "the object was truncated to " + size + " bytes under the mapping (the ring has "
                    + objectSize + "): another process shrank it (read: " + detail + ")");
        }
        return corrupt(call, name, detail);
    }

    /** The typed exception for an InternalError: a mapping fault becomes CorruptedException, others are rethrown. */
    RuntimeException fault(String call, InternalError e) {
        if (!Faults.isMappingFault(e)) {
            throw e;
        }
        if (closed) {
            return new ClosedException(call, name, 0, "the broadcast ring was closed");
        }
        return Faults.truncated(call, name, e, currentSize());
    }

    long currentSize() {
        try {
            return shm.size();
        } catch (RuntimeException e) {
            return -1;
        } catch (InternalError e) {
            if (!Faults.isMappingFault(e)) {
                throw e;
            }
            return -1;
        }
    }

    /** Fails if the object is now smaller than the ring (truncated by another process) or the guard saw it. */
    void checkSize(String call) {
        long size;
        try {
            size = shm.size();
        } catch (ClosedException e) {
            checkOpen(call);
            throw e;
        }
        if (size < objectSize || region.isTruncated()) {
            checkOpen(call);
            throw corrupt(call, name, "the object was truncated to " + size + " bytes under the mapping (the ring has "
                    + objectSize + "): another process shrank it; its contents are gone");
        }
    }

    /** Header fields that never change, re-checked on slow paths so that garbage over them is noticed. */
    void checkHeader(String call) {
        checkOpen(call);
        long magic = MemoryAccess.getLongVolatile(base + MAGIC_OFFSET);
        int c = MemoryAccess.getInt(base + CAPACITY_OFFSET);
        int m = MemoryAccess.getInt(base + MAX_RECORD_OFFSET);
        int md = MemoryAccess.getInt(base + MODE_OFFSET);
        region.checkIntact(call);
        if (magic != MAGIC || c != capacity || m != maxRecordLength || md != mode.code) {
            throw corrupt(call, "the header was overwritten: magic 0x" + Long.toHexString(magic) + ", capacity " + c
                    + ", maxRecordLength " + m + ", mode " + md + " (expected capacity " + capacity + ", maxRecordLength "
                    + maxRecordLength + ", mode " + mode.code + ")");
        }
    }

    /** Reads (volatile) a position word at {@code offset} and checks it is a non-negative multiple of 16. */
    long position(String call, long address, String field) {
        long p = MemoryAccess.getLongVolatile(address);
        if (p < 0 || (p & (RECORD_ALIGN - 1)) != 0) {
            throw corrupt(call, field + " " + p + " is not a non-negative multiple of " + RECORD_ALIGN);
        }
        return p;
    }

    /** The sleeper's barrier between announcing itself and re-checking. */
    void sleeperBarrier() {
        if (asymmetric) {
            int r = Futex.membarrierGlobal();
            if (r < 0) {
                throw IpcException.of("membarrier", name, r, "MEMBARRIER_CMD_GLOBAL_EXPEDITED failed");
            }
        } else {
            MemoryAccess.fullFence();
        }
    }

    /** The publisher's waking of idle subscribers: only when one announced itself (no syscall otherwise). */
    void wakeSubscribers() {
        long flag = base + SUBSCRIBERS_WAITING_OFFSET;
        if (MemoryAccess.getIntVolatile(flag) != 0) {
            FaultPoint.deliver();
            if (MemoryAccess.compareAndSetInt(flag, 1, 0)) {
                long counter = base + WAKE_COUNTER_OFFSET;
                MemoryAccess.getIntVolatile(counter);
                FaultPoint.deliver();
                MemoryAccess.getAndAddInt(counter, 1);
                Futex.futexWake(counter, Integer.MAX_VALUE);
                bells().ringAll(); // a WaitSet may be the subscriber that announced itself
            }
        }
    }

    private volatile dev.ipcj.internal.BellTable bells;

    /** The subscribers' table of WaitSet doorbells (see BroadcastSubscriber.waitHook). */
    dev.ipcj.internal.BellTable bells() {
        dev.ipcj.internal.BellTable b = bells;
        if (b == null) {
            b = new dev.ipcj.internal.BellTable(region.buffer(), BELLS_OFFSET);
            bells = b;
        }
        return b;
    }

    /** A subscriber's waking of the publisher (LOSSLESS), when it announced itself. */
    void wakePublisher() {
        long word = base + PUBLISHER_WAITING_OFFSET;
        if (MemoryAccess.getIntVolatile(word) != 0) {
            FaultPoint.deliver();
            if (MemoryAccess.compareAndSetInt(word, 1, 0)) {
                Futex.futexWake(word, Integer.MAX_VALUE);
            }
        }
    }

    /** Something a sleeper re-checks; {@code slow} after a sleep or before the first (liveness checks go there). */
    interface Ready {
        boolean ready(boolean slow);
    }

    /**
     * Spins, then sleeps until {@code ready} holds or the timeout passes. {@code flagOffset} is the
     * word a sleeper sets to 1 to be woken; {@code futexOffset} the word it sleeps on: the same word
     * for the publisher, the wake counter for subscribers (then the value is read before the flag
     * is set, so a bump in between makes FUTEX_WAIT return at once). Each sleep lasts at most
     * {@code sliceNanos} and {@link #CHECK_NANOS}, after which the header and size are re-checked.
     *
     * @param timeoutNanos 0..{@link Timeouts#MAX_NANOS}
     * @return whether {@code ready} held (false: timed out)
     */
    boolean await(int flagOffset, int futexOffset, Ready ready, long timeoutNanos, long sliceNanos, String call)
            throws InterruptedException {
        long start = System.nanoTime();
        long spin = Math.min(spinNanos, timeoutNanos);
        for (int i = 1;; i++) {
            if (ready.ready(false)) {
                return true;
            }
            if (spin <= 0) {
                break;
            }
            Thread.onSpinWait();
            if ((i & 63) == 0) {
                if (Thread.currentThread().isInterrupted()) {
                    throw Waiter.interrupted();
                }
                if (System.nanoTime() - start >= spin) {
                    break;
                }
            }
        }
        boolean counter = flagOffset != futexOffset;
        long flag = base + flagOffset;
        long futex = base + futexOffset;
        long slice = Math.min(sliceNanos, CHECK_NANOS);
        Waiter w = Waiter.current();
        for (;;) {
            checkHeader(call);
            FaultPoint.deliver();
            long left = timeoutNanos - (System.nanoTime() - start);
            if (left <= 0) {
                return ready.ready(true);
            }
            long remaining = Math.min(left, slice);
            int expected = counter ? MemoryAccess.getIntVolatile(futex) : 1;
            MemoryAccess.putIntVolatile(flag, 1);
            sleeperBarrier();
            checkOpen(call);
            if (ready.ready(true)) {
                return true;
            }
            w.enter();
            int r;
            boolean interrupted;
            try {
                r = Futex.futexWait(futex, expected, remaining);
            } finally {
                interrupted = w.exit();
            }
            checkOpen(call);
            if (r == 0 || r == -Errno.EAGAIN || r == -Errno.ETIMEDOUT) {
                if (r == -Errno.ETIMEDOUT) {
                    checkSize(call);
                }
                continue;
            }
            if (Waiter.retry(r, interrupted)) {
                continue;
            }
            if (r == -Errno.EFAULT) {
                checkSize(call);
                throw corrupt(call, "futex(FUTEX_WAIT): EFAULT: the page of the futex word is gone");
            }
            throw IpcException.of("futex(FUTEX_WAIT)", name, r);
        }
    }

    /** A caller's timeout in nanoseconds, saturating (see {@link Timeouts}). */
    long nanos(String call, Duration timeout) {
        return Timeouts.nanos(call, name, timeout);
    }

    private static int registerMembarrier() {
        int r = Futex.membarrierRegister();
        return r < 0 ? r : 0;
    }

}
