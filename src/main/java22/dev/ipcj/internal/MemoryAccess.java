package dev.ipcj.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * ipcj's one owner of raw memory access, JDK 22+ implementation (META-INF/versions/22 of the
 * multi-release jar): the same static methods as the JDK 17 class in src/main/java, through
 * {@code java.lang.foreign} instead of {@code sun.misc.Unsafe}, whose memory methods JDK 24+
 * warns about and will remove.
 *
 * <p>One segment, {@link #ALL}, spans the whole address space (a zero-based native segment of
 * global scope), so that an absolute address is an offset into it: the segment's bounds check
 * ({@code 0 <= address < Long.MAX_VALUE}) and its scope check (global, never closed) fold away in
 * compiled code, and what remains is the access itself, as with Unsafe. The callers prove their
 * addresses lie inside a live mapping (see {@code dev.ipcj.ring.RingMemory}); the segment proves
 * nothing more. Creating it is a restricted operation ({@link MemorySegment#reinterpret(long)}),
 * allowed without a warning when native access is enabled for ipcj's module or the class path
 * ({@code Enable-Native-Access: ALL-UNNAMED} in an executable jar's manifest, or
 * {@code --enable-native-access}), which JavaCPP's {@code System.loadLibrary} needs anyway.
 *
 * <p>Faults: segment accesses run through the JDK's scoped-memory accessors, which HotSpot
 * guards as it guards Unsafe's: a load, store or copy on a page truncated away ends in
 * InternalError (MappingFaultTest keeps the measurement on JDK 25; an interpreted CAS is not
 * guarded, as on JDK 17, so callers probe first: {@link SharedAtomics}).
 */
public final class MemoryAccess {
    /** Every address, as an offset: the whole address space in one segment. */
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle BYTE_H = ValueLayout.JAVA_BYTE.varHandle();
    private static final VarHandle INT_UH = ValueLayout.JAVA_INT_UNALIGNED.varHandle();
    private static final VarHandle LONG_UH = ValueLayout.JAVA_LONG_UNALIGNED.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle ARRAY_LONG = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.nativeOrder());
    /** Larger copies go in chunks, so that a safepoint is never held off for long (as in java.nio). */
    private static final long CHUNK = 1L << 20;
    /** Copies of at most this many bytes from an array are done inline, a long at a time. */
    private static final int INLINE_COPY = Integer.getInteger("ipcj.ring.inlineCopy", 256);

    private MemoryAccess() {
    }

    /** Which implementation this is: {@code "foreign"} here, {@code "unsafe"} on JDK 17 to 21. */
    public static String implementation() {
        return "foreign";
    }

    /** A plain load of the byte at {@code address}. */
    public static byte getByte(long address) {
        return (byte) BYTE_H.get(ALL, address);
    }

    /** A plain load of the int at {@code address}. */
    public static int getInt(long address) {
        return (int) INT_UH.get(ALL, address);
    }

    /** A plain load of the long at {@code address}. */
    public static long getLong(long address) {
        return (long) LONG_UH.get(ALL, address);
    }

    /** A plain store of a byte at {@code address}. */
    public static void putByte(long address, byte v) {
        BYTE_H.set(ALL, address, v);
    }

    /** A plain store of an int at {@code address}. */
    public static void putInt(long address, int v) {
        INT_UH.set(ALL, address, v);
    }

    /** A plain store of a long at {@code address}. */
    public static void putLong(long address, long v) {
        LONG_UH.set(ALL, address, v);
    }

    /** A volatile load of the (aligned) int at {@code address}. */
    public static int getIntVolatile(long address) {
        return (int) INT.getVolatile(ALL, address);
    }

    /** A volatile load of the (aligned) long at {@code address}. */
    public static long getLongVolatile(long address) {
        return (long) LONG.getVolatile(ALL, address);
    }

    /** A volatile store of an int at (aligned) {@code address}. */
    public static void putIntVolatile(long address, int v) {
        INT.setVolatile(ALL, address, v);
    }

    /** A volatile store of a long at (aligned) {@code address}. */
    public static void putLongVolatile(long address, long v) {
        LONG.setVolatile(ALL, address, v);
    }

    /** A release store of a long at (aligned) {@code address}. */
    public static void putLongRelease(long address, long v) {
        LONG.setRelease(ALL, address, v);
    }

    /** Atomically sets the int at {@code address} to {@code v} if it is {@code expected}. */
    public static boolean compareAndSetInt(long address, int expected, int v) {
        return INT.compareAndSet(ALL, address, expected, v);
    }

    /** Atomically sets the long at {@code address} to {@code v} if it is {@code expected}. */
    public static boolean compareAndSetLong(long address, long expected, long v) {
        return LONG.compareAndSet(ALL, address, expected, v);
    }

    /** Atomically adds {@code delta} to the int at {@code address}; returns the previous value. */
    public static int getAndAddInt(long address, int delta) {
        return (int) INT.getAndAdd(ALL, address, delta);
    }

    /** Earlier loads before later loads and stores. */
    public static void loadFence() {
        VarHandle.acquireFence();
    }

    /** Earlier loads and stores before later stores. */
    public static void storeFence() {
        VarHandle.releaseFence();
    }

    /** Every earlier access before every later one. */
    public static void fullFence() {
        VarHandle.fullFence();
    }

    /** Copies {@code length} bytes between absolute addresses (the ranges do not overlap). */
    public static void copy(long from, long to, long length) {
        while (length > 0) {
            long n = Math.min(length, CHUNK);
            MemorySegment.copy(ALL, from, ALL, to, n);
            from += n;
            to += n;
            length -= n;
        }
    }

    /**
     * Copies {@code length} bytes from {@code src[offset..]} to the absolute {@code address}; the
     * caller checked the range lies in {@code src}. Small payloads by a loop of 8-byte moves the
     * JIT compiles inline (the copy stub behind bulk copies costs more than the copy for them).
     */
    public static void copyFromArray(byte[] src, int offset, long address, int length) {
        if (length <= INLINE_COPY) {
            int i = 0;
            for (; i <= length - 8; i += 8) {
                LONG_UH.set(ALL, address + i, (long) ARRAY_LONG.get(src, offset + i));
            }
            for (; i < length; i++) {
                BYTE_H.set(ALL, address + i, src[offset + i]);
            }
            return;
        }
        while (length > 0) {
            int n = (int) Math.min(length, CHUNK);
            MemorySegment.copy(src, offset, ALL, ValueLayout.JAVA_BYTE, address, n);
            offset += n;
            address += n;
            length -= n;
        }
    }

    /** Copies {@code length} bytes from the absolute {@code address} to {@code dst[offset..]}. */
    public static void copyToArray(long address, byte[] dst, int offset, int length) {
        while (length > 0) {
            int n = (int) Math.min(length, CHUNK);
            MemorySegment.copy(ALL, ValueLayout.JAVA_BYTE, address, dst, offset, n);
            offset += n;
            address += n;
            length -= n;
        }
    }

    /**
     * The address of byte 0 of a direct buffer (not of its position): the address of the
     * buffer's segment (which starts at its position) less the position. The segment object does
     * not escape, so compiled code allocates nothing.
     */
    public static long address(ByteBuffer direct) {
        return MemorySegment.ofBuffer(direct).address() - direct.position();
    }
}
