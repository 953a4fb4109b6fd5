package dev.ipcj.msg;

import java.nio.ByteBuffer;

/**
 * The transport SPI: one adapter class per transport moves envelopes and payloads; everything
 * else (rendezvous, selective receive by scanning, codecs, heap copies, argument checks) lives
 * once in {@link Mailbox} and {@link Inbox}.
 *
 * <p>Timeouts are in nanoseconds: negative waits forever, 0 tries once without waiting,
 * positive waits at most that long. A wait is interrupted with {@link InterruptedException}
 * only when nothing was put or taken (the transports' waits are built on
 * {@code dev.ipcj.internal.Waiter}); an operation that completed is never reported as
 * interrupted. The caller guarantees {@code payload.remaining() <= maxMessageSize()} on put
 * and {@code dst.remaining() >= maxMessageSize()} on take, so a take never has to refuse.
 */
abstract class FrameQueue implements AutoCloseable {
    /**
     * Appends one message: the envelope fields, then {@code payload}'s remaining bytes (its
     * position is not moved). False when there was no room within the timeout.
     */
    abstract boolean put(int sender, int flags, long sequence, ByteBuffer payload, long timeoutNanos)
            throws InterruptedException;

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

    /** The largest payload in bytes. */
    abstract int maxMessageSize();

    /** Messages waiting now, or -1 when the transport cannot tell cheaply. */
    abstract long pending();

    /** Releases this process's handles; the queue stays for other processes. Idempotent. */
    @Override
    public abstract void close();

    /** Removes the queue's kernel objects and files (the name may then be reused). */
    abstract void unlink();
}
