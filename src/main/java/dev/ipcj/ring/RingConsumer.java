package dev.ipcj.ring;

import static dev.ipcj.ring.RingLayout.*;
import static dev.ipcj.ring.SharedRing.INTS;
import static dev.ipcj.ring.SharedRing.LONGS;
import static dev.ipcj.ring.RingMemory.U;

import dev.ipcj.ClosedException;
import dev.ipcj.jni.Sys;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.time.Duration;

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
 * <h2>Crash safety</h2>
 * {@code out} moves only after the handler returned, so a consumer killed mid-read leaves the
 * record in the ring for the next consumer (which takes over the dead one's slot): every record
 * is consumed or still there. A record whose handler throws counts as consumed, so one bad
 * record cannot block the ring forever. Records handed to a handler in a batch that the kill
 * interrupted are handed again to the next consumer: side effects of a handler must be
 * idempotent, or use poll(), which consumes one record per call.
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
 */
public final class RingConsumer implements AutoCloseable {
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
    private boolean closed;

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
        long out = ring.position("ring consumer", OUT_OFFSET, "out");
        long in = ring.position("ring consumer", IN_OFFSET, "in");
        ring.checkPositions("ring consumer", in, out);
        this.head = out;
        this.inCache = out;
    }

    // ---- zero-copy batch drain ----

    /** Hands every record available now to {@code handler}; the number handed. */
    public int read(RecordHandler handler) {
        return read(handler, Integer.MAX_VALUE);
    }

    /** Hands up to {@code limit} records available now to {@code handler}; the number handed. */
    public int read(RecordHandler handler, int limit) {
        checkOpen();
        return many ? readMany(handler, limit, Integer.MAX_VALUE) : readOne(handler, limit, Integer.MAX_VALUE);
    }

    /** Waits up to {@code timeout} for records, then reads like {@link #read(RecordHandler, int)}. */
    public int read(RecordHandler handler, int limit, Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        long deadline = System.nanoTime() + nanos;
        for (;;) {
            int n = read(handler, limit);
            if (n > 0) {
                return n;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || !awaitRecord(left)) {
                return read(handler, limit);
            }
        }
    }

    /** Waits as long as it takes for records, then reads like {@link #read(RecordHandler, int)}. */
    public int take(RecordHandler handler, int limit) throws InterruptedException {
        for (;;) {
            int n = read(handler, limit);
            if (n > 0) {
                return n;
            }
            awaitRecord(Long.MAX_VALUE);
        }
    }

    // ---- BlockingQueue vocabulary ----

    /** The next record, or null if none is available now. */
    public byte[] poll() {
        copier.array = true;
        return read(copier, 1) == 1 ? copier.takeArray() : null;
    }

    /** The next record, waiting as long as it takes. */
    public byte[] take() throws InterruptedException {
        copier.array = true;
        take(copier, 1);
        return copier.takeArray();
    }

    /** The next record, waiting up to {@code timeout}; null if none came. */
    public byte[] poll(Duration timeout) throws InterruptedException {
        copier.array = true;
        return read(copier, 1, timeout) == 1 ? copier.takeArray() : null;
    }

    /**
     * Copies the next record into {@code dst} (from its position, which advances): its length,
     * or -1 if none is available now. A record longer than {@code dst.remaining()} stays in the
     * ring and an IllegalArgumentException says how long it is.
     */
    public int poll(ByteBuffer dst) {
        checkOpen();
        copier.array = false;
        copier.dst = dst;
        int room = dst.remaining();
        int n = many ? readMany(copier, 1, room) : readOne(copier, 1, room);
        return finishCopy(n, dst);
    }

    /** Like {@link #poll(ByteBuffer)}, waiting as long as it takes. */
    public int take(ByteBuffer dst) throws InterruptedException {
        for (;;) {
            int n = poll(dst);
            if (n >= 0) {
                return n;
            }
            awaitRecord(Long.MAX_VALUE);
        }
    }

    /** Like {@link #poll(ByteBuffer)}, waiting up to {@code timeout}; -1 if none came. */
    public int poll(ByteBuffer dst, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
            int n = poll(dst);
            if (n >= 0) {
                return n;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || !awaitRecord(left)) {
                return poll(dst);
            }
        }
    }

    /** Detaches, freeing the consumer slot for another process. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ring.releaseOwner(CONSUMER_PID_OFFSET);
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
                long header = U.getLong(data + index);
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
                publish(p);
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
            U.putOrderedLong(null, outAddress, p); // release: no fence (see SharedRing)
        } else {
            U.putLongVolatile(null, outAddress, p);
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
                long header = U.getLongVolatile(null, data + index);
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
                free(head, p);
                stallPosition = -1;
                publish(p);
            }
            Reference.reachabilityFence(ring);
        }
        return n;
    }

    private void checkClaimed(long p, long header, int avail) {
        int length = field(header);
        if (length > maxRecordLength || recordSize(length) > avail || pid(header) <= 0) {
            throw ring.corrupt(CALL, "claim at position " + p + " (header 0x" + Long.toHexString(header)
                    + ") has length " + length + " (allowed 0.." + maxRecordLength + ", " + avail
                    + " bytes left) and pid " + pid(header) + " (allowed > 0)");
        }
    }

    /** Every word of [from, to) becomes FREE for the next lap: its position + capacity. */
    private void free(long from, long to) {
        for (long x = from; x < to; x += 8) {
            U.putLong(data + ((int) x & mask), x + capacity);
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
                if (!LONGS.compareAndSet(buf, DATA_OFFSET + ((int) x & mask), x, padding(8))) {
                    break;
                }
            }
        } else {
            int pid = pid(header);
            if (Sys.pidAlive(pid) == 0) {
                LONGS.compareAndSet(buf, index, header, padding(recordSize(field(header))));
            }
        }
    }

    // ---- waiting ----

    private boolean hasRecord() {
        if (closed) {
            checkOpen();
        }
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
        claimOpen = true;
        return p == stallPosition && header == stallHeader && System.nanoTime() - stallSince >= STALL_NANOS;
    }

    private boolean awaitRecord(long nanos) throws InterruptedException {
        long slice = many ? (claimOpen ? 10_000_000L : 1_000_000_000L) : 0;
        boolean ok = ring.await(CONSUMER_WAITING_OFFSET, ring.consumerWaitingAddress, recordReady, nanos, slice,
                "ring take");
        // We are the only sleeper on this word: clear it so the producer skips a needless wake.
        if ((int) INTS.getOpaque(buf, CONSUMER_WAITING_OFFSET) != 0) {
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

    private int finishCopy(int n, ByteBuffer dst) {
        if (n == 1) {
            return copier.length;
        }
        if (tooLong > 0) {
            int len = tooLong;
            tooLong = 0;
            throw new IllegalArgumentException("the next record has " + len + " bytes but dst has only "
                    + dst.remaining() + " remaining; it stays in the ring");
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
}
