package dev.ipcj.internal;

import dev.ipcj.jni.Bell;
import dev.ipcj.jni.Sys;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A table of WaitSet doorbells in a shared header: {@link #SLOTS} 64-bit slots, each 0 (free)
 * or one WaitSet's bell, pid in bits 0..31 and the bell's id in bits 32..63 (the abstract
 * socket name {@code "\0ipcj-ws-PID-ID"} of {@code ipcj_bell.h}).
 *
 * <pre>
 *   WaitSet (before it sleeps)                 waker (after its change: a record published, ...)
 *   attach(): CAS a free slot to its bell      the object's futex waiters word is non-zero?
 *   arm():    waiters word = 1; fence            CAS it 0; FUTEX_WAKE           (as before)
 *   re-check the real condition;                 ringAll(): for each slot != 0:
 *   unchanged: epoll_wait(bell socket, ...)        sendto(bell, 1 byte)  (EAGAIN: rung already)
 *                                                  ECONNREFUSED/ENOENT: CAS the slot 0 (stale)
 * </pre>
 *
 * The WaitSet announces itself exactly as a futex sleeper does, on the same word, so a waker
 * pays for the table only where it already makes a system call (a sleeper announced itself):
 * the busy path reads nothing more. Either the WaitSet's re-check sees the change or the waker
 * sees the word set (the object's own argument, see its class comment) and then rings every
 * slot. A WaitSet killed with kill -9 leaves its slot (and maybe the word) set: its socket name
 * vanished with it, so the next waker that rings it gets ECONNREFUSED once and frees the slot.
 * A WaitSet that finds every slot taken by live WaitSets is told so and polls instead.
 */
public final class BellTable {
    /** Slots per table. */
    public static final int SLOTS = 8;
    /** Bytes of a table. */
    public static final int SIZE = SLOTS * 8;
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private static volatile int sender = -1;

    private final ByteBuffer buf;
    private final int off;

    /**
     * The table at {@code off} of {@code buf}, a shared mapping.
     *
     * @param buf the mapping
     * @param off the table's offset, 8-byte aligned
     */
    public BellTable(ByteBuffer buf, int off) {
        this.buf = buf;
        this.off = off;
    }

    /** The 64-bit slot value of bell (pid, id). */
    public static long bell(int pid, int id) {
        return ((long) id << 32) | (pid & 0xFFFFFFFFL);
    }

    /**
     * Registers {@code bell}: takes a free slot, or one whose process is dead. Frees the slots of
     * dead processes on the way (a WaitSet killed with kill -9). False when all are held by live
     * processes.
     */
    public boolean attach(long bell) {
        for (int i = 0; i < SLOTS; i++) {
            int at = off + 8 * i;
            long v = (long) LONG.getVolatile(buf, at);
            if (v == bell) {
                return true;
            }
            if (v != 0 && Sys.pidAlive((int) v) == 0) {
                FaultPoint.deliver();
                LONG.compareAndSet(buf, at, v, 0L);
            }
        }
        for (int i = 0; i < SLOTS; i++) {
            int at = off + 8 * i;
            long v = (long) LONG.getVolatile(buf, at);
            if (v == 0 || Sys.pidAlive((int) v) == 0) {
                FaultPoint.deliver();
                if (LONG.compareAndSet(buf, at, v, bell)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Gives back the slot of {@code bell}, if it holds one. Never throws for a vanished page. */
    public void detach(long bell) {
        try {
            for (int i = 0; i < SLOTS; i++) {
                int at = off + 8 * i;
                if ((long) LONG.getVolatile(buf, at) == bell) {
                    FaultPoint.deliver();
                    LONG.compareAndSet(buf, at, bell, 0L);
                }
            }
        } catch (InternalError e) {
            if (!Faults.isMappingFault(e)) {
                throw e;
            }
        }
    }

    /**
     * Rings every bell in the table: called by a waker that found the object's waiters word
     * set (it is making a system call anyway). Frees slots of bells nobody owns any more.
     * Never throws: a bell that cannot be rung costs its WaitSet one polling slice.
     */
    public void ringAll() {
        try {
            for (int i = 0; i < SLOTS; i++) {
                int at = off + 8 * i;
                long v = (long) LONG.getVolatile(buf, at);
                if (v != 0) {
                    int r = Bell.ring(sender(), (int) v, (int) (v >>> 32));
                    if (r == -Errno.ECONNREFUSED || r == -Errno.ENOENT) {
                        FaultPoint.deliver();
                        LONG.compareAndSet(buf, at, v, 0L);
                    }
                }
            }
        } catch (InternalError e) {
            if (!Faults.isMappingFault(e)) {
                throw e;
            }
        }
    }

    /** This process's socket to ring from, made once (an unbound datagram socket). */
    private static int sender() {
        int s = sender;
        if (s < 0) {
            synchronized (BellTable.class) {
                s = sender;
                if (s < 0) {
                    s = Bell.sender();
                    if (s >= 0) {
                        sender = s;
                    }
                }
            }
        }
        return s;
    }
}
