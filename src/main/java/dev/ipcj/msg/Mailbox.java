package dev.ipcj.msg;

import dev.ipcj.ClosedException;
import dev.ipcj.CorruptedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.IpcException;
import dev.ipcj.LimitExceededException;
import dev.ipcj.NotFoundException;
import dev.ipcj.internal.CrashPoints;
import dev.ipcj.internal.Errno;
import dev.ipcj.internal.Faults;
import dev.ipcj.internal.Names;
import dev.ipcj.internal.ProcessIdentity;
import dev.ipcj.internal.SharedLock;
import dev.ipcj.internal.SharedPage;
import dev.ipcj.internal.ShmFiles;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A named mailbox that any process may create or open: message passing with <em>indirect
 * naming</em>. The three questions every message-passing system answers are answered here
 * explicitly:
 *
 * <ul>
 *   <li><b>Naming.</b> Indirect: processes share a mailbox by name ({@link #create},
 *       {@link #open}). Direct: a process owns an {@link Inbox}, addressed by its pid or by a name
 *       it registered, and others send to it through {@link #toProcess(long)} /
 *       {@link #toProcess(String)}. Every received message says which process sent it.</li>
 *   <li><b>Synchronization.</b> Blocking {@link #send(ByteBuffer)} / {@link #receive()},
 *       non-blocking {@link #trySend(ByteBuffer)} / {@link #tryReceive()}, and both with a
 *       {@link Duration} timeout. An interrupted wait throws {@link InterruptedException} and
 *       loses nothing: a message is either delivered (and the interrupt status stays set) or
 *       still in the mailbox.</li>
 *   <li><b>Buffering.</b> {@link Capacity#zero()} (rendezvous), {@link Capacity#bounded(int)},
 *       {@link Capacity#unbounded()}. A capacity the transport cannot give is refused with a
 *       message naming the limit and the transport that can.</li>
 * </ul>
 *
 * <p>Messages are bytes. The ByteBuffer methods allocate nothing per message:
 * {@code send(ByteBuffer)} sends the buffer's remaining bytes (and advances its position, like a
 * channel write); {@code receive(ByteBuffer, Envelope)} writes the payload at the buffer's
 * position and the sender, sequence and length into a caller-owned {@link Envelope}. The
 * {@link Message} methods copy onto the heap for convenience, and a {@link Codec} turns user
 * types into bytes.
 *
 * <pre>{@code
 * try (Mailbox box = Mailbox.create("/orders", Transport.POSIX_MQ, Capacity.bounded(10), 256)) {
 *     box.send("hello", Codec.UTF8);               // another process: Mailbox.open("/orders")
 *     Message m = box.receive(Duration.ofSeconds(1));
 *     System.out.println(m.text() + " from pid " + m.sender());
 * } finally {
 *     Mailbox.unlinkIfExists("/orders");
 * }
 * }</pre>
 *
 * <h2>Rendezvous (capacity zero)</h2>
 * The queue under a rendezvous holds one message. A sender takes the mailbox's turn (a
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
 * {@link #trySend} on a rendezvous waits at most 1 ms for a receiver that is already waiting.
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
 *
 * <h2>Receiving a message larger than the buffer</h2>
 * A buffer with fewer than {@link #maxMessageSize()} bytes remaining still works: the message is
 * taken into a per-thread scratch buffer and copied; if it does not fit, it is kept for the next
 * receive and {@link LimitExceededException} says how large it is. Such kept messages, and those
 * skipped by a selective receive ({@link Inbox#receiveFrom}), live in this handle's heap.
 *
 * <h2>What is checked</h2>
 * Open reads only the header's 128 bytes, after checking that the object is a regular file of
 * exactly one page; it refuses a header whose magic, version, checksum or fields are wrong, and
 * a transport object that is not the one the header recorded or holds other sizes than the
 * header says; another user's mailbox is refused at open with PermissionDeniedException. A
 * frame that is not an ipcj frame (see {@link Envelope}) is taken from the queue and reported
 * as CorruptedException; the next receive gets the next message. A truncated header or log is
 * CorruptedException, never a crash. Unlink removes the header and exactly the objects it
 * records, each proven to be this mailbox's (inode, System V ctime and creator, the log's
 * owner id); it expands no pattern, and an object of the name that is not the mailbox's is
 * left in place with a CorruptedException saying so.
 *
 * <p>Thread safety: a handle may be used by many threads at once.
 */
public final class Mailbox implements AutoCloseable {
    /**
     * The maximum payload when none is given: 8152 bytes, so that with the 40-byte envelope a
     * message fits Linux's default mq msgsize_max (8192).
     */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 8192 - Envelope.SIZE;
    /** How long a non-blocking send on a rendezvous waits for a receiver already waiting. */
    private static final long TRY_RENDEZVOUS_NANOS = 1_000_000L;
    /** How long the queue must stay empty under an unclaimed offer before the sender offers again. */
    private static final long VANISHED_NANOS = 50_000_000L;
    private static final int PID = (int) ProcessHandle.current().pid();
    private static final long IDLE = 0;
    private static final AtomicInteger TOKENS = new AtomicInteger();

    private final String name;
    private final MailboxHeader header;
    private final FrameQueue queue;
    private final SharedPage control;
    private final SharedLock turn;
    private final boolean sendOnly;
    private final int max;
    private final int room;
    private final AtomicLong sequence = new AtomicLong();
    private final ConcurrentLinkedDeque<Message> kept = new ConcurrentLinkedDeque<>();
    private final ThreadLocal<ByteBuffer> scratch;
    private final ThreadLocal<Envelope> scratchEnvelope = ThreadLocal.withInitial(Envelope::new);
    private volatile boolean closed;

    private Mailbox(String name, MailboxHeader header, FrameQueue queue, SharedPage control, boolean sendOnly) {
        this.name = name;
        this.header = header;
        this.queue = queue;
        this.control = control;
        this.turn = header.capacity.isZero() ? new SharedLock(control, MailboxHeader.OFF_TURN, "send") : null;
        this.sendOnly = sendOnly;
        this.max = queue.maxMessageSize();
        this.room = queue.receiveRoom();
        int size = Math.max(room, 1);
        this.scratch = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(size));
    }

    // ---------------------------------------------------------------- creating and opening

    /**
     * Creates {@code name} on the default transport, bounded(10), {@value #DEFAULT_MAX_MESSAGE_SIZE}-byte messages.
     *
     * @param name the mailbox's name, e.g. {@code "/orders"}
     * @return the open mailbox
     */
    public static Mailbox create(String name) {
        return create(name, Transport.defaultTransport(), Capacity.bounded(10), DEFAULT_MAX_MESSAGE_SIZE);
    }

    /**
     * Creates {@code name} with {@code capacity} on the default transport.
     *
     * @param name     the mailbox's name, e.g. {@code "/orders"}
     * @param capacity how many messages may wait
     * @return the open mailbox
     */
    public static Mailbox create(String name, Capacity capacity) {
        return create(name, Transport.defaultTransport(), capacity, DEFAULT_MAX_MESSAGE_SIZE);
    }

    /**
     * Creates {@code name} on {@code transport}, {@value #DEFAULT_MAX_MESSAGE_SIZE}-byte messages.
     *
     * @param name      the mailbox's name, e.g. {@code "/orders"}
     * @param transport the mechanism under the mailbox
     * @param capacity  how many messages may wait
     * @return the open mailbox
     */
    public static Mailbox create(String name, Transport transport, Capacity capacity) {
        return create(name, transport, capacity, DEFAULT_MAX_MESSAGE_SIZE);
    }

    /**
     * Creates the mailbox {@code name} ("/orders"), exclusively (fails if it exists), mode 0600.
     * A create that fails removes what it made and nothing else.
     *
     * @param name      the mailbox's name, e.g. {@code "/orders"}
     * @param transport the mechanism under the mailbox
     * @param capacity  how many messages may wait
     * @param maxMessageSize the largest payload in bytes
     * @return the open mailbox
     * @throws InvalidArgumentException when {@code transport} cannot give {@code capacity}; the
     *         message names the limit and the transport that can
     */
    public static Mailbox create(String name, Transport transport, Capacity capacity, int maxMessageSize) {
        return create(name, transport, capacity, maxMessageSize, 0);
    }

    static Mailbox create(String name, Transport transport, Capacity capacity, int maxMessageSize, long owner) {
        checkName("create", name);
        if (transport == null) {
            throw new InvalidArgumentException("create", name, 0, "transport is null");
        }
        if (capacity == null) {
            throw new InvalidArgumentException("create", name, 0, "capacity is null");
        }
        if (maxMessageSize < 0 || maxMessageSize > MailboxHeader.MAX_MESSAGE_SIZE) {
            throw new InvalidArgumentException("create", name, 0, "maxMessageSize " + maxMessageSize
                    + " is outside 0.." + MailboxHeader.MAX_MESSAGE_SIZE);
        }
        if (!transport.isAvailable()) {
            throw new InvalidArgumentException("create", name, 0, "transport " + transport
                    + " is not in this build of ipcj; available: " + Transport.available());
        }
        String refusal = transport.refusal(capacity, maxMessageSize);
        if (refusal != null) {
            throw new InvalidArgumentException("create", name, 0, transport + ": " + refusal);
        }
        MailboxHeader h = new MailboxHeader(transport, capacity, maxMessageSize, owner, ProcessIdentity.self(),
                MailboxHeader.newId());
        MailboxHeader.Created c = MailboxHeader.create(name, h); // EEXIST here: nothing made, nothing removed
        FrameQueue q = null;
        SharedPage control = null;
        try {
            if ((h.capacity.isZero() || h.transport.adapter().needsControl())) {
                control = h.mapControl(name, "create");
            }
            q = h.transport.adapter().create(name, h, c, control);
            h.state = MailboxHeader.READY;
            c.write(h, name);
            ShmFiles.closeQuietly(c.channel);
            return new Mailbox(name, h, q, control, false);
        } catch (RuntimeException | Error e) {
            if (q != null) {
                q.unlink(); // what this call created, by its own handle
                q.close();
            }
            if (control != null) {
                control.close();
            }
            c.discard();
            if (e instanceof InternalError) {
                throw Faults.truncated("create", name, (InternalError) e, -1);
            }
            throw e;
        }
    }

    /**
     * Opens the existing mailbox {@code name}, whatever its transport.
     *
     * @param name the mailbox's name
     * @return the open mailbox
     */
    public static Mailbox open(String name) {
        checkName("open", name);
        return open(name, MailboxHeader.read(name, "open"), false);
    }

    static Mailbox open(String name, MailboxHeader h, boolean sendOnly) {
        SharedPage control = null;
        try {
            if ((h.capacity.isZero() || h.transport.adapter().needsControl())) {
                control = h.mapControl(name, "open");
            }
            FrameQueue q = h.transport.adapter().open(name, h, control);
            return new Mailbox(name, h, q, control, sendOnly);
        } catch (RuntimeException e) {
            if (control != null) {
                control.close();
            }
            throw e;
        }
    }

    /**
     * What the header of mailbox {@code name} says, without opening it: nothing is created,
     * waited for or removed. NotFoundException when there is no such mailbox; CorruptedException
     * when the file is not an ipcj mailbox header of a version this ipcj reads.
     *
     * @param name the mailbox's name
     * @return what the header says
     */
    public static MailboxInfo inspect(String name) {
        checkName("inspect", name);
        MailboxHeader h = MailboxHeader.readForRemoval(name);
        if (h == null) {
            throw new NotFoundException("inspect", name, dev.ipcj.internal.Errno.ENOENT, "no mailbox of this name");
        }
        return new MailboxInfo(name, h);
    }

    /**
     * A handle that sends to the {@link Inbox} of process {@code pid}.
     *
     * @param pid the receiving process
     * @return a handle for sending
     */
    public static Mailbox toProcess(long pid) {
        return Inbox.openFor(pid);
    }

    /**
     * A handle that sends to the {@link Inbox} of the process that registered {@code registeredName}.
     *
     * @param registeredName a name given to {@link Inbox#register}
     * @return a handle for sending
     */
    public static Mailbox toProcess(String registeredName) {
        return Inbox.openFor(Inbox.lookup(registeredName));
    }

    /**
     * Removes the mailbox {@code name}: its header and the objects it records (see "What is
     * checked"). Open handles keep working until closed. NotFoundException when there is no such
     * mailbox; CorruptedException, removing nothing, when the object of that name is not an
     * ipcj mailbox.
     *
     * @param name the mailbox's name
     */
    public static void unlink(String name) {
        checkName("unlink", name);
        MailboxHeader h = MailboxHeader.readForRemoval(name);
        if (h == null) {
            throw new NotFoundException("unlink", name, Errno.ENOENT, "no mailbox of this name");
        }
        remove(name, h);
    }

    /**
     * Removes the mailbox {@code name} if it exists: true if anything was removed. For finally
     * blocks. The name is a name, never a pattern.
     *
     * @param name the mailbox's name
     * @return true if anything was removed
     */
    public static boolean unlinkIfExists(String name) {
        checkName("unlink", name);
        MailboxHeader h = MailboxHeader.readForRemoval(name);
        return h != null && remove(name, h);
    }

    /**
     * Removes the transport objects {@code h} records (those proven to be the mailbox's), then
     * the header; an object of the name that is not the mailbox's is left, and reported once
     * the rest is removed.
     */
    static boolean remove(String name, MailboxHeader h) {
        IpcException problem = null;
        boolean any = false;
        try {
            any = h.transport.adapter().remove(name, h);
        } catch (IpcException e) {
            problem = e;
        }
        any |= h.remove(name);
        if (problem != null) {
            throw problem;
        }
        return any;
    }

    /** Removes this mailbox's name (see {@link #unlink(String)}). */
    public void unlink() {
        unlink(name);
    }

    // ---------------------------------------------------------------- sending

    /**
     * Sends {@code payload}'s remaining bytes, waiting for room (or, at capacity zero, for a receiver).
     *
     * @param payload the bytes from its position to its limit
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public void send(ByteBuffer payload) throws InterruptedException {
        try {
            send0(payload, -1);
        } catch (InternalError e) {
            throw fault("send", e);
        }
    }

    /**
     * Sends, waiting at most {@code timeout}: false (nothing sent) if it could not in time.
     *
     * @param payload the bytes from its position to its limit
     * @param timeout the longest wait
     * @return true if sent, false if not in time
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public boolean send(ByteBuffer payload, Duration timeout) throws InterruptedException {
        try {
            return send0(payload, Timeouts.nanos(timeout, "send", name));
        } catch (InternalError e) {
            throw fault("send", e);
        }
    }

    /**
     * Sends only if that needs no waiting: false (nothing sent) when the mailbox is full.
     *
     * @param payload the bytes from its position to its limit
     * @return true if sent, false if the mailbox is full
     */
    public boolean trySend(ByteBuffer payload) {
        try {
            try {
                return send0(payload, 0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        } catch (InternalError e) {
            throw fault("send", e);
        }
    }

    /**
     * Sends {@code payload}, waiting for room (or, at capacity zero, for a receiver).
     *
     * @param payload the message's bytes
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public void send(byte[] payload) throws InterruptedException {
        try {
            send0(wrap(payload), -1);
        } catch (InternalError e) {
            throw fault("send", e);
        }
    }

    /**
     * Sends {@code payload}, waiting at most {@code timeout}: false (nothing sent) if it could not in time.
     *
     * @param payload the message's bytes
     * @param timeout the longest wait
     * @return true if sent, false if not in time
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public boolean send(byte[] payload, Duration timeout) throws InterruptedException {
        try {
            return send0(wrap(payload), Timeouts.nanos(timeout, "send", name));
        } catch (InternalError e) {
            throw fault("send", e);
        }
    }

    /**
     * Sends {@code payload} only if that needs no waiting.
     *
     * @param payload the message's bytes
     * @return true if sent, false if the mailbox is full
     */
    public boolean trySend(byte[] payload) {
        try {
            return trySend(wrap(payload));
        } catch (InternalError e) {
            throw fault("send", e);
        }
    }

    /**
     * Encodes {@code value} with {@code codec} and sends it.
     *
     * @param <T>   the value's type
     * @param value the value to send
     * @param codec turns the value into bytes
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public <T> void send(T value, Codec<T> codec) throws InterruptedException {
        try {
            send0(encode(value, codec), -1);
        } catch (InternalError e) {
            throw fault("send", e);
        }
    }

    /**
     * Encodes {@code value} with {@code codec} and sends it, waiting at most {@code timeout}.
     *
     * @param <T>     the value's type
     * @param value   the value to send
     * @param codec   turns the value into bytes
     * @param timeout the longest wait
     * @return true if sent, false if not in time
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public <T> boolean send(T value, Codec<T> codec, Duration timeout) throws InterruptedException {
        try {
            long nanos = Timeouts.nanos(timeout, "send", name);
            return send0(encode(value, codec), nanos);
        } catch (InternalError e) {
            throw fault("send", e);
        }
    }

    /**
     * Encodes {@code value} with {@code codec} and sends it only if that needs no waiting.
     *
     * @param <T>   the value's type
     * @param value the value to send
     * @param codec turns the value into bytes
     * @return true if sent, false if the mailbox is full
     */
    public <T> boolean trySend(T value, Codec<T> codec) {
        try {
            return trySend(encode(value, codec));
        } catch (InternalError e) {
            throw fault("send", e);
        }
    }

    private ByteBuffer wrap(byte[] payload) {
        if (payload == null) {
            throw new InvalidArgumentException("send", name, 0, "payload is null");
        }
        return ByteBuffer.wrap(payload);
    }

    private <T> ByteBuffer encode(T value, Codec<T> codec) {
        checkOpen();
        if (codec == null) {
            throw new InvalidArgumentException("send", name, 0, "codec is null");
        }
        if (value == null) {
            throw new InvalidArgumentException("send", name, 0, "value is null");
        }
        ByteBuffer b = scratch.get();
        b.clear().limit(max);
        try {
            codec.encode(value, b);
        } catch (BufferOverflowException e) {
            throw new LimitExceededException("send", name, Errno.EMSGSIZE, "the encoded value is larger than the"
                    + " mailbox's maxMessageSize " + max);
        } catch (RuntimeException e) {
            InvalidArgumentException x = new InvalidArgumentException("send", name, 0, "the codec failed to encode the"
                    + " value: " + e);
            x.initCause(e);
            throw x;
        }
        return b.flip();
    }

    /**
     * Every send ends here. A mapping fault is caught around the whole call, returns included: in
     * compiled code the JVM raises it at a later safepoint poll (see {@code Faults}), which may lie
     * anywhere in this frame.
     */
    private boolean send0(ByteBuffer payload, long nanos) throws InterruptedException {
        try {
            return send1(payload, nanos);
        } catch (InternalError e) {
            throw fault("send", e);
        }
    }

    CorruptedException fault(String call, InternalError e) {
        if (control != null) {
            return control.truncated(call, e);
        }
        return Faults.truncated(call, name, e, -1);
    }

    private boolean send1(ByteBuffer payload, long nanos) throws InterruptedException {
        checkOpen();
        if (payload == null) {
            throw new InvalidArgumentException("send", name, 0, "payload is null");
        }
        int len = payload.remaining();
        if (len > max) {
            throw new LimitExceededException("send", name, Errno.EMSGSIZE, "message of " + len
                    + " bytes > the mailbox's maxMessageSize " + max);
        }
        if (nanos != 0 && Thread.interrupted()) {
            throw new InterruptedException(); // as j.u.c: an interrupted thread does not start to wait
        }
        long seq = sequence.getAndIncrement();
        boolean sent = turn == null ? queue.put(PID, 0, seq, payload, nanos) : rendezvous(payload, seq, nanos);
        if (sent) {
            payload.position(payload.limit());
        }
        return sent;
    }

    private static long word(int pid, int token, int state) {
        return ((long) pid << 32) | ((long) (token & MailboxHeader.RV_TOKEN_MASK) << 2) | state;
    }

    private boolean rendezvous(ByteBuffer payload, long seq, long nanos) throws InterruptedException {
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
                    long offered = word(PID, token, MailboxHeader.RV_OFFERED);
                    control.setLongVolatile(MailboxHeader.OFF_RENDEZVOUS, offered);
                    CrashPoints.reach("rv-offered");
                    if (!queue.put(PID, Envelope.FLAG_ACK, seq, token, payload, Timeouts.remaining(wait, deadline))) {
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
    private boolean claim(Envelope env) {
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

    // ---------------------------------------------------------------- receiving

    /**
     * Receives the oldest message, waiting as long as it takes.
     *
     * @return the message
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public Message receive() throws InterruptedException {
        try {
            return receiveMessage(0, -1);
        } catch (InternalError e) {
            throw fault("receive", e);
        }
    }

    /**
     * Receives the oldest message, waiting at most {@code timeout}: null if none came.
     *
     * @param timeout the longest wait
     * @return the message, or null if none came in time
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public Message receive(Duration timeout) throws InterruptedException {
        try {
            return receiveMessage(0, Timeouts.nanos(timeout, "receive", name));
        } catch (InternalError e) {
            throw fault("receive", e);
        }
    }

    /**
     * Receives a message if one is waiting now, else null.
     *
     * @return the message, or null
     */
    public Message tryReceive() {
        try {
            try {
                return receiveMessage(0, 0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        } catch (InternalError e) {
            throw fault("receive", e);
        }
    }

    /**
     * Receives into {@code dst} (payload at its position) and {@code env}, waiting as long as it takes.
     *
     * @param dst receives the payload at its position
     * @param env receives the sender, sequence number, length and flags
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public void receive(ByteBuffer dst, Envelope env) throws InterruptedException {
        try {
            receive0(0, dst, env, -1);
        } catch (InternalError e) {
            throw fault("receive", e);
        }
    }

    /**
     * Receives into {@code dst} and {@code env}, waiting at most {@code timeout}: false if none came.
     *
     * @param dst     receives the payload at its position
     * @param env     receives the sender, sequence number, length and flags
     * @param timeout the longest wait
     * @return true if a message was received, false if none came in time
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public boolean receive(ByteBuffer dst, Envelope env, Duration timeout) throws InterruptedException {
        try {
            checkBuffers(dst, env);
            return receive0(0, dst, env, Timeouts.nanos(timeout, "receive", name));
        } catch (InternalError e) {
            throw fault("receive", e);
        }
    }

    /**
     * Receives into {@code dst} and {@code env} if a message is waiting now.
     *
     * @param dst receives the payload at its position
     * @param env receives the sender, sequence number, length and flags
     * @return true if a message was received
     */
    public boolean tryReceive(ByteBuffer dst, Envelope env) {
        try {
            try {
                return receive0(0, dst, env, 0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        } catch (InternalError e) {
            throw fault("receive", e);
        }
    }

    Message receiveMessage(int from, long nanos) throws InterruptedException {
        try {
            return receiveMessage1(from, nanos);
        } catch (InternalError e) {
            throw fault("receive", e);
        }
    }

    private Message receiveMessage1(int from, long nanos) throws InterruptedException {
        checkReceiver();
        Message k = takeKept(from);
        if (k != null) {
            return k;
        }
        ByteBuffer b = scratch.get();
        b.clear();
        Envelope env = scratchEnvelope.get();
        if (!receive0(from, b, env, nanos)) {
            return null;
        }
        byte[] bytes = new byte[env.length];
        b.flip().get(bytes);
        return new Message(env.sender, env.sequence, bytes);
    }

    private void checkBuffers(ByteBuffer dst, Envelope env) {
        if (dst == null) {
            throw new InvalidArgumentException("receive", name, 0, "dst is null");
        }
        if (env == null) {
            throw new InvalidArgumentException("receive", name, 0, "env is null");
        }
        if (dst.isReadOnly()) {
            throw new InvalidArgumentException("receive", name, 0, "dst is read-only");
        }
    }

    private void checkReceiver() {
        checkOpen();
        if (sendOnly) {
            throw new InvalidArgumentException("receive", name, 0, "this handle sends to process "
                    + header.owner() + "'s inbox; only that process receives from it");
        }
    }

    /**
     * The receive every other method calls: from any sender ({@code from == 0}) or from one,
     * honouring messages kept earlier, claiming rendezvous messages.
     */
    boolean receive0(int from, ByteBuffer dst, Envelope env, long nanos) throws InterruptedException {
        try {
            return receive00(from, dst, env, nanos);
        } catch (InternalError e) {
            throw fault("receive", e);
        }
    }

    private boolean receive00(int from, ByteBuffer dst, Envelope env, long nanos) throws InterruptedException {
        checkBuffers(dst, env);
        checkReceiver();
        Message k = takeKept(from);
        if (k != null) {
            deliver(k, dst, env);
            return true;
        }
        if (nanos != 0 && Thread.interrupted()) {
            throw new InterruptedException();
        }
        try {
            return receive1(from, dst, env, nanos);
        } catch (InternalError e) {
            throw fault("receive", e);
        }
    }

    private boolean receive1(int from, ByteBuffer dst, Envelope env, long nanos) throws InterruptedException {
        long deadline = Timeouts.deadline(nanos);
        boolean direct = dst.remaining() >= room;
        boolean native_ = from != 0 && queue.selectsNatively();
        boolean rendezvous = header.capacity.isZero();
        for (;;) {
            checkOpen();
            ByteBuffer into = direct ? dst : scratch.get().clear();
            int start = into.position();
            long wait = Timeouts.remaining(nanos, deadline);
            boolean got = native_ ? queue.takeFrom(from, into, env, wait) : queue.take(into, env, wait);
            if (!got) {
                return false;
            }
            CrashPoints.reach("rv-taken");
            if ((env.flags & Envelope.FLAG_ACK) != 0) {
                if (!rendezvous) {
                    into.position(start);
                    throw new CorruptedException("receive", name, 0, "a rendezvous frame from pid " + env.sender
                            + " in a mailbox of capacity " + header.capacity + ": another program wrote it");
                }
                // The claim tells the sender its message arrived: first make sure it did (a
                // truncation under the take is reported now, before the point of no return).
                queue.checkIntact("receive");
                control.checkSize("receive");
                boolean claimed = claim(env);
                control.checkIntact("receive"); // a claim on a page the fault guard replaced claims nothing
                if (!claimed) {
                    into.position(start); // no longer offered (its sender gave up): discard it and keep receiving
                    if (Timeouts.expired(nanos, deadline) && nanos != 0) {
                        return false;
                    }
                    continue;
                }
                CrashPoints.reach("rv-claimed");
            }
            if (from == 0 || env.sender == from) {
                if (!direct) {
                    into.flip().position(start);
                    if (into.remaining() > dst.remaining()) {
                        byte[] bytes = new byte[into.remaining()];
                        into.get(bytes);
                        kept.addFirst(new Message(env.sender, env.sequence, bytes));
                        throw new LimitExceededException("receive", name, Errno.EMSGSIZE, "a message of "
                                + bytes.length + " bytes does not fit the " + dst.remaining()
                                + " bytes remaining in the buffer; it is kept for the next receive");
                    }
                    dst.put(into);
                }
                return true;
            }
            // Another sender's message, taken while looking for one from `from`: keep it, in order.
            byte[] bytes = new byte[env.length];
            into.get(start, bytes);
            into.position(start);
            kept.addLast(new Message(env.sender, env.sequence, bytes));
        }
    }

    private Message takeKept(int from) {
        if (kept.isEmpty()) {
            return null;
        }
        for (Iterator<Message> it = kept.iterator(); it.hasNext();) {
            Message m = it.next();
            if ((from == 0 || m.sender() == from) && kept.removeFirstOccurrence(m)) {
                return m;
            }
        }
        return null;
    }

    private void deliver(Message m, ByteBuffer dst, Envelope env) {
        if (m.length() > dst.remaining()) {
            kept.addFirst(m);
            throw new LimitExceededException("receive", name, Errno.EMSGSIZE, "a message of " + m.length()
                    + " bytes does not fit the " + dst.remaining() + " bytes remaining in the buffer;"
                    + " it is kept for the next receive");
        }
        env.set(m.sender(), 0, m.sequence(), m.length());
        dst.put(m.payload());
    }

    // ---------------------------------------------------------------- facts

    /**
     * The mailbox's name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The mechanism under the mailbox.
     *
     * @return the transport
     */
    public Transport transport() {
        return header.transport;
    }

    /**
     * How many messages may wait.
     *
     * @return the capacity
     */
    public Capacity capacity() {
        return header.capacity;
    }

    /**
     * The largest payload a message may have, in bytes.
     *
     * @return the maximum message size
     */
    public int maxMessageSize() {
        return max;
    }

    /**
     * Messages waiting in the mailbox now (plus any this handle keeps), or -1 when the transport cannot tell.
     *
     * @return the number waiting, or -1
     */
    public long pending() {
        checkOpen();
        try {
            long p = queue.pending();
            return p < 0 ? p : p + kept.size();
        } catch (InternalError e) {
            throw fault("pending", e);
        }
    }

    int ownerPid() {
        return header.owner();
    }

    MailboxHeader header() {
        return header;
    }

    /**
     * Whether this handle is open: false after {@link #close()}.
     *
     * @return true until closed
     */
    public boolean isOpen() {
        return !closed;
    }

    /** Closes this handle; the mailbox stays for other processes until unlinked. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.close();
        if (control != null) {
            control.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new ClosedException("mailbox", name, 0, "the mailbox handle is closed");
        }
    }

    static void checkName(String call, String name) {
        Names.check(call, name, Transport.maxNameLength());
        String base = name.substring(1);
        if (base.startsWith("sem.") || base.startsWith(".ipcj-") || base.endsWith(".ring") || base.endsWith(".log")
                || reservedLogSuffix(base)) {
            throw new InvalidArgumentException(call, name, 0, "a mailbox name may not start with \"sem.\" or"
                    + " \".ipcj-\" nor end with \".ring\", \".log\" or \".log.\" and digits: those names belong to the"
                    + " objects of other mailboxes and semaphores");
        }
    }

    private static boolean reservedLogSuffix(String base) {
        int i = base.lastIndexOf(".log.");
        if (i < 0 || i + 5 == base.length()) {
            return false;
        }
        for (int j = i + 5; j < base.length(); j++) {
            if (base.charAt(j) < '0' || base.charAt(j) > '9') {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "Mailbox[" + name + ", " + header.transport + ", " + header.capacity + "]";
    }
}
