package dev.ipcj.sysv;

import dev.ipcj.InvalidArgumentException;
import dev.ipcj.LimitExceededException;
import dev.ipcj.internal.Allocate;
import dev.ipcj.internal.DirectBuffers;
import java.nio.ByteBuffer;

/**
 * A reusable list of semaphore operations that {@link SemaphoreSet#apply(SemOps)} performs
 * atomically: all of them, or (while any one would block) none. Kept in a direct buffer as the
 * kernel's {@code struct sembuf} array, so applying it copies and allocates nothing in Java:
 *
 * <pre>
 *   offset   size  field
 *   -------  ----  --------------------------------------------------------------
 *   6*i      2     sem_num  (unsigned short) index in the set
 *   6*i + 2  2     sem_op   (short) &gt;0 add; &lt;0 wait until it can subtract; 0 wait for zero
 *   6*i + 4  2     sem_flg  (short) {@link #UNDO} (SEM_UNDO 010000), {@link #NO_WAIT} (IPC_NOWAIT 04000)
 * </pre>
 *
 * Not thread-safe: build one per thread, or per exchange.
 */
public final class SemOps {
    /** SEM_UNDO: the kernel reverts this operation when the process exits, however it exits. */
    public static final int UNDO = 010000;
    /** IPC_NOWAIT on this operation: the whole call fails at once instead of waiting. */
    public static final int NO_WAIT = 04000;
    static final int SEMBUF = 6;

    private final ByteBuffer buf;
    private final long address;
    private final int capacity;
    /** The flags as added, so that a tryApply's temporary NO_WAIT can be taken back. */
    private final short[] flags;
    private int count;

    private SemOps(int capacity) {
        this.capacity = capacity;
        this.buf = Allocate.direct("SemOps.allocate", null, capacity * SEMBUF);
        this.address = DirectBuffers.address(buf);
        this.flags = new short[capacity];
    }

    /**
     * Room for {@code capacity} operations (the kernel allows /proc/sys/kernel/sem SEMOPM per call).
     *
     * @param capacity the most operations
     * @return the empty list of operations
     */
    public static SemOps allocate(int capacity) {
        if (capacity < 1 || capacity > 65536) {
            throw new InvalidArgumentException("SemOps", null, 0, "capacity " + capacity + " is outside 1..65536");
        }
        return new SemOps(capacity);
    }

    /**
     * Adds one operation.
     *
     * @param num   semaphore index
     * @param delta -32767..32767: added to the value; negative waits until the value allows it;
     *              0 waits until the value is zero
     * @param flags 0, {@link #UNDO}, {@link #NO_WAIT}, or both
     * @return this
     * @throws IndexOutOfBoundsException if {@code num} is outside 0..65535 (sem_num is 16 bits)
     * @throws LimitExceededException if this SemOps is full
     */
    public SemOps add(int num, int delta, int flags) {
        check(num, delta, flags);
        if (count == capacity) {
            throw new LimitExceededException("SemOps.add", null, 0, "this SemOps holds at most " + capacity
                    + " operations (allocate a larger one)");
        }
        int o = count * SEMBUF;
        buf.putShort(o, (short) num);
        buf.putShort(o + 2, (short) delta);
        buf.putShort(o + 4, (short) flags);
        this.flags[count] = (short) flags;
        count++;
        return this;
    }

    /**
     * Removes all operations, for reuse.
     *
     * @return this
     */
    public SemOps clear() {
        count = 0;
        return this;
    }

    /**
     * The number of operations added.
     *
     * @return the count
     */
    public int count() {
        return count;
    }

    /**
     * The semaphore index of operation {@code i}.
     *
     * @param i the operation's index
     * @return the semaphore index
     * @throws IndexOutOfBoundsException outside 0..count()-1
     */
    public int num(int i) {
        java.util.Objects.checkIndex(i, count);
        return buf.getShort(i * SEMBUF) & 0xffff;
    }

    /**
     * The delta of operation {@code i}.
     *
     * @param i the operation's index
     * @return the delta
     * @throws IndexOutOfBoundsException outside 0..count()-1
     */
    public int delta(int i) {
        java.util.Objects.checkIndex(i, count);
        return buf.getShort(i * SEMBUF + 2);
    }

    /** Adds IPC_NOWAIT to every operation (true), or restores the flags as added (false). */
    void noWait(boolean on) {
        for (int i = 0; i < count; i++) {
            buf.putShort(i * SEMBUF + 4, (short) (on ? flags[i] | NO_WAIT : flags[i]));
        }
    }

    long address() {
        return address;
    }

    static void check(int num, int delta, int flags) {
        if (num < 0 || num > 65535) {
            throw new IndexOutOfBoundsException("semaphore index " + num + " is outside 0..65535");
        }
        if (delta < -SysvLimits.SEMVMX || delta > SysvLimits.SEMVMX) {
            throw new InvalidArgumentException("semop", null, 0,
                    "delta " + delta + " is outside -" + SysvLimits.SEMVMX + ".." + SysvLimits.SEMVMX + " (SEMVMX)");
        }
        if ((flags & ~(UNDO | NO_WAIT)) != 0) {
            throw new InvalidArgumentException("semop", null, 0,
                    "flags 0" + Integer.toOctalString(flags) + " allow only UNDO and NO_WAIT");
        }
    }
}
