package dev.ipcj.msg;

import dev.ipcj.posix.PosixSemaphore;
import java.time.Duration;

/**
 * Semaphore waits in the SPI's timeout convention (negative forever, 0 try, positive timed).
 *
 * <p>A wait that cannot take a permit at once first spins for up to {@value #SPIN_NANOS} ns,
 * retrying without sleeping, and only then sleeps in the kernel. A sender that finds a bounded
 * mailbox full while its receiver is busy draining it gets a permit within a microsecond or two;
 * sleeping instead would cost it a futex wait and the receiver a futex wake (a system call each)
 * for every few messages. An idle wait still sleeps after at most {@value #SPIN_NANOS} ns.
 */
final class Sems {
    static final long SPIN_NANOS = 5_000;

    private Sems() {
    }

    static boolean acquire(PosixSemaphore s, long nanos) throws InterruptedException {
        if (nanos != 0 && Thread.interrupted()) {
            throw new InterruptedException(); // as j.u.c: an interrupted thread takes no permit
        }
        if (nanos != 0 && s.tryAcquire()) {
            return true;
        }
        if (nanos != 0 && spin(s, nanos < 0 ? SPIN_NANOS : Math.min(nanos, SPIN_NANOS))) {
            return true;
        }
        if (nanos < 0) {
            s.acquire();
            return true;
        }
        if (nanos == 0) {
            return s.tryAcquire();
        }
        return s.tryAcquire(Duration.ofNanos(nanos));
    }

    private static boolean spin(PosixSemaphore s, long nanos) throws InterruptedException {
        long end = System.nanoTime() + nanos;
        do {
            Thread.onSpinWait();
            if (s.tryAcquire()) {
                return true;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        } while (System.nanoTime() - end < 0);
        return false;
    }

    /** Nanoseconds left until {@code deadline} for a wait of {@code nanos}: negative stays forever, never below 0 otherwise. */
    static long remaining(long nanos, long deadline) {
        if (nanos <= 0) {
            return nanos;
        }
        long r = deadline - System.nanoTime();
        return r > 0 ? r : 0;
    }

    static long nanos(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            return 0;
        }
        try {
            return timeout.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }
}
