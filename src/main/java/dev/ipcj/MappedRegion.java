package dev.ipcj;

import dev.ipcj.internal.RawMemory;
import dev.ipcj.jni.PosixShm;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A bounds-checked view of memory mapped from the operating system: a POSIX shared memory
 * mapping ({@code dev.ipcj.posix.SharedMemory#map}) or a System V attach.
 *
 * <p>Every access checks that the region is open and that {@code [offset, offset+size)} lies
 * inside it, and throws otherwise ({@link ClosedException}, {@link IndexOutOfBoundsException},
 * {@link PermissionDeniedException} for a write to a read-only mapping). Multi-byte values are
 * in native byte order, as a C program on the same machine sees them.
 *
 * <h2>Why closing never crashes a racing thread</h2>
 * {@link #close()} does not {@code munmap}. It replaces the range, in one {@code mmap(MAP_FIXED)},
 * by private zero pages: the shared pages are released at once (the kernel drops the object's
 * reference, a System V attach count goes down), and a thread that passed the open-check just
 * before close() reads zeros instead of faulting. The placeholder range is unmapped when the
 * garbage collector finds no Java object that can reach it (this region and every buffer from
 * {@link #buffer()}). Nothing ever reads freed memory.
 *
 * <p>Thread safety: accesses may come from any threads; ordering between them is the caller's,
 * through the volatile, acquire/release and CAS accessors.
 */
public final class MappedRegion implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final VarHandle INTS =
            MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle LONGS =
            MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private final String name;
    private final long address;
    private final int length;
    private final boolean readOnly;
    private final ByteBuffer buffer;
    private volatile boolean closed;
    private final Runnable onClose;

    /**
     * For ipcj's mapping classes: wraps a mapping made by a shim.
     *
     * @param name     what error messages call it, e.g. the shm name
     * @param address  the mapping's address
     * @param length   its length in bytes
     * @param readOnly whether it was mapped without PROT_WRITE
     * @param onClose  run once after the range became a placeholder (may be null)
     */
    public MappedRegion(String name, long address, long length, boolean readOnly, Runnable onClose) {
        if (length <= 0 || length > Integer.MAX_VALUE) {
            throw new InvalidArgumentException("map", name, 0,
                    "length " + length + " is outside 1.." + Integer.MAX_VALUE + " (map a window with an offset)");
        }
        this.name = name;
        this.address = address;
        this.length = (int) length;
        this.readOnly = readOnly;
        this.onClose = onClose;
        this.buffer = RawMemory.wrap(address, this.length);
        // The buffer, and every duplicate of it, keeps this range mapped; see the class comment.
        CLEANER.register(buffer, new Unmapper(address, length));
    }

    /** The object's name as error messages give it. */
    public String name() {
        return name;
    }

    /** Size in bytes. */
    public long size() {
        return length;
    }

    public boolean isReadOnly() {
        return readOnly;
    }

    public boolean isOpen() {
        return !closed;
    }

    /**
     * The address of {@code [offset, offset+size)}, after checking it lies inside the open region:
     * for passing to a shim (sem_init at an offset, a futex word). Valid only while open.
     */
    public long address(long offset, long size) {
        check(offset, size);
        return address + offset;
    }

    /**
     * A direct ByteBuffer over the whole region, in native order, for code that must read at
     * memory speed (ipcj's ring buffer). Its own bounds checks hold; after {@link #close()} it
     * reads the zero placeholder, never freed memory.
     */
    public ByteBuffer buffer() {
        checkOpen();
        ByteBuffer b = readOnly ? buffer.asReadOnlyBuffer() : buffer.duplicate();
        return b.order(ByteOrder.nativeOrder());
    }

    public byte getByte(long offset) {
        return buffer.get(check(offset, 1));
    }

    public void putByte(long offset, byte value) {
        buffer.put(checkWrite(offset, 1), value);
    }

    public int getInt(long offset) {
        return buffer.getInt(check(offset, 4));
    }

    public void putInt(long offset, int value) {
        buffer.putInt(checkWrite(offset, 4), value);
    }

    public long getLong(long offset) {
        return buffer.getLong(check(offset, 8));
    }

    public void putLong(long offset, long value) {
        buffer.putLong(checkWrite(offset, 8), value);
    }

    /** Copies {@code dst.length} bytes starting at {@code offset} into {@code dst}. */
    public void getBytes(long offset, byte[] dst) {
        getBytes(offset, dst, 0, dst.length);
    }

    public void getBytes(long offset, byte[] dst, int dstOffset, int count) {
        java.util.Objects.checkFromIndexSize(dstOffset, count, dst.length);
        buffer.get(check(offset, count), dst, dstOffset, count);
    }

    public void putBytes(long offset, byte[] src) {
        putBytes(offset, src, 0, src.length);
    }

    public void putBytes(long offset, byte[] src, int srcOffset, int count) {
        java.util.Objects.checkFromIndexSize(srcOffset, count, src.length);
        buffer.put(checkWrite(offset, count), src, srcOffset, count);
    }

    public int getIntVolatile(long offset) {
        return (int) INTS.getVolatile(buffer, checkAligned(offset, 4, false));
    }

    public void putIntVolatile(long offset, int value) {
        INTS.setVolatile(buffer, checkAligned(offset, 4, true), value);
    }

    public boolean compareAndSetInt(long offset, int expected, int value) {
        return INTS.compareAndSet(buffer, checkAligned(offset, 4, true), expected, value);
    }

    public int getAndAddInt(long offset, int delta) {
        return (int) INTS.getAndAdd(buffer, checkAligned(offset, 4, true), delta);
    }

    public long getLongVolatile(long offset) {
        return (long) LONGS.getVolatile(buffer, checkAligned(offset, 8, false));
    }

    public void putLongVolatile(long offset, long value) {
        LONGS.setVolatile(buffer, checkAligned(offset, 8, true), value);
    }

    public boolean compareAndSetLong(long offset, long expected, long value) {
        return LONGS.compareAndSet(buffer, checkAligned(offset, 8, true), expected, value);
    }

    public long getAndAddLong(long offset, long delta) {
        return (long) LONGS.getAndAdd(buffer, checkAligned(offset, 8, true), delta);
    }

    /**
     * Releases the mapping (see the class comment). Later accesses throw {@link ClosedException}.
     * Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        int r = PosixShm.unmapToPlaceholder(address, length);
        if (r < 0) {
            // The range stays mapped to the shared object until the GC unmaps it: still no crash.
            throw IpcException.of("mmap(MAP_FIXED)", name, r, "could not release the mapping");
        }
        if (onClose != null) {
            onClose.run();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new ClosedException("access", name, 0, "the mapping was closed (unmapped)");
        }
    }

    private int check(long offset, long size) {
        checkOpen();
        if (offset < 0 || size < 0 || offset > length - size) {
            throw new IndexOutOfBoundsException("offset " + offset + " + " + size + " bytes lies outside \""
                    + name + "\" of " + length + " bytes");
        }
        return (int) offset;
    }

    private int checkWrite(long offset, long size) {
        if (readOnly) {
            checkOpen();
            throw new PermissionDeniedException("write", name, 0, "the region is mapped read-only");
        }
        return check(offset, size);
    }

    private int checkAligned(long offset, int size, boolean write) {
        int i = write ? checkWrite(offset, size) : check(offset, size);
        if (((address + offset) & (size - 1)) != 0) {
            throw new InvalidArgumentException("access", name, 0,
                    "offset " + offset + " is not " + size + "-byte aligned, as atomic access needs");
        }
        return i;
    }

    /** Unmaps the range (the placeholder, or the live mapping if never closed) once unreachable. */
    private static final class Unmapper implements Runnable {
        private final long address;
        private final long length;

        Unmapper(long address, long length) {
            this.address = address;
            this.length = length;
        }

        @Override
        public void run() {
            PosixShm.munmap(address, length);
        }
    }
}
