package dev.ipcj.msg;

import dev.ipcj.AlreadyExistsException;
import dev.ipcj.BusyException;
import dev.ipcj.CorruptedException;
import dev.ipcj.IpcException;
import dev.ipcj.NotFoundException;
import dev.ipcj.internal.Doorbell;
import dev.ipcj.internal.Errno;
import dev.ipcj.internal.ProcessIdentity;
import dev.ipcj.internal.SharedLock;
import dev.ipcj.internal.SharedPage;
import dev.ipcj.internal.ShmFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * What a process opening a mailbox by name must learn, and the shared words of its protocols:
 * one page, the file {@code /dev/shm/NAME} (the POSIX shared memory object {@code /NAME}), mode
 * 0600. The same layout is in {@code src/main/c/ipcj_msg.h}.
 *
 * <pre>
 *   offset  size  field                          written
 *   0       4     magic 0x58424D49 ("IMBX")      at creation, never again
 *   4       2     version: 2
 *   6       2     transport code ({@link Transport#code()}: 1 POSIX_MQ, 2 SYSTEM_V, 3 RING, 4 SHM_LOG;
 *                 5, AERON, is never written: a network mailbox has no header)
 *   8       4     capacity: -1 unbounded, 0 rendezvous, n bounded
 *   12      4     max message size (payload bytes)
 *   16      8     owner: identity of the process whose inbox this is, 0 for a named mailbox
 *   24      8     creator identity (pid in bits 0..31, start time in 32..63; see ProcessIdentity)
 *   32      8     instance id: random, names this mailbox's objects (the log repeats it)
 *   40      4     state: 1 creating, 2 ready
 *   44      4     envelope size: 40
 *   48      8     transport id 1: POSIX_MQ the queue's inode; SYSTEM_V its msqid; RING, SHM_LOG the
 *                 inode of NAME.ring / NAME.log
 *   56      8     transport id 2: SYSTEM_V the queue's ctime (seconds); RING the record size;
 *                 SHM_LOG the log id
 *   64      8     transport id 3: SYSTEM_V msg_qbytes &lt;&lt; 32 | the creator uid
 *   72      8     name hash: FNV-1a (64 bit) of the name's UTF-8 bytes, "/" included: a header
 *                 copied under another name is refused
 *   80      44    reserved, 0
 *   124     4     checksum: CRC-32C of bytes 0..123
 *   --- below: shared words, changed by every process using the mailbox (not in the checksum)
 *   128     8     rendezvous word (capacity zero; see {@link Mailbox}): 0 idle, else
 *                 pid &lt;&lt; 32 | token &lt;&lt; 2 | state (1 offered, 2 taken, 3 cancelled)
 *   192     12    turn lock (capacity zero: one sender in a rendezvous at a time; {@link SharedLock})
 *   256     12    gate lock (SYSTEM_V and RING: a sender counts and publishes under it)
 *   320     8     space doorbell (SYSTEM_V and RING: receivers ring it; {@link Doorbell})
 *   4096          end
 * </pre>
 * Native byte order. The creator writes the whole page to a temporary file and links it under
 * the name (exclusive: a name that exists fails with EEXIST before anything else is made), in
 * state "creating"; it then creates the transport's objects, records each in the header as soon
 * as it exists, and sets state "ready". An opener reads only the first 128 bytes of a regular
 * file of exactly 4096 bytes, checks magic, version, checksum and every field, and waits up to
 * 2 s for a live creator; a header whose creator died while creating it is reported as such,
 * and {@link Mailbox#unlinkIfExists} removes what it recorded.
 */
final class MailboxHeader {
    static final int FILE_SIZE = 4096;
    static final int IMMUTABLE = 128;
    static final int MAGIC = 0x58424D49;
    static final short VERSION = 2;
    static final int CREATING = 1;
    static final int READY = 2;

    static final int OFF_TRANSPORT = 6;
    static final int OFF_CAPACITY = 8;
    static final int OFF_MAX = 12;
    static final int OFF_OWNER = 16;
    static final int OFF_CREATOR = 24;
    static final int OFF_INSTANCE = 32;
    static final int OFF_STATE = 40;
    static final int OFF_ENVELOPE = 44;
    static final int OFF_ID1 = 48;
    static final int OFF_ID2 = 56;
    static final int OFF_ID3 = 64;
    static final int OFF_NAME_HASH = 72;
    static final int OFF_CHECKSUM = 124;
    static final int OFF_RENDEZVOUS = 128;
    static final int OFF_TURN = 192;
    static final int OFF_GATE = 256;
    static final int OFF_SPACE = 320;

    /** The rendezvous word's state (its low 2 bits; see Mailbox's zero-capacity protocol). */
    static final int RV_OFFERED = 1;
    static final int RV_TAKEN = 2;
    static final int RV_CANCELLED = 3;
    /** The rendezvous word's token bits (30), above the state. */
    static final int RV_TOKEN_MASK = (1 << 30) - 1;

    /** The largest maxMessageSize a mailbox may have. */
    static final int MAX_MESSAGE_SIZE = (1 << 30) - 64;

    private static final AtomicLong TEMP = new AtomicLong();

    final Transport transport;
    final Capacity capacity;
    final int maxMessageSize;
    final long ownerIdentity;
    final long creator;
    final long instance;
    /** The name hash this header carries (set when created, checked when read). */
    long nameHash;
    int state;
    long id1;
    long id2;
    long id3;
    /** The header file's inode when it was read or created (0 unknown): removal checks it. */
    long inode;

    MailboxHeader(Transport transport, Capacity capacity, int maxMessageSize, long ownerIdentity, long creator,
                  long instance) {
        this.transport = transport;
        this.capacity = capacity;
        this.maxMessageSize = maxMessageSize;
        this.ownerIdentity = ownerIdentity;
        this.creator = creator;
        this.instance = instance;
        this.state = CREATING;
    }

    /** The pid of the inbox's owner, 0 for a named mailbox. */
    int owner() {
        return (int) ownerIdentity;
    }

    static Path path(String name) {
        return ShmFiles.DIR.resolve(name.substring(1));
    }

    /** FNV-1a, 64 bits, of the UTF-8 bytes of {@code name}. */
    static long nameHash(String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    static long newId() {
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == 0);
        return id;
    }

    // ---------------------------------------------------------------- bytes

    ByteBuffer encode() {
        ByteBuffer b = ByteBuffer.allocate(IMMUTABLE).order(ByteOrder.nativeOrder());
        b.putInt(0, MAGIC).putShort(4, VERSION).putShort(OFF_TRANSPORT, (short) transport.code())
                .putInt(OFF_CAPACITY, capacity.limit()).putInt(OFF_MAX, maxMessageSize)
                .putLong(OFF_OWNER, ownerIdentity).putLong(OFF_CREATOR, creator).putLong(OFF_INSTANCE, instance)
                .putInt(OFF_STATE, state).putInt(OFF_ENVELOPE, Envelope.SIZE)
                .putLong(OFF_ID1, id1).putLong(OFF_ID2, id2).putLong(OFF_ID3, id3).putLong(OFF_NAME_HASH, nameHash);
        b.putInt(OFF_CHECKSUM, checksum(b));
        return b;
    }

    private static int checksum(ByteBuffer b) {
        CRC32C c = new CRC32C();
        c.update(b.duplicate().position(0).limit(OFF_CHECKSUM));
        return (int) c.getValue();
    }

    /** Why these 128 bytes are not a header this ipcj can use, or null with {@code out[0]} the header. */
    private static String decode(ByteBuffer b, MailboxHeader[] out) {
        int magic = b.getInt(0);
        if (magic != MAGIC) {
            return "bad magic 0x" + Integer.toHexString(magic) + ": not an ipcj mailbox";
        }
        int version = b.getShort(4);
        if (version != VERSION) {
            return "header version " + version + (version == 1 ? " (a mailbox of an older ipcj)" : "")
                    + "; this ipcj reads version " + VERSION;
        }
        if (b.getInt(OFF_CHECKSUM) != checksum(b)) {
            return "the header's checksum does not match its bytes: another process wrote over it";
        }
        Transport t = Transport.ofCode(b.getShort(OFF_TRANSPORT));
        int cap = b.getInt(OFF_CAPACITY);
        int max = b.getInt(OFF_MAX);
        int state = b.getInt(OFF_STATE);
        if (t == null || cap < -1 || (cap == -1 && t != Transport.SHM_LOG) || max < 0 || max > MAX_MESSAGE_SIZE
                || (state != CREATING && state != READY) || b.getInt(OFF_ENVELOPE) != Envelope.SIZE
                || b.getLong(OFF_INSTANCE) == 0) {
            return "transport code " + b.getShort(OFF_TRANSPORT) + ", capacity " + cap + ", max message size " + max
                    + ", state " + state + ", envelope " + b.getInt(OFF_ENVELOPE) + ": out of range";
        }
        MailboxHeader h = new MailboxHeader(t, Capacity.of(cap), max, b.getLong(OFF_OWNER), b.getLong(OFF_CREATOR),
                b.getLong(OFF_INSTANCE));
        h.state = state;
        h.id1 = b.getLong(OFF_ID1);
        h.id2 = b.getLong(OFF_ID2);
        h.id3 = b.getLong(OFF_ID3);
        h.nameHash = b.getLong(OFF_NAME_HASH);
        out[0] = h;
        return null;
    }

    // ---------------------------------------------------------------- creating

    /** A header file this process created: it updates the header and can remove it again. */
    static final class Created {
        final Path path;
        final FileChannel channel;
        final long inode;

        private Created(Path path, FileChannel channel, long inode) {
            this.path = path;
            this.channel = channel;
            this.inode = inode;
        }

        /** Rewrites the first 128 bytes from {@code h}. */
        void write(MailboxHeader h, String name) {
            try {
                ShmFiles.writeFully(channel, h.encode(), 0);
            } catch (IOException e) {
                throw ShmFiles.error("create", name, path, e);
            }
        }

        /** Removes the header file, if it still is the one this process created. */
        void discard() {
            ShmFiles.deleteIfSame(path, inode);
            ShmFiles.closeQuietly(channel);
        }
    }

    /**
     * Claims {@code name}: the whole page, in state "creating", appears under the name at once
     * (written to a temporary file, then linked), exclusively.
     */
    static Created create(String name, MailboxHeader h) {
        Path path = path(name);
        h.nameHash = nameHash(name);
        Path tmp = ShmFiles.DIR.resolve(".ipcj-new-" + ProcessHandle.current().pid() + "-" + TEMP.incrementAndGet()
                + "-" + Long.toHexString(newId()));
        FileChannel ch = ShmFiles.createExclusive(tmp, "create", name);
        try {
            ByteBuffer page = ByteBuffer.allocate(FILE_SIZE);
            page.put(h.encode()).clear();
            ShmFiles.writeFully(ch, page, 0); // allocates the page now: ENOSPC here, never SIGBUS later
            long inode = ShmFiles.inode(tmp);
            try {
                Files.createLink(path, tmp);
            } catch (FileAlreadyExistsException e) {
                throw new AlreadyExistsException("create", name, Errno.EEXIST, path
                        + " exists: a mailbox or another object has this name");
            }
            h.inode = inode;
            return new Created(path, ch, inode);
        } catch (IOException e) {
            ShmFiles.closeQuietly(ch);
            throw ShmFiles.error("create", name, path, e);
        } catch (RuntimeException e) {
            ShmFiles.closeQuietly(ch);
            throw e;
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a leftover temporary name holds no mailbox
            }
        }
    }

    // ---------------------------------------------------------------- reading

    /**
     * Reads the header of {@code name} for {@code call}; waits up to 2 s for a live creator that
     * has not finished. NotFoundException when there is no such file; CorruptedException when
     * it is not a usable ipcj mailbox header; PermissionDeniedException when not ours to read.
     */
    static MailboxHeader read(String name, String call) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        for (int attempt = 0;; attempt++) {
            MailboxHeader h = readOnce(name, call, attempt < 20);
            if (h == null) {
                sleepForCreator(name, call);
                continue;
            }
            if (h.state == READY) {
                return h;
            }
            if (!ProcessIdentity.alive(h.creator)) {
                throw new CorruptedException(call, name, 0, "the mailbox was never finished: its creator, "
                        + ProcessIdentity.describe(h.creator) + ", died while creating it (remove it with"
                        + " Mailbox.unlinkIfExists)");
            }
            if (System.nanoTime() - deadline > 0) {
                throw new BusyException(call, name, Errno.EBUSY, "the mailbox is still being created by "
                        + ProcessIdentity.describe(h.creator) + " after 2 s");
            }
            sleepForCreator(name, call);
        }
    }

    /**
     * The header of {@code name} for removal: null when there is no such file; CorruptedException
     * when the file is not an ipcj mailbox header (then nothing of it may be removed).
     */
    static MailboxHeader readForRemoval(String name) {
        try {
            return readOnce(name, "unlink", false);
        } catch (NotFoundException e) {
            return null;
        }
    }

    /** One read; null to retry (a checksum mismatch while {@code retry}: a creator may be mid-write). */
    private static MailboxHeader readOnce(String name, String call, boolean retry) {
        Path p = path(name);
        PosixFileAttributes a = ShmFiles.attributes(p, call, name);
        if (a == null) {
            throw new NotFoundException(call, name, Errno.ENOENT, "no mailbox of this name (" + p + " does not exist)");
        }
        if (!a.isRegularFile() || a.size() != FILE_SIZE) {
            throw new CorruptedException(call, name, 0, p + (a.isRegularFile() ? " is " + a.size() + " bytes, not "
                    + FILE_SIZE : " is not a regular file") + ": not an ipcj mailbox");
        }
        long inode = ShmFiles.inode(p);
        ByteBuffer b = ByteBuffer.allocate(IMMUTABLE).order(ByteOrder.nativeOrder());
        try (FileChannel ch = ShmFiles.openRegular(p, true, call, name)) {
            if (ShmFiles.readFully(ch, b, 0) != IMMUTABLE) {
                throw new CorruptedException(call, name, 0, p + " shrank while being read: not an ipcj mailbox");
            }
        } catch (IOException e) {
            throw ShmFiles.error(call, name, p, e);
        }
        MailboxHeader[] out = new MailboxHeader[1];
        String why = decode(b, out);
        if (why != null) {
            if (retry && why.contains("checksum")) {
                return null;
            }
            throw new CorruptedException(call, name, 0, why);
        }
        if (out[0].nameHash != nameHash(name)) {
            throw new CorruptedException(call, name, 0, "the header was made for another mailbox name (name hash 0x"
                    + Long.toHexString(out[0].nameHash) + ", this name's is 0x" + Long.toHexString(nameHash(name))
                    + "): it was copied or moved here");
        }
        out[0].inode = inode;
        return out[0];
    }

    private static void sleepForCreator(String name, String call) {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IpcException(call, name, Errno.EINTR, "interrupted while waiting for the mailbox's creator");
        }
    }

    /** Maps the header page read-write for its shared words; checks it is still the file that was read. */
    SharedPage mapControl(String name, String call) {
        SharedPage page = SharedPage.open(path(name), FILE_SIZE, false, call, name);
        if (inode != 0 && ShmFiles.inode(path(name)) != inode) {
            page.close();
            throw new CorruptedException(call, name, 0, "the header was replaced while being opened");
        }
        return page;
    }

    /** Removes the header file if it still is the one read: true if it did. */
    boolean remove(String name) {
        return ShmFiles.deleteIfSame(path(name), inode);
    }
}
