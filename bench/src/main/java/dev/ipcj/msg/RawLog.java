package dev.ipcj.msg;

import java.nio.ByteBuffer;

/**
 * For benchmarks only: the shared-memory log transport without the {@link Mailbox} layer, as
 * "the raw binding" of {@link Transport#SHM_LOG} (which has no other). Lives in the bench module
 * in ipcj's package to reach the package-private adapter.
 */
public final class RawLog implements AutoCloseable {
    private final LogQueue q;
    private final Envelope env = new Envelope();
    private final int pid = (int) ProcessHandle.current().pid();
    private long seq;

    private RawLog(LogQueue q) {
        this.q = q;
    }

    public static RawLog create(String name, int capacity, int maxMessageSize) {
        return new RawLog(LogQueue.create(name, LogQueue.DEFAULT_DIR, Capacity.bounded(capacity), maxMessageSize));
    }

    public static RawLog open(String name) {
        return new RawLog(LogQueue.open(name, LogQueue.DEFAULT_DIR));
    }

    public static void remove(String name) {
        LogQueue.remove(name, LogQueue.DEFAULT_DIR);
    }

    public void put(ByteBuffer payload) throws InterruptedException {
        q.put(new Envelope().head(pid, 0, seq++, 0, 0, 0), payload, -1);
    }

    /** Receives into dst (from its position); the payload length. */
    public int take(ByteBuffer dst) throws InterruptedException {
        q.take(dst, env, -1);
        return env.length();
    }

    @Override
    public void close() {
        q.close();
    }
}
