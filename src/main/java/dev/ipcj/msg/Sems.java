package dev.ipcj.msg;

import dev.ipcj.posix.PosixSemaphore;
import java.time.Duration;

/** Semaphore waits in the SPI's timeout convention (negative forever, 0 try, positive timed). */
final class Sems {
    private Sems() {
    }

    static boolean acquire(PosixSemaphore s, long nanos) throws InterruptedException {
        if (nanos < 0) {
            s.acquire();
            return true;
        }
        if (nanos == 0) {
            return s.tryAcquire();
        }
        return s.tryAcquire(Duration.ofNanos(nanos));
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
