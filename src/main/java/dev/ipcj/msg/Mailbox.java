package dev.ipcj.msg;

import dev.ipcj.ClosedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.LimitExceededException;
import dev.ipcj.NotFoundException;
import dev.ipcj.internal.Errno;
import dev.ipcj.internal.Names;
import dev.ipcj.posix.NamedSemaphore;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedDeque;
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
 * <h2>Rendezvous</h2>
 * With capacity zero a sender takes the mailbox's turn (a semaphore: one message in flight),
 * writes the message's token (its pid and sequence) into the rendezvous word in the mailbox's
 * header, puts the message flagged "acknowledge", and waits for the acknowledgement semaphore.
 * A receiver that takes such a message claims it by a CAS of the word from the token to TAKEN,
 * then posts the acknowledgement. A sender whose timeout expires (or who is interrupted) CASes
 * the word from the token to CANCELLED: if that wins, no receiver holds the message, the send
 * fails, and the next receiver to take the message discards it; if it loses, a receiver holds
 * the message and the send succeeds (an interrupt then only leaves the status set). Exactly one
 * CAS wins, so a send never both fails and delivers. {@link #trySend} on a rendezvous waits at
 * most 1 ms for a receiver that is already waiting. Senders never take messages back, so this
 * works on every transport, including the ring, where only one process may receive.
 *
 * <h2>Receiving a message larger than the buffer</h2>
 * A buffer with fewer than {@link #maxMessageSize()} bytes remaining still works: the message is
 * taken into a per-thread scratch buffer and copied; if it does not fit, it is kept for the next
 * receive and {@link LimitExceededException} says how large it is. Such kept messages, and those
 * skipped by a selective receive ({@link Inbox#receiveFrom}), live in this handle's heap.
 *
 * <p>Thread safety: a handle may be used by many threads at once.
 */
public final class Mailbox implements AutoCloseable {
    /**
     * The maximum payload when none is given: 8176 bytes, so that with the 16-byte envelope a
     * message fits Linux's default mq msgsize_max (8192).
     */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 8192 - Envelope.SIZE;
    /** How long a sender whose message a receiver took waits for that receiver's acknowledgement. */
    private static final long ACK_GRACE_NANOS = 10_000_000_000L;
    /** How long a non-blocking send on a rendezvous waits for a receiver already waiting. */
    private static final long TRY_RENDEZVOUS_NANOS = 1_000_000L;
    private static final int PID = (int) ProcessHandle.current().pid();
    private static final java.lang.invoke.VarHandle WORD =
            java.lang.invoke.MethodHandles.byteBufferViewVarHandle(long[].class, java.nio.ByteOrder.nativeOrder());
    private static final long IDLE = 0;
    private static final long TAKEN = 1;
    private static final long CANCELLED = 2;

    private final String name;
    private final MailboxHeader header;
    private final FrameQueue queue;
    private final NamedSemaphore turn;
    private final NamedSemaphore ack;
    private final java.nio.MappedByteBuffer control;
    private final boolean sendOnly;
    private final AtomicLong sequence = new AtomicLong();
    private final ConcurrentLinkedDeque<Message> kept = new ConcurrentLinkedDeque<>();
    private final ThreadLocal<ByteBuffer> scratch;
    private final ThreadLocal<Envelope> scratchEnvelope = ThreadLocal.withInitial(Envelope::new);
    private volatile boolean closed;

    private Mailbox(String name, MailboxHeader header, FrameQueue queue, NamedSemaphore turn, NamedSemaphore ack,
                    boolean sendOnly) {
        this.name = name;
        this.header = header;
        this.queue = queue;
        this.turn = turn;
        this.ack = ack;
        this.control = turn == null ? null : MailboxHeader.mapControl(name);
        this.sendOnly = sendOnly;
        int size = Math.max(header.maxMessageSize, 1);
        this.scratch = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(size));
    }

    // ---------------------------------------------------------------- creating and opening

    /** Creates {@code name} on the default transport, bounded(10), {@value #DEFAULT_MAX_MESSAGE_SIZE}-byte messages. */
    public static Mailbox create(String name) {
        return create(name, Transport.defaultTransport(), Capacity.bounded(10), DEFAULT_MAX_MESSAGE_SIZE);
    }

    /** Creates {@code name} with {@code capacity} on the default transport. */
    public static Mailbox create(String name, Capacity capacity) {
        return create(name, Transport.defaultTransport(), capacity, DEFAULT_MAX_MESSAGE_SIZE);
    }

    /** Creates {@code name} on {@code transport}, {@value #DEFAULT_MAX_MESSAGE_SIZE}-byte messages. */
    public static Mailbox create(String name, Transport transport, Capacity capacity) {
        return create(name, transport, capacity, DEFAULT_MAX_MESSAGE_SIZE);
    }

    /**
     * Creates the mailbox {@code name} ("/orders"), exclusively (fails if it exists), mode 0600.
     *
     * @param maxMessageSize the largest payload in bytes
     * @throws InvalidArgumentException when {@code transport} cannot give {@code capacity}; the
     *         message names the limit and the transport that can
     */
    public static Mailbox create(String name, Transport transport, Capacity capacity, int maxMessageSize) {
        return create(name, transport, capacity, maxMessageSize, 0);
    }

    static Mailbox create(String name, Transport transport, Capacity capacity, int maxMessageSize, int owner) {
        checkName(name);
        if (maxMessageSize < 0 || maxMessageSize > (1 << 30) - 64) {
            throw new InvalidArgumentException("create", name, 0, "maxMessageSize " + maxMessageSize
                    + " is outside 0.." + ((1 << 30) - 64));
        }
        if (!transport.isAvailable()) {
            throw new InvalidArgumentException("create", name, 0, "transport " + transport
                    + " is not in this build of ipcj; available: " + Transports.available());
        }
        String refusal = transport.refusal(capacity, maxMessageSize);
        if (refusal != null) {
            throw new InvalidArgumentException("create", name, 0, transport + ": " + refusal);
        }
        MailboxHeader.claim(name);
        FrameQueue q = null;
        NamedSemaphore turn = null;
        NamedSemaphore ack = null;
        try {
            long[] word = new long[1];
            q = Transports.create(transport, name, capacity, maxMessageSize, word);
            if (capacity.isZero()) {
                turn = NamedSemaphore.create(name + ".turn", 1);
                ack = NamedSemaphore.create(name + ".ack", 0);
            }
            MailboxHeader h = new MailboxHeader(transport, capacity, maxMessageSize, owner, word[0]);
            h.write(name);
            return new Mailbox(name, h, q, turn, ack, false);
        } catch (RuntimeException e) {
            if (q != null) {
                q.unlink(); // by handle: a System V queue has no name to find it by later
                q.close();
            }
            if (turn != null) {
                turn.close();
            }
            if (ack != null) {
                ack.close();
            }
            remove(name, null);
            throw e;
        }
    }

    /** Opens the existing mailbox {@code name}, whatever its transport. */
    public static Mailbox open(String name) {
        checkName(name);
        return open(name, MailboxHeader.read(name), false);
    }

    static Mailbox open(String name, MailboxHeader h, boolean sendOnly) {
        FrameQueue q = Transports.open(name, h);
        NamedSemaphore turn = null;
        try {
            NamedSemaphore ack = null;
            if (h.capacity.isZero()) {
                turn = NamedSemaphore.open(name + ".turn");
                ack = NamedSemaphore.open(name + ".ack");
            }
            return new Mailbox(name, h, q, turn, ack, sendOnly);
        } catch (RuntimeException e) {
            q.close();
            if (turn != null) {
                turn.close();
            }
            throw e;
        }
    }

    /** A handle that sends to the {@link Inbox} of process {@code pid}. */
    public static Mailbox toProcess(long pid) {
        return Inbox.openFor(pid);
    }

    /** A handle that sends to the {@link Inbox} of the process that registered {@code registeredName}. */
    public static Mailbox toProcess(String registeredName) {
        return Inbox.openFor(Inbox.lookup(registeredName));
    }

    /** Removes the mailbox {@code name}: its header, queue and semaphores. Open handles keep working until closed. */
    public static void unlink(String name) {
        checkName(name);
        if (!remove(name, MailboxHeader.readQuietly(name))) {
            throw new NotFoundException("unlink", name, Errno.ENOENT, "no mailbox of this name");
        }
    }

    /** Removes the mailbox {@code name} if it exists: true if anything was removed. For finally blocks. */
    public static boolean unlinkIfExists(String name) {
        checkName(name);
        return remove(name, MailboxHeader.readQuietly(name));
    }

    static boolean remove(String name, MailboxHeader h) {
        boolean any = Transports.remove(name, h);
        any |= NamedSemaphore.unlinkIfExists(name + ".turn");
        any |= NamedSemaphore.unlinkIfExists(name + ".ack");
        any |= MailboxHeader.remove(name);
        return any;
    }

    /** Removes this mailbox's name (see {@link #unlink(String)}). */
    public void unlink() {
        unlink(name);
    }

    // ---------------------------------------------------------------- sending

    /** Sends {@code payload}'s remaining bytes, waiting for room (or, at capacity zero, for a receiver). */
    public void send(ByteBuffer payload) throws InterruptedException {
        send0(payload, -1);
    }

    /** Sends, waiting at most {@code timeout}: false (nothing sent) if it could not in time. */
    public boolean send(ByteBuffer payload, Duration timeout) throws InterruptedException {
        return send0(payload, Sems.nanos(timeout));
    }

    /** Sends only if that needs no waiting: false (nothing sent) when the mailbox is full. */
    public boolean trySend(ByteBuffer payload) {
        try {
            return send0(payload, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public void send(byte[] payload) throws InterruptedException {
        send0(ByteBuffer.wrap(payload), -1);
    }

    public boolean send(byte[] payload, Duration timeout) throws InterruptedException {
        return send0(ByteBuffer.wrap(payload), Sems.nanos(timeout));
    }

    public boolean trySend(byte[] payload) {
        return trySend(ByteBuffer.wrap(payload));
    }

    /** Encodes {@code value} with {@code codec} and sends it. */
    public <T> void send(T value, Codec<T> codec) throws InterruptedException {
        send0(encode(value, codec), -1);
    }

    public <T> boolean send(T value, Codec<T> codec, Duration timeout) throws InterruptedException {
        return send0(encode(value, codec), Sems.nanos(timeout));
    }

    public <T> boolean trySend(T value, Codec<T> codec) {
        return trySend(encode(value, codec));
    }

    private <T> ByteBuffer encode(T value, Codec<T> codec) {
        ByteBuffer b = scratch.get();
        b.clear().limit(header.maxMessageSize);
        try {
            codec.encode(value, b);
        } catch (BufferOverflowException e) {
            throw new LimitExceededException("send", name, Errno.EMSGSIZE, "the encoded value is larger than the"
                    + " mailbox's maxMessageSize " + header.maxMessageSize);
        }
        return b.flip();
    }

    private boolean send0(ByteBuffer payload, long nanos) throws InterruptedException {
        checkOpen();
        int len = payload.remaining();
        if (len > header.maxMessageSize) {
            throw new LimitExceededException("send", name, Errno.EMSGSIZE, "message of " + len
                    + " bytes > the mailbox's maxMessageSize " + header.maxMessageSize);
        }
        long seq = sequence.getAndIncrement();
        boolean sent = turn == null
                ? queue.put(PID, 0, seq, payload, nanos)
                : rendezvous(payload, seq, nanos);
        if (sent) {
            payload.position(payload.limit());
        }
        return sent;
    }

    private boolean rendezvous(ByteBuffer payload, long seq, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + Math.max(nanos, 0);
        if (!Sems.acquire(turn, nanos)) {
            return false;
        }
        try {
            long token = token(PID, seq);
            WORD.setVolatile(control, MailboxHeader.RENDEZVOUS, token);
            // The queue holds at most one message: a cancelled one not yet discarded may delay this put.
            if (!queue.put(PID, Envelope.FLAG_ACK, seq, payload, Sems.remaining(nanos, deadline))) {
                WORD.setVolatile(control, MailboxHeader.RENDEZVOUS, IDLE);
                return false;
            }
            InterruptedException interrupted = null;
            boolean acked;
            try {
                acked = Sems.acquire(ack, nanos == 0 ? TRY_RENDEZVOUS_NANOS : Sems.remaining(nanos, deadline));
            } catch (InterruptedException e) {
                interrupted = e;
                acked = false;
            }
            if (!acked) {
                if (WORD.compareAndSet(control, MailboxHeader.RENDEZVOUS, token, CANCELLED)) {
                    if (interrupted != null) {
                        throw interrupted; // no receiver holds it, and none ever will
                    }
                    return false;
                }
                awaitAck(); // a receiver claimed it and acknowledges at once
                if (interrupted != null) {
                    Thread.currentThread().interrupt();
                }
            }
            return true;
        } finally {
            turn.release();
        }
    }

    private static long token(int pid, long seq) {
        return ((long) pid << 32) | (seq & 0xffffffffL);
    }

    /** A receiver took a rendezvous message: claim it (true), or find its sender gave up (false). */
    private boolean claim(Envelope env) {
        if (WORD.compareAndSet(control, MailboxHeader.RENDEZVOUS, token(env.sender, env.sequence), TAKEN)) {
            ack.release();
            return true;
        }
        return false;
    }

    private void awaitAck() {
        long deadline = System.nanoTime() + ACK_GRACE_NANOS;
        boolean interrupted = false;
        try {
            for (;;) {
                try {
                    if (Sems.acquire(ack, Sems.remaining(ACK_GRACE_NANOS, deadline)) || deadline - System.nanoTime() <= 0) {
                        return; // no acknowledgement in 10 s: the receiver died between claim and post
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---------------------------------------------------------------- receiving

    /** Receives the oldest message, waiting as long as it takes. */
    public Message receive() throws InterruptedException {
        return receiveMessage(0, -1);
    }

    /** Receives the oldest message, waiting at most {@code timeout}: null if none came. */
    public Message receive(Duration timeout) throws InterruptedException {
        return receiveMessage(0, Sems.nanos(timeout));
    }

    /** Receives a message if one is waiting now, else null. */
    public Message tryReceive() {
        try {
            return receiveMessage(0, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Receives into {@code dst} (payload at its position) and {@code env}, waiting as long as it takes. */
    public void receive(ByteBuffer dst, Envelope env) throws InterruptedException {
        receive0(0, dst, env, -1);
    }

    /** Receives into {@code dst} and {@code env}, waiting at most {@code timeout}: false if none came. */
    public boolean receive(ByteBuffer dst, Envelope env, Duration timeout) throws InterruptedException {
        return receive0(0, dst, env, Sems.nanos(timeout));
    }

    /** Receives into {@code dst} and {@code env} if a message is waiting now. */
    public boolean tryReceive(ByteBuffer dst, Envelope env) {
        try {
            return receive0(0, dst, env, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    Message receiveMessage(int from, long nanos) throws InterruptedException {
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

    /**
     * The receive every other method calls: from any sender ({@code from == 0}) or from one,
     * honouring messages kept earlier, acknowledging rendezvous messages.
     */
    boolean receive0(int from, ByteBuffer dst, Envelope env, long nanos) throws InterruptedException {
        checkOpen();
        if (sendOnly) {
            throw new InvalidArgumentException("receive", name, 0, "this handle sends to process "
                    + header.owner + "'s inbox; only that process receives from it");
        }
        Message k = takeKept(from);
        if (k != null) {
            deliver(k, dst, env);
            return true;
        }
        long deadline = System.nanoTime() + Math.max(nanos, 0);
        boolean direct = dst.remaining() >= header.maxMessageSize;
        boolean native_ = from != 0 && queue.selectsNatively();
        for (;;) {
            ByteBuffer into = direct ? dst : scratch.get().clear();
            int start = into.position();
            long wait = Sems.remaining(nanos, deadline);
            boolean got = native_ ? queue.takeFrom(from, into, env, wait) : queue.take(into, env, wait);
            if (!got) {
                return false;
            }
            if ((env.flags & Envelope.FLAG_ACK) != 0 && control != null && !claim(env)) {
                into.position(start); // its sender gave up: discard it and keep receiving
                continue;
            }
            if (from == 0 || env.sender == from) {
                if (!direct) {
                    into.flip();
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

    public String name() {
        return name;
    }

    public Transport transport() {
        return header.transport;
    }

    public Capacity capacity() {
        return header.capacity;
    }

    public int maxMessageSize() {
        return header.maxMessageSize;
    }

    /** Messages waiting in the mailbox now (plus any this handle keeps), or -1 when the transport cannot tell. */
    public long pending() {
        long p = queue.pending();
        return p < 0 ? p : p + kept.size();
    }

    int ownerPid() {
        return header.owner;
    }

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
        if (turn != null) {
            turn.close();
            ack.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new ClosedException("mailbox", name, 0, "the mailbox handle is closed");
        }
    }

    static void checkName(String name) {
        Names.check("mailbox", name, Transports.maxNameLength());
    }

    @Override
    public String toString() {
        return "Mailbox[" + name + ", " + header.transport + ", " + header.capacity + "]";
    }
}
