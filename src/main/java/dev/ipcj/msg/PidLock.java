package dev.ipcj.msg;

import dev.ipcj.jni.Sys;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.locks.LockSupport;

/**
 * A mutual-exclusion lock in one int of shared memory that holds the owner's pid (0 = free),
 * for critical sections of a few microseconds (a memcpy and two stores).
 *
 * <p>Why not a FileLock or a semaphore: {@code FileChannel.lock()} allocates a FileLock per
 * call and an interrupt closes the channel; a semaphore used as a mutex stays taken forever
 * when its holder is killed. Here a waiter spins briefly, then parks in 20 µs steps, and every
 * millisecond checks whether the owner process still exists: a lock left by a killed process is
 * taken over (the protected state is written so that an unfinished update is simply not
 * published). Threads of one process share the pid and exclude each other all the same.
 */
final class PidLock {
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final int SPINS = 200;

    private final ByteBuffer buffer;
    private final int offset;
    private final int pid;

    PidLock(ByteBuffer buffer, int offset, int pid) {
        this.buffer = buffer;
        this.offset = offset;
        this.pid = pid;
    }

    /** Takes the lock; InterruptedException (lock not taken) if interrupted while waiting. */
    void lock() throws InterruptedException {
        if (INT.compareAndSet(buffer, offset, 0, pid)) {
            return;
        }
        long nextCheck = System.nanoTime() + 1_000_000L;
        for (int spins = 0;; spins++) {
            int owner = (int) INT.getVolatile(buffer, offset);
            if (owner == 0) {
                if (INT.compareAndSet(buffer, offset, 0, pid)) {
                    return;
                }
                continue;
            }
            if (spins < SPINS) {
                Thread.onSpinWait();
                continue;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            LockSupport.parkNanos(20_000L);
            long now = System.nanoTime();
            if (now - nextCheck > 0) {
                nextCheck = now + 1_000_000L;
                if (owner != pid && Sys.pidAlive(owner) == 0
                        && INT.compareAndSet(buffer, offset, owner, pid)) {
                    return; // the owner was killed inside its critical section
                }
            }
        }
    }

    void unlock() {
        INT.setVolatile(buffer, offset, 0);
    }
}
