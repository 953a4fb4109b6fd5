package dev.ipcj.internal;

import dev.ipcj.InvalidArgumentException;
import java.time.Duration;

/**
 * Timeouts as ipcj's timed calls take them: a {@link Duration} that saturates. A negative
 * duration means "do not wait"; one too long for a {@code long} of nanoseconds (up to
 * {@code Duration.ofSeconds(Long.MAX_VALUE)}) means "as long as it takes" in practice: it is cut
 * to {@link #MAX_NANOS} (73 years), so that deadlines on {@link System#nanoTime()} never overflow.
 */
public final class Timeouts {
    /** The longest wait in nanoseconds: Long.MAX_VALUE / 4, about 73 years. */
    public static final long MAX_NANOS = Long.MAX_VALUE / 4;

    private Timeouts() {
    }

    /**
     * The timeout in nanoseconds, 0..{@link #MAX_NANOS}.
     *
     * @throws InvalidArgumentException if {@code timeout} is null (naming {@code call} and {@code object})
     */
    public static long nanos(String call, String object, Duration timeout) {
        if (timeout == null) {
            throw new InvalidArgumentException(call, object, 0, "timeout is null");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            return 0;
        }
        if (timeout.getSeconds() >= MAX_NANOS / 1_000_000_000L) {
            return MAX_NANOS;
        }
        return Math.min(timeout.toNanos(), MAX_NANOS);
    }

    /**
     * {@code timeout} {@code unit}s as nanoseconds, the same way: 0 for zero or negative,
     * saturated at MAX_NANOS (TimeUnit.toNanos saturates at Long.MAX_VALUE first).
     */
    public static long nanos(String call, String object, long timeout, java.util.concurrent.TimeUnit unit) {
        if (unit == null) {
            throw new InvalidArgumentException(call, object, 0, "unit is null");
        }
        return timeout <= 0 ? 0 : Math.min(unit.toNanos(timeout), MAX_NANOS);
    }

    /** The System.nanoTime() deadline {@code nanos} (0..MAX_NANOS) from now. */
    public static long deadline(long nanos) {
        return System.nanoTime() + nanos;
    }

    /** The nanoseconds left until {@code deadline}, at least 0. */
    public static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }
}
