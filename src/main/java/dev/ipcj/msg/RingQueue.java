package dev.ipcj.msg;

import dev.ipcj.CorruptedException;
import dev.ipcj.IpcException;
import dev.ipcj.NotFoundException;
import dev.ipcj.internal.Faults;
import dev.ipcj.internal.SharedPage;
import dev.ipcj.internal.ShmFiles;
import dev.ipcj.ring.RecordHandler;
import dev.ipcj.ring.RingConsumer;
import dev.ipcj.ring.RingLayout;
import dev.ipcj.ring.RingProducer;
import dev.ipcj.ring.RingVariant;
import dev.ipcj.ring.SharedRing;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link Transport#RING}: ipcj's shared-memory ring ({@code /NAME.ring}, MANY_TO_ONE so any
 * number of processes and threads may send). A send claims a record, writes the 40-byte
 * {@link Envelope} and the payload straight into the shared mapping and commits it; a receive
 * copies straight out of the mapping into the caller's buffer: one copy each way, no system
 * call and no allocation per message while both sides are busy.
 *
 * <p>Every record has the same size R: 8 + 40 + maxMessageSize rounded up to a power of two
 * (only the bytes of the envelope and the payload are written). R divides the ring's capacity,
 * so no record ever needs wrap padding, and the number of records in the ring is exactly
 * {@code (in - out) / R}, read from the ring's header: that is the count bounded(n) keeps, under
 * the mailbox's gate ({@link GatedQueue}). A kill leaves no reservation to repair: a claim of a
 * dead sender counts until the consumer turns it into padding and passes it.
 *
 * <p>The ring has one consumer at a time across all processes: a handle attaches it when it
 * receives, keeps it while messages come (no cost per message), and lets it go when a receive
 * finds the ring empty or times out; a second process that receives while the first is attached
 * is refused by the ring with a message naming the holder's pid. Several processes may therefore
 * take turns receiving, but not wait at the same time: use POSIX_MQ or SYSTEM_V for competing
 * receivers.
 */
final class RingQueue extends GatedQueue {
    private final SharedRing ring;
    private final SharedPage positions;
    private final int record;
    private final int maxMessage;
    private final ReentrantLock receiving = new ReentrantLock();
    /** The consumer's out as last read under the gate (see hasRoom); 0 before the first look. */
    private long outSeen;
    private volatile RingProducer producer;
    private RingConsumer consumer; // guarded by receiving
    private final Copier copier; // guarded by receiving

    private RingQueue(String name, SharedRing ring, SharedPage positions, int record, int limit, int maxMessage,
                      SharedPage control) {
        super(name, limit, control);
        this.ring = ring;
        this.positions = positions;
        this.record = record;
        this.maxMessage = maxMessage;
        this.copier = new Copier(name, record - RingLayout.RECORD_HEADER - Envelope.SIZE);
    }

    /** R: the record size of a mailbox of {@code maxMessageSize}-byte messages (a power of two). */
    static long recordSize(int maxMessageSize) {
        long need = RingLayout.RECORD_HEADER + ((Envelope.SIZE + (long) maxMessageSize + 7) & ~7L);
        long r = Long.highestOneBit(need);
        return r < need ? r << 1 : r;
    }

    /** Ring bytes for n records of {@code maxMessageSize}; -1 when more than the ring's maximum. */
    static long ringBytes(int n, int maxMessageSize) {
        long r = recordSize(maxMessageSize);
        long need = Math.max(RingLayout.MIN_CAPACITY, Math.max(2 * r, n * r));
        long cap = Long.highestOneBit(need);
        if (cap < need) {
            cap <<= 1;
        }
        return cap > RingLayout.MAX_CAPACITY ? -1 : cap;
    }

    /** {@link Transport#RING}'s adapter. */
    static final TransportAdapter ADAPTER = new TransportAdapter() {
        @Override
        FrameQueue create(String name, MailboxHeader h, MailboxHeader.Created c, SharedPage control) {
            return RingQueue.create(name, h, c, control);
        }

        @Override
        FrameQueue open(String name, MailboxHeader h, SharedPage control) {
            return RingQueue.open(name, h, control);
        }

        @Override
        boolean remove(String name, MailboxHeader h) {
            return RingQueue.remove(name, h);
        }

        @Override
        String bound() {
            return "its slots are fixed when it is created";
        }

        @Override
        boolean needsControl() {
            return true; // its capacity gate and space doorbell live in the header page
        }

        @Override
        String refusal(Capacity capacity, int maxMessageSize) {
            return RingQueue.refusal(capacity, maxMessageSize);
        }
    };

    static String refusal(Capacity capacity, int maxMessageSize) {
        int n = capacity.isZero() ? 1 : Math.max(capacity.limit(), 1);
        if (ringBytes(n, maxMessageSize) < 0) {
            return "capacity " + n + " records of " + recordSize(maxMessageSize) + " bytes (8 + " + Envelope.SIZE
                    + " + " + maxMessageSize + ", rounded up to a power of two) exceed the ring's maximum of "
                    + RingLayout.MAX_CAPACITY + " bytes; Transport.SHM_LOG gives bounded(" + n + ") of any size";
        }
        return null;
    }

    static Path ringPath(String name) {
        return ShmFiles.DIR.resolve(name.substring(1) + ".ring");
    }

    static RingQueue create(String name, MailboxHeader h, MailboxHeader.Created c, SharedPage control) {
        int n = h.capacity.isZero() ? 1 : h.capacity.limit();
        long bytes = ringBytes(n, h.maxMessageSize);
        int r = (int) recordSize(h.maxMessageSize);
        if (ShmFiles.attributes(ringPath(name), "create", name) != null) {
            // Checked first: a ring of that name is another object, and must not be touched.
            throw new dev.ipcj.AlreadyExistsException("create", name, dev.ipcj.internal.Errno.EEXIST, ringPath(name)
                    + " exists: another ring or object has the name this mailbox's ring needs");
        }
        SharedRing ring = SharedRing.create(name + ".ring", RingVariant.MANY_TO_ONE, (int) bytes,
                r - RingLayout.RECORD_HEADER);
        try {
            h.id1 = ShmFiles.inode(ringPath(name));
            h.id2 = r;
            c.write(h, name); // recorded at once: from now on unlink finds exactly this ring
            SharedPage pos = SharedPage.open(ringPath(name), RingLayout.HEADER_SIZE, true, "create", name);
            return new RingQueue(name, ring, pos, r, n, h.maxMessageSize, control);
        } catch (RuntimeException e) {
            ring.close();
            SharedRing.unlinkIfExists(name + ".ring"); // created exclusively a moment ago: ours
            throw e;
        }
    }

    static RingQueue open(String name, MailboxHeader h, SharedPage control) {
        int n = h.capacity.isZero() ? 1 : h.capacity.limit();
        String why = refusal(h.capacity, h.maxMessageSize);
        if (why != null) {
            throw new CorruptedException("open", name, 0, "the header's capacity and max message size do not fit a"
                    + " ring: " + why);
        }
        long r = recordSize(h.maxMessageSize);
        if (h.id2 != r) {
            throw new CorruptedException("open", name, 0, "the header records ring records of " + h.id2
                    + " bytes; its max message size " + h.maxMessageSize + " makes them " + r);
        }
        long ino = ShmFiles.inode(ringPath(name));
        if (ino == 0) {
            throw new NotFoundException("open", name, dev.ipcj.internal.Errno.ENOENT, ringPath(name)
                    + " does not exist (the mailbox was half removed; unlink it)");
        }
        if (h.id1 != 0 && ino != h.id1) {
            throw new CorruptedException("open", name, 0, ringPath(name) + " is not this mailbox's ring (inode " + ino
                    + ", the header names " + h.id1 + ")");
        }
        SharedRing ring = SharedRing.open(name + ".ring");
        SharedPage pos = null;
        try {
            if (ring.variant() != RingVariant.MANY_TO_ONE || ring.maxRecordLength() != r - RingLayout.RECORD_HEADER
                    || ring.capacity() < n * r || ring.capacity() % r != 0) {
                throw new CorruptedException("open", name, 0, "the ring is " + ring.variant() + " of " + ring.capacity()
                        + " bytes, max record " + ring.maxRecordLength() + "; the header needs MANY_TO_ONE holding "
                        + n + " records of " + r + " bytes");
            }
            pos = SharedPage.open(ringPath(name), RingLayout.HEADER_SIZE, true, "open", name);
            return new RingQueue(name, ring, pos, (int) r, n, h.maxMessageSize, control);
        } catch (RuntimeException e) {
            ring.close();
            if (pos != null) {
                pos.close();
            }
            throw e;
        }
    }

    /** Removes the ring the header names, if the ring of that name is it; true if it did. */
    static boolean remove(String name, MailboxHeader h) {
        long ino = ShmFiles.inode(ringPath(name));
        if (ino == 0 || h.id1 == 0) {
            return false; // absent, or the creator died before recording it: not provably the mailbox's
        }
        if (ino != h.id1) {
            throw new CorruptedException("unlink", name, 0, ringPath(name) + " is not this mailbox's ring (inode " + ino
                    + ", the header names " + h.id1 + "): left in place");
        }
        return SharedRing.unlinkIfExists(name + ".ring");
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
    long count() {
        long out = positions.getLongVolatile(RingLayout.OUT_OFFSET);
        long in = positions.getLongVolatile(RingLayout.IN_OFFSET);
        positions.checkIntact("send");
        long used = in - out;
        if (used < 0 || used > ring.capacity()) {
            positions.checkSize("send");
            throw new CorruptedException("send", name, 0, "the ring's in " + in + " and out " + out
                    + " break out <= in <= out + capacity " + ring.capacity());
        }
        return (used + record - 1) / record; // records of other sizes (not ipcj's) count as whole ones
    }

    /**
     * count() &lt; limit, mostly without reading the consumer's {@code out}: a position remembered
     * from an earlier look is at most the real one (out only grows), so if the records between
     * it and {@code in} leave room, there is room. Only when they do not is the real {@code out}
     * read (a cache line the consumer writes on every message: a miss per message otherwise).
     * Under the gate, so one thread at a time uses the remembered value.
     */
    @Override
    boolean hasRoom() {
        long in = positions.getLongVolatile(RingLayout.IN_OFFSET);
        long used = in - outSeen;
        if (used >= 0 && used <= ring.capacity() && (used + record - 1) / record < limit) {
            return true;
        }
        long n = count();
        outSeen = positions.getLongVolatile(RingLayout.OUT_OFFSET);
        return n < limit;
    }

    @Override
    boolean publish(Envelope head, ByteBuffer payload) {
        RingProducer p = producer();
        int at = p.tryClaim(record - RingLayout.RECORD_HEADER);
        if (at < 0) {
            return false; // claims of dead senders not yet passed by the consumer
        }
        int len = payload.remaining();
        ByteBuffer b = p.buffer();
        Envelope.write(b, at, head, len);
        b.put(at + Envelope.SIZE, payload, payload.position(), len);
        p.commit(at);
        return true;
    }

    @Override
    boolean take(ByteBuffer dst, Envelope env, long timeoutNanos) throws InterruptedException {
        long deadline = Timeouts.deadline(timeoutNanos);
        boolean locked = timeoutNanos < 0 ? lockForever()
                : receiving.tryLock(Timeouts.remaining(timeoutNanos, deadline), TimeUnit.NANOSECONDS);
        if (!locked) {
            return false;
        }
        try {
            if (consumer == null) {
                consumer = ring.consumer();
            }
            copier.dst = dst;
            copier.env = env;
            copier.bad = null;
            int n;
            long wait = Timeouts.remaining(timeoutNanos, deadline);
            try {
                if (wait < 0) {
                    n = consumer.take(copier, 1);
                } else if (wait == 0) {
                    n = consumer.read(copier, 1);
                } else {
                    n = consumer.read(copier, 1, wait, TimeUnit.NANOSECONDS);
                }
            } finally {
                copier.dst = null;
                copier.env = null;
            }
            if (n == 0) {
                consumer.close(); // idle: let another process receive (see the class comment)
                consumer = null;
                return false;
            }
        } catch (InternalError e) {
            throw truncated("receive", e);
        } finally {
            receiving.unlock();
        }
        freed();
        if (copier.bad != null) {
            CorruptedException bad = copier.bad;
            copier.bad = null;
            throw bad;
        }
        return true;
    }

    private boolean lockForever() throws InterruptedException {
        receiving.lockInterruptibly();
        return true;
    }

    @Override
    void checkIntact(String call) {
        positions.checkSize(call, RingLayout.HEADER_SIZE + (long) ring.capacity());
    }

    @Override
    CorruptedException truncated(String call, InternalError e) {
        long s = positions.currentSize();
        if (s >= 0 && s < RingLayout.HEADER_SIZE + (long) ring.capacity()) {
            return Faults.truncated(call, ringPath(name).toString(), e, s);
        }
        return super.truncated(call, e);
    }

    /** Copies one record out of the mapping: envelope into env, payload into dst. */
    private static final class Copier implements RecordHandler {
        private final String name;
        private final int max;
        ByteBuffer dst;
        Envelope env;
        CorruptedException bad;

        Copier(String name, int max) {
            this.name = name;
            this.max = max;
        }

        @Override
        public void onRecord(ByteBuffer buffer, int offset, int length) {
            try {
                Envelope.read(buffer, offset, length, false, env, "ring read", name);
                if (env.length > max) {
                    throw new CorruptedException("ring read", name, 0, "a frame says its payload is " + env.length
                            + " bytes, more than its record holds (" + max + ")");
                }
            } catch (CorruptedException e) {
                bad = e; // consumed: thrown once the ring has moved past it
                return;
            }
            dst.put(dst.position(), buffer, offset + Envelope.SIZE, env.length);
            dst.position(dst.position() + env.length);
        }
    }

    @Override
    int maxMessageSize() {
        return maxMessage;
    }

    @Override
    int receiveRoom() {
        return record - RingLayout.RECORD_HEADER - Envelope.SIZE;
    }

    @Override
    dev.ipcj.WaitHook wakeHook() {
        return ring.readableHook(); // senders commit through the ring, whose wake() rings the table
    }

    @Override
    long pending() {
        try {
            return count();
        } catch (InternalError e) {
            throw truncated("pending", e);
        }
    }

    @Override
    public void close() {
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
        positions.close();
    }

    @Override
    void unlink() {
        try {
            SharedRing.unlinkIfExists(name + ".ring");
        } catch (IpcException ignored) {
            // nothing of ours to remove
        }
    }
}
