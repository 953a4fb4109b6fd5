package dev.ipcj.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The identity (inode number) of the POSIX shared memory object a name refers to now, read from
 * its file in /dev/shm (where glibc keeps them). A caller that made an object records its inode
 * right after the exclusive create; before removing the name on a failure path it checks that the
 * name still refers to that object, so that it never removes one another process put there.
 */
public final class ShmInode {
    private ShmInode() {
    }

    /** The inode of {@code /dev/shm + name} (not following a symbolic link), or -1 if it cannot be read. */
    public static long of(String name) {
        try {
            Object ino = Files.getAttribute(Path.of("/dev/shm" + name), "unix:ino", LinkOption.NOFOLLOW_LINKS);
            return ((Number) ino).longValue();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
