package dev.ipcj.msg;

/** Which adapter serves which {@link Transport}: the one place that names the adapter classes. */
final class Transports {
    private Transports() {
    }

    static boolean isAvailable(Transport t) {
        return true;
    }

    /** Creates the queue of a new mailbox; {@code word[0]} receives the header's transport word. */
    static FrameQueue create(Transport t, String name, Capacity capacity, int maxMessageSize, long[] word) {
        switch (t) {
            case POSIX_MQ:
                return MqQueue.create(name, capacity, maxMessageSize);
            case SYSTEM_V:
                return SysvQueue.create(name, capacity, maxMessageSize, word);
            case RING:
                return RingQueue.create(name, capacity, maxMessageSize);
            case SHM_LOG:
                return LogQueue.create(name, LogQueue.DEFAULT_DIR, capacity, maxMessageSize);
            default:
                throw new AssertionError(t);
        }
    }

    static FrameQueue open(String name, MailboxHeader h) {
        switch (h.transport) {
            case POSIX_MQ:
                return MqQueue.open(name);
            case SYSTEM_V:
                return SysvQueue.open(name, h);
            case RING:
                return RingQueue.open(name, h);
            case SHM_LOG:
                return LogQueue.open(name, LogQueue.DEFAULT_DIR);
            default:
                throw new AssertionError(h.transport);
        }
    }

    /**
     * Removes the queue's objects. {@code h} may be null when the header is gone: then every
     * transport's objects of that name are removed, except a System V queue, which only the
     * header's id finds.
     */
    static boolean remove(String name, MailboxHeader h) {
        boolean any = false;
        if (h == null || h.transport == Transport.POSIX_MQ) {
            any |= MqQueue.remove(name);
        }
        any |= SysvQueue.remove(name, h);
        any |= RingQueue.remove(name);
        any |= LogQueue.remove(name, LogQueue.DEFAULT_DIR);
        return any;
    }

    /** A transport-specific reason it cannot give {@code capacity} of {@code maxMessageSize}-byte messages. */
    static String refusal(Transport t, Capacity capacity, int maxMessageSize) {
        switch (t) {
            case SYSTEM_V:
                return SysvQueue.refusal(capacity, maxMessageSize);
            case RING:
                return RingQueue.refusal(capacity, maxMessageSize);
            default:
                return null;
        }
    }

    /** The longest mailbox name (after the '/') every transport accepts. */
    static int maxNameLength() {
        return LogQueue.MAX_NAME;
    }

    static String available() {
        StringBuilder sb = new StringBuilder();
        for (Transport t : Transport.values()) {
            if (isAvailable(t)) {
                sb.append(sb.length() == 0 ? "" : ", ").append(t);
            }
        }
        return sb.toString();
    }
}
