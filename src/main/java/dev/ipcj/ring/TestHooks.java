package dev.ipcj.ring;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test-only stops at named windows of the ring's protocol, so that the kill -9 and hostile suites
 * can kill or scribble at an exact point (between claim and commit, between freeing words and
 * publishing {@code out}, ...). Off unless the JVM runs with {@code -Dipcj.ring.test.stopAt=WINDOW}:
 * every call site reads {@code if (TestHooks.STOP_AT != null)}, a static final null that the JIT
 * folds away, so production code pays nothing. With it set, the {@code n}-th time this JVM reaches
 * WINDOW ({@code -Dipcj.ring.test.stopAfter=n}, default 0) it prints {@code window WINDOW} and
 * waits for a line on standard input (or its end) before it goes on.
 *
 * <p>Windows: producer-claimed-in (MANY_TO_ONE: {@code in} moved, the header not yet CLAIMED),
 * producer-claimed, producer-mid-copy (half the payload written), producer-written (before the
 * commit), consumer-handled (records handed, nothing retired), consumer-retired (MANY_TO_ONE: the
 * batch marked taken, half its words freed), consumer-freed (MANY_TO_ONE: every word freed,
 * {@code out} not yet published). src/main/c/ipcj_ring.h has the same windows
 * ({@code IPCJ_RING_WINDOW}).
 */
final class TestHooks {
    static final String STOP_AT = System.getProperty("ipcj.ring.test.stopAt");
    private static final long STOP_AFTER = Long.getLong("ipcj.ring.test.stopAfter", 0L);
    private static final AtomicLong REACHED = new AtomicLong();

    private TestHooks() {
    }

    static void reached(String window) {
        if (!window.equals(STOP_AT) || REACHED.getAndIncrement() != STOP_AFTER) {
            return;
        }
        System.out.println("window " + window);
        System.out.flush();
        try {
            int c;
            while ((c = System.in.read()) != -1 && c != '\n') {
                // wait for the test's go-ahead
            }
        } catch (IOException e) {
            // go on
        }
    }

    /** {@link RingMemory#copyIn} in two halves with the producer-mid-copy window between them. */
    static void copyIn(byte[] src, int offset, long address, int length) {
        int half = length / 2;
        RingMemory.copyIn(src, offset, address, half);
        reached("producer-mid-copy");
        RingMemory.copyIn(src, offset + half, address + half, length - half);
    }
}
