package dev.ipcj.ring;

import static dev.ipcj.ring.RingLayout.*;

import dev.ipcj.BusyException;
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
import dev.ipcj.internal.Waiter;
import dev.ipcj.jni.Futex;
import dev.ipcj.jni.Sys;
import dev.ipcj.posix.SharedMemory;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

/**
 * A bounded buffer of variable-length records in a POSIX shared memory object, used by Java
 * and C processes alike (the C twin is {@code ipcj_ring.h}). One process {@link #create}s it,
 * others {@link #open} it; each takes a {@link #producer()} or a {@link #consumer()}. The
 * byte layout is drawn in {@link RingLayout}.
 *
 * <pre>{@code
 * try (SharedRing ring = SharedRing.create("/orders", RingVariant.ONE_TO_ONE, 1 << 20, 4096);
 *      RingProducer p = ring.producer()) {
 *     p.put("hello".getBytes());
 * }
 * // elsewhere
 * try (SharedRing ring = SharedRing.open("/orders"); RingConsumer c = ring.consumer()) {
 *     byte[] m = c.take();
 * }
 * }</pre>
 *
 * <h2>Data path</h2>
 * Records are written and read with raw acquire/release/CAS accesses and copies at addresses
 * inside the mapping ({@link RingMemory}: why they cannot leave it, nor outlive it), without the
 * per-access checks of ByteBuffer: no JNI call and no allocation per message. Handlers and
 * zero-copy claims see the payload through a direct ByteBuffer over the same memory.
 * Every position, length and header word read from shared memory is checked (against the
 * capacity, maxRecordLength, the other position, alignment) before it is used as an index;
 * a violation throws {@link CorruptedException} naming the field, its value and the allowed
 * range. Indexes are always {@code position & (capacity - 1)} with this process's own copy of
 * the capacity, so no garbage can make a read leave the mapping.
 *
 * <h2>Blocking without lost wake-ups</h2>
 * A consumer that finds nothing spins a few microseconds ({@link Thread#onSpinWait()}), then
 * sleeps with FUTEX_WAIT on {@code consumerWaiting}; a full producer does the same on
 * {@code producerWaiting}. It is Dekker's pattern:
 * <pre>
 *   sleeper                                   waker
 *   W1 store waiting = 1                      P1 store in/out (release; the publish)
 *   F  full barrier                           F' (see below)
 *   W2 re-check in/out: progress? leave       P2 load waiting: 1? CAS it 1 -&gt; 0, FUTEX_WAKE
 *   W3 FUTEX_WAIT(waiting, 1)
 * </pre>
 * With barriers on both sides, either W2 sees P1 (no sleep) or P2 sees W1 (a wake). FUTEX_WAIT
 * compares the word atomically inside the kernel, so a wake that came between W2 and W3 (it set
 * the word to 0) makes W3 return at once. Every waiter re-checks after waking; spurious
 * wake-ups are harmless.
 *
 * <p>F' is the expensive part: a full fence on every publish costs ~10-100 ns, as much as the
 * whole message. When the kernel offers it (Linux &gt;= 4.16), a ring is created ASYMMETRIC:
 * every process registers with {@code MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED}, wakers need only
 * keep P1 before P2 in program order (no hardware fence), and the sleeper's F is
 * {@code membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED)}. That call returns only after every
 * running thread of every registered process has executed a full barrier (a descheduled one
 * already had one at its context switch). Let B be that barrier in the waker: if P1 came
 * before B, P1 is visible before the membarrier returns, so W2 sees it; if P1 came after B,
 * so did P2, which then sees W1 (visible before B, because membarrier starts with a full
 * barrier in the caller). Either way no wake-up is lost, and the cost moved to the sleeper's
 * slow path, where a syscall is being paid anyway. Program order of P1 before P2 in Java
 * rests on HotSpot compiling VarHandle accesses to off-heap memory with compiler barriers
 * around them (MemBarCPUOrder for these "unknown base" Unsafe accesses); set
 * {@code -Dipcj.ring.fence=full} when creating to get a ring with a real fence in every
 * publish instead. The trade-off, measured two processes apart (2 cores, shared): a blocking
 * ping-pong where every message wakes a sleeper took ~12 us per round trip ASYMMETRIC (two
 * membarrier calls, each interrupting the other core) and ~7-9 us with fence=full, against
 * ~12 us for a process-shared sem_t in C; streaming pays the fence on every publish instead.
 * Choose fence=full for request/response traffic that sleeps between messages. A joining process must register too, or open() fails. In MANY_TO_ONE
 * the producer's commit is a CAS followed by the volatile load of P2, and volatile accesses are
 * sequentially consistent: that is F' in either mode (on x86 because the CAS is a full fence, on
 * arm64 because LDAR is never satisfied before an earlier STLXR/CASAL is visible).
 *
 * <p>On arm64 (see the README's linux-arm64 section): nothing here relies on x86's TSO. Record
 * bytes and headers are ordered by the release store of {@code in}/{@code out} (STLR) and the
 * acquire or volatile load of it (LDAR); a plain load after that acquire is ordered by it; the
 * MANY_TO_ONE consumer's frees come after a release fence (DMB ISH); and membarrier is the
 * kernel's on every architecture.
 *
 * <p>When both sides are busy the waiting words stay 0: no syscall per message.
 * {@link Thread#interrupt()} wakes a thread sleeping in FUTEX_WAIT (through
 * {@link dev.ipcj.internal.Waiter}); it then throws InterruptedException and has consumed or
 * produced nothing.
 *
 * <h2>Crash safety</h2>
 * ONE_TO_ONE: a record becomes visible only when {@code in} moves past it, so a producer killed
 * mid-write leaves nothing torn; a consumer killed mid-read has not moved {@code out}, so the
 * record is still there for the next consumer. The producer and consumer pids in the header
 * refuse a second live producer or consumer and let a successor take over from a dead one.
 * MANY_TO_ONE: see {@link RingConsumer} for how the claim of a producer killed between claiming
 * and committing is found (its pid is in the CLAIMED header; {@code kill(pid, 0)}) and turned
 * into PADDING, so the consumer moves on. Pid reuse: if the dead producer's pid was given to a
 * new process meanwhile, the consumer keeps waiting (it cannot tell); it never skips the
 * record of a live producer. When a record counts as taken, and what a consumer killed at each
 * point leaves to its successor, is {@link RingConsumer}'s "Delivery guarantee".
 *
 * <h2>Processes that write or truncate the object</h2>
 * Any process that can open the object read-write (by default: the creator's user; mode 0600)
 * can write any byte of it. Every position, length and header word is checked before use, so
 * such bytes end in {@link CorruptedException} naming the field, or are used as the valid values
 * they happen to be: such a process can forge, drop, repeat or reorder records and wedge the
 * ring (a claim header naming a live pid stops the consumer), but it cannot make a call read or
 * write outside the mapping, crash the JVM, or keep a timed call past its deadline. A sleeper
 * re-checks the header and the object's size at least every second ({@code ipcj.ring.checkNanos}),
 * so garbage written without a wake-up, or a cleared waiting word, costs at most that delay.
 *
 * <p>A process with the right to ftruncate the object can make its pages vanish under the
 * mapping. Then every call on the ring ends in CorruptedException ("another process truncated
 * the object"): the JVM turns faults of the ring's Unsafe and ByteBuffer accesses into an
 * InternalError, which the ring translates; each compare-and-set is preceded by a guarded probe
 * of the same word and a {@link dev.ipcj.internal.FaultPoint} (the JVM does not guard a CAS in
 * interpreted code); the object's size is checked on attach and whenever a sleep times out,
 * so a side asleep in FUTEX_WAIT wakes within a second and reports. What remains: on JDK 17
 * compiled code reports a fault at its next safepoint or VM call, which may come after the ring's
 * call returned, in the caller's code (the InternalError itself, "a fault occurred in a recent
 * unsafe memory access operation"; not seen on JDK 25, which reports it at the access), and a
 * handler may meanwhile see garbage from the vanished pages; interpreted code dies of SIGBUS if
 * the truncation lands in the few instructions between a probe and its CAS; a C process using
 * {@code ipcj_ring.h} dies of SIGBUS.
 *
 * <p>{@link #create} is exclusive and removes only what it made; {@link #open} refuses any
 * object that is not a ring (another kind of file, a wrong size, a bad header) with a typed error.
 *
 * <h2>Many consumers</h2>
 * Not offered. Several consumers on one ring would each have to claim records and release them
 * in order, and one slow or dead consumer would hold back the space of all the others; the
 * usual answer is the better one: give each consumer its own ring (MANY_TO_ONE if several
 * processes feed it) and let producers pick a ring (by key, or round robin).
 *
 * <h2>Closing</h2>
 * {@link #close()} unmaps (see {@link MappedRegion}): threads still using this ring see
 * {@link ClosedException}, blocked ones are woken. The object stays until {@link #unlink}.
 */
public final class SharedRing implements AutoCloseable {
    static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private static final int REGISTERED = registerMembarrier();
    private static final String CREATE = "ring create";
    private static final String OPEN = "ring open";

    final String name;
    /** Kept open for fstat: the object's size is checked on attach and where a wait times out. */
    private final SharedMemory shm;
    final MappedRegion region;
    /** The mapping, exactly {@code HEADER_SIZE + capacity} bytes, native order. */
    final ByteBuffer buf;
    final ByteBuffer readOnly;
    final RingVariant variant;
    final int capacity;
    final int mask;
    final int maxRecordLength;
    final boolean asymmetric;
    final int pid;
    final long objectSize;
    /** Address of the mapping's first byte (offset 0): see {@link RingMemory} for why it stays valid. */
    final long base;
    final long consumerWaitingAddress;
    final long producerWaitingAddress;
    volatile boolean closed;
    private volatile long spinNanos = SPIN_NANOS;
    /** WaitSet doorbells rung with the consumer's and the producers' futex words (see RingBells). */
    final dev.ipcj.internal.BellTable readBells;
    final dev.ipcj.internal.BellTable writeBells;

    private SharedRing(String name, SharedMemory shm, MappedRegion region, ByteBuffer buf, RingVariant variant,
            int capacity, int maxRecordLength, boolean asymmetric) {
        this.name = name;
        this.shm = shm;
        this.region = region;
        this.buf = buf;
        this.readOnly = buf.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
        this.variant = variant;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.maxRecordLength = maxRecordLength;
        this.asymmetric = asymmetric;
        this.pid = Sys.getpid();
        this.objectSize = (long) HEADER_SIZE + capacity;
        this.base = region.address(0, objectSize);
        this.consumerWaitingAddress = region.address(CONSUMER_WAITING_OFFSET, 4);
        this.producerWaitingAddress = region.address(PRODUCER_WAITING_OFFSET, 4);
        this.readBells = new dev.ipcj.internal.BellTable(buf, READ_BELLS_OFFSET);
        this.writeBells = new dev.ipcj.internal.BellTable(buf, WRITE_BELLS_OFFSET);
    }

    /**
     * Creates the shared memory object {@code name} (exclusively, mode 0600) holding an empty ring.
     * If the name exists, fails with {@link dev.ipcj.AlreadyExistsException} and touches nothing;
     * if a later step fails, removes the object it made (and only that one: not an object another
     * process put under the name meanwhile).
     *
     * @param name    the shared memory object's name, {@code "/"} and a name
     * @param variant one producer or many
     * @param capacity        bytes of the data area: a power of two from 4096 to 2^30
     * @param maxRecordLength the largest payload; 8 + it, rounded up to 8, at most capacity / 2
     * @return the open ring
     */
    public static SharedRing create(String name, RingVariant variant, int capacity, int maxRecordLength) {
        return create(name, variant, capacity, maxRecordLength, SharedMemory.DEFAULT_MODE);
    }

    /**
     * As {@link #create(String, RingVariant, int, int)} with permission bits {@code mode}.
     *
     * @param name            the shared memory object's name, {@code "/"} and a name
     * @param variant         one producer or many
     * @param capacity        bytes of the data area: a power of two from 4096 to 2^30
     * @param maxRecordLength the largest payload; 8 + it, rounded up to 8, at most capacity / 2
     * @param mode            the permission bits, e.g. {@code 0600}
     * @return the open ring
     */
    public static SharedRing create(String name, RingVariant variant, int capacity, int maxRecordLength, int mode) {
        Names.check(CREATE, name, Names.NAME_MAX);
        if (variant == null) {
            throw new InvalidArgumentException(CREATE, name, 0, "variant is null");
        }
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1) {
            throw new InvalidArgumentException(CREATE, name, 0, "capacity " + capacity
                    + " is not a power of two from " + MIN_CAPACITY + " to " + MAX_CAPACITY);
        }
        if (maxRecordLength < 1 || maxRecordLength > maxRecordLengthFor(capacity)) {
            throw new InvalidArgumentException(CREATE, name, 0, "maxRecordLength " + maxRecordLength
                    + " is outside 1.." + maxRecordLengthFor(capacity) + " (capacity / 2 - 8 for capacity " + capacity + ")");
        }
        boolean asymmetric = REGISTERED == 0 && !"full".equals(System.getProperty("ipcj.ring.fence"));
        long size = (long) HEADER_SIZE + capacity;
        // Fails with AlreadyExistsException if the name exists: then nothing is ours to remove.
        SharedMemory shm = SharedMemory.create(name, size, mode);
        long inode = ShmInode.of(name);
        MappedRegion region = null;
        try {
            region = shm.map();
            ByteBuffer b = exact(region, size);
            b.putInt(VERSION_OFFSET, VERSION);
            b.putInt(VARIANT_OFFSET, variant.code);
            b.putInt(CAPACITY_OFFSET, capacity);
            b.putInt(MAX_RECORD_OFFSET, maxRecordLength);
            b.putLong(OBJECT_SIZE_OFFSET, size);
            b.putInt(FLAGS_OFFSET, asymmetric ? FLAG_ASYMMETRIC : 0);
            b.putInt(HEADER_SIZE_OFFSET, HEADER_SIZE);
            if (variant == RingVariant.MANY_TO_ONE) {
                // Every word FREE for lap 0: its own position.
                for (int i = 0; i < capacity; i += 8) {
                    b.putLong(DATA_OFFSET + i, i);
                }
            }
            LONGS.setRelease(b, MAGIC_OFFSET, MAGIC); // last: a joiner that sees the magic sees the rest
            FaultPoint.deliver();
            return new SharedRing(name, shm, region, b, variant, capacity, maxRecordLength, asymmetric);
        } catch (RuntimeException | Error e) {
            release(region, shm);
            removeIfOurs(name, inode);
            if (e instanceof InternalError && Faults.isMappingFault(e)) {
                throw Faults.truncated(CREATE, name, (InternalError) e, -1);
            }
            throw e;
        }
    }

    /**
     * Opens an existing ring, checking its header; fails naming what differs.
     *
     * @param name the shared memory object's name
     * @return the open ring
     */
    public static SharedRing open(String name) {
        return open(name, null, 0, 0);
    }

    /**
     * Opens an existing ring and checks that it is what the caller expects; 0 or null means
     * "any". Fails with {@link CorruptedException} naming the first field that differs, or when
     * the object under the name is not a ring (another kind of object, a wrong size, garbage).
     *
     * @param name            the shared memory object's name
     * @param variant         the expected variant, or null
     * @param capacity        the expected capacity, or 0
     * @param maxRecordLength the expected maxRecordLength, or 0
     * @return the open ring
     */
    public static SharedRing open(String name, RingVariant variant, int capacity, int maxRecordLength) {
        Names.check(OPEN, name, Names.NAME_MAX);
        if (capacity != 0 && (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1)) {
            throw new InvalidArgumentException(OPEN, name, 0, "expected capacity " + capacity
                    + " is neither 0 (any) nor a power of two from " + MIN_CAPACITY + " to " + MAX_CAPACITY);
        }
        if (maxRecordLength < 0) {
            throw new InvalidArgumentException(OPEN, name, 0, "expected maxRecordLength " + maxRecordLength
                    + " is negative (0 means any)");
        }
        SharedMemory shm = SharedMemory.open(name);
        MappedRegion region = null;
        try {
            long size = shm.size();
            if (size < HEADER_SIZE + MIN_CAPACITY) {
                throw corrupt(OPEN, name, "object size " + size + " is smaller than the smallest ring ("
                        + (HEADER_SIZE + MIN_CAPACITY) + " bytes): not an ipcj ring");
            }
            if (size > (long) HEADER_SIZE + MAX_CAPACITY) {
                throw corrupt(OPEN, name, "object size " + size + " is larger than the largest ring ("
                        + ((long) HEADER_SIZE + MAX_CAPACITY) + " bytes): not an ipcj ring");
            }
            region = shm.map(0, size, false);
            SharedRing ring = join(name, shm, region, variant, capacity, maxRecordLength);
            FaultPoint.deliver();
            return ring;
        } catch (RuntimeException | Error e) {
            release(region, shm);
            if (e instanceof InternalError && Faults.isMappingFault(e)) {
                throw Faults.truncated(OPEN, name, (InternalError) e, -1);
            }
            throw e;
        }
    }

    private static SharedRing join(String name, SharedMemory shm, MappedRegion region, RingVariant want,
            int wantCapacity, int wantMax) {
        ByteBuffer b = exact(region, region.size());
        long magic = (long) LONGS.getAcquire(b, MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw corrupt(OPEN, name, magic == 0
                    ? "magic is 0: the creator has not finished initialising it, or it is not an ipcj ring"
                    : "magic 0x" + Long.toHexString(magic) + " is not 0x" + Long.toHexString(MAGIC)
                            + " (\"IPCJRING\"): not an ipcj ring");
        }
        int version = b.getInt(VERSION_OFFSET);
        if (version != VERSION) {
            throw corrupt(OPEN, name, "layoutVersion " + version + " is not the supported " + VERSION);
        }
        int code = b.getInt(VARIANT_OFFSET);
        RingVariant variant = RingVariant.of(code);
        if (variant == null) {
            throw corrupt(OPEN, name, "variant " + code + " is not 1 (ONE_TO_ONE) or 2 (MANY_TO_ONE)");
        }
        if (want != null && variant != want) {
            throw corrupt(OPEN, name, "variant " + variant + " differs from the expected " + want);
        }
        int capacity = b.getInt(CAPACITY_OFFSET);
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1) {
            throw corrupt(OPEN, name, "capacity " + capacity + " is not a power of two from "
                    + MIN_CAPACITY + " to " + MAX_CAPACITY);
        }
        if (wantCapacity != 0 && capacity != wantCapacity) {
            throw corrupt(OPEN, name, "capacity " + capacity + " differs from the expected " + wantCapacity);
        }
        int max = b.getInt(MAX_RECORD_OFFSET);
        if (max < 1 || max > maxRecordLengthFor(capacity)) {
            throw corrupt(OPEN, name, "maxRecordLength " + max + " is outside 1.." + maxRecordLengthFor(capacity));
        }
        if (wantMax != 0 && max != wantMax) {
            throw corrupt(OPEN, name, "maxRecordLength " + max + " differs from the expected " + wantMax);
        }
        int headerSize = b.getInt(HEADER_SIZE_OFFSET);
        if (headerSize != HEADER_SIZE) {
            throw corrupt(OPEN, name, "headerSize " + headerSize + " is not " + HEADER_SIZE);
        }
        long objectSize = b.getLong(OBJECT_SIZE_OFFSET);
        if (objectSize != (long) HEADER_SIZE + capacity || region.size() != objectSize) {
            throw corrupt(OPEN, name, "objectSize field " + objectSize + ", actual object size "
                    + region.size() + ", expected header " + HEADER_SIZE + " + capacity " + capacity);
        }
        int flags = b.getInt(FLAGS_OFFSET);
        if ((flags & ~FLAG_ASYMMETRIC) != 0) {
            throw corrupt(OPEN, name, "flags 0x" + Integer.toHexString(flags) + " has bits other than 0x1");
        }
        boolean asymmetric = (flags & FLAG_ASYMMETRIC) != 0;
        if (asymmetric && REGISTERED != 0) {
            throw IpcException.of("membarrier", name, REGISTERED, "the ring was created ASYMMETRIC (wakers rely on "
                    + "membarrier), but this process cannot register for MEMBARRIER_CMD_GLOBAL_EXPEDITED");
        }
        return new SharedRing(name, shm, region, b, variant, capacity, max, asymmetric);
    }

    /**
     * The region's buffer cut to exactly {@code size} bytes, so that neither the ring nor a
     * handler's view can index past the mapping whatever capacity the region's buffer reports.
     */
    private static ByteBuffer exact(MappedRegion region, long size) {
        return region.buffer().slice(0, (int) size).order(ByteOrder.nativeOrder());
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

    /**
     * After a failed create: removes {@code name} only if it still is the object this call made
     * (same inode as right after the exclusive create), never one another process put there.
     */
    private static void removeIfOurs(String name, long inode) {
        if (inode >= 0 && ShmInode.of(name) == inode) {
            try {
                SharedMemory.unlinkIfExists(name);
            } catch (RuntimeException ignored) {
                // nothing more we can do; the original failure is what the caller needs
            }
        }
    }

    /**
     * Removes the name {@code name} (the memory goes when the last process unmaps it). Like
     * {@link SharedMemory#unlink}, it removes whatever object has that name: call it for a ring
     * this program owns.
     *
     * @param name the ring's name
     */
    public static void unlink(String name) {
        Names.check("ring unlink", name, Names.NAME_MAX);
        SharedMemory.unlink(name);
    }

    /**
     * Removes the name if present; true if it was. As {@link #unlink}, for this program's own ring.
     *
     * @param name the ring's name
     * @return true if the name existed and was removed
     */
    public static boolean unlinkIfExists(String name) {
        Names.check("ring unlink", name, Names.NAME_MAX);
        return SharedMemory.unlinkIfExists(name);
    }

    /**
     * Attaches this process's producer (only one at a time for ONE_TO_ONE, across all processes;
     * a dead one's slot is taken over).
     *
     * @return the producer
     */
    public RingProducer producer() {
        String call = "ring producer";
        checkOpen(call);
        InternalError fault = null;
        for (int round = 0;; round++) {
            try {
                try {
                    if (fault != null) {
                        throw fault(call, fault); // inside the try: a fault reported meanwhile too
                    }
                    checkSize(call);
                    if (variant == RingVariant.ONE_TO_ONE) {
                        acquireOwner(PRODUCER_PID_OFFSET, "producer");
                        try {
                            RingProducer p = new RingProducer(this);
                            FaultPoint.deliver();
                            return p;
                        } catch (RuntimeException | InternalError e) {
                            releaseOwner(PRODUCER_PID_OFFSET);
                            throw e;
                        }
                    }
                    RingProducer p = new RingProducer(this);
                    FaultPoint.deliver();
                    return p;
                } catch (InternalError e) {
                    fault = SharedRing.again(e, round);
                }
            } catch (InternalError e) { // reported again as the first was being caught
                fault = SharedRing.again(e, round);
            }
        }
    }

    /**
     * Attaches the consumer (only one at a time, across all processes). If the previous consumer
     * died, this one takes over its slot and finishes what it left half done (see
     * {@link RingConsumer}, "Delivery guarantee").
     *
     * @return the consumer
     */
    public RingConsumer consumer() {
        String call = "ring consumer";
        checkOpen(call);
        InternalError fault = null;
        for (int round = 0;; round++) {
            try {
                try {
                    if (fault != null) {
                        throw fault(call, fault); // inside the try: a fault reported meanwhile too
                    }
                    checkSize(call);
                    acquireOwner(CONSUMER_PID_OFFSET, "consumer");
                    try {
                        RingConsumer c = new RingConsumer(this);
                        FaultPoint.deliver();
                        return c;
                    } catch (RuntimeException | InternalError e) {
                        releaseOwner(CONSUMER_PID_OFFSET);
                        throw e;
                    }
                } catch (InternalError e) {
                    fault = SharedRing.again(e, round);
                }
            } catch (InternalError e) { // reported again as the first was being caught
                fault = SharedRing.again(e, round);
            }
        }
    }

    /**
     * A {@link dev.ipcj.WaitSet} hook reporting READABLE while the ring holds bytes (in != out),
     * for a user that reads the ring through its own consumer (ipcj's RING mailbox transport).
     * The consumer's own {@link RingConsumer#waitHook()} is more exact (it skips open claims).
     *
     * @return a hook of the ring's read side
     */
    public dev.ipcj.WaitHook readableHook() {
        return new RingBells(this, true, () -> {
            long out = position("WaitSet", OUT_OFFSET, "out");
            long in = position("WaitSet", IN_OFFSET, "in");
            return in != out;
        });
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
     * Whether one producer or many.
     *
     * @return the variant
     */
    public RingVariant variant() {
        return variant;
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
     * The largest payload a record may have, in bytes.
     *
     * @return the maxRecordLength
     */
    public int maxRecordLength() {
        return maxRecordLength;
    }

    /**
     * How long this process's blocking calls on this ring (take, put, timed poll/offer) spin
     * before they sleep on the futex. Spinning saves the wake-up (a few microseconds) when the
     * other side answers quickly, and burns a core meanwhile. Default: the system property
     * {@code ipcj.ring.spinNanos}, else 20 microseconds; zero sleeps at once; more than one
     * second counts as one second.
     *
     * @param spin the time to spin, zero or more
     */
    public void setSpinTime(Duration spin) {
        if (spin == null) {
            throw new InvalidArgumentException("ring setSpinTime", name, 0, "spin is null");
        }
        if (spin.isNegative()) {
            throw new InvalidArgumentException("ring setSpinTime", name, 0, "spin time " + spin + " is negative");
        }
        spinNanos = spin.compareTo(Duration.ofSeconds(1)) > 0 ? 1_000_000_000L : spin.toNanos();
    }

    /**
     * How long blocking calls spin before they sleep; see {@link #setSpinTime}.
     *
     * @return the spin time
     */
    public Duration spinTime() {
        return Duration.ofNanos(spinNanos);
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
     * Unmaps; wakes this process's threads blocked on the ring (they throw ClosedException).
     * Idempotent; does not throw when the object was truncated under the mapping.
     */
    @Override
    public void close() {
        try {
            close0();
        } catch (InternalError e) {
            if (!Faults.isMappingFault(e)) {
                throw e;
            }
        }
    }

    private void close0() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            // Bump both words to 0 and wake: a thread of ours that checked `closed` just before
            // then finds the word changed (EAGAIN) or is woken. Other processes' sleepers wake
            // spuriously and sleep again.
            if (!region.isReadOnly() && region.isOpen()) {
                INTS.setVolatile(buf, CONSUMER_WAITING_OFFSET, 0);
                INTS.setVolatile(buf, PRODUCER_WAITING_OFFSET, 0);
                Futex.futexWake(consumerWaitingAddress, Integer.MAX_VALUE);
                Futex.futexWake(producerWaitingAddress, Integer.MAX_VALUE);
            }
            FaultPoint.deliver();
        } catch (InternalError e) {
            if (!Faults.isMappingFault(e)) {
                throw e;
            }
            // truncated: nobody can sleep on the vanished page, there is nothing to wake
        } finally {
            try {
                region.close();
            } finally {
                shm.close();
            }
        }
    }

    // ---- shared helpers of RingProducer and RingConsumer ----

    void checkOpen(String call) {
        if (closed) {
            throw new ClosedException(call, name, 0, "the ring was closed");
        }
    }

    /**
     * The exception to throw for bad shared bytes: ClosedException instead if we closed meanwhile,
     * and the truncation instead if the bytes are garbage because the object shrank (a faulting
     * load in compiled code returns garbage before the JVM reports the fault).
     */
    IpcException corrupt(String call, String detail) {
        if (closed) {
            return new ClosedException(call, name, 0, "the ring was closed");
        }
        long size = currentSize();
        if ((size >= 0 && size < objectSize) || region.isTruncated()) {
            return corrupt(call, name, "the object was truncated to " + size + " bytes under the mapping (the ring has "
                    + objectSize + "): another process shrank it; its contents are gone (read: " + detail + ")");
        }
        return corrupt(call, name, detail);
    }

    static CorruptedException corrupt(String call, String name, String detail) {
        return new CorruptedException(call, name, 0, detail);
    }

    /**
     * The typed exception for an InternalError caught in {@code call}: a fault on the vanished
     * pages of a truncated object becomes CorruptedException naming the ring and its size now;
     * another InternalError is rethrown as it is.
     */
    RuntimeException fault(String call, InternalError e) {
        if (!Faults.isMappingFault(e)) {
            throw e;
        }
        // Compiled code may have faulted more than once before the first error came: a further
        // pending one can come out anywhere here, and is the same news.
        for (int tries = 0;; tries++) {
            try {
                if (closed) {
                    return new ClosedException(call, name, 0, "the ring was closed");
                }
                return Faults.truncated(call, name, e, currentSize());
            } catch (InternalError again) {
                if (!Faults.isMappingFault(again) || tries >= 10) {
                    throw again;
                }
            }
        }
    }

    /**
     * The public methods' pattern for faults: the translation into CorruptedException runs inside
     * the same try as the call, so that a fault the JVM reports a little later (compiled code on
     * JDK 17 reports it at a later safepoint or VM call, possibly while the first is translated)
     * is caught too. Returns {@code e} to translate on the next round; rethrows it when it is not
     * a mapping fault, or after a few rounds.
     */
    static InternalError again(InternalError e, int round) {
        if (!Faults.isMappingFault(e) || round >= 10) {
            throw e;
        }
        return e;
    }

    /** The object's size now (fstat), or -1 if it cannot be had. */
    long currentSize() {
        try {
            return shm.size();
        } catch (RuntimeException e) {
            return -1;
        } catch (InternalError e) {
            if (!Faults.isMappingFault(e)) {
                throw e;
            }
            return -1; // a fault of an earlier access, delivered here: the size is still unknown
        }
    }

    /** Fails if the object is now smaller than the ring: truncated by another process. */
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

    /** Header fields that never change: re-checked on slow paths, so garbage over them is noticed. */
    void checkHeader(String call) {
        checkOpen(call);
        long magic = (long) LONGS.getOpaque(buf, MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw corrupt(call, "magic 0x" + Long.toHexString(magic) + " is no longer 0x" + Long.toHexString(MAGIC)
                    + ": the header was overwritten");
        }
        int c = buf.getInt(CAPACITY_OFFSET);
        if (c != capacity) {
            throw corrupt(call, "capacity " + c + " is no longer " + capacity + ": the header was overwritten");
        }
        int m = buf.getInt(MAX_RECORD_OFFSET);
        if (m != maxRecordLength) {
            throw corrupt(call, "maxRecordLength " + m + " is no longer " + maxRecordLength
                    + ": the header was overwritten");
        }
        int v = buf.getInt(VARIANT_OFFSET);
        if (v != variant.code) {
            throw corrupt(call, "variant " + v + " is no longer " + variant.code + ": the header was overwritten");
        }
    }

    /** Reads (volatile, hence acquire) and checks a position word: 8-aligned and non-negative. */
    long position(String call, int offset, String field) {
        long p = MemoryAccess.getLongVolatile(base + offset);
        if (p < 0 || (p & 7) != 0) {
            throw corrupt(call, field + " " + p + " is not a non-negative multiple of 8");
        }
        return p;
    }

    /** Checks out <= in <= out + capacity for a consistent pair (one side's own position and the other's). */
    void checkPositions(String call, long in, long out) {
        if (in < out || in - out > capacity) {
            throw corrupt(call, "in " + in + " and out " + out + " break out <= in <= out + capacity ("
                    + capacity + ")");
        }
    }

    /**
     * Checks positions read while both move: {@code out1}, then {@code in}, then {@code out2}.
     * Both only grow, and in <= out + capacity holds at every instant, so out1 <= in and
     * in <= out2 + capacity hold for any legal motion between the reads; garbage breaks them.
     */
    void checkMoving(String call, long out1, long in, long out2) {
        if (out2 < out1 || in < out1 || in - out2 > capacity) {
            throw corrupt(call, "out " + out1 + ", then in " + in + ", then out " + out2
                    + " break out <= in <= out + capacity (" + capacity + ") with positions that only grow");
        }
    }

    private void acquireOwner(int offset, String role) {
        for (int tries = 1;; tries++) {
            if ((tries & RingProducer.RETRY_CHECK) == 0) {
                checkSize("ring " + role); // see RingProducer.claimMany
                checkHeader("ring " + role);
            }
            int owner = (int) INTS.getVolatile(buf, offset);
            if (owner != 0) {
                int alive = owner > 0 ? Sys.pidAlive(owner) : 0;
                if (alive != 0) {
                    throw new BusyException("ring " + role, name, 0, "a " + role + " is already attached (pid "
                            + owner + (owner == pid ? ", this process" : "") + "); a ring has one " + role
                            + (role.equals("producer") ? " in ONE_TO_ONE (use MANY_TO_ONE for several)" : ""));
                }
                // A dead owner (or garbage that is no pid): take over (see "Crash safety").
            }
            // The guarded probe and the delivery point before the CAS (see FaultPoint): kill() took a while.
            int again = (int) INTS.getVolatile(buf, offset);
            FaultPoint.deliver();
            if (again == owner && INTS.compareAndSet(buf, offset, owner, pid)) {
                return;
            }
        }
    }

    /** Frees the slot if it still names this process; a vanished page needs no freeing. */
    void releaseOwner(int offset) {
        if (closed) {
            return;
        }
        try {
            int owner = (int) INTS.getVolatile(buf, offset); // the guarded probe before the CAS
            FaultPoint.deliver();
            if (owner == pid) {
                INTS.compareAndSet(buf, offset, pid, 0);
            }
        } catch (InternalError e) {
            if (!Faults.isMappingFault(e)) {
                throw e;
            }
        }
    }

    /** The sleeper's barrier between announcing itself and re-checking (see the class comment). */
    void sleeperBarrier() {
        if (asymmetric) {
            int r = Futex.membarrierGlobal();
            if (r < 0) {
                throw IpcException.of("membarrier", name, r, "MEMBARRIER_CMD_GLOBAL_EXPEDITED failed");
            }
        } else {
            VarHandle.fullFence();
        }
    }

    /** Waker side: if a sleeper announced itself on the word at {@code offset}, clear it and wake. */
    void wake(int offset, long address, int count) {
        // A volatile load: HotSpot keeps it after the publishing store (compiler barrier), the
        // program order the asymmetric protocol needs; on x86 it is a plain load, on arm64 an LDAR
        // (which the core keeps after the STLR of the publish: more than ASYMMETRIC needs). It is also the
        // guarded probe before the CAS (see Faults).
        if (MemoryAccess.getIntVolatile(address) != 0) {
            FaultPoint.deliver(); // before the CAS (see FaultPoint); only when a sleeper announced itself
            if (MemoryAccess.compareAndSetInt(address, 1, 0)) {
                Futex.futexWake(address, count);
                // A WaitSet may be the sleeper that announced itself: ring the side's doorbells.
                (offset == CONSUMER_WAITING_OFFSET ? readBells : writeBells).ringAll();
            }
        }
    }

    /**
     * Clears the waiting word at {@code offset} and wakes every sleeper on it (they re-check and
     * sleep again if they must): how a closing producer or consumer wakes this process's threads
     * blocked on it. Never throws for a vanished page.
     */
    void wakeAll(int offset, long address) {
        if (closed) {
            return;
        }
        try {
            INTS.setVolatile(buf, offset, 0);
            Futex.futexWake(address, Integer.MAX_VALUE);
            FaultPoint.deliver();
        } catch (InternalError e) {
            if (!Faults.isMappingFault(e)) {
                throw e;
            }
        }
    }

    /** Something the sleeper re-checks after announcing itself. */
    interface Ready {
        boolean ready();
    }

    /**
     * Spins, then sleeps on the futex word at {@code offset} until {@code ready} holds or the
     * timeout passes. Sleepers set the word to 1 and never clear it (another sleeper may share
     * it); the waker clears it with a CAS and wakes. Each sleep lasts at most
     * {@code sliceNanos} (the MANY_TO_ONE consumer re-checks a stalled producer's liveness), and
     * never more than {@link #CHECK_NANOS}: a sleeper that nobody wakes re-checks the header and
     * the object's size, so it notices garbage or a truncation within that time.
     *
     * @param timeoutNanos {@code Long.MAX_VALUE}: forever
     * @return whether {@code ready} held (false: timed out)
     */
    boolean await(int offset, long address, Ready ready, long timeoutNanos, long sliceNanos, String call)
            throws InterruptedException {
        long start = System.nanoTime();
        long spin = Math.min(spinNanos, timeoutNanos);
        if (spin <= 0) {
            if (ready.ready()) {
                return true;
            }
        } else {
            for (int i = 1;; i++) {
                if (ready.ready()) {
                    return true;
                }
                Thread.onSpinWait();
                if ((i & 63) == 0) {
                    if (Thread.currentThread().isInterrupted()) {
                        throw Waiter.interrupted(); // spinning is waiting too: nothing was taken or put
                    }
                    if (System.nanoTime() - start >= spin) {
                        break;
                    }
                }
            }
        }
        long slice = sliceNanos > 0 ? Math.min(sliceNanos, CHECK_NANOS) : CHECK_NANOS;
        Waiter w = Waiter.current();
        for (;;) {
            checkHeader(call);
            FaultPoint.deliver(); // a fault of the spin or of the last check is thrown here
            long remaining = slice;
            if (timeoutNanos != Long.MAX_VALUE) {
                long left = timeoutNanos - (System.nanoTime() - start);
                if (left <= 0) {
                    return ready.ready();
                }
                remaining = Math.min(left, slice);
            }
            INTS.setVolatile(buf, offset, 1);
            sleeperBarrier();
            if (closed) {
                checkOpen(call); // close() may have swapped the mapping before our store
            }
            if (ready.ready()) {
                return true;
            }
            w.enter();
            int r;
            boolean interrupted;
            try {
                r = Futex.futexWait(address, 1, remaining);
            } finally {
                interrupted = w.exit();
            }
            if (closed) {
                checkOpen(call);
            }
            if (r == 0 || r == -Errno.EAGAIN) {
                if (ready.ready()) {
                    return true;
                }
                continue;
            }
            if (r == -Errno.ETIMEDOUT) {
                checkSize(call); // nobody woke us: was the object truncated while we slept?
                if (ready.ready()) {
                    return true;
                }
                continue;
            }
            if (Waiter.retry(r, interrupted)) {
                continue; // EINTR from a stray signal
            }
            if (r == -Errno.EFAULT) {
                checkSize(call);
                throw corrupt(call, "futex(FUTEX_WAIT): EFAULT: the page of the waiting word is gone (the object"
                        + " was truncated to " + currentSize() + " bytes under the mapping)");
            }
            throw IpcException.of("futex(FUTEX_WAIT)", name, r);
        }
    }

    /**
     * Saturating conversion of a caller's timeout: null is InvalidArgumentException naming the
     * call, a negative one is 0 (do not wait), one too long for a long of nanoseconds (about 292
     * years) is {@code Long.MAX_VALUE}, which the waits treat as forever.
     */
    static long nanos(String call, String name, Duration timeout) {
        if (timeout == null) {
            throw new InvalidArgumentException(call, name, 0, "timeout is null");
        }
        if (timeout.isNegative()) {
            return 0;
        }
        try {
            return timeout.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Spin budget before sleeping, in nanoseconds (system property ipcj.ring.spinNanos). */
    static final long SPIN_NANOS = Long.getLong("ipcj.ring.spinNanos", 20_000L);

    /** The longest sleep without re-checking the header and the object's size (ipcj.ring.checkNanos). */
    static final long CHECK_NANOS = Math.max(1_000_000L, Long.getLong("ipcj.ring.checkNanos", 1_000_000_000L));

    private static int registerMembarrier() {
        int r = Futex.membarrierRegister();
        return r < 0 ? r : 0;
    }

    static String errno(int r) {
        return Errno.name(r);
    }
}
