package dev.ipcj.ring;

import static dev.ipcj.ring.RingLayout.*;
import static dev.ipcj.ring.RingMemory.U;

import dev.ipcj.InvalidArgumentException;
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
 */
public final class RingProducer implements AutoCloseable {
    private static final String CALL = "ring offer";

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
    private boolean closed;

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
        long in = ring.position("ring producer", IN_OFFSET, "in");
        long out = ring.position("ring producer", OUT_OFFSET, "out");
        ring.checkPositions("ring producer", in, out);
        this.tail = in;
        this.outCache = out;
    }

    /** The largest payload this ring takes. */
    public int maxRecordLength() {
        return maxRecordLength;
    }

    /** The shared buffer that {@link #tryClaim} offsets index into. */
    public ByteBuffer buffer() {
        return buf;
    }

    // ---- BlockingQueue vocabulary ----

    /** Adds {@code src} if there is room now; false when full. */
    public boolean offer(byte[] src) {
        return offer(src, 0, src.length);
    }

    public boolean offer(byte[] src, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, src.length);
        if (many || closed || claimPosition >= 0 || length > maxRecordLength) {
            int at = tryClaim(length); // MANY_TO_ONE, and the error cases
            if (at < 0) {
                return false;
            }
            RingMemory.copyIn(src, offset, ring.base + at, length);
            commit(at);
            Reference.reachabilityFence(ring);
            return true;
        }
        // ONE_TO_ONE: the same steps as tryClaim + commit without the claim bookkeeping.
        int size = recordSize(length);
        long p = reserveOne(size);
        if (p < 0) {
            return false;
        }
        long h = data + ((int) p & mask);
        RingMemory.copyIn(src, offset, h + RECORD_HEADER, length);
        U.putLong(h, data(length, 0));
        publish(p + size);
        Reference.reachabilityFence(ring);
        return true;
    }

    /** Adds {@code src}'s remaining bytes if there is room now (and then advances its position). */
    public boolean offer(ByteBuffer src) {
        int length = src.remaining();
        int at = tryClaim(length);
        if (at < 0) {
            return false;
        }
        buf.put(at, src, src.position(), length);
        commit(at);
        src.position(src.position() + length);
        return true;
    }

    /** Adds {@code src}, waiting for room as long as it takes. */
    public void put(byte[] src) throws InterruptedException {
        offer(src, Long.MAX_VALUE);
    }

    public void put(ByteBuffer src) throws InterruptedException {
        while (!offer(src)) {
            awaitSpace(src.remaining(), Long.MAX_VALUE);
        }
    }

    /** Adds {@code src}, waiting up to {@code timeout} for room; false if it timed out. */
    public boolean offer(byte[] src, Duration timeout) throws InterruptedException {
        return offer(src, timeout.toNanos());
    }

    public boolean offer(ByteBuffer src, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!offer(src)) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !awaitSpace(src.remaining(), left)) {
                return offer(src);
            }
        }
        return true;
    }

    private boolean offer(byte[] src, long nanos) throws InterruptedException {
        long deadline = nanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + nanos;
        while (!offer(src, 0, src.length)) {
            long left = nanos == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
            if (left <= 0 || !awaitSpace(src.length, left)) {
                return offer(src, 0, src.length);
            }
        }
        return true;
    }

    // ---- zero-copy ----

    /**
     * Claims room for a payload of {@code length} bytes: returns the offset in {@link #buffer()}
     * where the payload goes, or -1 when the ring is full. Finish with {@link #commit} or
     * {@link #abort}; nothing is visible to the consumer before the commit.
     */
    public int tryClaim(int length) {
        if (length < 0 || length > maxRecordLength) {
            throw new InvalidArgumentException(CALL, ring.name, 0, "length " + length + " is outside 0.."
                    + maxRecordLength + " (the ring's maxRecordLength)");
        }
        if (closed) {
            ring.checkOpen(CALL);
            throw new dev.ipcj.ClosedException(CALL, ring.name, 0, "the producer was closed");
        }
        int at = many ? claimMany(length) : claimOne(length);
        Reference.reachabilityFence(ring);
        return at;
    }

    /** Claims like {@link #tryClaim}, waiting for room as long as it takes. */
    public int claim(int length) throws InterruptedException {
        int at;
        while ((at = tryClaim(length)) < 0) {
            awaitSpace(length, Long.MAX_VALUE);
        }
        return at;
    }

    /** Publishes the record claimed at {@code offset} and wakes a sleeping consumer. */
    public void commit(int offset) {
        if (many) {
            finishMany(offset, true);
        } else {
            checkClaim(offset);
            U.putLong(ring.base + claimIndex, data(claimLength, 0));
            long end = claimPosition + recordSize(claimLength);
            claimPosition = -1;
            publish(end);
            Reference.reachabilityFence(ring);
        }
    }

    /** Gives up the claim at {@code offset}: the consumer never sees it. */
    public void abort(int offset) {
        if (many) {
            finishMany(offset, false);
        } else {
            checkClaim(offset);
            claimPosition = -1; // nothing was published; `in` stays where it was
        }
    }

    /** Detaches (ONE_TO_ONE: frees the producer slot for another process). An open claim is dropped. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!many) {
            ring.releaseOwner(PRODUCER_PID_OFFSET);
        }
    }

    // ---- ONE_TO_ONE ----

    private int claimOne(int length) {
        if (claimPosition >= 0) {
            throw new IllegalStateException("a claim is already open at offset " + (claimIndex + RECORD_HEADER)
                    + ": commit or abort it first (ONE_TO_ONE allows one at a time)");
        }
        long p = reserveOne(recordSize(length));
        if (p < 0) {
            return -1;
        }
        claimPosition = p;
        claimIndex = DATA_OFFSET + ((int) p & mask);
        claimLength = length;
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
            U.putLong(data + index, padding(toEnd));
            p += toEnd;
        }
        return p;
    }

    private void checkClaim(int offset) {
        if (claimPosition < 0 || offset != claimIndex + RECORD_HEADER) {
            throw new IllegalStateException(claimPosition < 0 ? "no open claim" : "offset " + offset
                    + " is not the open claim's " + (claimIndex + RECORD_HEADER));
        }
    }

    private void publish(long end) {
        if (asymmetric) {
            U.putOrderedLong(null, inAddress, end); // release: no fence (see SharedRing)
        } else {
            U.putLongVolatile(null, inAddress, end);
        }
        tail = end;
        ring.wake(CONSUMER_WAITING_OFFSET, ring.consumerWaitingAddress, 1);
    }

    // ---- MANY_TO_ONE ----

    private int claimMany(int length) {
        int size = recordSize(length);
        for (;;) {
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
            if (!U.compareAndSwapLong(null, inAddress, p, p + need)) {
                continue;
            }
            long rec = p;
            if (need != size) {
                // The padding is ours too; a failed CAS means the consumer reaped this claim
                // (we stalled between the two CASes for long): claim again elsewhere.
                if (!U.compareAndSwapLong(null, data + index, p, padding(toEnd))) {
                    continue;
                }
                rec = p + toEnd;
                index = 0;
            }
            // The header word is FREE (== rec) unless the consumer reaped it (see RingConsumer).
            if (!U.compareAndSwapLong(null, data + index, rec, claimed(length, pid))) {
                continue;
            }
            return DATA_OFFSET + index + RECORD_HEADER;
        }
    }

    private void finishMany(int offset, boolean commit) {
        int h = offset - RECORD_HEADER;
        if (h < DATA_OFFSET || h >= DATA_OFFSET + capacity || (h & 7) != 0) {
            throw new IllegalArgumentException("offset " + offset + " is not a claim's offset (8-aligned, in "
                    + (DATA_OFFSET + RECORD_HEADER) + ".." + (DATA_OFFSET + capacity) + ")");
        }
        long header = U.getLongVolatile(null, ring.base + h);
        if ((header & STATE_MASK) != CLAIMED || pid(header) != pid) {
            throw ring.corrupt(commit ? "ring commit" : "ring abort", "the header at offset " + h
                    + " is 0x" + Long.toHexString(header) + ", not this process's claim (pid " + pid
                    + "): committed twice, a wrong offset, or overwritten");
        }
        int length = field(header);
        long done = commit ? data(length, pid) : padding(recordSize(length));
        if (!U.compareAndSwapLong(null, ring.base + h, header, done)) {
            throw ring.corrupt("ring commit", "the claim at offset " + h + " changed under us");
        }
        // The CAS was a full fence: reading the flag now cannot miss a sleeper (no membarrier needed).
        ring.wake(CONSUMER_WAITING_OFFSET, ring.consumerWaitingAddress, 1);
        Reference.reachabilityFence(ring);
    }

    // ---- waiting ----

    private boolean awaitSpace(int length, long nanos) throws InterruptedException {
        wanted = recordSize(length);
        return ring.await(PRODUCER_WAITING_OFFSET, ring.producerWaitingAddress, spaceReady, nanos, 0,
                "ring put");
    }

    private boolean hasSpace() {
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
}
