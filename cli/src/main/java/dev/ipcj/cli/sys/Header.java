package dev.ipcj.cli.sys;

import dev.ipcj.jni.PosixShm;
import dev.ipcj.log.LogLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What the first bytes of a file in /dev/shm say about it: an ipcj mailbox header, ring header
 * or log state page, a registered name (a pid in decimal), or something else. {@code ipcj ls}
 * shows it and {@code ipcj rm --dead} decides by it.
 *
 * <p>Read defensively, because anyone who may write the file may have written anything: the
 * file is opened with {@code O_NONBLOCK} (a FIFO swapped in cannot block the reader) and checked
 * to be a regular file by {@code fstat} of that very descriptor, then at most {@link #READ}
 * bytes are read with {@code read(2)}, never mapped (a truncated file cannot fault the reader).
 * A magic and a version are checked before any field is believed; a version this ipcj does not
 * know is reported as such, and {@code rm --dead} never removes on its account.
 *
 * <p>A mailbox header is read by its owner, the library ({@link dev.ipcj.msg.Mailbox#inspect}),
 * which checks its magic, version, checksum and name; the other layouts are read here (native
 * byte order), as of their versions:
 * <pre>
 *   ring (dev.ipcj.ring.RingLayout), magic long 0x474E49524A435049 "IPCJRING" at 0, int version at 8
 *     v1: int variant at 12 (1 ONE_TO_ONE, 2 MANY_TO_ONE), int capacity at 16, int max record at 20,
 *         int producer pid at 40 (ONE_TO_ONE), int consumer pid at 44 (0: none attached)
 *   log state (dev.ipcj.log.LogLayout, NAME.log), magic int 0x474F4C49 "ILOG" at 0, int version at 4
 *     v3: lock holder identity at 64 (pid in bits 0..31, 0 free), generation at 128, the committed
 *         slot (generation &amp; 1) at 192 + 64 * slot: appended at +32, consumed at +40 (the offsets
 *         are LogLayout's; v2, the log before it was dev.ipcj.log, had the same state page)
 *   registered name (dev.ipcj.msg.Inbox, ipcj-name.NAME): "PID STARTTIME" (or "PID"), ASCII decimal
 * </pre>
 */
public sealed interface Header {
    /** The most bytes read from a file. */
    int READ = 512;
    int MAILBOX_MAGIC = 0x58424D49;
    long RING_MAGIC = 0x474E49524A435049L;
    int LOG_MAGIC = LogLayout.MAGIC;

    /** One line for {@code ls}. */
    String describe();

    /** A mailbox header of a version this ipcj reads (through {@link dev.ipcj.msg.Mailbox#inspect}). */
    record Mailbox(int version, String transport, int capacity, int maxMessageSize, int owner, long word)
            implements Header {
        @Override
        public String describe() {
            String cap = capacity < 0 ? "unbounded" : capacity == 0 ? "zero (rendezvous)" : "bounded(" + capacity + ")";
            return "mailbox header v" + version + ": " + transport + ", " + cap + ", " + maxMessageSize
                    + " B messages" + (transport.equals("SYSTEM_V") ? ", System V queue msg:" + word : "")
                    + (owner != 0 ? ", inbox of process " + owner + " (" + Pids.state(owner) + ")" : ", named (no owner)");
        }

        public boolean sysv() {
            return transport.equals("SYSTEM_V");
        }
    }

    /** A mailbox header whose version (or fields) this ipcj cannot read: shown, never acted on. */
    record UnknownMailbox(int version, String why) implements Header {
        @Override
        public String describe() {
            return "mailbox header version " + version + (why == null ? ", unknown to this ipcj" : ": " + why);
        }
    }

    record Ring(int version, int variant, long capacity, int maxRecord, int producer, int consumer) implements Header {
        @Override
        public String describe() {
            return "ring header v" + version + ": " + (variant == 1 ? "ONE_TO_ONE" : variant == 2 ? "MANY_TO_ONE"
                    : "variant " + variant) + ", " + Limits.human(capacity) + ", records up to " + maxRecord + " B, "
                    + (variant == 1 ? "producer " + who(producer) + ", " : "") + "consumer " + who(consumer);
        }

        private static String who(int pid) {
            return pid == 0 ? "none attached" : pid + " (" + Pids.state(pid) + ")";
        }
    }

    record UnknownRing(int version) implements Header {
        @Override
        public String describe() {
            return version == 0 ? "ring header with magic 0: its creator has not finished (or died) initialising it"
                    : "ring header version " + version + ", unknown to this ipcj";
        }
    }

    record Log(int lockHolder, long messages) implements Header {
        @Override
        public String describe() {
            if (lockHolder < 0) {
                return "log state of a version unknown to this ipcj";
            }
            return "log state: " + messages + " records, lock " + (lockHolder == 0 ? "free"
                    : "held by " + lockHolder + " (" + Pids.state(lockHolder) + ")");
        }
    }

    /** A file holding only a pid in decimal (a registered name). */
    record Pid(long pid) implements Header {
        @Override
        public String describe() {
            return "holds pid " + pid + " (" + Pids.state(pid) + ")";
        }
    }

    record Empty() implements Header {
        @Override
        public String describe() {
            return "empty file";
        }
    }

    /** Bytes of no kind this ipcj knows. */
    record Foreign(long firstWord, long size) implements Header {
        @Override
        public String describe() {
            return "no ipcj header (first bytes 0x" + Long.toHexString(firstWord) + ")";
        }
    }

    record Unreadable(String why) implements Header {
        @Override
        public String describe() {
            return "header not readable: " + why;
        }
    }

    /** Reads the header of the POSIX shared memory object {@code name} ("/x": /dev/shm/x). */
    static Header read(String name) {
        int fd = PosixShm.shmOpen(name, 0 /* O_RDONLY */ | 04000 /* O_NONBLOCK */, 0);
        if (fd < 0) {
            return new Unreadable(dev.ipcj.internal.Errno.name(-fd));
        }
        try {
            long[] st = new long[4];
            int r = PosixShm.fstat(fd, st);
            if (r < 0) {
                return new Unreadable("fstat: " + dev.ipcj.internal.Errno.name(-r));
            }
            if ((st[1] & 0170000) != 0100000) {
                return new Unreadable("not a regular file");
            }
            // /proc/self/fd/N is the very inode fstat checked: a regular file, so opening it cannot block.
            ByteBuffer b = ByteBuffer.allocate(READ).order(ByteOrder.nativeOrder());
            try (FileChannel ch = FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ)) {
                while (b.hasRemaining() && ch.read(b) > 0) {
                    // read on: a file of at most READ bytes, or its first READ bytes
                }
            } catch (IOException e) {
                return new Unreadable(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            b.flip();
            if (b.limit() >= 4 && b.getInt(0) == MAILBOX_MAGIC) {
                return mailbox(name, b);
            }
            return parse(b);
        } finally {
            PosixShm.close(fd);
        }
    }

    /** Parses the first (at most {@link #READ}) bytes of a file, positioned at 0, limit = bytes read. */
    static Header parse(ByteBuffer b) {
        int n = b.limit();
        if (n == 0) {
            return new Empty();
        }
        Long pid = pid(b);
        if (pid != null) {
            return new Pid(pid);
        }
        if (n >= 8 && b.getLong(0) == RING_MAGIC) {
            int version = n >= 12 ? b.getInt(8) : -1;
            if (version != 1 || n < 48) {
                return new UnknownRing(version);
            }
            return new Ring(version, b.getInt(12), b.getInt(16) & 0xffffffffL, b.getInt(20), b.getInt(40), b.getInt(44));
        }
        if (n >= 4 && b.getInt(0) == MAILBOX_MAGIC) {
            return new UnknownMailbox(n >= 6 ? b.getShort(4) : -1, "read through the library only (Header.read)");
        }
        if (n >= 4 && b.getInt(0) == LOG_MAGIC) {
            if (n < 8 || b.getInt(LogLayout.OFF_VERSION) != LogLayout.VERSION || n < LogLayout.OFF_ITEMS) {
                return new Log(-1, -1);
            }
            int slot = LogLayout.OFF_SLOTS + LogLayout.SLOT_STRIDE * (int) (b.getLong(LogLayout.OFF_GENERATION) & 1);
            return new Log((int) b.getLong(LogLayout.OFF_LOCK),
                    b.getLong(slot + LogLayout.SLOT_APPENDED) - b.getLong(slot + LogLayout.SLOT_CONSUMED));
        }
        if (n >= 4 && b.getInt(0) == 0 && n >= 8 && b.getLong(0) == 0) {
            // A ring's magic is written last: 0 while its creator initialises it.
            return n >= 12 && b.getInt(8) == 1 ? new UnknownRing(0) : new Foreign(0, n);
        }
        long first = 0;
        for (int i = Math.min(n, 8) - 1; i >= 0; i--) {
            first = first << 8 | (b.get(i) & 0xff);
        }
        return new Foreign(first, n);
    }

    /** The mailbox header of {@code name}, as the library reads it; unknown when it refuses it. */
    private static Header mailbox(String name, ByteBuffer b) {
        try {
            dev.ipcj.msg.MailboxInfo m = dev.ipcj.msg.Mailbox.inspect(name);
            return new Mailbox(m.version(), m.transport().name(), m.capacity().limit(), m.maxMessageSize(),
                    m.ownerPid(), m.systemVQueueId());
        } catch (dev.ipcj.IpcException e) {
            return new UnknownMailbox(b.limit() >= 6 ? b.getShort(4) : -1, e.getMessage());
        }
    }

    /** The decimal pid a name file holds ("PID STARTTIME" or "PID", optional trailing newline), or null. */
    private static Long pid(ByteBuffer b) {
        String s = StandardCharsets.US_ASCII.decode(b.duplicate()).toString();
        String t = s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
        if (!t.matches("[1-9][0-9]{0,9}( [0-9]{1,20})?")) {
            return null;
        }
        int sp = t.indexOf(' ');
        long v = Long.parseLong(sp < 0 ? t : t.substring(0, sp));
        return v <= Integer.MAX_VALUE ? v : null;
    }
}
