package dev.ipcj.msg;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A received message, copied onto the heap: its sender, its sequence number and its bytes; for
 * a request, where its reply goes and the id the reply repeats ({@link Mailbox#reply}).
 */
public final class Message {
    private final int sender;
    private final long sequence;
    private final byte[] payload;
    private final int flags;
    private final int replyTo;
    private final long correlation;

    Message(int sender, long sequence, byte[] payload) {
        this(sender, sequence, payload, 0, 0, 0);
    }

    /** The message {@code env} describes, with {@code payload}; only the request/reply flags are kept. */
    Message(Envelope env, byte[] payload) {
        this(env.sender, env.sequence, payload, env.flags & (Envelope.FLAG_REQUEST | Envelope.FLAG_REPLY),
                env.replyTo, env.correlation);
    }

    private Message(int sender, long sequence, byte[] payload, int flags, int replyTo, long correlation) {
        this.sender = sender;
        this.sequence = sequence;
        this.payload = payload;
        this.flags = flags;
        this.replyTo = replyTo;
        this.correlation = correlation;
    }

    /**
     * Whether it is a request: its sender awaits a reply ({@link Mailbox#reply}).
     *
     * @return true for a request
     */
    public boolean isRequest() {
        return (flags & Envelope.FLAG_REQUEST) != 0;
    }

    /**
     * Whether it is a reply to a request ({@link Mailbox#request}).
     *
     * @return true for a reply
     */
    public boolean isReply() {
        return (flags & Envelope.FLAG_REPLY) != 0;
    }

    /**
     * For a request, the pid whose inbox its reply goes to; 0 for other messages.
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

    /** Its envelope fields into {@code env} (for a kept message handed to an allocation-free receive). */
    void describe(Envelope env) {
        env.head(sender, flags, sequence, 0, replyTo, correlation);
        env.length = payload.length;
    }

    /**
     * The pid of the process that sent it.
     *
     * @return the sender's pid
     */
    public int sender() {
        return sender;
    }

    /**
     * The sending handle's sequence number for it.
     *
     * @return the sequence number
     */
    public long sequence() {
        return sequence;
    }

    /**
     * A copy of the payload.
     *
     * @return a new array with the payload
     */
    public byte[] bytes() {
        return payload.clone();
    }

    /**
     * The payload, read-only.
     *
     * @return a read-only buffer over the payload
     */
    public ByteBuffer payload() {
        return ByteBuffer.wrap(payload).asReadOnlyBuffer();
    }

    /**
     * The payload's length in bytes.
     *
     * @return the length
     */
    public int length() {
        return payload.length;
    }

    /**
     * The payload decoded by {@code codec}.
     *
     * @param <T>   the type of the value
     * @param codec reads the value from the payload
     * @return the value
     */
    public <T> T decode(Codec<T> codec) {
        if (codec == null) {
            throw new dev.ipcj.InvalidArgumentException("decode", null, 0, "codec is null");
        }
        return codec.decode(ByteBuffer.wrap(payload).asReadOnlyBuffer());
    }

    /**
     * The payload as UTF-8 text.
     *
     * @return the text
     */
    public String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "Message[sender=" + sender + ", sequence=" + sequence + ", " + payload.length + " bytes"
                + (isRequest() ? ", request " + correlation + " reply to " + replyTo : "")
                + (isReply() ? ", reply to " + correlation : "") + "]";
    }
}
