package dev.ipcj.posix;

/**
 * A received message with its own copy of the payload: the convenience form of
 * {@link MessageQueue#receive()}. The ByteBuffer forms avoid this allocation.
 *
 * @param payload  the message's bytes, this object's own copy
 * @param priority the priority it was sent with
 */
public record MqMessage(byte[] payload, int priority) {
    /**
     * The payload decoded as UTF-8.
     *
     * @return the text
     */
    public String text() {
        return new String(payload, java.nio.charset.StandardCharsets.UTF_8);
    }
}
