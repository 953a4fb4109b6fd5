package dev.ipcj.log;

/**
 * The byte layout of a {@link SharedLog} in its files, shared word for word with the C twin
 * {@code src/main/c/ipcj_log.h} (whose {@code IPCJ_LOG_*} constants are these, proven equal by
 * the layout agreement test). Native byte order (little-endian on x86-64).
 *
 * <p>Files, for the log {@code /NAME}, all mode 0600:
 * <pre>
 *   /dev/shm/NAME.log       the state page, STATE_SIZE (4096) bytes
 *   /dev/shm/NAME.log.K     segment K (K = 0, 1, ...), segmentSize bytes each; consumed ones are deleted
 * </pre>
 *
 * <pre>
 * State page
 * offset  size  field          written by         meaning
 * ------  ----  -------------  -----------------  -------------------------------------------
 *      0     4  magic          creator, last      0x474F4C49 ("ILOG" in memory); anything else:
 *                                                 not a log, or one still being created
 *      4     4  version        creator            3 (2 was the msg-only log of Envelope records)
 *      8     4  segmentSize    creator            bytes of every segment file: a multiple of
 *                                                 4096, 1 MiB .. 1 GiB, holding at least one
 *                                                 record of maxRecordSize
 *     12     4  capacity       creator            -1 unbounded, n &gt; 0: at most n records wait
 *     16     4  maxRecordSize  creator            the longest record in bytes
 *     24     8  owner          creator            who made it: 0 a bare log; the instance id of
 *                                                 the mailbox whose SHM_LOG transport it is
 *     32     8  logId          creator            random, never 0; every segment repeats it
 *     64    12  lock           holders            holder identity (8: pid in bits 0..31, start
 *                                                 time above; 0 free), waiters flag (4)
 *    128     8  generation     lock holder        G: the committed state is slot G &amp; 1;
 *                                                 storing G + 1 is the one store that publishes
 *    192    48  slot 0         lock holder        six longs: write segment, write offset, read
 *                                                 segment, read offset, appended, consumed
 *    256    48  slot 1         lock holder        the same
 *    320     8  items bell     appenders          futex sequence (4) and waiters flag (4):
 *                                                 rung after each append
 *    384     8  space bell     takers             the same, rung after each take (bounded)
 *   1024    64  items bells    WaitSets, waker    8 WaitSet doorbells (pid | id &lt;&lt; 32, 0 free),
 *                                                 rung with the items bell when its waiters
 *                                                 flag was set (BellTable); reserved zero
 *                                                 bytes before, so the version stays 3
 *
 * Segment K
 *      0     4  magic          its creator        0x47455349 ("ISEG" in memory)
 *      4     4  version        its creator        3, the log's version
 *      8     8  logId          its creator        the state page's logId
 *     16     8  index          its creator        K
 *     64   ...  records        appenders          from offset SEGMENT_HEADER (64), 8-byte aligned
 *
 * Record (size = RECORD_HEADER + length rounded up to 8)
 *     +0     4  length         appender           the record's bytes, 0 .. maxRecordSize
 *     +4     4  check          appender           ~length (never 0, so a header is never zero)
 *     +8  length bytes         appender           the record, opaque to the log
 * </pre>
 * A header word of zero where a record would start (the file's zero fill, or the end mark the
 * appender that started the next segment stored), or fewer than RECORD_HEADER bytes left, ends
 * a segment. Positions in the slots are byte offsets into segments; invariants checked on every
 * read of a slot: read position &lt;= write position, both within [SEGMENT_HEADER, segmentSize],
 * 0 &lt;= appended - consumed (&lt;= capacity when bounded), and an empty log has equal positions.
 */
public final class LogLayout {
    private LogLayout() {
    }

    /** The state page's magic, "ILOG" in memory. */
    public static final int MAGIC = 0x474F4C49;
    /** The layout version this code reads and writes (state page and segments). */
    public static final int VERSION = 3;
    /** A segment's magic, "ISEG" in memory. */
    public static final int SEGMENT_MAGIC = 0x47455349;
    /** Bytes of the state file. */
    public static final int STATE_SIZE = 4096;
    /** The smallest segment (1 MiB). */
    public static final int SEGMENT_MIN = 1 << 20;
    /** The largest segment (1 GiB). */
    public static final int SEGMENT_MAX = 1 << 30;
    /** Bytes of a segment's header: the first record starts here. */
    public static final int SEGMENT_HEADER = 64;
    /** Bytes of a record's header: length and its complement. */
    public static final int RECORD_HEADER = 8;
    /** Records start at multiples of this. */
    public static final int RECORD_ALIGN = 8;
    /** The longest record a log can hold: one record of it fills a 1 GiB segment. */
    public static final int MAX_RECORD_SIZE = SEGMENT_MAX - SEGMENT_HEADER - RECORD_HEADER;
    /** The capacity word's value for an unbounded log. */
    public static final int UNBOUNDED = -1;

    /** Offset of the state page's 4-byte magic. */
    public static final int OFF_MAGIC = 0;
    /** Offset of the 4-byte version. */
    public static final int OFF_VERSION = 4;
    /** Offset of the 4-byte segment size. */
    public static final int OFF_SEGMENT_SIZE = 8;
    /** Offset of the 4-byte capacity (-1 unbounded). */
    public static final int OFF_CAPACITY = 12;
    /** Offset of the 4-byte maximum record size. */
    public static final int OFF_MAX_RECORD = 16;
    /** Offset of the 8-byte owner id. */
    public static final int OFF_OWNER = 24;
    /** Offset of the 8-byte log id. */
    public static final int OFF_LOG_ID = 32;
    /** Offset of the lock: an 8-byte holder identity, then a 4-byte waiters flag. */
    public static final int OFF_LOCK = 64;
    /** Offset of the lock's waiters flag. */
    public static final int OFF_LOCK_WAITERS = 72;
    /** Offset of the 8-byte generation. */
    public static final int OFF_GENERATION = 128;
    /** Offset of slot 0; slot 1 follows at SLOT_STRIDE. */
    public static final int OFF_SLOTS = 192;
    /** Bytes from one slot to the next. */
    public static final int SLOT_STRIDE = 64;
    /** In a slot: the 8-byte index of the segment being written. */
    public static final int SLOT_WRITE_SEGMENT = 0;
    /** In a slot: the 8-byte offset in it where the next record goes. */
    public static final int SLOT_WRITE_OFFSET = 8;
    /** In a slot: the 8-byte index of the segment holding the oldest record. */
    public static final int SLOT_READ_SEGMENT = 16;
    /** In a slot: the 8-byte offset of the oldest record in it. */
    public static final int SLOT_READ_OFFSET = 24;
    /** In a slot: the 8-byte count of records ever appended. */
    public static final int SLOT_APPENDED = 32;
    /** In a slot: the 8-byte count of records ever taken. */
    public static final int SLOT_CONSUMED = 40;
    /** Offset of the items doorbell (4-byte sequence, 4-byte waiters flag). */
    public static final int OFF_ITEMS = 320;
    /** Offset of the space doorbell. */
    public static final int OFF_SPACE = 384;
    /** Offset of the items doorbell's table of WaitSet doorbells (8 slots of 8 bytes; BellTable). */
    public static final int OFF_ITEMS_BELLS = 1024;
    /** Slots of the table. */
    public static final int BELL_SLOTS = 8;

    /** In a segment: offset of the 4-byte magic. */
    public static final int SEG_OFF_MAGIC = 0;
    /** In a segment: offset of the 4-byte version. */
    public static final int SEG_OFF_VERSION = 4;
    /** In a segment: offset of the 8-byte log id. */
    public static final int SEG_OFF_LOG_ID = 8;
    /** In a segment: offset of the 8-byte index K. */
    public static final int SEG_OFF_INDEX = 16;

    /** In a record: offset of the 4-byte length. */
    public static final int REC_OFF_LENGTH = 0;
    /** In a record: offset of the 4-byte complement of the length. */
    public static final int REC_OFF_CHECK = 4;

    /**
     * The bytes a record of {@code length} bytes takes in a segment: the header and the record,
     * rounded up to {@link #RECORD_ALIGN}.
     *
     * @param length the record's length, 0 .. {@link #MAX_RECORD_SIZE}
     * @return its size in the segment
     */
    public static long recordSize(int length) {
        return (RECORD_HEADER + (long) length + RECORD_ALIGN - 1) & -(long) RECORD_ALIGN;
    }

    /**
     * The segment size of a log of records up to {@code maxRecordSize} bytes: at least
     * {@link #SEGMENT_MIN}, room for one longest record, a multiple of 4096.
     *
     * @param maxRecordSize the longest record, 0 .. {@link #MAX_RECORD_SIZE}
     * @return the segment size in bytes
     */
    public static int segmentSize(int maxRecordSize) {
        long need = SEGMENT_HEADER + recordSize(maxRecordSize);
        return (int) Math.max(SEGMENT_MIN, (need + 4095) & -4096L);
    }
}
