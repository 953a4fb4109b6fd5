package dev.ipcj.msg;

import dev.ipcj.CorruptedException;
import dev.ipcj.internal.CrashPoints;
import dev.ipcj.internal.Doorbell;
import dev.ipcj.internal.SharedLock;
import dev.ipcj.internal.SharedPage;
import java.nio.ByteBuffer;

/**
 * A transport whose bound the kernel or the ring does not count in messages (System V counts
 * bytes; the ring counts bytes): bounded(n) is kept by a gate in the mailbox header. A sender
 * takes the gate lock ({@link SharedLock}), counts the messages in the transport itself
 * ({@link #count()}: msg_qnum from IPC_STAT; the ring's unconsumed fixed-size records), publishes
 * only if fewer than n are there, and lets go. Receivers take no lock: a take only lowers the
 * count; after one they ring the space doorbell, on which full senders sleep.
 *
 * <p>What a kill leaves, and who repairs it:
 * <ul>
 * <li>a sender killed while holding the gate: the lock word names a dead process; the next
 *     sender to wait finds that out (within 1 ms..100 ms) and takes the lock over. Whatever the
 *     dead sender did or did not publish is in the count, because the count is read from the
 *     transport, not remembered: no permit can leak, and never more than n messages wait;
 * <li>a receiver killed after taking a message and before ringing: nothing is lost; a full
 *     sender sleeping on the doorbell wakes at the end of its slice (at most 250 ms) and counts
 *     again;
 * <li>RING only: a sender killed between claiming its record and committing it leaves a claim
 *     the ring turns into padding when its consumer reaches it; until then the claim counts as
 *     one of the n (so the bound holds), and it is freed as soon as a receiver passes it.
 * </ul>
 */
abstract class GatedQueue extends FrameQueue {
    final String name;
    final int limit;
    final SharedPage control;
    private final SharedLock gate;
    private final Doorbell space;

    GatedQueue(String name, int limit, SharedPage control) {
        this.name = name;
        this.limit = limit;
        this.control = control;
        this.gate = new SharedLock(control, MailboxHeader.OFF_GATE, "send");
        this.space = new Doorbell(control, MailboxHeader.OFF_SPACE, "send");
    }

    /** Messages in the transport now, as the transport itself counts them (exact under the gate). */
    abstract long count();

    /**
     * Whether one more message keeps the transport within its n, under the gate: {@code count() < limit},
     * or a cheaper test a transport can make exactly (RingQueue's, from a remembered position).
     */
    boolean hasRoom() {
        return count() < limit;
    }

    /** Publishes the frame without waiting: false when the transport has no room now. Under the gate. */
    abstract boolean publish(Envelope head, ByteBuffer payload);

    @Override
    final boolean put(Envelope head, ByteBuffer payload, long nanos) throws InterruptedException {
        long deadline = Timeouts.deadline(nanos);
        long slice = Doorbell.FIRST_SLICE;
        try {
            for (;;) {
                if (!gate.lock(Timeouts.remaining(nanos, deadline))) {
                    return false;
                }
                boolean sent = false;
                try {
                    CrashPoints.reach("gate-locked");
                    if (hasRoom()) {
                        sent = publish(head, payload);
                        CrashPoints.reach("gate-published");
                    }
                } finally {
                    gate.unlock();
                }
                if (sent) {
                    control.checkIntact("send"); // the count was read under a lock on shared memory
                    return true;
                }
                if (Timeouts.expired(nanos, deadline)) {
                    return false;
                }
                // Full: announce, then look again (a receiver that took a message before seeing
                // the announcement left room this count sees), then sleep (see Doorbell).
                int seen = space.announce();
                if (count() < limit) {
                    continue;
                }
                space.awaitAnnounced(seen, Timeouts.slice(nanos, deadline, slice));
                slice = Math.min(slice * 2, Doorbell.MAX_SLICE);
            }
        } catch (InternalError e) {
            throw truncated("send", e);
        }
    }

    /** A receiver took a message: wake full senders. The message is delivered even if this fails. */
    final void freed() {
        try {
            space.ringIfAnnounced();
        } catch (InternalError e) {
            if (!dev.ipcj.internal.Faults.isMappingFault(e)) {
                throw e;
            }
            // the header was truncated: the next send reports it; this message is delivered
        }
    }

    CorruptedException truncated(String call, InternalError e) {
        return control.truncated(call, e);
    }
}
