package dev.ipcj.posix;

import dev.ipcj.InvalidArgumentException;
import dev.ipcj.IpcException;
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
 * {@link MessageQueue}'s receive paths: blocking, non-blocking and timed, into a direct buffer
 * in place or into a heap buffer through a per-thread scratch buffer (the kernel needs room for
 * the largest message); and the checks and error messages they share.
 */
final class MqReceive {
    /** Send or receive without waiting, for the first try and the non-blocking forms. */
    private static final long NO_WAIT = -1;

    private final MessageQueue q;
    // The queue's facts, copied from it: final there, read here on every call.
    private final String name;
    private final int mqd;
    private final UseCount uses;
    private final int maxMessageSize;
    private final MessageQueue.Access access;

    MqReceive(MessageQueue q) {
        this.q = q;
        this.name = q.name();
        this.mqd = q.mqd;
        this.uses = q.uses;
        this.maxMessageSize = q.maxMessageSize();
        this.access = q.access();
    }

    int receive(ByteBuffer dst, MqReceived into) throws InterruptedException {
        checkReceive(dst);
        if (Thread.interrupted()) {
            throw new InterruptedException(); // as j.u.c: an interrupted thread takes nothing
        }
        long r;
        ByteBuffer target = dst.isDirect() ? dst : MqBuffers.scratch(maxMessageSize);
        q.enter();
        try {
            long addr = MqBuffers.address(target) + target.position();
            long cap = target.remaining();
            // First without waiting (see send): a message already there costs one system call.
            r = PosixMq.mqTimedreceive(mqd, addr, cap, NO_WAIT);
            Waiter w = r >= 0 ? null : Waiter.current();
            while (r < 0) {
                if (r == -Errno.EAGAIN) {
                    throw receiveError("mq_receive", (int) r); // O_NONBLOCK: never wait
                }
                if (r != -Errno.ETIMEDOUT && r != -Errno.EINTR) {
                    throw receiveError("mq_receive", (int) r);
                }
                boolean interrupted;
                w.enter();
                try {
                    r = PosixMq.mqReceive(mqd, addr, cap);
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
        return deliver(r, dst, target, into);
    }

    int tryReceive(ByteBuffer dst, MqReceived into) {
        checkReceive(dst);
        long r;
        ByteBuffer target = dst.isDirect() ? dst : MqBuffers.scratch(maxMessageSize);
        q.enter();
        try {
            long addr = MqBuffers.address(target) + target.position();
            for (;;) {
                r = PosixMq.mqTimedreceive(mqd, addr, target.remaining(), NO_WAIT);
                if (r >= 0) {
                    break;
                }
                if (r == -Errno.ETIMEDOUT || r == -Errno.EAGAIN) {
                    if (into != null) {
                        into.set(-1, -1);
                    }
                    return -1;
                }
                if (r != -Errno.EINTR) {
                    throw receiveError("mq_timedreceive", (int) r);
                }
            }
        } finally {
            uses.exit();
        }
        return deliver(r, dst, target, into);
    }

    int tryReceive(ByteBuffer dst, Duration timeout, MqReceived into) throws InterruptedException {
        return tryReceiveNanos(dst, Timeouts.nanos("mq_timedreceive", name, timeout), into);
    }

    /** The same with the timeout in nanoseconds (0..Timeouts.MAX_NANOS). */
    int tryReceiveNanos(ByteBuffer dst, long nanos, MqReceived into) throws InterruptedException {
        checkReceive(dst);
        long deadline = System.nanoTime() + nanos;
        long r;
        ByteBuffer target = dst.isDirect() ? dst : MqBuffers.scratch(maxMessageSize);
        q.enter();
        try {
            long addr = MqBuffers.address(target) + target.position();
            long cap = target.remaining();
            Waiter w = Waiter.current();
            for (;;) {
                long remaining = deadline - System.nanoTime();
                boolean interrupted;
                w.enter();
                try {
                    r = PosixMq.mqTimedreceive(mqd, addr, cap, remaining > 0 ? remaining : NO_WAIT);
                } finally {
                    interrupted = w.exit();
                }
                if (r >= 0) {
                    break;
                }
                if (Waiter.retry(r, interrupted)) {
                    continue; // EINTR from a stray signal
                }
                if (r == -Errno.ETIMEDOUT || r == -Errno.EAGAIN) {
                    if (into != null) {
                        into.set(-1, -1);
                    }
                    return -1;
                }
                throw receiveError("mq_timedreceive", (int) r);
            }
        } finally {
            uses.exit();
        }
        return deliver(r, dst, target, into);
    }

    private void checkReceive(ByteBuffer dst) {
        if (dst == null) {
            throw new InvalidArgumentException("mq_receive", name, 0, "dst is null");
        }
        if (dst.isReadOnly()) {
            throw new InvalidArgumentException("mq_receive", name, 0, "dst is a read-only buffer; nothing was received");
        }
        if (dst.remaining() < maxMessageSize) {
            throw new InvalidArgumentException("mq_receive", name, 0, "receive buffer has " + dst.remaining()
                    + " bytes remaining, fewer than the queue's maxMessageSize " + maxMessageSize
                    + ": the kernel refuses (EMSGSIZE) a buffer that could not hold the largest possible"
                    + " message; nothing was received");
        }
        if (access == MessageQueue.Access.WRITE_ONLY) {
            throw new PermissionDeniedException("mq_receive", name, 0,
                    "the queue was opened WRITE_ONLY, so this handle cannot receive");
        }
    }

    private static int deliver(long r, ByteBuffer dst, ByteBuffer target, MqReceived into) {
        int len = (int) (r & 0xffffffffL);
        int prio = (int) (r >>> 32);
        if (target != dst) {
            dst.put(target.limit(target.position() + len));
        } else {
            dst.position(dst.position() + len);
        }
        if (into != null) {
            into.set(len, prio);
        }
        return len;
    }

    static MqMessage copy(ByteBuffer b, MqReceived got) {
        byte[] payload = new byte[got.length()];
        b.flip().get(payload);
        return new MqMessage(payload, got.priority());
    }

    private IpcException receiveError(String call, int r) {
        if (r == -Errno.EAGAIN) {
            return new WouldBlockException(call, name, Errno.EAGAIN,
                    "the queue is empty and this descriptor is non-blocking (setNonBlocking(true))");
        }
        if (r == -Errno.EFAULT) {
            return new dev.ipcj.CorruptedException(call, name, Errno.EFAULT, "the memory under the receive buffer is"
                    + " gone (another process truncated the object it maps): the kernel had taken the message off the"
                    + " queue before it found that, so it is lost");
        }
        return IpcException.of(call, name, r);
    }
}
