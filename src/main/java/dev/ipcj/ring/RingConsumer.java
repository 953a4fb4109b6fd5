package dev.ipcj.ring;

import static dev.ipcj.ring.RingLayout.*;
import static dev.ipcj.ring.SharedRing.INTS;
import static dev.ipcj.ring.SharedRing.LONGS;

import dev.ipcj.ClosedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.internal.FaultPoint;
import dev.ipcj.internal.Faults;
import dev.ipcj.internal.MemoryAccess;
import dev.ipcj.jni.Sys;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Reads records from a {@link SharedRing}: zero-copy batch drain with {@link #read}, and the
 * {@code BlockingQueue} vocabulary ({@link #poll()}, {@link #take()}, poll with a timeout) for
 * byte[] and ByteBuffer payloads. One thread uses a consumer; a ring has one consumer at a time.
 *
 * <h2>Batching</h2>
 * {@link #read(RecordHandler, int)} hands every available record (up to the limit) to the
 * handler and then publishes {@code out} once: one write to the producer's cache line per
 * batch, not per record. The poll/take methods consume one record per call.
 *
 * <h2>Delivery guarantee</h2>
 * A record is <em>taken</em> when the consumer retires the batch that holds it, after the
 * handler returned for every record of the batch (or threw: a record whose handler throws counts
 * as handed, so one bad record cannot block the ring forever):
 * <ul>
 * <li>ONE_TO_ONE: the store of {@code out} past the batch retires it.
 * <li>MANY_TO_ONE: the batch [out, p) is retired by one store into the header word at {@code out}
 *     of the value {@code p + capacity} (a FREE-state word that no record, claim or free word can
 *     hold there: the batch's end, marked). The consumer then frees every word of the batch
 *     ({@code x + capacity} at position x, what producers of the next lap expect), stores
 *     {@code out + capacity} into the header word last, and publishes {@code out = p}.
 * </ul>
 * What a consumer killed at each point leaves to the one that takes over its slot:
 * <ul>
 * <li>before the retiring store (reading, inside a handler, after the handlers): nothing was
 *     taken; the successor hands the whole batch again. So a record may be handed twice, once
 *     per kill, and only the records of the batch the kill interrupted: at most {@code limit}
 *     per kill for {@link #read}, at most one for poll/take.
 * <li>after it (MANY_TO_ONE: freeing, or freed and not yet published): the batch is taken; the
 *     successor finishes the free from the marked end (or, when every word was freed already,
 *     finds the end as the first word that is not FREE for the next lap), publishes {@code out},
 *     and never hands those records again.
 * </ul>
 * Nothing is lost: every committed record is handed at least once, to this consumer or to a
 * successor, unless it was taken. A consumer that wants exactly-once side effects makes its
 * handler idempotent (records carry what it needs, e.g. a sequence number), or journals inside the
 * handler. The C twin ({@code ipcj_ring.h}) follows the same steps, so a Java consumer may take
 * over from a dead C one and the other way round.
 *
 * <h2>MANY_TO_ONE: records whose producer died</h2>
 * Reading stops at the first record not committed yet. If it stays so for
 * {@code ipcj.ring.stallNanos} (default 20 ms):
 * <ul>
 * <li>its header is CLAIMED (length and the claimer's pid): if {@code kill(pid, 0)} says the
 *     pid is gone, the consumer CASes the header to PADDING and moves on. A late commit by a
 *     producer that is alive after all fails its own CAS and throws, so nothing is half-read.
 * <li>its header is still FREE although {@code in} moved past it: a producer claimed the space
 *     and stopped before writing its header (killed, or descheduled). The consumer CASes each
 *     FREE word from there to {@code in} into an 8-byte PADDING, stopping at the first word
 *     that is not FREE (the next producer's header). A claimant that is alive after all finds
 *     its header CAS failing and claims again: its record is delayed, never lost or torn.
 *     Because FREE means "equal to its own position", a claimant delayed by a whole lap can
 *     never mistake a later lap's FREE word for its own.
 * </ul>
 * An idle MANY_TO_ONE consumer sleeps in slices of one second (ten milliseconds while a claim
 * is open) so that it notices a producer that died holding a claim, which can wake nobody.
 *
 * <h2>Errors</h2>
 * Every method throws only {@link dev.ipcj.IpcException} subclasses (InvalidArgumentException for
 * a null argument, a limit below 1, a read-only or too small {@code dst}; ClosedException;
 * CorruptedException for shared bytes another process overwrote or an object truncated under the
 * mapping), InterruptedException from the blocking forms, and whatever the caller's own handler
 * throws. Timeouts saturate: a negative one does not wait, one too large for a long of
 * nanoseconds waits forever.
 */
public final class RingConsumer implements AutoCloseable, dev.ipcj.Waitable {
    private static final String CALL = "ring read";
    static final long STALL_NANOS = Long.getLong("ipcj.ring.stallNanos", 20_000_000L);

    private final SharedRing ring;
    private final ByteBuffer buf;
    private final ByteBuffer view;
    /** Addresses of the data area and of `out` (see RingMemory). */
    private final long data;
    private final long outAddress;
    private final int capacity;
    private final int mask;
    private final int maxRecordLength;
    private final boolean many;
    private final boolean asymmetric;
    private final SharedRing.Ready recordReady = this::hasRecord;
    private final Copier copier = new Copier();

    /** Our position `out` (we are its only writer). */
    private long head;
    /** A value `in` had (ONE_TO_ONE): records up to it are readable. */
    private long inCache;
    /** Set by read() when a record longer than the caller's room stopped it. */
    private int tooLong;
    /** MANY_TO_ONE: the uncommitted header we are waiting on, since when. */
    private long stallPosition = -1;
    private long stallHeader;
    private long stallSince;
    private boolean claimOpen;
    private volatile boolean closed;

    RingConsumer(SharedRing ring) {
        this.ring = ring;
        this.buf = ring.buf;
        this.view = ring.readOnly;
        this.data = ring.base + DATA_OFFSET;
        this.outAddress = ring.base + OUT_OFFSET;
        this.capacity = ring.capacity;
        this.mask = ring.mask;
        this.maxRecordLength = ring.maxRecordLength;
        this.many = ring.variant == RingVariant.MANY_TO_ONE;
        this.asymmetric = ring.asymmetric;
        String call = "ring consumer";
        // `out` is ours now (the slot was free or its owner dead), so it stands still: read it first.
        long out = ring.position(call, OUT_OFFSET, "out");
        long in = ring.position(call, IN_OFFSET, "in");
        ring.checkPositions(call, in, out);
        this.head = out;
        this.inCache = out;
        if (many && in != out) {
            finishRetire(call, out, in);
        }
    }

    // ---- zero-copy batch drain ----

    /**
     * Hands every record available now to {@code handler}; the number handed.
     *
     * @param handler receives each record
     * @return the number of records handed
     */
    public int read(RecordHandler handler) {
        InternalError fault = null;
        for (int round = 0;; round++) {
            try {
                try {
                    if (fault != null) {
                        throw ring.fault(CALL, fault); // inside the try: a fault reported meanwhile too
                    }
                    return read(handler, Integer.MAX_VALUE);
                } catch (InternalError e) {
                    fault = SharedRing.again(e, round);
                }
            } catch (InternalError e) { // reported again as the first was being caught
                fault = SharedRing.again(e, round);
            }
        }
    }

    /**
     * Hands up to {@code limit} (at least 1) records available now to {@code handler}; the number handed.
     *
     * @param handler receives each record
     * @param limit   the most records to hand, at least 1
     * @return the number of records handed
     */
    public int read(RecordHandler handler, int limit) {
        checkArguments(handler, limit);
        checkOpen();
        InternalError fault = null;
        for (int round = 0;; round++) {
            try {
                try {
                    if (fault != null) {
                        throw ring.fault(CALL, fault); // inside the try: a fault reported meanwhile too
                    }
                    return readNow(handler, limit, Integer.MAX_VALUE);
                } catch (InternalError e) {
                    fault = SharedRing.again(e, round);
                }
            } catch (InternalError e) { // reported again as the first was being caught
                fault = SharedRing.again(e, round);
            }
        }
    }

    /**
     * Waits up to {@code timeout} for records, then reads like {@link #read(RecordHandler, int)}.
     *
     * @param handler receives each record
     * @param limit   the most records to hand, at least 1
     * @param timeout the longest wait for the first record
     * @return the number of records handed, 0 if none came in time
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public int read(RecordHandler handler, int limit, Duration timeout) throws InterruptedException {
        checkArguments(handler, limit);
        return readWaiting(handler, limit, SharedRing.nanos(CALL, ring.name, timeout));
    }

    /**
     * {@link #read(RecordHandler, int, Duration)} with the timeout as a count of {@code unit}s,
     * as {@link java.util.concurrent.BlockingQueue#poll(long, TimeUnit)} takes it: for loops that
     * wait in computed slices and would otherwise make a Duration per call. A negative timeout
     * does not wait; one too long for nanoseconds waits for ever.
     *
     * @param handler receives each record
     * @param limit   the most records to hand, at least 1
     * @param timeout the longest wait for the first record, in {@code unit}s
     * @param unit    the unit of {@code timeout}
     * @return the number of records handed, 0 if none came in time
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public int read(RecordHandler handler, int limit, long timeout, TimeUnit unit) throws InterruptedException {
        checkArguments(handler, limit);
        if (unit == null) {
            throw new InvalidArgumentException(CALL, ring.name, 0, "unit is null");
        }
        return readWaiting(handler, limit, timeout < 0 ? 0 : unit.toNanos(timeout)); // toNanos saturates
    }

    /** A read waiting up to {@code nanos} (Long.MAX_VALUE: for ever) for the first record. */
    private int readWaiting(RecordHandler handler, int limit, long nanos) throws InterruptedException {
        checkOpen();
        InternalError fault = null;
        for (int round = 0;; round++) {
            try {
                try {
                    if (fault != null) {
                        throw ring.fault(CALL, fault); // inside the try: a fault reported meanwhile too
                    }
                    long start = System.nanoTime();
                    for (;;) {
                        int n = readNow(handler, limit, Integer.MAX_VALUE);
                        if (n > 0) {
                            return n;
                        }
                        long left = nanos == Long.MAX_VALUE ? Long.MAX_VALUE : nanos - (System.nanoTime() - start);
                        if (left <= 0 || !awaitRecord(left)) {
                            return readNow(handler, limit, Integer.MAX_VALUE);
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

    /**
     * Waits as long as it takes for records, then reads like {@link #read(RecordHandler, int)}.
     *
     * @param handler receives each record
     * @param limit   the most records to hand, at least 1
     * @return the number of records handed, at least 1
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public int take(RecordHandler handler, int limit) throws InterruptedException {
        checkArguments(handler, limit);
        checkOpen();
        InternalError fault = null;
        for (int round = 0;; round++) {
            try {
                try {
                    if (fault != null) {
                        throw ring.fault(CALL, fault); // inside the try: a fault reported meanwhile too
                    }
                    for (;;) {
                        int n = readNow(handler, limit, Integer.MAX_VALUE);
                        if (n > 0) {
                            return n;
                        }
                        awaitRecord(Long.MAX_VALUE);
                    }
                } catch (InternalError e) {
                    fault = SharedRing.again(e, round);
                }
            } catch (InternalError e) { // reported again as the first was being caught
                fault = SharedRing.again(e, round);
            }
        }
    }

    private int readNow(RecordHandler handler, int limit, int room) {
        checkOpen();
        int n = many ? readMany(handler, limit, room) : readOne(handler, limit, room);
        FaultPoint.deliver(); // a fault above is this call's (see FaultPoint)
        ring.region.checkIntact(CALL); // or the fault guard's private zero page (FaultGuards)
        return n;
    }

    // ---- BlockingQueue vocabulary ----

    /**
     * The next record, or null if none is available now.
     *
     * @return a copy of the record's payload, or null
     */
    public byte[] poll() {
        InternalError fault = null;
        for (int round = 0;; round++) {
            try {
                try {
                    if (fault != null) {
                        throw ring.fault(CALL, fault); // inside the try: a fault reported meanwhile too
                    }
                    copier.array = true;
                    return read(copier, 1) == 1 ? copier.takeArray() : null;
                } catch (InternalError e) {
                    fault = SharedRing.again(e, round);
                }
            } catch (InternalError e) { // reported again as the first was being caught
                fault = SharedRing.again(e, round);
            }
        }
    }

    /**
     * The next record, waiting as long as it takes.
     *
     * @return a copy of the record's payload
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public byte[] take() throws InterruptedException {
        InternalError fault = null;
        for (int round = 0;; round++) {
            try {
                try {
                    if (fault != null) {
                        throw ring.fault(CALL, fault); // inside the try: a fault reported meanwhile too
                    }
                    copier.array = true;
                    take(copier, 1);
                    return copier.takeArray();
                } catch (InternalError e) {
                    fault = SharedRing.again(e, round);
                }
            } catch (InternalError e) { // reported again as the first was being caught
                fault = SharedRing.again(e, round);
            }
        }
    }

    /**
     * The next record, waiting up to {@code timeout}; null if none came.
     *
     * @param timeout the longest wait
     * @return a copy of the record's payload, or null
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public byte[] poll(Duration timeout) throws InterruptedException {
        InternalError fault = null;
        for (int round = 0;; round++) {
            try {
                try {
                    if (fault != null) {
                        throw ring.fault(CALL, fault); // inside the try: a fault reported meanwhile too
                    }
                    copier.array = true;
                    return read(copier, 1, timeout) == 1 ? copier.takeArray() : null;
                } catch (InternalError e) {
                    fault = SharedRing.again(e, round);
                }
            } catch (InternalError e) { // reported again as the first was being caught
                fault = SharedRing.again(e, round);
            }
        }
    }

    /**
     * Copies the next record into {@code dst} (from its position, which advances): its length,
     * or -1 if none is available now. A record longer than {@code dst.remaining()} stays in the
     * ring and an InvalidArgumentException says how long it is.
     *
     * @param dst receives the payload at its position
     * @return the payload length, or -1
     */
    public int poll(ByteBuffer dst) {
        checkDst(dst);
        checkOpen();
        InternalError fault = null;
        for (int round = 0;; round++) {
            try {
                try {
                    if (fault != null) {
                        throw ring.fault(CALL, fault); // inside the try: a fault reported meanwhile too
                    }
                    return pollNow(dst);
                } catch (InternalError e) {
                    fault = SharedRing.again(e, round);
                }
            } catch (InternalError e) { // reported again as the first was being caught
                fault = SharedRing.again(e, round);
            }
        }
    }

    private int pollNow(ByteBuffer dst) {
        copier.array = false;
        copier.dst = dst;
        int n = readNow(copier, 1, dst.remaining());
        copier.dst = null;
        return finishCopy(n, dst);
    }

    /**
     * Like {@link #poll(ByteBuffer)}, waiting as long as it takes.
     *
     * @param dst receives the payload at its position
     * @return the payload length
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public int take(ByteBuffer dst) throws InterruptedException {
        InternalError fault = null;
        for (int round = 0;; round++) {
            try {
                try {
                    if (fault != null) {
                        throw ring.fault(CALL, fault); // inside the try: a fault reported meanwhile too
                    }
                    checkDst(dst);
                    return pollTimed(dst, Long.MAX_VALUE);
                } catch (InternalError e) {
                    fault = SharedRing.again(e, round);
                }
            } catch (InternalError e) { // reported again as the first was being caught
                fault = SharedRing.again(e, round);
            }
        }
    }

    /**
     * Like {@link #poll(ByteBuffer)}, waiting up to {@code timeout}; -1 if none came.
     *
     * @param dst     receives the payload at its position
     * @param timeout the longest wait
     * @return the payload length, or -1
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public int poll(ByteBuffer dst, Duration timeout) throws InterruptedException {
        InternalError fault = null;
        for (int round = 0;; round++) {
            try {
                try {
                    if (fault != null) {
                        throw ring.fault(CALL, fault); // inside the try: a fault reported meanwhile too
                    }
                    checkDst(dst);
                    return pollTimed(dst, SharedRing.nanos(CALL, ring.name, timeout));
                } catch (InternalError e) {
                    fault = SharedRing.again(e, round);
                }
            } catch (InternalError e) { // reported again as the first was being caught
                fault = SharedRing.again(e, round);
            }
        }
    }

    private int pollTimed(ByteBuffer dst, long nanos) throws InterruptedException {
        checkOpen();
        InternalError fault = null;
        for (int round = 0;; round++) {
            try {
                try {
                    if (fault != null) {
                        throw ring.fault(CALL, fault); // inside the try: a fault reported meanwhile too
                    }
                    long start = System.nanoTime();
                    for (;;) {
                        int n = pollNow(dst);
                        if (n >= 0) {
                            return n;
                        }
                        long left = nanos == Long.MAX_VALUE ? Long.MAX_VALUE : nanos - (System.nanoTime() - start);
                        if (left <= 0 || !awaitRecord(left)) {
                            return pollNow(dst);
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

    /**
     * Detaches, freeing the consumer slot for another process; wakes a take of ours blocked in
     * another thread (it throws ClosedException). Idempotent; never throws for a ring truncated
     * under the mapping.
     */
    @Override
    public void close() {
        try {
            if (closed) {
                return;
            }
            closed = true;
            ring.releaseOwner(CONSUMER_PID_OFFSET);
            ring.wakeAll(CONSUMER_WAITING_OFFSET, ring.consumerWaitingAddress);
            FaultPoint.deliver();
        } catch (InternalError e) {
            if (!Faults.isMappingFault(e)) {
                throw e;
            }
        }
    }

    // ---- ONE_TO_ONE ----

    private int readOne(RecordHandler handler, int limit, int room) {
        long p = head;
        long in = inCache;
        if (p == in) {
            in = ring.position(CALL, IN_OFFSET, "in");
            ring.checkPositions(CALL, in, p);
            inCache = in;
            if (p == in) {
                return 0;
            }
        }
        int n = 0;
        try {
            while (p < in && n < limit) {
                int index = (int) p & mask;
                // Plain read: the acquire of `in` ordered the producer's writes before it.
                long header = MemoryAccess.getLong(data + index);
                long state = header & STATE_MASK;
                int avail = (int) Math.min(in - p, capacity - index);
                if (state == DATA) {
                    int length = field(header);
                    int size = checkData(p, header, length, avail);
                    if (length > room) {
                        tooLong = length;
                        break;
                    }
                    p += size; // before the handler: a throwing handler consumes the record
                    n++;
                    handler.onRecord(view, DATA_OFFSET + index + RECORD_HEADER, length);
                } else if (state == PADDING) {
                    p += checkPadding(p, header, avail);
                } else {
                    throw ring.corrupt(CALL, "record header 0x" + Long.toHexString(header) + " at position " + p
                            + " is neither DATA nor PADDING (state " + (state >>> 62) + ")");
                }
            }
        } finally {
            if (p != head) {
                if (TestHooks.STOP_AT != null) {
                    TestHooks.reached("consumer-handled");
                }
                publish(p); // retires the batch (see "Delivery guarantee")
            }
            Reference.reachabilityFence(ring);
        }
        return n;
    }

    private int checkData(long p, long header, int length, int avail) {
        int size = recordSize(length);
        if (length > maxRecordLength || size > avail) {
            throw ring.corrupt(CALL, "record at position " + p + " (header 0x" + Long.toHexString(header)
                    + ") has length " + length + "; allowed 0.." + Math.min(maxRecordLength, avail - RECORD_HEADER)
                    + " (maxRecordLength " + maxRecordLength + ", " + avail + " bytes left before in/the end)");
        }
        return size;
    }

    private int checkPadding(long p, long header, int avail) {
        int size = field(header);
        if (size < RECORD_HEADER || (size & 7) != 0 || size > avail) {
            throw ring.corrupt(CALL, "padding at position " + p + " (header 0x" + Long.toHexString(header)
                    + ") has size " + size + "; allowed: a multiple of 8 in 8.." + avail);
        }
        return size;
    }

    private void publish(long p) {
        if (asymmetric) {
            MemoryAccess.putLongRelease(outAddress, p); // release: no fence (see SharedRing)
        } else {
            MemoryAccess.putLongVolatile(outAddress, p);
        }
        head = p;
        ring.wake(PRODUCER_WAITING_OFFSET, ring.producerWaitingAddress, Integer.MAX_VALUE);
    }

    // ---- MANY_TO_ONE ----

    private int readMany(RecordHandler handler, int limit, int room) {
        long p = head;
        long in = ring.position(CALL, IN_OFFSET, "in");
        ring.checkPositions(CALL, in, p);
        if (p == in) {
            return 0;
        }
        int n = 0;
        try {
            while (p < in && n < limit) {
                int index = (int) p & mask;
                long header = MemoryAccess.getLongVolatile(data + index);
                long state = header & STATE_MASK;
                int avail = (int) Math.min(in - p, capacity - index);
                if (state == DATA) {
                    int length = field(header);
                    int size = checkData(p, header, length, avail);
                    if (length > room) {
                        tooLong = length;
                        break;
                    }
                    p += size;
                    n++;
                    handler.onRecord(view, DATA_OFFSET + index + RECORD_HEADER, length);
                } else if (state == PADDING) {
                    p += checkPadding(p, header, avail);
                } else if (header == p || state == CLAIMED) {
                    if (state == CLAIMED) {
                        checkClaimed(p, header, avail);
                    }
                    stalled(p, header);
                    break;
                } else {
                    throw ring.corrupt(CALL, "record header 0x" + Long.toHexString(header) + " at position " + p
                            + " is neither a record nor FREE (" + p + ")");
                }
            }
        } finally {
            if (p != head) {
                if (TestHooks.STOP_AT != null) {
                    TestHooks.reached("consumer-handled");
                }
                retire(head, p);
                stallPosition = -1;
            }
            Reference.reachabilityFence(ring);
        }
        return n;
    }

    /**
     * Retires the batch [from, to) (see "Delivery guarantee"): marks it taken in its first
     * header word, frees its words for the next lap, frees the first word last, publishes out.
     */
    private void retire(long from, long to) {
        long first = data + ((int) from & mask);
        MemoryAccess.putLong(first, to + capacity); // taken: the batch ends at to
        MemoryAccess.storeFence(); // the mark before any word it covers is freed
        if (TestHooks.STOP_AT != null) {
            long half = from + 8 + ((to - from - 8) / 16) * 8;
            free(from + 8, half);
            TestHooks.reached("consumer-retired");
            free(half, to);
        } else {
            free(from + 8, to);
        }
        MemoryAccess.putLongRelease(first, from + capacity); // release: after every freed word
        if (TestHooks.STOP_AT != null) {
            TestHooks.reached("consumer-freed");
        }
        publish(to);
    }

    /** Every word of [from, to) becomes FREE for the next lap: its position + capacity. */
    private void free(long from, long to) {
        for (long x = from; x < to; x += 8) {
            MemoryAccess.putLong(data + ((int) x & mask), x + capacity);
        }
    }

    /**
     * On attach: finishes the retirement of a batch the previous consumer of this slot marked
     * taken and died before publishing {@code out} (see "Delivery guarantee").
     */
    private void finishRetire(String call, long out, long in) {
        long first = data + ((int) out & mask);
        long w = MemoryAccess.getLongVolatile(first);
        if (w == out + capacity) {
            // Every word of the batch is free; its end is the first word that is not.
            long end = Math.min(in, out + capacity);
            long x = out + 8;
            while (x < end && MemoryAccess.getLongVolatile(data + ((int) x & mask)) == x + capacity) {
                x += 8;
            }
            publish(x);
        } else if ((w & STATE_MASK) == FREE && w > out + capacity && w <= out + 2L * capacity && (w & 7) == 0) {
            long to = w - capacity;
            if (to > in) {
                throw ring.corrupt(call, "the header word at out " + out + " marks a batch taken up to " + to
                        + ", past in " + in);
            }
            free(out + 8, to);
            MemoryAccess.putLongRelease(first, out + capacity);
            publish(to);
        }
        // Anything else is read (or reported) by readMany as usual.
    }

    private void checkClaimed(long p, long header, int avail) {
        int length = field(header);
        if (length > maxRecordLength || recordSize(length) > avail || pid(header) <= 0) {
            throw ring.corrupt(CALL, "claim at position " + p + " (header 0x" + Long.toHexString(header)
                    + ") has length " + length + " (allowed 0.." + maxRecordLength + ", " + avail
                    + " bytes left) and pid " + pid(header) + " (allowed > 0)");
        }
    }

    /** Reading stopped at an uncommitted record at p: recover it if it stays so too long. */
    private void stalled(long p, long header) {
        claimOpen = true;
        long now = System.nanoTime();
        if (p != stallPosition || header != stallHeader) {
            stallPosition = p;
            stallHeader = header;
            stallSince = now;
            return;
        }
        if (now - stallSince < STALL_NANOS) {
            return;
        }
        stallSince = now; // check again one period later
        int index = DATA_OFFSET + ((int) p & mask);
        if (header == p) {
            long in = ring.position(CALL, IN_OFFSET, "in");
            for (long x = p; x < in && x < p + capacity; x += 8) {
                int i = DATA_OFFSET + ((int) x & mask);
                // The guarded probe and delivery point (see FaultPoint); the probe doubles as the
                // check that the word is still FREE.
                long w = (long) LONGS.getVolatile(buf, i);
                FaultPoint.deliver();
                if (w != x || !LONGS.compareAndSet(buf, i, x, padding(8))) {
                    break;
                }
            }
        } else {
            int pid = pid(header);
            if (Sys.pidAlive(pid) == 0) {
                long w = (long) LONGS.getVolatile(buf, index);
                FaultPoint.deliver();
                if (w == header) {
                    LONGS.compareAndSet(buf, index, header, padding(recordSize(field(header))));
                }
            }
        }
    }

    // ---- waiting ----

    private boolean hasRecord() {
        checkOpen();
        claimOpen = false;
        if (!many) {
            long in = ring.position(CALL, IN_OFFSET, "in");
            ring.checkPositions(CALL, in, head);
            return in != head;
        }
        // MANY_TO_ONE: readable when the record at head is committed (or padding), or when a
        // stalled claim is due for recovery.
        long p = head;
        long in = ring.position(CALL, IN_OFFSET, "in");
        ring.checkPositions(CALL, in, p);
        if (in == p) {
            return false;
        }
        long header = (long) LONGS.getAcquire(buf, DATA_OFFSET + ((int) p & mask));
        long state = header & STATE_MASK;
        if (state == DATA || state == PADDING) {
            return true;
        }
        if (header != p && state != CLAIMED) {
            return true; // garbage: let readMany report it
        }
        claimOpen = true;
        return p == stallPosition && header == stallHeader && System.nanoTime() - stallSince >= STALL_NANOS;
    }

    private boolean awaitRecord(long nanos) throws InterruptedException {
        long slice = many ? (claimOpen ? 10_000_000L : 1_000_000_000L) : 0;
        boolean ok = ring.await(CONSUMER_WAITING_OFFSET, ring.consumerWaitingAddress, recordReady, nanos, slice,
                "ring take");
        // We are the only sleeper on this word: clear it so the producer skips a needless wake.
        // The volatile load is also the guarded probe before the CAS (see Faults).
        if ((int) INTS.getVolatile(buf, CONSUMER_WAITING_OFFSET) != 0) {
            FaultPoint.deliver();
            INTS.compareAndSet(buf, CONSUMER_WAITING_OFFSET, 1, 0);
        }
        return ok;
    }

    private void checkOpen() {
        if (closed) {
            ring.checkOpen(CALL);
            throw new ClosedException(CALL, ring.name, 0, "the consumer was closed");
        }
        if (ring.closed) {
            ring.checkOpen(CALL);
        }
    }

    private void checkArguments(RecordHandler handler, int limit) {
        if (handler == null) {
            throw new InvalidArgumentException(CALL, ring.name, 0, "handler is null");
        }
        if (limit < 1) {
            throw new InvalidArgumentException(CALL, ring.name, 0, "limit " + limit + " is less than 1");
        }
    }

    private void checkDst(ByteBuffer dst) {
        if (dst == null) {
            throw new InvalidArgumentException(CALL, ring.name, 0, "dst is null");
        }
        if (dst.isReadOnly()) {
            throw new InvalidArgumentException(CALL, ring.name, 0, "dst is read-only");
        }
    }

    private int finishCopy(int n, ByteBuffer dst) {
        if (n == 1) {
            return copier.length;
        }
        if (tooLong > 0) {
            int len = tooLong;
            tooLong = 0;
            throw new InvalidArgumentException(CALL, ring.name, 0, "the next record has " + len
                    + " bytes but dst has only " + dst.remaining() + " remaining; it stays in the ring");
        }
        return -1;
    }

    /** The handler behind poll/take: copies one record into a new array or into dst. */
    private static final class Copier implements RecordHandler {
        boolean array;
        ByteBuffer dst;
        byte[] bytes;
        int length;

        @Override
        public void onRecord(ByteBuffer buffer, int offset, int len) {
            length = len;
            if (array) {
                bytes = new byte[len];
                buffer.get(offset, bytes, 0, len);
            } else {
                dst.put(dst.position(), buffer, offset, len);
                dst.position(dst.position() + len);
            }
        }

        byte[] takeArray() {
            byte[] b = bytes;
            bytes = null;
            return b;
        }
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
     * How a {@link dev.ipcj.WaitSet} waits on this handle, READABLE: a record (or a stalled claim due for recovery) is at its position. The set asks from its waiting
     * thread: use this handle from that thread too.
     *
     * @return the hook
     */
    @Override
    public synchronized dev.ipcj.WaitHook waitHook() {
        if (hook == null) {
            hook = new RingBells(ring, true, this::hasRecord);
        }
        return hook;
    }
}
