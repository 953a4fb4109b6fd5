package dev.ipcj.internal;

import java.lang.reflect.Field;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import org.bytedeco.javacpp.Pointer;

/**
 * ipcj's one owner of raw memory access: loads, stores, atomics and copies at absolute addresses
 * inside live mappings (the ring, the broadcast ring, shared pages), fences, and the address of a
 * direct ByteBuffer. No other class reaches memory by address; the callers prove their addresses
 * lie inside a mapping that stays mapped (see {@code dev.ipcj.ring.RingMemory}).
 *
 * <p>This is the JDK 17 implementation, through {@code sun.misc.Unsafe} (module jdk.unsupported,
 * open to class-path code without flags). The multi-release jar carries a second one under
 * {@code META-INF/versions/22} (src/main/java22) through {@code java.lang.foreign}, which JDK 22+
 * loads instead: JDK 24+ warns at the first use of Unsafe's memory methods and will remove them.
 * Both have the same static methods, so the callers compile once against this one. Every method
 * is static and final-field based so that the JIT inlines it into the caller: the data path costs
 * what the Unsafe intrinsic costs.
 *
 * <h2>Ordering</h2>
 * {@code *Volatile} are Java volatile (sequentially consistent) accesses, {@code putLongRelease}
 * a release store, CAS and getAndAdd are volatile read-modify-writes; {@link #storeFence} orders
 * earlier loads and stores before later stores, {@link #loadFence} earlier loads before later
 * loads and stores, {@link #fullFence} everything.
 *
 * <h2>Faults</h2>
 * A load, store or copy that touches a page another process truncated away faults: the JVM turns
 * it into an InternalError (see {@link Faults}), on both implementations (HotSpot's Unsafe and the
 * memory segments' accessors share the guarded intrinsics). An interpreted CAS is not guarded:
 * callers probe the word with a volatile load first ({@link SharedAtomics}).
 */
public final class MemoryAccess {
    private static final sun.misc.Unsafe U = unsafe();
    private static final long BYTES = sun.misc.Unsafe.ARRAY_BYTE_BASE_OFFSET;
    private static final long BUFFER_ADDRESS = bufferAddressOffset();
    /** Larger copies go in chunks, so that a safepoint is never held off for long (as in java.nio). */
    private static final long CHUNK = 1L << 20;
    /** Copies of at most this many bytes from an array are done inline, a long at a time. */
    private static final int INLINE_COPY = Integer.getInteger("ipcj.ring.inlineCopy", 256);

    private MemoryAccess() {
    }

    /** Which implementation this is: {@code "unsafe"} here, {@code "foreign"} on JDK 22+. */
    public static String implementation() {
        return "unsafe";
    }

    /** A plain load of the byte at {@code address}. */
    public static byte getByte(long address) {
        return U.getByte(address);
    }

    /** A plain load of the int at {@code address}. */
    public static int getInt(long address) {
        return U.getInt(address);
    }

    /** A plain load of the long at {@code address}. */
    public static long getLong(long address) {
        return U.getLong(address);
    }

    /** A plain store of a byte at {@code address}. */
    public static void putByte(long address, byte v) {
        U.putByte(address, v);
    }

    /** A plain store of an int at {@code address}. */
    public static void putInt(long address, int v) {
        U.putInt(address, v);
    }

    /** A plain store of a long at {@code address}. */
    public static void putLong(long address, long v) {
        U.putLong(address, v);
    }

    /** A volatile load of the (aligned) int at {@code address}. */
    public static int getIntVolatile(long address) {
        return U.getIntVolatile(null, address);
    }

    /** A volatile load of the (aligned) long at {@code address}. */
    public static long getLongVolatile(long address) {
        return U.getLongVolatile(null, address);
    }

    /** A volatile store of an int at (aligned) {@code address}. */
    public static void putIntVolatile(long address, int v) {
        U.putIntVolatile(null, address, v);
    }

    /** A volatile store of a long at (aligned) {@code address}. */
    public static void putLongVolatile(long address, long v) {
        U.putLongVolatile(null, address, v);
    }

    /** A release store of a long at (aligned) {@code address}. */
    public static void putLongRelease(long address, long v) {
        U.putOrderedLong(null, address, v);
    }

    /** Atomically sets the int at {@code address} to {@code v} if it is {@code expected}. */
    public static boolean compareAndSetInt(long address, int expected, int v) {
        return U.compareAndSwapInt(null, address, expected, v);
    }

    /** Atomically sets the long at {@code address} to {@code v} if it is {@code expected}. */
    public static boolean compareAndSetLong(long address, long expected, long v) {
        return U.compareAndSwapLong(null, address, expected, v);
    }

    /** Atomically adds {@code delta} to the int at {@code address}; returns the previous value. */
    public static int getAndAddInt(long address, int delta) {
        return U.getAndAddInt(null, address, delta);
    }

    /** Earlier loads before later loads and stores. */
    public static void loadFence() {
        U.loadFence();
    }

    /** Earlier loads and stores before later stores. */
    public static void storeFence() {
        U.storeFence();
    }

    /** Every earlier access before every later one. */
    public static void fullFence() {
        U.fullFence();
    }

    /** Copies {@code length} bytes between absolute addresses (the ranges do not overlap). */
    public static void copy(long from, long to, long length) {
        while (length > 0) {
            long n = Math.min(length, CHUNK);
            U.copyMemory(null, from, null, to, n);
            from += n;
            to += n;
            length -= n;
        }
    }

    /**
     * Copies {@code length} bytes from {@code src[offset..]} to the absolute {@code address}.
     * The caller checked {@code [offset, offset + length)} lies in {@code src}. Small payloads are
     * copied by a loop of 8-byte moves that the JIT compiles inline: measured against a C
     * consumer, the call into the JVM's copy stub (what Unsafe.copyMemory and ByteBuffer bulk
     * puts use) made the Java producer several times slower than the C one for 64-byte records.
     */
    public static void copyFromArray(byte[] src, int offset, long address, int length) {
        long from = BYTES + offset;
        if (length <= INLINE_COPY) {
            int i = 0;
            for (; i <= length - 8; i += 8) {
                U.putLong(address + i, U.getLong(src, from + i));
            }
            for (; i < length; i++) {
                U.putByte(address + i, U.getByte(src, from + i));
            }
            return;
        }
        while (length > 0) {
            long n = Math.min(length, CHUNK);
            U.copyMemory(src, from, null, address, n);
            from += n;
            address += n;
            length -= (int) n;
        }
    }

    /** Copies {@code length} bytes from the absolute {@code address} to {@code dst[offset..]}. */
    public static void copyToArray(long address, byte[] dst, int offset, int length) {
        long to = BYTES + offset;
        while (length > 0) {
            long n = Math.min(length, CHUNK);
            U.copyMemory(null, address, dst, to, n);
            to += n;
            address += n;
            length -= (int) n;
        }
    }

    /**
     * The address of byte 0 of a direct buffer (not of its position), read without a JNI call
     * and without allocating from the JDK's field {@code java.nio.Buffer.address}; where that
     * field cannot be found, from JavaCPP's {@link Pointer} (a small object per call).
     */
    public static long address(ByteBuffer direct) {
        if (BUFFER_ADDRESS >= 0) {
            return U.getLong(direct, BUFFER_ADDRESS);
        }
        return new Pointer(direct).address();
    }

    private static long bufferAddressOffset() {
        try {
            return U.objectFieldOffset(Buffer.class.getDeclaredField("address"));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return -1;
        }
    }

    private static sun.misc.Unsafe unsafe() {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
