package dev.ipcj.cli.sys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Where POSIX message queues can be seen as files: an mqueue file system already mounted
 * (usually /dev/mqueue), or one this object mounts on a temporary directory and unmounts on
 * {@link #close()}. Mounting needs CAP_SYS_ADMIN; when it fails, {@link #dir()} is null and
 * {@link #problem()} says why.
 */
public final class MqueueMount implements AutoCloseable {
    private final Path dir;
    private final boolean mountedHere;
    private final String problem;

    private MqueueMount(Path dir, boolean mountedHere, String problem) {
        this.dir = dir;
        this.mountedHere = mountedHere;
        this.problem = problem;
    }

    /** Finds or makes an mqueue mount. */
    public static MqueueMount open() {
        Path existing = findMounted();
        if (existing != null) {
            return new MqueueMount(existing, false, null);
        }
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("ipcj-mqueue-" + ProcessHandle.current().pid() + "-");
            Process p = new ProcessBuilder("mount", "-t", "mqueue", "none", tmp.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                Files.deleteIfExists(tmp);
                return new MqueueMount(null, false, "/dev/mqueue is not mounted and `mount -t mqueue none "
                        + tmp + "` failed (" + (out.isEmpty() ? "status " + p.exitValue() : out)
                        + "); as root run: mkdir -p /dev/mqueue && mount -t mqueue none /dev/mqueue");
            }
            return new MqueueMount(tmp, true, null);
        } catch (IOException e) {
            deleteQuietly(tmp);
            return new MqueueMount(null, false, "/dev/mqueue is not mounted and mount(8) could not run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            deleteQuietly(tmp);
            return new MqueueMount(null, false, "interrupted while mounting mqueue");
        }
    }

    private static Path findMounted() {
        try {
            for (String line : ProcFiles.lines("/proc/self/mounts")) {
                String[] f = line.split(" ");
                if (f.length > 2 && f[2].equals("mqueue")) {
                    return Path.of(f[1].replace("\\040", " "));
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return null;
    }

    /** The directory listing the queues, or null. */
    public Path dir() {
        return dir;
    }

    /** Why there is no directory, or null. */
    public String problem() {
        return problem;
    }

    @Override
    public void close() {
        if (mountedHere) {
            try {
                Process p = new ProcessBuilder("umount", dir.toString()).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (IOException e) {
                // leave the directory: deleting a mount point fails anyway
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // still mounted or already gone
            }
        }
    }
}
