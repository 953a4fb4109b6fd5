package dev.ipcj.posix;

import dev.ipcj.ClosedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.IpcException;
import dev.ipcj.Waitable;
import dev.ipcj.WouldBlockException;
import dev.ipcj.internal.Check;
import dev.ipcj.internal.Errno;
import dev.ipcj.internal.Names;
import dev.ipcj.internal.Timeouts;
import dev.ipcj.internal.UseCount;
import dev.ipcj.jni.PosixMq;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A POSIX message queue ({@code mq_open}): a kernel-held queue of discrete messages, each with a
 * priority, shared by name between processes. Higher priorities are received first; equal
 * priorities in order of sending.
 *
 * <p>Create and open are explicit: {@link #create} fails if the name exists, {@link #open} if it
 * does not, {@link #openOrCreate} does either. The default mode is 0600. A queue's
 * maxMessages and maxMessageSize are fixed at creation and bounded by live system limits
 * ({@link MqLimits}); a request beyond one fails with a message naming the limit, its value and
 * how to raise it, e.g.
 * {@code mq_open("/orders"): EINVAL: maxMessages 100 > /proc/sys/fs/mqueue/msg_max 10 (raise it: ...)}.
 *
 * <p>Every operation comes in three forms: blocking ({@link #send}, {@link #receive}), which waits
 * and throws {@link InterruptedException} when the thread is interrupted (a message sent or
 * received at that moment is kept, never lost); non-blocking ({@link #trySend},
 * {@link #tryReceive}); and timed, with a {@link Duration}. The non-blocking and timed forms do
 * not depend on the descriptor's O_NONBLOCK flag; the blocking forms honour it
 * ({@link #setNonBlocking}) and then throw {@link WouldBlockException}.
 *
 * <p>No allocation per message: send from and receive into direct ByteBuffers (heap buffers and
 * byte[] work too, through a per-thread direct buffer). A receive buffer with fewer than
 * {@link #maxMessageSize()} bytes remaining, or a message longer than that, is refused before any
 * system call, so nothing is sent or consumed.
 *
 * <pre>{@code
 * try (MessageQueue q = MessageQueue.create("/orders", 10, 1024)) {
 *     q.send("hello".getBytes(UTF_8), 5);
 *     MqMessage m = q.receive();          // payload "hello", priority 5
 * } finally {
 *     MessageQueue.unlinkIfExists("/orders");
 * }
 * }</pre>
 *
 * <p>The queue is a {@link Waitable}: a {@link dev.ipcj.WaitSet} waits on several queues at once.
 * {@link #onMessage} delivers {@code mq_notify} as a Java callback. {@link #close()} is safe while
 * other threads are blocked on the queue: new calls are refused at once and the descriptor is
 * closed when the last of them returns.
 */
public final class MessageQueue implements AutoCloseable, Waitable {
    /** How a queue is opened: which of send and receive the descriptor allows. */
    public enum Access {
        /** Receive only ({@code O_RDONLY}). */
        READ_ONLY(0),
        /** Send only ({@code O_WRONLY}). */
        WRITE_ONLY(1),
        /** Send and receive ({@code O_RDWR}). */
        READ_WRITE(2);

        final int flag;

        Access(int flag) {
            this.flag = flag;
        }
    }

    /** Default permission bits: read and write for the owner only. */
    public static final int DEFAULT_MODE = 0600;
    /** Longest name after the '/'. */
    public static final int MAX_NAME_LENGTH = Names.NAME_MAX;

    static final int O_CREAT = 0100;
    static final int O_EXCL = 0200;
    static final int O_NONBLOCK = 04000;

    private final String name;
    final int mqd;
    private final Access access;
    private final int maxMessages;
    private final int maxMessageSize;
    final UseCount uses;
    private volatile MqNotification notification;
    /** The send paths and their checks. */
    private final MqSend send;
    /** The receive paths and their checks. */
    private final MqReceive receive;

    private MessageQueue(String name, int mqd, Access access, int maxMessages, int maxMessageSize) {
        this.name = name;
        this.mqd = mqd;
        this.access = access;
        this.maxMessages = maxMessages;
        this.maxMessageSize = maxMessageSize;
        this.uses = new UseCount(() -> PosixMq.mqClose(mqd));
        this.send = new MqSend(this);
        this.receive = new MqReceive(this);
    }

    // ---- create, open, unlink -------------------------------------------------------------

    /**
     * Creates {@code name} holding up to {@code maxMessages} messages of up to
     * {@code maxMessageSize} bytes, mode 0600, opened for reading and writing; fails with
     * {@link dev.ipcj.AlreadyExistsException} if it exists.
     *
     * @param name           the queue's name, {@code "/"} and up to {@value #MAX_NAME_LENGTH} characters
     * @param maxMessages    the most messages the queue holds
     * @param maxMessageSize the longest message in bytes
     * @return the open queue
     */
    public static MessageQueue create(String name, int maxMessages, int maxMessageSize) {
        return create(name, maxMessages, maxMessageSize, DEFAULT_MODE);
    }

    /**
     * Creates {@code name} with these sizes and {@code mode}; fails if it exists.
     *
     * @param name           the queue's name, {@code "/"} and up to {@value #MAX_NAME_LENGTH} characters
     * @param maxMessages    the most messages the queue holds
     * @param maxMessageSize the longest message in bytes
     * @param mode           the permission bits, e.g. {@code 0600}
     * @return the open queue
     */
    public static MessageQueue create(String name, int maxMessages, int maxMessageSize, int mode) {
        checkSizes(name, maxMessages, maxMessageSize);
        return open(name, Access.READ_WRITE, O_CREAT | O_EXCL, mode, maxMessages, maxMessageSize);
    }

    /**
     * Creates {@code name} with the system's default sizes
     * ({@code /proc/sys/fs/mqueue/msg_default} and {@code msgsize_default}) and mode 0600.
     *
     * @param name the queue's name, {@code "/"} and up to {@value #MAX_NAME_LENGTH} characters
     * @return the open queue
     */
    public static MessageQueue create(String name) {
        return open(name, Access.READ_WRITE, O_CREAT | O_EXCL, DEFAULT_MODE, 0, 0);
    }

    /**
     * Opens an existing queue for sending and receiving.
     *
     * @param name the queue's name
     * @return the open queue
     */
    public static MessageQueue open(String name) {
        return open(name, Access.READ_WRITE);
    }

    /**
     * Opens an existing queue with {@code access}; fails with NotFoundException if absent.
     *
     * @param name   the queue's name
     * @param access which of send and receive the descriptor allows
     * @return the open queue
     */
    public static MessageQueue open(String name, Access access) {
        return open(name, access, 0, 0, 0, 0);
    }

    /**
     * Opens {@code name}, creating it with these sizes and {@code mode} if it does not exist. An
     * existing queue keeps its own sizes: read them with {@link #maxMessages()} and
     * {@link #maxMessageSize()}.
     *
     * @param name           the queue's name, {@code "/"} and up to {@value #MAX_NAME_LENGTH} characters
     * @param maxMessages    the most messages the queue holds, if it is created
     * @param maxMessageSize the longest message in bytes, if it is created
     * @param mode           the permission bits, if it is created
     * @return the open queue
     */
    public static MessageQueue openOrCreate(String name, int maxMessages, int maxMessageSize, int mode) {
        checkSizes(name, maxMessages, maxMessageSize);
        return open(name, Access.READ_WRITE, O_CREAT, mode, maxMessages, maxMessageSize);
    }

    private static MessageQueue open(String name, Access access, int oflag, int mode, int maxMessages,
                                     int maxMessageSize) {
        Names.check("mq_open", name, MAX_NAME_LENGTH);
        if (access == null) {
            throw new InvalidArgumentException("mq_open", name, 0, "access is null");
        }
        SharedMemory.checkMode("mq_open", name, mode);
        boolean create = (oflag & O_CREAT) != 0;
        int fd = PosixMq.mqOpen(name, oflag | access.flag, mode, maxMessages, maxMessageSize);
        if (fd < 0) {
            throw MqErrors.open(name, fd, create, maxMessages, maxMessageSize, access);
        }
        long[] a = new long[4];
        int r = PosixMq.mqGetattr(fd, a);
        if (r < 0) {
            PosixMq.mqClose(fd);
            throw IpcException.of("mq_getattr", name, r);
        }
        return new MessageQueue(name, fd, access, (int) a[1], (int) a[2]);
    }

    /**
     * Removes the name; processes that have the queue open keep using it until they close it.
     *
     * @param name the queue's name
     */
    public static void unlink(String name) {
        Names.check("mq_unlink", name, MAX_NAME_LENGTH);
        int r = PosixMq.mqUnlink(name);
        if (r < 0) {
            throw IpcException.of("mq_unlink", name, r, r == -Errno.ENOENT ? "no queue of that name exists" : null);
        }
    }

    /**
     * Removes the name if it exists: true if it did. For cleanup in finally blocks.
     *
     * @param name the queue's name
     * @return true if the name existed and was removed
     */
    public static boolean unlinkIfExists(String name) {
        Names.check("mq_unlink", name, MAX_NAME_LENGTH);
        int r = PosixMq.mqUnlink(name);
        if (r < 0 && r != -Errno.ENOENT) {
            throw IpcException.of("mq_unlink", name, r);
        }
        return r == 0;
    }

    /** Removes this queue's name. */
    public void unlink() {
        unlink(name);
    }

    // ---- send -----------------------------------------------------------------------------

    /**
     * Sends the bytes between {@code src}'s position and limit with {@code priority}, waiting
     * while the queue is full. On return the position is at the limit.
     *
     * @param src      the message's bytes, from position to limit
     * @param priority the message's priority, 0 and up
     * @throws InterruptedException if interrupted while waiting; nothing was sent
     * @throws WouldBlockException  if the queue is full and the descriptor is non-blocking
     */
    public void send(ByteBuffer src, int priority) throws InterruptedException {
        send.send(src, priority);
    }

    /**
     * Sends {@code payload} with {@code priority}, waiting while the queue is full.
     *
     * @param payload  the message's bytes
     * @param priority the message's priority, 0 and up
     * @throws InterruptedException if interrupted while waiting; nothing was sent
     */
    public void send(byte[] payload, int priority) throws InterruptedException {
        Check.notNull("mq_send", name, payload, "payload");
        send(ByteBuffer.wrap(payload), priority);
    }

    /**
     * Sends if there is room now: true if sent (position moved to the limit), false if the queue
     * is full (nothing sent, position unchanged).
     *
     * @param src      the message's bytes, from position to limit
     * @param priority the message's priority, 0 and up
     * @return true if sent, false if the queue is full
     */
    public boolean trySend(ByteBuffer src, int priority) {
        return send.trySend(src, priority);
    }

    /**
     * Sends {@code payload} if there is room now; false if the queue is full.
     *
     * @param payload  the message's bytes
     * @param priority the message's priority, 0 and up
     * @return true if sent, false if the queue is full
     */
    public boolean trySend(byte[] payload, int priority) {
        Check.notNull("mq_send", name, payload, "payload");
        return trySend(ByteBuffer.wrap(payload), priority);
    }

    /**
     * Sends, waiting at most {@code timeout} for room: true if sent, false if the queue stayed
     * full (or is full and the descriptor is non-blocking).
     *
     * @param src      the message's bytes, from position to limit
     * @param priority the message's priority, 0 and up
     * @param timeout  the longest wait
     * @return true if sent, false if the queue stayed full
     * @throws InterruptedException if interrupted while waiting; nothing was sent
     */
    public boolean trySend(ByteBuffer src, int priority, Duration timeout) throws InterruptedException {
        return send.trySend(src, priority, timeout);
    }

    /**
     * {@link #trySend(ByteBuffer, int, Duration)} with the timeout as a count of {@code unit}s,
     * as {@link java.util.concurrent.BlockingQueue#offer(Object, long, TimeUnit)} takes it: for
     * loops that wait in computed slices and would otherwise make a Duration per call.
     *
     * @param src      the message: its remaining bytes
     * @param priority the message's priority, 0 and up
     * @param timeout  the longest wait, in {@code unit}s; zero or negative does not wait
     * @param unit     the unit of {@code timeout}
     * @return true if sent, false if the queue stayed full
     * @throws InterruptedException if interrupted while waiting; nothing was sent
     */
    public boolean trySend(ByteBuffer src, int priority, long timeout, TimeUnit unit) throws InterruptedException {
        return send.trySendNanos(src, priority, Timeouts.nanos("mq_timedsend", name, timeout, unit));
    }

    /**
     * Sends {@code payload}, waiting at most {@code timeout} for room; false if none came.
     *
     * @param payload  the message's bytes
     * @param priority the message's priority, 0 and up
     * @param timeout  the longest wait
     * @return true if sent, false if the queue stayed full
     * @throws InterruptedException if interrupted while waiting; nothing was sent
     */
    public boolean trySend(byte[] payload, int priority, Duration timeout) throws InterruptedException {
        Check.notNull("mq_send", name, payload, "payload");
        return trySend(ByteBuffer.wrap(payload), priority, timeout);
    }

    // ---- receive --------------------------------------------------------------------------

    /**
     * Receives the oldest message of the highest priority into {@code dst} (at its position,
     * which advances by the length), waiting while the queue is empty.
     *
     * @param dst must have at least {@link #maxMessageSize()} bytes remaining
     * @return the payload length
     * @throws InterruptedException if interrupted while waiting; no message was taken
     * @throws WouldBlockException  if the queue is empty and the descriptor is non-blocking
     */
    public int receive(ByteBuffer dst) throws InterruptedException {
        return receive.receive(dst, null);
    }

    /**
     * As {@link #receive(ByteBuffer)}, also reporting length and priority in {@code into}.
     *
     * @param dst  must have at least {@link #maxMessageSize()} bytes remaining
     * @param into receives the length and priority
     * @return the payload length
     * @throws InterruptedException if interrupted while waiting; no message was taken
     */
    public int receive(ByteBuffer dst, MqReceived into) throws InterruptedException {
        Check.notNull("mq_receive", name, into, "into");
        return receive.receive(dst, into);
    }


    /**
     * Receives a message into a new byte[], waiting while the queue is empty.
     *
     * @return the message and its priority
     * @throws InterruptedException if interrupted while waiting; no message was taken
     */
    public MqMessage receive() throws InterruptedException {
        ByteBuffer b = MqBuffers.scratch(maxMessageSize);
        MqReceived got = new MqReceived();
        receive(b, got);
        return MqReceive.copy(b, got);
    }

    /**
     * Receives a message if one is there now: its length, or -1 if the queue is empty.
     *
     * @param dst must have at least {@link #maxMessageSize()} bytes remaining
     * @return the payload length, or -1
     */
    public int tryReceive(ByteBuffer dst) {
        return receive.tryReceive(dst, null);
    }

    /**
     * As {@link #tryReceive(ByteBuffer)}, also reporting length and priority in {@code into}.
     *
     * @param dst  must have at least {@link #maxMessageSize()} bytes remaining
     * @param into receives the length and priority, or -1 for both when the queue is empty
     * @return the payload length, or -1
     */
    public int tryReceive(ByteBuffer dst, MqReceived into) {
        Check.notNull("mq_timedreceive", name, into, "into");
        return receive.tryReceive(dst, into);
    }


    /**
     * Receives a message into a new byte[] if one is there now; null if the queue is empty.
     *
     * @return the message and its priority, or null
     */
    public MqMessage tryReceive() {
        ByteBuffer b = MqBuffers.scratch(maxMessageSize);
        MqReceived got = new MqReceived();
        return tryReceive(b, got) < 0 ? null : MqReceive.copy(b, got);
    }

    /**
     * Receives, waiting at most {@code timeout}: the length, or -1 if none came in time.
     *
     * @param dst     must have at least {@link #maxMessageSize()} bytes remaining
     * @param timeout the longest wait
     * @return the payload length, or -1
     * @throws InterruptedException if interrupted while waiting; no message was taken
     */
    public int tryReceive(ByteBuffer dst, Duration timeout) throws InterruptedException {
        return receive.tryReceive(dst, timeout, null);
    }

    /**
     * {@link #tryReceive(ByteBuffer, Duration)} with the timeout as a count of {@code unit}s, as
     * {@link java.util.concurrent.BlockingQueue#poll(long, TimeUnit)} takes it.
     *
     * @param dst     must have at least {@link #maxMessageSize()} bytes remaining
     * @param timeout the longest wait, in {@code unit}s; zero or negative does not wait
     * @param unit    the unit of {@code timeout}
     * @return the payload length, or -1 if none came in time
     * @throws InterruptedException if interrupted while waiting; no message was taken
     */
    public int tryReceive(ByteBuffer dst, long timeout, TimeUnit unit) throws InterruptedException {
        return receive.tryReceiveNanos(dst, Timeouts.nanos("mq_timedreceive", name, timeout, unit), null);
    }

    /**
     * Receives, waiting at most {@code timeout}: the length, or -1 if none came in time (or the
     * queue is empty and the descriptor non-blocking). Length and priority also go to {@code into}.
     *
     * @param dst     must have at least {@link #maxMessageSize()} bytes remaining
     * @param timeout the longest wait
     * @param into    receives the length and priority
     * @return the payload length, or -1
     * @throws InterruptedException if interrupted while waiting; no message was taken
     */
    public int tryReceive(ByteBuffer dst, Duration timeout, MqReceived into) throws InterruptedException {
        Check.notNull("mq_timedreceive", name, into, "into");
        return receive.tryReceive(dst, timeout, into);
    }


    /**
     * Receives into a new byte[], waiting at most {@code timeout}; null if none came.
     *
     * @param timeout the longest wait
     * @return the message and its priority, or null
     * @throws InterruptedException if interrupted while waiting; no message was taken
     */
    public MqMessage tryReceive(Duration timeout) throws InterruptedException {
        ByteBuffer b = MqBuffers.scratch(maxMessageSize);
        MqReceived got = new MqReceived();
        return tryReceive(b, timeout, got) < 0 ? null : MqReceive.copy(b, got);
    }

    // ---- attributes -----------------------------------------------------------------------

    /**
     * The queue's attributes now (mq_getattr).
     *
     * @return the attributes
     */
    public MqAttributes attributes() {
        long[] a = getattr();
        return new MqAttributes((a[0] & O_NONBLOCK) != 0, a[1], a[2], a[3]);
    }

    /**
     * The number of messages in the queue now.
     *
     * @return the number of messages
     */
    public int currentMessages() {
        return (int) getattr()[3];
    }

    /**
     * Whether this descriptor is non-blocking (O_NONBLOCK in mq_flags).
     *
     * @return true if non-blocking
     */
    public boolean isNonBlocking() {
        return (getattr()[0] & O_NONBLOCK) != 0;
    }

    /**
     * Sets or clears O_NONBLOCK on this descriptor (mq_setattr; the only attribute that can
     * change). It affects the blocking forms of send and receive, in every thread using this
     * handle; the try forms never block either way.
     *
     * @param nonBlocking true to set O_NONBLOCK, false to clear it
     * @return the attributes before the change
     */
    public MqAttributes setNonBlocking(boolean nonBlocking) {
        MqAttributes before = attributes();
        enter();
        try {
            long r = PosixMq.mqSetattr(mqd, nonBlocking ? O_NONBLOCK : 0);
            if (r < 0) {
                throw IpcException.of("mq_setattr", name, (int) r);
            }
        } finally {
            uses.exit();
        }
        return before;
    }

    /**
     * mq_maxmsg, fixed at creation.
     *
     * @return the most messages the queue holds
     */
    public int maxMessages() {
        return maxMessages;
    }

    /**
     * mq_msgsize, fixed at creation: the longest message and the least receive buffer.
     *
     * @return the longest message in bytes
     */
    public int maxMessageSize() {
        return maxMessageSize;
    }

    /**
     * Which of send and receive this descriptor allows.
     *
     * @return the access it was opened with
     */
    public Access access() {
        return access;
    }

    @Override
    public String name() {
        return name;
    }

    // ---- notification ---------------------------------------------------------------------

    /**
     * Registers for {@code mq_notify}: {@code callback} runs on the thread {@code ipcj-mq-notify}
     * when a message arrives on this queue while it is empty (and no process is blocked receiving
     * it). A registration fires once; with {@code rearm} it is renewed before each callback, so
     * the callback should drain the queue (a notification comes only on empty-to-non-empty).
     * Otherwise call {@link MqNotification#rearm()}.
     *
     * <p>Only one process may hold the registration of a queue; when another holds it this
     * fails with {@link dev.ipcj.BusyException} saying so. Closing the queue cancels it.
     *
     * @param callback runs with this queue when a message arrives
     * @param rearm    whether to renew the registration before each callback
     * @return the registration, to cancel or re-arm
     */
    public MqNotification onMessage(Consumer<MessageQueue> callback, boolean rearm) {
        if (callback == null) {
            throw new InvalidArgumentException("mq_notify", name, 0, "callback is null");
        }
        enter();
        try {
            MqNotification old = notification;
            if (old != null && old.isArmed()) {
                throw new dev.ipcj.BusyException("mq_notify", name, Errno.EBUSY, "this handle already holds the"
                        + " queue's registration (only one per queue); cancel it first");
            }
            MqNotification n = new MqNotification(this, callback, rearm);
            n.rearm();
            notification = n;
            return n;
        } finally {
            uses.exit();
        }
    }

    /**
     * One-shot {@link #onMessage(Consumer, boolean)}: re-arm with {@link MqNotification#rearm()}.
     *
     * @param callback runs with this queue when a message arrives
     * @return the registration, to cancel or re-arm
     */
    public MqNotification onMessage(Consumer<MessageQueue> callback) {
        return onMessage(callback, false);
    }

    /** mq_notify with SIGEV_THREAD for {@code token}; 0 or -errno. */
    int notifyRegister(long token) {
        enter();
        try {
            return PosixMq.mqNotifyThread(mqd, token);
        } finally {
            uses.exit();
        }
    }

    /** mq_notify(NULL), when the handle is still open. */
    void notifyCancel() {
        if (!uses.tryEnter()) {
            return;
        }
        try {
            PosixMq.mqNotifyCancel(mqd);
        } finally {
            uses.exit();
        }
    }

    // ---- Waitable, close ------------------------------------------------------------------

    @Override
    public int acquireDescriptor() {
        enter();
        return mqd;
    }

    @Override
    public void releaseDescriptor() {
        uses.exit();
    }

    @Override
    public boolean isOpen() {
        return !uses.isClosed();
    }

    /**
     * Closes this handle (cancelling its notification). The queue stays for other processes until
     * unlinked. Threads blocked in this handle keep their descriptor until they return.
     * Idempotent.
     */
    @Override
    public void close() {
        MqNotification n = notification;
        if (n != null) {
            n.cancel();
        }
        uses.close();
    }

    @Override
    public String toString() {
        return "MessageQueue[" + name + ", " + access + ", maxMessages=" + maxMessages + ", maxMessageSize="
                + maxMessageSize + (isOpen() ? "" : ", closed") + "]";
    }

    // ---- checks ---------------------------------------------------------------------------

    void enter() {
        if (!uses.tryEnter()) {
            throw new ClosedException("mq", name, 0, "the queue handle is closed");
        }
    }

    private long[] getattr() {
        long[] a = new long[4];
        enter();
        try {
            int r = PosixMq.mqGetattr(mqd, a);
            if (r < 0) {
                throw IpcException.of("mq_getattr", name, r);
            }
        } finally {
            uses.exit();
        }
        return a;
    }








    private static void checkSizes(String name, int maxMessages, int maxMessageSize) {
        if (maxMessages <= 0) {
            throw new InvalidArgumentException("mq_open", name, 0,
                    "maxMessages " + maxMessages + " must be at least 1");
        }
        if (maxMessageSize <= 0) {
            throw new InvalidArgumentException("mq_open", name, 0,
                    "maxMessageSize " + maxMessageSize + " must be at least 1");
        }
    }
}
