package dev.ipcj.sysv;

import dev.ipcj.InvalidArgumentException;
import dev.ipcj.LimitExceededException;
import dev.ipcj.internal.Allocate;
import dev.ipcj.internal.Check;
import dev.ipcj.internal.DirectBuffers;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A reusable message for {@link SysvMessageQueue}: a direct buffer laid out exactly as the
 * kernel's {@code struct msgbuf}, so sending and receiving copy nothing in Java and allocate
 * nothing per message (the kernel's copy is the only one).
 *
 * <pre>
 *   offset        size       field
 *   ------------  ---------  ------------------------------------------------------------
 *   0             8          mtype (long, native order): &gt;= 1 on send; the type received
 *   8             capacity   mtext: the payload, {@link #payload()}; size() bytes are used
 *   8+capacity    1          spare: a receive with TRUNCATE asks the kernel for capacity+1
 *                            bytes, so a longer message shows as capacity+1 and is reported
 *                            {@link #truncated()} with size() = capacity
 * </pre>
 *
 * Not thread-safe: one message per thread, or per exchange.
 */
public final class SysvMessage {
    private final ByteBuffer raw;
    private final ByteBuffer payload;
    private final long address;
    private final int capacity;
    private int size;
    private boolean truncated;

    private SysvMessage(int capacity) {
        this.capacity = capacity;
        this.raw = Allocate.direct("SysvMessage.allocate", null, 8 + capacity + 1);
        this.address = DirectBuffers.address(raw);
        this.payload = raw.slice(8, capacity).order(ByteOrder.nativeOrder());
    }

    /**
     * A message with room for {@code capacity} payload bytes (0 allowed: type-only messages). A
     * message longer than the live {@code /proc/sys/kernel/msgmax} cannot be sent.
     *
     * @param capacity the most payload bytes
     * @return the new message
     * @throws LimitExceededException if the JVM has no direct memory for it
     */
    public static SysvMessage allocate(int capacity) {
        if (capacity < 0) {
            throw new InvalidArgumentException("SysvMessage.allocate", null, 0, "capacity " + capacity + " is negative");
        }
        if (capacity > Integer.MAX_VALUE - 16) {
            throw new LimitExceededException("SysvMessage.allocate", null, 0, "capacity " + capacity
                    + " leaves no room for the 8-byte type in one buffer");
        }
        return new SysvMessage(capacity);
    }

    /**
     * The most payload bytes this message holds.
     *
     * @return the capacity
     */
    public int capacity() {
        return capacity;
    }

    /**
     * The message type: set before sending (>= 1), the received message's after receiving.
     *
     * @return the type
     */
    public long type() {
        return raw.getLong(0);
    }

    /**
     * Sets the message type, 1 or more for sending.
     *
     * @param type the type
     * @return this
     */
    public SysvMessage type(long type) {
        raw.putLong(0, type);
        return this;
    }

    /**
     * Payload bytes used: what send() sends, what receive() got.
     *
     * @return the payload bytes used
     */
    public int size() {
        return size;
    }

    /**
     * Sets the payload bytes used.
     *
     * @param size the payload bytes used, 0 to {@link #capacity()}
     * @return this
     * @throws InvalidArgumentException outside 0..capacity
     */
    public SysvMessage size(int size) {
        if (size < 0 || size > capacity) {
            throw new InvalidArgumentException("SysvMessage.size", null, 0, "size " + size + " is outside 0.." + capacity
                    + " (the capacity)");
        }
        this.size = size;
        this.truncated = false;
        return this;
    }

    /**
     * Whether the last receive (with TRUNCATE) cut the message down to {@link #capacity()} bytes.
     *
     * @return true if the last receive truncated the message
     */
    public boolean truncated() {
        return truncated;
    }

    /**
     * The payload area, [0, capacity): always the same buffer, for absolute get/put (its
     * position and limit are the caller's). The message's length is {@link #size()}.
     *
     * @return the payload buffer
     */
    public ByteBuffer payload() {
        return payload;
    }

    /**
     * Sets type and payload (copied from {@code data}).
     *
     * @param type the message type
     * @param data the payload, at most {@link #capacity()} bytes
     * @return this
     */
    public SysvMessage set(long type, byte[] data) {
        Check.notNull("SysvMessage.set", null, data, "data");
        if (data.length > capacity) {
            throw new LimitExceededException("SysvMessage.set", null, 0, data.length + " bytes do not fit the capacity "
                    + capacity);
        }
        payload.put(0, data);
        type(type);
        return size(data.length);
    }

    /**
     * Sets type and payload (copied from {@code src}'s remaining bytes; src is not moved).
     *
     * @param type the message type
     * @param src  the payload, at most {@link #capacity()} bytes
     * @return this
     */
    public SysvMessage set(long type, ByteBuffer src) {
        Check.notNull("SysvMessage.set", null, src, "src");
        int n = src.remaining();
        if (n > capacity) {
            throw new LimitExceededException("SysvMessage.set", null, 0, n + " bytes do not fit the capacity " + capacity);
        }
        payload.put(0, src, src.position(), n);
        type(type);
        return size(n);
    }

    /**
     * A copy of the {@link #size()} payload bytes.
     *
     * @return a new array with the payload
     */
    public byte[] bytes() {
        byte[] b = new byte[size];
        payload.get(0, b);
        return b;
    }

    long address() {
        return address;
    }

    void received(int size, boolean truncated) {
        this.size = size;
        this.truncated = truncated;
    }

    @Override
    public String toString() {
        return "SysvMessage[type=" + type() + ", size=" + size + (truncated ? ", truncated" : "") + "]";
    }
}
