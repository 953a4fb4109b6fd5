package dev.ipcj.posix;

import dev.ipcj.ClosedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.IpcException;
import dev.ipcj.LimitExceededException;
import dev.ipcj.PermissionDeniedException;
import dev.ipcj.WouldBlockException;
import dev.ipcj.internal.Errno;
import dev.ipcj.internal.Timeouts;
import dev.ipcj.internal.UseCount;
import dev.ipcj.internal.Waiter;
import dev.ipcj.jni.PosixMq;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * {@link MessageQueue}'s send paths: blocking, non-blocking and timed, each first trying without
 * a wait (one system call when the queue has room), from a direct buffer in place or from a heap
 * buffer through a per-thread scratch copy; and the checks and error messages they share.
 */
final class MqSend {
    /** Send or receive without waiting, for the first try and the non-blocking forms. */
    private static final long NO_WAIT = -1;

    private final MessageQueue q;
    // The queue's facts, copied from it: final there, read here on every call.
    private final String name;
    private final int mqd;
    private final UseCount uses;
    private final int maxMessageSize;
    private final MessageQueue.Access access;

    MqSend(MessageQueue q) {
        this.q = q;
        this.name = q.name();
        this.mqd = q.mqd;
        this.uses = q.uses;
        this.maxMessageSize = q.maxMessageSize();
        this.access = q.access();
    }

    /** See {@link MessageQueue#send(ByteBuffer, int)}. */
    void send(ByteBuffer src, int priority) throws InterruptedException {
        int len = checkSend(src, priority);
        if (Thread.interrupted()) {
            throw new InterruptedException(); // as j.u.c: an interrupted thread does not send
        }
        q.enter();
        try {
            long addr = sourceAddress(src, len);
            // First without waiting, so that a send into a queue with room costs one system call
            // and none of the Waiter's bookkeeping (about 100 ns, measured by MqBenchmark.local*).
            int first = PosixMq.mqTimedsend(mqd, addr, len, priority, NO_WAIT);
            Waiter w = first == 0 ? null : Waiter.current();
            for (int r = first; r != 0;) {
                if (r == -Errno.EAGAIN) {
                    throw sendError("mq_send", r); // O_NONBLOCK: never wait
                }
                if (r != -Errno.ETIMEDOUT && r != -Errno.EINTR) {
                    throw sendError("mq_send", r);
                }
                boolean interrupted;
                w.enter();
                try {
                    r = PosixMq.mqSend(mqd, addr, len, priority);
                } finally {
                    interrupted = w.exit();
                }
                if (r == -Errno.EINTR && interrupted) {
                    throw Waiter.interrupted();
                }
            }
        } finally {
            uses.exit();
        }
        src.position(src.limit());
    }

    /** See {@link MessageQueue#trySend(ByteBuffer, int)}. */
    boolean trySend(ByteBuffer src, int priority) {
        int len = checkSend(src, priority);
        q.enter();
        try {
            long addr = sourceAddress(src, len);
            for (;;) {
                int r = PosixMq.mqTimedsend(mqd, addr, len, priority, NO_WAIT);
                if (r == 0) {
                    break;
                }
                if (r == -Errno.ETIMEDOUT || r == -Errno.EAGAIN) {
                    return false;
                }
                if (r != -Errno.EINTR) {
                    throw sendError("mq_timedsend", r);
                }
            }
        } finally {
            uses.exit();
        }
        src.position(src.limit());
        return true;
    }

    /** See {@link MessageQueue#trySend(ByteBuffer, int, Duration)}. */
    boolean trySend(ByteBuffer src, int priority, Duration timeout) throws InterruptedException {
        return trySendNanos(src, priority, Timeouts.nanos("mq_timedsend", name, timeout));
    }

    /** The same with the timeout in nanoseconds (0..Timeouts.MAX_NANOS). */
    boolean trySendNanos(ByteBuffer src, int priority, long nanos) throws InterruptedException {
        int len = checkSend(src, priority);
        long deadline = System.nanoTime() + nanos;
        q.enter();
        try {
            long addr = sourceAddress(src, len);
            Waiter w = Waiter.current();
            for (;;) {
                long remaining = deadline - System.nanoTime();
                int r;
                boolean interrupted;
                w.enter();
                try {
                    r = PosixMq.mqTimedsend(mqd, addr, len, priority, remaining > 0 ? remaining : NO_WAIT);
                } finally {
                    interrupted = w.exit();
                }
                if (r == 0) {
                    break;
                }
                if (Waiter.retry(r, interrupted)) {
                    continue; // EINTR from a stray signal
                }
                if (r == -Errno.ETIMEDOUT || r == -Errno.EAGAIN) {
                    return false;
                }
                throw sendError("mq_timedsend", r);
            }
        } finally {
            uses.exit();
        }
        src.position(src.limit());
        return true;
    }

    private int checkSend(ByteBuffer src, int priority) {
        if (src == null) {
            throw new InvalidArgumentException("mq_send", name, 0, "src is null");
        }
        int len = src.remaining();
        if (len > maxMessageSize) {
            throw new LimitExceededException("mq_send", name, 0, "message of " + len
                    + " bytes is longer than the queue's maxMessageSize " + maxMessageSize
                    + " (fixed when the queue was created); nothing was sent");
        }
        int max = MqLimits.prioMax();
        if (priority < 0 || priority >= max) {
            throw new InvalidArgumentException("mq_send", name, 0, "priority " + priority + " is outside 0.."
                    + (max - 1) + " (sysconf(_SC_MQ_PRIO_MAX) is " + max + "); nothing was sent");
        }
        if (access == MessageQueue.Access.READ_ONLY) {
            throw new PermissionDeniedException("mq_send", name, 0,
                    "the queue was opened READ_ONLY, so this handle cannot send");
        }
        return len;
    }

    /** The address to send from: the buffer itself when direct, else a copy in scratch. */
    private long sourceAddress(ByteBuffer src, int len) {
        if (src.isDirect()) {
            return MqBuffers.address(src) + src.position();
        }
        ByteBuffer s = MqBuffers.scratch(len);
        s.put(src.duplicate()).flip();
        return MqBuffers.address(s);
    }

    private IpcException sendError(String call, int r) {
        if (r == -Errno.EAGAIN) {
            return new WouldBlockException(call, name, Errno.EAGAIN,
                    "the queue is full and this descriptor is non-blocking (setNonBlocking(true))");
        }
        if (r == -Errno.EBADF) {
            return new ClosedException(call, name, Errno.EBADF, "the descriptor is not open for sending");
        }
        if (r == -Errno.EFAULT) {
            return new dev.ipcj.CorruptedException(call, name, Errno.EFAULT, "the memory under the message buffer is"
                    + " gone (another process truncated the object it maps); nothing was sent");
        }
        return IpcException.of(call, name, r);
    }
}
