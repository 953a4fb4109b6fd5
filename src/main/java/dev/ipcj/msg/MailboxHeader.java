package dev.ipcj.msg;

import dev.ipcj.AlreadyExistsException;
import dev.ipcj.CorruptedException;
import dev.ipcj.IpcException;
import dev.ipcj.NotFoundException;
import dev.ipcj.internal.Errno;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;

/**
 * What a process opening a mailbox by name must learn: its transport, capacity and maximum
 * message size. Kept in the file {@code /dev/shm/NAME} (the POSIX shared memory object
 * {@code /NAME}), written once by the creator after every object of the mailbox exists, so an
 * opener that can read a whole header finds a complete mailbox.
 *
 * <pre>
 *   offset  size  field
 *   0       4     int  magic 0x58424D49 ("IMBX")
 *   4       2     short version (1)
 *   6       2     short transport ({@link Transport#ordinal()})
 *   8       4     int  capacity: -1 unbounded, 0 rendezvous, n bounded
 *   12      4     int  max message size (payload bytes)
 *   16      4     int  owner pid: the process whose inbox this is, 0 for a named mailbox
 *   20      4     int  reserved
 *   24      8     long transport word (what the transport needs to find its queue, e.g. a System V key)
 *   32      32    reserved
 *   64      8     long rendezvous word (capacity zero only; see {@link Mailbox}): 0 idle,
 *                 1 taken, 2 cancelled, else the token (pid &lt;&lt; 32 | sequence) of the message in flight
 *   72      56    reserved
 * </pre>
 * Native byte order. The file is written whole (128 bytes) before anyone maps it, so its page
 * is allocated and touching the rendezvous word can never fault.
 */
final class MailboxHeader {
    static final int SIZE = 64;
    static final int FILE_SIZE = 128;
    static final int RENDEZVOUS = 64;
    private static final int MAGIC = 0x58424D49;
    private static final short VERSION = 1;

    final Transport transport;
    final Capacity capacity;
    final int maxMessageSize;
    final int owner;
    final long word;

    MailboxHeader(Transport transport, Capacity capacity, int maxMessageSize, int owner, long word) {
        this.transport = transport;
        this.capacity = capacity;
        this.maxMessageSize = maxMessageSize;
        this.owner = owner;
        this.word = word;
    }

    static Path path(String name) {
        return LogQueue.DEFAULT_DIR.resolve(name.substring(1));
    }

    /** Claims {@code name}: creates its empty header file, exclusively, mode 0600. */
    static void claim(String name) {
        try {
            Files.createFile(path(name), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            throw new AlreadyExistsException("create", name, Errno.EEXIST, "a mailbox of this name exists");
        } catch (IOException e) {
            throw new IpcException("create", name, 0, e.toString());
        }
    }

    /** Writes the header into the claimed file in one write. */
    void write(String name) {
        ByteBuffer b = ByteBuffer.allocate(FILE_SIZE).order(ByteOrder.nativeOrder());
        b.putInt(MAGIC).putShort(VERSION).putShort((short) transport.ordinal()).putInt(capacity.limit())
                .putInt(maxMessageSize).putInt(owner).putInt(0).putLong(word).position(FILE_SIZE).flip();
        try (FileChannel ch = FileChannel.open(path(name), StandardOpenOption.WRITE)) {
            while (b.hasRemaining()) {
                ch.write(b, b.position()); // file offset == buffer position: the header starts at 0
            }
        } catch (IOException e) {
            throw new IpcException("create", name, 0, "writing the header: " + e);
        }
    }

    /**
     * Reads the header of {@code name}; waits up to 2 s for a creator that has claimed the name
     * but not finished.
     */
    static MailboxHeader read(String name) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        for (;;) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(path(name));
            } catch (NoSuchFileException e) {
                throw new NotFoundException("open", name, Errno.ENOENT, "no mailbox of this name");
            } catch (IOException e) {
                throw new IpcException("open", name, 0, e.toString());
            }
            if (bytes.length >= SIZE) {
                return parse(name, ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()));
            }
            if (bytes.length != 0 || System.nanoTime() - deadline > 0) {
                throw new CorruptedException("open", name, 0, "the header is " + bytes.length + " bytes, not "
                        + SIZE + ": the creator died while creating the mailbox, or this is not an ipcj mailbox"
                        + " (remove it with Mailbox.unlinkIfExists)");
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IpcException("open", name, Errno.EINTR, "interrupted while waiting for the creator");
            }
        }
    }

    /** The header of {@code name}, or null when it is absent or unreadable (for cleanup). */
    static MailboxHeader readQuietly(String name) {
        try {
            byte[] bytes = Files.readAllBytes(path(name));
            return bytes.length >= SIZE ? parse(name, ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder())) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static MailboxHeader parse(String name, ByteBuffer b) {
        int magic = b.getInt(0);
        short version = b.getShort(4);
        int t = b.getShort(6);
        int cap = b.getInt(8);
        int max = b.getInt(12);
        if (magic != MAGIC) {
            throw new CorruptedException("open", name, 0, "bad magic 0x" + Integer.toHexString(magic)
                    + ": /dev/shm" + name + " is not an ipcj mailbox");
        }
        if (version != VERSION) {
            throw new CorruptedException("open", name, 0, "header version " + version + ", this ipcj reads " + VERSION);
        }
        if (t < 0 || t >= Transport.values().length || cap < -1 || max < 0) {
            throw new CorruptedException("open", name, 0, "transport " + t + ", capacity " + cap
                    + ", max message size " + max + ": out of range");
        }
        return new MailboxHeader(Transport.values()[t], Capacity.of(cap), max, b.getInt(16), b.getLong(24));
    }

    /** Maps the header file read-write, for the rendezvous word. */
    static java.nio.MappedByteBuffer mapControl(String name) {
        try (FileChannel ch = FileChannel.open(path(name), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (ch.size() < FILE_SIZE) {
                throw new CorruptedException("open", name, 0, "the header file is " + ch.size() + " bytes, not "
                        + FILE_SIZE);
            }
            java.nio.MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 0, FILE_SIZE);
            m.order(ByteOrder.nativeOrder());
            return m;
        } catch (IOException e) {
            throw new IpcException("open", name, 0, "mapping the header: " + e);
        }
    }

    static boolean remove(String name) {
        try {
            return Files.deleteIfExists(path(name));
        } catch (IOException e) {
            throw new IpcException("unlink", name, 0, e.toString());
        }
    }
}
