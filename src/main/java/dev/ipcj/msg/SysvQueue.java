package dev.ipcj.msg;

import dev.ipcj.CorruptedException;
import dev.ipcj.NotFoundException;
import dev.ipcj.RemovedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.posix.NamedSemaphore;
import dev.ipcj.sysv.IpcKey;
import dev.ipcj.sysv.SysvMessage;
import dev.ipcj.sysv.SysvMessageQueue;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link Transport#SYSTEM_V}: one System V message queue (created IPC_PRIVATE; its id is the
 * mailbox header's transport word). The message type is the sender's pid, so a receive from
 * one sender ({@link Inbox#receiveFrom}) is a {@code msgrcv} by type in the kernel, with no
 * scanning; mtext is the 16-byte {@link Envelope}, then the payload, assembled in a
 * per-thread {@link SysvMessage} (no allocation per message).
 *
 * <p>The kernel bounds a queue by bytes (msg_qbytes, at most {@code /proc/sys/kernel/msgmnb}
 * for an unprivileged process), not by messages, so bounded(n) is counted by a semaphore
 * {@code /NAME.sysv-space} of n permits, and refused when n full messages would not fit in
 * msgmnb (then the kernel, not the count, would block senders). System V has no timed
 * msgsnd/msgrcv: a timed send waits on that semaphore; a timed receive tries with IPC_NOWAIT and
 * parks between tries, from 20 µs growing to 1 ms (blocking and non-blocking receives are the
 * kernel's own).
 */
final class SysvQueue extends FrameQueue {
    private final String name;
    private final SysvMessageQueue q;
    private final NamedSemaphore space;
    private final int maxMessage;
    private final ThreadLocal<SysvMessage> messages;

    private SysvQueue(String name, SysvMessageQueue q, NamedSemaphore space, int maxMessage) {
        this.name = name;
        this.q = q;
        this.space = space;
        this.maxMessage = maxMessage;
        this.messages = ThreadLocal.withInitial(() -> SysvMessage.allocate(Envelope.SIZE + maxMessage));
    }

    /** Why System V cannot give {@code capacity} of {@code maxMessageSize}-byte messages; null if it can. */
    static String refusal(Capacity capacity, int maxMessageSize) {
        long msgmax = dev.ipcj.sysv.SysvLimits.msgmax();
        long frame = Envelope.SIZE + (long) maxMessageSize;
        if (frame > msgmax) {
            return "maxMessageSize " + maxMessageSize + " + the 16-byte envelope > /proc/sys/kernel/msgmax " + msgmax
                    + " (raise it with sysctl kernel.msgmax); Transport.POSIX_MQ, RING and SHM_LOG take larger messages";
        }
        long n = capacity.isZero() ? 1 : capacity.limit();
        long mnb = dev.ipcj.sysv.SysvLimits.msgmnb();
        if (n * frame > mnb) {
            return "capacity " + n + " x (16 + " + maxMessageSize + ") bytes = " + n * frame
                    + " > /proc/sys/kernel/msgmnb " + mnb + ", the bytes a queue may hold (raise it with sysctl"
                    + " kernel.msgmnb, or send smaller messages); Transport.RING and Transport.SHM_LOG give bounded("
                    + n + ") of " + maxMessageSize + "-byte messages";
        }
        return null;
    }

    static SysvQueue create(String name, Capacity capacity, int maxMessageSize, long[] word) {
        String why = refusal(capacity, maxMessageSize);
        if (why != null) {
            throw new InvalidArgumentException("create", name, 0, "SYSTEM_V: " + why);
        }
        int n = capacity.isZero() ? 1 : capacity.limit();
        SysvMessageQueue q = SysvMessageQueue.create(IpcKey.PRIVATE);
        try {
            NamedSemaphore space = NamedSemaphore.create(name + ".sysv-space", n);
            word[0] = q.id();
            return new SysvQueue(name, q, space, maxMessageSize);
        } catch (RuntimeException e) {
            q.remove();
            throw e;
        }
    }

    static SysvQueue open(String name, MailboxHeader h) {
        SysvMessageQueue q;
        try {
            q = SysvMessageQueue.ofId((int) h.word);
        } catch (NotFoundException | RemovedException | InvalidArgumentException e) {
            throw new CorruptedException("open", name, 0, "the header names System V queue id " + h.word
                    + ", which does not exist (the mailbox was half removed; unlink it)");
        }
        return new SysvQueue(name, q, NamedSemaphore.open(name + ".sysv-space"), h.maxMessageSize);
    }

    static boolean remove(String name, MailboxHeader h) {
        boolean any = NamedSemaphore.unlinkIfExists(name + ".sysv-space");
        if (h != null && h.transport == Transport.SYSTEM_V) {
            try (SysvMessageQueue q = SysvMessageQueue.ofId((int) h.word)) {
                q.remove();
                any = true;
            } catch (RuntimeException e) {
                // already removed
            }
        }
        return any;
    }

    @Override
    boolean put(int sender, int flags, long sequence, ByteBuffer payload, long timeoutNanos)
            throws InterruptedException {
        if (!Sems.acquire(space, timeoutNanos)) {
            return false;
        }
        boolean sent = false;
        try {
            int len = payload.remaining();
            SysvMessage m = messages.get();
            ByteBuffer b = m.payload();
            b.putInt(0, sender).putInt(4, flags).putLong(8, sequence);
            b.put(Envelope.SIZE, payload, payload.position(), len);
            m.type(sender).size(Envelope.SIZE + len);
            q.send(m); // never waits: the semaphore admits at most n messages, which fit in msg_qbytes
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
            q.receive(m, sender);
        } else if (!q.tryReceive(m, sender)) {
            if (timeoutNanos == 0 || !poll(m, sender, timeoutNanos)) {
                return false;
            }
        }
        space.release();
        int len = m.size();
        if (len < Envelope.SIZE) {
            throw new CorruptedException("msgrcv", name, 0, "a message of " + len
                    + " bytes has no 16-byte envelope: another program wrote to this mailbox's queue");
        }
        ByteBuffer b = m.payload();
        int plen = len - Envelope.SIZE;
        env.set(b.getInt(0), b.getInt(4), b.getLong(8), plen);
        dst.put(dst.position(), b, Envelope.SIZE, plen);
        dst.position(dst.position() + plen);
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
            if (q.tryReceive(m, sender)) {
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
    long pending() {
        return q.stat().messages();
    }

    @Override
    public void close() {
        q.close();
        space.close();
    }

    @Override
    void unlink() {
        NamedSemaphore.unlinkIfExists(name + ".sysv-space");
        try {
            q.remove();
        } catch (RuntimeException e) {
            // already removed
        }
    }
}
