package dev.ipcj.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.Pointer;

/** Wraps native memory (a mapping made by a shim) in a direct ByteBuffer without copying. */
public final class RawMemory {
    private RawMemory() {
    }

    /** A direct buffer over [address, address+length), in native byte order. */
    public static ByteBuffer wrap(long address, int length) {
        return new AddressPointer(address, length).asByteBuffer().order(ByteOrder.nativeOrder());
    }

    private static final class AddressPointer extends Pointer {
        AddressPointer(long address, long length) {
            this.address = address;
            this.position = 0;
            this.limit = length;
            this.capacity = length;
        }
    }
}
