package dev.ipcj.msg;

import dev.ipcj.CorruptedException;
import dev.ipcj.internal.CrashPoints;
import dev.ipcj.internal.SharedLock;
import dev.ipcj.internal.SharedPage;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The rendezvous of a mailbox of capacity zero: a send that returns only when a receiver took
 * its message.
 *
 * <p>The queue under a rendezvous holds one message. A sender takes the mailbox's turn (a
 * {@link SharedLock} in the header: one rendezvous at a time), publishes an offer in the
 * header's rendezvous word (its pid, a token unique in its process, state OFFERED), puts the
 * message flagged ACK with that token, and sleeps on the word (a futex). A receiver that takes an
 * ACK message claims it with a CAS of the word from OFFERED to TAKEN for exactly that pid and
 * token, wakes the sender and returns the message; if the CAS fails the message is no longer
 * offered and is discarded. The sender's send succeeds only when it sees TAKEN with its own
 * token. At its deadline (or when interrupted) it CASes OFFERED to CANCELLED: if that wins, no
 * receiver holds the message and the send fails (the message, still in the queue, is discarded
 * by the next receiver); if it loses, a receiver holds it and the send succeeds. Exactly one CAS
 * wins, so a send never both fails and delivers, and never succeeds for a message nobody took.
 * {@link Mailbox#trySend} on a rendezvous waits at most 1 ms for a receiver that is already waiting.
 *
 * <p>What a kill or a scribble leaves: a sender killed while holding the turn is found dead by
 * the next sender (SharedLock), which takes the turn over; its offer stays in the word until
 * overwritten and its message, if put, is discarded (the word no longer offers it). A receiver
 * killed between taking the message and claiming it leaves the message gone but the word
 * OFFERED: the sender notices the queue has stayed empty for 50 ms, cancels and offers the
 * message again (a receiver that merely stalled there then fails its claim and discards it).
 * A word overwritten by another process while a sender waits, to anything but its own TAKEN,
 * ends the send with CorruptedException (whether a receiver took the message is then unknown);
 * it never blocks past the deadline and never reports success.
 */
final class Rendezvous {
    /** How long a non-blocking send on a rendezvous waits for a receiver already waiting. */
    private static final long TRY_RENDEZVOUS_NANOS = 1_000_000L;
    /** How long the queue must stay empty under an unclaimed offer before the sender offers again. */
    private static final long VANISHED_NANOS = 50_000_000L;
    private static final long IDLE = 0;
    private static final AtomicInteger TOKENS = new AtomicInteger();

    private final String name;
    private final SharedPage control;
    private final SharedLock turn;
    private final FrameQueue queue;

    Rendezvous(String name, SharedPage control, FrameQueue queue) {
        this.name = name;
        this.control = control;
        this.turn = new SharedLock(control, MailboxHeader.OFF_TURN, "send");
        this.queue = queue;
    }

    static long word(int pid, int token, int state) {
        return ((long) pid << 32) | ((long) (token & MailboxHeader.RV_TOKEN_MASK) << 2) | state;
    }

    /**
     * Sends {@code payload} with the envelope {@code head} (its sender, sequence and request or
     * reply fields; this adds the ACK flag and the token): true when a receiver took it, false
     * when none did by the deadline ({@code nanos}: -1 for ever, 0 for "a receiver already
     * waiting", as a try).
     */
    boolean send(Envelope head, ByteBuffer payload, long nanos) throws InterruptedException {
        long wait = nanos == 0 ? TRY_RENDEZVOUS_NANOS : nanos;
        long deadline = Timeouts.deadline(wait);
        try {
            if (!turn.lock(Timeouts.remaining(wait, deadline))) {
                return false;
            }
            try {
                for (;;) {
                    int token = TOKENS.incrementAndGet() & MailboxHeader.RV_TOKEN_MASK;
                    if (token == 0) {
                        continue;
                    }
                    long offered = word(head.sender, token, MailboxHeader.RV_OFFERED);
                    control.setLongVolatile(MailboxHeader.OFF_RENDEZVOUS, offered);
                    CrashPoints.reach("rv-offered");
                    head.flags |= Envelope.FLAG_ACK;
                    head.token = token;
                    if (!queue.put(head, payload, Timeouts.remaining(wait, deadline))) {
                        control.casLong(MailboxHeader.OFF_RENDEZVOUS, offered, IDLE);
                        return false;
                    }
                    CrashPoints.reach("rv-put");
                    int outcome = awaitClaim(offered, wait, deadline);
                    if (outcome == MailboxHeader.RV_TAKEN) {
                        return true;
                    }
                    if (outcome == MailboxHeader.RV_CANCELLED || Timeouts.expired(wait, deadline)) {
                        return false;
                    }
                    // IDLE: the message left the queue unclaimed (its receiver died): offer it again
                }
            } finally {
                turn.unlock();
            }
        } catch (InternalError e) {
            throw control.truncated("send", e);
        }
    }

    /**
     * Waits until a receiver claims the offer {@code offered}: TAKEN; CANCELLED when the deadline
     * passed (or an interrupt came: then InterruptedException) and no receiver holds it; IDLE when
     * the message vanished from the queue without being claimed.
     */
    private int awaitClaim(long offered, long nanos, long deadline) throws InterruptedException {
        long taken = (offered & ~3L) | MailboxHeader.RV_TAKEN;
        long cancelled = (offered & ~3L) | MailboxHeader.RV_CANCELLED;
        long slice = 1_000_000L;
        long emptySince = 0;
        InterruptedException interrupted = null;
        for (;;) {
            long w = control.getLongVolatile(MailboxHeader.OFF_RENDEZVOUS);
            if (w == taken) {
                // Success rests on that load: make sure it came from a live page (a vanished one
                // faults silently in compiled code until the next system call, which this is).
                control.checkSize("send");
                if (interrupted != null) {
                    Thread.currentThread().interrupt(); // delivered: the interrupt stays for the next call
                }
                return MailboxHeader.RV_TAKEN;
            }
            if (w != offered) {
                throw new CorruptedException("send", name, 0, "the rendezvous word was overwritten (0x"
                        + Long.toHexString(w) + ") while this send waited for a receiver: whether one took the"
                        + " message is unknown");
            }
            boolean vanished = false;
            if (interrupted == null && !Timeouts.expired(nanos, deadline)) {
                if (queue.pending() == 0) {
                    long now = System.nanoTime();
                    if (emptySince == 0) {
                        emptySince = now | 1;
                    } else if (now - emptySince >= VANISHED_NANOS) {
                        vanished = true;
                    }
                } else {
                    emptySince = 0;
                }
                if (!vanished) {
                    try {
                        control.futexWait(MailboxHeader.OFF_RENDEZVOUS + SharedPage.LOW_HALF, (int) offered,
                                Timeouts.slice(nanos, deadline, emptySince != 0 ? Math.min(slice, VANISHED_NANOS) : slice),
                                "send");
                        control.checkSize("send");
                    } catch (InterruptedException e) {
                        interrupted = e;
                    }
                    slice = Math.min(slice * 2, 100_000_000L);
                    continue;
                }
            }
            if (control.casLong(MailboxHeader.OFF_RENDEZVOUS, offered, cancelled)) {
                if (vanished) {
                    return (int) IDLE;
                }
                if (interrupted != null) {
                    throw interrupted; // no receiver holds it, and none ever will
                }
                return MailboxHeader.RV_CANCELLED;
            }
            // a receiver claimed it just now: the next look sees TAKEN (or the overwrite)
        }
    }

    /** A receiver took a rendezvous message: claim it (true), or find it is no longer offered (false). */
    boolean claim(Envelope env) {
        long offered = word(env.sender, env.token, MailboxHeader.RV_OFFERED);
        if (env.token == 0 || (env.token & ~MailboxHeader.RV_TOKEN_MASK) != 0) {
            return false;
        }
        if (control.casLong(MailboxHeader.OFF_RENDEZVOUS, offered, (offered & ~3L) | MailboxHeader.RV_TAKEN)) {
            control.futexWake(MailboxHeader.OFF_RENDEZVOUS + SharedPage.LOW_HALF);
            return true;
        }
        return false;
    }
}
