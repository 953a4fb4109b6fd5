package dev.ipcj.msg;

import dev.ipcj.CorruptedException;
import dev.ipcj.IpcException;

/** Which adapter serves which {@link Transport}: the one place that names the adapter classes. */
final class Transports {
    private Transports() {
    }

    static boolean isAvailable(Transport t) {
        return true;
    }

    /** Whether a mailbox of {@code h} maps its header page for shared words (rendezvous, gate). */
    static boolean needsControl(MailboxHeader h) {
        return h.capacity.isZero() || h.transport == Transport.SYSTEM_V || h.transport == Transport.RING;
    }

    /**
     * Creates the queue of a new mailbox, recording in the header (through {@code c}) what
     * identifies each object as soon as it exists.
     */
    static FrameQueue create(String name, MailboxHeader h, MailboxHeader.Created c, SharedPage control) {
        switch (h.transport) {
            case POSIX_MQ:
                return MqQueue.create(name, h, c);
            case SYSTEM_V:
                return SysvQueue.create(name, h, c, control);
            case RING:
                return RingQueue.create(name, h, c, control);
            case SHM_LOG: {
                LogQueue q = LogQueue.create(name, LogQueue.DEFAULT_DIR, h.capacity, h.maxMessageSize, h.instance);
                try {
                    h.id1 = ShmFiles.inode(LogQueue.DEFAULT_DIR.resolve(name.substring(1) + ".log"));
                    h.id2 = q.logId();
                    c.write(h, name);
                    return q;
                } catch (RuntimeException e) {
                    q.unlink();
                    q.close();
                    throw e;
                }
            }
            default:
                throw new AssertionError(h.transport);
        }
    }

    /** Opens the queue the header describes, checking it is the mailbox's and holds what the header says. */
    static FrameQueue open(String name, MailboxHeader h, SharedPage control) {
        switch (h.transport) {
            case POSIX_MQ:
                return MqQueue.open(name, h);
            case SYSTEM_V:
                return SysvQueue.open(name, h, control);
            case RING:
                return RingQueue.open(name, h, control);
            case SHM_LOG: {
                long ino = ShmFiles.inode(LogQueue.DEFAULT_DIR.resolve(name.substring(1) + ".log"));
                if (h.id1 != 0 && ino != 0 && ino != h.id1) {
                    throw new CorruptedException("open", name, 0, "/dev/shm" + name + ".log is not this mailbox's log"
                            + " (inode " + ino + ", the header names " + h.id1 + ")");
                }
                LogQueue q = LogQueue.open(name, LogQueue.DEFAULT_DIR, h.instance);
                int cap = h.capacity.isZero() ? 1 : h.capacity.limit();
                if (q.maxMessageSize() != h.maxMessageSize || q.logId() != h.id2 || q.capacity() != cap) {
                    q.close();
                    throw new CorruptedException("open", name, 0, "the log holds messages of " + q.maxMessageSize()
                            + " bytes, capacity " + q.capacity() + ", log id " + Long.toHexString(q.logId())
                            + "; the header says " + h.maxMessageSize + ", " + cap + ", " + Long.toHexString(h.id2));
                }
                return q;
            }
            default:
                throw new AssertionError(h.transport);
        }
    }

    /**
     * Removes the queue's objects that can be proven to be this mailbox's (see each adapter);
     * true if anything was removed. CorruptedException when an object of the name is there but
     * is not the mailbox's (it is left in place).
     */
    static boolean remove(String name, MailboxHeader h) {
        switch (h.transport) {
            case POSIX_MQ:
                return MqQueue.remove(name, h);
            case SYSTEM_V:
                return SysvQueue.remove(name, h);
            case RING:
                return RingQueue.remove(name, h);
            case SHM_LOG:
                try {
                    return LogQueue.remove(name, LogQueue.DEFAULT_DIR, h.instance);
                } catch (CorruptedException e) {
                    throw e;
                } catch (IpcException e) {
                    return false;
                }
            default:
                throw new AssertionError(h.transport);
        }
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
