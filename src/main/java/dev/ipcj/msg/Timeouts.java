package dev.ipcj.msg;

import dev.ipcj.internal.Waits;
import java.time.Duration;

/** Messaging's name for {@link Waits}, the shared-memory waits' timeout convention (see there). */
final class Timeouts {
    static final long FOREVER_NANOS = Waits.FOREVER_NANOS;

    private Timeouts() {
    }

    static long nanos(Duration timeout, String call, String object) {
        return Waits.nanos(timeout, call, object);
    }

    static long deadline(long nanos) {
        return Waits.deadline(nanos);
    }

    static long remaining(long nanos, long deadline) {
        return Waits.remaining(nanos, deadline);
    }

    static boolean expired(long nanos, long deadline) {
        return Waits.expired(nanos, deadline);
    }

    static long slice(long nanos, long deadline, long slice) {
        return Waits.slice(nanos, deadline, slice);
    }
}
