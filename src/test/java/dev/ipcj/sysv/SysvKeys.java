package dev.ipcj.sysv;

import java.util.concurrent.atomic.AtomicInteger;

/** Explicit test keys in 0x1EC00000..0x1ECFFFFF, the range run-tests treats as ipcj's own. */
final class SysvKeys {
    private static final AtomicInteger N = new AtomicInteger();

    private SysvKeys() {
    }

    static IpcKey next() {
        int pid = (int) (ProcessHandle.current().pid() & 0xfff);
        return IpcKey.of(0x1EC00000 | (pid << 8) | (N.incrementAndGet() & 0xff));
    }
}
