package dev.ipcj.msg;

import dev.ipcj.CorruptedException;
import dev.ipcj.ring.RecordHandler;
import dev.ipcj.ring.RingConsumer;
import dev.ipcj.ring.RingLayout;
import dev.ipcj.ring.RingProducer;
import dev.ipcj.ring.RingVariant;
import dev.ipcj.ring.SharedRing;
import dev.ipcj.posix.NamedSemaphore;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link Transport#RING}: ipcj's shared-memory ring ({@code /NAME.ring}, MANY_TO_ONE so any
 * number of processes and threads may send). A send claims a record, writes the 16-byte
 * {@link Envelope} and the payload straight into the shared mapping and commits it; a receive
 * copies straight out of the mapping into the caller's buffer: one copy each way, no system
 * call and no allocation per message while both sides are busy.
 *
 * <p>The ring is sized in bytes (a power of two holding n records of the largest message), so
 * bounded(n) counts messages with a semaphore {@code /NAME.ring-space} of n permits: a send
 * takes a permit (timed or not), a receive returns one. The ring has one consumer at a time
 * across all processes: a handle attaches it when it receives, keeps it while messages come
 * (no cost per message), and lets it go when a receive finds the ring empty or times out; a
 * second process that receives while the first is attached is refused by the ring with a
 * message naming the holder's pid. Several processes may therefore take turns receiving, but
 * not wait at the same time: use POSIX_MQ or SYSTEM_V for competing receivers.
 */
final class RingQueue extends FrameQueue {
    private final String name;
    private final SharedRing ring;
    private final NamedSemaphore space;
    private final int maxMessage;
    private final int limit;
    private volatile boolean closed;
    private final ReentrantLock receiving = new ReentrantLock();
    private volatile RingProducer producer;
    private RingConsumer consumer; // guarded by receiving
    private final Copier copier = new Copier(); // guarded by receiving

    private RingQueue(String name, SharedRing ring, NamedSemaphore space, int limit) {
        this.name = name;
        this.limit = limit;
        this.ring = ring;
        this.space = space;
        this.maxMessage = ring.maxRecordLength() - Envelope.SIZE;
    }

    /** Ring bytes for n records of {@code maxMessageSize}; -1 when more than the ring's maximum. */
    static long ringBytes(int n, int maxMessageSize) {
        long record = 8 + ((Envelope.SIZE + (long) maxMessageSize + 7) & ~7L);
        long need = Math.max(RingLayout.MIN_CAPACITY, Math.max(2 * record, n * record));
        long cap = Long.highestOneBit(need);
        if (cap < need) {
            cap <<= 1;
        }
        return cap > RingLayout.MAX_CAPACITY ? -1 : cap;
    }

    static String refusal(Capacity capacity, int maxMessageSize) {
        int n = capacity.isZero() ? 1 : Math.max(capacity.limit(), 1);
        if (capacity.isBounded() && ringBytes(n, maxMessageSize) < 0) {
            return "capacity " + n + " records of 8 + 16 + " + maxMessageSize + " bytes exceed the ring's maximum of "
                    + RingLayout.MAX_CAPACITY + " bytes; Transport.SHM_LOG gives bounded(" + n + ") of any size";
        }
        return null;
    }

    static RingQueue create(String name, Capacity capacity, int maxMessageSize) {
        int n = capacity.isZero() ? 1 : capacity.limit();
        long bytes = ringBytes(n, maxMessageSize);
        SharedRing ring = SharedRing.create(name + ".ring", RingVariant.MANY_TO_ONE, (int) bytes,
                Envelope.SIZE + maxMessageSize);
        try {
            return new RingQueue(name, ring, NamedSemaphore.create(name + ".ring-space", n), n);
        } catch (RuntimeException e) {
            ring.close();
            SharedRing.unlinkIfExists(name + ".ring");
            throw e;
        }
    }

    static RingQueue open(String name, MailboxHeader h) {
        SharedRing ring = SharedRing.open(name + ".ring");
        try {
            return new RingQueue(name, ring, NamedSemaphore.open(name + ".ring-space"),
                    h.capacity.isZero() ? 1 : h.capacity.limit());
        } catch (RuntimeException e) {
            ring.close();
            throw e;
        }
    }

    static boolean remove(String name) {
        boolean any = SharedRing.unlinkIfExists(name + ".ring");
        any |= NamedSemaphore.unlinkIfExists(name + ".ring-space");
        return any;
    }

    private RingProducer producer() {
        RingProducer p = producer;
        if (p == null) {
            synchronized (this) {
                p = producer;
                if (p == null) {
                    p = ring.producer();
                    producer = p;
                }
            }
        }
        return p;
    }

    @Override
    boolean put(int sender, int flags, long sequence, ByteBuffer payload, long timeoutNanos)
            throws InterruptedException {
        if (!Sems.acquire(space, timeoutNanos)) {
            return false;
        }
        boolean sent = false;
        try {
            RingProducer p = producer();
            int len = payload.remaining();
            int at = p.claim(Envelope.SIZE + len); // room is certain: n permits, n records of room
            ByteBuffer b = p.buffer();
            b.putInt(at, sender).putInt(at + 4, flags).putLong(at + 8, sequence);
            b.put(at + Envelope.SIZE, payload, payload.position(), len);
            p.commit(at);
            sent = true;
        } finally {
            if (!sent) {
                space.release();
            }
        }
        return true;
    }

    @Override
    boolean take(ByteBuffer dst, Envelope env, long timeoutNanos) throws InterruptedException {
        receiving.lockInterruptibly();
        try {
            if (consumer == null) {
                consumer = ring.consumer();
            }
            copier.dst = dst;
            copier.env = env;
            int n;
            if (timeoutNanos < 0) {
                n = consumer.take(copier, 1);
            } else if (timeoutNanos == 0) {
                n = consumer.read(copier, 1);
            } else {
                n = consumer.read(copier, 1, Duration.ofNanos(timeoutNanos));
            }
            copier.dst = null;
            if (n == 0) {
                consumer.close(); // idle: let another process receive (see the class comment)
                consumer = null;
                return false;
            }
            if (copier.bad >= 0) {
                int bad = copier.bad;
                copier.bad = -1;
                throw new CorruptedException("ring read", name, 0, "a record of " + bad
                        + " bytes has no 16-byte envelope: another program wrote to this mailbox's ring");
            }
        } finally {
            receiving.unlock();
        }
        space.release();
        return true;
    }

    /** Copies one record out of the mapping: envelope into env, payload into dst. */
    private static final class Copier implements RecordHandler {
        ByteBuffer dst;
        Envelope env;
        int bad = -1;

        @Override
        public void onRecord(ByteBuffer buffer, int offset, int length) {
            if (length < Envelope.SIZE) {
                bad = length;
                return;
            }
            int plen = length - Envelope.SIZE;
            env.set(buffer.getInt(offset), buffer.getInt(offset + 4), buffer.getLong(offset + 8), plen);
            dst.put(dst.position(), buffer, offset + Envelope.SIZE, plen);
            dst.position(dst.position() + plen);
        }
    }

    @Override
    int maxMessageSize() {
        return maxMessage;
    }

    @Override
    long pending() {
        return limit - space.value(); // permits taken: messages in the ring or being written
    }

    @Override
    public void close() {
        closed = true;
        if (receiving.tryLock()) { // a receiver blocked in the ring is woken by ring.close() below
            try {
                if (consumer != null) {
                    consumer.close();
                    consumer = null;
                }
            } finally {
                receiving.unlock();
            }
        }
        RingProducer p = producer;
        if (p != null) {
            p.close();
        }
        ring.close();
        space.close();
    }

    @Override
    void unlink() {
        remove(name);
    }
}
