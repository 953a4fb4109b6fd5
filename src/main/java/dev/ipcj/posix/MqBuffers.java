package dev.ipcj.posix;

import dev.ipcj.internal.Allocate;
import dev.ipcj.internal.DirectBuffers;
import java.nio.ByteBuffer;

/** Per thread, one direct buffer for the byte[] and heap-buffer convenience forms of MessageQueue. */
final class MqBuffers {
    private static final ThreadLocal<ByteBuffer> SCRATCH = new ThreadLocal<>();

    private MqBuffers() {
    }

    /** The address of byte 0 of a direct buffer (not of its position). */
    static long address(ByteBuffer direct) {
        return DirectBuffers.address(direct);
    }

    /** This thread's scratch direct buffer, at least {@code size} bytes, cleared. */
    static ByteBuffer scratch(int size) {
        ByteBuffer b = SCRATCH.get();
        if (b == null || b.capacity() < size) {
            b = Allocate.direct("mq", null, Math.max(size, 4096));
            SCRATCH.set(b);
        }
        b.clear();
        return b;
    }
}
