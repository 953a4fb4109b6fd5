package dev.ipcj;

import dev.ipcj.internal.FaultGuards;
import dev.ipcj.internal.Faults;
import dev.ipcj.internal.RawMemory;
import dev.ipcj.internal.Regions;
import dev.ipcj.internal.SharedAtomics;
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
 * <h2>When another process truncates the object</h2>
 * A process that may {@code ftruncate} the object can take pages away under a live mapping.
 * ipcj registers every region with its fault guard ({@code dev.ipcj.internal.FaultGuards}): the
 * access that touches such a page completes on a private zero page instead of killing the JVM,
 * the region remembers it ({@link #isTruncated()}), and every accessor, that one included,
 * throws {@link CorruptedException} ("the memory under the mapping is gone"). The region no
 * longer shares those pages with anyone: reopen the object. Accesses through {@link #buffer()}
 * and {@link #address} are guarded the same way; code using them calls {@link #checkIntact}
 * to report it. With the guard off ({@code -Dipcj.faultGuard=false}) the JVM's own handling
 * applies, with the limits {@code dev.ipcj.internal.Faults} describes.
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
    /** Address of this mapping's flag in the fault guard's table (ipcj_fault.h), 0 when unguarded. */
    private final long faultFlag;

    static {
        // ipcj's mapping classes (other packages) make regions through internal.Regions; the
        // constructor is not public, because a region over an arbitrary address would crash.
        Regions.install(MappedRegion::new);
    }

    /**
     * Wraps a mapping made by a shim; reached through {@code dev.ipcj.internal.Regions}.
     *
     * @param name     what error messages call it, e.g. the shm name
     * @param address  the mapping's address
     * @param length   its length in bytes
     * @param readOnly whether it was mapped without PROT_WRITE
     * @param onClose  run once after the range became a placeholder (may be null)
     */
    private MappedRegion(String name, long address, long length, boolean readOnly, Runnable onClose) {
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
        this.faultFlag = FaultGuards.register(address, length, !readOnly);
        // The buffer, and every duplicate of it, keeps this range mapped; see the class comment.
        CLEANER.register(buffer, new Unmapper(address, length, faultFlag));
    }

    /**
     * The object's name as error messages give it.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Size in bytes.
     *
     * @return the size in bytes
     */
    public long size() {
        return length;
    }

    /**
     * Whether writes are refused: the object was mapped or attached read-only.
     *
     * @return true for a read-only region
     */
    public boolean isReadOnly() {
        return readOnly;
    }

    /**
     * Whether the region is still open: false after {@link #close()}.
     *
     * @return true until closed
     */
    public boolean isOpen() {
        return !closed;
    }

    /**
     * Whether a page of this mapping was found gone: another process truncated the object and
     * this process touched memory past its new end. The fault guard then put a private zero page
     * there, so the region no longer shares those bytes with anyone; every accessor throws
     * {@link CorruptedException} from then on. Always false when the guard is off.
     *
     * @return true once a truncation was seen
     */
    public boolean isTruncated() {
        return faultFlag != 0 && FaultGuards.faulted(faultFlag);
    }

    /**
     * Throws {@link CorruptedException} naming {@code call} when {@link #isTruncated()}: for code
     * that reads or writes the mapping through {@link #address} or {@link #buffer()} and must
     * report a truncation as its own (a plain, thread-local load: cheap on any data path).
     *
     * @param call the operation to name in the exception
     * @throws CorruptedException if the mapping was truncated
     */
    public void checkIntact(String call) {
        notNull("checkIntact", call, "call");
        if (faultFlag != 0 && FaultGuards.faulted(faultFlag)) {
            throw truncated(call);
        }
    }

    private void intact(String call) {
        if (faultFlag != 0 && FaultGuards.faulted(faultFlag)) {
            throw truncated(call);
        }
    }

    private CorruptedException truncated(String call) {
        return new CorruptedException(call, name, 0, "the memory under the mapping is gone: another process"
                + " truncated the object, and this process now holds private zero pages there (reopen it)");
    }

    /**
     * The address of {@code [offset, offset+size)}, after checking it lies inside the open region:
     * for passing to a shim (sem_init at an offset, a futex word). Valid only while open.
     *
     * @param offset the first byte, from the start of the region
     * @param size   the number of bytes the caller will touch
     * @return the address of byte {@code offset}
     */
    public long address(long offset, long size) {
        check(offset, size);
        return address + offset;
    }

    /**
     * A direct ByteBuffer over the whole region, in native order, for code that must read at
     * memory speed (ipcj's ring buffer). Its own bounds checks hold; after {@link #close()} it
     * reads the zero placeholder, never freed memory.
     *
     * @return a new buffer over the region
     */
    public ByteBuffer buffer() {
        checkOpen();
        ByteBuffer b = readOnly ? buffer.asReadOnlyBuffer() : buffer.duplicate();
        return b.order(ByteOrder.nativeOrder());
    }

    /**
     * Reads the byte at {@code offset}.
     *
     * @param offset the byte's offset in the region
     * @return the byte
     * @throws IndexOutOfBoundsException if {@code [offset, offset+1)} is not inside the region
     */
    public byte getByte(long offset) {
        int i = check(offset, 1);
        try {
            byte v = buffer.get(i);
            intact("getByte");
            return v;
        } catch (InternalError e) {
            throw fault("getByte", e);
        }
    }

    /**
     * Writes {@code value} at {@code offset}.
     *
     * @param offset the byte's offset in the region
     * @param value  the byte to write
     * @throws IndexOutOfBoundsException if {@code [offset, offset+1)} is not inside the region
     */
    public void putByte(long offset, byte value) {
        int i = checkWrite(offset, 1);
        try {
            buffer.put(i, value);
            intact("putByte");
        } catch (InternalError e) {
            throw fault("putByte", e);
        }
    }

    /**
     * Reads the int at {@code offset}, in native byte order.
     *
     * @param offset the int's offset in the region
     * @return the int
     * @throws IndexOutOfBoundsException if {@code [offset, offset+4)} is not inside the region
     */
    public int getInt(long offset) {
        int i = check(offset, 4);
        try {
            int v = buffer.getInt(i);
            intact("getInt");
            return v;
        } catch (InternalError e) {
            throw fault("getInt", e);
        }
    }

    /**
     * Writes {@code value} at {@code offset}, in native byte order.
     *
     * @param offset the int's offset in the region
     * @param value  the int to write
     * @throws IndexOutOfBoundsException if {@code [offset, offset+4)} is not inside the region
     */
    public void putInt(long offset, int value) {
        int i = checkWrite(offset, 4);
        try {
            buffer.putInt(i, value);
            intact("putInt");
        } catch (InternalError e) {
            throw fault("putInt", e);
        }
    }

    /**
     * Reads the long at {@code offset}, in native byte order.
     *
     * @param offset the long's offset in the region
     * @return the long
     * @throws IndexOutOfBoundsException if {@code [offset, offset+8)} is not inside the region
     */
    public long getLong(long offset) {
        int i = check(offset, 8);
        try {
            long v = buffer.getLong(i);
            intact("getLong");
            return v;
        } catch (InternalError e) {
            throw fault("getLong", e);
        }
    }

    /**
     * Writes {@code value} at {@code offset}, in native byte order.
     *
     * @param offset the long's offset in the region
     * @param value  the long to write
     * @throws IndexOutOfBoundsException if {@code [offset, offset+8)} is not inside the region
     */
    public void putLong(long offset, long value) {
        int i = checkWrite(offset, 8);
        try {
            buffer.putLong(i, value);
            intact("putLong");
        } catch (InternalError e) {
            throw fault("putLong", e);
        }
    }

    /**
     * Copies {@code dst.length} bytes starting at {@code offset} into {@code dst}.
     *
     * @param offset the first byte to read
     * @param dst    where the bytes go
     * @throws IndexOutOfBoundsException if the bytes are not inside the region
     */
    public void getBytes(long offset, byte[] dst) {
        notNull("getBytes", dst, "dst");
        getBytes(offset, dst, 0, dst.length);
    }

    /**
     * Copies {@code count} bytes starting at {@code offset} into {@code dst} from {@code dstOffset}.
     *
     * @param offset    the first byte to read
     * @param dst       where the bytes go
     * @param dstOffset the index in {@code dst} of the first byte
     * @param count     how many bytes to copy
     * @throws IndexOutOfBoundsException if the bytes are not inside the region or {@code dst}
     */
    public void getBytes(long offset, byte[] dst, int dstOffset, int count) {
        notNull("getBytes", dst, "dst");
        java.util.Objects.checkFromIndexSize(dstOffset, count, dst.length);
        int i = check(offset, count);
        try {
            buffer.get(i, dst, dstOffset, count);
            intact("getBytes");
        } catch (InternalError e) {
            throw fault("getBytes", e);
        }
    }

    /**
     * Copies all of {@code src} into the region starting at {@code offset}.
     *
     * @param offset the first byte to write
     * @param src    the bytes to write
     * @throws IndexOutOfBoundsException if the bytes are not inside the region
     */
    public void putBytes(long offset, byte[] src) {
        notNull("putBytes", src, "src");
        putBytes(offset, src, 0, src.length);
    }

    /**
     * Copies {@code count} bytes of {@code src} from {@code srcOffset} into the region at {@code offset}.
     *
     * @param offset    the first byte to write
     * @param src       the bytes to write
     * @param srcOffset the index in {@code src} of the first byte
     * @param count     how many bytes to copy
     * @throws IndexOutOfBoundsException if the bytes are not inside the region or {@code src}
     */
    public void putBytes(long offset, byte[] src, int srcOffset, int count) {
        notNull("putBytes", src, "src");
        java.util.Objects.checkFromIndexSize(srcOffset, count, src.length);
        int i = checkWrite(offset, count);
        try {
            buffer.put(i, src, srcOffset, count);
            intact("putBytes");
        } catch (InternalError e) {
            throw fault("putBytes", e);
        }
    }

    /**
     * Reads the int at {@code offset} with volatile semantics.
     *
     * @param offset the int's offset; a multiple of 4 from a 4-aligned address
     * @return the int
     * @throws InvalidArgumentException if the address is not 4-byte aligned
     */
    public int getIntVolatile(long offset) {
        int i = checkAligned(offset, 4, false);
        try {
            int v = (int) INTS.getVolatile(buffer, i);
            intact("getIntVolatile");
            return v;
        } catch (InternalError e) {
            throw fault("getIntVolatile", e);
        }
    }

    /**
     * Writes {@code value} at {@code offset} with volatile semantics.
     *
     * @param offset the int's offset; the address must be 4-byte aligned
     * @param value  the int to write
     * @throws InvalidArgumentException if the address is not 4-byte aligned
     */
    public void putIntVolatile(long offset, int value) {
        int i = checkAligned(offset, 4, true);
        try {
            INTS.setVolatile(buffer, i, value);
            intact("putIntVolatile");
        } catch (InternalError e) {
            throw fault("putIntVolatile", e);
        }
    }

    // Every compare-and-set and get-and-add is preceded by a volatile load of the same word: the
    // JVM guards the load against a vanished page, not the CAS while interpreted (see Faults and
    // SharedAtomics, which keeps the unguarded code between the two a handful of bytecodes).

    /**
     * Atomically sets the int at {@code offset} to {@code value} if it is {@code expected}.
     *
     * @param offset   the int's offset; the address must be 4-byte aligned
     * @param expected the value the int must have
     * @param value    the value to store
     * @return true if the int was {@code expected} and now is {@code value}
     * @throws InvalidArgumentException if the address is not 4-byte aligned
     */
    public boolean compareAndSetInt(long offset, int expected, int value) {
        checkAligned(offset, 4, true);
        try {
            boolean v = SharedAtomics.casInt(address + offset, expected, value);
            intact("compareAndSetInt");
            return v;
        } catch (InternalError e) {
            throw fault("compareAndSetInt", e);
        } finally {
            java.lang.ref.Reference.reachabilityFence(this); // keeps the range mapped (see Unmapper)
        }
    }

    /**
     * Adds {@code delta} atomically; returns the value before. A loop of probed CASes (see above).
     *
     * @param offset the int's offset; the address must be 4-byte aligned
     * @param delta  what to add
     * @return the int before the addition
     * @throws InvalidArgumentException if the address is not 4-byte aligned
     */
    public int getAndAddInt(long offset, int delta) {
        checkAligned(offset, 4, true);
        long a = address + offset;
        try {
            for (;;) {
                int v = SharedAtomics.loadInt(a);
                if (SharedAtomics.casInt(a, v, v + delta)) {
                    intact("getAndAddInt");
                    return v;
                }
            }
        } catch (InternalError e) {
            throw fault("getAndAddInt", e);
        } finally {
            java.lang.ref.Reference.reachabilityFence(this);
        }
    }

    /**
     * Reads the long at {@code offset} with volatile semantics.
     *
     * @param offset the long's offset; the address must be 8-byte aligned
     * @return the long
     * @throws InvalidArgumentException if the address is not 8-byte aligned
     */
    public long getLongVolatile(long offset) {
        int i = checkAligned(offset, 8, false);
        try {
            long v = (long) LONGS.getVolatile(buffer, i);
            intact("getLongVolatile");
            return v;
        } catch (InternalError e) {
            throw fault("getLongVolatile", e);
        }
    }

    /**
     * Writes {@code value} at {@code offset} with volatile semantics.
     *
     * @param offset the long's offset; the address must be 8-byte aligned
     * @param value  the long to write
     * @throws InvalidArgumentException if the address is not 8-byte aligned
     */
    public void putLongVolatile(long offset, long value) {
        int i = checkAligned(offset, 8, true);
        try {
            LONGS.setVolatile(buffer, i, value);
            intact("putLongVolatile");
        } catch (InternalError e) {
            throw fault("putLongVolatile", e);
        }
    }

    /**
     * Atomically sets the long at {@code offset} to {@code value} if it is {@code expected}.
     *
     * @param offset   the long's offset; the address must be 8-byte aligned
     * @param expected the value the long must have
     * @param value    the value to store
     * @return true if the long was {@code expected} and now is {@code value}
     * @throws InvalidArgumentException if the address is not 8-byte aligned
     */
    public boolean compareAndSetLong(long offset, long expected, long value) {
        checkAligned(offset, 8, true);
        try {
            boolean v = SharedAtomics.casLong(address + offset, expected, value);
            intact("compareAndSetLong");
            return v;
        } catch (InternalError e) {
            throw fault("compareAndSetLong", e);
        } finally {
            java.lang.ref.Reference.reachabilityFence(this);
        }
    }

    /**
     * Adds {@code delta} atomically; returns the value before. A loop of probed CASes (see above).
     *
     * @param offset the long's offset; the address must be 8-byte aligned
     * @param delta  what to add
     * @return the long before the addition
     * @throws InvalidArgumentException if the address is not 8-byte aligned
     */
    public long getAndAddLong(long offset, long delta) {
        checkAligned(offset, 8, true);
        long a = address + offset;
        try {
            for (;;) {
                long v = SharedAtomics.loadLong(a);
                if (SharedAtomics.casLong(a, v, v + delta)) {
                    intact("getAndAddLong");
                    return v;
                }
            }
        } catch (InternalError e) {
            throw fault("getAndAddLong", e);
        } finally {
            java.lang.ref.Reference.reachabilityFence(this);
        }
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
        // Private zero pages now: nothing left to fault. The slot goes back to the guard's table.
        FaultGuards.unregister(faultFlag);
        if (onClose != null) {
            onClose.run();
        }
    }

    private CorruptedException fault(String call, InternalError e) {
        return Faults.truncated(call, name, e, -1);
    }

    private void notNull(String call, Object o, String param) {
        if (o == null) {
            throw new InvalidArgumentException(call, name, 0, param + " is null");
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
        private final long faultFlag;

        Unmapper(long address, long length, long faultFlag) {
            this.address = address;
            this.length = length;
            this.faultFlag = faultFlag;
        }

        @Override
        public void run() {
            // Out of the guard's table first: a later mapping at this address is someone else's.
            FaultGuards.unregister(faultFlag);
            PosixShm.munmap(address, length);
        }
    }
}
