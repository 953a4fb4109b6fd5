package dev.ipcj.internal;

import dev.ipcj.jni.Sys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A process named so that pid reuse cannot fool a liveness check: one 64-bit word holding the
 * pid (bits 0..31) and the low 32 bits of the process's start time (bits 32..63; field 22 of
 * {@code /proc/PID/stat}, clock ticks since boot). A lock word or a header that stores an
 * identity can later be proven stale: the pid is gone, is a zombie, or now belongs to a process
 * that started at another time.
 *
 * <p>Where {@code /proc} hides other users' processes ({@code hidepid}), a pid that
 * {@code kill(pid, 0)} reports alive is taken as alive without its start time: never taken over
 * by mistake, at worst waited for. Pids are per pid namespace: processes that share objects
 * must share one.
 */
public final class ProcessIdentity {
    private static final long SELF = of((int) ProcessHandle.current().pid());

    private ProcessIdentity() {
    }

    /** This process's identity. */
    public static long self() {
        return SELF;
    }

    /** The pid part of {@code identity}. */
    public static int pid(long identity) {
        return (int) identity;
    }

    /** The identity of the live process {@code pid}, or 0 when there is none. */
    public static long of(int pid) {
        if (pid <= 0) {
            return 0;
        }
        long start = startTime(pid);
        if (start == DEAD) {
            return 0;
        }
        return (start == UNKNOWN ? 0 : start << 32) | (pid & 0xFFFFFFFFL);
    }

    /**
     * Whether the process {@code identity} names still runs: false for pid 0 or negative, a pid
     * that does not exist or is a zombie, and a pid whose start time differs (reused). An
     * identity without a start time (bits 32..63 zero) is checked by pid only.
     */
    public static boolean alive(long identity) {
        int pid = (int) identity;
        if (pid <= 0) {
            return false;
        }
        long start = startTime(pid);
        if (start == DEAD) {
            return false;
        }
        if (start == UNKNOWN) {
            return true;
        }
        long want = identity >>> 32;
        return want == 0 || want == start;
    }

    /** "pid 1234" or "pid 1234 (started at tick 5678)". */
    public static String describe(long identity) {
        long start = identity >>> 32;
        return "pid " + (int) identity + (start == 0 ? "" : " (started at tick " + start + ")");
    }

    /**
     * When this process started, as wall-clock milliseconds, to within ~20 ms: its start time in
     * clock ticks since boot (/proc/self/stat, USER_HZ = 100 on Linux) placed on the boot instant
     * taken from /proc/uptime (ProcessHandle's own startInstant uses /proc/stat's btime, whole
     * seconds, and may be a second off). -1 if unknown.
     */
    public static long startMillis() {
        long ticks = startTime((int) ProcessHandle.current().pid());
        if (ticks < 0) {
            return -1;
        }
        try {
            String up = Files.readString(Path.of("/proc/uptime")).trim();
            double uptime = Double.parseDouble(up.substring(0, up.indexOf(' ')));
            long boot = System.currentTimeMillis() - (long) (uptime * 1000);
            return boot + ticks * 10; // ticks were cut to 32 bits: fine for 497 days of uptime
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static final long DEAD = -1;
    private static final long UNKNOWN = -2;

    /** Low 32 bits of the start time, DEAD, or UNKNOWN (alive, start time unreadable). */
    private static long startTime(int pid) {
        byte[] stat;
        try {
            stat = Files.readAllBytes(Path.of("/proc/" + pid + "/stat"));
        } catch (NoSuchFileException e) {
            return Sys.pidAlive(pid) == 1 ? UNKNOWN : DEAD; // hidepid hides it, or it is gone
        } catch (IOException | RuntimeException e) {
            return Sys.pidAlive(pid) == 1 ? UNKNOWN : DEAD;
        }
        String s = new String(stat, StandardCharsets.US_ASCII);
        int close = s.lastIndexOf(')'); // the command name may hold spaces and parentheses
        if (close < 0) {
            return UNKNOWN;
        }
        String[] f = s.substring(close + 1).trim().split(" ");
        // f[0] is field 3 (state), so field 22 (starttime) is f[19].
        if (f.length < 20) {
            return UNKNOWN;
        }
        if (f[0].equals("Z") || f[0].equals("X") || f[0].equals("x")) {
            return DEAD;
        }
        try {
            return Long.parseLong(f[19]) & 0xFFFFFFFFL;
        } catch (NumberFormatException e) {
            return UNKNOWN;
        }
    }
}
