package dev.ipcj.msg;

import dev.ipcj.CorruptedException;
import dev.ipcj.IpcException;
import dev.ipcj.NotFoundException;
import dev.ipcj.internal.SharedPage;
import dev.ipcj.internal.ShmFiles;
import dev.ipcj.posix.MessageQueue;
import dev.ipcj.posix.MqLimits;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * {@link Transport#POSIX_MQ}: one POSIX message queue named like the mailbox ({@code /NAME}, in
 * the mqueue namespace, apart from shared memory). Each message is one mq message: the
 * 40-byte {@link Envelope}, then the payload, assembled in a per-thread direct buffer (the one
 * copy; mq_send needs contiguous bytes), all at priority 0 so order is FIFO. The queue's
 * mq_maxmsg is the capacity (1 for a rendezvous) and its mq_msgsize is 40 + maxMessageSize, so
 * the live limits {@code /proc/sys/fs/mqueue/msg_max} and {@code msgsize_max} apply, checked
 * by {@link MessageQueue} with messages that name them.
 *
 * <p>Capacity: the kernel counts. mq_send is one system call that either queued the message or
 * did not, so a sender killed at any point leaves no reservation behind; bounded(n) is exactly
 * n messages. The queue's inode (read through {@code /proc/self/fd}) is recorded in the header,
 * so unlink removes this queue and no other of the name.
 */
final class MqQueue extends FrameQueue {
    private final String name;
    private final MessageQueue mq;
    private final int maxMessage;
    private final ThreadLocal<ByteBuffer> frames;

    private MqQueue(String name, MessageQueue mq) {
        this.name = name;
        this.mq = mq;
        int size = mq.maxMessageSize();
        this.maxMessage = size - Envelope.SIZE;
        this.frames = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder()));
    }

    /** {@link Transport#POSIX_MQ}'s adapter. */
    static final TransportAdapter ADAPTER = new TransportAdapter() {
        @Override
        FrameQueue create(String name, MailboxHeader h, MailboxHeader.Created c, SharedPage control) {
            return MqQueue.create(name, h, c);
        }

        @Override
        FrameQueue open(String name, MailboxHeader h, SharedPage control) {
            return MqQueue.open(name, h);
        }

        @Override
        boolean remove(String name, MailboxHeader h) {
            return MqQueue.remove(name, h);
        }

        @Override
        String bound() {
            return "it holds at most /proc/sys/fs/mqueue/msg_max " + MqLimits.current().msgMax() + " messages";
        }

        @Override
        String refusal(Capacity capacity, int maxMessageSize) {
            if (!capacity.isBounded()) {
                return null;
            }
            MqLimits l = MqLimits.current();
            if (capacity.limit() <= l.effectiveMsgMax()) {
                return null;
            }
            return "capacity " + capacity.limit() + " > " + (l.capSysResource()
                    ? "HARD_MSGMAX " + MqLimits.HARD_MSG_MAX + " (the kernel's ceiling even with CAP_SYS_RESOURCE)"
                    : "/proc/sys/fs/mqueue/msg_max " + l.msgMax() + " (raise it with sysctl fs.mqueue.msg_max;"
                            + " a process with CAP_SYS_RESOURCE may exceed it up to " + MqLimits.HARD_MSG_MAX + ")")
                    + "; Transport.RING and Transport.SHM_LOG give bounded(" + capacity.limit() + ")";
        }
    };

    static MqQueue create(String name, MailboxHeader h, MailboxHeader.Created c) {
        int n = h.capacity.isZero() ? 1 : h.capacity.limit();
        MessageQueue mq = MessageQueue.create(name, n, Envelope.SIZE + h.maxMessageSize);
        try {
            h.id1 = inode(mq);
            c.write(h, name); // recorded at once: from now on unlink finds exactly this queue
            return new MqQueue(name, mq);
        } catch (RuntimeException e) {
            mq.close();
            MessageQueue.unlinkIfExists(name); // created exclusively a moment ago: ours
            throw e;
        }
    }

    static MqQueue open(String name, MailboxHeader h) {
        MessageQueue mq = MessageQueue.open(name);
        try {
            int n = h.capacity.isZero() ? 1 : h.capacity.limit();
            String why = mismatch(mq, h, n);
            if (why != null) {
                throw new CorruptedException("open", name, 0, why);
            }
            return new MqQueue(name, mq);
        } catch (RuntimeException e) {
            mq.close();
            throw e;
        }
    }

    /** Why {@code mq} is not the queue header {@code h} describes; null when it is. */
    private static String mismatch(MessageQueue mq, MailboxHeader h, int n) {
        long ino = inode(mq);
        if (h.id1 != 0 && ino != 0 && ino != h.id1) {
            return "the POSIX queue " + mq.name() + " is not the one this mailbox created (inode " + ino
                    + ", the header names " + h.id1 + ")";
        }
        if (mq.maxMessageSize() != Envelope.SIZE + h.maxMessageSize || mq.maxMessages() != n) {
            return "the POSIX queue holds " + mq.maxMessages() + " messages of " + mq.maxMessageSize()
                    + " bytes; the header says " + n + " of " + Envelope.SIZE + " + " + h.maxMessageSize;
        }
        return null;
    }

    /** The queue's inode, through this process's descriptor of it; 0 when unknown. */
    private static long inode(MessageQueue mq) {
        int fd = mq.acquireDescriptor();
        try {
            return ShmFiles.inodeFollowing(Path.of("/proc/self/fd/" + fd));
        } finally {
            mq.releaseDescriptor();
        }
    }

    /** Removes the queue of the mailbox {@code h} describes, if the queue of that name is it. */
    static boolean remove(String name, MailboxHeader h) {
        if (h.id1 == 0 && h.state != MailboxHeader.READY) {
            return false; // the creator died before recording a queue: any queue of the name is not provably its
        }
        MessageQueue mq;
        try {
            mq = MessageQueue.open(name);
        } catch (NotFoundException e) {
            return false;
        }
        try {
            int n = h.capacity.isZero() ? 1 : h.capacity.limit();
            String why = mismatch(mq, h, n);
            if (why != null) {
                throw new CorruptedException("unlink", name, 0, why + ": left in place");
            }
            return MessageQueue.unlinkIfExists(name);
        } finally {
            mq.close();
        }
    }

    @Override
    boolean put(Envelope head, ByteBuffer payload, long timeoutNanos) throws InterruptedException {
        int len = payload.remaining();
        ByteBuffer f = frames.get();
        f.clear();
        Envelope.write(f, 0, head, len);
        f.put(Envelope.SIZE, payload, payload.position(), len);
        f.limit(Envelope.SIZE + len);
        if (timeoutNanos < 0) {
            mq.send(f, 0);
            return true;
        }
        if (timeoutNanos == 0) {
            return mq.trySend(f, 0);
        }
        return mq.trySend(f, 0, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    boolean take(ByteBuffer dst, Envelope env, long timeoutNanos) throws InterruptedException {
        ByteBuffer f = frames.get();
        f.clear();
        int len;
        if (timeoutNanos < 0) {
            len = mq.receive(f);
        } else if (timeoutNanos == 0) {
            len = mq.tryReceive(f);
        } else {
            len = mq.tryReceive(f, timeoutNanos, TimeUnit.NANOSECONDS);
        }
        if (len < 0) {
            return false;
        }
        Envelope.read(f, 0, len, true, env, "mq_receive", name);
        dst.put(dst.position(), f, Envelope.SIZE, env.length);
        dst.position(dst.position() + env.length);
        return true;
    }

    @Override
    int maxMessageSize() {
        return maxMessage;
    }

    @Override
    dev.ipcj.WaitHook wakeHook() {
        return new dev.ipcj.WaitHook() {
            private int fd = -1;

            @Override
            public int readiness(int interest) {
                return mq.currentMessages() > 0 ? dev.ipcj.WaitSet.READABLE : 0;
            }

            @Override
            public synchronized boolean attach(long bell, int interest) {
                fd = mq.acquireDescriptor(); // epoll watches the queue itself: no doorbell needed
                return true;
            }

            @Override
            public void arm(int interest) {
            }

            @Override
            public synchronized void detach(long bell, int interest) {
                if (fd >= 0) {
                    fd = -1;
                    mq.releaseDescriptor();
                }
            }

            @Override
            public synchronized int descriptor() {
                return fd;
            }
        };
    }

    @Override
    long pending() {
        return mq.currentMessages();
    }

    @Override
    public void close() {
        mq.close();
    }

    @Override
    void unlink() {
        try {
            MessageQueue.unlinkIfExists(name); // by the creating handle, before anyone else could replace it
        } catch (IpcException ignored) {
            // nothing of ours to remove
        }
    }
}
