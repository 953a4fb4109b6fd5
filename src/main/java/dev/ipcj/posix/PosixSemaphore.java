package dev.ipcj.posix;

import dev.ipcj.ClosedException;
import dev.ipcj.IpcException;
import dev.ipcj.LimitExceededException;
import dev.ipcj.internal.Errno;
import dev.ipcj.internal.UseCount;
import dev.ipcj.internal.Waiter;
import dev.ipcj.jni.PosixSem;
import java.time.Duration;

/**
 * A POSIX counting semaphore shared between processes: {@link NamedSemaphore} (sem_open) or
 * {@link UnnamedSemaphore} (sem_init inside a shared mapping). The vocabulary is that of
 * {@link java.util.concurrent.Semaphore}, one permit at a time.
 *
 * <p>Blocking: {@link #acquire()} sleeps in the kernel (a futex) and returns with
 * {@link InterruptedException} when the thread is interrupted, without taking a permit; a
 * permit taken at the same moment as the interrupt is kept and the interrupt status stays set
 * (see {@code dev.ipcj.internal.Waiter}). EINTR from other signals is retried.
 *
 * <p>{@link #close()} from one thread while another is blocked on the semaphore is safe: the
 * handle refuses new calls at once, and the semaphore is released when the blocked call returns.
 */
public abstract sealed class PosixSemaphore implements AutoCloseable permits NamedSemaphore, UnnamedSemaphore {
    /** SEM_VALUE_MAX on Linux. */
    public static final int VALUE_MAX = Integer.MAX_VALUE;

    final String name;
    final long sem;
    final UseCount uses;

    PosixSemaphore(String name, long sem, Runnable release) {
        this.name = name;
        this.sem = sem;
        this.uses = new UseCount(release);
    }

    /** The name (named) or "region@offset" (unnamed), as error messages give it. */
    public String name() {
        return name;
    }

    /** Takes a permit, waiting as long as it takes. */
    public void acquire() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException(); // as j.u.c: an interrupted thread does not take permits
        }
        enter();
        try {
            if (PosixSem.semTrywait(sem) == 0) {
                return;
            }
            Waiter w = Waiter.current();
            for (;;) {
                int r;
                boolean interrupted;
                w.enter();
                try {
                    r = PosixSem.semWait(sem);
                } finally {
                    interrupted = w.exit();
                }
                if (r == 0) {
                    return;
                }
                if (Waiter.retry(r, interrupted)) {
                    continue; // EINTR from a stray signal
                }
                throw IpcException.of("sem_wait", name, r);
            }
        } finally {
            uses.exit();
        }
    }

    /** Takes a permit if one is free now. */
    public boolean tryAcquire() {
        enter();
        try {
            for (;;) {
                int r = PosixSem.semTrywait(sem);
                if (r == 0) {
                    return true;
                }
                if (r == -Errno.EAGAIN) {
                    return false;
                }
                if (r != -Errno.EINTR) {
                    throw IpcException.of("sem_trywait", name, r);
                }
            }
        } finally {
            uses.exit();
        }
    }

    /** Takes a permit, waiting at most {@code timeout}: false if none came in time. */
    public boolean tryAcquire(Duration timeout) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        long deadline = System.nanoTime() + timeoutNanos(timeout);
        enter();
        try {
            if (PosixSem.semTrywait(sem) == 0) {
                return true;
            }
            Waiter w = Waiter.current();
            for (;;) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return PosixSem.semTrywait(sem) == 0;
                }
                int r;
                boolean interrupted;
                w.enter();
                try {
                    r = PosixSem.semTimedwait(sem, remaining);
                } finally {
                    interrupted = w.exit();
                }
                if (r == 0) {
                    return true;
                }
                if (Waiter.retry(r, interrupted)) {
                    continue; // EINTR from a stray signal
                }
                if (r != -Errno.ETIMEDOUT) {
                    throw IpcException.of("sem_timedwait", name, r);
                }
            }
        } finally {
            uses.exit();
        }
    }

    /** Returns a permit, waking one waiter. */
    public void release() {
        enter();
        try {
            int r = PosixSem.semPost(sem);
            if (r == -Errno.EOVERFLOW) {
                throw new LimitExceededException("sem_post", name, Errno.EOVERFLOW,
                        "the value would exceed SEM_VALUE_MAX " + VALUE_MAX);
            }
            if (r < 0) {
                throw IpcException.of("sem_post", name, r);
            }
        } finally {
            uses.exit();
        }
    }

    /** The current value (permits free now; 0 when threads wait). */
    public int value() {
        enter();
        try {
            int r = PosixSem.semGetvalue(sem);
            if (r < 0) {
                throw IpcException.of("sem_getvalue", name, r);
            }
            return r;
        } finally {
            uses.exit();
        }
    }

    public boolean isOpen() {
        return !uses.isClosed();
    }

    /** Closes this handle. The semaphore itself stays for other processes. Idempotent. */
    @Override
    public void close() {
        uses.close();
    }

    final void enter() {
        if (!uses.tryEnter()) {
            throw new ClosedException("sem", name, 0, "the semaphore handle is closed");
        }
    }

    static long timeoutNanos(Duration timeout) {
        if (timeout.isNegative()) {
            return 0;
        }
        try {
            return timeout.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 2;
        }
    }

    static void checkValue(String call, String name, int value) {
        if (value < 0) {
            throw new dev.ipcj.InvalidArgumentException(call, name, 0,
                    "initial value " + value + " must be between 0 and SEM_VALUE_MAX " + VALUE_MAX);
        }
    }
}
