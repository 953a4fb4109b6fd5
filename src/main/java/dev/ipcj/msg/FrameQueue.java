package dev.ipcj.msg;

import java.nio.ByteBuffer;

/**
 * The transport SPI: one adapter class per transport moves frames (an {@link Envelope} and a
 * payload); everything else (rendezvous, selective receive by scanning, codecs, heap copies,
 * argument checks) lives once in {@link Mailbox} and {@link Inbox}.
 *
 * <p>Timeouts are in nanoseconds: negative waits forever, 0 tries once without waiting,
 * positive waits at most that long, and every wait ends by its deadline whatever the shared
 * state holds. A wait is interrupted with {@link InterruptedException} only when nothing was
 * put or taken; an operation that completed is never reported as interrupted. The caller
 * guarantees {@code payload.remaining() <= maxMessageSize()} on put and
 * {@code dst.remaining() >= receiveRoom()} on take, where receiveRoom is what the transport
 * itself can hold (the header's sizes are checked against the transport when opening), so a
 * take never takes a message it cannot deliver. A frame that is not an ipcj frame is taken and reported as
 * {@link dev.ipcj.CorruptedException}; the next take gets the next message.
 */
abstract class FrameQueue implements AutoCloseable {
    /**
     * Appends one message: the envelope {@code head} (sender, flags, sequence, token, reply-to,
     * correlation; its length is the payload's), then {@code payload}'s remaining bytes (its
     * position is not moved). False when there was no room within the timeout.
     */
    abstract boolean put(Envelope head, ByteBuffer payload, long timeoutNanos) throws InterruptedException;

    /**
     * Takes the oldest message: its payload is written at {@code dst}'s position (advanced by
     * the payload's length), its envelope into {@code env}. False when none came in time.
     */
    abstract boolean take(ByteBuffer dst, Envelope env, long timeoutNanos) throws InterruptedException;

    /** Whether {@link #takeFrom} selects in the transport itself (System V message types). */
    boolean selectsNatively() {
        return false;
    }

    /** Takes the oldest message from {@code sender} only; for transports that select natively. */
    boolean takeFrom(int sender, ByteBuffer dst, Envelope env, long timeoutNanos) throws InterruptedException {
        throw new UnsupportedOperationException("this transport has no selective receive");
    }

    /**
     * Throws CorruptedException if a shared object the last take read from has been truncated,
     * and, being a system call, makes the JVM raise a mapping fault still pending from that
     * take (see SharedLock on how compiled code reports faults late). The receiver of a
     * rendezvous calls it before claiming, so that a message whose bytes vanished under the take
     * is never claimed (its sender never told it was received). Nothing for kernel queues.
     */
    void checkIntact(String call) {
    }

    /** The largest payload in bytes a sender may put. */
    abstract int maxMessageSize();

    /**
     * The largest payload a take may deliver: what the transport itself can hold, at least
     * {@link #maxMessageSize()}. Receive buffers are this large, so no message the transport
     * holds is ever cut or lost because a header says less.
     */
    int receiveRoom() {
        return maxMessageSize();
    }

    /**
     * How a {@link dev.ipcj.WaitSet} is woken when a message arrives (its readiness is the
     * mailbox's, from {@link #pending()}): a doorbell the senders ring, or a descriptor; null
     * when the transport gives neither and the set must poll (System V).
     */
    dev.ipcj.WaitHook wakeHook() {
        return null;
    }

    /** Messages waiting now, or -1 when the transport cannot tell cheaply. */
    abstract long pending();

    /** Releases this process's handles; the queue stays for other processes. Idempotent. */
    @Override
    public abstract void close();

    /** Removes the queue this handle created (on a failed create: nothing else can have it yet). */
    abstract void unlink();
}
