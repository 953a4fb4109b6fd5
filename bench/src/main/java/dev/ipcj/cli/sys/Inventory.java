package dev.ipcj.cli.sys;

import dev.ipcj.cli.sys.IpcObject.Kind;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every IPC object on the machine, as far as this user can see: /dev/shm (POSIX shm and
 * "sem.*" semaphores), the mqueue file system (POSIX queues), /proc/sysvipc (System V).
 */
public final class Inventory {
    private final List<IpcObject> objects;
    private final List<String> notes;

    private Inventory(List<IpcObject> objects, List<String> notes) {
        this.objects = objects;
        this.notes = notes;
    }

    /** Lists everything. {@code mq} is the queue mount to use (may be without a directory). */
    public static Inventory scan(MqueueMount mq) {
        List<IpcObject> out = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        ShmUsers users = ShmUsers.scan();
        scanDevShm(Path.of("/dev/shm"), users, out, notes);
        if (mq.dir() != null) {
            scanMqueue(mq.dir(), out, notes);
        } else {
            notes.add("POSIX queues not listed: " + mq.problem());
        }
        scanSysv("/proc/sysvipc/shm", Kind.SYSV_SHM, out, notes);
        scanSysv("/proc/sysvipc/msg", Kind.SYSV_MSG, out, notes);
        scanSysv("/proc/sysvipc/sem", Kind.SYSV_SEM, out, notes);
        return new Inventory(out, notes);
    }

    public List<IpcObject> objects() {
        return objects;
    }

    /** What could not be listed, and why. */
    public List<String> notes() {
        return notes;
    }

    private static void scanDevShm(Path dir, ShmUsers users, List<IpcObject> out, List<String> notes) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String file = p.getFileName().toString();
                if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                boolean sem = file.startsWith("sem.");
                String name = "/" + (sem ? file.substring(4) : file);
                try {
                    int uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                    int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
                    long size = Files.size(p);
                    out.add(posix(sem ? Kind.POSIX_SEM : Kind.POSIX_SHM, name, p, uid, mode, size, users.of(file)));
                } catch (IOException e) {
                    // removed while listing
                }
            }
        } catch (IOException e) {
            notes.add("/dev/shm not listed: " + e.getMessage());
        }
    }

    private static void scanMqueue(Path dir, List<IpcObject> out, List<String> notes) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                try {
                    int uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                    int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
                    // The file reads "QSIZE:n NOTIFY:.. SIGNO:.. NOTIFY_PID:..": QSIZE is the bytes queued now.
                    long qsize = -1;
                    try {
                        String s = ProcFiles.read(p);
                        int i = s.indexOf("QSIZE:");
                        if (i >= 0) {
                            qsize = Long.parseLong(s.substring(i + 6).trim().split("\\s+")[0]);
                        }
                    } catch (IOException | RuntimeException e) {
                        // mode may forbid reading: size unknown
                    }
                    out.add(posix(Kind.POSIX_MQ, "/" + p.getFileName(), p, uid, mode, qsize, Set.of()));
                } catch (IOException e) {
                    // removed while listing
                }
            }
        } catch (IOException e) {
            notes.add("POSIX queues not listed: " + dir + ": " + e.getMessage());
        }
    }

    private static IpcObject posix(Kind k, String name, Path p, int uid, int mode, long size, Set<Long> users) {
        long creator = IpcjMarker.creatorFromName(name);
        boolean ipcj = IpcjMarker.isIpcjName(name);
        return new IpcObject(k, name, null, -1, p, uid, mode, size, creator, creator > 0 ? "name" : "", ipcj, users, -1);
    }

    /** Parses /proc/sysvipc/{shm,msg,sem} by its header line, so column order changes do not matter. */
    static void scanSysv(String file, Kind kind, List<IpcObject> out, List<String> notes) {
        List<String> lines;
        try {
            lines = ProcFiles.lines(file);
        } catch (IOException e) {
            notes.add(kind.label + " not listed: " + file + ": " + e.getMessage());
            return;
        }
        if (lines.isEmpty()) {
            return;
        }
        String[] head = lines.get(0).trim().split("\\s+");
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.trim().split("\\s+");
            if (f.length < head.length) {
                continue;
            }
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < head.length; i++) {
                row.put(head[i], f[i]);
            }
            long key = Long.parseLong(row.get("key")) & 0xffffffffL;
            String idCol = kind == Kind.SYSV_SHM ? "shmid" : kind == Kind.SYSV_MSG ? "msqid" : "semid";
            long id = Long.parseLong(row.get(idCol));
            int uid = Integer.parseInt(row.get("uid"));
            int mode = Integer.parseInt(row.get("perms"), 8) & 0777;
            long size = switch (kind) {
                case SYSV_SHM -> Long.parseLong(row.get("size"));
                case SYSV_MSG -> Long.parseLong(row.get("cbytes"));
                default -> Long.parseLong(row.get("nsems"));
            };
            long cpid = row.containsKey("cpid") ? Long.parseLong(row.get("cpid")) : -1;
            long nattch = row.containsKey("nattch") ? Long.parseLong(row.get("nattch")) : -1;
            String prefix = kind == Kind.SYSV_SHM ? "shm:" : kind == Kind.SYSV_MSG ? "msg:" : "sem:";
            out.add(new IpcObject(kind, prefix + id, String.format("0x%08x", key), id, null, uid, mode, size,
                    cpid, cpid > 0 ? "kernel" : "", IpcjMarker.isIpcjKey(key), Set.of(), nattch));
        }
    }
}
