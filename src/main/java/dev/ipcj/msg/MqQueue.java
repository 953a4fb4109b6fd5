package dev.ipcj.msg;

import dev.ipcj.CorruptedException;
import dev.ipcj.posix.MessageQueue;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

/**
 * {@link Transport#POSIX_MQ}: one POSIX message queue named like the mailbox ({@code /NAME}, in
 * the mqueue namespace, apart from shared memory). Each message is one mq message: the
 * 16-byte {@link Envelope}, then the payload, assembled in a per-thread direct buffer (the one
 * copy; mq_send needs contiguous bytes), all at priority 0 so order is FIFO. The queue's
 * mq_maxmsg is the capacity (1 for a rendezvous) and its mq_msgsize is 16 + maxMessageSize, so
 * the live limits {@code /proc/sys/fs/mqueue/msg_max} and {@code msgsize_max} apply, checked
 * by {@link MessageQueue} with messages that name them. Blocking, timed and non-blocking calls
 * map to mq_send/mq_timedsend/O_NONBLOCK-free tries of {@link MessageQueue}, interruptible.
 */
final class MqQueue extends FrameQueue {
    private final MessageQueue mq;
    private final int maxMessage;
    private final ThreadLocal<ByteBuffer> frames;

    private MqQueue(MessageQueue mq) {
        this.mq = mq;
        this.maxMessage = mq.maxMessageSize() - Envelope.SIZE;
        int size = mq.maxMessageSize();
        this.frames = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder()));
    }

    static MqQueue create(String name, Capacity capacity, int maxMessageSize) {
        int n = capacity.isZero() ? 1 : capacity.limit();
        return new MqQueue(MessageQueue.create(name, n, Envelope.SIZE + maxMessageSize));
    }

    static MqQueue open(String name) {
        MessageQueue mq = MessageQueue.open(name);
        if (mq.maxMessageSize() < Envelope.SIZE) {
            mq.close();
            throw new CorruptedException("open", name, 0, "the queue's msgsize " + mq.maxMessageSize()
                    + " cannot hold the 16-byte envelope: not an ipcj mailbox queue");
        }
        return new MqQueue(mq);
    }

    static boolean remove(String name) {
        return MessageQueue.unlinkIfExists(name);
    }

    @Override
    boolean put(int sender, int flags, long sequence, ByteBuffer payload, long timeoutNanos)
            throws InterruptedException {
        int len = payload.remaining();
        ByteBuffer f = frames.get();
        f.clear();
        f.putInt(0, sender).putInt(4, flags).putLong(8, sequence);
        f.put(Envelope.SIZE, payload, payload.position(), len);
        f.limit(Envelope.SIZE + len);
        if (timeoutNanos < 0) {
            mq.send(f, 0);
            return true;
        }
        if (timeoutNanos == 0) {
            return mq.trySend(f, 0);
        }
        return mq.trySend(f, 0, Duration.ofNanos(timeoutNanos));
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
            len = mq.tryReceive(f, Duration.ofNanos(timeoutNanos));
        }
        if (len < 0) {
            return false;
        }
        if (len < Envelope.SIZE) {
            throw new CorruptedException("mq_receive", mq.name(), 0, "a message of " + len
                    + " bytes has no 16-byte envelope: another program wrote to this mailbox's queue");
        }
        int plen = len - Envelope.SIZE;
        env.set(f.getInt(0), f.getInt(4), f.getLong(8), plen);
        dst.put(dst.position(), f, Envelope.SIZE, plen);
        dst.position(dst.position() + plen);
        return true;
    }

    @Override
    int maxMessageSize() {
        return maxMessage;
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
        remove(mq.name());
    }
}
