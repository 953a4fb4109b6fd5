package dev.ipcj.msg;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The two control messages of a network mailbox's credit scheme, carried by Aeron like any
 * message (little-endian). Messages themselves are ipcj frames ({@link Envelope} + payload), one
 * Aeron message each.
 *
 * <pre>
 *   HELLO (sender to receiver, on the control stream, repeated until answered)
 *   0   4  magic 0x4F4C4849 ("IHLO")
 *   4   4  the sender's data session id (Aeron), 0 for a probe before it has one
 *   8   4  the UDP port of the sender's credit subscription
 *   12  4  the sender's pid
 *   16     end
 *
 *   GRANT (receiver to one sender, on the sender's credit port)
 *   0   4  magic 0x44524349 ("ICRD")
 *   4   4  the data session id granted (0 answers a probe)
 *   8   8  the receiver's id for this sender's registration: random each time it meets the sender
 *          (a receiver created anew, or one that forgot the sender); a new id restarts the count
 *   16  8  granted: the sender may have sent this many messages in all (cumulative, so a lost or
 *          repeated grant is harmless)
 *   24  4  the mailbox's capacity n
 *   28  4  the mailbox's maxMessageSize
 *   32     end
 * </pre>
 * The receiver grants n when a sender says hello and one more for each of its messages taken:
 * {@code granted = taken + n}. The host a grant goes to is the one the hello came from (Aeron's
 * source identity of the control image), so a sender needs no routable address of its own.
 */
final class NetCredits {
    static final int HELLO_MAGIC = 0x4F4C4849;
    static final int GRANT_MAGIC = 0x44524349;
    static final int HELLO_SIZE = 16;
    static final int GRANT_SIZE = 32;
    static final int H_SESSION = 4;
    static final int H_PORT = 8;
    static final int H_PID = 12;
    static final int G_SESSION = 4;
    static final int G_INSTANCE = 8;
    static final int G_GRANTED = 16;
    static final int G_CAPACITY = 24;
    static final int G_MAX = 28;
    /** The credit and control streams' Aeron term length: their messages are tiny. */
    static final String SMALL_TERM = "|term-length=65536";

    private NetCredits() {
    }

    static void writeHello(MutableDirectBuffer b, int session, int port, int pid) {
        b.putInt(0, HELLO_MAGIC, java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(H_SESSION, session, java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(H_PORT, port, java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(H_PID, pid, java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    static void writeGrant(MutableDirectBuffer b, int session, long instance, long granted, int capacity, int max) {
        b.putInt(0, GRANT_MAGIC, java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(G_SESSION, session, java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(G_INSTANCE, instance, java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(G_GRANTED, granted, java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(G_CAPACITY, capacity, java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(G_MAX, max, java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    static boolean isHello(DirectBuffer b, int offset, int length) {
        return length == HELLO_SIZE && b.getInt(offset, java.nio.ByteOrder.LITTLE_ENDIAN) == HELLO_MAGIC;
    }

    static boolean isGrant(DirectBuffer b, int offset, int length) {
        return length == GRANT_SIZE && b.getInt(offset, java.nio.ByteOrder.LITTLE_ENDIAN) == GRANT_MAGIC;
    }

    static int getInt(DirectBuffer b, int at) {
        return b.getInt(at, java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    static long getLong(DirectBuffer b, int at) {
        return b.getLong(at, java.nio.ByteOrder.LITTLE_ENDIAN);
    }
}
