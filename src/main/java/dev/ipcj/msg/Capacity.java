package dev.ipcj.msg;

import dev.ipcj.InvalidArgumentException;

/**
 * How many messages a mailbox buffers: the third question of message passing.
 *
 * <ul>
 *   <li>{@link #zero()}: no buffer, a rendezvous. {@code send} returns only once a receiver
 *       has taken the message (the receiver acknowledges it); a sender that gives up in time
 *       takes its message back, so a timed-out send never delivers late.</li>
 *   <li>{@link #bounded(int)}: at most {@code n} messages wait; a full mailbox blocks senders.</li>
 *   <li>{@link #unbounded()}: senders never block; messages wait in memory outside every
 *       process's heap until received (only {@link Transport#SHM_LOG} can give this).</li>
 * </ul>
 */
public final class Capacity {
    private static final Capacity ZERO = new Capacity(0);
    private static final Capacity UNBOUNDED = new Capacity(-1);

    private final int limit;

    private Capacity(int limit) {
        this.limit = limit;
    }

    /**
     * Rendezvous: send waits until a receiver holds the message.
     *
     * @return the rendezvous capacity
     */
    public static Capacity zero() {
        return ZERO;
    }

    /**
     * At most {@code n} (≥ 1) messages wait in the mailbox.
     *
     * @param n the most messages that can wait, at least 1
     * @return the bounded capacity
     */
    public static Capacity bounded(int n) {
        if (n < 1) {
            throw new InvalidArgumentException("Capacity.bounded", null, 0,
                    "n " + n + " must be at least 1 (use Capacity.zero() for a rendezvous)");
        }
        return new Capacity(n);
    }

    /**
     * Senders never block; the buffer grows until memory runs out.
     *
     * @return the unbounded capacity
     */
    public static Capacity unbounded() {
        return UNBOUNDED;
    }

    /** The capacity a header stores: -1 unbounded, 0 rendezvous, n bounded. */
    static Capacity of(int limit) {
        return limit < 0 ? UNBOUNDED : limit == 0 ? ZERO : new Capacity(limit);
    }

    /**
     * Whether this is the rendezvous capacity, {@link #zero()}.
     *
     * @return true for capacity zero
     */
    public boolean isZero() {
        return limit == 0;
    }

    /**
     * Whether this is {@link #unbounded()}.
     *
     * @return true when unbounded
     */
    public boolean isUnbounded() {
        return limit < 0;
    }

    /**
     * Whether this is a {@link #bounded} capacity of at least one message.
     *
     * @return true when bounded
     */
    public boolean isBounded() {
        return limit > 0;
    }

    /**
     * The bound n; 0 for a rendezvous; -1 when unbounded.
     *
     * @return the bound, 0 or -1
     */
    public int limit() {
        return limit;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Capacity && ((Capacity) o).limit == limit;
    }

    @Override
    public int hashCode() {
        return limit;
    }

    @Override
    public String toString() {
        return limit < 0 ? "unbounded" : limit == 0 ? "zero (rendezvous)" : "bounded(" + limit + ")";
    }
}
