package dev.ipcj.msg;

import java.util.function.Supplier;

/**
 * The mechanism under a mailbox. Each answers naming, synchronization and buffering through
 * the same {@link Mailbox} API; they differ in what they can buffer and in speed.
 *
 * <table>
 *   <caption>What each transport gives</caption>
 *   <tr><th>transport</th><th>capacities</th><th>selective receive</th><th>notes</th></tr>
 *   <tr><td>{@link #POSIX_MQ} (default)</td><td>zero, bounded(n ≤ msg_max)</td><td>by scanning</td>
 *       <td>kernel queue, a descriptor; {@code /proc/sys/fs/mqueue/msg_max} bounds n</td></tr>
 *   <tr><td>{@link #SYSTEM_V}</td><td>zero, bounded(n)</td><td>native (msgrcv by type)</td>
 *       <td>message type = sender pid</td></tr>
 *   <tr><td>{@link #RING}</td><td>zero, bounded(n)</td><td>by scanning</td>
 *       <td>shared-memory ring, the fastest</td></tr>
 *   <tr><td>{@link #SHM_LOG}</td><td>zero, bounded(n), unbounded</td><td>by scanning</td>
 *       <td>segment files in /dev/shm; grows until /dev/shm is full</td></tr>
 *   <tr><td>{@link #AERON}</td><td>bounded(n): n credits per sender</td><td>by scanning</td>
 *       <td>across machines, named {@code udp://HOST:PORT/NAME}; needs Aeron (an optional dependency)</td></tr>
 * </table>
 */
public enum Transport {
    /** POSIX message queues (mq_open): the default. */
    POSIX_MQ(1, "POSIX message queue", () -> MqQueue.ADAPTER),
    /** System V message queues (msgget): message types give direct naming and selective receive. */
    SYSTEM_V(2, "System V message queue", () -> SysvQueue.ADAPTER),
    /** ipcj's shared-memory ring buffer: the fastest. */
    RING(3, "shared-memory ring", () -> RingQueue.ADAPTER),
    /** An append-only log of segment files in /dev/shm: the one unbounded transport. */
    SHM_LOG(4, "shared-memory log", () -> LogQueue.ADAPTER),
    /**
     * Aeron over UDP, across machines: a mailbox named {@code udp://HOST:PORT/NAME} (see
     * {@link Mailbox#create(String, Capacity)}). It has no local header (code 5 is reserved so no
     * local transport takes it; a header carrying it is refused); available when Aeron is on the path.
     */
    AERON(5, "Aeron over UDP", () -> NetMailboxes.ADAPTER);

    private final int code;
    private final String description;
    /** A supplier, so that the adapter's class is loaded on first use, not with this enum. */
    private final Supplier<TransportAdapter> adapter;

    Transport(int code, String description, Supplier<TransportAdapter> adapter) {
        this.code = code;
        this.description = description;
        this.adapter = adapter;
    }

    /** The transport's adapter: its objects' creation, opening, removal and limits. */
    TransportAdapter adapter() {
        return adapter.get();
    }

    /**
     * The transport's code in a mailbox header (and in {@code ipcj_msg.h}): fixed forever, so
     * adding a transport never changes what an existing mailbox's header means.
     *
     * @return the code
     */
    public int code() {
        return code;
    }

    /** The transport of header code {@code code}, or null for an unknown code. */
    static Transport ofCode(int code) {
        for (Transport t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }

    /**
     * The transport {@link Mailbox#create} uses when none is named.
     *
     * @return the default transport
     */
    public static Transport defaultTransport() {
        return POSIX_MQ;
    }

    /**
     * Whether this build of ipcj has this transport.
     *
     * @return true if available
     */
    public boolean isAvailable() {
        return adapter().isAvailable();
    }

    /**
     * In words, e.g. "POSIX message queue".
     *
     * @return the description
     */
    public String description() {
        return description;
    }

    /**
     * Why this transport cannot give {@code capacity}, naming the limit (read live from the
     * running system) and the transport that can; {@code null} when it can.
     */
    String refusal(Capacity capacity, int maxMessageSize) {
        TransportAdapter a = adapter();
        if (capacity.isUnbounded() && !a.canBeUnbounded()) {
            return description + " cannot be unbounded (" + a.bound() + "); Transport.SHM_LOG gives Capacity.unbounded()";
        }
        return a.refusal(capacity, maxMessageSize);
    }

    /**
     * Whether the transport lives on this machine, with a mailbox header in /dev/shm: every
     * transport but {@link #AERON}.
     *
     * @return true for the local transports
     */
    public boolean isLocal() {
        return this != AERON;
    }

    /** The longest mailbox name (after the '/') every local transport accepts. */
    static int maxNameLength() {
        int n = Integer.MAX_VALUE;
        for (Transport t : values()) {
            if (!t.isLocal()) {
                continue;
            }
            n = Math.min(n, t.adapter().maxNameLength());
        }
        return n;
    }

    /** The transports of this build, for messages. */
    static String available() {
        StringBuilder sb = new StringBuilder();
        for (Transport t : values()) {
            if (t.isAvailable()) {
                sb.append(sb.length() == 0 ? "" : ", ").append(t);
            }
        }
        return sb.toString();
    }
}
