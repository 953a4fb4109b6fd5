package dev.ipcj.ring;

import java.nio.ByteBuffer;

/**
 * Receives records from {@link RingConsumer#read(RecordHandler, int)} without copying: the
 * payload is {@code length} bytes of {@code buffer} from {@code offset}. {@code buffer} is a
 * read-only view of the shared mapping; its bytes belong to the ring again once this call
 * returns, so copy what must outlive it.
 */
@FunctionalInterface
public interface RecordHandler {
    /**
     * Handles one record; its bytes are valid only during this call.
     *
     * @param buffer a read-only view of the shared mapping
     * @param offset where the payload starts in {@code buffer}
     * @param length the payload's length in bytes
     */
    void onRecord(ByteBuffer buffer, int offset, int length);
}
