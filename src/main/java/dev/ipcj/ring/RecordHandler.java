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
    void onRecord(ByteBuffer buffer, int offset, int length);
}
