package dev.ipcj.cli.sys;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The kernel limits that bound IPC, read live from /proc (never cached, never build-time
 * constants), each with the way to raise it.
 */
public final class Limits {
    private static final String PERSIST = "; persist in /etc/sysctl.d/90-ipcj.conf";

    private Limits() {
    }

    /** A number from a /proc file, empty when the file is missing or unreadable. */
    public static OptionalLong proc(String path) {
        long[] v = procLongs(path);
        return v.length > 0 ? OptionalLong.of(v[0]) : OptionalLong.empty();
    }

    /** Every number in a /proc file (kernel.sem has four). */
    public static long[] procLongs(String path) {
        try {
            String s = ProcFiles.read(path).trim();
            if (s.isEmpty()) {
                return new long[0];
            }
            String[] parts = s.split("\\s+");
            long[] out = new long[parts.length];
            for (int i = 0; i < parts.length; i++) {
                out[i] = Long.parseUnsignedLong(parts[i]); // shmmax, shmall default to ~2^64
            }
            return out;
        } catch (IOException | NumberFormatException e) {
            return new long[0];
        }
    }

    /** /proc/sys/fs/mqueue/msgsize_max: the largest POSIX message (bytes). */
    public static OptionalLong mqMsgsizeMax() {
        return proc("/proc/sys/fs/mqueue/msgsize_max");
    }

    /** /proc/sys/kernel/msgmax: the largest System V message (bytes). */
    public static OptionalLong sysvMsgmax() {
        return proc("/proc/sys/kernel/msgmax");
    }

    /**
     * RLIMIT_MSGQUEUE of this process as {soft, hard} from /proc/self/limits ("Max msgqueue
     * size"), -1 meaning unlimited; empty when the line is absent.
     */
    public static long[] rlimitMsgqueue() {
        return rlimit("Max msgqueue size");
    }

    static long[] rlimit(String label) {
        try {
            for (String line : ProcFiles.lines("/proc/self/limits")) {
                if (line.startsWith(label)) {
                    String[] f = line.substring(label.length()).trim().split("\\s+");
                    return new long[] {rlim(f[0]), rlim(f[1])};
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through: unknown
        }
        return new long[0];
    }

    private static long rlim(String s) {
        return s.equals("unlimited") ? -1 : Long.parseLong(s);
    }

    /** Every limit, in the order {@code ipcj limits} prints them. */
    public static List<Limit> all() {
        List<Limit> l = new ArrayList<>();
        String mq = "/proc/sys/fs/mqueue/";
        // Kernel maxima: HARD_MSGMAX and HARD_MSGSIZEMAX (include/linux/ipc_namespace.h), IPCMNI
        // (ipc/util.h; 2^24 with the ipcmni_extend boot option), INT_MAX where the sysctl takes any int.
        l.add(sysctl("POSIX mq", mq + "msg_max", "fs.mqueue.msg_max",
                "most messages a queue may hold (mq_maxmsg) for unprivileged creators", 4096, 65536));
        l.add(sysctl("POSIX mq", mq + "msgsize_max", "fs.mqueue.msgsize_max",
                "largest message size (mq_msgsize) for unprivileged creators, bytes", 65536, 16 << 20));
        l.add(sysctl("POSIX mq", mq + "queues_max", "fs.mqueue.queues_max",
                "queues system-wide", 1024, Integer.MAX_VALUE));
        l.add(sysctl("POSIX mq", mq + "msg_default", "fs.mqueue.msg_default",
                "mq_maxmsg when mq_open gets no attributes (at most msg_max)", 64, 65536));
        l.add(sysctl("POSIX mq", mq + "msgsize_default", "fs.mqueue.msgsize_default",
                "mq_msgsize when mq_open gets no attributes, bytes (at most msgsize_max)", 65536, 16 << 20));
        long[] q = rlimitMsgqueue();
        l.add(new Limit("POSIX mq", "RLIMIT_MSGQUEUE",
                q.length == 0 ? "unknown" : "soft " + rlimText(q[0]) + ", hard " + rlimText(q[1]) + " bytes",
                "/proc/self/limits (Max msgqueue size)",
                "bytes of queues (maxmsg x (msgsize + overhead)) one user may create",
                q.length == 2 && q[0] < 0 ? "nothing to raise: unlimited"
                        : "ulimit -q BYTES (above the soft limit " + (q.length == 2 ? rlimText(q[0]) : "?")
                        + ", up to the hard limit " + (q.length == 2 ? rlimText(q[1]) : "?") + "); hard limit: "
                        + "'msgqueue' in /etc/security/limits.conf, LimitMSGQUEUE= in a systemd unit, "
                        + "or docker run --ulimit msgqueue=N"));

        long page = pageSize();
        l.add(sysctl("SysV shm", "/proc/sys/kernel/shmmax", "kernel.shmmax", "largest segment, bytes",
                68719476736L, -1));
        OptionalLong shmall = proc("/proc/sys/kernel/shmall");
        boolean noLimit = shmall.isPresent() && (shmall.getAsLong() < 0 || shmall.getAsLong() > Long.MAX_VALUE / page);
        l.add(new Limit("SysV shm", "kernel.shmall",
                !shmall.isPresent() ? "unknown" : noLimit
                        ? unsigned(shmall.getAsLong()).replace(" (no practical limit)", "") + " pages (no practical limit)"
                        : shmall.getAsLong() + " pages (" + human(shmall.getAsLong() * page) + " at " + page + " B/page)",
                "/proc/sys/kernel/shmall", "total shared memory system-wide, in pages",
                raise("kernel.shmall", shmall, (16L << 30) / page, -1)));
        l.add(sysctl("SysV shm", "/proc/sys/kernel/shmmni", "kernel.shmmni", "segments system-wide", 8192, ipcmni()));
        l.add(sysctl("SysV msg", "/proc/sys/kernel/msgmax", "kernel.msgmax", "largest message, bytes", 65536,
                Integer.MAX_VALUE));
        l.add(sysctl("SysV msg", "/proc/sys/kernel/msgmnb", "kernel.msgmnb", "bytes one queue may hold", 1048576,
                Integer.MAX_VALUE));
        l.add(sysctl("SysV msg", "/proc/sys/kernel/msgmni", "kernel.msgmni", "queues system-wide", 32000, ipcmni()));
        long[] sem = procLongs("/proc/sys/kernel/sem");
        l.add(new Limit("SysV sem", "kernel.sem",
                sem.length == 4 ? "SEMMSL " + sem[0] + ", SEMMNS " + sem[1] + ", SEMOPM " + sem[2] + ", SEMMNI " + sem[3] : "unknown",
                "/proc/sys/kernel/sem",
                "semaphores per set, semaphores system-wide, operations per semop, sets system-wide",
                (sem.length == 4 ? "sysctl -w kernel.sem=\"" + sem[0] + " " + sem[1] + " " + sem[2] + " " + sem[3]
                        + "\" (the live values: raise the ones you need; SEMMNI at most "
                        + ipcmni() + ")"
                        : "sysctl -w kernel.sem=\"SEMMSL SEMMNS SEMOPM SEMMNI\" (all four, in this order)") + PERSIST));

        l.add(devShm());
        l.add(sysctl("pipe", "/proc/sys/fs/pipe-max-size", "fs.pipe-max-size",
                "largest pipe buffer an unprivileged F_SETPIPE_SZ may ask for, bytes", 4194304, 1L << 31));
        return l;
    }

    /** IPCMNI, the most System V ids of a kind: 32768, or 2^24 when the kernel was booted with ipcmni_extend. */
    static long ipcmni() {
        long mni = Math.max(proc("/proc/sys/kernel/msgmni").orElse(0), proc("/proc/sys/kernel/shmmni").orElse(0));
        long[] sem = procLongs("/proc/sys/kernel/sem");
        if (sem.length == 4) {
            mni = Math.max(mni, sem[3]);
        }
        return mni > 32768 ? 1 << 24 : 32768;
    }

    private static Limit sysctl(String group, String path, String key, String meaning, long typical, long kernelMax) {
        OptionalLong v = proc(path);
        return new Limit(group, key, v.isPresent() ? unsigned(v.getAsLong()) : "unknown (" + path + " not readable)",
                path, meaning, raise(key, v, typical, kernelMax));
    }

    /**
     * How to raise {@code key} from its live value: to {@code typical} when that is higher, else to
     * twice the live value up to {@code kernelMax} (-1: none). Never a value at or below the live
     * one: a limit already at the kernel's maximum, or without practical limit, says so.
     */
    static String raise(String key, OptionalLong live, long typical, long kernelMax) {
        if (!live.isPresent()) {
            return "sysctl -w " + key + "=VALUE (the live value could not be read)" + PERSIST;
        }
        long v = live.getAsLong();
        if (v < 0 || v > (1L << 62)) {
            return "nothing to raise: no practical limit";
        }
        long max = kernelMax < 0 ? Long.MAX_VALUE : kernelMax;
        if (v >= max) {
            return "nothing to raise: " + v + " is the kernel's maximum";
        }
        long to = typical > v ? typical : v > max / 2 ? max : v * 2;
        to = Math.min(to, max);
        return "sysctl -w " + key + "=" + to + " (from " + v + (kernelMax < 0 ? "" : "; the kernel allows at most "
                + kernelMax) + ")" + PERSIST;
    }

    private static Limit devShm() {
        String value;
        String raise;
        try {
            FileStore fs = Files.getFileStore(Path.of("/dev/shm"));
            value = human(fs.getTotalSpace()) + " total, " + human(fs.getUsableSpace()) + " free (" + fs.type() + ")";
            long gib = Math.max(4, 2 * ((fs.getTotalSpace() + (1L << 30) - 1) >> 30));
            raise = "mount -o remount,size=" + gib + "G /dev/shm (from " + human(fs.getTotalSpace())
                    + "; persist in /etc/fstab); in Docker: docker run --shm-size=" + gib + "g";
        } catch (IOException e) {
            value = "unknown (/dev/shm: " + e.getMessage() + ")";
            raise = "mount -o remount,size=4G /dev/shm (persist in /etc/fstab); in Docker: docker run --shm-size=4g";
        }
        return new Limit("POSIX shm", "/dev/shm size", value, "statvfs(/dev/shm)",
                "all POSIX shared memory and named semaphores together", raise);
    }

    /** Kernel values are unsigned; the defaults of shmmax and shmall are near 2^64. */
    static String unsigned(long v) {
        return v < 0 || v > (1L << 62) ? Long.toUnsignedString(v) + " (no practical limit)" : Long.toString(v);
    }

    static String rlimText(long v) {
        return v < 0 ? "unlimited" : Long.toString(v);
    }

    /** The page size from the kernel (sysconf), the unit of shmall. */
    public static long pageSize() {
        return dev.ipcj.jni.PosixShm.pageSize();
    }

    /** 1536 -> "1.5 KiB". */
    public static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] u = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int i = -1;
        while (v >= 1024 && i < u.length - 1) {
            v /= 1024;
            i++;
        }
        return (v == Math.rint(v) ? Long.toString((long) v) : String.format("%.1f", v)) + " " + u[i];
    }
}
