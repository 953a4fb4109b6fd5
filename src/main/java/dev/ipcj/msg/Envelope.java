package dev.ipcj.msg;

/**
 * Who sent a message, and which one it was: the small header every ipcj message carries in
 * front of its payload, on every transport.
 *
 * <pre>
 *   offset  size  field
 *   0       4     int  sender pid
 *   4       4     int  flags (bit 0: the sender waits for an acknowledgement, a rendezvous)
 *   8       8     long sequence (per sending handle, from 0)
 *   16      n     payload
 * </pre>
 *
 * Native byte order. A mutable holder the caller owns and reuses, so the allocation-free
 * receive ({@code receive(ByteBuffer, Envelope)}) allocates nothing per message.
 */
public final class Envelope {
    /** Bytes of the header in front of each payload. */
    public static final int SIZE = 16;
    /** The sender waits for the receiver's acknowledgement (capacity zero). */
    static final int FLAG_ACK = 1;

    int sender;
    int flags;
    long sequence;
    int length;

    /** The pid of the process that sent the message. */
    public int sender() {
        return sender;
    }

    /** The sending handle's sequence number for this message, counted from 0. */
    public long sequence() {
        return sequence;
    }

    /** Payload length in bytes. */
    public int length() {
        return length;
    }

    /** Envelope flags as sent (bit 0: rendezvous). */
    public int flags() {
        return flags;
    }

    void set(int sender, int flags, long sequence, int length) {
        this.sender = sender;
        this.flags = flags;
        this.sequence = sequence;
        this.length = length;
    }

    void copyFrom(Envelope e) {
        set(e.sender, e.flags, e.sequence, e.length);
    }

    @Override
    public String toString() {
        return "Envelope[sender=" + sender + ", sequence=" + sequence + ", length=" + length + "]";
    }
}
