package dev.ipcj.msg;

import dev.ipcj.internal.SysFiles;

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
 * </table>
 */
public enum Transport {
    /** POSIX message queues (mq_open): the default. */
    POSIX_MQ(1, "POSIX message queue"),
    /** System V message queues (msgget): message types give direct naming and selective receive. */
    SYSTEM_V(2, "System V message queue"),
    /** ipcj's shared-memory ring buffer: the fastest. */
    RING(3, "shared-memory ring"),
    /** An append-only log of segment files in /dev/shm: the one unbounded transport. */
    SHM_LOG(4, "shared-memory log");

    private final int code;
    private final String description;

    Transport(int code, String description) {
        this.code = code;
        this.description = description;
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
        return Transports.isAvailable(this);
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
        if (capacity.isUnbounded() && this != SHM_LOG) {
            return description + " cannot be unbounded (" + limitText()
                    + "); Transport.SHM_LOG gives Capacity.unbounded()";
        }
        if (this == POSIX_MQ && capacity.isBounded()) {
            long max = SysFiles.readLong("/proc/sys/fs/mqueue/msg_max", 10);
            boolean privileged = hasCapSysResource();
            if (capacity.limit() > (privileged ? HARD_MSGMAX : max)) {
                return "capacity " + capacity.limit() + " > " + (privileged
                        ? "HARD_MSGMAX " + HARD_MSGMAX + " (the kernel's ceiling even with CAP_SYS_RESOURCE)"
                        : "/proc/sys/fs/mqueue/msg_max " + max + " (raise it with sysctl fs.mqueue.msg_max;"
                                + " a process with CAP_SYS_RESOURCE may exceed it up to " + HARD_MSGMAX + ")")
                        + "; Transport.RING and Transport.SHM_LOG give bounded(" + capacity.limit() + ")";
            }
        }
        return Transports.refusal(this, capacity, maxMessageSize);
    }

    /** The kernel's ceiling on mq_maxmsg, even for a privileged process (HARD_MSGMAX). */
    static final int HARD_MSGMAX = 65536;

    /** Whether this process holds CAP_SYS_RESOURCE (bit 24 of CapEff), read live. */
    static boolean hasCapSysResource() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 24)) != 0;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // unknown: assume unprivileged, the stricter limit
        }
        return false;
    }

    private String limitText() {
        switch (this) {
            case POSIX_MQ:
                return "it holds at most /proc/sys/fs/mqueue/msg_max "
                        + SysFiles.readLong("/proc/sys/fs/mqueue/msg_max", 10) + " messages";
            case SYSTEM_V:
                return "it holds at most /proc/sys/kernel/msgmnb "
                        + dev.ipcj.sysv.SysvLimits.msgmnb() + " bytes";
            case RING:
                return "its slots are fixed when it is created";
            default:
                return "";
        }
    }
}
