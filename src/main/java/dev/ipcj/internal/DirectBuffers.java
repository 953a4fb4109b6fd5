package dev.ipcj.internal;

import java.nio.ByteBuffer;

/**
 * The native address of a direct ByteBuffer, read without a JNI call: {@link MemoryAccess#address}
 * (the field {@code java.nio.Buffer.address} on JDK 17 to 21, the buffer's memory segment on JDK
 * 22+).
 */
public final class DirectBuffers {
    private DirectBuffers() {
    }

    /** The address of byte 0 of a direct buffer (not of its position). */
    public static long address(ByteBuffer direct) {
        return MemoryAccess.address(direct);
    }
}
