package dev.ipcj.cli.compare;

import java.nio.ByteBuffer;

/**
 * The Java peer's end of a mechanism: moves one message of {@code size} bytes each way. The
 * buffer is direct and the same for every call, so the loop allocates nothing per message.
 */
public interface Link extends AutoCloseable {
    /** Server only: what the client needs that the server chose (a TCP port); "-" if nothing. */
    default String endpoint() {
        return "-";
    }

    /** Server only: waits for the client (accept, FIFO open), after the ready line has been printed. */
    default void accept() throws Exception {
    }

    /** Sends the first {@code size} bytes of {@code buf}. */
    void send(ByteBuffer buf, int size) throws Exception;

    /** Receives exactly one message of {@code size} bytes into {@code buf}. */
    void recv(ByteBuffer buf, int size) throws Exception;

    @Override
    void close() throws Exception;
}
