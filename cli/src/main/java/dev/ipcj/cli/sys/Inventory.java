package dev.ipcj.cli.sys;

import dev.ipcj.cli.sys.IpcObject.Kind;
import dev.ipcj.cli.sys.IpcObject.Verdict;
import dev.ipcj.internal.IpcjNames;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every IPC object on the machine, as far as this user can see: /dev/shm (POSIX shm and
 * "sem.*" semaphores), the mqueue file system (POSIX queues), /proc/sysvipc (System V); with
 * what ipcj's headers and names say about each, and whether {@code rm --dead} may remove it.
 *
 * <h2>What {@code rm --dead} removes</h2>
 * Only what it can prove abandoned, and never what a live process maps or holds open:
 * <ul>
 *   <li>an inbox {@code /ipcj-pid-N} and its parts ({@code /ipcj-pid-N.*}: queue, ring, log,
 *       semaphores) when process N is dead and the header agrees: it names owner N in a version
 *       this ipcj reads, or it is empty or gone (its creator died creating it, or it was half
 *       removed). A header of an unknown version, or naming another owner, keeps the whole inbox;</li>
 *   <li>the System V queue a removable mailbox's header names, when the kernel's facts agree:
 *       key IPC_PRIVATE, the header file's owner, created no later than the header was written;</li>
 *   <li>a registered name ({@code /ipcj-name.NAME}) that holds the pid of a dead process;</li>
 *   <li>an object named by ipcj's convention {@code ipcj-TAG-PID-...} whose PID is dead (the
 *       bench's, the tests', the demos' objects), and a System V segment in ipcj's key range whose
 *       creator (the kernel's cpid) is dead.</li>
 * </ul>
 * A named mailbox or ring ({@code /orders}) outlives its creator by design, like a file: it is
 * kept whatever its header says; {@code ls} shows the pids the header records so a person can
 * decide, and {@code ipcj rm NAME} removes it.
 */
public final class Inventory {
    private final List<IpcObject> objects;
    private final List<String> notes;
    private final Map<String, List<IpcObject>> parts = new HashMap<>();

    private Inventory(List<IpcObject> objects, List<String> notes) {
        this.objects = objects;
        this.notes = notes;
        for (IpcObject o : objects) {
            if (o.mailbox() != null && !isHeader(o)) {
                parts.computeIfAbsent(o.mailbox(), k -> new ArrayList<>()).add(o);
            }
        }
    }

    /** Lists everything. {@code mq} is the queue mount to use (may be without a directory). */
    public static Inventory scan(MqueueMount mq) {
        List<IpcObject> out = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        ShmUsers users = ShmUsers.scan();
        scanDevShm(Path.of("/dev/shm"), users, out, notes);
        if (mq.dir() != null) {
            scanMqueue(mq.dir(), users, out, notes);
        } else {
            notes.add("POSIX queues not listed: " + mq.problem());
        }
        scanSysv("/proc/sysvipc/shm", Kind.SYSV_SHM, out, notes);
        scanSysv("/proc/sysvipc/msg", Kind.SYSV_MSG, out, notes);
        scanSysv("/proc/sysvipc/sem", Kind.SYSV_SEM, out, notes);
        return new Inventory(judge(out), notes);
    }

    public List<IpcObject> objects() {
        return objects;
    }

    /**
     * The other objects of the mailbox whose header is the shm object {@code name}: its queue,
     * ring, log and semaphores, and the System V queue its header names when the kernel's facts
     * agree (see {@link #sysvProof}). Empty for anything else.
     */
    public List<IpcObject> partsOf(String name) {
        return parts.getOrDefault(name, List.of());
    }

    /** Whether {@code o} is a mailbox's header (the shm object whose name is the mailbox's). */
    public static boolean isHeader(IpcObject o) {
        return o.kind() == Kind.POSIX_SHM && o.name().equals(o.mailbox());
    }

    /** What could not be listed, and why. */
    public List<String> notes() {
        return notes;
    }

    // ------------------------------------------------------------------ judging

    /** Reads the headers, then says of each ipcj object what it is and whether rm --dead removes it. */
    static List<IpcObject> judge(List<IpcObject> raw) {
        Map<String, Header> headers = new HashMap<>();
        Map<String, IpcObject> shmByName = new HashMap<>();
        for (IpcObject o : raw) {
            if (o.kind() == Kind.POSIX_SHM) {
                headers.put(o.name(), Header.read(o.name()));
                shmByName.put(o.name(), o);
            }
        }
        // The System V queues mailbox headers name: id -> the mailbox.
        Map<Long, String> sysvOwners = new HashMap<>();
        for (Map.Entry<String, Header> e : headers.entrySet()) {
            if (e.getValue() instanceof Header.Mailbox m && m.sysv()) {
                sysvOwners.put(m.word(), e.getKey());
            }
        }
        List<IpcObject> out = new ArrayList<>(raw.size());
        for (IpcObject o : raw) {
            out.add(judge(o, headers, shmByName, sysvOwners));
        }
        // A mailbox goes whole or not at all: if a live process uses one of its objects, all are kept.
        Map<String, String> busy = new HashMap<>();
        for (IpcObject o : out) {
            if (o.mailbox() != null && o.inUse()) {
                busy.putIfAbsent(o.mailbox(), o.kind().label + " " + o.name() + " is in use ("
                        + (o.attached() > 0 ? o.attached() + " attached" : "by pid " + o.users()) + ")");
            }
        }
        for (int i = 0; i < out.size(); i++) {
            IpcObject o = out.get(i);
            if (o.verdict() != null && o.verdict().remove() && o.mailbox() != null && busy.containsKey(o.mailbox())) {
                out.set(i, o.with(o.creatorPid(), o.creatorFrom(), o.ipcj(), o.about(),
                        Verdict.keep("its mailbox " + o.mailbox() + " is in use: " + busy.get(o.mailbox())), o.mailbox()));
            }
        }
        return out;
    }

    private static IpcObject judge(IpcObject o, Map<String, Header> headers, Map<String, IpcObject> shm,
                                   Map<Long, String> sysvOwners) {
        List<String> about = new ArrayList<>();
        String mailbox = null;
        Header h = headers.get(o.kind() == Kind.POSIX_SHM ? o.name() : "");
        if (isMailbox(h)) {
            mailbox = o.name();
        }
        if (h != null && !(h instanceof Header.Foreign) && !(o.ipcj() && h instanceof Header.Empty)
                && (o.ipcj() || isIpcjHeader(h))) {
            about.add(h.describe());
        }
        long creator = o.creatorPid();
        String from = o.creatorFrom();
        boolean ipcj = o.ipcj() || isIpcjHeader(h);
        Verdict v;

        long inbox = o.kind().posix() ? IpcjNames.inboxPid(o.name()) : -1;
        if (inbox > 0) {
            String base = IpcjNames.inbox(inbox);
            mailbox = base;
            if (!o.name().equals(base)) {
                about.add("part of the inbox " + base);
            }
            v = inboxVerdict(inbox, base, headers.get(base), shm.containsKey(base));
        } else if (o.kind() == Kind.POSIX_SHM && IpcjNames.isRegistration(o.name())) {
            if (h instanceof Header.Pid p) {
                creator = p.pid();
                from = "name file";
                v = Pids.alive(p.pid()) ? Verdict.keep("it names process " + p.pid() + ", which is alive")
                        : Verdict.remove("the registered name of process " + p.pid() + ", which is dead");
            } else {
                about.add("a registered name should hold a pid: " + (h == null ? "unread" : h.describe()));
                v = Verdict.keep("it holds no pid, so its owner is unknown");
            }
        } else if (o.kind() == Kind.SYSV_MSG && sysvOwners.containsKey(o.id())) {
            String box = sysvOwners.get(o.id());
            Header.Mailbox m = (Header.Mailbox) headers.get(box);
            ipcj = true;
            about.add("the System V queue of mailbox " + box);
            if (sysvProof(o, shm.get(box)) == null) {
                mailbox = box;
            } else {
                about.add("but " + sysvProof(o, shm.get(box)));
            }
            if (m.owner() > 0) {
                creator = m.owner();
                from = "header";
            }
            IpcObject header = shm.get(box);
            Verdict boxVerdict = judge(header, headers, shm, Map.of()).verdict();
            if (boxVerdict == null || !boxVerdict.remove()) {
                v = Verdict.keep("its mailbox " + box + " is kept");
            } else {
                String proof = sysvProof(o, header);
                v = proof == null ? Verdict.remove("the queue of " + box + ", which rm --dead removes")
                        : Verdict.keep("its mailbox " + box + " is removed, but " + proof);
            }
        } else if (o.ipcj() && o.kind().posix() && creator > 0) {
            String part = partOf(o, headers);
            if (part != null) {
                mailbox = part;
                about.add("part of mailbox " + part + " (by its name)");
            }
            v = Pids.alive(creator) ? Verdict.keep("its name records creator " + creator + ", which is alive")
                    : Verdict.remove("its name records creator " + creator + ", which is dead");
        } else if (o.ipcj() && !o.kind().posix()) {
            v = creator <= 0 ? Verdict.keep("the kernel records no creator for a System V "
                    + (o.kind() == Kind.SYSV_MSG ? "message queue" : "semaphore set") + ": remove it by name")
                    : Pids.alive(creator) ? Verdict.keep("its creator " + creator + " is alive")
                    : Verdict.remove("its creator " + creator + " (the kernel's cpid) is dead");
        } else if (partOf(o, headers) != null) {
            mailbox = partOf(o, headers);
            about.add("part of mailbox " + mailbox + " (by its name)");
            ipcj = true;
            v = Verdict.keep("a named mailbox outlives its creator, like a file: remove it by name (" + mailbox + ")");
        } else if (ipcj) {
            v = Verdict.keep(h instanceof Header.Ring ? "a named ring outlives its creator, like a file: "
                    + "remove it by name once no one needs it"
                    : "a named mailbox outlives its creator, like a file: remove it by name once no one needs it");
        } else {
            v = null;
        }
        if (v != null && v.remove() && o.inUse()) {
            v = Verdict.keep("in use (" + (o.attached() > 0 ? o.attached() + " attached" : "by pid " + o.users()) + ")");
        }
        return o.with(creator, from, ipcj, about, v, mailbox);
    }

    private static boolean isIpcjHeader(Header h) {
        return h instanceof Header.Mailbox || h instanceof Header.UnknownMailbox || h instanceof Header.Ring
                || h instanceof Header.UnknownRing && ((Header.UnknownRing) h).version() != 0 || h instanceof Header.Log;
    }

    /** Whether the inbox of process {@code pid} is abandoned, by its name and by its header. */
    static Verdict inboxVerdict(long pid, String base, Header h, boolean headerListed) {
        if (Pids.alive(pid)) {
            return Verdict.keep("its owner, process " + pid + ", is alive");
        }
        if (!headerListed || h == null) {
            return Verdict.remove("part of the inbox of process " + pid + ", which is dead; its header is gone");
        }
        if (h instanceof Header.Empty) {
            return Verdict.remove("the inbox of process " + pid + ", which died creating it (empty header)");
        }
        if (h instanceof Header.Mailbox m) {
            return m.owner() == pid ? Verdict.remove("the inbox of process " + pid + ", which is dead")
                    : Verdict.keep("its header names owner " + m.owner() + ", its name process " + pid);
        }
        if (h instanceof Header.UnknownMailbox u) {
            return Verdict.keep("its header (" + u.describe() + ") is not one this ipcj reads");
        }
        return Verdict.keep(base + " holds no mailbox header (" + h.describe() + ")");
    }

    /**
     * Null when the kernel's facts about System V queue {@code q} agree with the header of the
     * mailbox that names it, else why not: an IPC_PRIVATE key (mailboxes make their queue so),
     * the same owner as the header file, and created no later than the header was written (the
     * queue exists before its header is written: a later one reused the id).
     */
    static String sysvProof(IpcObject q, IpcObject header) {
        if (!"0x00000000".equals(q.key())) {
            return "the queue has key " + q.key() + ", not IPC_PRIVATE";
        }
        if (q.uid() != header.uid()) {
            return "the queue belongs to uid " + q.uid() + ", the header to uid " + header.uid();
        }
        if (q.ctime() < 0 || header.ctime() < 0 || q.ctime() > header.ctime() + 1) {
            return "the queue was created after the header was written (an id reused?)";
        }
        return null;
    }

    /** The named mailbox whose part {@code o} is by its name (its queue "/M", "/M.ring", "sem.M.turn", ...), or null. */
    private static String partOf(IpcObject o, Map<String, Header> headers) {
        if (!o.kind().posix()) {
            return null;
        }
        String n = o.name();
        if (o.kind() == Kind.POSIX_MQ && isMailbox(headers.get(n))) {
            return n;
        }
        int dot = n.lastIndexOf('.');
        while (dot > 1) {
            String base = n.substring(0, dot);
            String suffix = n.substring(dot + 1);
            if (isMailbox(headers.get(base)) && suffix.matches("ring|ring-space|sysv-space|log|log-items|log-space|turn|ack|\\d+")) {
                return base;
            }
            if (suffix.matches("\\d+") && n.substring(0, dot).endsWith(".log")) {
                String b2 = n.substring(0, dot - 4);
                if (isMailbox(headers.get(b2))) {
                    return b2;
                }
            }
            dot = n.lastIndexOf('.', dot - 1);
        }
        return null;
    }

    private static boolean isMailbox(Header h) {
        return h instanceof Header.Mailbox || h instanceof Header.UnknownMailbox;
    }

    // ------------------------------------------------------------------ scanning

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
                    long mtime = ((FileTime) Files.getAttribute(p, "unix:lastModifiedTime", LinkOption.NOFOLLOW_LINKS))
                            .toMillis() / 1000;
                    out.add(posix(sem ? Kind.POSIX_SEM : Kind.POSIX_SHM, name, p, uid, mode, size, users.of(file), mtime));
                } catch (IOException e) {
                    // removed while listing
                }
            }
        } catch (IOException e) {
            notes.add("/dev/shm not listed: " + e.getMessage());
        }
    }

    private static void scanMqueue(Path dir, ShmUsers users, List<IpcObject> out, List<String> notes) {
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
                    String name = "/" + p.getFileName();
                    out.add(posix(Kind.POSIX_MQ, name, p, uid, mode, qsize, users.ofQueue(name), -1));
                } catch (IOException e) {
                    // removed while listing
                }
            }
        } catch (IOException e) {
            notes.add("POSIX queues not listed: " + dir + ": " + e.getMessage());
        }
    }

    private static IpcObject posix(Kind k, String name, Path p, int uid, int mode, long size, Set<Long> users,
                                   long mtime) {
        long creator = IpcjNames.creatorFromName(name);
        boolean ipcj = IpcjNames.isIpcjName(name);
        return new IpcObject(k, name, null, -1, p, uid, mode, size, creator, creator > 0 ? "name" : "", ipcj, users, -1,
                mtime, List.of(), null, null);
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
            try {
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
                long ctime = row.containsKey("ctime") ? Long.parseLong(row.get("ctime")) : -1;
                String prefix = kind == Kind.SYSV_SHM ? "shm:" : kind == Kind.SYSV_MSG ? "msg:" : "sem:";
                out.add(new IpcObject(kind, prefix + id, String.format("0x%08x", key), id, null, uid, mode, size,
                        cpid, cpid > 0 ? "kernel" : "", IpcjNames.isIpcjKey(key), Set.of(), nattch, ctime, List.of(), null, null));
            } catch (RuntimeException e) {
                notes.add("a line of " + file + " not understood: " + line.trim());
            }
        }
    }
}
