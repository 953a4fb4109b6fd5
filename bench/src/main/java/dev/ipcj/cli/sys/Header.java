package dev.ipcj.cli.sys;

import dev.ipcj.jni.PosixShm;
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
 * <p>The layouts read (native byte order), as of header versions:
 * <pre>
 *   mailbox (dev.ipcj.msg.MailboxHeader), magic int 0x58424D49 "IMBX" at 0, short version at 4
 *     v1: short transport at 6 (0 POSIX_MQ, 1 SYSTEM_V, 2 RING, 3 SHM_LOG: Transport.ordinal()),
 *         int capacity at 8 (-1 unbounded, 0 rendezvous), int max message size at 12,
 *         int owner pid at 16 (an inbox's process, 0 for a named mailbox), long transport word
 *         at 24 (SYSTEM_V: the queue's id)
 *   ring (dev.ipcj.ring.RingLayout), magic long 0x474E49524A435049 "IPCJRING" at 0, int version at 8
 *     v1: int variant at 12 (1 ONE_TO_ONE, 2 MANY_TO_ONE), int capacity at 16, int max record at 20,
 *         int producer pid at 40 (ONE_TO_ONE), int consumer pid at 44 (0: none attached)
 *   log state (dev.ipcj.msg.LogQueue, NAME.log), magic int 0x474F4C49 "ILOG" at 0, no version:
 *         int lock holder pid at 8 (0 free), long messages at 56
 *   registered name (dev.ipcj.msg.Inbox, ipcj-name.NAME): the owner's pid, ASCII decimal
 * </pre>
 */
public sealed interface Header {
    /** The most bytes read from a file. */
    int READ = 128;
    int MAILBOX_MAGIC = 0x58424D49;
    long RING_MAGIC = 0x474E49524A435049L;
    int LOG_MAGIC = 0x474F4C49;
    String[] TRANSPORTS_V1 = {"POSIX_MQ", "SYSTEM_V", "RING", "SHM_LOG"};

    /** One line for {@code ls}. */
    String describe();

    /** A mailbox header of a version this ipcj reads. {@code transport} is one of {@link #TRANSPORTS_V1}. */
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
            return "log state: " + messages + " messages, lock " + (lockHolder == 0 ? "free"
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
            int version = n >= 6 ? b.getShort(4) : -1;
            if (version != 1) {
                return new UnknownMailbox(version, null);
            }
            if (n < 32) {
                return new UnknownMailbox(version, "only " + n + " bytes (a v1 header has 64)");
            }
            int t = b.getShort(6);
            int cap = b.getInt(8);
            int max = b.getInt(12);
            int owner = b.getInt(16);
            if (t < 0 || t >= TRANSPORTS_V1.length || cap < -1 || max < 0 || owner < 0) {
                return new UnknownMailbox(version, "transport " + t + ", capacity " + cap + ", max message " + max
                        + ", owner " + owner + ": out of range (scribbled?)");
            }
            return new Mailbox(version, TRANSPORTS_V1[t], cap, max, owner, b.getLong(24));
        }
        if (n >= 4 && b.getInt(0) == LOG_MAGIC) {
            return new Log(n >= 12 ? b.getInt(8) : 0, n >= 64 ? b.getLong(56) : -1);
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

    /** The decimal pid a name file holds (1..10 digits, optional trailing newline), or null. */
    private static Long pid(ByteBuffer b) {
        String s = StandardCharsets.US_ASCII.decode(b.duplicate()).toString();
        String t = s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
        if (!t.matches("[1-9][0-9]{0,9}")) {
            return null;
        }
        long v = Long.parseLong(t);
        return v <= Integer.MAX_VALUE ? v : null;
    }
}
