package dev.ipcj.msg;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.zip.CRC32;

/**
 * The processes {@link MsgKillTest} kills. Started with {@code -Dipcj.msg.crashPoint=POINT@N}
 * they stop at that point of the library and print "at POINT" (see CrashPoints); else they run
 * until killed at a random moment.
 * <pre>
 *   send NAME ID COUNT PROGRESS   open NAME, print "ready", send COUNT records of sender ID
 *                                 (sequence 0, 1, ...); after each send that returned true,
 *                                 store seq + 1 at long ID of the file PROGRESS
 *   recv NAME JOURNAL             open NAME, print "ready", receive forever; for each record,
 *                                 check it and add 1 to int (id * MAX_SEQ + seq) of JOURNAL
 * </pre>
 * A record: int sender id, long sequence, int filler length, the filler (a function of id,
 * sequence and index), then the CRC-32 of all before it: a torn record fails its check.
 */
public final class MsgKillPeer {
    static final int MAX_SEQ = 4096;
    static final int MAX_IDS = 64;

    private MsgKillPeer() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "send":
                send(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Path.of(args[4]));
                break;
            case "recv":
                recv(args[1], Path.of(args[2]));
                break;
            default:
                throw new IllegalArgumentException(args[0]);
        }
    }

    static MappedByteBuffer map(Path p, int size) throws Exception {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer b = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
            b.order(ByteOrder.nativeOrder());
            return b;
        }
    }

    private static void send(String name, int id, int count, Path progress) throws Exception {
        MappedByteBuffer prog = map(progress, 8 * MAX_IDS);
        try (Mailbox box = Mailbox.open(name)) {
            System.out.println("ready");
            System.out.flush();
            for (int seq = 0; seq < count; seq++) {
                byte[] r = record(id, seq, 24 + (seq * 7 + id) % 64);
                while (!box.send(r, Duration.ofSeconds(5))) {
                    // full or no receiver: try again
                }
                prog.putLong(8 * id, seq + 1);
            }
        }
        System.out.println("done");
    }

    private static void recv(String name, Path journal) throws Exception {
        MappedByteBuffer j = map(journal, 4 * MAX_IDS * MAX_SEQ);
        try (Mailbox box = Mailbox.open(name)) {
            System.out.println("ready");
            System.out.flush();
            for (;;) {
                Message m = box.receive(Duration.ofSeconds(5));
                if (m == null) {
                    continue;
                }
                long key = check(m.bytes());
                if (key < 0) {
                    System.out.println("TORN " + m);
                    System.out.flush();
                    continue;
                }
                int at = 4 * (int) key;
                j.putInt(at, j.getInt(at) + 1);
            }
        }
    }

    static byte[] record(int id, int seq, int filler) {
        ByteBuffer b = ByteBuffer.allocate(4 + 8 + 4 + filler + 8);
        b.putInt(id).putLong(seq).putInt(filler);
        for (int i = 0; i < filler; i++) {
            b.put((byte) (id * 31 + seq * 7 + i));
        }
        CRC32 c = new CRC32();
        c.update(b.array(), 0, b.position());
        b.putLong(c.getValue());
        return b.array();
    }

    /** {@code id * MAX_SEQ + seq} of a whole record, or -1 for a torn one. */
    static long check(byte[] r) {
        if (r.length < 24) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.wrap(r);
        int id = b.getInt();
        long seq = b.getLong();
        int filler = b.getInt();
        if (filler < 0 || r.length != 24 + filler || id < 0 || id >= MAX_IDS || seq < 0 || seq >= MAX_SEQ) {
            return -1;
        }
        for (int i = 0; i < filler; i++) {
            if (b.get() != (byte) (id * 31 + seq * 7 + i)) {
                return -1;
            }
        }
        CRC32 c = new CRC32();
        c.update(r, 0, r.length - 8);
        return b.getLong() == c.getValue() ? id * (long) MAX_SEQ + seq : -1;
    }
}
