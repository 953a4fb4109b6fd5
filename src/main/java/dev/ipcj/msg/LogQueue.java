package dev.ipcj.msg;

import dev.ipcj.ClosedException;
import dev.ipcj.CorruptedException;
import dev.ipcj.IpcException;
import dev.ipcj.LimitExceededException;
import dev.ipcj.NotFoundException;
import dev.ipcj.AlreadyExistsException;
import dev.ipcj.internal.Errno;
import dev.ipcj.posix.NamedSemaphore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;

/**
 * {@link Transport#SHM_LOG}: an append-only log of segment files in {@code /dev/shm}, the one
 * transport that can be unbounded. Messages live in tmpfs pages, outside every process's heap,
 * and survive the exit of their sender; the log grows segment by segment until /dev/shm is
 * full, and then {@code send} fails with ENOSPC saying how much room there was.
 *
 * <p>Files, for the mailbox {@code /NAME}:
 * <pre>
 *   /dev/shm/NAME.log       the state page (below), 4096 bytes
 *   /dev/shm/NAME.log.K     segment K (K = 0, 1, ...), SEGMENT bytes each; consumed ones are deleted
 *   /dev/shm/sem.NAME.log-items   NamedSemaphore: messages in the log (receivers wait on it)
 *   /dev/shm/sem.NAME.log-space   NamedSemaphore: free places, only when bounded(n)
 * </pre>
 * State page (native byte order):
 * <pre>
 *   offset  size  field
 *   0       4     int  magic 0x474F4C49 ("ILOG")
 *   4       4     int  segment size in bytes
 *   8       4     int  lock: pid of the process inside the critical section, 0 when free ({@link PidLock})
 *   12      4     int  capacity: -1 unbounded, n bounded
 *   16      4     int  max message size (payload bytes)
 *   24      8     long write segment K
 *   32      8     long write offset in it
 *   40      8     long read segment K
 *   48      8     long read offset in it
 *   56      8     long messages in the log
 * </pre>
 * A record in a segment, 8-byte aligned; a length of 0, or fewer than 4 bytes left, ends the
 * segment:
 * <pre>
 *   0   4   int  frame length L = 16 + payload length
 *   4   16  the {@link Envelope} (sender pid, flags, sequence)
 *   20  L-16 payload
 * </pre>
 *
 * <p>Why segments are written through a mapping, and only after being filled with zeros by a
 * {@code FileChannel} write: pages of a tmpfs file are allocated when first touched, and a
 * touch that finds /dev/shm full is a SIGBUS that kills the JVM. Writing zeros allocates them
 * through a system call that fails with ENOSPC instead, so running out of memory is an
 * exception, and message bytes are then copied with plain memory writes (no system call per
 * message). Every length read from a segment is checked before use.
 *
 * <p>Costs: per message one lock CAS, one memcpy and one semaphore post (a futex wake only
 * when a receiver sleeps); no allocation. A writer or reader killed inside the tiny critical
 * section is detected by its dead pid; a writer killed between publishing a message and
 * posting the semaphore delays that message until the next one is sent.
 */
final class LogQueue extends FrameQueue {
    static final Path DEFAULT_DIR = Path.of("/dev/shm");
    private static final int MAGIC = 0x474F4C49;
    private static final int STATE_SIZE = 4096;
    private static final int SEGMENT_MIN = 1 << 20;
    private static final int SEG_SIZE = 4;
    private static final int LOCK = 8;
    private static final int CAPACITY = 12;
    private static final int MAX_MESSAGE = 16;
    private static final int WRITE_SEG = 24;
    private static final int WRITE_OFF = 32;
    private static final int READ_SEG = 40;
    private static final int READ_OFF = 48;
    private static final int COUNT = 56;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024);

    private final String name;
    private final Path dir;
    private final String base;
    private final MappedByteBuffer state;
    private final PidLock lock;
    private final int segmentSize;
    private final int capacity;
    private final int maxMessage;
    private final NamedSemaphore items;
    private final NamedSemaphore space;
    private volatile boolean closed;
    // Guarded by the PidLock: the mapped segments this handle last used.
    private long writeIndex = -1;
    private ByteBuffer writeSegment;
    private long readIndex = -1;
    private ByteBuffer readSegment;

    private LogQueue(String name, Path dir, MappedByteBuffer state, NamedSemaphore items, NamedSemaphore space) {
        this.name = name;
        this.dir = dir;
        this.base = name.substring(1) + ".log";
        this.state = state;
        this.segmentSize = state.getInt(SEG_SIZE);
        this.capacity = state.getInt(CAPACITY);
        this.maxMessage = state.getInt(MAX_MESSAGE);
        this.items = items;
        this.space = space;
        this.lock = new PidLock(state, LOCK, (int) ProcessHandle.current().pid());
    }

    /** The longest mailbox name this transport accepts (room for ".log-space" after "sem."). */
    static final int MAX_NAME = NamedSemaphore.MAX_NAME_LENGTH - 10;

    static LogQueue create(String name, Path dir, Capacity cap, int maxMessage) {
        if (cap.isZero()) {
            cap = Capacity.bounded(1); // a rendezvous holds at most the one message in flight
        }
        int segment = (int) Math.max(SEGMENT_MIN, align(4L + Envelope.SIZE + maxMessage, 4096));
        Path statePath = dir.resolve(name.substring(1) + ".log");
        MappedByteBuffer state;
        try (FileChannel ch = FileChannel.open(statePath, EnumSet.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            fill(ch, STATE_SIZE, statePath, name);
            state = map(ch, STATE_SIZE);
        } catch (FileAlreadyExistsException e) {
            throw new AlreadyExistsException("open", statePath.toString(), Errno.EEXIST, "the log already exists");
        } catch (IOException e) {
            throw io("open", statePath, e, name);
        }
        state.putInt(SEG_SIZE, segment);
        state.putInt(CAPACITY, cap.limit());
        state.putInt(MAX_MESSAGE, maxMessage);
        NamedSemaphore items = null;
        NamedSemaphore space = null;
        try {
            items = NamedSemaphore.create(name + ".log-items", 0);
            if (cap.isBounded()) {
                space = NamedSemaphore.create(name + ".log-space", cap.limit());
            }
            LogQueue q = new LogQueue(name, dir, state, items, space);
            try {
                q.newSegment(0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IpcException("create", name, Errno.EINTR, "interrupted while allocating the first segment");
            }
            state.putInt(0, MAGIC); // last: an opener that sees the magic sees a complete log
            return q;
        } catch (RuntimeException e) {
            if (items != null) {
                items.close();
            }
            if (space != null) {
                space.close();
            }
            remove(name, dir);
            throw e;
        }
    }

    static LogQueue open(String name, Path dir) {
        Path statePath = dir.resolve(name.substring(1) + ".log");
        MappedByteBuffer state;
        try (FileChannel ch = FileChannel.open(statePath, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (ch.size() != STATE_SIZE) {
                throw new CorruptedException("open", statePath.toString(), 0,
                        "the state file is " + ch.size() + " bytes, not " + STATE_SIZE);
            }
            state = map(ch, STATE_SIZE);
        } catch (NoSuchFileException e) {
            throw new NotFoundException("open", statePath.toString(), Errno.ENOENT, "no such log");
        } catch (IOException e) {
            throw io("open", statePath, e, name);
        }
        if (state.getInt(0) != MAGIC) {
            throw new CorruptedException("open", statePath.toString(), 0, "bad magic 0x"
                    + Integer.toHexString(state.getInt(0)) + ": not an ipcj log, or one still being created");
        }
        int segment = state.getInt(SEG_SIZE);
        int max = state.getInt(MAX_MESSAGE);
        if (segment < SEGMENT_MIN || segment > (1 << 30) || max < 0 || 4L + Envelope.SIZE + max > segment) {
            throw new CorruptedException("open", statePath.toString(), 0,
                    "segment size " + segment + " / max message " + max + " out of range");
        }
        NamedSemaphore items = NamedSemaphore.open(name + ".log-items");
        NamedSemaphore space = null;
        try {
            if (state.getInt(CAPACITY) > 0) {
                space = NamedSemaphore.open(name + ".log-space");
            }
        } catch (RuntimeException e) {
            items.close();
            throw e;
        }
        return new LogQueue(name, dir, state, items, space);
    }

    /** Removes every file and semaphore of the log {@code name}; true if anything was there. */
    static boolean remove(String name, Path dir) {
        String base = name.substring(1) + ".log";
        boolean any = NamedSemaphore.unlinkIfExists(name + ".log-items");
        any |= NamedSemaphore.unlinkIfExists(name + ".log-space");
        if (!Files.isDirectory(dir)) {
            return any;
        }
        try {
            any |= Files.deleteIfExists(dir.resolve(base));
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, base + ".*")) {
                for (Path p : ds) {
                    any |= Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw io("unlink", dir.resolve(base), e, name);
        }
        return any;
    }

    @Override
    boolean put(int sender, int flags, long sequence, ByteBuffer payload, long timeoutNanos)
            throws InterruptedException {
        checkOpen();
        if (space != null && !Sems.acquire(space, timeoutNanos)) {
            return false;
        }
        boolean done = false;
        try {
            lock.lock();
            try {
                append(sender, flags, sequence, payload);
            } finally {
                lock.unlock();
            }
            done = true;
        } finally {
            if (!done && space != null) {
                space.release();
            }
        }
        items.release();
        return true;
    }

    @Override
    boolean take(ByteBuffer dst, Envelope env, long timeoutNanos) throws InterruptedException {
        checkOpen();
        if (!Sems.acquire(items, timeoutNanos)) {
            return false;
        }
        boolean done = false;
        try {
            lock.lock();
            try {
                consume(dst, env);
            } finally {
                lock.unlock();
            }
            done = true;
        } finally {
            if (!done) {
                items.release(); // the message stays for the next receiver
            }
        }
        if (space != null) {
            space.release();
        }
        return true;
    }

    /** Under the lock. */
    private void append(int sender, int flags, long sequence, ByteBuffer payload) throws InterruptedException {
        int len = payload.remaining();
        int record = (int) align(4L + Envelope.SIZE + len, 8);
        long ws = state.getLong(WRITE_SEG);
        long wo = state.getLong(WRITE_OFF);
        if (wo < 0 || wo > segmentSize) {
            throw corrupted("write offset " + wo + " is outside the segment of " + segmentSize + " bytes");
        }
        if (wo + record > segmentSize) {
            ByteBuffer old = segmentForWrite(ws);
            if (wo + 4 <= segmentSize) {
                old.putInt((int) wo, 0); // end of segment
            }
            newSegment(ws + 1); // on ENOSPC nothing below runs: the state still names the old end
            ws++;
            wo = 0;
            state.putLong(WRITE_SEG, ws);
            state.putLong(WRITE_OFF, 0);
        }
        ByteBuffer seg = segmentForWrite(ws);
        int at = (int) wo;
        seg.putInt(at + 4, sender);
        seg.putInt(at + 8, flags);
        seg.putLong(at + 12, sequence);
        seg.put(at + 4 + Envelope.SIZE, payload, payload.position(), len);
        seg.putInt(at, Envelope.SIZE + len);
        if (wo + record + 4 <= segmentSize) {
            seg.putInt(at + record, 0); // a reused (not freshly zeroed) tail never looks like a record
        }
        state.putLong(WRITE_OFF, wo + record);
        state.putLong(COUNT, state.getLong(COUNT) + 1);
    }

    /** Under the lock. */
    private void consume(ByteBuffer dst, Envelope env) {
        for (;;) {
            long rs = state.getLong(READ_SEG);
            long ro = state.getLong(READ_OFF);
            long ws = state.getLong(WRITE_SEG);
            if (rs < 0 || rs > ws || ro < 0 || ro > segmentSize) {
                throw corrupted("read position " + rs + ":" + ro + " is impossible (write segment " + ws + ")");
            }
            ByteBuffer seg = segmentForRead(rs);
            int len = ro + 4 <= segmentSize ? seg.getInt((int) ro) : 0;
            if (len == 0) {
                if (rs == ws) {
                    throw corrupted("a receiver was counted a message but the log at " + rs + ":" + ro + " is empty");
                }
                deleteSegment(rs);
                state.putLong(READ_SEG, rs + 1);
                state.putLong(READ_OFF, 0);
                continue;
            }
            if (len < Envelope.SIZE || len - Envelope.SIZE > maxMessage || ro + 4 + len > segmentSize) {
                throw corrupted("record at " + rs + ":" + ro + " has length " + len + " (allowed "
                        + Envelope.SIZE + ".." + (Envelope.SIZE + maxMessage) + " within the segment)");
            }
            int at = (int) ro;
            int plen = len - Envelope.SIZE;
            env.set(seg.getInt(at + 4), seg.getInt(at + 8), seg.getLong(at + 12), plen);
            dst.put(dst.position(), seg, at + 4 + Envelope.SIZE, plen);
            dst.position(dst.position() + plen);
            state.putLong(READ_OFF, ro + align(4L + len, 8));
            state.putLong(COUNT, state.getLong(COUNT) - 1);
            return;
        }
    }

    private ByteBuffer segmentForWrite(long k) {
        if (writeIndex != k) {
            writeSegment = mapSegment(k);
            writeIndex = k;
        }
        return writeSegment;
    }

    private ByteBuffer segmentForRead(long k) {
        if (readIndex != k) {
            readSegment = k == writeIndex ? writeSegment : mapSegment(k);
            readIndex = k;
        }
        return readSegment;
    }

    private ByteBuffer mapSegment(long k) {
        Path p = dir.resolve(base + "." + k);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (ch.size() != segmentSize) {
                throw corrupted("segment " + p + " is " + ch.size() + " bytes, not " + segmentSize);
            }
            return map(ch, segmentSize);
        } catch (NoSuchFileException e) {
            throw corrupted("segment " + p + " is missing");
        } catch (IOException e) {
            throw io("open", p, e, name);
        }
    }

    /** Creates segment k, every page allocated (zero-filled by write), and maps it. */
    private void newSegment(long k) throws InterruptedException {
        Path p = dir.resolve(base + "." + k);
        try {
            Files.deleteIfExists(p); // left by a process killed while creating it
            try (FileChannel ch = FileChannel.open(p, EnumSet.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.READ, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                fill(ch, segmentSize, p, name);
                writeSegment = map(ch, segmentSize);
                writeIndex = k;
            }
        } catch (ClosedByInterruptException e) {
            deleteQuietly(p);
            throw new InterruptedException("interrupted while allocating " + p);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(p);
            if (e instanceof IOException) {
                throw io("write", p, (IOException) e, name);
            }
            throw (RuntimeException) e;
        }
    }

    private void deleteSegment(long k) {
        if (readIndex == k) {
            readIndex = -1;
            readSegment = null;
        }
        if (writeIndex == k) {
            writeIndex = -1;
            writeSegment = null;
        }
        deleteQuietly(dir.resolve(base + "." + k)); // the mapping stays valid until the GC drops it
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover segment is removed by unlink()
        }
    }

    private static void fill(FileChannel ch, int size, Path p, String name) throws IOException {
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
        if (e instanceof java.nio.file.AccessDeniedException) {
            return IpcException.of(call, p.toString(), Errno.EACCES, msg);
        }
        return new IpcException(call, p.toString(), 0, e.toString());
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
    long pending() {
        return state.getLong(COUNT);
    }

    @Override
    public void close() {
        closed = true;
        items.close();
        if (space != null) {
            space.close();
        }
    }

    @Override
    void unlink() {
        remove(name, dir);
    }
}
