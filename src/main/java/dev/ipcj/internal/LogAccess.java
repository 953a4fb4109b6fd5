package dev.ipcj.internal;

import dev.ipcj.log.SharedLog;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The SHM_LOG transport's way into {@link SharedLog} beyond its public API: a log in another
 * directory (the tests' small tmpfs), an owner id (the mailbox instance whose log it is), and
 * records written from two buffers and read into two (the message envelope and the payload,
 * without a copy through a scratch buffer), with timeouts in the {@link Waits} convention and
 * the mailbox's call names in errors. SharedLog installs the one implementation when its class
 * is initialised; {@link #get()} makes sure it is.
 */
public abstract class LogAccess {
    private static volatile LogAccess access;

    /** For SharedLog's static initialiser only: a second call is refused. */
    protected LogAccess() {
    }

    /**
     * Installs the implementation (once).
     *
     * @param a SharedLog's bridge
     */
    public static void set(LogAccess a) {
        synchronized (LogAccess.class) {
            if (access != null) {
                throw new IllegalStateException("the log bridge is installed already");
            }
            access = a;
        }
    }

    /**
     * The implementation, initialising SharedLog first if needed.
     *
     * @return the bridge
     */
    public static LogAccess get() {
        LogAccess a = access;
        if (a == null) {
            try {
                Class.forName(SharedLog.class.getName(), true, LogAccess.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            a = access;
        }
        return a;
    }

    /** Creates the log {@code name} in {@code dir} (capacity -1 or n &gt; 0), for {@code owner} (0: none). */
    public abstract SharedLog create(String name, Path dir, int capacity, int maxRecordSize, long owner);

    /** Opens the log {@code name} in {@code dir}; with {@code owner != 0} it must be that owner's. */
    public abstract SharedLog open(String name, Path dir, long owner);

    /** Removes the log {@code name} in {@code dir} (with {@code owner != 0}: only that owner's). */
    public abstract boolean remove(String name, Path dir, long owner);

    /** Appends head's (may be null) and body's remaining bytes as one record; positions are not moved. */
    public abstract boolean put(SharedLog log, ByteBuffer head, ByteBuffer body, long nanos, String call)
            throws InterruptedException;

    /** Takes the oldest record: head filled from its position (not moved), the rest into body (advanced); -1: none. */
    public abstract int take(SharedLog log, ByteBuffer head, ByteBuffer body, long nanos, String call)
            throws InterruptedException;

    /** Records waiting, also on a closed handle. */
    public abstract long size(SharedLog log);

    /** The log's id (its segments repeat it). */
    public abstract long logId(SharedLog log);

    /** CorruptedException if a file the last take read from was truncated. */
    public abstract void checkIntact(SharedLog log, String call);

    /** Removes the log the handle opened (its owner's), quietly. */
    public abstract void unlink(SharedLog log);
}
