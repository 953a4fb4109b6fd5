package dev.ipcj.sysv;

import dev.ipcj.internal.IpcjNames;
import java.util.concurrent.atomic.AtomicInteger;

/** Explicit test keys in ipcj's range ({@link IpcjNames#sysvKey}), which run-tests treats as ipcj's own. */
final class TestKeys {
    private static final AtomicInteger N = new AtomicInteger();

    private TestKeys() {
    }

    static IpcKey next() {
        int pid = (int) (ProcessHandle.current().pid() & 0xfff);
        return IpcKey.of(IpcjNames.sysvKey((pid << 8) | (N.incrementAndGet() & 0xff)));
    }
}
