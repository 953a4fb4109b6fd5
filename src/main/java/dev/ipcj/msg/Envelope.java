package dev.ipcj.msg;

import dev.ipcj.CorruptedException;
import java.nio.ByteBuffer;

/**
 * Who sent a message, and which one it was: the 40-byte header every ipcj message carries in
 * front of its payload, on every transport (the same bytes in {@code src/main/c/ipcj_msg.h}, so C
 * programs can send to and receive from mailboxes).
 *
 * <pre>
 *   offset  size  field
 *   0       4     magic 0x47534D49 ("IMSG" in memory): anything else is not an ipcj frame
 *   4       1     version: 1
 *   5       1     header size in 8-byte words: 5 (a reader refuses any other)
 *   6       2     flags: bit 0 ACK (a rendezvous: the receiver claims it, see {@link Mailbox});
 *                 bit 1 REQUEST (a reply is awaited), bit 2 REPLY (it answers a request); others 0
 *   8       4     payload length n
 *   12      4     sender pid
 *   16      8     sequence (per sending handle, from 0)
 *   24      4     reply-to pid: REQUEST frames: the pid whose inbox the reply goes to; else 0
 *   28      4     rendezvous token (ACK frames: the token the receiver claims; else 0)
 *   32      8     correlation id: REQUEST frames: the requester's id for it, which its REPLY
 *                 repeats; REPLY frames: that id; else 0
 *   40      n     payload
 * </pre>
 *
 * Native byte order (little-endian on x86-64). The payload length must agree with the length
 * the transport gives the frame (POSIX and System V queues: exactly; the ring's fixed-size
 * records and the log: at most), so a foreign message, a truncated one or one from a future
 * version is refused with {@link CorruptedException}, never read as a sender and sequence. The
 * sender pid is what the sender wrote: a process that can write the queue can claim any pid.
 *
 * <p>A mutable holder the caller owns and reuses, so the allocation-free receive
 * ({@code receive(ByteBuffer, Envelope)}) allocates nothing per message.
 */
public final class Envelope {
    /** Bytes of the header in front of each payload. */
    public static final int SIZE = 40;
    static final int MAGIC = 0x47534D49;
    static final int VERSION = 1;
    static final int HEADER_WORDS = SIZE / 8;
    /** The sender waits for a receiver to claim the message (capacity zero). */
    static final int FLAG_ACK = 1;
    static final int FLAG_REQUEST = 2;
    static final int FLAG_REPLY = 4;
    static final int KNOWN_FLAGS = FLAG_ACK | FLAG_REQUEST | FLAG_REPLY;

    static final int OFF_MAGIC = 0;
    static final int OFF_VERSION = 4;
    static final int OFF_WORDS = 5;
    static final int OFF_FLAGS = 6;
    static final int OFF_LENGTH = 8;
    static final int OFF_SENDER = 12;
    static final int OFF_SEQUENCE = 16;
    static final int OFF_REPLY_TO = 24;
    static final int OFF_TOKEN = 28;
    static final int OFF_CORRELATION = 32;

    int sender;
    int flags;
    long sequence;
    int length;
    int replyTo;
    int token;
    long correlation;

    /** An empty holder, for a receive to fill. */
    public Envelope() {
    }

    /**
     * The pid of the process that sent the message (as the sender wrote it).
     *
     * @return the sender's pid
     */
    public int sender() {
        return sender;
    }

    /**
     * The sending handle's sequence number for this message, counted from 0.
     *
     * @return the sequence number
     */
    public long sequence() {
        return sequence;
    }

    /**
     * Payload length in bytes.
     *
     * @return the payload length
     */
    public int length() {
        return length;
    }

    /**
     * Envelope flags as sent (bit 0: rendezvous, bit 1: request, bit 2: reply).
     *
     * @return the flags
     */
    public int flags() {
        return flags;
    }

    /**
     * Whether the message is a request: its sender awaits a reply ({@link Mailbox#reply}).
     *
     * @return true for a request
     */
    public boolean isRequest() {
        return (flags & FLAG_REQUEST) != 0;
    }

    /**
     * Whether the message is a reply to a request.
     *
     * @return true for a reply
     */
    public boolean isReply() {
        return (flags & FLAG_REPLY) != 0;
    }

    /**
     * For a request, the pid whose {@link Inbox} the reply goes to; 0 for other messages.
     *
     * @return the reply-to pid, or 0
     */
    public int replyTo() {
        return replyTo;
    }

    /**
     * For a request, the requester's id for it, which the reply repeats; for a reply, that id;
     * 0 for other messages.
     *
     * @return the correlation id, or 0
     */
    public long correlation() {
        return correlation;
    }

    /** Sets the fields of an outgoing frame's envelope (the length is the payload's, at write). */
    Envelope head(int sender, int flags, long sequence, int token, int replyTo, long correlation) {
        set(sender, flags, sequence, 0);
        this.token = token;
        this.replyTo = replyTo;
        this.correlation = correlation;
        return this;
    }

    void set(int sender, int flags, long sequence, int length) {
        this.sender = sender;
        this.flags = flags;
        this.sequence = sequence;
        this.length = length;
        this.replyTo = 0;
        this.token = 0;
        this.correlation = 0;
    }

    void copyFrom(Envelope e) {
        set(e.sender, e.flags, e.sequence, e.length);
        replyTo = e.replyTo;
        token = e.token;
        correlation = e.correlation;
    }

    /** Writes {@code head} as the envelope of a {@code length}-byte payload at {@code at} of {@code b} (absolute puts). */
    static void write(ByteBuffer b, int at, Envelope head, int length) {
        b.putInt(at + OFF_MAGIC, MAGIC);
        b.put(at + OFF_VERSION, (byte) VERSION);
        b.put(at + OFF_WORDS, (byte) HEADER_WORDS);
        b.putShort(at + OFF_FLAGS, (short) head.flags);
        b.putInt(at + OFF_LENGTH, length);
        b.putInt(at + OFF_SENDER, head.sender);
        b.putLong(at + OFF_SEQUENCE, head.sequence);
        b.putInt(at + OFF_REPLY_TO, head.replyTo);
        b.putInt(at + OFF_TOKEN, head.token);
        b.putLong(at + OFF_CORRELATION, head.correlation);
    }

    /**
     * Reads and checks the envelope at {@code at} of a frame of {@code frameLength} bytes (the
     * length the transport gave it): with {@code exact}, the payload must fill the frame; without,
     * it must fit in it. Throws CorruptedException (naming {@code call} and {@code object}) for
     * anything that is not an ipcj frame of this version.
     */
    static void read(ByteBuffer b, int at, int frameLength, boolean exact, Envelope env, String call, String object) {
        if (frameLength < SIZE) {
            throw new CorruptedException(call, object, 0, "a message of " + frameLength + " bytes is shorter than the "
                    + SIZE + "-byte ipcj envelope: another program wrote to this mailbox's queue");
        }
        int magic = b.getInt(at + OFF_MAGIC);
        if (magic != MAGIC) {
            throw new CorruptedException(call, object, 0, "a message of " + frameLength + " bytes without the ipcj"
                    + " magic (0x" + Integer.toHexString(magic) + " where 0x" + Integer.toHexString(MAGIC)
                    + " belongs): another program wrote to this mailbox's queue (see ipcj_msg.h for the format)");
        }
        int version = b.get(at + OFF_VERSION) & 0xff;
        int words = b.get(at + OFF_WORDS) & 0xff;
        if (version != VERSION || words != HEADER_WORDS) {
            throw new CorruptedException(call, object, 0, "a frame of version " + version + " with a " + words * 8
                    + "-byte header; this ipcj reads version " + VERSION + " with " + SIZE + " bytes");
        }
        int flags = b.getShort(at + OFF_FLAGS) & 0xffff;
        int length = b.getInt(at + OFF_LENGTH);
        int room = frameLength - SIZE;
        if (length < 0 || (exact ? length != room : length > room) || (flags & ~KNOWN_FLAGS) != 0) {
            throw new CorruptedException(call, object, 0, "a frame of " + frameLength + " bytes says its payload is "
                    + length + " bytes, flags 0x" + Integer.toHexString(flags) + ": not a valid ipcj frame");
        }
        env.sender = b.getInt(at + OFF_SENDER);
        env.flags = flags;
        env.sequence = b.getLong(at + OFF_SEQUENCE);
        env.length = length;
        env.replyTo = b.getInt(at + OFF_REPLY_TO);
        env.token = b.getInt(at + OFF_TOKEN);
        env.correlation = b.getLong(at + OFF_CORRELATION);
    }

    @Override
    public String toString() {
        return "Envelope[sender=" + sender + ", sequence=" + sequence + ", length=" + length
                + ((flags & FLAG_REQUEST) != 0 ? ", request " + correlation + " reply to " + replyTo : "")
                + ((flags & FLAG_REPLY) != 0 ? ", reply to " + correlation : "") + "]";
    }
}
