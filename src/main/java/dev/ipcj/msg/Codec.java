package dev.ipcj.msg;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Turns a value into message bytes and back. {@link #encode} writes at the buffer's position
 * (advancing it); {@link #decode} reads the buffer's remaining bytes, which are exactly one
 * message. A value too large for the mailbox's maximum message size makes {@code encode}
 * throw {@link java.nio.BufferOverflowException}, which the mailbox reports as a limit.
 *
 * <pre>{@code
 * record Point(int x, int y) {}
 * Codec<Point> POINT = Codec.of((p, b) -> b.putInt(p.x()).putInt(p.y()),
 *                               b -> new Point(b.getInt(), b.getInt()));
 * box.send(new Point(1, 2), POINT);
 * Point p = box.receive().decode(POINT);
 * }</pre>
 *
 * @param <T> the type of the values it writes and reads
 */
public interface Codec<T> {
    /**
     * Writes {@code value} into {@code dst} at its position, advancing it.
     *
     * @param value the value to encode, not null
     * @param dst   the message buffer, limited to the mailbox's maximum message size
     * @throws java.nio.BufferOverflowException if the value does not fit
     */
    void encode(T value, ByteBuffer dst);

    /**
     * Reads one value from {@code src}, whose remaining bytes are exactly one message.
     *
     * @param src the message's payload
     * @return the value
     */
    T decode(ByteBuffer src);

    /** Strings as UTF-8 bytes, without a length prefix (a message has its own length). */
    Codec<String> UTF8 = of(
            (s, b) -> b.put(s.getBytes(StandardCharsets.UTF_8)),
            b -> StandardCharsets.UTF_8.decode(b).toString());

    /** Byte arrays as they are. */
    Codec<byte[]> BYTES = of(
            (a, b) -> b.put(a),
            b -> {
                byte[] a = new byte[b.remaining()];
                b.get(a);
                return a;
            });

    /**
     * A codec from two lambdas.
     *
     * @param <T>     the type of the values
     * @param encoder writes a value into a buffer, as {@link #encode}
     * @param decoder reads a value from a buffer, as {@link #decode}
     * @return the codec
     */
    static <T> Codec<T> of(java.util.function.BiConsumer<T, ByteBuffer> encoder,
                           java.util.function.Function<ByteBuffer, T> decoder) {
        if (encoder == null || decoder == null) {
            throw new dev.ipcj.InvalidArgumentException("Codec.of", null, 0, (encoder == null ? "encoder" : "decoder")
                    + " is null");
        }
        return new Codec<>() {
            @Override
            public void encode(T value, ByteBuffer dst) {
                if (value == null || dst == null) {
                    throw new dev.ipcj.InvalidArgumentException("encode", null, 0, (value == null ? "value" : "dst")
                            + " is null");
                }
                encoder.accept(value, dst);
            }

            @Override
            public T decode(ByteBuffer src) {
                if (src == null) {
                    throw new dev.ipcj.InvalidArgumentException("decode", null, 0, "src is null");
                }
                return decoder.apply(src);
            }
        };
    }
}
