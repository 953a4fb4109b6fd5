package dev.ipcj.msg;

import dev.ipcj.InvalidArgumentException;

/** Which adapter serves which {@link Transport}: the one place that names the adapter classes. */
final class Transports {
    private Transports() {
    }

    static boolean isAvailable(Transport t) {
        switch (t) {
            case SHM_LOG:
                return true;
            default:
                return false;
        }
    }

    /** Creates the queue of a new mailbox; {@code word[0]} receives the header's transport word. */
    static FrameQueue create(Transport t, String name, Capacity capacity, int maxMessageSize, long[] word) {
        switch (t) {
            case SHM_LOG:
                return LogQueue.create(name, LogQueue.DEFAULT_DIR, capacity, maxMessageSize);
            default:
                throw notHere(t, name);
        }
    }

    static FrameQueue open(String name, MailboxHeader h) {
        switch (h.transport) {
            case SHM_LOG:
                return LogQueue.open(name, LogQueue.DEFAULT_DIR);
            default:
                throw notHere(h.transport, name);
        }
    }

    /** Removes the queue's objects; {@code h} may be null when the header is gone. */
    static boolean remove(String name, MailboxHeader h) {
        boolean any = LogQueue.remove(name, LogQueue.DEFAULT_DIR);
        return any;
    }

    /** The longest mailbox name (after the '/') every transport accepts. */
    static int maxNameLength() {
        return LogQueue.MAX_NAME;
    }

    private static InvalidArgumentException notHere(Transport t, String name) {
        return new InvalidArgumentException("create", name, 0, "transport " + t
                + " is not in this build of ipcj; available: " + available());
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
