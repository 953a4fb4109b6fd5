package dev.ipcj.internal;

import dev.ipcj.LimitExceededException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Allocation of direct buffers, with the JVM's limit named when it refuses. */
public final class Allocate {
    private Allocate() {
    }

    /**
     * {@code ByteBuffer.allocateDirect(bytes)} in native order.
     *
     * @throws LimitExceededException when the JVM has no direct memory for it (-XX:MaxDirectMemorySize)
     */
    public static ByteBuffer direct(String call, String object, int bytes) {
        try {
            return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        } catch (OutOfMemoryError e) {
            LimitExceededException l = new LimitExceededException(call, object, 0, "no direct memory for a buffer of "
                    + bytes + " bytes (the JVM's limit is -XX:MaxDirectMemorySize, by default the heap's maximum"
                    + " size -Xmx " + Runtime.getRuntime().maxMemory() + ")");
            l.initCause(e);
            throw l;
        }
    }
}
