package dev.ipcj.cli.sys;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which live processes map or hold open a file under /dev/shm (a POSIX shm object or a named
 * semaphore, which glibc maps) or a POSIX queue: from /proc/PID/maps and /proc/PID/fd. Processes of other users
 * are visible only to root; the result is then a lower bound, which is why {@code rm --dead}
 * never acts on other users' objects.
 */
public final class ShmUsers {
    private final Map<String, Set<Long>> byFile = new HashMap<>();
    private final Map<String, Set<Long>> byQueue = new HashMap<>();

    private ShmUsers() {
    }

    /** Scans every process once. */
    public static ShmUsers scan() {
        ShmUsers u = new ShmUsers();
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                long pid = Long.parseLong(proc.getFileName().toString());
                if (pid != self) {
                    u.scanMaps(pid, proc.resolve("maps"));
                    u.scanFds(pid, proc.resolve("fd"));
                }
            }
        } catch (IOException e) {
            // no /proc: nothing known
        }
        return u;
    }

    private void scanMaps(long pid, Path maps) {
        try {
            for (String line : ProcFiles.lines(maps)) {
                int i = line.indexOf("/dev/shm/");
                if (i >= 0) {
                    add(line.substring(i + 9).replace(" (deleted)", ""), pid);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process exited or is not ours
        }
    }

    private void scanFds(long pid, Path fds) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(fds)) {
            for (Path fd : ds) {
                try {
                    String t = Files.readSymbolicLink(fd).toString();
                    if (t.startsWith("/dev/shm/")) {
                        add(t.substring(9), pid);
                    } else if (t.length() > 1 && t.charAt(0) == '/' && t.indexOf('/', 1) < 0) {
                        // A POSIX queue descriptor links to "/NAME" (its path in the mqueue file system);
                        // a file in / would look the same, which only makes ls say "in use" too often.
                        byQueue.computeIfAbsent(t, k -> new TreeSet<>()).add(pid);
                    }
                } catch (IOException | RuntimeException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process exited or is not ours
        }
    }

    private void add(String file, long pid) {
        byFile.computeIfAbsent(file, k -> new TreeSet<>()).add(pid);
    }

    /** Pids holding the POSIX queue {@code /NAME} open. */
    public Set<Long> ofQueue(String name) {
        return byQueue.getOrDefault(name, Set.of());
    }

    /** Pids using /dev/shm/FILE. */
    public Set<Long> of(String file) {
        return byFile.getOrDefault(file, Set.of());
    }
}
