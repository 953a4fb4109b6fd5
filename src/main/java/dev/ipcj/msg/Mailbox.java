package dev.ipcj.msg;

import dev.ipcj.ClosedException;
import dev.ipcj.CorruptedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.LimitExceededException;
import dev.ipcj.NotFoundException;
import dev.ipcj.internal.CrashPoints;
import dev.ipcj.internal.Errno;
import dev.ipcj.internal.Faults;
import dev.ipcj.internal.SharedPage;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * <h2>Across machines</h2>
 * A name {@code udp://HOST:PORT/NAME} is a network mailbox ({@link Transport#AERON}, over Aeron,
 * an optional dependency): {@link #create(String, Capacity)} makes the receiving end in the
 * calling process (listening on HOST:PORT), {@link #open(String)} a sending end on any machine,
 * which waits for the receiver's answer (NotFoundException after 10 s, or
 * {@code ipcj.aeron.connect.ms}). {@code bounded(n)} is n credits per sender, granted by the
 * receiver; capacity zero, unbounded and request/reply are refused; a sender whose receiver
 * stopped answering gets {@link dev.ipcj.TimedOutException}. See the README, "Mailboxes across
 * machines".
 *
 * <h2>Rendezvous (capacity zero)</h2>
 * A send on a mailbox of capacity zero returns only when a receiver has taken the message, and
 * fails, having delivered nothing, when none takes it by the deadline: see {@link Rendezvous}
 * for the protocol and what a kill or a scribble leaves. {@link #trySend} on a rendezvous waits
 * at most 1 ms for a receiver that is already waiting.
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
public final class Mailbox implements AutoCloseable, dev.ipcj.Waitable {
    /**
     * The maximum payload when none is given: 8152 bytes, so that with the 40-byte envelope a
     * message fits Linux's default mq msgsize_max (8192).
     */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 8192 - Envelope.SIZE;
    private static final int PID = (int) ProcessHandle.current().pid();

    private final String name;
    final MailboxHeader header;
    private final FrameQueue queue;
    private final SharedPage control;
    /** The zero-capacity protocol; null for a bounded or unbounded mailbox. */
    private final Rendezvous rendezvous;
    private final boolean sendOnly;
    private final int max;
    private final int room;
    private final AtomicLong sequence = new AtomicLong();
    private final ConcurrentLinkedDeque<Message> kept = new ConcurrentLinkedDeque<>();
    private final ThreadLocal<ByteBuffer> scratch;
    private final ThreadLocal<Envelope> scratchEnvelope = ThreadLocal.withInitial(Envelope::new);
    /** The envelope of the frame a thread sends (reused: a send allocates nothing). */
    private final ThreadLocal<Envelope> outgoing = ThreadLocal.withInitial(Envelope::new);
    /** Threads in a receive on this handle now (see receive1: with more than one, waits are sliced). */
    private final java.util.concurrent.atomic.AtomicInteger receivers = new java.util.concurrent.atomic.AtomicInteger();
    /** The longest one wait in the queue lasts while other threads receive on this handle too. */
    private static final long SHARED_SLICE_NANOS = 2_000_000L;
    /** The longest one wait lasts for a thread receiving alone: another may start and keep its message. */
    private static final long ALONE_SLICE_NANOS = 100_000_000L;
    /**
     * Correlation ids of the requests whose requesters wait for their replies now. A reply frame
     * goes only to the request that waits for it: one whose id is not here is dropped (its
     * requester stopped waiting, or it answers no request of this process). So the set holds
     * one entry per request in flight, never more.
     */
    private final Set<Long> awaited = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    Mailbox(String name, MailboxHeader header, FrameQueue queue, SharedPage control, boolean sendOnly) {
        this.name = name;
        this.header = header;
        this.queue = queue;
        this.control = control;
        this.rendezvous = header.capacity.isZero() ? new Rendezvous(name, control, queue) : null;
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
        return create(name, transportFor(name), Capacity.bounded(10), DEFAULT_MAX_MESSAGE_SIZE);
    }

    /**
     * Creates {@code name} with {@code capacity} on the default transport.
     *
     * @param name     the mailbox's name, e.g. {@code "/orders"}
     * @param capacity how many messages may wait
     * @return the open mailbox
     */
    public static Mailbox create(String name, Capacity capacity) {
        return create(name, transportFor(name), capacity, DEFAULT_MAX_MESSAGE_SIZE);
    }

    /** The transport a create without one uses: AERON for a udp:// address, else the default. */
    private static Transport transportFor(String name) {
        return NetAddress.isNetworkName(name) ? Transport.AERON : Transport.defaultTransport();
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
        return MailboxObjects.create(name, transport, capacity, maxMessageSize, 0);
    }

    /**
     * Opens the existing mailbox {@code name}, whatever its transport.
     *
     * @param name the mailbox's name
     * @return the open mailbox
     */
    public static Mailbox open(String name) {
        if (NetAddress.isNetworkName(name)) {
            return NetMailboxes.open(name);
        }
        MailboxObjects.checkName("open", name);
        return MailboxObjects.open(name, MailboxHeader.read(name, "open"), false);
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
        if (NetAddress.isNetworkName(name)) {
            throw new InvalidArgumentException("inspect", name, 0, "a network mailbox has no header to inspect:"
                    + " open it, and its capacity and maxMessageSize are the receiver's answer");
        }
        MailboxObjects.checkName("inspect", name);
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
        if (NetAddress.isNetworkName(name)) {
            NetAddress.parse("unlink", name);
            return; // a network mailbox has nothing to remove: it ends when its receiver closes it
        }
        MailboxObjects.checkName("unlink", name);
        MailboxHeader h = MailboxHeader.readForRemoval(name);
        if (h == null) {
            throw new NotFoundException("unlink", name, Errno.ENOENT, "no mailbox of this name");
        }
        MailboxObjects.remove(name, h);
    }

    /**
     * Removes the mailbox {@code name} if it exists: true if anything was removed. For finally
     * blocks. The name is a name, never a pattern.
     *
     * @param name the mailbox's name
     * @return true if anything was removed
     */
    public static boolean unlinkIfExists(String name) {
        if (NetAddress.isNetworkName(name)) {
            NetAddress.parse("unlink", name);
            return false; // nothing to remove (see unlink)
        }
        MailboxObjects.checkName("unlink", name);
        MailboxHeader h = MailboxHeader.readForRemoval(name);
        return h != null && MailboxObjects.remove(name, h);
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
        return send0(payload, nanos, 0, 0, 0);
    }

    /** A send with envelope flags (REQUEST, REPLY), a reply-to pid and a correlation id. */
    boolean send0(ByteBuffer payload, long nanos, int flags, int replyTo, long correlation) throws InterruptedException {
        try {
            return send1(payload, nanos, flags, replyTo, correlation);
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

    private boolean send1(ByteBuffer payload, long nanos, int flags, int replyTo, long correlation)
            throws InterruptedException {
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
        Envelope head = outgoing.get().head(PID, flags, seq, 0, replyTo, correlation);
        boolean sent = rendezvous == null ? queue.put(head, payload, nanos) : rendezvous.send(head, payload, nanos);
        if (sent) {
            payload.position(payload.limit());
        }
        return sent;
    }

    // ---------------------------------------------------------------- request and reply

    /**
     * Sends {@code payload} as a request and waits for its reply: the message a server sends
     * back with {@link #reply}. The reply comes to this process's {@link Inbox} (the one it
     * created, or one this creates on first use, with the default transport, and closes when
     * the JVM exits), matched by a correlation id in the envelope, so that many threads may
     * have requests out at once; other messages arriving meanwhile stay in the inbox for its
     * receives. The timeout covers the send and the wait; a reply that comes after it is
     * dropped.
     *
     * @param payload the request's bytes
     * @param timeout how long to wait in all; {@code Duration.ZERO} sends only if there is room
     *                and takes only a reply already there
     * @return the reply, or null when none came within the timeout (or the request could not be
     *         sent in it)
     * @throws InterruptedException if the thread is interrupted while it waits
     */
    public Message request(byte[] payload, Duration timeout) throws InterruptedException {
        if (payload == null) {
            throw new InvalidArgumentException("request", name, 0, "payload is null");
        }
        return request(ByteBuffer.wrap(payload), timeout);
    }

    /**
     * {@link #request(byte[], Duration)} with {@code value} encoded by {@code codec}.
     *
     * @param <T>     the type of the value
     * @param value   the request
     * @param codec   writes the value's bytes
     * @param timeout how long to wait in all
     * @return the reply, or null when none came within the timeout
     * @throws InterruptedException if the thread is interrupted while it waits
     */
    public <T> Message request(T value, Codec<T> codec, Duration timeout) throws InterruptedException {
        return request(encode(value, codec), timeout);
    }

    /**
     * {@link #request(byte[], Duration)} with the remaining bytes of {@code payload} (its
     * position moves to its limit when the request is sent).
     *
     * @param payload the request's bytes
     * @param timeout how long to wait in all
     * @return the reply, or null when none came within the timeout
     * @throws InterruptedException if the thread is interrupted while it waits
     */
    public Message request(ByteBuffer payload, Duration timeout) throws InterruptedException {
        if (!header.transport.isLocal()) {
            throw new InvalidArgumentException("request", name, 0, "request/reply is not given across machines:"
                    + " the reply goes to an inbox named by a pid of the requester's machine; create a udp:// mailbox"
                    + " for the replies and send to it");
        }
        long nanos = Timeouts.nanos(timeout, "request", name);
        return Inbox.forReplies().request(this, payload, nanos);
    }

    /**
     * Sends {@code payload} as the reply to {@code request}, to the inbox its requester named,
     * with its correlation id.
     *
     * @param request a message for which {@link Message#isRequest()} is true
     * @param payload the reply's bytes
     * @param timeout how long to wait for room in the requester's inbox
     * @return true if sent, false if there was no room within the timeout
     * @throws InterruptedException if the thread is interrupted while it waits
     * @throws dev.ipcj.NotFoundException if the requester's inbox is gone (it stopped waiting)
     */
    public static boolean reply(Message request, byte[] payload, Duration timeout) throws InterruptedException {
        checkRequest(request);
        if (payload == null) {
            throw new InvalidArgumentException("reply", null, 0, "payload is null");
        }
        long nanos = Timeouts.nanos(timeout, "reply", null);
        return ReplyRoutes.SHARED.reply(request, ByteBuffer.wrap(payload), nanos);
    }

    /**
     * A server's loop: receives every message, gives it to {@code handler}, and for a request
     * sends what the handler returns as its reply (nothing when it returns null). A request
     * whose reply cannot be delivered (its requester is gone, its inbox is not a readable ipcj inbox,
     * or it stays full for 1 s) gets no reply, and the loop goes on: the
     * requester stopped waiting or will time out. Runs until the thread is interrupted
     * (InterruptedException) or the handler throws.
     *
     * @param handler the answer to each message; null for none
     * @throws InterruptedException when the thread is interrupted
     */
    public void serve(java.util.function.Function<Message, byte[]> handler) throws InterruptedException {
        if (handler == null) {
            throw new InvalidArgumentException("serve", name, 0, "handler is null");
        }
        for (;;) {
            Message m = receive();
            byte[] answer = handler.apply(m);
            if (!m.isRequest() || answer == null) {
                continue;
            }
            try {
                ReplyRoutes.SHARED.reply(m, ByteBuffer.wrap(answer), 1_000_000_000L);
            } catch (dev.ipcj.IpcException e) {
                // The requester named an inbox that cannot take the reply (gone, another user's,
                // not an ipcj header): not the server's failure; that requester times out.
            }
        }
    }

    boolean sendReply(Message request, ByteBuffer payload, long nanos) throws InterruptedException {
        return send0(payload, nanos, Envelope.FLAG_REPLY, 0, request.correlation());
    }

    private static void checkRequest(Message request) {
        if (request == null) {
            throw new InvalidArgumentException("reply", null, 0, "request is null");
        }
        if (!request.isRequest() || request.replyTo() <= 0) {
            throw new InvalidArgumentException("reply", null, 0, request + " is not a request: it names no inbox"
                    + " to reply to (send requests with Mailbox.request)");
        }
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
        return receiveMessage(from, 0, nanos);
    }

    /** The next message from {@code from} (0: anyone) that is the reply to {@code correlation} (0: any message). */
    Message receiveMessage(int from, long correlation, long nanos) throws InterruptedException {
        try {
            return receiveMessage1(from, correlation, nanos);
        } catch (InternalError e) {
            throw fault("receive", e);
        }
    }

    private Message receiveMessage1(int from, long correlation, long nanos) throws InterruptedException {
        checkReceiver();
        Message k = takeKept(from, correlation);
        if (k != null) {
            return k;
        }
        ByteBuffer b = scratch.get();
        b.clear();
        Envelope env = scratchEnvelope.get();
        if (!receive0(from, correlation, b, env, nanos)) {
            return null;
        }
        byte[] bytes = new byte[env.length];
        b.flip().get(bytes);
        return new Message(env, bytes);
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
        if (sendOnly && !header.transport.isLocal()) {
            throw new InvalidArgumentException("receive", name, 0, "this handle sends to " + name
                    + "; only the process that created it receives");
        }
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
        return receive0(from, 0, dst, env, nanos);
    }

    private boolean receive0(int from, long correlation, ByteBuffer dst, Envelope env, long nanos)
            throws InterruptedException {
        try {
            return receive00(from, correlation, dst, env, nanos);
        } catch (InternalError e) {
            throw fault("receive", e);
        }
    }

    private boolean receive00(int from, long correlation, ByteBuffer dst, Envelope env, long nanos)
            throws InterruptedException {
        checkBuffers(dst, env);
        checkReceiver();
        Message k = takeKept(from, correlation);
        if (k != null) {
            deliver(k, dst, env);
            return true;
        }
        if (nanos != 0 && Thread.interrupted()) {
            throw new InterruptedException();
        }
        receivers.incrementAndGet();
        try {
            return receive1(from, correlation, dst, env, nanos);
        } catch (InternalError e) {
            throw fault("receive", e);
        } finally {
            receivers.decrementAndGet();
        }
    }

    private boolean receive1(int from, long correlation, ByteBuffer dst, Envelope env, long nanos)
            throws InterruptedException {
        long deadline = Timeouts.deadline(nanos);
        boolean direct = dst.remaining() >= room;
        boolean native_ = from != 0 && correlation == 0 && queue.selectsNatively();
        boolean zeroCapacity = rendezvous != null;
        for (;;) {
            checkOpen();
            ByteBuffer into = direct ? dst : scratch.get().clear();
            int start = into.position();
            long wait = Timeouts.remaining(nanos, deadline);
            // Another thread of this handle may take the message this one waits for and keep it
            // (a selective receive, the reply to another request), and nothing can wake a thread
            // blocked in the queue but a message: so a wait lasts a slice, after which the kept
            // messages are looked at: 2 ms while other threads receive on this handle, 100 ms
            // while this one receives alone (another may start at any time).
            long slice = receivers.get() > 1 ? SHARED_SLICE_NANOS : ALONE_SLICE_NANOS;
            boolean sliced = wait < 0 || wait > slice;
            if (sliced) {
                wait = slice;
            }
            boolean got = native_ ? queue.takeFrom(from, into, env, wait) : queue.take(into, env, wait);
            if (!got) {
                if (sliced && !Timeouts.expired(nanos, deadline)) {
                    Message k = takeKept(from, correlation);
                    if (k != null) {
                        deliver(k, dst, env);
                        return true;
                    }
                    continue;
                }
                return false;
            }
            CrashPoints.reach("rv-taken");
            if ((env.flags & Envelope.FLAG_ACK) != 0) {
                if (!zeroCapacity) {
                    into.position(start);
                    throw new CorruptedException("receive", name, 0, "a rendezvous frame from pid " + env.sender
                            + " in a mailbox of capacity " + header.capacity + ": another program wrote it");
                }
                // The claim tells the sender its message arrived: first make sure it did (a
                // truncation under the take is reported now, before the point of no return).
                queue.checkIntact("receive");
                control.checkSize("receive");
                boolean claimed = rendezvous.claim(env);
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
            if ((env.flags & Envelope.FLAG_REPLY) != 0 && !awaited.contains(env.correlation)) {
                into.position(start); // a reply nobody waits for (its requester stopped waiting): dropped
                if (Timeouts.expired(nanos, deadline) && nanos != 0) {
                    return false;
                }
                continue;
            }
            if (wanted(from, correlation, env.sender, env.flags, env.correlation)) {
                if (!direct) {
                    into.flip().position(start);
                    if (into.remaining() > dst.remaining()) {
                        byte[] bytes = new byte[into.remaining()];
                        into.get(bytes);
                        kept.addFirst(new Message(env, bytes));
                        throw new LimitExceededException("receive", name, Errno.EMSGSIZE, "a message of "
                                + bytes.length + " bytes does not fit the " + dst.remaining()
                                + " bytes remaining in the buffer; it is kept for the next receive");
                    }
                    dst.put(into);
                }
                return true;
            }
            // Another message than the one looked for (another sender's, another request's reply): keep it, in order.
            byte[] bytes = new byte[env.length];
            into.get(start, bytes);
            into.position(start);
            Message other = new Message(env, bytes);
            kept.addLast(other);
            if ((env.flags & Envelope.FLAG_REPLY) != 0 && !awaited.contains(env.correlation)) {
                // Its requester gave up between the check above and the add: settle() looked
                // at the kept messages before this add, so this removes it (see settle).
                kept.removeFirstOccurrence(other);
            }
        }
    }

    private Message takeKept(int from, long correlation) {
        if (kept.isEmpty()) {
            return null;
        }
        for (Iterator<Message> it = kept.iterator(); it.hasNext();) {
            Message m = it.next();
            int flags = (m.isRequest() ? Envelope.FLAG_REQUEST : 0) | (m.isReply() ? Envelope.FLAG_REPLY : 0);
            if (wanted(from, correlation, m.sender(), flags, m.correlation()) && kept.removeFirstOccurrence(m)) {
                return m;
            }
        }
        return null;
    }

    /**
     * Whether a message is what a receive looks for: from {@code from} (0: anyone), and the reply
     * to {@code correlation}, or for 0 any message but a reply (a reply is its requester's alone).
     */
    private static boolean wanted(int from, long correlation, int sender, int flags, long messageCorrelation) {
        boolean reply = (flags & Envelope.FLAG_REPLY) != 0;
        return (from == 0 || sender == from) && (correlation == 0 ? !reply : reply && messageCorrelation == correlation);
    }

    /** A requester waits for the reply to {@code correlation} from now on: it is kept for it, not dropped. */
    void await(long correlation) {
        awaited.add(correlation);
    }

    /**
     * The requester of {@code correlation} stopped waiting, with its reply or without it (a
     * timeout, an interrupt): a reply that comes later is dropped. The id leaves the set first,
     * then the kept messages are searched; a receiver keeps a reply first, then looks at the set
     * (see receive1): so whichever comes second removes a reply kept in between.
     */
    void settle(long correlation) {
        awaited.remove(correlation);
        for (Iterator<Message> it = kept.iterator(); it.hasNext();) {
            Message m = it.next();
            if (m.isReply() && m.correlation() == correlation) {
                kept.removeFirstOccurrence(m);
            }
        }
    }

    /** How many requests wait for replies on this handle (tests: the set does not grow). */
    int awaitedCount() {
        return awaited.size();
    }

    private void deliver(Message m, ByteBuffer dst, Envelope env) {
        if (m.length() > dst.remaining()) {
            kept.addFirst(m);
            throw new LimitExceededException("receive", name, Errno.EMSGSIZE, "a message of " + m.length()
                    + " bytes does not fit the " + dst.remaining() + " bytes remaining in the buffer;"
                    + " it is kept for the next receive");
        }
        m.describe(env);
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

    @Override
    public String toString() {
        return "Mailbox[" + name + ", " + header.transport + ", " + header.capacity + "]";
    }

    // ---------------------------------------------------------------- WaitSet

    /**
     * How a {@link dev.ipcj.WaitSet} waits on this mailbox: READABLE while a message waits (in
     * the transport, or kept by this handle). Woken on RING and SHM_LOG by the senders ringing
     * the set's doorbell (only when it announced itself), on POSIX_MQ by the queue's
     * descriptor; SYSTEM_V is polled (see WaitSet).
     *
     * @return the hook
     */
    @Override
    public dev.ipcj.WaitHook waitHook() {
        dev.ipcj.WaitHook wake = queue.wakeHook();
        return new dev.ipcj.WaitHook() {
            @Override
            public int readiness(int interest) {
                checkOpen();
                if (!kept.isEmpty()) {
                    return dev.ipcj.WaitSet.READABLE;
                }
                try {
                    return queue.pending() != 0 ? dev.ipcj.WaitSet.READABLE : 0; // -1: cannot tell, look
                } catch (InternalError e) {
                    throw fault("WaitSet", e);
                }
            }

            @Override
            public boolean attach(long bell, int interest) {
                if (interest != dev.ipcj.WaitSet.READABLE) {
                    throw new dev.ipcj.InvalidArgumentException("WaitSet.add", name, 0,
                            "a mailbox can be waited on for READABLE only");
                }
                checkOpen();
                return wake != null && wake.attach(bell, interest);
            }

            @Override
            public void arm(int interest) {
                if (wake != null) {
                    checkOpen();
                    wake.arm(interest);
                }
            }

            @Override
            public void detach(long bell, int interest) {
                if (wake != null) {
                    wake.detach(bell, interest);
                }
            }

            @Override
            public int descriptor() {
                return wake != null ? wake.descriptor() : -1;
            }
        };
    }
}
