package dev.ipcj.msg;

import dev.ipcj.CorruptedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.IpcException;
import dev.ipcj.NotFoundException;
import dev.ipcj.RemovedException;
import dev.ipcj.internal.Errno;
import dev.ipcj.internal.SharedPage;
import dev.ipcj.jni.SysvMsg;
import dev.ipcj.sysv.IpcKey;
import dev.ipcj.sysv.MsgQueueStat;
import dev.ipcj.sysv.SysvMessage;
import dev.ipcj.sysv.SysvMessageQueue;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link Transport#SYSTEM_V}: one System V message queue, created IPC_PRIVATE. The message type
 * is the sender's pid, so a receive from one sender ({@link Inbox#receiveFrom}) is a
 * {@code msgrcv} by type in the kernel, with no scanning; mtext is the 40-byte
 * {@link Envelope}, then the payload, assembled in a per-thread {@link SysvMessage} (no
 * allocation per message).
 *
 * <p>The kernel bounds a queue by bytes (msg_qbytes, at most {@code /proc/sys/kernel/msgmnb}
 * for an unprivileged process), not by messages, so bounded(n) is kept by the mailbox's gate
 * ({@link GatedQueue}): a sender counts msg_qnum (IPC_STAT) under the gate lock and sends with
 * IPC_NOWAIT only below n. bounded(n) is refused when n full messages would not fit in msgmnb.
 * A kill leaves no reservation: the kernel's own count is the only count. System V has no timed
 * msgrcv: a timed receive tries with IPC_NOWAIT and parks between tries, from 20 µs growing to
 * 1 ms. Receives use MSG_NOERROR, so a foreign message too large for the mailbox is taken (and
 * reported), never left at the head of the queue to block it.
 *
 * <p>Which queue is the mailbox's: at creation msg_qbytes is lowered by a tag drawn from the
 * mailbox's instance id (1 up to what n full frames leave spare), and the header records the
 * msqid, the ctime that IPC_SET left, the creator uid and that msg_qbytes; open and unlink check
 * all four against IPC_STAT (and the key, IPC_PRIVATE), so a header whose id was overwritten
 * names no other queue, not even one the same user created in the same second.
 */
final class SysvQueue extends GatedQueue {
    /** Receive buffers hold any message System V allows here, up to this (a larger one is cut and reported). */
    private static final int ROOM_CAP = 1 << 20;

    private final SysvMessageQueue q;
    private final int id;
    private final int maxMessage;
    private final int room;
    private final ThreadLocal<SysvMessage> messages;
    private final ThreadLocal<long[]> stats = ThreadLocal.withInitial(() -> new long[SysvMsg.STAT_FIELDS]);

    private SysvQueue(String name, SysvMessageQueue q, int limit, int maxMessage, SharedPage control) {
        super(name, limit, control);
        this.q = q;
        this.id = q.id();
        this.maxMessage = maxMessage;
        // Sized by what the kernel lets any message be, not by the header alone: a message is never
        // cut because a header says less than what senders were allowed to send.
        long msgmax = dev.ipcj.sysv.SysvLimits.msgmax();
        this.room = (int) Math.max(maxMessage, Math.min(msgmax - Envelope.SIZE, ROOM_CAP));
        this.messages = ThreadLocal.withInitial(() -> SysvMessage.allocate(Envelope.SIZE + room));
    }

    /** {@link Transport#SYSTEM_V}'s adapter. */
    static final TransportAdapter ADAPTER = new TransportAdapter() {
        @Override
        FrameQueue create(String name, MailboxHeader h, MailboxHeader.Created c, SharedPage control) {
            return SysvQueue.create(name, h, c, control);
        }

        @Override
        FrameQueue open(String name, MailboxHeader h, SharedPage control) {
            return SysvQueue.open(name, h, control);
        }

        @Override
        boolean remove(String name, MailboxHeader h) {
            return SysvQueue.remove(name, h);
        }

        @Override
        String bound() {
            return "it holds at most /proc/sys/kernel/msgmnb " + dev.ipcj.sysv.SysvLimits.msgmnb() + " bytes";
        }

        @Override
        boolean needsControl() {
            return true; // its capacity gate and space doorbell live in the header page
        }

        @Override
        String refusal(Capacity capacity, int maxMessageSize) {
            return SysvQueue.refusal(capacity, maxMessageSize);
        }
    };

    /** Why System V cannot give {@code capacity} of {@code maxMessageSize}-byte messages; null if it can. */
    static String refusal(Capacity capacity, int maxMessageSize) {
        long msgmax = dev.ipcj.sysv.SysvLimits.msgmax();
        long frame = Envelope.SIZE + (long) maxMessageSize;
        if (frame > msgmax) {
            return "maxMessageSize " + maxMessageSize + " + the " + Envelope.SIZE + "-byte envelope > /proc/sys/kernel/msgmax "
                    + msgmax + " (raise it with sysctl kernel.msgmax); Transport.POSIX_MQ, RING and SHM_LOG take larger"
                    + " messages";
        }
        long n = capacity.isZero() ? 1 : capacity.limit();
        long mnb = dev.ipcj.sysv.SysvLimits.msgmnb();
        if (n * frame > mnb) {
            return "capacity " + n + " x (" + Envelope.SIZE + " + " + maxMessageSize + ") bytes = " + n * frame
                    + " > /proc/sys/kernel/msgmnb " + mnb + ", the bytes a queue may hold (raise it with sysctl"
                    + " kernel.msgmnb, or send smaller messages); Transport.RING and Transport.SHM_LOG give bounded("
                    + n + ") of " + maxMessageSize + "-byte messages";
        }
        return null;
    }

    static SysvQueue create(String name, MailboxHeader h, MailboxHeader.Created c, SharedPage control) {
        String why = refusal(h.capacity, h.maxMessageSize);
        if (why != null) {
            throw new InvalidArgumentException("create", name, 0, "SYSTEM_V: " + why);
        }
        SysvMessageQueue q = SysvMessageQueue.create(IpcKey.PRIVATE);
        try {
            // A tag no other queue is likely to have: msg_qbytes lowered by 1..slack bytes, where
            // slack is what n full frames leave of it (so they still fit).
            MsgQueueStat st = q.stat();
            long n = h.capacity.isZero() ? 1 : h.capacity.limit();
            long slack = st.maxBytes() - n * (Envelope.SIZE + (long) h.maxMessageSize);
            if (slack >= 1) {
                q.setMaxBytes(st.maxBytes() - 1 - Math.floorMod(h.instance, Math.min(slack, 1L << 20)));
                st = q.stat();
            }
            h.id1 = q.id();
            h.id2 = st.lastChange().getEpochSecond();
            h.id3 = (st.maxBytes() << 32) | (st.permissions().creatorUid() & 0xFFFFFFFFL);
            c.write(h, name); // recorded at once: from now on unlink finds exactly this queue
            return new SysvQueue(name, q, h.capacity.isZero() ? 1 : h.capacity.limit(), h.maxMessageSize, control);
        } catch (RuntimeException e) {
            q.remove();
            throw e;
        }
    }

    static SysvQueue open(String name, MailboxHeader h, SharedPage control) {
        String why = refusal(h.capacity, h.maxMessageSize);
        if (why != null) {
            throw new CorruptedException("open", name, 0, "the header's capacity " + h.capacity + " and max message size "
                    + h.maxMessageSize + " do not fit System V here: " + why);
        }
        SysvMessageQueue q = verified(name, h, "open");
        return new SysvQueue(name, q, h.capacity.isZero() ? 1 : h.capacity.limit(), h.maxMessageSize, control);
    }

    /** The queue the header names, proven to be the mailbox's (id, key, ctime, creator uid). */
    private static SysvMessageQueue verified(String name, MailboxHeader h, String call) {
        if (h.id1 < 0 || h.id1 > Integer.MAX_VALUE) {
            throw new CorruptedException(call, name, 0, "the header names System V queue id " + h.id1 + ": out of range");
        }
        SysvMessageQueue q;
        MsgQueueStat st;
        try {
            q = SysvMessageQueue.ofId((int) h.id1);
            st = q.stat();
        } catch (NotFoundException | RemovedException | InvalidArgumentException e) {
            throw new NotFoundException(call, name, Errno.EIDRM, "the header names System V queue id " + h.id1
                    + ", which does not exist (the mailbox was half removed; unlink it)");
        }
        long uid = h.id3 & 0xFFFFFFFFL;
        long qbytes = h.id3 >>> 32;
        if (!st.permissions().key().isPrivate() || st.lastChange().getEpochSecond() != h.id2
                || (st.permissions().creatorUid() & 0xFFFFFFFFL) != uid || st.maxBytes() != qbytes) {
            q.close();
            throw new CorruptedException(call, name, 0, "System V queue id " + h.id1 + " is not this mailbox's: it has key "
                    + st.permissions().key() + ", ctime " + st.lastChange().getEpochSecond() + ", creator uid "
                    + st.permissions().creatorUid() + ", msg_qbytes " + st.maxBytes() + "; the header recorded key"
                    + " IPC_PRIVATE, ctime " + h.id2 + ", creator uid " + uid + ", msg_qbytes " + qbytes);
        }
        return q;
    }

    /** Removes the queue the header names, once proven to be the mailbox's; true if it did. */
    static boolean remove(String name, MailboxHeader h) {
        if (h.id1 == 0 && h.id2 == 0) {
            return false; // the creator died before recording a queue
        }
        SysvMessageQueue q;
        try {
            q = verified(name, h, "unlink");
        } catch (NotFoundException e) {
            return false;
        } catch (CorruptedException e) {
            throw new CorruptedException("unlink", name, 0, e.getMessage() + "; left it in place (the mailbox's own"
                    + " queue cannot be found: look for it with ipcs -q)");
        }
        try {
            q.remove();
            return true;
        } catch (IpcException e) {
            return false;
        } finally {
            q.close();
        }
    }

    @Override
    long count() {
        long[] out = stats.get();
        int r = SysvMsg.msgctlStat(id, out);
        if (r < 0) {
            if (r == -Errno.EINVAL || r == -Errno.EIDRM) {
                throw new RemovedException("msgctl(IPC_STAT)", name, Errno.EIDRM, "the mailbox's System V queue id "
                        + id + " was removed");
            }
            throw IpcException.of("msgctl(IPC_STAT)", name, r);
        }
        return out[10];
    }

    @Override
    boolean publish(Envelope head, ByteBuffer payload) {
        int len = payload.remaining();
        SysvMessage m = messages.get();
        ByteBuffer b = m.payload();
        Envelope.write(b, 0, head, len);
        b.put(Envelope.SIZE, payload, payload.position(), len);
        m.type(head.sender).size(Envelope.SIZE + len);
        return q.trySend(m); // false only when foreign messages fill msg_qbytes
    }

    @Override
    boolean take(ByteBuffer dst, Envelope env, long timeoutNanos) throws InterruptedException {
        return takeFrom(0, dst, env, timeoutNanos);
    }

    @Override
    boolean selectsNatively() {
        return true;
    }

    @Override
    boolean takeFrom(int sender, ByteBuffer dst, Envelope env, long timeoutNanos) throws InterruptedException {
        SysvMessage m = messages.get();
        if (timeoutNanos < 0) {
            q.receive(m, sender, SysvMessageQueue.TRUNCATE);
        } else if (!q.receive(m, sender, SysvMessageQueue.TRUNCATE | SysvMessageQueue.NO_WAIT)) {
            if (timeoutNanos == 0 || !poll(m, sender, timeoutNanos)) {
                return false;
            }
        }
        freed();
        if (m.truncated()) {
            throw new CorruptedException("msgrcv", name, 0, "a message larger than " + Envelope.SIZE + " + " + room
                    + " bytes: another program wrote to this mailbox's queue");
        }
        ByteBuffer b = m.payload();
        Envelope.read(b, 0, m.size(), true, env, "msgrcv", name);
        if (m.type() != env.sender) {
            throw new CorruptedException("msgrcv", name, 0, "a frame of type " + m.type() + " says its sender is pid "
                    + env.sender + ": ipcj sends with type = sender pid");
        }
        dst.put(dst.position(), b, Envelope.SIZE, env.length);
        dst.position(dst.position() + env.length);
        return true;
    }

    /** msgrcv has no timeout: try, then park 20 µs .. 1 ms, until the deadline. */
    private boolean poll(SysvMessage m, int sender, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        long park = 20_000L;
        for (;;) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            LockSupport.parkNanos(Math.min(park, left));
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (q.receive(m, sender, SysvMessageQueue.TRUNCATE | SysvMessageQueue.NO_WAIT)) {
                return true;
            }
            park = Math.min(park * 2, 1_000_000L);
        }
    }

    @Override
    int maxMessageSize() {
        return maxMessage;
    }

    @Override
    int receiveRoom() {
        return room;
    }

    @Override
    long pending() {
        return count();
    }

    @Override
    public void close() {
        q.close(); // the header page belongs to the Mailbox
    }

    @Override
    void unlink() {
        try {
            q.remove();
        } catch (IpcException e) {
            // already removed
        }
    }
}
