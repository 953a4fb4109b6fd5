package dev.ipcj.posix;

/**
 * Where a ByteBuffer receive reports the message's length and priority without allocating:
 * create one per receiving thread and pass it to every receive.
 *
 * <pre>{@code
 * MqReceived got = new MqReceived();
 * ByteBuffer buf = ByteBuffer.allocateDirect(q.maxMessageSize());
 * for (;;) {
 *     buf.clear();
 *     q.receive(buf, got);          // got.length(), got.priority()
 * }
 * }</pre>
 */
public final class MqReceived {
    private int length = -1;
    private int priority = -1;

    /** An empty holder (length and priority -1), for a receive to fill. */
    public MqReceived() {
    }

    /**
     * The payload length of the last message received into this, or -1 when none came.
     *
     * @return the length, or -1
     */
    public int length() {
        return length;
    }

    /**
     * The priority of the last message received into this, or -1 when none came.
     *
     * @return the priority, or -1
     */
    public int priority() {
        return priority;
    }

    void set(int length, int priority) {
        this.length = length;
        this.priority = priority;
    }

    @Override
    public String toString() {
        return "MqReceived[length=" + length + ", priority=" + priority + "]";
    }
}
