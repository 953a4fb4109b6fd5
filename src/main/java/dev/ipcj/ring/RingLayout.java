package dev.ipcj.ring;

/**
 * The byte layout of a ring in its shared memory object, shared word for word with the C
 * twin {@code src/main/c/ipcj_ring.h}. All fields are in native byte order (little-endian on
 * x86-64 and on arm64 Linux); positions are byte counters that only grow (2^63 bytes: never wrap in practice).
 *
 * <pre>
 * Header (HEADER_SIZE = 4096 bytes; the data area starts page-aligned)
 * offset  size  field             written by        meaning
 * ------  ----  ----------------  ----------------  ------------------------------------------
 *      0     8  magic             creator, last     "IPCJRING" (0x474E49524A435049); 0 while
 *                                                   the creator is still initialising
 *      8     4  layoutVersion     creator           1
 *     12     4  variant           creator           1 = ONE_TO_ONE, 2 = MANY_TO_ONE
 *     16     4  capacity          creator           data area bytes: a power of two, 4 KiB..1 GiB
 *     20     4  maxRecordLength   creator           payload bytes; 8 + it, rounded up to 8,
 *                                                   is at most capacity / 2
 *     24     8  objectSize        creator           HEADER_SIZE + capacity: the object's size
 *     32     4  flags             creator           bit 0 ASYMMETRIC: wakers need no fence,
 *                                                   sleepers call membarrier (see SharedRing)
 *     36     4  headerSize        creator           4096
 *     40     4  producerPid       producer (CAS)    ONE_TO_ONE: pid of the attached producer, 0
 *     44     4  consumerPid       consumer (CAS)    pid of the attached consumer, 0 if none
 *    128     8  in                producer(s)       next free byte (the claim counter in
 *                                                   MANY_TO_ONE); its own 128-byte line
 *    256     8  out               consumer          first byte not yet consumed
 *    384     4  consumerWaiting   consumer / waker  futex word: 1 = consumer asleep or going to
 *    512     4  producerWaiting   producer / waker  futex word: 1 = a producer asleep or going to
 *   1024    64  readBells         WaitSets / waker  8 slots: WaitSet doorbells (pid | id &lt;&lt; 32, 0
 *                                                   free), rung with consumerWaiting (BellTable)
 *   1152    64  writeBells        WaitSets / waker  8 slots, rung with producerWaiting
 *   4096  cap.  data area         records, index = position &amp; (capacity - 1)
 *
 * The bell tables were reserved zero bytes in layout 1 and still are to a peer that ignores
 * them, so the version stays 1: an older peer never rings them, which costs a WaitSet waiting
 * on it one 250 ms slice per change, and works.
 *
 * Invariants checked on every read: out &lt;= in, in - out &lt;= capacity, both multiples of 8.
 *
 * Record (8-byte aligned; size = 8 + length rounded up to 8)
 *   +0  8  header word (a long), by its top two bits:
 *          00  FREE      value == this word's own position (MANY_TO_ONE: the consumer writes
 *                        position + capacity into every word it has consumed, so a stale or
 *                        delayed writer never mistakes an old lap for a new one). One more
 *                        value in this state, only in the header word at `out`: p + capacity
 *                        with out + capacity &lt; p + capacity &lt;= out + 2 capacity, the mark by
 *                        which the consumer retires the batch [out, p) before freeing it (see
 *                        RingConsumer, "Delivery guarantee")
 *          10  CLAIMED   bits 32..61 payload length, bits 0..31 claimer's pid (MANY_TO_ONE)
 *          11  DATA      bits 32..61 payload length, bits 0..31 pid (0 in ONE_TO_ONE)
 *          01  PADDING   bits 32..61 record size in bytes: skip it (wrap filler, an aborted
 *                        claim, or the claim of a producer found dead)
 *   +8  length   payload
 *
 * A record never wraps: when it does not fit before the end, a PADDING record fills the rest.
 * </pre>
 */
public final class RingLayout {
    private RingLayout() {
    }

    /** The magic word, "IPCJRING" in memory order; 0 while the creator is still initialising. */
    public static final long MAGIC = 0x474E49524A435049L; // "IPCJRING" in memory order
    /** The layout version this code reads and writes. */
    public static final int VERSION = 1;
    /** Bytes of the header; the data area starts right after it, page-aligned. */
    public static final int HEADER_SIZE = 4096;
    /** The smallest data area in bytes. */
    public static final int MIN_CAPACITY = 4096;
    /** The largest data area in bytes (1 GiB). */
    public static final int MAX_CAPACITY = 1 << 30;

    /** Offset of the 8-byte magic word. */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the 4-byte layout version. */
    public static final int VERSION_OFFSET = 8;
    /** Offset of the 4-byte variant: 1 = ONE_TO_ONE, 2 = MANY_TO_ONE. */
    public static final int VARIANT_OFFSET = 12;
    /** Offset of the 4-byte capacity of the data area. */
    public static final int CAPACITY_OFFSET = 16;
    /** Offset of the 4-byte maxRecordLength. */
    public static final int MAX_RECORD_OFFSET = 20;
    /** Offset of the 8-byte object size, HEADER_SIZE + capacity. */
    public static final int OBJECT_SIZE_OFFSET = 24;
    /** Offset of the 4-byte flags ({@link #FLAG_ASYMMETRIC}). */
    public static final int FLAGS_OFFSET = 32;
    /** Offset of the 4-byte header size. */
    public static final int HEADER_SIZE_OFFSET = 36;
    /** Offset of the 4-byte pid of the attached producer (ONE_TO_ONE), 0 if none. */
    public static final int PRODUCER_PID_OFFSET = 40;
    /** Offset of the 4-byte pid of the attached consumer, 0 if none. */
    public static final int CONSUMER_PID_OFFSET = 44;
    /** Offset of the 8-byte position {@code in}, the next free byte, on its own cache line. */
    public static final int IN_OFFSET = 128;
    /** Offset of the 8-byte position {@code out}, the first byte not yet consumed. */
    public static final int OUT_OFFSET = 256;
    /** Offset of the consumer's 4-byte futex word: 1 = asleep or going to sleep. */
    public static final int CONSUMER_WAITING_OFFSET = 384;
    /** Offset of the producers' 4-byte futex word: 1 = a producer asleep or going to sleep. */
    public static final int PRODUCER_WAITING_OFFSET = 512;
    /** Offset of the read side's WaitSet doorbell table (8 slots of 8 bytes; see BellTable). */
    public static final int READ_BELLS_OFFSET = 1024;
    /** Offset of the write side's WaitSet doorbell table (8 slots of 8 bytes). */
    public static final int WRITE_BELLS_OFFSET = 1152;
    /** Slots of each doorbell table. */
    public static final int BELL_SLOTS = 8;
    /** Offset of the data area, where the records are. */
    public static final int DATA_OFFSET = HEADER_SIZE;

    /** Flag bit 0: wakers need no fence; sleepers call membarrier instead. */
    public static final int FLAG_ASYMMETRIC = 1;

    /** Bytes of a record's header word, before its payload. */
    public static final int RECORD_HEADER = 8;
    static final long STATE_MASK = 3L << 62;
    static final long FREE = 0;
    static final long PADDING = 1L << 62;
    static final long CLAIMED = 2L << 62;
    static final long DATA = 3L << 62;
    static final int LENGTH_MAX = (1 << 30) - 1;

    /**
     * The record size for a payload of {@code length} bytes.
     *
     * @param length the payload's length in bytes
     * @return the header and payload, rounded up to a multiple of 8
     */
    public static int recordSize(int length) {
        return (RECORD_HEADER + length + 7) & ~7;
    }

    /**
     * The largest maxRecordLength a ring of {@code capacity} allows.
     *
     * @param capacity the data area's size in bytes
     * @return the largest payload length
     */
    public static int maxRecordLengthFor(int capacity) {
        return capacity / 2 - RECORD_HEADER;
    }

    static long data(int length, int pid) {
        return DATA | ((long) length << 32) | (pid & 0xFFFFFFFFL);
    }

    static long claimed(int length, int pid) {
        return CLAIMED | ((long) length << 32) | (pid & 0xFFFFFFFFL);
    }

    static long padding(int size) {
        return PADDING | ((long) size << 32);
    }

    /** Payload length (DATA, CLAIMED) or record size (PADDING) of a header word. */
    static int field(long header) {
        return (int) ((header >>> 32) & LENGTH_MAX);
    }

    static int pid(long header) {
        return (int) header;
    }
}
