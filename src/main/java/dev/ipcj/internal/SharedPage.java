package dev.ipcj.internal;

import dev.ipcj.CorruptedException;
import dev.ipcj.IpcException;
import dev.ipcj.MappedRegion;
import dev.ipcj.NotFoundException;
import dev.ipcj.jni.Futex;
import dev.ipcj.jni.PosixShm;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.bytedeco.javacpp.Pointer;

/**
 * A file of /dev/shm mapped shared, with the accesses messaging and the shared log make to words
 * another process may write or truncate.
 *
 * <p>Files in /dev/shm are mapped as POSIX shared memory objects ({@link ShmObjects}: opened
 * without following links and without blocking, refused unless a regular file), into a
 * {@code MappedRegion}, which registers the mapping with ipcj's fault guard
 * ({@code dev.ipcj.internal.FaultGuards}): when another process truncates the object and this
 * process touches a page past the new end, the guard puts a private zero page there and raises
 * the region's flag instead of letting the SIGBUS reach the JVM. Every access then completes, on
 * memory no longer shared, so callers check {@link #checkIntact} at each point of no return (a
 * lock taken, a commit, a claim, a success reported) and report CorruptedException there.
 *
 * <p>Where the guard is off ({@code -Dipcj.faultGuard=false}, a full table, or a directory
 * other than /dev/shm) the rules of {@code dev.ipcj.internal.Faults} apply instead: every load and
 * store goes through a ByteBuffer VarHandle, which the JVM guards (a vanished page is an
 * {@link InternalError}); every compare-and-set and get-and-add is preceded by a guarded volatile
 * load of the same word; callers catch the InternalError and turn it into {@link #truncated}.
 * Either way futex waits and wakes are system calls (a vanished page is EFAULT), and the object
 * stays open, so a wait that returns can check its size ({@link #checkSize}).
 *
 * <p>The mapping lives as long as this object is reachable: {@link #close()} closes the file,
 * never the mapping under a thread still using it (a closed handle must not make a critical
 * section on another thread write into placeholder pages).
 */
public final class SharedPage implements AutoCloseable {
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    /** Byte offset of the low 32 bits inside a 64-bit word: the half a futex can wait on. */
    public static final int LOW_HALF = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 0 : 4;

    public final String object;
    public final int size;
    public final java.nio.ByteBuffer buf;
    private final FileChannel channel;
    /** The shm descriptor (its uses counted, so that no fstat reaches a reused number after close), or null. */
    private final UseCount shm;
    private final int fd;
    private final MappedRegion region;
    private final long address;

    private SharedPage(String object, FileChannel channel, int fd, MappedRegion region,
                       java.nio.ByteBuffer buf, int size) {
        this.object = object;
        this.channel = channel;
        this.fd = fd;
        this.shm = fd >= 0 ? new UseCount(() -> PosixShm.close(fd)) : null;
        this.region = region;
        this.buf = buf;
        this.size = size;
        this.address = region != null ? region.address(0, size) : new Pointer(buf).address();
    }

    /**
     * Opens and maps the first {@code size} bytes of {@code path}, which must be a regular file of
     * at least that many bytes.
     */
    public static SharedPage open(Path path, int size, boolean readOnly, String call, String object) {
        java.nio.file.attribute.PosixFileAttributes a = ShmFiles.attributes(path, call, object);
        if (a == null) {
            throw new NotFoundException(call, object, Errno.ENOENT, path + " does not exist");
        }
        if (!a.isRegularFile()) {
            throw new CorruptedException(call, object, 0, path + " is not a regular file: not an ipcj object");
        }
        if (ShmFiles.DIR.equals(path.getParent())) {
            return openShm(path, size, readOnly, call, object);
        }
        FileChannel ch = ShmFiles.openRegular(path, readOnly, call, object);
        try {
            long actual = ch.size();
            if (actual < size) {
                throw new CorruptedException(call, object, 0, path + " is " + actual + " bytes, shorter than the "
                        + size + " it must hold");
            }
            MappedByteBuffer b = ch.map(readOnly ? FileChannel.MapMode.READ_ONLY : FileChannel.MapMode.READ_WRITE, 0, size);
            b.order(ByteOrder.nativeOrder());
            return new SharedPage(object, ch, -1, null, b, size);
        } catch (IOException e) {
            ShmFiles.closeQuietly(ch);
            throw new IpcException(call, object, 0, "mapping " + path + ": " + e);
        } catch (RuntimeException e) {
            ShmFiles.closeQuietly(ch);
            throw e;
        }
    }

    private static SharedPage openShm(Path path, int size, boolean readOnly, String call, String object) {
        String name = "/" + path.getFileName();
        int fd = ShmObjects.open(name, readOnly);
        try {
            long actual = ShmObjects.stat(fd, name)[0];
            if (actual < size) {
                throw new CorruptedException(call, object, 0, path + " is " + actual + " bytes, shorter than the "
                        + size + " it must hold");
            }
            MappedRegion r = ShmObjects.map(fd, name, 0, size, readOnly);
            return new SharedPage(object, null, fd, r, r.buffer(), size);
        } catch (RuntimeException e) {
            PosixShm.close(fd);
            throw e;
        }
    }

    /** The file's size now (fstat), or -1 when it cannot be read. */
    public long currentSize() {
        try {
            if (shm == null) {
                return channel.size();
            }
            if (!shm.tryEnter()) {
                return -1; // closed
            }
            try {
                return ShmObjects.stat(fd, object)[0];
            } finally {
                shm.exit();
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Whether the fault guard found a page of this mapping gone (always false without the guard). */
    public boolean isTruncated() {
        return region != null && region.isTruncated();
    }

    /**
     * Throws CorruptedException when the fault guard found a page of this mapping gone: what this
     * process wrote or read since then went to private zero pages, not to the shared object. A
     * load of a process-local flag: cheap enough for any data path.
     */
    public void checkIntact(String call) {
        if (region != null && region.isTruncated()) {
            throw new CorruptedException(call, object, 0, "the memory under the mapping is gone: another process"
                    + " truncated the object" + sizeNow());
        }
    }

    private String sizeNow() {
        long s = currentSize();
        return s >= 0 ? " (now " + s + " bytes)" : "";
    }

    /** Throws the truncation report when the file is now shorter than the mapping. */
    public void checkSize(String call) {
        checkSize(call, size);
    }

    /** Throws the truncation report when the file is now shorter than {@code minimum} bytes. */
    public void checkSize(String call, long minimum) {
        checkIntact(call);
        long s = currentSize();
        if (s >= 0 && s < minimum) {
            throw new CorruptedException(call, object, 0, "the memory under the mapping is gone: another process"
                    + " truncated the object (now " + s + " bytes, " + minimum + " in use)");
        }
    }

    /** The exception for a mapping fault during {@code call}; rethrows {@code e} if it is another InternalError. */
    public CorruptedException truncated(String call, InternalError e) {
        return Faults.truncated(call, object, e, currentSize());
    }

    public int getInt(int off) {
        return (int) INT.get(buf, off);
    }

    public long getLong(int off) {
        return (long) LONG.get(buf, off);
    }

    public void putInt(int off, int v) {
        INT.set(buf, off, v);
    }

    public void putLong(int off, long v) {
        LONG.set(buf, off, v);
    }

    public int getIntVolatile(int off) {
        return (int) INT.getVolatile(buf, off);
    }

    public void setIntVolatile(int off, int v) {
        INT.setVolatile(buf, off, v);
    }

    public long getLongVolatile(int off) {
        return (long) LONG.getVolatile(buf, off);
    }

    public void setLongVolatile(int off, long v) {
        LONG.setVolatile(buf, off, v);
    }

    public void setLongRelease(int off, long v) {
        LONG.setRelease(buf, off, v);
    }

    /*
     * Read-modify-writes: a guarded volatile load of the word (rule 2 of Faults), then the atomic
     * at once, both through MemoryAccess at the raw address, so that the window in which a truncation
     * can still hit the unguarded interpreted atomic is a few bytecodes, not the VarHandle call
     * chain (which, interpreted, took microseconds and was hit in the tests). The methods are run
     * on private memory at class initialisation, so that the JIT compiles them (compiled atomics
     * are guarded) before the first one touches shared memory.
     */

    /** CAS after a guarded volatile load of the same word. */
    public boolean casInt(int off, int expected, int v) {
        long a = address + check(off, 4);
        boolean r = MemoryAccess.getIntVolatile(a) == expected && MemoryAccess.compareAndSetInt(a, expected, v);
        Reference.reachabilityFence(buf);
        return r;
    }

    public boolean casLong(int off, long expected, long v) {
        long a = address + check(off, 8);
        boolean r = MemoryAccess.getLongVolatile(a) == expected && MemoryAccess.compareAndSetLong(a, expected, v);
        Reference.reachabilityFence(buf);
        return r;
    }

    public int getAndAddInt(int off, int delta) {
        long a = address + check(off, 4);
        MemoryAccess.getIntVolatile(a);
        int r = MemoryAccess.getAndAddInt(a, delta);
        Reference.reachabilityFence(buf);
        return r;
    }

    /** {@code off}, if a word of {@code size} bytes there lies in the mapping and is aligned. */
    private int check(int off, int size) {
        if (off < 0 || off > this.size - size || (off & (size - 1)) != 0) {
            throw new IndexOutOfBoundsException("offset " + off + " of a " + size + "-byte word in " + this.size);
        }
        return off;
    }


    static {
        // Warm-up on private memory: see the comment above the read-modify-writes.
        java.nio.ByteBuffer mem = java.nio.ByteBuffer.allocateDirect(64);
        SharedPage p = new SharedPage("warm-up", null, -1, null, mem, 64);
        for (int i = 0; i < 20_000; i++) {
            p.casLong(8, i, i + 1);
            p.casInt(16, i, i + 1);
            p.getAndAddInt(24, 1);
        }
    }

    /**
     * FUTEX_WAIT on the 32-bit word at {@code off} while it holds {@code expected}, at most
     * {@code nanos} (&gt; 0). Returns normally when woken, when the word differed, or on timeout;
     * InterruptedException when interrupted; a truncation report when the page is gone.
     */
    public void futexWait(int off, int expected, long nanos, String call) throws InterruptedException {
        Waiter w = Waiter.current();
        for (;;) {
            w.enter();
            int r;
            boolean interrupted;
            try {
                r = Futex.futexWait(address + off, expected, nanos);
            } finally {
                interrupted = w.exit();
                Reference.reachabilityFence(buf);
            }
            if (r == 0 || r == -Errno.EAGAIN || r == -Errno.ETIMEDOUT) {
                return;
            }
            if (Waiter.retry(r, interrupted)) {
                return; // a stray signal: the caller re-checks and waits again
            }
            if (r == -Errno.EFAULT) {
                checkSize(call);
                throw new CorruptedException(call, object, Errno.EFAULT, "futex on the mapping failed: the memory"
                        + " under it is gone (another process truncated the object)");
            }
            throw IpcException.of("futex(FUTEX_WAIT)", object, r);
        }
    }

    /** FUTEX_WAKE every waiter on the word at {@code off}; a vanished page is ignored (the next access reports it). */
    public void futexWake(int off) {
        Futex.futexWake(address + off, Integer.MAX_VALUE);
        Reference.reachabilityFence(buf);
    }

    /** Closes the file; the mapping stays valid (and guarded) until this object is unreachable. */
    @Override
    public void close() {
        if (channel != null) {
            ShmFiles.closeQuietly(channel);
        }
        if (shm != null) {
            shm.close();
        }
    }
}
