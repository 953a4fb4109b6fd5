package dev.ipcj.broadcast;

import static dev.ipcj.broadcast.BroadcastLayout.*;

import dev.ipcj.BusyException;
import dev.ipcj.ClosedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.internal.DirectBuffers;
import dev.ipcj.internal.FaultPoint;
import dev.ipcj.internal.Faults;
import dev.ipcj.internal.MemoryAccess;
import dev.ipcj.internal.ProcessIdentity;
import dev.ipcj.internal.Timeouts;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Publishes records to every subscriber of a {@link BroadcastRing}. One publisher at a time
 * across all processes (its identity is in the header; a dead one's place is taken over). One
 * thread uses it.
 *
 * <h2>Publishing a record</h2>
 * The record goes at {@code tail}, or at the start of the data area after a PADDING record when
 * it does not fit before the end. The publisher stores {@code tailIntent} (the end of what it is
 * about to write) before any byte, writes the record, stores {@code nextSeq}, then publishes
 * {@code tail} with a release store and looks at {@code subscribersWaiting}: only if a
 * subscriber announced it sleeps does it bump the wake counter and call FUTEX_WAKE. A busy ring
 * costs no syscall, no allocation and no JNI call per record.
 *
 * <p>LOSSLESS: the publisher never writes past {@code position + capacity} of any live
 * subscriber. It keeps the limit it last computed and rescans the slot table (a full fence,
 * then one load per slot in use) only when a record would pass it; when the slowest subscriber
 * holds it back, it checks that subscriber's identity and frees the slot of a dead one, then
 * sleeps on {@code publisherWaiting}, re-checking the table every 10 ms, until a subscriber
 * moves or the deadline passes. LOSSY: it never waits; before overwriting it moves {@code head}
 * past the records it is about to destroy, so that a lapped subscriber finds the oldest intact one.
 *
 * <h2>Errors</h2>
 * InvalidArgumentException for a null, a payload longer than maxRecordLength;
 * ClosedException; CorruptedException for shared bytes another process overwrote or an object
 * truncated under the mapping; InterruptedException from the blocking forms. Timeouts saturate.
 */
public final class BroadcastPublisher implements AutoCloseable {
    private static final String CALL = "broadcast publish";
    /** A publisher held back by a subscriber re-checks the table (and liveness) this often. */
    static final long BLOCKED_SLICE_NANOS = 10_000_000L;

    private final BroadcastRing ring;
    private final long base;
    private final long data;
    private final int capacity;
    private final int mask;
    private final int maxRecordLength;
    private final boolean lossless;
    private final boolean asymmetric;
    private final long identity = ProcessIdentity.self();
    private final BroadcastRing.Ready room = this::room;

    private long tail;
    private long nextSeq;
    /** LOSSY: start of the oldest record not yet overwritten. */
    private long head;
    /** LOSSLESS: records may end up to here without a rescan. */
    private long limit;
    /** The end of the record a blocked publish waits to write. */
    private long pendingEnd;
    private volatile boolean closed;

    BroadcastPublisher(BroadcastRing ring) {
        this.ring = ring;
        this.base = ring.base;
        this.data = ring.data;
        this.capacity = ring.capacity;
        this.mask = ring.mask;
        this.maxRecordLength = ring.maxRecordLength;
        this.lossless = ring.mode == BroadcastMode.LOSSLESS;
        this.asymmetric = ring.asymmetric;
        String call = "broadcast publisher";
        acquire(call);
        try {
            recover(call);
        } catch (RuntimeException | InternalError e) {
            release();
            throw e;
        } finally {
            Reference.reachabilityFence(ring);
        }
        ring.members.add(this);
    }

    private void acquire(String call) {
        long word = base + PUBLISHER_OFFSET;
        for (;;) {
            long owner = MemoryAccess.getLongVolatile(word);
            if (owner != 0 && ProcessIdentity.alive(owner)) {
                throw new BusyException(call, ring.name, 0, "a publisher is attached already ("
                        + ProcessIdentity.describe(owner) + (owner == identity ? ", this process" : "")
                        + "); a broadcast ring has one publisher at a time");
            }
            // Free, or a dead publisher's (or garbage that names no live process): take it.
            MemoryAccess.getLongVolatile(word);
            FaultPoint.deliver();
            if (MemoryAccess.compareAndSetLong(word, owner, identity)) {
                return;
            }
        }
    }

    private void release() {
        if (ring.closed) {
            return;
        }
        try {
            long word = base + PUBLISHER_OFFSET;
            if (MemoryAccess.getLongVolatile(word) == identity) {
                FaultPoint.deliver();
                MemoryAccess.compareAndSetLong(word, identity, 0);
            }
        } catch (InternalError e) {
            if (!Faults.isMappingFault(e)) {
                throw e;
            }
        }
    }

    /**
     * Takes over the positions. A predecessor killed between storing tailIntent and publishing
     * tail left [tail, tailIntent) half written: it becomes PADDING and tail moves to tailIntent,
     * so tailIntent never goes back (a lapping check by a subscriber relies on it).
     */
    private void recover(String call) {
        long t = ring.position(call, base + TAIL_OFFSET, "tail");
        long intent = ring.position(call, base + TAIL_INTENT_OFFSET, "tailIntent");
        long seq = MemoryAccess.getLongVolatile(base + NEXT_SEQ_OFFSET);
        if (intent < t || intent - t >= capacity || seq < 0) {
            throw ring.corrupt(call, "tail " + t + ", tailIntent " + intent + ", nextSeq " + seq
                    + " break tail <= tailIntent < tail + capacity (" + capacity + "), nextSeq >= 0");
        }
        long h = lossless ? t : MemoryAccess.getLongVolatile(base + HEAD_OFFSET);
        if (h > t || t - h > capacity || (h & (RECORD_ALIGN - 1)) != 0) {
            h = t; // garbage (or never set): the newest boundary we know is a record's start
        }
        tail = t;
        nextSeq = seq;
        head = h;
        if (intent > t) {
            if (!lossless) {
                advanceHead(intent);
            }
            long p = t;
            while (p < intent) {
                int index = (int) p & mask;
                int piece = (int) Math.min(intent - p, capacity - index);
                long at = data + index;
                MemoryAccess.putLong(at + RECORD_SEQ, seq);
                MemoryAccess.putInt(at + RECORD_LENGTH, piece);
                MemoryAccess.putInt(at + RECORD_TYPE, TYPE_PADDING);
                p += piece;
            }
            publishTail(intent);
        }
        limit = lossless ? scan() : Long.MAX_VALUE;
        ring.region.checkIntact(call);
    }

    // ---- publishing ----

    /**
     * Publishes the bytes between {@code src}'s position and limit if there is room now, and
     * moves its position to its limit. LOSSY: there is always room.
     *
     * @param src the payload, at most maxRecordLength bytes
     * @return true if published, false if (LOSSLESS) the slowest subscriber is a whole ring behind
     * @throws InvalidArgumentException if {@code src} is null or too long
     */
    public boolean offer(ByteBuffer src) {
        int length = checkSource(src);
        checkOpen();
        try {
            boolean done = tryPublish(src, null, 0, length);
            FaultPoint.deliver();
            ring.region.checkIntact(CALL);
            return done;
        } catch (InternalError e) {
            throw ring.fault(CALL, e);
        }
    }

    /**
     * Publishes {@code length} bytes of {@code src} from {@code offset} if there is room now.
     *
     * @param src    the payload's array
     * @param offset where the payload starts
     * @param length its length, at most maxRecordLength
     * @return true if published, false if (LOSSLESS) the slowest subscriber is a whole ring behind
     * @throws InvalidArgumentException  if {@code src} is null or the length too large
     * @throws IndexOutOfBoundsException if the range is outside {@code src}
     */
    public boolean offer(byte[] src, int offset, int length) {
        checkArray(src, offset, length);
        checkOpen();
        try {
            boolean done = tryPublish(null, src, offset, length);
            FaultPoint.deliver();
            ring.region.checkIntact(CALL);
            return done;
        } catch (InternalError e) {
            throw ring.fault(CALL, e);
        }
    }

    /**
     * Publishes {@code src}'s remaining bytes, waiting (LOSSLESS) as long as it takes for room.
     *
     * @param src the payload
     * @throws InterruptedException if interrupted while waiting (nothing was published)
     * @throws InvalidArgumentException if {@code src} is null or too long
     */
    public void publish(ByteBuffer src) throws InterruptedException {
        publish(src, Duration.ofSeconds(Long.MAX_VALUE));
    }

    /**
     * Publishes {@code src}'s remaining bytes, waiting (LOSSLESS) up to {@code timeout} for the
     * slowest live subscriber to make room.
     *
     * @param src     the payload
     * @param timeout the longest wait; negative or zero: do not wait; it saturates
     * @return true if published, false if the timeout passed first
     * @throws InterruptedException if interrupted while waiting (nothing was published)
     * @throws InvalidArgumentException if {@code src} or {@code timeout} is null, or src too long
     */
    public boolean publish(ByteBuffer src, Duration timeout) throws InterruptedException {
        int length = checkSource(src);
        long nanos = ring.nanos(CALL, timeout);
        checkOpen();
        try {
            long deadline = Timeouts.deadline(nanos);
            for (;;) {
                if (tryPublish(src, null, 0, length)) {
                    FaultPoint.deliver();
                    ring.region.checkIntact(CALL);
                    return true;
                }
                long left = Timeouts.remaining(deadline);
                if (left <= 0 || !ring.await(PUBLISHER_WAITING_OFFSET, PUBLISHER_WAITING_OFFSET, room, left,
                        BLOCKED_SLICE_NANOS, CALL)) {
                    return tryPublish(src, null, 0, length);
                }
            }
        } catch (InternalError e) {
            throw ring.fault(CALL, e);
        } finally {
            Reference.reachabilityFence(ring);
        }
    }

    /**
     * Publishes {@code length} bytes of {@code src} from {@code offset}, waiting up to
     * {@code timeout} for room (LOSSLESS).
     *
     * @param src     the payload's array
     * @param offset  where the payload starts
     * @param length  its length, at most maxRecordLength
     * @param timeout the longest wait; it saturates
     * @return true if published, false if the timeout passed first
     * @throws InterruptedException if interrupted while waiting (nothing was published)
     * @throws InvalidArgumentException  if {@code src} or {@code timeout} is null, or the length too large
     * @throws IndexOutOfBoundsException if the range is outside {@code src}
     */
    public boolean publish(byte[] src, int offset, int length, Duration timeout) throws InterruptedException {
        checkArray(src, offset, length);
        long nanos = ring.nanos(CALL, timeout);
        checkOpen();
        try {
            long deadline = Timeouts.deadline(nanos);
            for (;;) {
                if (tryPublish(null, src, offset, length)) {
                    FaultPoint.deliver();
                    ring.region.checkIntact(CALL);
                    return true;
                }
                long left = Timeouts.remaining(deadline);
                if (left <= 0 || !ring.await(PUBLISHER_WAITING_OFFSET, PUBLISHER_WAITING_OFFSET, room, left,
                        BLOCKED_SLICE_NANOS, CALL)) {
                    return tryPublish(null, src, offset, length);
                }
            }
        } catch (InternalError e) {
            throw ring.fault(CALL, e);
        } finally {
            Reference.reachabilityFence(ring);
        }
    }

    /**
     * The sequence number the next record gets: the count of records published on this ring.
     *
     * @return the next sequence number
     */
    public long nextSequence() {
        return nextSeq;
    }

    /** Detaches (frees the publisher's place); idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ring.members.remove(this);
        release();
    }

    private boolean tryPublish(ByteBuffer bb, byte[] array, int offset, int length) {
        checkOpen();
        int size = recordSize(length);
        long t = tail;
        int index = (int) t & mask;
        int pad = capacity - index < size ? capacity - index : 0;
        long end = t + pad + size;
        if (end > limit) {
            limit = scan();
            if (end > limit) {
                pendingEnd = end;
                return false;
            }
        }
        if (!lossless) {
            advanceHead(end);
        }
        MemoryAccess.putLongRelease(base + TAIL_INTENT_OFFSET, end);
        MemoryAccess.storeFence(); // the intent before any byte it announces (free on x86, DMB on arm64)
        long seq = nextSeq;
        if (pad != 0) {
            long at = data + index;
            MemoryAccess.putLong(at + RECORD_SEQ, seq);
            MemoryAccess.putInt(at + RECORD_LENGTH, pad);
            MemoryAccess.putInt(at + RECORD_TYPE, TYPE_PADDING);
            index = 0;
        }
        long at = data + index;
        MemoryAccess.putLong(at + RECORD_SEQ, seq);
        MemoryAccess.putInt(at + RECORD_LENGTH, length);
        MemoryAccess.putInt(at + RECORD_TYPE, TYPE_DATA);
        if (bb != null) {
            int pos = bb.position();
            if (bb.isDirect()) {
                MemoryAccess.copy(DirectBuffers.address(bb) + pos, at + RECORD_HEADER, length);
            } else {
                MemoryAccess.copyFromArray(bb.array(), bb.arrayOffset() + pos, at + RECORD_HEADER, length);
            }
            bb.position(pos + length);
        } else {
            MemoryAccess.copyFromArray(array, offset, at + RECORD_HEADER, length);
        }
        nextSeq = seq + 1;
        MemoryAccess.putLong(base + NEXT_SEQ_OFFSET, seq + 1);
        publishTail(end);
        Reference.reachabilityFence(ring);
        return true;
    }

    private void publishTail(long end) {
        if (asymmetric) {
            MemoryAccess.putLongRelease(base + TAIL_OFFSET, end); // release; sleepers pay the barrier
        } else {
            MemoryAccess.putLongVolatile(base + TAIL_OFFSET, end);
        }
        tail = end;
        ring.wakeSubscribers();
    }

    /**
     * LOSSY: moves head past every record that starts before {@code end - capacity}, the bytes
     * the record about to be written overwrites; stored before tailIntent. A record size that is
     * garbage (another process wrote it) makes head jump to tail, the newest known boundary.
     */
    private void advanceHead(long end) {
        long floor = end - capacity;
        long h = head;
        if (h >= floor) {
            return;
        }
        while (h < floor) {
            int index = (int) h & mask;
            long at = data + index;
            int length = MemoryAccess.getInt(at + RECORD_LENGTH);
            int type = MemoryAccess.getInt(at + RECORD_TYPE);
            int size = type == TYPE_DATA && length >= 0 && length <= maxRecordLength ? recordSize(length)
                    : type == TYPE_PADDING ? length : -1;
            if (size < RECORD_HEADER || (size & (RECORD_ALIGN - 1)) != 0 || size > capacity - index
                    || h + size > tail) {
                h = tail;
                break;
            }
            h += size;
        }
        head = h;
        MemoryAccess.putLongVolatile(base + HEAD_OFFSET, h);
    }

    /**
     * LOSSLESS: the end the next records may reach: the lowest position of a subscriber in the
     * table (a slot with an identity), and our own tail (a subscriber joining now starts at it or
     * later), plus the capacity. The fence first: a joiner stores its slot, fences and reads tail;
     * so either we see its slot or it sees our last tail.
     */
    private long scan() {
        if (!lossless) {
            return Long.MAX_VALUE;
        }
        MemoryAccess.fullFence();
        long min = tail;
        int used = Math.min(SLOT_COUNT, Math.max(0, MemoryAccess.getIntVolatile(base + SLOTS_USED_OFFSET)));
        for (int i = 0; i < used; i++) {
            long slot = base + slotOffset(i);
            if (MemoryAccess.getLongVolatile(slot + SLOT_IDENTITY) != 0) {
                long p = MemoryAccess.getLongVolatile(slot + SLOT_POSITION);
                if (p < min && p >= 0) {
                    min = p; // a position past tail is garbage: ignored, it cannot hold us back
                }
            }
        }
        return min + capacity;
    }

    /**
     * The blocked publisher's re-check: on the slow path, frees the slots of dead subscribers
     * that hold it back, then rescans.
     */
    private boolean room(boolean slow) {
        if (slow) {
            reapDead(pendingEnd - capacity);
        }
        limit = scan();
        return pendingEnd <= limit;
    }

    /** Frees (CAS identity to 0) the slot of every subscriber below {@code floor} whose process is gone. */
    private void reapDead(long floor) {
        int used = Math.min(SLOT_COUNT, Math.max(0, MemoryAccess.getIntVolatile(base + SLOTS_USED_OFFSET)));
        for (int i = 0; i < used; i++) {
            long slot = base + slotOffset(i);
            long id = MemoryAccess.getLongVolatile(slot + SLOT_IDENTITY);
            if (id != 0 && MemoryAccess.getLongVolatile(slot + SLOT_POSITION) < floor && !ProcessIdentity.alive(id)) {
                MemoryAccess.getLongVolatile(slot + SLOT_IDENTITY);
                FaultPoint.deliver();
                MemoryAccess.compareAndSetLong(slot + SLOT_IDENTITY, id, 0);
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new ClosedException(CALL, ring.name, 0, "the publisher was closed");
        }
        ring.checkOpen(CALL);
    }

    private int checkSource(ByteBuffer src) {
        if (src == null) {
            throw new InvalidArgumentException(CALL, ring.name, 0, "src is null");
        }
        int length = src.remaining();
        if (length > maxRecordLength) {
            throw new InvalidArgumentException(CALL, ring.name, 0, "payload of " + length
                    + " bytes is longer than maxRecordLength " + maxRecordLength);
        }
        if (!src.isDirect() && !src.hasArray()) {
            throw new InvalidArgumentException(CALL, ring.name, 0, "src is a read-only heap buffer: pass a writable"
                    + " or direct one, or an array");
        }
        return length;
    }

    private void checkArray(byte[] src, int offset, int length) {
        if (src == null) {
            throw new InvalidArgumentException(CALL, ring.name, 0, "src is null");
        }
        java.util.Objects.checkFromIndexSize(offset, length, src.length);
        if (length > maxRecordLength) {
            throw new InvalidArgumentException(CALL, ring.name, 0, "payload of " + length
                    + " bytes is longer than maxRecordLength " + maxRecordLength);
        }
    }
}
