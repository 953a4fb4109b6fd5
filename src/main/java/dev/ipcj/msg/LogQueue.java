package dev.ipcj.msg;

import dev.ipcj.AlreadyExistsException;
import dev.ipcj.ClosedException;
import dev.ipcj.CorruptedException;
import dev.ipcj.IpcException;
import dev.ipcj.LimitExceededException;
import dev.ipcj.NotFoundException;
import dev.ipcj.internal.CrashPoints;
import dev.ipcj.internal.Doorbell;
import dev.ipcj.internal.Errno;
import dev.ipcj.internal.Faults;
import dev.ipcj.internal.SharedLock;
import dev.ipcj.internal.SharedPage;
import dev.ipcj.internal.ShmFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.EnumSet;

/**
 * {@link Transport#SHM_LOG}: an append-only log of segment files in {@code /dev/shm}, the one
 * transport that can be unbounded. Messages live in tmpfs pages, outside every process's heap,
 * and survive the exit of their sender; the log grows segment by segment until /dev/shm is
 * full, and then {@code send} fails with ENOSPC saying how much room there was.
 *
 * <p>Files, for the log {@code /NAME}, all mode 0600:
 * <pre>
 *   /dev/shm/NAME.log       the state page (below), 4096 bytes
 *   /dev/shm/NAME.log.K     segment K (K = 0, 1, ...), SEGMENT bytes each; consumed ones are deleted
 * </pre>
 * State page (native byte order):
 * <pre>
 *   offset  size  field
 *   0       4     magic 0x474F4C49 ("ILOG"), written last at creation
 *   4       4     version 2
 *   8       4     segment size in bytes
 *   12      4     capacity: -1 unbounded, n bounded
 *   16      4     max message size (payload bytes)
 *   24      8     owner id: the instance id of the mailbox whose log this is (0: a bare log)
 *   32      8     log id: random; every segment's header repeats it
 *   64      12    lock ({@link SharedLock}: holder identity, waiters)
 *   128     8     generation G: the committed state is slot G &amp; 1
 *   192     48    slot 0: write segment, write offset, read segment, read offset, appended, consumed (longs)
 *   256     48    slot 1
 *   320     8     items doorbell (senders ring it; {@link Doorbell})
 *   384     8     space doorbell (receivers ring it, bounded logs)
 * </pre>
 * A segment starts with a 64-byte header (magic 0x47455349 "ISEG", version 1, the log id, its
 * index K); records follow, 8-byte aligned: the 40-byte {@link Envelope} (whose payload length
 * gives the record's size), then the payload. A zero word where a record would start, or fewer
 * than 40 bytes left, ends the segment.
 *
 * <h2>Crash consistency: one store publishes</h2>
 * Every change happens under the lock and is published by one store. The holder reads the
 * committed slot, writes the record bytes (and, when it starts a segment, the old segment's end
 * marker and the new file), writes the new positions and counts into the other slot, and then
 * stores G + 1. A process killed anywhere before that store changed nothing that anyone reads
 * (its bytes lie past the committed write position, its half-written slot is not the current
 * one); killed after it, the change is complete. The next process that wants the lock finds the
 * dead holder (see SharedLock) and takes over, with nothing to repair:
 * <ul>
 * <li>a sender killed before the commit: its message was not sent; after it: sent (the items
 *     doorbell it did not ring only delays a sleeping receiver until the end of its slice);
 * <li>a receiver killed after copying a record out but before the commit: the record is still
 *     the oldest, for the next receiver; after the commit: consumed;
 * <li>a segment created, or a consumed one not yet deleted, when the kill came: a leftover file
 *     with this log's id, replaced by the next writer or removed by unlink.
 * </ul>
 * Capacity is counted from the committed state itself (appended - consumed), under the lock, so
 * no kill can leak it and never more than n messages wait.
 *
 * <h2>Memory</h2>
 * Segments are written through a mapping only after being filled with zeros by a
 * {@code FileChannel} write: pages of a tmpfs file are allocated when first touched, and a touch
 * that finds /dev/shm full is a SIGBUS. Writing zeros allocates them through a system call that
 * fails with ENOSPC instead. Every position and length read from shared memory is checked before
 * use; a truncated file is reported as CorruptedException (see {@code dev.ipcj.internal.Faults}).
 *
 * <p>Costs: per message one lock CAS and one store to unlock, one memcpy, one atomic add on the
 * doorbell (a futex wake only when someone sleeps); no allocation.
 */
final class LogQueue extends FrameQueue {
    static final Path DEFAULT_DIR = ShmFiles.DIR;
    private static final int MAGIC = 0x474F4C49;
    private static final int VERSION = 2;
    private static final int SEG_MAGIC = 0x47455349;
    private static final int STATE_SIZE = 4096;
    private static final int SEGMENT_MIN = 1 << 20;
    static final int SEGMENT_HEADER = 64;
    private static final int OFF_VERSION = 4;
    private static final int OFF_SEG_SIZE = 8;
    private static final int OFF_CAPACITY = 12;
    private static final int OFF_MAX = 16;
    private static final int OFF_OWNER = 24;
    private static final int OFF_LOG_ID = 32;
    static final int OFF_LOCK = 64;
    static final int OFF_GENERATION = 128;
    static final int OFF_SLOTS = 192;
    private static final int SLOT_STRIDE = 64;
    private static final int OFF_ITEMS = 320;
    private static final int OFF_SPACE = 384;
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
    private final int maxMessage;
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

    private LogQueue(String name, Path dir, SharedPage state) {
        this.name = name;
        this.dir = dir;
        this.base = name.substring(1) + ".log";
        this.statePath = dir.resolve(base);
        this.state = state;
        this.segmentSize = state.getInt(OFF_SEG_SIZE);
        this.capacity = state.getInt(OFF_CAPACITY);
        this.maxMessage = state.getInt(OFF_MAX);
        this.logId = state.getLong(OFF_LOG_ID);
        this.stateInode = ShmFiles.inode(statePath);
        this.lock = new SharedLock(state, OFF_LOCK, "log lock");
        this.items = new Doorbell(state, OFF_ITEMS, "receive");
        this.space = new Doorbell(state, OFF_SPACE, "send");
    }

    /** The longest mailbox name this transport accepts (room for ".log." and a 19-digit segment index). */
    static final int MAX_NAME = 255 - 24;

    /** The state file of the log {@code name} in {@code dir}. */
    static Path statePath(Path dir, String name) {
        return dir.resolve(name.substring(1) + ".log");
    }

    /** {@link Transport#SHM_LOG}'s adapter: the log's state file's inode and the log id go in the header. */
    static final TransportAdapter ADAPTER = new TransportAdapter() {
        @Override
        FrameQueue create(String name, MailboxHeader h, MailboxHeader.Created c, SharedPage control) {
            LogQueue q = LogQueue.create(name, DEFAULT_DIR, h.capacity, h.maxMessageSize, h.instance);
            try {
                h.id1 = ShmFiles.inode(statePath(DEFAULT_DIR, name));
                h.id2 = q.logId();
                c.write(h, name);
                return q;
            } catch (RuntimeException e) {
                q.unlink();
                q.close();
                throw e;
            }
        }

        @Override
        FrameQueue open(String name, MailboxHeader h, SharedPage control) {
            long ino = ShmFiles.inode(statePath(DEFAULT_DIR, name));
            if (h.id1 != 0 && ino != 0 && ino != h.id1) {
                throw new CorruptedException("open", name, 0, "/dev/shm" + name + ".log is not this mailbox's log"
                        + " (inode " + ino + ", the header names " + h.id1 + ")");
            }
            LogQueue q = LogQueue.open(name, DEFAULT_DIR, h.instance);
            int cap = h.capacity.isZero() ? 1 : h.capacity.limit();
            if (q.maxMessageSize() != h.maxMessageSize || q.logId() != h.id2 || q.capacity() != cap) {
                q.close();
                throw new CorruptedException("open", name, 0, "the log holds messages of " + q.maxMessageSize()
                        + " bytes, capacity " + q.capacity() + ", log id " + Long.toHexString(q.logId())
                        + "; the header says " + h.maxMessageSize + ", " + cap + ", " + Long.toHexString(h.id2));
            }
            return q;
        }

        @Override
        boolean remove(String name, MailboxHeader h) {
            try {
                return LogQueue.remove(name, DEFAULT_DIR, h.instance);
            } catch (CorruptedException e) {
                throw e;
            } catch (IpcException e) {
                return false;
            }
        }

        @Override
        String bound() {
            return "it grows until /dev/shm is full";
        }

        @Override
        boolean canBeUnbounded() {
            return true;
        }

        @Override
        int maxNameLength() {
            return MAX_NAME;
        }
    };

    static LogQueue create(String name, Path dir, Capacity cap, int maxMessage) {
        return create(name, dir, cap, maxMessage, 0);
    }

    /** Creates the log {@code name} for the mailbox of instance id {@code owner} (0: a bare log). */
    static LogQueue create(String name, Path dir, Capacity cap, int maxMessage, long owner) {
        if (cap.isZero()) {
            cap = Capacity.bounded(1); // a rendezvous holds at most the one message in flight
        }
        int segment = (int) Math.max(SEGMENT_MIN, align(SEGMENT_HEADER + Envelope.SIZE + (long) maxMessage, 4096));
        Path statePath = dir.resolve(name.substring(1) + ".log");
        FileChannel ch;
        try {
            ch = FileChannel.open(statePath, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), ShmFiles.MODE_0600);
        } catch (FileAlreadyExistsException e) {
            throw new AlreadyExistsException("create", name, Errno.EEXIST, statePath + " exists: another log or"
                    + " object has this name");
        } catch (IOException e) {
            throw io("create", statePath, e, name);
        }
        long inode = ShmFiles.inode(statePath);
        LogQueue q = null;
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
            page.putInt(OFF_SEG_SIZE, segment);
            page.putInt(OFF_CAPACITY, cap.limit());
            page.putInt(OFF_MAX, maxMessage);
            page.putLong(OFF_OWNER, owner);
            page.putLong(OFF_LOG_ID, MailboxHeader.newId());
            q = new LogQueue(name, dir, page);
            q.ws = 0;
            q.wo = SEGMENT_HEADER;
            q.rs = 0;
            q.ro = SEGMENT_HEADER;
            q.writeSlot(0);
            page.setLongVolatile(OFF_GENERATION, 0);
            try {
                q.newSegment(0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IpcException("create", name, Errno.EINTR, "interrupted while allocating the first segment");
            }
            page.setIntVolatile(0, MAGIC); // last: an opener that sees the magic sees a complete log
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

    static LogQueue open(String name, Path dir) {
        return open(name, dir, 0);
    }

    /** Opens the log {@code name}; with {@code owner != 0} it must be the log of that mailbox instance. */
    static LogQueue open(String name, Path dir, long owner) {
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
            return new LogQueue(name, dir, page);
        } catch (InternalError e) {
            page.close();
            throw page.truncated("open", e);
        } catch (RuntimeException e) {
            page.close();
            throw e;
        }
    }

    private static String checkState(SharedPage page, long owner) {
        int magic = page.getIntVolatile(0);
        if (magic != MAGIC) {
            return "bad magic 0x" + Integer.toHexString(magic) + ": not an ipcj log, or one still being created";
        }
        if (page.getInt(OFF_VERSION) != VERSION) {
            return "log version " + page.getInt(OFF_VERSION) + ", this ipcj reads " + VERSION;
        }
        int segment = page.getInt(OFF_SEG_SIZE);
        int max = page.getInt(OFF_MAX);
        int cap = page.getInt(OFF_CAPACITY);
        if (segment < SEGMENT_MIN || segment > (1 << 30) || max < 0
                || SEGMENT_HEADER + Envelope.SIZE + (long) max > segment || cap < -1 || cap == 0) {
            return "segment size " + segment + ", max message " + max + ", capacity " + cap + ": out of range";
        }
        if (owner != 0 && page.getLong(OFF_OWNER) != owner) {
            return "the log belongs to another mailbox (owner id " + Long.toHexString(page.getLong(OFF_OWNER))
                    + ", this mailbox's is " + Long.toHexString(owner) + ")";
        }
        return null;
    }

    /** Removes the bare log {@code name}: its state page and every segment that carries its log id. */
    static boolean remove(String name, Path dir) {
        return remove(name, dir, 0);
    }

    /**
     * Removes the log {@code name} (with {@code owner != 0}: only if it is that mailbox instance's
     * log): the segments are found by listing {@code dir} for names that are exactly
     * {@code NAME.log.} and digits and whose header carries the log's id; no pattern is expanded.
     * CorruptedException, removing nothing, when the state file is not such a log.
     */
    static boolean remove(String name, Path dir, long owner) {
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
            return b.getInt(0) == SEG_MAGIC && b.getLong(8) == logId;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- state

    private int slotOffset(long generation) {
        return OFF_SLOTS + (int) (generation & 1) * SLOT_STRIDE;
    }

    /** Reads the committed state into this handle's fields and checks it. Under the lock. */
    private long readState(String call) {
        long g = state.getLongVolatile(OFF_GENERATION);
        int s = slotOffset(g);
        ws = state.getLong(s);
        wo = state.getLong(s + 8);
        rs = state.getLong(s + 16);
        ro = state.getLong(s + 24);
        appended = state.getLong(s + 32);
        consumed = state.getLong(s + 40);
        long waiting = appended - consumed;
        if (ws < 0 || rs < 0 || rs > ws || wo < SEGMENT_HEADER || wo > segmentSize || ro < SEGMENT_HEADER
                || ro > segmentSize || (rs == ws && ro > wo) || waiting < 0 || (capacity > 0 && waiting > capacity)
                || (waiting == 0) != (rs == ws && ro == wo && consumed == appended)) {
            state.checkSize(call);
            throw corrupted("the committed state is impossible: write " + ws + ":" + wo + ", read " + rs + ":" + ro
                    + ", appended " + appended + ", consumed " + consumed + " (segment " + segmentSize + " bytes"
                    + (capacity > 0 ? ", capacity " + capacity : "") + ")");
        }
        return g;
    }

    private void writeSlot(long generation) {
        int s = slotOffset(generation);
        state.putLong(s, ws);
        state.putLong(s + 8, wo);
        state.putLong(s + 16, rs);
        state.putLong(s + 24, ro);
        state.putLong(s + 32, appended);
        state.putLong(s + 40, consumed);
    }

    /** Publishes this handle's fields as generation g + 1: the one store that makes the change. */
    private void commit(long g) {
        writeSlot(g + 1);
        state.setLongVolatile(OFF_GENERATION, g + 1);
    }

    // ---------------------------------------------------------------- put and take

    @Override
    boolean put(int sender, int flags, long sequence, int token, ByteBuffer payload, long nanos)
            throws InterruptedException {
        checkOpen();
        long deadline = Timeouts.deadline(nanos);
        long slice = Doorbell.FIRST_SLICE;
        try {
            for (;;) {
                checkOpen();
                int seen = capacity > 0 ? space.observe() : 0;
                if (!lock.lock(Timeouts.remaining(nanos, deadline))) {
                    return false;
                }
                boolean done = false;
                try {
                    CrashPoints.reach("log-locked");
                    long g = readState("send");
                    if (capacity < 0 || appended - consumed < capacity) {
                        append(sender, flags, sequence, token, payload);
                        CrashPoints.reach("log-written");
                        writeSegment.checkIntact("send"); // never publish a record whose bytes vanished
                        appended++;
                        commit(g);
                        state.checkIntact("send");
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
                if (Timeouts.expired(nanos, deadline)) {
                    return false;
                }
                space.await(seen, Timeouts.slice(nanos, deadline, slice));
                slice = Math.min(slice * 2, Doorbell.MAX_SLICE);
            }
        } catch (InternalError e) {
            throw truncation("send", e);
        }
    }

    @Override
    boolean take(ByteBuffer dst, Envelope env, long nanos) throws InterruptedException {
        checkOpen();
        long deadline = Timeouts.deadline(nanos);
        long slice = Doorbell.FIRST_SLICE;
        try {
            for (;;) {
                checkOpen();
                int seen = items.observe();
                if (!lock.lock(Timeouts.remaining(nanos, deadline))) {
                    return false;
                }
                boolean got = false;
                try {
                    long g = readState("receive");
                    if (appended > consumed) {
                        long passed = consume(dst, env);
                        CrashPoints.reach("log-consumed");
                        readSegment.checkIntact("receive"); // the bytes copied out were the log's
                        state.checkIntact("receive");
                        consumed++;
                        commit(g);
                        state.checkIntact("receive");
                        got = true;
                        if (passed >= 0) {
                            deleteSegmentIfOurs(passed); // after the commit: a kill here leaves a leftover, not a hole
                            deleteSegmentIfOurs(passed - 1);
                        }
                    }
                } finally {
                    lock.unlock();
                }
                if (got) {
                    if (capacity > 0) {
                        space.ring();
                    }
                    return true;
                }
                if (Timeouts.expired(nanos, deadline)) {
                    return false;
                }
                items.await(seen, Timeouts.slice(nanos, deadline, slice));
                slice = Math.min(slice * 2, Doorbell.MAX_SLICE);
            }
        } catch (InternalError e) {
            throw truncation("receive", e);
        }
    }

    /** Writes the record at the write position, starting a segment if needed. Under the lock; commits nothing. */
    private void append(int sender, int flags, long sequence, int token, ByteBuffer payload)
            throws InterruptedException {
        int len = payload.remaining();
        int record = (int) align(Envelope.SIZE + (long) len, 8);
        if (wo + record > segmentSize) {
            ByteBuffer old = segment(ws, true).buf;
            if (wo + 4 <= segmentSize) {
                old.putInt((int) wo, 0); // end of segment: past the committed write position until the commit
            }
            newSegment(ws + 1); // on ENOSPC nothing is committed: the state still names the old end
            ws++;
            wo = SEGMENT_HEADER;
        }
        ByteBuffer seg = segment(ws, true).buf;
        int at = (int) wo;
        Envelope.write(seg, at, flags, len, sender, sequence, token);
        seg.put(at + Envelope.SIZE, payload, payload.position(), len);
        wo += record;
    }

    /**
     * Copies the oldest record out into {@code dst}/{@code env} and advances this handle's read
     * position. Under the lock; commits nothing. Returns the index of a segment it finished
     * (to delete after the commit), or -1.
     */
    private long consume(ByteBuffer dst, Envelope env) {
        long finished = -1;
        for (;;) {
            ByteBuffer seg = segment(rs, false).buf;
            boolean end = segmentSize - ro < Envelope.SIZE || seg.getInt((int) ro) == 0;
            if (end) {
                if (rs == ws) {
                    throw corrupted("the log counts " + (appended - consumed) + " messages but holds none at "
                            + rs + ":" + ro);
                }
                finished = rs;
                rs++;
                ro = SEGMENT_HEADER;
                continue;
            }
            int at = (int) ro;
            long limit = rs == ws ? wo : segmentSize;
            Envelope.read(seg, at, (int) (limit - at), false, env, "receive", name);
            long record = align(Envelope.SIZE + (long) env.length, 8);
            if (env.length > maxMessage || at + record > limit) {
                throw corrupted("the record at " + rs + ":" + ro + " says its payload is " + env.length + " bytes"
                        + " (allowed 0.." + maxMessage + ", within " + (limit - at) + " bytes)");
            }
            dst.put(dst.position(), seg, at + Envelope.SIZE, env.length);
            dst.position(dst.position() + env.length);
            ro += record;
            return finished;
        }
    }

    /** The mapping of segment k (checked: size, magic, log id, index). */
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
        java.nio.file.attribute.PosixFileAttributes a = ShmFiles.attributes(p, "log", name);
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
        if (b.getInt(0) != SEG_MAGIC || b.getLong(8) != logId || b.getLong(16) != k) {
            seg.close();
            throw corrupted("segment " + p + " is not segment " + k + " of this log (its header: magic 0x"
                    + Integer.toHexString(b.getInt(0)) + ", log id " + Long.toHexString(b.getLong(8)) + ", index "
                    + b.getLong(16) + ")");
        }
        seg.close(); // the file; the mapping stays while this handle holds it
        return seg;
    }

    /** Creates segment k, every page allocated (zero-filled by write), and maps it for writing. */
    private void newSegment(long k) throws InterruptedException {
        Path p = segmentPath(k);
        if (stateInode != 0 && ShmFiles.inode(statePath) != stateInode) {
            // The log was unlinked (and its name perhaps reused): a segment made now would belong to nobody.
            throw new dev.ipcj.RemovedException("send", name, Errno.EIDRM, "the log was removed (unlinked) while"
                    + " this handle was open; it cannot grow any more");
        }
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            if (!segmentOf(p, logId)) {
                throw new AlreadyExistsException("send", name, Errno.EEXIST, "the name of segment " + k + ", " + p
                        + ", is taken by an object that is not this log's: left in place");
            }
            deleteQuietly(p); // left by a writer killed after creating it, before its commit
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(p, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), ShmFiles.MODE_0600);
        } catch (FileAlreadyExistsException e) {
            throw new AlreadyExistsException("send", name, Errno.EEXIST, p + " appeared while being created");
        } catch (IOException e) {
            throw io("write", p, e, name);
        }
        try {
            fill(ch, segmentSize);
            ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.nativeOrder());
            h.putInt(0, SEG_MAGIC).putInt(4, 1).putLong(8, logId).putLong(16, k);
            ShmFiles.writeFully(ch, h, 0);
            ch.close();
            writeSegment = mapSegment(k);
            writeIndex = k;
        } catch (ClosedByInterruptException e) {
            deleteQuietly(p);
            throw new InterruptedException("interrupted while allocating " + p);
        } catch (IOException e) {
            deleteQuietly(p);
            throw io("write", p, e, name);
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
            // a leftover segment is removed by unlink()
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

    private static MappedByteBuffer map(FileChannel ch, int size) throws IOException {
        MappedByteBuffer b = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
        b.order(ByteOrder.nativeOrder());
        return b;
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
                    + "); the unbounded mailbox " + name + " cannot grow until messages are received"
                    + " or memory is freed");
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

    private void checkOpen() {
        if (closed) {
            throw new ClosedException("mailbox", name, 0, "the mailbox handle is closed");
        }
    }

    static long align(long v, int to) {
        return (v + to - 1) & -(long) to;
    }

    @Override
    int maxMessageSize() {
        return maxMessage;
    }

    @Override
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

    /** The bound n, or -1 when unbounded. */
    int capacity() {
        return capacity;
    }

    /** The log id (its segments repeat it). */
    long logId() {
        return logId;
    }

    @Override
    long pending() {
        try {
            for (;;) {
                long g = state.getLongVolatile(OFF_GENERATION);
                int s = slotOffset(g);
                long n = state.getLong(s + 32) - state.getLong(s + 40);
                if (state.getLongVolatile(OFF_GENERATION) == g) {
                    state.checkIntact("pending");
                    return n;
                }
            }
        } catch (InternalError e) {
            throw truncation("pending", e);
        }
    }

    @Override
    public void close() {
        closed = true;
        state.close();
    }

    @Override
    void unlink() {
        try {
            remove(name, dir, state.getLong(OFF_OWNER));
        } catch (IpcException | InternalError ignored) {
            // nothing of ours to remove
        }
    }
}
