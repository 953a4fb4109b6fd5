package dev.ipcj.msg;

import dev.ipcj.InvalidArgumentException;
import dev.ipcj.IpcException;
import dev.ipcj.NotFoundException;
import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.exceptions.DriverTimeoutException;
import java.io.File;

/**
 * The Aeron client every network mailbox of this JVM shares, and the media driver it talks to:
 * embedded by default (one per JVM, started with the first network mailbox and stopped with the
 * last, its directory {@code /dev/shm/ipcj-aeron-PID}, deleted when it stops and at JVM exit), or,
 * when the system property {@code aeron.dir} names a directory, the standalone driver running
 * there ({@code java io.aeron.driver.MediaDriver}), which ipcj neither starts nor stops.
 *
 * <p>The embedded driver runs Aeron's SHARED threading mode (one thread for conductor, sender and
 * receiver: kind to a small machine) unless {@code aeron.threading.mode} says otherwise; every
 * other {@code aeron.*} property (timeouts, idle strategies, term lengths) is Aeron's and applies.
 */
final class AeronRuntime {
    /** The embedded driver's directory is {@code /dev/shm/DIR_PREFIX + pid} (ipcj's tagged-name convention). */
    static final String DIR_PREFIX = "ipcj-aeron-";
    private static final long PID = ProcessHandle.current().pid();
    private static AeronRuntime current;
    private static int users;
    private static boolean hooked;

    final Aeron aeron;
    /** Null when a standalone driver is used. */
    private final MediaDriver driver;
    final String dir;

    private AeronRuntime(Aeron aeron, MediaDriver driver, String dir) {
        this.aeron = aeron;
        this.driver = driver;
        this.dir = dir;
    }

    /** The embedded driver's directory for this JVM. */
    static String embeddedDir() {
        return "/dev/shm/" + DIR_PREFIX + PID;
    }

    /** The runtime, started on first use; every acquire is paired with a {@link #release}. */
    static synchronized AeronRuntime acquire(String call, String object) {
        if (current == null) {
            current = start(call, object);
            if (!hooked) {
                hooked = true;
                Runtime.getRuntime().addShutdownHook(new Thread(AeronRuntime::shutdownAtExit, "ipcj-aeron-exit"));
            }
        }
        users++;
        return current;
    }

    /** One user fewer; the last one stops the embedded driver and deletes its directory. */
    static synchronized void release(AeronRuntime r) {
        if (r == null || r != current) {
            return;
        }
        if (--users == 0) {
            current = null;
            r.stop();
        }
    }

    private static synchronized void shutdownAtExit() {
        if (current != null) {
            AeronRuntime r = current;
            current = null;
            users = 0;
            r.stop();
        }
    }

    private static AeronRuntime start(String call, String object) {
        String standalone = System.getProperty("aeron.dir");
        if (standalone != null && !standalone.isEmpty()) {
            try {
                return new AeronRuntime(Aeron.connect(new Aeron.Context().aeronDirectoryName(standalone)), null, standalone);
            } catch (DriverTimeoutException | IllegalStateException e) {
                NotFoundException x = new NotFoundException(call, object, 0, "no Aeron media driver answers in "
                        + standalone + " (the aeron.dir property): start one there (java io.aeron.driver.MediaDriver)"
                        + " or leave aeron.dir unset for ipcj's embedded driver; Aeron said: " + e.getMessage());
                x.initCause(e);
                throw x;
            }
        }
        String dir = embeddedDir();
        removeAbandoned();
        MediaDriver.Context ctx = new MediaDriver.Context()
                .aeronDirectoryName(dir)
                .dirDeleteOnStart(true) // only ever this pid's own directory: a dead predecessor of the same pid
                .dirDeleteOnShutdown(true)
                .termBufferSparseFile(true);
        if (System.getProperty("aeron.threading.mode") == null) {
            ctx.threadingMode(ThreadingMode.SHARED);
        }
        MediaDriver driver = null;
        try {
            driver = MediaDriver.launch(ctx);
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
            return new AeronRuntime(aeron, driver, dir);
        } catch (RuntimeException | LinkageError e) {
            if (driver != null) {
                driver.close();
            }
            deleteQuietly(new File(dir));
            IpcException x = new InvalidArgumentException(call, object, 0, "cannot start the embedded Aeron media"
                    + " driver in " + dir + ": " + e);
            x.initCause(e);
            throw x;
        }
    }

    /**
     * Removes the embedded-driver directories {@code /dev/shm/ipcj-aeron-PID} that JVMs killed
     * before their exit left: only those whose pid is not alive and whose driver Aeron finds
     * inactive (no heartbeat in its CnC file for 1 s), owned by this user.
     */
    static int removeAbandoned() {
        File[] dirs = new File("/dev/shm").listFiles((d, n) -> n.startsWith(DIR_PREFIX));
        int removed = 0;
        if (dirs == null) {
            return 0;
        }
        for (File d : dirs) {
            String tail = d.getName().substring(DIR_PREFIX.length());
            if (!d.isDirectory() || tail.isEmpty() || tail.length() > 10 || !tail.chars().allMatch(Character::isDigit)) {
                continue;
            }
            long pid = Long.parseLong(tail);
            try {
                if (pid == PID || ProcessHandle.of(pid).isPresent() || !ownedByMe(d)
                        || io.aeron.CommonContext.isDriverActive(d, 1000, m -> { })) {
                    continue;
                }
            } catch (RuntimeException e) {
                continue; // a CnC file Aeron cannot read: not proven abandoned
            }
            deleteQuietly(d);
            removed++;
        }
        return removed;
    }

    private static boolean ownedByMe(File d) {
        try {
            return java.nio.file.Files.getOwner(d.toPath()).getName().equals(System.getProperty("user.name"));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private void stop() {
        try {
            aeron.close();
        } finally {
            if (driver != null) {
                driver.close();
                deleteQuietly(new File(dir)); // dirDeleteOnShutdown did; a file the driver still wrote goes too
            }
        }
    }

    private static void deleteQuietly(File f) {
        File[] children = f.listFiles();
        if (children != null) {
            for (File c : children) {
                deleteQuietly(c);
            }
        }
        f.delete();
    }
}
