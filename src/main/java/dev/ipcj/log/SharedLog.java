package dev.ipcj.log;

import static dev.ipcj.log.LogLayout.MAGIC;
import static dev.ipcj.log.LogLayout.OFF_CAPACITY;
import static dev.ipcj.log.LogLayout.OFF_GENERATION;
import static dev.ipcj.log.LogLayout.OFF_ITEMS;
import static dev.ipcj.log.LogLayout.OFF_ITEMS_BELLS;
import static dev.ipcj.log.LogLayout.OFF_LOCK;
import static dev.ipcj.log.LogLayout.OFF_LOG_ID;
import static dev.ipcj.log.LogLayout.OFF_MAX_RECORD;
import static dev.ipcj.log.LogLayout.OFF_OWNER;
import static dev.ipcj.log.LogLayout.OFF_SEGMENT_SIZE;
import static dev.ipcj.log.LogLayout.OFF_SLOTS;
import static dev.ipcj.log.LogLayout.OFF_SPACE;
import static dev.ipcj.log.LogLayout.OFF_VERSION;
import static dev.ipcj.log.LogLayout.RECORD_HEADER;
import static dev.ipcj.log.LogLayout.SEGMENT_HEADER;
import static dev.ipcj.log.LogLayout.SEGMENT_MAGIC;
import static dev.ipcj.log.LogLayout.SLOT_APPENDED;
import static dev.ipcj.log.LogLayout.SLOT_CONSUMED;
import static dev.ipcj.log.LogLayout.SLOT_READ_OFFSET;
import static dev.ipcj.log.LogLayout.SLOT_READ_SEGMENT;
import static dev.ipcj.log.LogLayout.SLOT_STRIDE;
import static dev.ipcj.log.LogLayout.SLOT_WRITE_OFFSET;
import static dev.ipcj.log.LogLayout.SLOT_WRITE_SEGMENT;
import static dev.ipcj.log.LogLayout.STATE_SIZE;
import static dev.ipcj.log.LogLayout.VERSION;

import dev.ipcj.AlreadyExistsException;
import dev.ipcj.ClosedException;
import dev.ipcj.CorruptedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.IpcException;
import dev.ipcj.LimitExceededException;
import dev.ipcj.NotFoundException;
import dev.ipcj.RemovedException;
import dev.ipcj.internal.CrashPoints;
import dev.ipcj.internal.Doorbell;
import dev.ipcj.internal.Errno;
import dev.ipcj.internal.Faults;
import dev.ipcj.internal.Names;
import dev.ipcj.internal.SharedLock;
import dev.ipcj.internal.SharedPage;
import dev.ipcj.internal.ShmFiles;
import dev.ipcj.internal.Waits;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An append-only log of opaque records in {@code /dev/shm}, shared by any number of appending
 * and taking processes: bounded (at most n records wait) or unbounded (it grows segment by
 * segment until /dev/shm is full). Records live in tmpfs pages, outside every process's heap,
 * and survive the exit of the process that appended them. See the package documentation for
 * the guarantees and {@link LogLayout} for the bytes.
 *
 * <pre>{@code
 * try (SharedLog log = SharedLog.create("/events", SharedLog.UNBOUNDED, 1024)) {
 *     log.put("hello".getBytes());
 *     byte[] dst = new byte[1024];
 *     int n = log.take(dst);   // 5
 * }
 * }</pre>
 *
 * <p>Calls: {@code put} waits for room as long as it takes, {@code offer} tries once or waits
 * up to a {@link Duration} (durations saturate: {@code Duration.ofSeconds(Long.MAX_VALUE)} waits
 * forever, zero or negative tries once); {@code take} waits for a record, {@code poll} tries once
 * or waits up to a Duration. A take copies the oldest record at the destination's position and
 * returns its length; a record longer than the destination's room stays in the log and an
 * {@link InvalidArgumentException} says how long it is. An interrupted wait throws
 * {@link InterruptedException} and has changed nothing; a call that completed is never reported
 * as interrupted. A handle is safe for use by many threads (they exclude each other through the
 * log's lock, as processes do).
 *
 * <p>Costs: per record one lock CAS and one store to unlock, one memcpy, one atomic add on a
 * doorbell (a futex wake only when someone sleeps); no allocation on the ByteBuffer calls.
 */
public final class SharedLog implements AutoCloseable, dev.ipcj.Waitable {
    /** The capacity of a log that holds as many records as /dev/shm has room for. */
    public static final int UNBOUNDED = LogLayout.UNBOUNDED;
    /** The longest record any log can hold ({@link LogLayout#MAX_RECORD_SIZE}). */
    public static final int MAX_RECORD_SIZE = LogLayout.MAX_RECORD_SIZE;
    /** The longest name after the '/': room for ".log." and a 19-digit segment index. */
    public static final int MAX_NAME = Names.NAME_MAX - 24;

    static final Path DEFAULT_DIR = ShmFiles.DIR;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024);

    private final String name;
    private final Path dir;
    private final String base;
    private final Path statePath;
    private final SharedPage state;
    private final SharedLock lock;
    private final Doorbell items;
    private final Doorbell space;
    private final int segmentSize;
    private final int capacity;
    private final int maxRecord;
    private final long logId;
    private final long stateInode;
    private volatile boolean closed;
    // Guarded by the lock: the segments this handle mapped last, and the state read under it.
    private long writeIndex = -1;
    private SharedPage writeSegment;
    private long readIndex = -1;
    private SharedPage readSegment;
    private long ws;
    private long wo;
    private long rs;
    private long ro;
    private long appended;
    private long consumed;
    private boolean passedSegment;

    private SharedLog(String name, Path dir, SharedPage state) {
        this.name = name;
        this.dir = dir;
        this.base = name.substring(1) + ".log";
        this.statePath = dir.resolve(base);
        this.state = state;
        this.segmentSize = state.getInt(OFF_SEGMENT_SIZE);
        this.capacity = state.getInt(OFF_CAPACITY);
        this.maxRecord = state.getInt(OFF_MAX_RECORD);
        this.logId = state.getLong(OFF_LOG_ID);
        this.stateInode = ShmFiles.inode(statePath);
        this.lock = new SharedLock(state, OFF_LOCK, "log lock");
        this.items = new Doorbell(state, OFF_ITEMS, "take", OFF_ITEMS_BELLS);
        this.space = new Doorbell(state, OFF_SPACE, "put");
    }

    // ---------------------------------------------------------------- life cycle

    /**
     * Creates the log {@code name}: its state file {@code /dev/shm/NAME.log} and its first
     * segment {@code /dev/shm/NAME.log.0}, exclusively, mode 0600. If the state file exists,
     * fails with {@link AlreadyExistsException} and touches nothing; if a later step fails,
     * removes what it made.
     *
     * @param name          {@code "/"} and at most {@value #MAX_NAME} bytes
     * @param capacity      at most this many records wait (1 or more), or {@link #UNBOUNDED}
     * @param maxRecordSize the longest record in bytes, 0 .. {@link #MAX_RECORD_SIZE}
     * @return the open log, empty
     * @throws InvalidArgumentException for a bad name, capacity or size
     * @throws LimitExceededException   when /dev/shm has no room for the first segment (ENOSPC)
     */
    public static SharedLog create(String name, int capacity, int maxRecordSize) {
        checkCreate(name, DEFAULT_DIR, capacity, maxRecordSize);
        return create0(name, DEFAULT_DIR, capacity, maxRecordSize, 0);
    }

    /**
     * Opens the existing log {@code name}.
     *
     * @param name {@code "/"} and the log's name
     * @return the open log
     * @throws NotFoundException  when there is no such log
     * @throws CorruptedException when the state file is not a log of this version
     */
    public static SharedLog open(String name) {
        Names.check("log open", name, MAX_NAME);
        return open0(name, DEFAULT_DIR, 0);
    }

    /**
     * Removes the log {@code name}: its state file and every segment file that carries its log
     * id (found by listing /dev/shm for exactly {@code NAME.log.} and digits; no pattern is
     * expanded). Handles open elsewhere keep working on what they mapped until closed, but the
     * log cannot grow any more.
     *
     * @param name {@code "/"} and the log's name
     * @return true if anything was removed, false if there was no such log
     * @throws CorruptedException when {@code /dev/shm/NAME.log} is not a log (it is left in place)
     */
    public static boolean unlinkIfExists(String name) {
        Names.check("log unlink", name, MAX_NAME);
        return remove0(name, DEFAULT_DIR, 0);
    }

    /** Creates the log {@code name} in {@code dir} for the owner id {@code owner} (0: a bare log). Checked arguments. */
    private static SharedLog create0(String name, Path dir, int cap, int maxRecord, long owner) {
        int segment = LogLayout.segmentSize(maxRecord);
        Path statePath = dir.resolve(name.substring(1) + ".log");
        FileChannel ch;
        try {
            ch = FileChannel.open(statePath, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), ShmFiles.MODE_0600);
        } catch (FileAlreadyExistsException e) {
            throw new AlreadyExistsException("create", name, Errno.EEXIST, statePath + " exists: another log or"
                    + " object has this name");
        } catch (IOException e) {
            throw io("create", statePath, e, name);
        }
        long inode = ShmFiles.inode(statePath);
        SharedLog q = null;
        try {
            try {
                fill(ch, STATE_SIZE);
            } finally {
                ShmFiles.closeQuietly(ch);
            }
            SharedPage page = SharedPage.open(statePath, STATE_SIZE, false, "create", statePath.toString());
            if (ShmFiles.inode(statePath) != inode) {
                page.close();
                throw new CorruptedException("create", statePath.toString(), 0, "the state file was replaced while"
                        + " being created");
            }
            page.putInt(OFF_VERSION, VERSION);
            page.putInt(OFF_SEGMENT_SIZE, segment);
            page.putInt(OFF_CAPACITY, cap);
            page.putInt(OFF_MAX_RECORD, maxRecord);
            page.putLong(OFF_OWNER, owner);
            page.putLong(OFF_LOG_ID, newId());
            q = new SharedLog(name, dir, page);
            q.ws = 0;
            q.wo = SEGMENT_HEADER;
            q.rs = 0;
            q.ro = SEGMENT_HEADER;
            q.writeSlot(0);
            page.setLongVolatile(OFF_GENERATION, 0);
            try {
                q.newSegment(0, "create");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IpcException("create", name, Errno.EINTR, "interrupted while allocating the first segment");
            }
            page.setIntVolatile(LogLayout.OFF_MAGIC, MAGIC); // last: an opener that sees the magic sees a complete log
            return q;
        } catch (IOException e) {
            ShmFiles.closeQuietly(ch);
            ShmFiles.deleteIfSame(statePath, inode);
            throw io("create", statePath, e, name);
        } catch (RuntimeException e) {
            if (q != null) {
                q.deleteSegmentIfOurs(0);
                q.state.close();
            }
            ShmFiles.deleteIfSame(statePath, inode);
            throw e;
        }
    }

    private static long newId() {
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == 0);
        return id;
    }

    /** Opens the log {@code name} in {@code dir}; with {@code owner != 0} it must be that owner's. */
    private static SharedLog open0(String name, Path dir, long owner) {
        Path statePath = dir.resolve(name.substring(1) + ".log");
        PosixFileAttributes a = ShmFiles.attributes(statePath, "open", name);
        if (a == null) {
            throw new NotFoundException("open", statePath.toString(), Errno.ENOENT, "no such log");
        }
        if (!a.isRegularFile() || a.size() != STATE_SIZE) {
            throw new CorruptedException("open", statePath.toString(), 0, "the state file is "
                    + (a.isRegularFile() ? a.size() + " bytes, not " + STATE_SIZE : "not a regular file"));
        }
        SharedPage page = SharedPage.open(statePath, STATE_SIZE, false, "open", statePath.toString());
        try {
            String why = checkState(page, owner);
            if (why != null) {
                throw new CorruptedException("open", statePath.toString(), 0, why);
            }
            return new SharedLog(name, dir, page);
        } catch (InternalError e) {
            page.close();
            throw page.truncated("open", e);
        } catch (RuntimeException e) {
            page.close();
            throw e;
        }
    }

    private static String checkState(SharedPage page, long owner) {
        int magic = page.getIntVolatile(LogLayout.OFF_MAGIC);
        if (magic != MAGIC) {
            return "bad magic 0x" + Integer.toHexString(magic) + ": not an ipcj log, or one still being created";
        }
        if (page.getInt(OFF_VERSION) != VERSION) {
            return "log version " + page.getInt(OFF_VERSION) + ", this ipcj reads " + VERSION;
        }
        int segment = page.getInt(OFF_SEGMENT_SIZE);
        int max = page.getInt(OFF_MAX_RECORD);
        int cap = page.getInt(OFF_CAPACITY);
        if (segment < LogLayout.SEGMENT_MIN || segment > LogLayout.SEGMENT_MAX || segment % 4096 != 0 || max < 0
                || max > LogLayout.MAX_RECORD_SIZE || SEGMENT_HEADER + LogLayout.recordSize(max) > segment
                || cap < -1 || cap == 0) {
            return "segment size " + segment + ", max record " + max + ", capacity " + cap + ": out of range";
        }
        if (owner != 0 && page.getLong(OFF_OWNER) != owner) {
            return "the log belongs to another mailbox (owner id " + Long.toHexString(page.getLong(OFF_OWNER))
                    + ", this mailbox's is " + Long.toHexString(owner) + ")";
        }
        return null;
    }

    /**
     * Removes the log {@code name} in {@code dir} (with {@code owner != 0}: only if it is that
     * owner's). CorruptedException, removing nothing, when the state file is not such a log.
     */
    private static boolean remove0(String name, Path dir, long owner) {
        String base = name.substring(1) + ".log";
        Path statePath = dir.resolve(base);
        PosixFileAttributes a = ShmFiles.attributes(statePath, "unlink", name);
        if (a == null) {
            return false;
        }
        long inode = ShmFiles.inode(statePath);
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
        if (a.isRegularFile() && a.size() == STATE_SIZE) {
            try (FileChannel ch = ShmFiles.openRegular(statePath, true, "unlink", name)) {
                ShmFiles.readFully(ch, b, 0);
            } catch (IOException e) {
                throw io("unlink", statePath, e, name);
            }
        }
        if (b.getInt(0) != MAGIC || b.getInt(OFF_VERSION) != VERSION || (owner != 0 && b.getLong(OFF_OWNER) != owner)) {
            throw new CorruptedException("unlink", statePath.toString(), 0, "not " + (owner != 0 ? "this mailbox's"
                    : "an ipcj") + " log (magic 0x" + Integer.toHexString(b.getInt(0)) + ", version "
                    + b.getInt(OFF_VERSION) + "): left in place");
        }
        long logId = b.getLong(OFF_LOG_ID);
        boolean any = false;
        String prefix = base + ".";
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String f = p.getFileName().toString();
                if (f.startsWith(prefix) && isIndex(f.substring(prefix.length())) && segmentOf(p, logId)) {
                    any |= Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw io("unlink", dir, e, name);
        }
        any |= ShmFiles.deleteIfSame(statePath, inode);
        return any;
    }

    private static boolean isIndex(String s) {
        if (s.isEmpty() || s.length() > 19) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code p} is a regular file whose segment header carries {@code logId}. */
    private static boolean segmentOf(Path p, long logId) {
        try {
            PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile() || a.size() < SEGMENT_HEADER) {
                return false;
            }
            ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.nativeOrder());
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                ShmFiles.readFully(ch, b, 0);
            }
            return b.getInt(LogLayout.SEG_OFF_MAGIC) == SEGMENT_MAGIC && b.getLong(LogLayout.SEG_OFF_LOG_ID) == logId;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- the public calls

    /**
     * Appends {@code src}'s remaining bytes as one record, waiting for room as long as it takes;
     * src's position advances to its limit.
     *
     * @param src the record, from position to limit
     * @throws InterruptedException   if interrupted while waiting; nothing was appended
     * @throws LimitExceededException when /dev/shm is full (ENOSPC): nothing was appended
     */
    public void put(ByteBuffer src) throws InterruptedException {
        append(src, -1, "put");
    }

    /**
     * Appends {@code src} as one record, waiting for room as long as it takes.
     *
     * @param src the record
     * @throws InterruptedException if interrupted while waiting; nothing was appended
     */
    public void put(byte[] src) throws InterruptedException {
        append(wrap(src, "put"), -1, "put");
    }

    /**
     * Appends {@code src}'s remaining bytes as one record if there is room now.
     *
     * @param src the record, from position to limit (advanced on success)
     * @return true if appended, false if the log is full (or, when a new segment was needed, the
     *         thread's interrupt status was set: the status stays set)
     */
    public boolean offer(ByteBuffer src) {
        try {
            return append(src, 0, "offer");
        } catch (InterruptedException e) {
            // A try never sleeps, but allocating a new segment is interrupted by a pending
            // interrupt: nothing was appended; the interrupt is kept for the caller to see.
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Appends {@code src} as one record if there is room now.
     *
     * @param src the record
     * @return true if appended, false if the log is full
     */
    public boolean offer(byte[] src) {
        return offer(wrap(src, "offer"));
    }

    /**
     * Appends {@code src}'s remaining bytes as one record, waiting at most {@code timeout} for room.
     *
     * @param src     the record, from position to limit (advanced on success)
     * @param timeout the longest wait; saturating, zero or negative tries once
     * @return true if appended, false if there was no room in time
     * @throws InterruptedException if interrupted while waiting; nothing was appended
     */
    public boolean offer(ByteBuffer src, Duration timeout) throws InterruptedException {
        return append(src, Waits.nanos(timeout, "offer", name), "offer");
    }

    /**
     * Appends {@code src} as one record, waiting at most {@code timeout} for room.
     *
     * @param src     the record
     * @param timeout the longest wait; saturating, zero or negative tries once
     * @return true if appended, false if there was no room in time
     * @throws InterruptedException if interrupted while waiting; nothing was appended
     */
    public boolean offer(byte[] src, Duration timeout) throws InterruptedException {
        return offer(wrap(src, "offer"), timeout);
    }

    /**
     * Takes the oldest record into {@code dst} at its position (which advances), waiting as long
     * as it takes.
     *
     * @param dst receives the record
     * @return the record's length
     * @throws InterruptedException     if interrupted while waiting; nothing was taken
     * @throws InvalidArgumentException if the oldest record is longer than dst's room (it stays)
     */
    public int take(ByteBuffer dst) throws InterruptedException {
        return take(dst, -1, "take");
    }

    /**
     * Takes the oldest record into {@code dst} from index 0, waiting as long as it takes.
     *
     * @param dst receives the record
     * @return the record's length
     * @throws InterruptedException     if interrupted while waiting; nothing was taken
     * @throws InvalidArgumentException if the oldest record is longer than dst (it stays)
     */
    public int take(byte[] dst) throws InterruptedException {
        return take(wrap(dst, "take"), -1, "take");
    }

    /**
     * Takes the oldest record into {@code dst} at its position if there is one now.
     *
     * @param dst receives the record
     * @return the record's length, or -1 if the log is empty
     * @throws InvalidArgumentException if the oldest record is longer than dst's room (it stays)
     */
    public int poll(ByteBuffer dst) {
        try {
            return take(dst, 0, "poll");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // cannot happen: a try never sleeps
            return -1;
        }
    }

    /**
     * Takes the oldest record into {@code dst} from index 0 if there is one now.
     *
     * @param dst receives the record
     * @return the record's length, or -1 if the log is empty
     */
    public int poll(byte[] dst) {
        return poll(wrap(dst, "poll"));
    }

    /**
     * Takes the oldest record into {@code dst} at its position, waiting at most {@code timeout}.
     *
     * @param dst     receives the record
     * @param timeout the longest wait; saturating, zero or negative tries once
     * @return the record's length, or -1 if none came in time
     * @throws InterruptedException if interrupted while waiting; nothing was taken
     */
    public int poll(ByteBuffer dst, Duration timeout) throws InterruptedException {
        return take(dst, Waits.nanos(timeout, "poll", name), "poll");
    }

    /**
     * Takes the oldest record into {@code dst} from index 0, waiting at most {@code timeout}.
     *
     * @param dst     receives the record
     * @param timeout the longest wait; saturating, zero or negative tries once
     * @return the record's length, or -1 if none came in time
     * @throws InterruptedException if interrupted while waiting; nothing was taken
     */
    public int poll(byte[] dst, Duration timeout) throws InterruptedException {
        return poll(wrap(dst, "poll"), timeout);
    }

    private ByteBuffer wrap(byte[] b, String call) {
        if (b == null) {
            throw new InvalidArgumentException(call, name, 0, "the byte array is null");
        }
        return ByteBuffer.wrap(b);
    }

    private boolean append(ByteBuffer src, long nanos, String call) throws InterruptedException {
        if (src == null) {
            throw new InvalidArgumentException(call, name, 0, "the buffer is null");
        }
        int len = src.remaining();
        if (len > maxRecord) {
            throw new InvalidArgumentException(call, name, 0, "a record of " + len + " bytes is longer than the "
                    + maxRecord + " this log holds");
        }
        if (!put0(null, src, nanos, call)) {
            return false;
        }
        src.position(src.limit());
        return true;
    }

    private int take(ByteBuffer dst, long nanos, String call) throws InterruptedException {
        if (dst == null) {
            throw new InvalidArgumentException(call, name, 0, "the buffer is null");
        }
        if (dst.isReadOnly()) {
            throw new InvalidArgumentException(call, name, 0, "the buffer is read-only");
        }
        return take0(null, dst, nanos, call);
    }

    /**
     * The log's name, as given to create or open.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The bound: at most this many records wait, or {@link #UNBOUNDED}.
     *
     * @return the capacity, or -1
     */
    public int capacity() {
        return capacity;
    }

    /**
     * The longest record in bytes.
     *
     * @return the maximum record size
     */
    public int maxRecordSize() {
        return maxRecord;
    }

    /**
     * The records waiting now (appended and not yet taken), as the committed state says.
     *
     * @return the count
     * @throws CorruptedException when the state page was truncated
     */
    public long size() {
        checkOpen("size");
        return size0();
    }

    /** {@link #size()} also on a closed handle (its mapping stays): the mailbox's pending count. */
    long size0() {
        try {
            for (;;) {
                long g = state.getLongVolatile(OFF_GENERATION);
                int s = slotOffset(g);
                long n = state.getLong(s + SLOT_APPENDED) - state.getLong(s + SLOT_CONSUMED);
                if (state.getLongVolatile(OFF_GENERATION) == g) {
                    state.checkIntact("size");
                    return n;
                }
            }
        } catch (InternalError e) {
            throw truncation("size", e);
        }
    }

    /** Releases this handle; the log stays for other handles and processes. Idempotent. */
    @Override
    public void close() {
        closed = true;
        state.close();
    }

    @Override
    public String toString() {
        return "SharedLog[" + name + ", " + (capacity < 0 ? "unbounded" : "bounded(" + capacity + ")") + ", records up to "
                + maxRecord + " bytes]";
    }

    // ---------------------------------------------------------------- state

    private static int slotOffset(long generation) {
        return OFF_SLOTS + (int) (generation & 1) * SLOT_STRIDE;
    }

    /** Reads the committed state into this handle's fields and checks it. Under the lock. */
    private long readState(String call) {
        long g = state.getLongVolatile(OFF_GENERATION);
        int s = slotOffset(g);
        ws = state.getLong(s + SLOT_WRITE_SEGMENT);
        wo = state.getLong(s + SLOT_WRITE_OFFSET);
        rs = state.getLong(s + SLOT_READ_SEGMENT);
        ro = state.getLong(s + SLOT_READ_OFFSET);
        appended = state.getLong(s + SLOT_APPENDED);
        consumed = state.getLong(s + SLOT_CONSUMED);
        long waiting = appended - consumed;
        if (ws < 0 || rs < 0 || rs > ws || wo < SEGMENT_HEADER || wo > segmentSize || ro < SEGMENT_HEADER
                || ro > segmentSize || (rs == ws && ro > wo) || waiting < 0 || (capacity > 0 && waiting > capacity)
                || (waiting == 0) != (rs == ws && ro == wo && consumed == appended)
                || (wo & (LogLayout.RECORD_ALIGN - 1)) != 0 || (ro & (LogLayout.RECORD_ALIGN - 1)) != 0) {
            state.checkSize(call);
            throw corrupted("the committed state is impossible: write " + ws + ":" + wo + ", read " + rs + ":" + ro
                    + ", appended " + appended + ", consumed " + consumed + " (segment " + segmentSize + " bytes"
                    + (capacity > 0 ? ", capacity " + capacity : "") + ")");
        }
        return g;
    }

    private void writeSlot(long generation) {
        int s = slotOffset(generation);
        state.putLong(s + SLOT_WRITE_SEGMENT, ws);
        state.putLong(s + SLOT_WRITE_OFFSET, wo);
        state.putLong(s + SLOT_READ_SEGMENT, rs);
        state.putLong(s + SLOT_READ_OFFSET, ro);
        state.putLong(s + SLOT_APPENDED, appended);
        state.putLong(s + SLOT_CONSUMED, consumed);
    }

    /** Publishes this handle's fields as generation g + 1: the one store that makes the change. */
    private void commit(long g) {
        writeSlot(g + 1);
        state.setLongVolatile(OFF_GENERATION, g + 1);
    }

    // ---------------------------------------------------------------- put and take

    /**
     * Appends {@code head}'s (if not null) and then {@code body}'s remaining bytes as one record
     * (positions not moved; their sum at most maxRecord, checked by the caller). Timeouts in the
     * {@link Waits} convention. False when there was no room in time.
     */
    boolean put0(ByteBuffer head, ByteBuffer body, long nanos, String call) throws InterruptedException {
        checkOpen(call);
        long deadline = Waits.deadline(nanos);
        long slice = Doorbell.FIRST_SLICE;
        try {
            for (;;) {
                checkOpen(call);
                int seen = capacity > 0 ? space.observe() : 0;
                if (!lock.lock(Waits.remaining(nanos, deadline))) {
                    return false;
                }
                boolean done = false;
                try {
                    CrashPoints.reach("log-locked");
                    long g = readState(call);
                    if (capacity < 0 || appended - consumed < capacity) {
                        append(head, body, call);
                        CrashPoints.reach("log-written");
                        writeSegment.checkIntact(call); // never publish a record whose bytes vanished
                        appended++;
                        commit(g);
                        state.checkIntact(call);
                        CrashPoints.reach("log-committed");
                        done = true;
                    }
                } finally {
                    lock.unlock();
                }
                if (done) {
                    items.ring();
                    return true;
                }
                if (Waits.expired(nanos, deadline)) {
                    return false;
                }
                space.await(seen, Waits.slice(nanos, deadline, slice));
                slice = Math.min(slice * 2, Doorbell.MAX_SLICE);
            }
        } catch (InternalError e) {
            throw truncation(call, e);
        }
    }

    /**
     * Takes the oldest record: its first bytes fill {@code head} (if not null; from its position,
     * which does not move), the rest goes to {@code body} at its position (which advances). The
     * record's length, or -1 when none came in time. A record whose rest is longer than body's
     * room stays in the log (InvalidArgumentException).
     */
    int take0(ByteBuffer head, ByteBuffer body, long nanos, String call) throws InterruptedException {
        checkOpen(call);
        long deadline = Waits.deadline(nanos);
        long slice = Doorbell.FIRST_SLICE;
        try {
            for (;;) {
                checkOpen(call);
                int seen = items.observe();
                if (!lock.lock(Waits.remaining(nanos, deadline))) {
                    return -1;
                }
                int got = -1;
                try {
                    long g = readState(call);
                    if (appended > consumed) {
                        int len = consume(head, body, call);
                        CrashPoints.reach("log-consumed");
                        readSegment.checkIntact(call); // the bytes copied out were the log's
                        state.checkIntact(call);
                        consumed++;
                        commit(g);
                        state.checkIntact(call);
                        got = len;
                        if (passedSegment) {
                            deleteSegmentIfOurs(rs - 1); // after the commit: a kill here leaves a leftover, not a hole
                            deleteSegmentIfOurs(rs - 2);
                        }
                    }
                } finally {
                    lock.unlock();
                }
                if (got >= 0) {
                    if (capacity > 0) {
                        space.ring();
                    }
                    return got;
                }
                if (Waits.expired(nanos, deadline)) {
                    return -1;
                }
                items.await(seen, Waits.slice(nanos, deadline, slice));
                slice = Math.min(slice * 2, Doorbell.MAX_SLICE);
            }
        } catch (InternalError e) {
            throw truncation(call, e);
        }
    }

    /** Writes the record at the write position, starting a segment if needed. Under the lock; commits nothing. */
    private void append(ByteBuffer head, ByteBuffer body, String call) throws InterruptedException {
        int h = head == null ? 0 : head.remaining();
        int len = h + body.remaining();
        long record = LogLayout.recordSize(len);
        if (wo + record > segmentSize) {
            ByteBuffer old = segment(ws, true).buf;
            if (wo + RECORD_HEADER <= segmentSize) {
                old.putLong((int) wo, 0); // end of segment: past the committed write position until the commit
            }
            newSegment(ws + 1, call); // on ENOSPC nothing is committed: the state still names the old end
            ws++;
            wo = SEGMENT_HEADER;
        }
        ByteBuffer seg = segment(ws, true).buf;
        int at = (int) wo;
        seg.putInt(at + LogLayout.REC_OFF_LENGTH, len);
        seg.putInt(at + LogLayout.REC_OFF_CHECK, ~len);
        if (h > 0) {
            seg.put(at + RECORD_HEADER, head, head.position(), h);
        }
        seg.put(at + RECORD_HEADER + h, body, body.position(), len - h);
        wo += record;
    }

    /**
     * Copies the oldest record out into {@code head}/{@code body} and advances this handle's read
     * position. Under the lock; commits nothing. Returns the record's length; sets
     * {@link #passedSegment} if it passed the end of a segment (to delete after the commit).
     */
    private int consume(ByteBuffer head, ByteBuffer body, String call) {
        passedSegment = false;
        for (;;) {
            ByteBuffer seg = segment(rs, false).buf;
            boolean end = segmentSize - ro < RECORD_HEADER || seg.getLong((int) ro) == 0;
            if (end) {
                if (rs == ws) {
                    throw corrupted("the log counts " + (appended - consumed) + " records but holds none at "
                            + rs + ":" + ro);
                }
                passedSegment = true;
                rs++;
                ro = SEGMENT_HEADER;
                continue;
            }
            int at = (int) ro;
            long limit = rs == ws ? wo : segmentSize;
            int len = seg.getInt(at + LogLayout.REC_OFF_LENGTH);
            int check = seg.getInt(at + LogLayout.REC_OFF_CHECK);
            if (check != ~len || len < 0 || len > maxRecord || at + LogLayout.recordSize(len) > limit) {
                throw corrupted("the record at " + rs + ":" + ro + " says it is " + len + " bytes (check word 0x"
                        + Integer.toHexString(check) + "; allowed 0.." + maxRecord + ", within " + (limit - at)
                        + " bytes)");
            }
            int h = head == null ? 0 : Math.min(head.remaining(), len);
            int rest = len - h;
            if (rest > body.remaining()) {
                throw new InvalidArgumentException(call, name, 0, "the next record has " + len + " bytes but the"
                        + " buffer has only " + (body.remaining() + h) + " remaining; it stays in the log");
            }
            if (h > 0) {
                head.put(head.position(), seg, at + RECORD_HEADER, h);
            }
            body.put(body.position(), seg, at + RECORD_HEADER + h, rest);
            body.position(body.position() + rest);
            ro += LogLayout.recordSize(len);
            return len;
        }
    }

    /** The mapping of segment k (checked: size, magic, version, log id, index). */
    private SharedPage segment(long k, boolean forWrite) {
        if (forWrite ? writeIndex == k : readIndex == k) {
            return forWrite ? writeSegment : readSegment;
        }
        SharedPage b = k == writeIndex ? writeSegment : k == readIndex ? readSegment : mapSegment(k);
        if (forWrite) {
            writeSegment = b;
            writeIndex = k;
        } else {
            readSegment = b;
            readIndex = k;
        }
        return b;
    }

    private Path segmentPath(long k) {
        return dir.resolve(base + "." + k);
    }

    private SharedPage mapSegment(long k) {
        Path p = segmentPath(k);
        PosixFileAttributes a = ShmFiles.attributes(p, "log", name);
        if (a == null) {
            throw corrupted("segment " + p + " is missing");
        }
        if (!a.isRegularFile() || a.size() != segmentSize) {
            throw corrupted("segment " + p + " is " + (a.isRegularFile() ? a.size() + " bytes, not " + segmentSize
                    : "not a regular file"));
        }
        SharedPage seg;
        try {
            seg = SharedPage.open(p, segmentSize, false, "log", p.toString());
        } catch (NotFoundException e) {
            throw corrupted("segment " + p + " is missing");
        }
        ByteBuffer b = seg.buf;
        if (b.getInt(LogLayout.SEG_OFF_MAGIC) != SEGMENT_MAGIC || b.getInt(LogLayout.SEG_OFF_VERSION) != VERSION
                || b.getLong(LogLayout.SEG_OFF_LOG_ID) != logId || b.getLong(LogLayout.SEG_OFF_INDEX) != k) {
            seg.close();
            throw corrupted("segment " + p + " is not segment " + k + " of this log (its header: magic 0x"
                    + Integer.toHexString(b.getInt(LogLayout.SEG_OFF_MAGIC)) + ", version "
                    + b.getInt(LogLayout.SEG_OFF_VERSION) + ", log id " + Long.toHexString(b.getLong(
                    LogLayout.SEG_OFF_LOG_ID)) + ", index " + b.getLong(LogLayout.SEG_OFF_INDEX) + ")");
        }
        seg.close(); // the file; the mapping stays while this handle holds it
        return seg;
    }

    /** Creates segment k, every page allocated (zero-filled by write), and maps it for writing. */
    private void newSegment(long k, String call) throws InterruptedException {
        Path p = segmentPath(k);
        if (stateInode != 0 && ShmFiles.inode(statePath) != stateInode) {
            // The log was unlinked (and its name perhaps reused): a segment made now would belong to nobody.
            throw new RemovedException(call, name, Errno.EIDRM, "the log was removed (unlinked) while"
                    + " this handle was open; it cannot grow any more");
        }
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            if (!segmentOf(p, logId)) {
                throw new AlreadyExistsException(call, name, Errno.EEXIST, "the name of segment " + k + ", " + p
                        + ", is taken by an object that is not this log's: left in place");
            }
            deleteQuietly(p); // left by a writer killed after creating it, before its commit
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(p, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), ShmFiles.MODE_0600);
        } catch (FileAlreadyExistsException e) {
            throw new AlreadyExistsException(call, name, Errno.EEXIST, p + " appeared while being created");
        } catch (IOException e) {
            throw io(call, p, e, name);
        }
        try {
            fill(ch, segmentSize);
            ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.nativeOrder());
            h.putInt(LogLayout.SEG_OFF_MAGIC, SEGMENT_MAGIC).putInt(LogLayout.SEG_OFF_VERSION, VERSION)
                    .putLong(LogLayout.SEG_OFF_LOG_ID, logId).putLong(LogLayout.SEG_OFF_INDEX, k);
            ShmFiles.writeFully(ch, h, 0);
            ch.close();
            writeSegment = mapSegment(k);
            writeIndex = k;
        } catch (ClosedByInterruptException e) {
            deleteQuietly(p);
            throw new InterruptedException("interrupted while allocating " + p);
        } catch (IOException e) {
            deleteQuietly(p);
            throw io(call, p, e, name);
        } finally {
            ShmFiles.closeQuietly(ch);
        }
    }

    /** Deletes segment k if it is this log's (after the state moved past it). */
    private void deleteSegmentIfOurs(long k) {
        if (k < 0) {
            return;
        }
        if (readIndex == k) {
            readIndex = -1;
            readSegment = null;
        }
        if (writeIndex == k) {
            writeIndex = -1;
            writeSegment = null;
        }
        Path p = segmentPath(k);
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && segmentOf(p, logId)) {
            deleteQuietly(p); // the mapping stays valid until the GC drops it
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover segment is removed by unlink
        }
    }

    private static void fill(FileChannel ch, int size) throws IOException {
        long pos = 0;
        ByteBuffer z = ZEROS.duplicate();
        while (pos < size) {
            z.clear().limit((int) Math.min(z.capacity(), size - pos));
            pos += ch.write(z, pos);
        }
    }

    private static IpcException io(String call, Path p, IOException e, String name) {
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("No space left")) {
            long free = -1;
            long total = -1;
            try {
                java.nio.file.FileStore fs = Files.getFileStore(p.getParent());
                free = fs.getUsableSpace();
                total = fs.getTotalSpace();
            } catch (IOException ignored) {
                // report without the numbers
            }
            return new LimitExceededException(call, p.toString(), Errno.ENOSPC, p.getParent()
                    + " is full: " + free + " of " + total + " bytes free (df " + p.getParent()
                    + "); the log " + name + " cannot grow until records are taken or memory is freed");
        }
        return ShmFiles.error(call, name, p, e);
    }

    /** A mapping fault: which file shrank, as the report of it. */
    private CorruptedException truncation(String call, InternalError e) {
        long s = state.currentSize();
        if (s >= 0 && s < STATE_SIZE) {
            return Faults.truncated(call, statePath.toString(), e, s);
        }
        for (long k : new long[] {readIndex, writeIndex}) {
            if (k >= 0) {
                try {
                    long size = Files.size(segmentPath(k));
                    if (size < segmentSize) {
                        return Faults.truncated(call, segmentPath(k).toString(), e, size);
                    }
                } catch (IOException ignored) {
                    // gone: try the next
                }
            }
        }
        return Faults.truncated(call, statePath.toString(), e, -1);
    }

    private CorruptedException corrupted(String why) {
        return new CorruptedException("log", name, 0, why);
    }

    private void checkOpen(String call) {
        if (closed) {
            throw new ClosedException(call, name, 0, "the log handle is closed");
        }
    }

    /** CorruptedException if a file the last take read from was truncated (see FrameQueue.checkIntact). */
    void checkIntact(String call) {
        state.checkSize(call);
        SharedPage seg = readSegment;
        if (seg != null) {
            seg.checkIntact(call);
        }
        long k = readIndex;
        if (k >= 0) {
            try {
                long size = Files.size(segmentPath(k));
                if (size < segmentSize) {
                    throw new CorruptedException(call, segmentPath(k).toString(), 0, "the memory under the mapping is"
                            + " gone: another process truncated the segment (now " + size + " bytes)");
                }
            } catch (IOException e) {
                // deleted (consumed, or by another process): its mapping still holds the pages
            }
        }
    }

    /** Removes this log if it is still the one this handle opened (its owner's), quietly. */
    void unlink() {
        try {
            remove0(name, dir, state.getLong(OFF_OWNER));
        } catch (IpcException | InternalError ignored) {
            // nothing of ours to remove
        }
    }

    // ---------------------------------------------------------------- for framing layers

    /*
     * What a layer that frames its own messages as records needs (dev.ipcj.msg's SHM_LOG
     * transport is one): a log in a directory of its choice, an owner tag that open and remove
     * check, records written from and read into two buffers (a header and a payload, with no
     * copy through a scratch buffer), and errors named by the layer's own calls.
     */

    private static void checkCreate(String name, Path dir, int capacity, int maxRecordSize) {
        Names.check("log create", name, MAX_NAME);
        if (dir == null) {
            throw new InvalidArgumentException("log create", name, 0, "the directory is null");
        }
        if (capacity < 1 && capacity != UNBOUNDED) {
            throw new InvalidArgumentException("log create", name, 0, "capacity " + capacity
                    + ": must be at least 1, or SharedLog.UNBOUNDED (-1)");
        }
        if (maxRecordSize < 0 || maxRecordSize > MAX_RECORD_SIZE) {
            throw new InvalidArgumentException("log create", name, 0, "maxRecordSize " + maxRecordSize
                    + ": must be 0.." + MAX_RECORD_SIZE);
        }
    }

    private static void checkDir(String call, String name, Path dir) {
        Names.check(call, name, MAX_NAME);
        if (dir == null) {
            throw new InvalidArgumentException(call, name, 0, "the directory is null");
        }
    }

    /**
     * Creates the log {@code name} as {@link #create(String, int, int)} does, but with its files
     * in {@code dir} (a tmpfs: the files are mapped shared) and the owner tag {@code owner} in its
     * state, which {@link #open(String, Path, long)} and {@link #unlinkIfExists(String, Path, long)}
     * check: a layer that keeps its own object beside the log (a mailbox's control file) stores
     * that object's instance id here, so that a log of the same name made by someone else is
     * refused rather than used.
     *
     * @param name          {@code "/"} and at most {@value #MAX_NAME} bytes
     * @param dir           the directory of the log's files, e.g. {@code /dev/shm}
     * @param capacity      at most this many records wait (1 or more), or {@link #UNBOUNDED}
     * @param maxRecordSize the longest record in bytes, 0 .. {@link #MAX_RECORD_SIZE}
     * @param owner         the owner tag, or 0 for none (a bare log, as {@code create} makes)
     * @return the open log, empty
     * @throws InvalidArgumentException for a bad name, directory, capacity or size
     * @throws AlreadyExistsException   when the state file exists
     */
    public static SharedLog create(String name, Path dir, int capacity, int maxRecordSize, long owner) {
        checkCreate(name, dir, capacity, maxRecordSize);
        return create0(name, dir, capacity, maxRecordSize, owner);
    }

    /**
     * Opens the existing log {@code name} in {@code dir}; with {@code owner != 0} it must carry
     * that owner tag (see {@link #create(String, Path, int, int, long)}).
     *
     * @param name  {@code "/"} and the log's name
     * @param dir   the directory of the log's files
     * @param owner the owner tag the log must carry, or 0 to accept any
     * @return the open log
     * @throws NotFoundException  when there is no such log
     * @throws CorruptedException when the state file is not a log of this version, or another owner's
     */
    public static SharedLog open(String name, Path dir, long owner) {
        checkDir("log open", name, dir);
        return open0(name, dir, owner);
    }

    /**
     * Removes the log {@code name} in {@code dir} as {@link #unlinkIfExists(String)} does; with
     * {@code owner != 0}, only if it carries that owner tag.
     *
     * @param name  {@code "/"} and the log's name
     * @param dir   the directory of the log's files
     * @param owner the owner tag the log must carry, or 0 to remove any
     * @return true if anything was removed, false if there was no such log
     * @throws CorruptedException when the state file is not a log, or not the owner's (it is left in place)
     */
    public static boolean unlinkIfExists(String name, Path dir, long owner) {
        checkDir("log unlink", name, dir);
        return remove0(name, dir, owner);
    }

    /**
     * Appends one record made of {@code head}'s remaining bytes (if head is not null) followed
     * by {@code body}'s; neither buffer's position moves. Errors name the call {@code call}.
     *
     * @param head  the record's first bytes, or null
     * @param body  the rest of the record
     * @param nanos how long to wait for room: 0 not at all, negative forever, else nanoseconds
     * @param call  the name errors give the call (the framing layer's own, e.g. {@code "send"})
     * @return true when appended, false when there was no room in time
     * @throws InvalidArgumentException when body is null or the record is longer than {@link #maxRecordSize()}
     * @throws InterruptedException     when interrupted while waiting
     */
    public boolean putFramed(ByteBuffer head, ByteBuffer body, long nanos, String call) throws InterruptedException {
        if (body == null) {
            throw new InvalidArgumentException(call, name, 0, "the buffer is null");
        }
        long len = (long) body.remaining() + (head == null ? 0 : head.remaining());
        if (len > maxRecord) {
            throw new InvalidArgumentException(call, name, 0, "a record of " + len + " bytes is longer than the "
                    + maxRecord + " this log holds");
        }
        return put0(head, body, nanos, call);
    }

    /**
     * Takes the oldest record: its first bytes fill {@code head} (if not null) from its position,
     * which does not move; the rest goes into {@code body} at its position, which advances. A
     * record whose rest does not fit in body's remaining room stays in the log
     * (InvalidArgumentException). Errors name the call {@code call}.
     *
     * @param head  filled with the record's first {@code head.remaining()} bytes, or null
     * @param body  receives the rest
     * @param nanos how long to wait for a record: 0 not at all, negative forever, else nanoseconds
     * @param call  the name errors give the call (the framing layer's own, e.g. {@code "receive"})
     * @return the record's whole length, or -1 when none came in time
     * @throws InvalidArgumentException when body is null or read-only, or the record does not fit
     * @throws InterruptedException     when interrupted while waiting
     */
    public int takeFramed(ByteBuffer head, ByteBuffer body, long nanos, String call) throws InterruptedException {
        if (body == null) {
            throw new InvalidArgumentException(call, name, 0, "the buffer is null");
        }
        if (body.isReadOnly() || (head != null && head.isReadOnly())) {
            throw new InvalidArgumentException(call, name, 0, "the buffer is read-only");
        }
        return take0(head, body, nanos, call);
    }

    /**
     * The records waiting, as {@link #size()}, but also on a closed handle (its mapping stays):
     * what a framing layer reports as its pending count after close.
     *
     * @return the number of records appended and not yet taken
     * @throws CorruptedException when the state page was truncated
     */
    public long pending() {
        return size0();
    }

    /**
     * The log's id: a random non-zero number chosen at create, repeated in every segment file,
     * so that a file of the same name from another log is recognised as not this log's.
     *
     * @return the id
     */
    public long logId() {
        return logId;
    }

    /**
     * Throws CorruptedException if a file the last take read from (the state file or the
     * segment) was truncated by another process: what that take copied may have come from
     * placeholder pages. A framing layer calls it before it reports a received message.
     *
     * @param call the name the error gives the call
     * @throws CorruptedException when a file under the last take was truncated
     */
    public void checkTaken(String call) {
        checkIntact(call);
    }

    /**
     * Removes the log this handle opened (the one with its owner tag), quietly: nothing is
     * removed, and nothing thrown, when the name now holds another log or none.
     */
    public void unlinkOwn() {
        unlink();
    }

    // ---------------------------------------------------------------- WaitSet

    /**
     * False once this handle was closed.
     *
     * @return true until closed
     */
    @Override
    public boolean isOpen() {
        return !closed;
    }

    /**
     * How a {@link dev.ipcj.WaitSet} waits on this log: READABLE while a record waits. Appenders
     * ring the set's doorbell only when it announced itself on the items bell.
     *
     * @return the hook
     */
    @Override
    public dev.ipcj.WaitHook waitHook() {
        return readableHook();
    }

    /** The READABLE hook, also for the mailbox whose SHM_LOG transport this log is. */
    dev.ipcj.WaitHook readableHook() {
        return new dev.ipcj.WaitHook() {
            @Override
            public int readiness(int interest) {
                checkOpen("WaitSet");
                return size0() > 0 ? dev.ipcj.WaitSet.READABLE : 0;
            }

            @Override
            public boolean attach(long bell, int interest) {
                if (interest != dev.ipcj.WaitSet.READABLE) {
                    throw new dev.ipcj.InvalidArgumentException("WaitSet.add", name, 0,
                            "a shared log can be waited on for READABLE only");
                }
                checkOpen("WaitSet.add");
                try {
                    return items.bells().attach(bell);
                } catch (InternalError e) {
                    throw truncation("WaitSet.add", e);
                }
            }

            @Override
            public void arm(int interest) {
                checkOpen("WaitSet");
                try {
                    items.arm();
                } catch (InternalError e) {
                    throw truncation("WaitSet", e);
                }
            }

            @Override
            public void detach(long bell, int interest) {
                items.bells().detach(bell);
            }
        };
    }
}
