package dev.ipcj.test;

import dev.ipcj.internal.IpcjNames;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Hands out unique IPC names for a test and removes every object made under them after the
 * test, whether it passed or failed. Register it with
 * {@code @RegisterExtension final IpcNames names = new IpcNames();} and get names with
 * {@link #next(String)}; add further cleanups (System V ids, ...) with {@link #onCleanup}.
 */
public final class IpcNames implements AfterEachCallback {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    /** All test objects start with this, so a leak is easy to recognise in /dev/shm or ipcs. */
    public static final String PREFIX = "ipcj-test-";

    private final List<String> names = new ArrayList<>();
    private final List<Runnable> cleanups = new ArrayList<>();

    /** "/ipcj-test-PID-N-what", recorded for cleanup. */
    public synchronized String next(String what) {
        String n = IpcjNames.tagged("test", COUNTER.incrementAndGet(), what);
        names.add(n);
        return n;
    }

    public synchronized void onCleanup(Runnable r) {
        cleanups.add(r);
    }

    public synchronized List<String> names() {
        return new ArrayList<>(names);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<String> ns;
        List<Runnable> cs;
        synchronized (this) {
            ns = new ArrayList<>(names);
            cs = new ArrayList<>(cleanups);
            names.clear();
            cleanups.clear();
        }
        Processes.killAll(); // a peer left by a failed test must not hold or recreate objects
        // The registered cleanups first: they know what an object is made of (a mailbox's header
        // names its ring, log or System V queue). Removing the names first would take the header
        // and leave the rest with nothing that records it.
        for (Runnable r : cs) {
            try {
                r.run();
            } catch (RuntimeException e) {
                // best effort: the next cleanup must still run
            }
        }
        for (String n : ns) {
            Cleanup.removePosix(n);
        }
    }
}
