package dev.ipcj.internal;

import dev.ipcj.InvalidArgumentException;
import java.time.Duration;

/**
 * Timeouts in the convention of the shared-memory waits (the messaging SPI, the log):
 * nanoseconds, negative waits forever, 0 tries once without waiting, positive waits at most that
 * long. Durations saturate: anything longer than about 292
 * years (including {@code Duration.ofSeconds(Long.MAX_VALUE)}) means forever, never an overflow.
 */
public final class Waits {
    /** Waits longer than this are forever (292 years: Long.MAX_VALUE / 2 nanoseconds keeps deadlines safe). */
    public static final long FOREVER_NANOS = Long.MAX_VALUE / 2;

    private Waits() {
    }

    /** {@code timeout} in the SPI's convention: zero or negative 0 (try), huge -1 (forever). */
    public static long nanos(Duration timeout, String call, String object) {
        if (timeout == null) {
            throw new InvalidArgumentException(call, object, 0, "timeout is null");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            return 0;
        }
        long s = timeout.getSeconds();
        if (s >= FOREVER_NANOS / 1_000_000_000L) {
            return -1;
        }
        return s * 1_000_000_000L + timeout.getNano();
    }

    /** The deadline (System.nanoTime()) of a wait of {@code nanos}; meaningful only when nanos &gt; 0. */
    public static long deadline(long nanos) {
        return nanos > 0 ? System.nanoTime() + nanos : 0;
    }

    /**
     * Nanoseconds left of a wait of {@code nanos} that ends at {@code deadline}: negative
     * (forever) and 0 (try) stay as they are; a timed wait never goes below 0.
     */
    public static long remaining(long nanos, long deadline) {
        if (nanos <= 0) {
            return nanos;
        }
        long r = deadline - System.nanoTime();
        return r > 0 ? r : 0;
    }

    /** Whether a timed wait of {@code nanos} ending at {@code deadline} is over (never for forever). */
    public static boolean expired(long nanos, long deadline) {
        return nanos == 0 || nanos > 0 && deadline - System.nanoTime() <= 0;
    }

    /** The next sleep of a wait: at most {@code slice}, at most what is left; forever waits sleep a slice. */
    public static long slice(long nanos, long deadline, long slice) {
        if (nanos < 0) {
            return slice;
        }
        return Math.min(slice, remaining(nanos, deadline));
    }
}
