package dev.ipcj.posix;

import dev.ipcj.BusyException;
import dev.ipcj.IpcException;
import dev.ipcj.internal.Errno;
import dev.ipcj.jni.PosixMq;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A registration for {@code mq_notify} on one queue, made by {@link MessageQueue#onMessage}.
 *
 * <p>How a notification reaches Java: each registration is {@code SIGEV_THREAD} with a fresh
 * 64-bit token. The kernel tells glibc, glibc starts a thread that runs a C function, and that
 * function only writes the token into a process-wide pipe. One daemon thread,
 * {@code ipcj-mq-notify}, reads tokens from the pipe and runs the callback of the registration
 * the token names. No glibc thread touches the JVM, and a token of a cancelled or superseded
 * registration finds nothing in the table and is dropped.
 *
 * <pre>
 *   kernel --(message on empty queue)--> glibc thread --write(token)--> pipe
 *   pipe --read--> ipcj-mq-notify --ACTIVE.remove(token)--> [rearm] --> callback(queue)
 * </pre>
 *
 * <p>A registration fires once. {@link #rearm()} renews it (or it is renewed before each callback
 * when made with {@code rearm = true}); {@link #cancel()} gives it up ({@code mq_notify(NULL)}).
 * Callbacks run one at a time on {@code ipcj-mq-notify}: keep them short or hand work to an
 * executor. An exception from a callback goes to the thread's uncaught-exception handler and
 * the thread carries on.
 */
public final class MqNotification implements AutoCloseable {
    private static final ConcurrentHashMap<Long, MqNotification> ACTIVE = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT_TOKEN = new AtomicLong(1);
    private static volatile Thread dispatcher;

    private final MessageQueue queue;
    private final Consumer<MessageQueue> callback;
    private final boolean autoRearm;
    /** Guarded by this: the token of the registration the kernel holds, 0 when none. */
    private long armedToken;
    private boolean cancelled;
    private volatile long fired;

    MqNotification(MessageQueue queue, Consumer<MessageQueue> callback, boolean autoRearm) {
        this.queue = queue;
        this.callback = callback;
        this.autoRearm = autoRearm;
    }

    /**
     * Registers again after a notification fired. Does nothing while the registration is still
     * armed.
     *
     * @throws BusyException        if another process (or handle) holds the queue's registration
     * @throws dev.ipcj.ClosedException if cancelled (or the queue was closed)
     */
    public synchronized void rearm() {
        if (cancelled) {
            throw new dev.ipcj.ClosedException("mq_notify", queue.name(), 0, "the notification was cancelled");
        }
        if (armedToken != 0) {
            return;
        }
        startDispatcher();
        long token = NEXT_TOKEN.getAndIncrement();
        ACTIVE.put(token, this);
        int r = queue.notifyRegister(token);
        if (r < 0) {
            ACTIVE.remove(token);
            if (r == -Errno.EBUSY) {
                throw new BusyException("mq_notify", queue.name(), Errno.EBUSY, MqErrors.notifyBusy(queue.name()));
            }
            throw IpcException.of("mq_notify", queue.name(), r);
        }
        armedToken = token;
    }

    /** Gives up the registration (mq_notify(NULL)); no callback runs after this returns. Idempotent. */
    public void cancel() {
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            if (armedToken != 0) {
                ACTIVE.remove(armedToken);
                armedToken = 0;
                queue.notifyCancel();
            }
        }
        // A callback already running on ipcj-mq-notify may still finish; wait for it unless we are it.
        synchronized (running) {
            // entered once the dispatcher is between callbacks
        }
    }

    /** Same as {@link #cancel()}. */
    @Override
    public void close() {
        cancel();
    }

    /**
     * Whether the kernel holds this registration now (it has not fired and was not cancelled).
     *
     * @return true while armed
     */
    public synchronized boolean isArmed() {
        return armedToken != 0;
    }

    /**
     * Whether {@link #cancel()} or {@link #close()} ended the registration.
     *
     * @return true once cancelled
     */
    public synchronized boolean isCancelled() {
        return cancelled;
    }

    /**
     * How many times a notification was delivered.
     *
     * @return the number of deliveries
     */
    public long deliveries() {
        return fired;
    }

    /**
     * The queue this registration is for.
     *
     * @return the queue
     */
    public MessageQueue queue() {
        return queue;
    }

    /** Held by the dispatcher while a callback runs, so that cancel() can wait for it. */
    private final Object running = new Object();

    /** Called by the dispatcher for this registration's token. */
    private void deliver(long token) {
        synchronized (running) {
            synchronized (this) {
                if (cancelled || token != armedToken) {
                    return;
                }
                armedToken = 0;
                fired++;
                if (autoRearm) {
                    try {
                        rearm();
                    } catch (RuntimeException e) {
                        report(e);
                    }
                }
            }
            try {
                callback.accept(queue);
            } catch (Throwable t) {
                report(t);
            }
        }
    }

    private static void report(Throwable t) {
        Thread th = Thread.currentThread();
        th.getUncaughtExceptionHandler().uncaughtException(th, t);
    }

    private static void startDispatcher() {
        if (dispatcher != null) {
            return;
        }
        synchronized (ACTIVE) {
            if (dispatcher == null) {
                int fd = PosixMq.mqNotifyPipe();
                if (fd < 0) {
                    throw IpcException.of("pipe2", "mq_notify", fd, "cannot make the notification pipe");
                }
                Thread t = new Thread(MqNotification::dispatch, "ipcj-mq-notify");
                t.setDaemon(true);
                t.start();
                dispatcher = t;
            }
        }
    }

    private static void dispatch() {
        for (;;) {
            long token = PosixMq.mqNotifyRead();
            if (token < 0) {
                if (token == -Errno.EINTR) {
                    continue;
                }
                report(IpcException.of("read", "mq_notify pipe", (int) token));
                return;
            }
            MqNotification n = ACTIVE.remove(token);
            if (n != null) {
                n.deliver(token);
            }
        }
    }
}
