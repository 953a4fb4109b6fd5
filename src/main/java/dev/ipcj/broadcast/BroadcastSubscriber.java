package dev.ipcj.broadcast;

import static dev.ipcj.broadcast.BroadcastLayout.*;

import dev.ipcj.ClosedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.LimitExceededException;
import dev.ipcj.internal.DirectBuffers;
import dev.ipcj.internal.FaultPoint;
import dev.ipcj.internal.Faults;
import dev.ipcj.internal.MemoryAccess;
import dev.ipcj.internal.ProcessIdentity;
import dev.ipcj.internal.Timeouts;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

/**
 * Reads every record of a {@link BroadcastRing} published after it joined, in order, at its own
 * pace. Each subscriber holds one slot of the header's table (its identity, position, state);
 * one thread uses it.
 *
 * <h2>Reading</h2>
 * {@link #poll(ByteBuffer)} copies the next record into a buffer; {@link #read(BroadcastHandler, int)}
 * hands up to {@code limit} records to a handler and publishes the position once. Every length,
 * type and position read from shared memory is checked against the capacity, maxRecordLength and
 * {@code tail} before it is used; the index is always {@code position & (capacity - 1)} with this
 * process's own copy of the capacity, so no bytes can make a read leave the mapping.
 *
 * <h2>Lapping (LOSSY)</h2>
 * The publisher may overwrite a record while it is being copied. So after the copy the subscriber
 * reads {@code tailIntent} (after a load fence): if the publisher may have written past this
 * record's position + capacity, the copy is discarded. The subscriber then moves to {@code head}
 * (the oldest record still intact), counts the records it missed by their sequence numbers, and
 * throws {@link LappedException} with the count; its next call reads from there. Before its first
 * record the count is taken from {@code nextSeq} at joining. In LOSSLESS mode the same check
 * guards against a slot another process took from a live subscriber (only garbage does that).
 *
 * <h2>Blocking</h2>
 * The blocking forms spin a few microseconds, then sleep on the one wake counter every idle
 * subscriber shares, after setting {@code subscribersWaiting}; the publisher bumps the counter
 * and calls FUTEX_WAKE only when that flag is set. Interrupts throw InterruptedException; EINTR
 * from other signals is retried; timeouts saturate.
 *
 * <h2>Errors</h2>
 * LappedException (LOSSY); InvalidArgumentException for a null, a limit below 1, a read-only
 * {@code dst} or one too small for the next record (which stays unread); ClosedException;
 * CorruptedException for shared bytes another process overwrote or an object truncated under
 * the mapping; InterruptedException from the blocking forms; whatever a handler throws (the
 * record counts as read).
 */
public final class BroadcastSubscriber implements AutoCloseable, dev.ipcj.Waitable {
    private static final String CALL = "broadcast poll";
    private static final int RESUME_TRIES = 1000;

    private final BroadcastRing ring;
    private final long base;
    private final long data;
    private final int capacity;
    private final int mask;
    private final int maxRecordLength;
    private final boolean lossless;
    private final long identity = ProcessIdentity.self();
    private final BroadcastRing.Ready recordReady = this::hasRecord;
    /** LOSSY handlers get a checked copy here; LOSSLESS ones the shared bytes themselves. */
    private final ByteBuffer scratch;
    private final long scratchAddress;
    private final ByteBuffer view;

    private int slot;
    private long slotAddress;
    private long cursor;
    private long committed;
    private long tailCache;
    private long expectedSeq;
    private long lost;
    private long received;
    private volatile boolean closed;

    BroadcastSubscriber(BroadcastRing ring) {
        this.ring = ring;
        this.base = ring.base;
        this.data = ring.data;
        this.capacity = ring.capacity;
        this.mask = ring.mask;
        this.maxRecordLength = ring.maxRecordLength;
        this.lossless = ring.mode == BroadcastMode.LOSSLESS;
        this.view = ring.readOnly;
        if (lossless) {
            this.scratch = null;
            this.scratchAddress = 0;
        } else {
            ByteBuffer s = ByteBuffer.allocateDirect(Math.max(8, maxRecordLength)).order(ByteOrder.nativeOrder());
            this.scratch = s.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
            this.scratchAddress = DirectBuffers.address(s);
        }
        join("broadcast subscriber");
        ring.members.add(this);
        Reference.reachabilityFence(ring);
    }

    /**
     * Takes a free slot or a dead subscriber's by CAS on its identity, raises slotsUsed over it,
     * then stores a position, fences and reads tail again: a LOSSLESS publisher scanning now
     * either sees the slot or published the tail we start at (see BroadcastPublisher#scan).
     */
    private void join(String call) {
        int got = -1;
        for (int i = 0; i < SLOT_COUNT && got < 0; i++) {
            long at = base + slotOffset(i) + SLOT_IDENTITY;
            long id = MemoryAccess.getLongVolatile(at);
            if (id == 0 || !ProcessIdentity.alive(id)) {
                FaultPoint.deliver();
                if (MemoryAccess.compareAndSetLong(at, id, identity)) {
                    got = i;
                }
            }
        }
        ring.region.checkIntact(call);
        if (got < 0) {
            throw new LimitExceededException(call, ring.name, 0, "all " + SLOT_COUNT
                    + " subscriber slots hold live subscribers");
        }
        slot = got;
        slotAddress = base + slotOffset(got);
        long used = base + SLOTS_USED_OFFSET;
        for (;;) {
            int u = MemoryAccess.getIntVolatile(used);
            if (u >= got + 1 && u <= SLOT_COUNT) {
                break;
            }
            FaultPoint.deliver();
            if (MemoryAccess.compareAndSetInt(used, u, got + 1)) {
                break;
            }
        }
        long t1 = ring.position(call, base + TAIL_OFFSET, "tail");
        MemoryAccess.putLongVolatile(slotAddress + SLOT_POSITION, t1);
        MemoryAccess.putLong(slotAddress + SLOT_LOST, 0);
        MemoryAccess.putLong(slotAddress + SLOT_RECEIVED, 0);
        MemoryAccess.putIntVolatile(slotAddress + SLOT_STATE, STATE_ACTIVE);
        MemoryAccess.fullFence();
        long t2 = ring.position(call, base + TAIL_OFFSET, "tail");
        MemoryAccess.putLongVolatile(slotAddress + SLOT_POSITION, t2);
        long seq = MemoryAccess.getLongVolatile(base + NEXT_SEQ_OFFSET);
        cursor = t2;
        committed = t2;
        tailCache = t2;
        expectedSeq = Math.max(0, seq);
        ring.region.checkIntact(call);
    }

    // ---- reading ----

    /**
     * Copies the next record into {@code dst} (from its position, which moves past it).
     *
     * @param dst a writable buffer with room for the record
     * @return the record's length, or -1 if there is none now
     * @throws LappedException          (LOSSY) if the publisher overwrote unread records
     * @throws InvalidArgumentException if {@code dst} is null, read-only, or smaller than the next record
     */
    public int poll(ByteBuffer dst) {
        checkDst(dst);
        checkOpen();
        try {
            int n = step(dst, null);
            commit();
            FaultPoint.deliver();
            ring.region.checkIntact(CALL);
            return n;
        } catch (InternalError e) {
            throw ring.fault(CALL, e);
        } finally {
            Reference.reachabilityFence(ring);
        }
    }

    /**
     * As {@link #poll(ByteBuffer)}, waiting up to {@code timeout} for a record.
     *
     * @param dst     a writable buffer with room for the record
     * @param timeout the longest wait; negative or zero: do not wait; it saturates
     * @return the record's length, or -1 if none came in time
     * @throws InterruptedException     if interrupted while waiting
     * @throws LappedException          (LOSSY) if the publisher overwrote unread records
     * @throws InvalidArgumentException if {@code dst} or {@code timeout} is null, or dst is unfit
     */
    public int poll(ByteBuffer dst, Duration timeout) throws InterruptedException {
        checkDst(dst);
        long nanos = ring.nanos(CALL, timeout);
        checkOpen();
        try {
            long deadline = Timeouts.deadline(nanos);
            for (;;) {
                int n = step(dst, null);
                commit();
                if (n >= 0) {
                    FaultPoint.deliver();
                    ring.region.checkIntact(CALL);
                    return n;
                }
                long left = Timeouts.remaining(deadline);
                if (left <= 0 || !await(left)) {
                    n = step(dst, null);
                    commit();
                    return n;
                }
            }
        } catch (InternalError e) {
            throw ring.fault(CALL, e);
        } finally {
            Reference.reachabilityFence(ring);
        }
    }

    /**
     * As {@link #poll(ByteBuffer)}, waiting as long as it takes.
     *
     * @param dst a writable buffer with room for the record
     * @return the record's length
     * @throws InterruptedException     if interrupted while waiting
     * @throws LappedException          (LOSSY) if the publisher overwrote unread records
     * @throws InvalidArgumentException if {@code dst} is null or unfit
     */
    public int take(ByteBuffer dst) throws InterruptedException {
        return poll(dst, Duration.ofSeconds(Long.MAX_VALUE));
    }

    /**
     * The next record as a new array, or null if there is none now (allocates: a convenience).
     *
     * @return the payload, or null
     * @throws LappedException (LOSSY) if the publisher overwrote unread records
     */
    public byte[] poll() {
        ByteBuffer b = ByteBuffer.allocate(maxRecordLength);
        int n = poll(b);
        if (n < 0) {
            return null;
        }
        byte[] out = new byte[n];
        b.flip().get(out);
        return out;
    }

    /**
     * Hands up to {@code limit} records available now to {@code handler}, then publishes the
     * position once.
     *
     * @param handler receives each record
     * @param limit   the most records, at least 1
     * @return the number of records handed
     * @throws LappedException          (LOSSY) if the publisher overwrote unread records (the
     *                                  records handed before stay handed)
     * @throws InvalidArgumentException if {@code handler} is null or {@code limit} below 1
     */
    public int read(BroadcastHandler handler, int limit) {
        checkHandler(handler, limit);
        checkOpen();
        try {
            int n = readNow(handler, limit);
            FaultPoint.deliver();
            ring.region.checkIntact(CALL);
            return n;
        } catch (InternalError e) {
            throw ring.fault(CALL, e);
        } finally {
            Reference.reachabilityFence(ring);
        }
    }

    /**
     * Waits up to {@code timeout} for a record, then reads like {@link #read(BroadcastHandler, int)}.
     *
     * @param handler receives each record
     * @param limit   the most records, at least 1
     * @param timeout the longest wait for the first record; it saturates
     * @return the number of records handed, 0 if none came in time
     * @throws InterruptedException     if interrupted while waiting
     * @throws LappedException          (LOSSY) if the publisher overwrote unread records
     * @throws InvalidArgumentException if an argument is null or {@code limit} below 1
     */
    public int read(BroadcastHandler handler, int limit, Duration timeout) throws InterruptedException {
        checkHandler(handler, limit);
        long nanos = ring.nanos(CALL, timeout);
        checkOpen();
        try {
            long deadline = Timeouts.deadline(nanos);
            for (;;) {
                int n = readNow(handler, limit);
                if (n > 0) {
                    FaultPoint.deliver();
                    ring.region.checkIntact(CALL);
                    return n;
                }
                long left = Timeouts.remaining(deadline);
                if (left <= 0 || !await(left)) {
                    return readNow(handler, limit);
                }
            }
        } catch (InternalError e) {
            throw ring.fault(CALL, e);
        } finally {
            Reference.reachabilityFence(ring);
        }
    }

    /**
     * Records this subscriber lost by being lapped, in total.
     *
     * @return the count
     */
    public long lost() {
        return lost;
    }

    /**
     * Records this subscriber received, in total.
     *
     * @return the count
     */
    public long received() {
        return received;
    }

    /**
     * The sequence number of the record this subscriber expects next.
     *
     * @return the sequence number
     */
    public long nextSequence() {
        return expectedSeq;
    }

    /**
     * The index of this subscriber's slot in the header's table.
     *
     * @return 0..{@link BroadcastLayout#SLOT_COUNT}-1
     */
    public int slot() {
        return slot;
    }

    /** Leaves: frees the slot (a LOSSLESS publisher stops waiting for it); idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ring.members.remove(this);
        if (ring.closed) {
            return;
        }
        try {
            MemoryAccess.putIntVolatile(slotAddress + SLOT_STATE, STATE_FREE);
            long at = slotAddress + SLOT_IDENTITY;
            if (MemoryAccess.getLongVolatile(at) == identity) {
                FaultPoint.deliver();
                MemoryAccess.compareAndSetLong(at, identity, 0);
            }
            if (lossless) {
                ring.wakePublisher();
            }
        } catch (InternalError e) {
            if (!Faults.isMappingFault(e)) {
                throw e;
            }
        } finally {
            Reference.reachabilityFence(ring);
        }
    }

    // ---- the protocol ----

    private int readNow(BroadcastHandler handler, int limit) {
        int n = 0;
        try {
            while (n < limit && step(null, handler) >= 0) {
                n++;
            }
        } finally {
            commit();
        }
        return n;
    }

    /**
     * Reads the next DATA record (skipping PADDING) into {@code dst} or hands it to
     * {@code handler}; its length, or -1 if there is none.
     */
    private int step(ByteBuffer dst, BroadcastHandler handler) {
        checkOpen();
        long p = cursor;
        for (;;) {
            long t = tailCache;
            if (p == t) {
                t = ring.position(CALL, base + TAIL_OFFSET, "tail");
                if (t < p) {
                    throw ring.corrupt(CALL, "tail " + t + " went back below this subscriber's position " + p);
                }
                tailCache = t;
                if (p == t) {
                    return -1;
                }
            }
            if (t - p > capacity) {
                throw lapped(p);
            }
            int index = (int) p & mask;
            long at = data + index;
            long seq = MemoryAccess.getLong(at + RECORD_SEQ);
            int length = MemoryAccess.getInt(at + RECORD_LENGTH);
            int type = MemoryAccess.getInt(at + RECORD_TYPE);
            int avail = (int) Math.min(t - p, capacity - index);
            if (type == TYPE_PADDING) {
                checkLapped(p);
                if (length < RECORD_HEADER || (length & (RECORD_ALIGN - 1)) != 0 || length > avail) {
                    throw ring.corrupt(CALL, "padding at position " + p + " has size " + length
                            + "; allowed: a multiple of 16 in 16.." + avail);
                }
                p += length;
                cursor = p;
                continue;
            }
            if (type != TYPE_DATA || length < 0 || length > maxRecordLength || recordSize(length) > avail) {
                checkLapped(p);
                throw ring.corrupt(CALL, "record at position " + p + " has type " + type + ", length " + length
                        + "; allowed: type 1 or 2, length 0.." + Math.min(maxRecordLength, avail - RECORD_HEADER));
            }
            if (dst != null) {
                if (length > dst.remaining()) {
                    checkLapped(p);
                    throw new InvalidArgumentException(CALL, ring.name, 0, "the next record has " + length
                            + " bytes; dst has room for " + dst.remaining() + " (it stays unread)");
                }
                int pos = dst.position();
                if (dst.isDirect()) {
                    MemoryAccess.copy(at + RECORD_HEADER, DirectBuffers.address(dst) + pos, length);
                } else {
                    MemoryAccess.copyToArray(at + RECORD_HEADER, dst.array(), dst.arrayOffset() + pos, length);
                }
                checkLapped(p); // before the caller sees the bytes: a lapped copy is never returned
                dst.position(pos + length);
            } else if (lossless) {
                cursor = p + recordSize(length); // before the handler: a throwing handler consumed it
                expectedSeq = seq + 1;
                received++;
                handler.onRecord(view, DATA_OFFSET + index + RECORD_HEADER, length, seq);
                checkLapped(p);
                return length;
            } else {
                MemoryAccess.copy(at + RECORD_HEADER, scratchAddress, length);
                checkLapped(p);
                cursor = p + recordSize(length);
                expectedSeq = seq + 1;
                received++;
                handler.onRecord(scratch, 0, length, seq);
                return length;
            }
            cursor = p + recordSize(length);
            expectedSeq = seq + 1;
            received++;
            return length;
        }
    }

    /** Whether the publisher may have written over position {@code p} since it was read (loads before it). */
    private void checkLapped(long p) {
        MemoryAccess.loadFence();
        long intent = MemoryAccess.getLongVolatile(base + TAIL_INTENT_OFFSET);
        if (intent - p > capacity) {
            throw lapped(p);
        }
    }

    /**
     * Moves to the oldest record still intact (LOSSY: head; LOSSLESS: tail, after taking a slot
     * again if ours was taken), counts what was skipped, and returns the exception to throw.
     */
    private LappedException lapped(long p) {
        long resume = -1;
        long resumeSeq = expectedSeq;
        for (int tries = 0; tries < RESUME_TRIES; tries++) {
            long t = ring.position(CALL, base + TAIL_OFFSET, "tail");
            long h = lossless ? t : MemoryAccess.getLongVolatile(base + HEAD_OFFSET);
            if (h > t || t - h > capacity || h < 0 || (h & (RECORD_ALIGN - 1)) != 0) {
                h = t; // garbage: the newest boundary is safe
            }
            long seq = h == t ? MemoryAccess.getLongVolatile(base + NEXT_SEQ_OFFSET) : MemoryAccess.getLong(data + ((int) h & mask));
            MemoryAccess.loadFence();
            long intent = MemoryAccess.getLongVolatile(base + TAIL_INTENT_OFFSET);
            if (intent - h <= capacity) {
                resume = h;
                resumeSeq = seq;
                break;
            }
        }
        if (resume < 0) {
            resume = ring.position(CALL, base + TAIL_OFFSET, "tail");
            resumeSeq = MemoryAccess.getLongVolatile(base + NEXT_SEQ_OFFSET);
        }
        long missed = Math.max(0, resumeSeq - expectedSeq);
        cursor = resume;
        tailCache = resume;
        expectedSeq = Math.max(expectedSeq, resumeSeq);
        lost += missed;
        MemoryAccess.putLong(slotAddress + SLOT_LOST, lost);
        if (lossless && MemoryAccess.getLongVolatile(slotAddress + SLOT_IDENTITY) != identity) {
            join(CALL);
        }
        commit();
        return new LappedException(CALL, ring.name, missed, expectedSeq);
    }

    /** Publishes the position (one ordered store per batch) and, LOSSLESS, wakes a publisher waiting for it. */
    private void commit() {
        long p = cursor;
        if (p != committed) {
            MemoryAccess.putLongRelease(slotAddress + SLOT_RECEIVED, received);
            if (lossless && !ring.asymmetric) {
                MemoryAccess.putLongVolatile(slotAddress + SLOT_POSITION, p); // the fence before the flag's load
            } else {
                MemoryAccess.putLongRelease(slotAddress + SLOT_POSITION, p); // release (asymmetric: sleepers fence)
            }
            committed = p;
            if (lossless) {
                ring.wakePublisher();
            }
        }
    }

    private boolean hasRecord(boolean slow) {
        if (slow && lossless && MemoryAccess.getLongVolatile(slotAddress + SLOT_IDENTITY) != identity) {
            return true; // our slot was taken: the next step finds out (lapped) and joins again
        }
        return MemoryAccess.getLongVolatile(base + TAIL_OFFSET) != cursor;
    }

    private boolean await(long nanos) throws InterruptedException {
        MemoryAccess.putIntVolatile(slotAddress + SLOT_STATE, STATE_SLEEPING);
        try {
            return ring.await(SUBSCRIBERS_WAITING_OFFSET, WAKE_COUNTER_OFFSET, recordReady, nanos,
                    BroadcastRing.CHECK_NANOS, CALL);
        } finally {
            if (!closed && !ring.closed) {
                MemoryAccess.putIntVolatile(slotAddress + SLOT_STATE, STATE_ACTIVE);
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new ClosedException(CALL, ring.name, 0, "the subscriber was closed");
        }
        ring.checkOpen(CALL);
    }

    private void checkDst(ByteBuffer dst) {
        if (dst == null) {
            throw new InvalidArgumentException(CALL, ring.name, 0, "dst is null");
        }
        if (dst.isReadOnly()) {
            throw new InvalidArgumentException(CALL, ring.name, 0, "dst is read-only");
        }
    }

    private void checkHandler(BroadcastHandler handler, int limit) {
        if (handler == null) {
            throw new InvalidArgumentException(CALL, ring.name, 0, "handler is null");
        }
        if (limit < 1) {
            throw new InvalidArgumentException(CALL, ring.name, 0, "limit " + limit + " is below 1");
        }
    }

    // ---- WaitSet ----

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
     * False once this subscriber or its ring was closed.
     *
     * @return true until closed
     */
    @Override
    public boolean isOpen() {
        return !closed && !ring.closed;
    }

    /**
     * How a {@link dev.ipcj.WaitSet} waits on this subscriber: READABLE while a record is
     * published beyond its position (or its slot was taken over, which the next read reports).
     * The set announces itself on the subscribers' waiting word, as a blocked take does, and
     * the publisher rings its doorbell only then. Ask from the thread that reads this subscriber.
     *
     * @return the hook
     */
    @Override
    public dev.ipcj.WaitHook waitHook() {
        return new dev.ipcj.WaitHook() {
            @Override
            public int readiness(int interest) {
                checkOpen();
                return hasRecord(true) ? dev.ipcj.WaitSet.READABLE : 0;
            }

            @Override
            public boolean attach(long bell, int interest) {
                if (interest != dev.ipcj.WaitSet.READABLE) {
                    throw new dev.ipcj.InvalidArgumentException("WaitSet.add", ring.name, 0,
                            "a broadcast subscriber can be waited on for READABLE only");
                }
                checkOpen();
                return ring.bells().attach(bell);
            }

            @Override
            public void arm(int interest) {
                checkOpen();
                MemoryAccess.putIntVolatile(base + SUBSCRIBERS_WAITING_OFFSET, 1);
                ring.sleeperBarrier();
            }

            @Override
            public void detach(long bell, int interest) {
                if (!ring.closed) {
                    ring.bells().detach(bell);
                }
            }
        };
    }
}
