package dev.ipcj.test;

import dev.ipcj.jni.PosixMq;
import dev.ipcj.jni.PosixSem;
import dev.ipcj.jni.PosixShm;

/** Removes POSIX objects by name, ignoring "not found": a name may be shm, sem or mq. */
public final class Cleanup {
    private Cleanup() {
    }

    /**
     * Unlinks {@code name} as shared memory, as a named semaphore and as a message queue; for a
     * test's own name ({@link IpcNames#PREFIX}), also the files a mailbox of that name is made
     * of in /dev/shm (NAME.ring, NAME.log, NAME.log.K), the last resort when no header is left
     * to say which are there.
     */
    public static void removePosix(String name) {
        PosixShm.shmUnlink(name);
        PosixSem.semUnlink(name);
        PosixMq.mqUnlink(name);
        if (name.startsWith("/" + IpcNames.PREFIX) && name.indexOf('/', 1) < 0) {
            String base = name.substring(1);
            try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.list(java.nio.file.Path.of("/dev/shm"))) {
                s.filter(p -> {
                    String f = p.getFileName().toString();
                    return f.equals(base + ".ring") || f.equals(base + ".log") || f.matches(java.util.regex.Pattern.quote(base)
                            + "\\.log\\.[0-9]+");
                }).forEach(p -> {
                    try {
                        java.nio.file.Files.deleteIfExists(p);
                    } catch (java.io.IOException e) {
                        // best effort
                    }
                });
            } catch (java.io.IOException e) {
                // best effort
            }
        }
    }
}
