package dev.ipcj.msg;

import dev.ipcj.CorruptedException;
import dev.ipcj.IpcException;
import dev.ipcj.internal.Errno;
import dev.ipcj.internal.Faults;
import dev.ipcj.internal.Waiter;
import dev.ipcj.jni.Futex;
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
 * A file of /dev/shm mapped shared, with the accesses messaging makes to words another process
 * may write or truncate, following the rules of {@code dev.ipcj.internal.Faults}:
 * <ul>
 * <li>every load and store goes through a ByteBuffer VarHandle (which the JVM guards: a vanished
 *     page is an {@link InternalError}, not a crash); every compare-and-set and get-and-add is
 *     preceded by a guarded volatile load of the same word;
 * <li>futex waits and wakes are system calls: the kernel reads the word, and a truncated page is
 *     EFAULT, reported as a truncation;
 * <li>the file stays open, so a wait that returns can check its size ({@link #checkSize}).
 * </ul>
 * Callers catch the InternalError where they can name the object and turn it into
 * {@link #truncated}. The mapping lives as long as this object is reachable.
 */
final class SharedPage implements AutoCloseable {
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    /** Byte offset of the low 32 bits inside a 64-bit word: the half a futex can wait on. */
    static final int LOW_HALF = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 0 : 4;

    final String object;
    final int size;
    final java.nio.ByteBuffer buf;
    private final FileChannel channel;
    private final long address;

    private SharedPage(String object, FileChannel channel, java.nio.ByteBuffer buf, int size) {
        this.object = object;
        this.channel = channel;
        this.buf = buf;
        this.size = size;
        this.address = new Pointer(buf).address();
    }

    /**
     * Maps the first {@code size} bytes of {@code ch} (which must be at least that long) shared,
     * read-write or read-only; takes ownership of {@code ch}.
     */
    static SharedPage map(FileChannel ch, int size, boolean readOnly, String object) throws IOException {
        try {
            MappedByteBuffer b = ch.map(readOnly ? FileChannel.MapMode.READ_ONLY : FileChannel.MapMode.READ_WRITE, 0, size);
            b.order(ByteOrder.nativeOrder());
            return new SharedPage(object, ch, b, size);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Opens and maps {@code path}, which must be a regular file of at least {@code size} bytes. */
    static SharedPage open(Path path, int size, boolean readOnly, String call, String object) {
        FileChannel ch = ShmFiles.openRegular(path, readOnly, call, object);
        try {
            long actual = ch.size();
            if (actual < size) {
                throw new CorruptedException(call, object, 0, path + " is " + actual + " bytes, shorter than the "
                        + size + " it must hold");
            }
            return map(ch, size, readOnly, object);
        } catch (IOException e) {
            ShmFiles.closeQuietly(ch);
            throw new IpcException(call, object, 0, "mapping " + path + ": " + e);
        } catch (RuntimeException e) {
            ShmFiles.closeQuietly(ch);
            throw e;
        }
    }

    /** The file's size now (fstat), or -1 when it cannot be read. */
    long currentSize() {
        try {
            return channel == null ? -1 : channel.size();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Throws the truncation report when the file is now shorter than the mapping. */
    void checkSize(String call) {
        checkSize(call, size);
    }

    /** Throws the truncation report when the file is now shorter than {@code minimum} bytes. */
    void checkSize(String call, long minimum) {
        long s = currentSize();
        if (s >= 0 && s < minimum) {
            throw new CorruptedException(call, object, 0, "the memory under the mapping is gone: another process"
                    + " truncated the object (now " + s + " bytes, " + minimum + " in use)");
        }
    }

    /** The exception for a mapping fault during {@code call}; rethrows {@code e} if it is another InternalError. */
    CorruptedException truncated(String call, InternalError e) {
        return Faults.truncated(call, object, e, currentSize());
    }

    int getInt(int off) {
        return (int) INT.get(buf, off);
    }

    long getLong(int off) {
        return (long) LONG.get(buf, off);
    }

    void putInt(int off, int v) {
        INT.set(buf, off, v);
    }

    void putLong(int off, long v) {
        LONG.set(buf, off, v);
    }

    int getIntVolatile(int off) {
        return (int) INT.getVolatile(buf, off);
    }

    void setIntVolatile(int off, int v) {
        INT.setVolatile(buf, off, v);
    }

    long getLongVolatile(int off) {
        return (long) LONG.getVolatile(buf, off);
    }

    void setLongVolatile(int off, long v) {
        LONG.setVolatile(buf, off, v);
    }

    void setLongRelease(int off, long v) {
        LONG.setRelease(buf, off, v);
    }

    /*
     * Read-modify-writes: a guarded volatile load of the word (rule 2 of Faults), then the atomic
     * at once, both through Unsafe at the raw address, so that the window in which a truncation
     * can still hit the unguarded interpreted atomic is a few bytecodes, not the VarHandle call
     * chain (which, interpreted, took microseconds and was hit in the tests). The methods are run
     * on private memory at class initialisation, so that the JIT compiles them (compiled atomics
     * are guarded) before the first one touches shared memory.
     */

    /** CAS after a guarded volatile load of the same word. */
    boolean casInt(int off, int expected, int v) {
        long a = address + check(off, 4);
        boolean r = U.getIntVolatile(null, a) == expected && U.compareAndSwapInt(null, a, expected, v);
        Reference.reachabilityFence(buf);
        return r;
    }

    boolean casLong(int off, long expected, long v) {
        long a = address + check(off, 8);
        boolean r = U.getLongVolatile(null, a) == expected && U.compareAndSwapLong(null, a, expected, v);
        Reference.reachabilityFence(buf);
        return r;
    }

    int getAndAddInt(int off, int delta) {
        long a = address + check(off, 4);
        U.getIntVolatile(null, a);
        int r = U.getAndAddInt(null, a, delta);
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

    private static final sun.misc.Unsafe U = unsafe();

    private static sun.misc.Unsafe unsafe() {
        try {
            java.lang.reflect.Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static {
        // Warm-up on private memory: see the comment above the read-modify-writes.
        java.nio.ByteBuffer mem = java.nio.ByteBuffer.allocateDirect(64);
        SharedPage p = new SharedPage("warm-up", null, mem, 64);
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
    void futexWait(int off, int expected, long nanos, String call) throws InterruptedException {
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
    void futexWake(int off) {
        Futex.futexWake(address + off, Integer.MAX_VALUE);
        Reference.reachabilityFence(buf);
    }

    /** Closes the file; the mapping stays valid until this object is unreachable. */
    @Override
    public void close() {
        if (channel != null) {
            ShmFiles.closeQuietly(channel);
        }
    }
}
