package dev.ipcj.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Keeps a native resource alive while calls use it, so that close() from one thread can
 * never free what another thread is still inside (a semaphore being waited on, a queue
 * descriptor in mq_receive). close() marks it closed at once; the last call to leave runs
 * the release. One CAS per call.
 */
public final class UseCount {
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(UseCount.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int CLOSED = 1;
    private static final int ONE = 2;

    /** Bit 0: closed; bits 1..31: calls inside. */
    @SuppressWarnings("unused")
    private volatile int state;
    private final Runnable release;

    public UseCount(Runnable release) {
        this.release = release;
    }

    /** Enter a call: false when already closed. */
    public boolean tryEnter() {
        for (;;) {
            int s = state;
            if ((s & CLOSED) != 0) {
                return false;
            }
            if (STATE.compareAndSet(this, s, s + ONE)) {
                return true;
            }
        }
    }

    /** Leave a call; runs the release if the resource was closed meanwhile and this was the last. */
    public void exit() {
        int s = (int) STATE.getAndAdd(this, -ONE) - ONE;
        if (s == CLOSED) {
            release.run();
        }
    }

    /** Close: true for the first close. The release runs now, or when the last call leaves. */
    public boolean close() {
        for (;;) {
            int s = state;
            if ((s & CLOSED) != 0) {
                return false;
            }
            if (STATE.compareAndSet(this, s, s | CLOSED)) {
                if (s == 0) {
                    release.run();
                }
                return true;
            }
        }
    }

    public boolean isClosed() {
        return (state & CLOSED) != 0;
    }
}
