package dev.ipcj.cli.compare;

import dev.ipcj.AlreadyExistsException;
import dev.ipcj.internal.IpcjNames;
import dev.ipcj.sysv.IpcKey;
import java.util.function.Function;

/**
 * System V keys for the bench: in ipcj's range ({@link IpcjNames#sysvKey}, which
 * {@code ipcj ls} recognises), starting from a number derived from this process's pid so two
 * runs rarely meet, and moving on past keys that are taken (create is exclusive).
 */
final class SysvKeys {
    private static final int LOW_BITS = 0xfffff;
    private static final int TRIES = 256;

    private SysvKeys() {
    }

    /** Runs {@code create} with successive free keys until one is not taken; its result. */
    static <T> T createFree(Function<IpcKey, T> create) {
        long start = ProcessHandle.current().pid() * 4099L + System.nanoTime();
        AlreadyExistsException last = null;
        for (int i = 0; i < TRIES; i++) {
            int n = (int) ((start + i) & LOW_BITS);
            try {
                return create.apply(IpcKey.of(IpcjNames.sysvKey(n)));
            } catch (AlreadyExistsException e) {
                last = e;
            }
        }
        throw new IllegalStateException(TRIES + " keys in ipcj's range were all taken (ipcj ls; ipcj rm --dead)", last);
    }
}
