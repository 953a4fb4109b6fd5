package dev.ipcj.msg;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** A received message, copied onto the heap: its sender, its sequence number and its bytes. */
public final class Message {
    private final int sender;
    private final long sequence;
    private final byte[] payload;

    Message(int sender, long sequence, byte[] payload) {
        this.sender = sender;
        this.sequence = sequence;
        this.payload = payload;
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
        return "Message[sender=" + sender + ", sequence=" + sequence + ", " + payload.length + " bytes]";
    }
}
