package dev.ipcj.broadcast;

import java.nio.ByteBuffer;

/**
 * Receives records from {@link BroadcastSubscriber#read(BroadcastHandler, int)}: the payload is
 * {@code length} bytes of {@code buffer} from {@code offset}. In LOSSLESS mode {@code buffer} is a
 * read-only view of the shared mapping (no copy); in LOSSY mode it is the subscriber's own copy,
 * made and checked against lapping before the call. Either way its bytes are valid only during
 * this call.
 */
@FunctionalInterface
public interface BroadcastHandler {
    /**
     * Handles one record.
     *
     * @param buffer a read-only buffer holding the payload
     * @param offset where the payload starts in {@code buffer}
     * @param length the payload's length in bytes
     * @param seq    the record's sequence number (the publisher's count of records before it)
     */
    void onRecord(ByteBuffer buffer, int offset, int length, long seq);
}
