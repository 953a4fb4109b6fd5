package dev.ipcj.internal;

import dev.ipcj.jni.Sys;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.spi.AbstractInterruptibleChannel;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Makes a blocking native call interruptible by {@link Thread#interrupt()}.
 *
 * <p>{@code Thread.interrupt()} does not wake a thread sleeping in {@code sem_wait},
 * {@code mq_receive}, {@code msgrcv}, {@code semop} or {@code futex}. ipcj installs a handler
 * that does nothing for one real-time signal, without {@code SA_RESTART}; a blocked call that
 * receives it returns {@code EINTR}. The JDK's public hook for "this thread is being
 * interrupted" is {@link AbstractInterruptibleChannel}: between {@code begin()} and
 * {@code end()} an interrupt calls {@link #implCloseChannel()}, which here sends the signal.
 *
 * <p>The signal may land just before the thread enters the kernel and so be missed. A daemon
 * thread, {@code ipcj-waker}, therefore repeats the signal every millisecond until the
 * interrupted thread has left its native call. An idle blocked thread costs nothing: no
 * periodic wake-ups, no polling. A wake-up by the other process is not slowed either; the
 * cost is the bracket itself: {@code begin()}/{@code end()} (the JDK takes the thread's
 * blocker lock twice) and one volatile store and one CAS here, measured by
 * {@code PosixBenchmark.waiterAroundNop} (105-125 ns with monitors here before; see the README), about 2-3% of a 4.5 us semaphore
 * round trip between processes. Calls that need not block skip it (a try-first fast path).
 *
 * <p>The canonical loop (every blocking call in ipcj has this shape):
 * <pre>{@code
 * Waiter w = Waiter.current();
 * for (;;) {
 *     w.enter();                       // throws InterruptedException if already interrupted
 *     int r;
 *     boolean interrupted;
 *     try { r = Shim.blockingCall(...); } finally { interrupted = w.exit(); }
 *     if (r >= 0) return r;            // done: keep the interrupt status, lose nothing
 *     if (Waiter.retry(r, interrupted)) continue;   // EINTR: a stray signal; or throws
 *                                      // InterruptedException (status cleared, like j.u.c)
 *     throw IpcException.of(...);
 * }
 * }</pre>
 * A call that completed is never turned into an InterruptedException, so no permit or
 * message is lost: the interrupt status stays set for the caller's next blocking call.
 *
 * <p>One {@code Waiter} per thread, reused for every call: no allocation per call. An
 * interrupt closes it (that is how {@code AbstractInterruptibleChannel} works); the next
 * {@link #current()} makes a new one.
 */
public final class Waiter extends AbstractInterruptibleChannel {
    /** The real-time signal used to wake blocked threads; system property {@code ipcj.wakeSignal}. */
    public static final int SIGNAL = installSignal();

    private static final ThreadLocal<Waiter> CURRENT = new ThreadLocal<>();
    private static final ConcurrentLinkedQueue<Waiter> TO_WAKE = new ConcurrentLinkedQueue<>();
    private static volatile Thread waker;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Waiter.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The owner is outside a native call: nobody may signal it. */
    private static final int IDLE = 0;
    /** The owner is between enter() and exit(): it may be signalled. */
    private static final int IN_CALL = 1;
    /** A signaller is sending the signal now: the owner's exit() waits for it to finish. */
    private static final int SIGNALLING = 2;

    private final long pthread;
    private final Thread owner;
    /**
     * IDLE, IN_CALL or SIGNALLING. Only the owner moves IDLE to IN_CALL and IN_CALL to IDLE;
     * only a signaller moves IN_CALL to SIGNALLING and back. So pthread_kill() is only ever sent
     * while the owner is inside its call, never to a thread that has finished (or exited).
     */
    @SuppressWarnings("unused")
    private volatile int state;

    private Waiter() {
        this.owner = Thread.currentThread();
        this.pthread = Sys.threadSelf(SIGNAL);
    }

    /** The calling thread's waiter. */
    public static Waiter current() {
        Waiter w = CURRENT.get();
        if (w == null || !w.isOpen()) {
            w = new Waiter();
            CURRENT.set(w);
        }
        return w;
    }

    /**
     * Call just before the native call.
     *
     * @throws InterruptedException if the thread is already interrupted (status cleared)
     */
    public void enter() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        state = IN_CALL;
        begin();
        if (owner.isInterrupted()) {
            exit();
            Thread.interrupted();
            throw new InterruptedException();
        }
    }

    /**
     * Call just after the native call (in a finally block).
     *
     * @return whether the thread was interrupted during the call; its status stays set
     */
    public boolean exit() {
        boolean byInterrupt;
        try {
            end(true);
            byInterrupt = false;
        } catch (AsynchronousCloseException e) { // ClosedByInterruptException
            byInterrupt = true;
        }
        while (!STATE.compareAndSet(this, IN_CALL, IDLE)) {
            Thread.onSpinWait(); // a signaller is mid-pthread_kill: wait the microsecond it takes
        }
        return byInterrupt || owner.isInterrupted();
    }

    /**
     * The decision after a blocking call returned {@code r} (0/positive, or -errno) and
     * {@link #exit()} returned {@code interrupted}: true to retry the call (EINTR from a stray
     * signal); InterruptedException when the call was cut short by an interrupt; false for any
     * other result, which the caller handles (a completed call keeps its result).
     */
    public static boolean retry(long r, boolean interrupted) throws InterruptedException {
        if (r != -Errno.EINTR) {
            return false;
        }
        if (interrupted) {
            throw interrupted();
        }
        return true;
    }

    /** An InterruptedException, clearing the current thread's interrupt status. */
    public static InterruptedException interrupted() {
        Thread.interrupted();
        return new InterruptedException();
    }

    /** Runs in the interrupting thread (or in enter() when already interrupted). */
    @Override
    protected void implCloseChannel() {
        signalIfInCall();
        if (Thread.currentThread() != owner) {
            TO_WAKE.add(this);
            startWaker();
        }
    }

    /** Signals the owner if it is still in its native call; false once it has left. */
    private boolean signalIfInCall() {
        for (;;) {
            int st = state;
            if (st == IDLE) {
                return false;
            }
            if (st == SIGNALLING) {
                return true; // another signaller is at it; the waker will look again
            }
            if (STATE.compareAndSet(this, IN_CALL, SIGNALLING)) {
                try {
                    Sys.threadSignal(pthread, SIGNAL);
                } finally {
                    state = IN_CALL;
                }
                return true;
            }
        }
    }

    private static void startWaker() {
        if (waker != null) {
            return;
        }
        synchronized (TO_WAKE) {
            if (waker == null) {
                Thread t = new Thread(Waiter::wakeLoop, "ipcj-waker");
                t.setDaemon(true);
                t.start();
                waker = t;
            }
        }
    }

    private static void wakeLoop() {
        for (;;) {
            if (TO_WAKE.isEmpty()) {
                LockSupport.parkNanos(10_000_000L);
                continue;
            }
            LockSupport.parkNanos(1_000_000L);
            TO_WAKE.removeIf(w -> !w.signalIfInCall());
        }
    }

    private static int installSignal() {
        Integer wanted = Integer.getInteger("ipcj.wakeSignal");
        int max = Sys.sigrtmax();
        if (wanted != null) {
            int r = Sys.wakeSignalInstall(wanted);
            if (r != 0) {
                throw new IllegalStateException("ipcj.wakeSignal=" + wanted + ": sigaction: "
                        + Errno.name(r) + " (the signal already has a handler)");
            }
            return wanted;
        }
        // SIGRTMAX-2 is the JDK's own NIO signal; leave a margin below it.
        for (int sig = max - 6; sig > max - 16; sig--) {
            if (Sys.wakeSignalInstall(sig) == 0) {
                return sig;
            }
        }
        throw new IllegalStateException("no free real-time signal between SIGRTMAX-15 and SIGRTMAX-6"
                + " to wake blocked threads; set -Dipcj.wakeSignal=N to one that is free");
    }
}
