package dev.ipcj.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Named points inside messaging's multi-step operations, for the kill -9 and hostile-process
 * tests: a process started with {@code -Dipcj.msg.crashPoint=POINT} (or {@code POINT@N}: the
 * N-th time) prints "at POINT" when it gets there and stops, so the test can kill it exactly
 * there; with {@code -Dipcj.msg.pausePoint=POINT@N} it prints "paused POINT" and goes on once a
 * line arrives on its standard input, so the test can damage shared state exactly then. Without
 * the properties (always, outside the tests) {@link #reach} is a test of a static final null,
 * which the JIT folds away.
 *
 * <pre>
 *   gate-locked        SYSTEM_V / RING: the sender holds the gate lock, nothing published
 *   gate-published     SYSTEM_V / RING: published, the gate lock still held
 *   log-locked         SHM_LOG: the lock is held, nothing written
 *   log-written        SHM_LOG: the record is written, the state not yet committed
 *   log-committed      SHM_LOG: the state is committed, the lock still held
 *   log-consumed       SHM_LOG: a receiver copied a record out, the state not yet committed
 *   rv-offered         capacity zero: the sender holds the turn and published the token, no frame yet
 *   rv-put             capacity zero: the frame is in the queue, the sender waits for a receiver
 *   rv-taken           capacity zero: a receiver took the frame, not yet claimed it
 *   rv-claimed         capacity zero: a receiver claimed the frame, has not returned it
 * </pre>
 */
public final class CrashPoints {
    private static final String CRASH = System.getProperty("ipcj.msg.crashPoint");
    private static final String PAUSE = System.getProperty("ipcj.msg.pausePoint");
    private static final String AT = CRASH != null ? CRASH : PAUSE;
    private static final String POINT;
    private static final int NTH;
    private static final AtomicInteger SEEN = new AtomicInteger();

    static {
        String p = AT;
        int n = 1;
        if (p != null && p.indexOf('@') > 0) {
            n = Integer.parseInt(p.substring(p.indexOf('@') + 1));
            p = p.substring(0, p.indexOf('@'));
        }
        POINT = p;
        NTH = n;
    }

    private CrashPoints() {
    }

    public static void reach(String point) {
        if (AT != null && POINT.equals(point) && SEEN.incrementAndGet() == NTH) {
            System.out.println((CRASH != null ? "at " : "paused ") + point);
            System.out.flush();
            if (CRASH == null) {
                try {
                    for (int c = System.in.read(); c != '\n' && c != -1; c = System.in.read()) {
                        // the test damages shared state now
                    }
                } catch (java.io.IOException e) {
                    // stdin closed: go on
                }
                return;
            }
            for (;;) {
                LockSupport.park();
            }
        }
    }
}
