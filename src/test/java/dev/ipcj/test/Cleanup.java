package dev.ipcj.test;

import dev.ipcj.jni.PosixMq;
import dev.ipcj.jni.PosixSem;
import dev.ipcj.jni.PosixShm;

/** Removes POSIX objects by name, ignoring "not found": a name may be shm, sem or mq. */
public final class Cleanup {
    private Cleanup() {
    }

    /** Unlinks {@code name} as shared memory, as a named semaphore and as a message queue. */
    public static void removePosix(String name) {
        PosixShm.shmUnlink(name);
        PosixSem.semUnlink(name);
        PosixMq.mqUnlink(name);
    }
}
