package dev.ipcj.internal;

import java.lang.reflect.Field;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import org.bytedeco.javacpp.Pointer;

/**
 * The native address of a direct ByteBuffer, read without a JNI call and without allocating:
 * the JDK keeps it in the field {@code java.nio.Buffer.address}, which {@code sun.misc.Unsafe}
 * (module jdk.unsupported, open to all) can read by offset. Where that is not possible the
 * address comes from JavaCPP's {@link Pointer}, which allocates a small object per call.
 */
public final class DirectBuffers {
    private static final sun.misc.Unsafe UNSAFE;
    private static final long ADDRESS_OFFSET;

    static {
        sun.misc.Unsafe u = null;
        long off = -1;
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            u = (sun.misc.Unsafe) f.get(null);
            off = u.objectFieldOffset(Buffer.class.getDeclaredField("address"));
        } catch (ReflectiveOperationException | RuntimeException e) {
            u = null;
        }
        UNSAFE = u;
        ADDRESS_OFFSET = off;
    }

    private DirectBuffers() {
    }

    /** The address of byte 0 of a direct buffer (not of its position). */
    public static long address(ByteBuffer direct) {
        if (UNSAFE != null) {
            return UNSAFE.getLong(direct, ADDRESS_OFFSET);
        }
        return new Pointer(direct).address();
    }
}
