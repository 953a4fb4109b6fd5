package dev.ipcj.test;

import dev.ipcj.jni.PosixShm;
import dev.ipcj.jni.PosixSem;

/** Removes POSIX objects by name, ignoring "not found": a name may be shm, sem or mq. */
public final class Cleanup {
    private Cleanup() {
    }

    /** Unlinks {@code name} as shared memory and as a named semaphore (and as mq, once it exists). */
    public static void removePosix(String name) {
        PosixShm.shmUnlink(name);
        PosixSem.semUnlink(name);
        removeMq(name);
    }

    /** mq_unlink by reflection, so this file needs no change when the mq binding arrives. */
    private static void removeMq(String name) {
        try {
            Class<?> c = Class.forName("dev.ipcj.jni.PosixMq");
            c.getMethod("mqUnlink", String.class).invoke(null, name);
        } catch (ReflectiveOperationException | LinkageError e) {
            // no mq binding in this build
        }
    }
}
