package dev.ipcj.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.Pointer;

/**
 * Wraps native memory (a mapping made by a shim) in a direct ByteBuffer without copying. The
 * buffer's capacity is exactly {@code length}: a buffer larger than the mapping would let a
 * plain {@code put} write past its end.
 */
public final class RawMemory {
    private RawMemory() {
    }

    /** A direct buffer over [address, address+length), in native byte order, of capacity {@code length}. */
    public static ByteBuffer wrap(long address, int length) {
        ByteBuffer b = new AddressPointer(address, length).asByteBuffer().order(ByteOrder.nativeOrder());
        if (b.capacity() != length) {
            // JavaCPP scales the length by sizeof(); AddressPointer says 1. Never hand out more.
            throw new dev.ipcj.IpcException("map", null, 0, "JavaCPP made a buffer of " + b.capacity()
                    + " bytes over a mapping of " + length + " (a JavaCPP change ipcj does not know)");
        }
        return b;
    }

    /** A pointer of elements of one byte: asByteBuffer() multiplies the limit by sizeof(). */
    private static final class AddressPointer extends Pointer {
        AddressPointer(long address, long length) {
            this.address = address;
            this.position = 0;
            this.limit = length;
            this.capacity = length;
        }

        @Override
        public int sizeof() {
            return 1;
        }
    }
}
