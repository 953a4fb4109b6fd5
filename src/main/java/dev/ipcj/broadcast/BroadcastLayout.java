package dev.ipcj.broadcast;

/**
 * The byte layout of a broadcast ring in its shared memory object, shared word for word with the
 * C twin {@code src/main/c/ipcj_broadcast.h} ({@code IPCJ_BCAST_*}). Native byte order;
 * positions are byte counters that only grow; hot words sit on their own 128-byte lines.
 *
 * <pre>
 * Header (HEADER_SIZE = 12288 bytes; the data area starts page-aligned)
 * offset  size  field               written by          meaning
 * ------  ----  ------------------  ------------------  ----------------------------------------
 *      0     8  magic               creator, last       "IPCJBCST"; 0 while being initialised
 *      8     4  layoutVersion       creator             1
 *     12     4  mode                creator             1 = LOSSLESS, 2 = LOSSY
 *     16     4  capacity            creator             data bytes: a power of two, 4 KiB..1 GiB
 *     20     4  maxRecordLength     creator             payload bytes; recordSize(it) &lt;= capacity/4
 *     24     8  objectSize          creator             HEADER_SIZE + capacity
 *     32     4  flags               creator             bit 0 ASYMMETRIC (as the ring's)
 *     36     4  headerSize          creator             12288
 *     40     4  slotCount           creator             64
 *     44     4  slotsUsed           subscribers (CAS)   slots 0..slotsUsed-1 may be taken: the
 *                                                       publisher scans no further
 *     48     8  publisher           publisher (CAS)     identity (pid | start time &lt;&lt; 32), 0: none
 *    128     8  tailIntent          publisher           end of the record being written: stored
 *                                                       before any byte of it
 *    256     8  tail                publisher           end of the last published record (release)
 *    264     8  nextSeq             publisher           sequence number of the next record
 *    384     8  head                publisher (LOSSY)   start of the oldest record still intact
 *    512     4  wakeCounter         publisher           futex word every idle subscriber sleeps on
 *    640     4  subscribersWaiting  subscribers/waker   1: a subscriber sleeps or is going to
 *    768     4  publisherWaiting    publisher/waker     futex word: 1: the publisher sleeps (LOSSLESS)
 *    896    64  bells               WaitSets/publisher  8 WaitSet doorbells (pid | id &lt;&lt; 32, 0 free),
 *                                                       rung with subscribersWaiting (BellTable);
 *                                                       reserved zero bytes before: version kept
 *   1024  8192  slots[64]           one subscriber each 128 bytes per slot, below
 *  12288  cap.  data area           records at position &amp; (capacity - 1)
 *
 * Subscriber slot (128 bytes, at SLOTS_OFFSET + i * SLOT_SIZE)
 *     +0     8  identity            subscriber (CAS)    0: free; a dead one's is taken over
 *     +8     8  position            subscriber          next byte it reads; LOSSLESS: the
 *                                                       publisher never writes past position + capacity
 *    +16     4  state               subscriber          0 FREE, 1 ACTIVE, 2 SLEEPING (for monitors)
 *    +24     8  lost                subscriber          records it lost by being lapped (LOSSY)
 *    +32     8  received            subscriber          records it received
 *
 * Record (16-byte aligned; size = recordSize(length) = 16 + length rounded up to 16)
 *     +0     8  seq                 DATA: its sequence number; PADDING: the next record's
 *     +8     4  length              DATA: payload bytes; PADDING: the record's size in bytes
 *    +12     4  type                1 = DATA, 2 = PADDING (fills the end of the area: records
 *                                   never wrap)
 *    +16        payload
 *
 * Invariants checked by readers: tail - capacity &lt;= head &lt;= tail &lt;= tailIntent, all multiples
 * of 16; a record lies inside [position, tail) and before the end of the data area.
 * </pre>
 */
public final class BroadcastLayout {
    private BroadcastLayout() {
    }

    /** The magic word, "IPCJBCST" in memory order. */
    public static final long MAGIC = 0x545343424A435049L; // "IPCJBCST" in memory order
    /** The layout version this code reads and writes. */
    public static final int VERSION = 1;
    /** Bytes of the header; the data area starts right after it, page-aligned. */
    public static final int HEADER_SIZE = 12288;
    /** The smallest data area in bytes. */
    public static final int MIN_CAPACITY = 4096;
    /** The largest data area in bytes (1 GiB). */
    public static final int MAX_CAPACITY = 1 << 30;
    /** Subscriber slots in the header. */
    public static final int SLOT_COUNT = 64;
    /** Bytes of one subscriber slot: one slot per 128-byte line pair, never shared. */
    public static final int SLOT_SIZE = 128;

    /** Mode code: the publisher waits for the slowest live subscriber. */
    public static final int LOSSLESS = 1;
    /** Mode code: the publisher never waits; a lapped subscriber is told how much it lost. */
    public static final int LOSSY = 2;
    /** Flag bit 0: wakers need no fence; sleepers call membarrier instead. */
    public static final int FLAG_ASYMMETRIC = 1;

    /** Offset of the 8-byte magic. */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the 4-byte layout version. */
    public static final int VERSION_OFFSET = 8;
    /** Offset of the 4-byte mode. */
    public static final int MODE_OFFSET = 12;
    /** Offset of the 4-byte capacity. */
    public static final int CAPACITY_OFFSET = 16;
    /** Offset of the 4-byte maxRecordLength. */
    public static final int MAX_RECORD_OFFSET = 20;
    /** Offset of the 8-byte object size. */
    public static final int OBJECT_SIZE_OFFSET = 24;
    /** Offset of the 4-byte flags. */
    public static final int FLAGS_OFFSET = 32;
    /** Offset of the 4-byte header size. */
    public static final int HEADER_SIZE_OFFSET = 36;
    /** Offset of the 4-byte slot count. */
    public static final int SLOT_COUNT_OFFSET = 40;
    /** Offset of the 4-byte count of slots that may be in use. */
    public static final int SLOTS_USED_OFFSET = 44;
    /** Offset of the 8-byte identity of the attached publisher. */
    public static final int PUBLISHER_OFFSET = 48;
    /** Offset of the 8-byte tailIntent. */
    public static final int TAIL_INTENT_OFFSET = 128;
    /** Offset of the 8-byte tail. */
    public static final int TAIL_OFFSET = 256;
    /** Offset of the 8-byte nextSeq. */
    public static final int NEXT_SEQ_OFFSET = 264;
    /** Offset of the 8-byte head (LOSSY). */
    public static final int HEAD_OFFSET = 384;
    /** Offset of the 4-byte wake counter, the subscribers' futex word. */
    public static final int WAKE_COUNTER_OFFSET = 512;
    /** Offset of the 4-byte subscribersWaiting flag. */
    public static final int SUBSCRIBERS_WAITING_OFFSET = 640;
    /** Offset of the 4-byte publisherWaiting futex word. */
    public static final int PUBLISHER_WAITING_OFFSET = 768;
    /** Offset of the subscribers' table of WaitSet doorbells (8 slots of 8 bytes; BellTable). */
    public static final int BELLS_OFFSET = 896;
    /** Slots of the doorbell table. */
    public static final int BELL_SLOTS = 8;
    /** Offset of the first subscriber slot. */
    public static final int SLOTS_OFFSET = 1024;
    /** Offset of the data area. */
    public static final int DATA_OFFSET = HEADER_SIZE;

    /** Offset in a slot of the 8-byte subscriber identity. */
    public static final int SLOT_IDENTITY = 0;
    /** Offset in a slot of the 8-byte position. */
    public static final int SLOT_POSITION = 8;
    /** Offset in a slot of the 4-byte state. */
    public static final int SLOT_STATE = 16;
    /** Offset in a slot of the 8-byte count of records lost. */
    public static final int SLOT_LOST = 24;
    /** Offset in a slot of the 8-byte count of records received. */
    public static final int SLOT_RECEIVED = 32;

    /** Slot state: nobody. */
    public static final int STATE_FREE = 0;
    /** Slot state: a subscriber reads (or is about to). */
    public static final int STATE_ACTIVE = 1;
    /** Slot state: the subscriber sleeps on the wake counter. */
    public static final int STATE_SLEEPING = 2;

    /** Bytes of a record's header. */
    public static final int RECORD_HEADER = 16;
    /** Alignment of records. */
    public static final int RECORD_ALIGN = 16;
    /** Offset in a record of the 8-byte sequence number. */
    public static final int RECORD_SEQ = 0;
    /** Offset in a record of the 4-byte length. */
    public static final int RECORD_LENGTH = 8;
    /** Offset in a record of the 4-byte type. */
    public static final int RECORD_TYPE = 12;
    /** Record type: a message. */
    public static final int TYPE_DATA = 1;
    /** Record type: filler up to the end of the data area. */
    public static final int TYPE_PADDING = 2;

    /**
     * The record size for a payload of {@code length} bytes.
     *
     * @param length the payload's length in bytes
     * @return the header and payload, rounded up to a multiple of 16
     */
    public static int recordSize(int length) {
        return (RECORD_HEADER + length + RECORD_ALIGN - 1) & -RECORD_ALIGN;
    }

    /**
     * The largest maxRecordLength a ring of {@code capacity} allows: its record is at most a
     * quarter of the data area, so a record and the padding before it never exceed half.
     *
     * @param capacity the data area's size in bytes
     * @return the largest payload length
     */
    public static int maxRecordLengthFor(int capacity) {
        return capacity / 4 - RECORD_HEADER;
    }

    /**
     * The offset of slot {@code i}.
     *
     * @param i the slot's index, 0..SLOT_COUNT-1
     * @return its offset from the start of the object
     */
    public static int slotOffset(int i) {
        return SLOTS_OFFSET + i * SLOT_SIZE;
    }
}
