package dev.ipcj.ring;

import static dev.ipcj.ring.RingLayout.*;

import dev.ipcj.BusyException;
import dev.ipcj.ClosedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.internal.FaultPoint;
import dev.ipcj.internal.Faults;
import dev.ipcj.internal.MemoryAccess;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

/**
 * Writes records into a {@link SharedRing}: the {@code BlockingQueue} vocabulary
 * ({@link #offer}, {@link #put}, offer with a timeout) for byte[] and ByteBuffer payloads, and
 * zero-copy {@link #tryClaim}/{@link #commit}/{@link #abort}.
 *
 * <p>ONE_TO_ONE: one thread uses this producer, and at most one claim is open at a time.
 * MANY_TO_ONE: any number of threads (and processes) may use it at once; each claim is
 * independent.
 *
 * <p>Zero-copy:
 * <pre>{@code
 * int at = producer.tryClaim(32);          // -1 when full; claim(32) blocks
 * ByteBuffer b = producer.buffer();
 * b.putLong(at, seq).putLong(at + 8, price);  // absolute puts, within [at, at + 32)
 * producer.commit(at);                     // or abort(at)
 * }</pre>
 * A claim holds the ring's order: the consumer stops at it until it is committed or aborted.
 * Finish every claim (commit in the normal path, abort in a finally block). In MANY_TO_ONE a
 * claim left open by a thread of a process that goes on living blocks the consumer until that
 * process exits (then the consumer skips it, see {@link RingConsumer}); in ONE_TO_ONE close()
 * drops an open claim.
 *
 * <h2>Errors</h2>
 * Every method throws only {@link dev.ipcj.IpcException} subclasses (InvalidArgumentException for
 * a null, a length outside 0..maxRecordLength or an offset that is not a claim's, BusyException
 * for a second open claim in ONE_TO_ONE, ClosedException, CorruptedException for shared bytes
 * another process overwrote or an object truncated under the mapping), InterruptedException from
 * the blocking forms, and IndexOutOfBoundsException for {@code offset}/{@code length} outside the
 * caller's own array in {@link #offer(byte[], int, int)}. Timeouts saturate: a negative one does
 * not wait, one too large for a long of nanoseconds waits forever.
 */
public final class RingProducer implements AutoCloseable, dev.ipcj.Waitable {
    private static final String CALL = "ring offer";
    /** Every this many + 1 rounds of a retry loop, check the object (see claimMany). */
    static final int RETRY_CHECK = (1 << 12) - 1;

    private final SharedRing ring;
    private final ByteBuffer buf;
    /** The mapping's address (see RingMemory) and those of the data area and of `in`. */
    private final long data;
    private final long inAddress;
    private final int capacity;
    private final int mask;
    private final int maxRecordLength;
    private final boolean many;
    private final boolean asymmetric;
    private final int pid;
    private final SharedRing.Ready spaceReady = this::hasSpace;

    /** ONE_TO_ONE: our position `in` (we are its only writer). */
    private long tail;
    /** A value `out` had: free space is at least capacity - (in - outCache). */
    private long outCache;
    /** ONE_TO_ONE open claim: record position, payload length; -1 when none. */
    private long claimPosition = -1;
    private int claimIndex;
    private int claimLength;
    /** Record size the blocked put waits for (read by spaceReady). */
    private int wanted;
    private volatile boolean closed;

    RingProducer(SharedRing ring) {
        this.ring = ring;
        this.buf = ring.buf;
        this.data = ring.base + DATA_OFFSET;
        this.inAddress = ring.base + IN_OFFSET;
        this.capacity = ring.capacity;
        this.mask = ring.mask;
        this.maxRecordLength = ring.maxRecordLength;
        this.many = ring.variant == RingVariant.MANY_TO_ONE;
        this.asymmetric = ring.asymmetric;
        this.pid = ring.pid;
        // out, then in, then out again: both may move (other producers, the consumer), see checkMoving.
        String call = "ring producer";
        long out1 = ring.position(call, OUT_OFFSET, "out");
        long in = ring.position(call, IN_OFFSET, "in");
        long out2 = ring.position(call, OUT_OFFSET, "out");
        ring.checkMoving(call, out1, in, out2);
        this.tail = in;
        this.outCache = out2;
    }

    /**
     * The largest payload this ring takes.
     *
     * @return the largest payload length in bytes
     */
    public int maxRecordLength() {
        return maxRecordLength;
    }

    /**
     * The shared buffer that {@link #tryClaim} offsets index into: the whole mapping, exactly
     * the ring's size. Write only inside a claim you hold.
     *
     * @return the shared buffer
     */
    public ByteBuffer buffer() {
        return buf;
    }

    // ---- BlockingQueue vocabulary ----

    /**
     * Adds {@code src} if there is room now; false when full.
     *
     * @param src the payload
     * @return true if added, false if the ring is full
     */
    public boolean offer(byte[] src) {
        InternalError fault = null;
        for (int round = 0;; round++) {
            try {
                try {
                    if (fault != null) {
                        throw fault(CALL, fault); // inside the try: a fault reported meanwhile too
                    }
                    if (src == null) {
                        throw nullArgument("src");
                    }
                    return offer(src, 0, src.length);
                } catch (InternalError e) {
                    fault = SharedRing.again(e, round);
                }
            } catch (InternalError e) { // reported again as the first was being caught
                fault = SharedRing.again(e, round);
            }
        }
    }

    /**
     * Adds {@code length} bytes of {@code src} from {@code offset} if there is room now; false when
     * full. IndexOutOfBoundsException if the range lies outside {@code src}.
     *
     * @param src    holds the payload
     * @param offset the payload's first index in {@code src}
     * @param length the payload's length in bytes
     * @return true if added, false if the ring is full
     */
    public boolean offer(byte[] src, int offset, int length) {
        if (src == null) {
            throw nullArgument("src");
        }
        Objects.checkFromIndexSize(offset, length, src.length);
        InternalError fault = null;
        for (int round = 0;; round++) {
            try {
                try {
                    if (fault != null) {
                        throw fault(CALL, fault); // inside the try: a fault reported meanwhile too
                    }
                    return offer0(src, offset, length);
                } catch (InternalError e) {
                    fault = SharedRing.again(e, round);
                }
            } catch (InternalError e) { // reported again as the first was being caught
                fault = SharedRing.again(e, round);
            }
        }
    }

    private boolean offer0(byte[] src, int offset, int length) {
        if (many || closed || claimPosition >= 0 || length > maxRecordLength) {
            int at = claim0(length); // MANY_TO_ONE, and the error cases
            if (at < 0) {
                return false;
            }
            copyIn(src, offset, ring.base + at, length);
            ring.region.checkIntact(CALL); // the record's bytes reached the shared object (FaultGuards)
            finish(at, true);
            ring.region.checkIntact(CALL);
            Reference.reachabilityFence(ring);
            return true;
        }
        // ONE_TO_ONE: the same steps as tryClaim + commit without the claim bookkeeping.
        int size = recordSize(length);
        long p = reserveOne(size);
        if (p < 0) {
            return false;
        }
        if (TestHooks.STOP_AT != null) {
            TestHooks.reached("producer-claimed");
        }
        long h = data + ((int) p & mask);
        copyIn(src, offset, h + RECORD_HEADER, length);
        publishOne(h, p, size, length);
        return true;
    }

    /** ONE_TO_ONE: the record at {@code h} (position {@code p}, {@code size} bytes) holds its payload: publish it. */
    private void publishOne(long h, long p, int size, int length) {
        MemoryAccess.putLong(h, data(length, 0));
        if (TestHooks.STOP_AT != null) {
            TestHooks.reached("producer-written");
        }
        ring.region.checkIntact(CALL); // the record's bytes reached the shared object (FaultGuards)
        publish(p + size);
        FaultPoint.deliver(); // a fault above is this call's (see FaultPoint)
        ring.region.checkIntact(CALL);
        Reference.reachabilityFence(ring);
    }

    private static void copyIn(byte[] src, int offset, long address, int length) {
        if (TestHooks.STOP_AT != null) {
            TestHooks.copyIn(src, offset, address, length);
        } else {
            RingMemory.copyIn(src, offset, address, length);
        }
    }

    /**
     * Adds {@code src}'s remaining bytes if there is room now (and then advances its position).
     *
     * @param src the payload, from position to limit
     * @return true if added, false if the ring is full
     */
    public boolean offer(ByteBuffer src) {
        InternalError fault = null;
        for (int round = 0;; round++) {
            try {
                try {
                    if (fault != null) {
                        throw fault(CALL, fault); // inside the try: a fault reported meanwhile too
                    }
                    if (src == null) {
                        throw nullArgument("src");
                    }
                    try {
                        return offerBuffer(src);
                    } catch (InternalError e) {
                        throw fault(CALL, e);
                    }
                } catch (InternalError e) {
                    fault = SharedRing.again(e, round);
                }
            } catch (InternalError e) { // reported again as the first was being caught
                fault = SharedRing.again(e, round);
            }
        }
    }

    private boolean offerBuffer(ByteBuffer src) {
        int length = src.remaining();
        if (many || closed || claimPosition >= 0 || length > maxRecordLength) {
            int at = claim0(length); // MANY_TO_ONE, and the error cases
            if (at < 0) {
                return false;
            }
            buf.put(at, src, src.position(), length);
            ring.region.checkIntact(CALL); // the record's bytes reached the shared object (FaultGuards)
            finish(at, true);
            ring.region.checkIntact(CALL);
            src.position(src.position() + length);
            Reference.reachabilityFence(ring);
            return true;
        }
        // ONE_TO_ONE: offer0's steps, copying from the buffer (a heap buffer's array as offer(byte[])
        // does; a direct or read-only one by the buffer's own bulk copy).
        int size = recordSize(length);
        long p = reserveOne(size);
        if (p < 0) {
            return false;
        }
        if (TestHooks.STOP_AT != null) {
            TestHooks.reached("producer-claimed");
        }
        int index = (int) p & mask;
        long h = data + index;
        if (src.hasArray()) {
            copyIn(src.array(), src.arrayOffset() + src.position(), h + RECORD_HEADER, length);
        } else {
            buf.put(DATA_OFFSET + index + RECORD_HEADER, src, src.position(), length);
        }
        publishOne(h, p, size, length);
        src.position(src.position() + length);
        return true;
    }

    /**
     * Adds {@code src}, waiting for room as long as it takes.
     *
     * @param src the payload
     * @throws InterruptedException if the thread is interrupted while waiting; nothing was added
     */
    public void put(byte[] src) throws InterruptedException {
        InternalError fault = null;
        for (int round = 0;; round++) {
            try {
                try {
                    if (fault != null) {
                        throw fault(CALL, fault); // inside the try: a fault reported meanwhile too
                    }
                    if (src == null) {
                        throw nullArgument("src");
                    }
                    offerTimed(src, Long.MAX_VALUE);
                    return;
                } catch (InternalError e) {
                    fault = SharedRing.again(e, round);
                }
            } catch (InternalError e) { // reported again as the first was being caught
                fault = SharedRing.again(e, round);
            }
        }
    }

    /**
     * Adds {@code src}'s remaining bytes, waiting for room as long as it takes.
     *
     * @param src the payload, from position to limit
     * @throws InterruptedException if the thread is interrupted while waiting; nothing was added
     */
    public void put(ByteBuffer src) throws InterruptedException {
        InternalError fault = null;
        for (int round = 0;; round++) {
            try {
                try {
                    if (fault != null) {
                        throw fault(CALL, fault); // inside the try: a fault reported meanwhile too
                    }
                    if (src == null) {
                        throw nullArgument("src");
                    }
                    offerTimed(src, Long.MAX_VALUE);
                    return;
                } catch (InternalError e) {
                    fault = SharedRing.again(e, round);
                }
            } catch (InternalError e) { // reported again as the first was being caught
                fault = SharedRing.again(e, round);
            }
        }
    }

    /**
     * Adds {@code src}, waiting up to {@code timeout} for room; false if it timed out.
     *
     * @param src     the payload
     * @param timeout the longest wait
     * @return true if added, false if the ring stayed full
     * @throws InterruptedException if the thread is interrupted while waiting; nothing was added
     */
    public boolean offer(byte[] src, Duration timeout) throws InterruptedException {
        InternalError fault = null;
        for (int round = 0;; round++) {
            try {
                try {
                    if (fault != null) {
                        throw fault(CALL, fault); // inside the try: a fault reported meanwhile too
                    }
                    if (src == null) {
                        throw nullArgument("src");
                    }
                    return offerTimed(src, SharedRing.nanos(CALL, ring.name, timeout));
                } catch (InternalError e) {
                    fault = SharedRing.again(e, round);
                }
            } catch (InternalError e) { // reported again as the first was being caught
                fault = SharedRing.again(e, round);
            }
        }
    }

    /**
     * Adds {@code src}'s remaining bytes, waiting up to {@code timeout} for room; false if it timed out.
     *
     * @param src     the payload, from position to limit
     * @param timeout the longest wait
     * @return true if added, false if the ring stayed full
     * @throws InterruptedException if the thread is interrupted while waiting; nothing was added
     */
    public boolean offer(ByteBuffer src, Duration timeout) throws InterruptedException {
        InternalError fault = null;
        for (int round = 0;; round++) {
            try {
                try {
                    if (fault != null) {
                        throw fault(CALL, fault); // inside the try: a fault reported meanwhile too
                    }
                    if (src == null) {
                        throw nullArgument("src");
                    }
                    return offerTimed(src, SharedRing.nanos(CALL, ring.name, timeout));
                } catch (InternalError e) {
                    fault = SharedRing.again(e, round);
                }
            } catch (InternalError e) { // reported again as the first was being caught
                fault = SharedRing.again(e, round);
            }
        }
    }

    /** {@code nanos == Long.MAX_VALUE}: forever. */
    private boolean offerTimed(Object src, long nanos) throws InterruptedException {
        byte[] a = src instanceof byte[] ? (byte[]) src : null;
        ByteBuffer b = a == null ? (ByteBuffer) src : null;
        int length = a != null ? a.length : b.remaining();
        InternalError fault = null;
        for (int round = 0;; round++) {
            try {
                try {
                    if (fault != null) {
                        throw fault("ring put", fault); // inside the try: a fault reported meanwhile too
                    }
                    long start = System.nanoTime();
                    for (;;) {
                        if (a != null ? offer0(a, 0, length) : offerBuffer(b)) {
                            return true;
                        }
                        long left = nanos == Long.MAX_VALUE ? Long.MAX_VALUE : nanos - (System.nanoTime() - start);
                        if (left <= 0 || !awaitSpace(length, left)) {
                            return a != null ? offer0(a, 0, length) : offerBuffer(b);
                        }
                    }
                } catch (InternalError e) {
                    fault = SharedRing.again(e, round);
                }
            } catch (InternalError e) { // reported again as the first was being caught
                fault = SharedRing.again(e, round);
            }
        }
    }

    // ---- zero-copy ----

    /**
     * Claims room for a payload of {@code length} bytes: returns the offset in {@link #buffer()}
     * where the payload goes, or -1 when the ring is full. Finish with {@link #commit} or
     * {@link #abort}; nothing is visible to the consumer before the commit.
     *
     * @param length the payload's length in bytes
     * @return the payload's offset in {@link #buffer()}, or -1
     */
    public int tryClaim(int length) {
        InternalError fault = null;
        for (int round = 0;; round++) {
            try {
                try {
                    if (fault != null) {
                        throw fault("ring claim", fault); // inside the try: a fault reported meanwhile too
                    }
                    return claim0(length);
                } catch (InternalError e) {
                    fault = SharedRing.again(e, round);
                }
            } catch (InternalError e) { // reported again as the first was being caught
                fault = SharedRing.again(e, round);
            }
        }
    }

    private int claim0(int length) {
        if (length < 0 || length > maxRecordLength) {
            throw new InvalidArgumentException(CALL, ring.name, 0, "length " + length + " is outside 0.."
                    + maxRecordLength + " (the ring's maxRecordLength)");
        }
        if (closed) {
            ring.checkOpen(CALL);
            throw new ClosedException(CALL, ring.name, 0, "the producer was closed");
        }
        int at = many ? claimMany(length) : claimOne(length);
        if (!many || at < 0) {
            FaultPoint.deliver(); // a successful MANY_TO_ONE claim delivered before its CASes
        }
        Reference.reachabilityFence(ring);
        return at;
    }

    /**
     * Claims like {@link #tryClaim}, waiting for room as long as it takes.
     *
     * @param length the payload's length in bytes
     * @return the payload's offset in {@link #buffer()}
     * @throws InterruptedException if the thread is interrupted while waiting; nothing was claimed
     */
    public int claim(int length) throws InterruptedException {
        InternalError fault = null;
        for (int round = 0;; round++) {
            try {
                try {
                    if (fault != null) {
                        throw fault("ring claim", fault); // inside the try: a fault reported meanwhile too
                    }
                    int at;
                    while ((at = claim0(length)) < 0) {
                        awaitSpace(length, Long.MAX_VALUE);
                    }
                    return at;
                } catch (InternalError e) {
                    fault = SharedRing.again(e, round);
                }
            } catch (InternalError e) { // reported again as the first was being caught
                fault = SharedRing.again(e, round);
            }
        }
    }

    /**
     * Publishes the record claimed at {@code offset} and wakes a sleeping consumer.
     *
     * @param offset an offset {@link #tryClaim} or {@link #claim} returned
     */
    public void commit(int offset) {
        InternalError fault = null;
        for (int round = 0;; round++) {
            try {
                try {
                    if (fault != null) {
                        throw fault("ring commit", fault); // inside the try: a fault reported meanwhile too
                    }
                    finish(offset, true);
                    return;
                } catch (InternalError e) {
                    fault = SharedRing.again(e, round);
                }
            } catch (InternalError e) { // reported again as the first was being caught
                fault = SharedRing.again(e, round);
            }
        }
    }

    /**
     * Gives up the claim at {@code offset}: the consumer never sees it.
     *
     * @param offset an offset {@link #tryClaim} or {@link #claim} returned
     */
    public void abort(int offset) {
        InternalError fault = null;
        for (int round = 0;; round++) {
            try {
                try {
                    if (fault != null) {
                        throw fault("ring abort", fault); // inside the try: a fault reported meanwhile too
                    }
                    finish(offset, false);
                    return;
                } catch (InternalError e) {
                    fault = SharedRing.again(e, round);
                }
            } catch (InternalError e) { // reported again as the first was being caught
                fault = SharedRing.again(e, round);
            }
        }
    }

    private void finish(int offset, boolean commit) {
        if (commit && TestHooks.STOP_AT != null) {
            TestHooks.reached("producer-written");
        }
        if (many) {
            finishMany(offset, commit);
            return;
        }
        if (closed) {
            ring.checkOpen(commit ? "ring commit" : "ring abort");
            throw new ClosedException(commit ? "ring commit" : "ring abort", ring.name, 0,
                    "the producer was closed (which dropped its claim)");
        }
        checkClaim(offset, commit);
        if (commit) {
            ring.region.checkIntact("ring commit"); // the claimed bytes reached the shared object
            MemoryAccess.putLong(ring.base + claimIndex, data(claimLength, 0));
            long end = claimPosition + recordSize(claimLength);
            claimPosition = -1;
            publish(end);
            FaultPoint.deliver();
            ring.region.checkIntact("ring commit");
            Reference.reachabilityFence(ring);
        } else {
            claimPosition = -1; // nothing was published; `in` stays where it was
        }
    }

    /**
     * Detaches (ONE_TO_ONE: frees the producer slot for another process, and drops an open claim).
     * Idempotent; never throws for a ring truncated under the mapping.
     */
    @Override
    public void close() {
        try {
            if (closed) {
                return;
            }
            closed = true;
            claimPosition = -1;
            if (!many) {
                ring.releaseOwner(PRODUCER_PID_OFFSET);
            }
            ring.wakeAll(PRODUCER_WAITING_OFFSET, ring.producerWaitingAddress); // a put of ours in another thread
            FaultPoint.deliver();
        } catch (InternalError e) {
            if (!Faults.isMappingFault(e)) {
                throw e;
            }
        }
    }

    private RuntimeException fault(String call, InternalError e) {
        if (!many) {
            claimPosition = -1; // the ring is gone under us: the claim with it
        }
        return ring.fault(call, e);
    }

    private InvalidArgumentException nullArgument(String what) {
        return new InvalidArgumentException(CALL, ring.name, 0, what + " is null");
    }

    // ---- ONE_TO_ONE ----

    private int claimOne(int length) {
        if (claimPosition >= 0) {
            throw new BusyException("ring claim", ring.name, 0, "a claim is already open at offset "
                    + (claimIndex + RECORD_HEADER) + ": commit or abort it first (ONE_TO_ONE allows one at a time)");
        }
        long p = reserveOne(recordSize(length));
        if (p < 0) {
            return -1;
        }
        claimPosition = p;
        claimIndex = DATA_OFFSET + ((int) p & mask);
        claimLength = length;
        if (TestHooks.STOP_AT != null) {
            TestHooks.reached("producer-claimed");
        }
        return claimIndex + RECORD_HEADER;
    }

    /**
     * Finds room for a record of {@code size} bytes after {@code tail}: its position (the
     * record then lies in [index, index + size) of the data area, before the end), or -1 when
     * full. Writes the wrap padding if the record starts again at index 0; `in` does not move.
     */
    private long reserveOne(int size) {
        long p = tail;
        int index = (int) p & mask;
        int toEnd = capacity - index;
        int need = size <= toEnd ? size : toEnd + size;
        if (p + need - outCache > capacity) {
            long out = ring.position(CALL, OUT_OFFSET, "out");
            ring.checkPositions(CALL, p, out);
            outCache = out;
            if (p + need - out > capacity) {
                return -1;
            }
        }
        if (need != size) {
            // Does not fit before the end: fill the rest with padding, start again at 0.
            MemoryAccess.putLong(data + index, padding(toEnd));
            p += toEnd;
        }
        return p;
    }

    private void checkClaim(int offset, boolean commit) {
        if (claimPosition < 0 || offset != claimIndex + RECORD_HEADER) {
            throw new InvalidArgumentException(commit ? "ring commit" : "ring abort", ring.name, 0,
                    claimPosition < 0 ? "no claim is open (offset " + offset + ")"
                            : "offset " + offset + " is not the open claim's " + (claimIndex + RECORD_HEADER));
        }
    }

    private void publish(long end) {
        if (asymmetric) {
            MemoryAccess.putLongRelease(inAddress, end); // release: no fence (see SharedRing)
        } else {
            MemoryAccess.putLongVolatile(inAddress, end);
        }
        tail = end;
        ring.wake(CONSUMER_WAITING_OFFSET, ring.consumerWaitingAddress, 1);
    }

    // ---- MANY_TO_ONE ----

    /*
     * Faults (see dev.ipcj.internal.Faults and FaultPoint): each CAS here comes after a guarded
     * load of the same word (`in` at the top of the loop or in the slow branch, the header words
     * in explicit probes) and then FaultPoint.deliver(), so a vanished page faults in the load and
     * its InternalError is thrown at the delivery point, before a CAS (where an interpreted caller
     * would die of SIGBUS) runs. The probes are loads of lines the CASes are about to own anyway;
     * in C2 code, where the CAS itself is guarded, the unused probes and the delivery point's
     * allocation are removed.
     */
    private int claimMany(int length) {
        int size = recordSize(length);
        for (int tries = 1;; tries++) {
            if ((tries & RETRY_CHECK) == 0) {
                // Thousands of lost races in one call: others progressed, or the object is gone
                // and the loads below return garbage (compiled code on JDK 17 reports the fault
                // only later): a slow-path check that cannot be fooled.
                ring.checkSize(CALL);
                ring.checkHeader(CALL);
            }
            long p = ring.position(CALL, IN_OFFSET, "in");
            int index = (int) p & mask;
            int toEnd = capacity - index;
            int need = size <= toEnd ? size : toEnd + size;
            if (p + need - outCache > capacity) {
                long out = ring.position(CALL, OUT_OFFSET, "out");
                long in = ring.position(CALL, IN_OFFSET, "in");
                // Read in this order, out <= in and p - out <= capacity always hold.
                if (out > in || p - out > capacity) {
                    throw ring.corrupt(CALL, "in " + in + " (earlier " + p + ") and out " + out
                            + " break out <= in <= out + capacity (" + capacity + ")");
                }
                outCache = out;
                if (in != p) {
                    continue; // others claimed meanwhile: start again from the new `in`
                }
                if (p + need - out > capacity) {
                    return -1;
                }
            }
            // `in` was just loaded; probe the words the header CASes below touch, then let a
            // fault of any of them be thrown before a CAS runs (see the comment above).
            MemoryAccess.getLong(data + index);
            if (need != size) {
                MemoryAccess.getLong(data);
            }
            FaultPoint.deliver();
            if (!MemoryAccess.compareAndSetLong(inAddress, p, p + need)) {
                continue;
            }
            if (TestHooks.STOP_AT != null) {
                TestHooks.reached("producer-claimed-in");
                probeAgain(index);
            }
            long rec = p;
            if (need != size) {
                // The padding is ours too; a failed CAS means the consumer reaped this claim
                // (we stalled between the two CASes for long): claim again elsewhere.
                if (!MemoryAccess.compareAndSetLong(data + index, p, padding(toEnd))) {
                    continue;
                }
                rec = p + toEnd;
                index = 0;
            }
            // The header word is FREE (== rec) unless the consumer reaped it (see RingConsumer).
            if (!MemoryAccess.compareAndSetLong(data + index, rec, claimed(length, pid))) {
                continue;
            }
            if (TestHooks.STOP_AT != null) {
                TestHooks.reached("producer-claimed");
            }
            return DATA_OFFSET + index + RECORD_HEADER;
        }
    }

    /** After a test window, where the test may have truncated the object: probe and deliver again. */
    private void probeAgain(int index) {
        MemoryAccess.getLong(data + index);
        MemoryAccess.getLong(data);
        FaultPoint.deliver();
    }

    private void finishMany(int offset, boolean commit) {
        String call = commit ? "ring commit" : "ring abort";
        int h = offset - RECORD_HEADER;
        if (h < DATA_OFFSET || h >= DATA_OFFSET + capacity || (h & 7) != 0) {
            ring.checkOpen(call);
            throw new InvalidArgumentException(call, ring.name, 0, "offset " + offset
                    + " is not a claim's offset (8-aligned, in " + (DATA_OFFSET + RECORD_HEADER) + ".."
                    + (DATA_OFFSET + capacity) + ")");
        }
        long header = MemoryAccess.getLongVolatile(ring.base + h); // also the guarded probe before the CAS
        if ((header & STATE_MASK) != CLAIMED || pid(header) != pid) {
            throw ring.corrupt(call, "the header at offset " + h
                    + " is 0x" + Long.toHexString(header) + ", not this process's claim (pid " + pid
                    + "): committed twice, a wrong offset, or overwritten");
        }
        int length = field(header);
        long done = commit ? data(length, pid) : padding(recordSize(length));
        MemoryAccess.getInt(ring.consumerWaitingAddress); // the probe of wake() below: one delivery point for both
        FaultPoint.deliver();
        if (!MemoryAccess.compareAndSetLong(ring.base + h, header, done)) {
            throw ring.corrupt(call, "the claim at offset " + h + " changed under us");
        }
        // F' of the wake-up protocol without a fence of our own: the CAS and the volatile load in
        // wake() are both volatile accesses, which the JMM totally orders with the sleeper's
        // volatile store and fence, so the load cannot miss a sleeper. Not because a CAS is a full
        // fence (true of x86's LOCK CMPXCHG only): on arm64 HotSpot emits STLXR (or CASAL) and
        // LDAR, which ARMv8 keeps in order (a load-acquire never passes an earlier store-release).
        ring.wake(CONSUMER_WAITING_OFFSET, ring.consumerWaitingAddress, 1);
        Reference.reachabilityFence(ring);
    }

    // ---- waiting ----

    private boolean awaitSpace(int length, long nanos) throws InterruptedException {
        if (length < 0 || length > maxRecordLength) {
            claim0(length); // throws the InvalidArgumentException
        }
        wanted = recordSize(length);
        return ring.await(PRODUCER_WAITING_OFFSET, ring.producerWaitingAddress, spaceReady, nanos, 0,
                "ring put");
    }

    private boolean hasSpace() {
        if (closed) {
            ring.checkOpen("ring put");
            throw new ClosedException("ring put", ring.name, 0, "the producer was closed");
        }
        long in = many ? ring.position(CALL, IN_OFFSET, "in") : tail;
        long out = ring.position(CALL, OUT_OFFSET, "out");
        if (many && out > in) {
            return true; // `in` moved since we read it: just try again
        }
        ring.checkPositions(CALL, in, out);
        if (!many) {
            outCache = out;
        }
        int toEnd = capacity - ((int) in & mask);
        int need = wanted <= toEnd ? wanted : toEnd + wanted;
        return in + need - out <= capacity;
    }

    // ---- WaitSet ----

    private dev.ipcj.WaitHook hook; // made on first use

    /**
     * The ring's name, as error messages give it.
     *
     * @return the shared memory object's name
     */
    @Override
    public String name() {
        return ring.name;
    }

    /**
     * False once this handle or its ring was closed.
     *
     * @return true until closed
     */
    @Override
    public boolean isOpen() {
        return !closed && !ring.closed;
    }

    /**
     * How a {@link dev.ipcj.WaitSet} waits on this handle, WRITABLE: a record of maxRecordLength fits now (in MANY_TO_ONE another producer may take the room first). The set asks from its waiting
     * thread: use this handle from that thread too.
     *
     * @return the hook
     */
    @Override
    public synchronized dev.ipcj.WaitHook waitHook() {
        if (hook == null) {
            hook = new RingBells(ring, false, this::hasRoomForLargest);
        }
        return hook;
    }

    private boolean hasRoomForLargest() {
        if (closed) {
            ring.checkOpen("WaitSet");
            throw new ClosedException("WaitSet", ring.name, 0, "the producer was closed");
        }
        long in = many ? ring.position(CALL, IN_OFFSET, "in") : tail;
        long out = ring.position(CALL, OUT_OFFSET, "out");
        if (many && out > in) {
            return true; // `in` moved since we read it: look again
        }
        ring.checkPositions(CALL, in, out);
        int size = recordSize(maxRecordLength);
        int toEnd = capacity - ((int) in & mask);
        int need = size <= toEnd ? size : toEnd + size;
        return in + need - out <= capacity;
    }
}
