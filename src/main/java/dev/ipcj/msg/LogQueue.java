package dev.ipcj.msg;

import dev.ipcj.CorruptedException;
import dev.ipcj.IpcException;
import dev.ipcj.internal.SharedPage;
import dev.ipcj.internal.ShmFiles;
import dev.ipcj.log.LogLayout;
import dev.ipcj.log.SharedLog;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * {@link Transport#SHM_LOG}: a mailbox over a {@link SharedLog} ({@code dev.ipcj.log}), the one
 * transport that can be unbounded. Each message is one record of the log: its 40-byte
 * {@link Envelope}, then the payload; the log's record length gives the frame's length, which
 * the envelope's payload length must fill exactly. The log is created with records of
 * {@code Envelope.SIZE + maxMessageSize} bytes, capacity bounded(n) or unbounded (a rendezvous
 * holds at most the one message in flight: bounded(1)), and the mailbox's instance id as its
 * owner, so that a log of the name that is not this mailbox's is refused. Everything else (the
 * files, the crash consistency, the lock takeover, the memory rules) is the log's: see
 * {@link SharedLog} and {@link LogLayout}.
 *
 * <p>The envelope is written from, and read into, a small per-thread buffer, and the payload
 * goes straight between the caller's buffer and the segment: one memcpy each way, as before
 * the log was a primitive of its own.
 */
final class LogQueue extends FrameQueue {
    static final Path DEFAULT_DIR = ShmFiles.DIR;
    /** The longest mailbox name this transport accepts: the log's. */
    static final int MAX_NAME = SharedLog.MAX_NAME;
    private static final ThreadLocal<ByteBuffer> HEAD = ThreadLocal.withInitial(
            () -> ByteBuffer.allocate(Envelope.SIZE).order(ByteOrder.nativeOrder()));

    private final SharedLog log;
    private final String name;
    private final int maxMessage;

    private LogQueue(SharedLog log) {
        this.log = log;
        this.name = log.name();
        this.maxMessage = log.maxRecordSize() - Envelope.SIZE;
    }

    /** The state file of the log {@code name} in {@code dir}. */
    static Path statePath(Path dir, String name) {
        return dir.resolve(name.substring(1) + ".log");
    }

    /** {@link Transport#SHM_LOG}'s adapter: the log's state file's inode and the log id go in the header. */
    static final TransportAdapter ADAPTER = new TransportAdapter() {
        @Override
        FrameQueue create(String name, MailboxHeader h, MailboxHeader.Created c, SharedPage control) {
            int cap = h.capacity.isZero() ? 1 : h.capacity.isUnbounded() ? SharedLog.UNBOUNDED : h.capacity.limit();
            LogQueue q = new LogQueue(SharedLog.create(name, DEFAULT_DIR, cap, Envelope.SIZE + h.maxMessageSize, h.instance));
            try {
                h.id1 = ShmFiles.inode(statePath(DEFAULT_DIR, name));
                h.id2 = q.log.logId();
                c.write(h, name);
                return q;
            } catch (RuntimeException e) {
                q.unlink();
                q.close();
                throw e;
            }
        }

        @Override
        FrameQueue open(String name, MailboxHeader h, SharedPage control) {
            long ino = ShmFiles.inode(statePath(DEFAULT_DIR, name));
            if (h.id1 != 0 && ino != 0 && ino != h.id1) {
                throw new CorruptedException("open", name, 0, "/dev/shm" + name + ".log is not this mailbox's log"
                        + " (inode " + ino + ", the header names " + h.id1 + ")");
            }
            LogQueue q = new LogQueue(SharedLog.open(name, DEFAULT_DIR, h.instance));
            int cap = h.capacity.isZero() ? 1 : h.capacity.limit();
            long id = q.log.logId();
            if (q.maxMessage != h.maxMessageSize || id != h.id2 || q.log.capacity() != cap) {
                q.close();
                throw new CorruptedException("open", name, 0, "the log holds messages of " + q.maxMessage
                        + " bytes, capacity " + q.log.capacity() + ", log id " + Long.toHexString(id)
                        + "; the header says " + h.maxMessageSize + ", " + cap + ", " + Long.toHexString(h.id2));
            }
            return q;
        }

        @Override
        boolean remove(String name, MailboxHeader h) {
            try {
                return SharedLog.unlinkIfExists(name, DEFAULT_DIR, h.instance);
            } catch (CorruptedException e) {
                throw e;
            } catch (IpcException e) {
                return false;
            }
        }

        @Override
        String bound() {
            return "it grows until /dev/shm is full";
        }

        @Override
        boolean canBeUnbounded() {
            return true;
        }

        @Override
        String refusal(Capacity capacity, int maxMessageSize) {
            if (maxMessageSize > SharedLog.MAX_RECORD_SIZE - Envelope.SIZE) {
                return "messages of " + maxMessageSize + " bytes exceed the log's longest record, "
                        + SharedLog.MAX_RECORD_SIZE + " bytes, less the " + Envelope.SIZE + "-byte envelope";
            }
            return null;
        }

        @Override
        int maxNameLength() {
            return MAX_NAME;
        }
    };

    @Override
    boolean put(Envelope frame, ByteBuffer payload, long nanos)
            throws InterruptedException {
        ByteBuffer head = HEAD.get();
        Envelope.write(head.clear(), 0, frame, payload.remaining());
        return log.putFramed(head, payload, nanos, "send");
    }

    @Override
    boolean take(ByteBuffer dst, Envelope env, long nanos) throws InterruptedException {
        ByteBuffer head = HEAD.get();
        head.clear();
        int at = dst.position();
        int len = log.takeFramed(head, dst, nanos, "receive");
        if (len < 0) {
            return false;
        }
        try {
            Envelope.read(head, 0, len, true, env, "receive", name);
        } catch (CorruptedException e) {
            dst.position(at); // a frame that is not an ipcj frame delivers nothing; it is gone from the log
            throw e;
        }
        return true;
    }

    @Override
    int maxMessageSize() {
        return maxMessage;
    }

    @Override
    void checkIntact(String call) {
        log.checkTaken(call);
    }

    @Override
    dev.ipcj.WaitHook wakeHook() {
        return log.waitHook(); // senders append, and the items bell rings the table
    }

    @Override
    long pending() {
        return log.pending();
    }

    @Override
    public void close() {
        log.close();
    }

    @Override
    void unlink() {
        log.unlinkOwn();
    }
}
