package dev.ipcj.sysv;

import dev.ipcj.internal.SysFiles;

/**
 * The kernel's live System V limits, read from {@code /proc/sys/kernel} at every call (never
 * cached: {@code sysctl} changes show at once). ipcj reads them again when a call fails, to
 * name the limit that was hit in the exception.
 *
 * <pre>
 *   file                      meaning                                       raise with
 *   ------------------------  --------------------------------------------  ----------------------------
 *   shmmax                    largest segment, bytes                        sysctl kernel.shmmax=N
 *   shmall                    all segments together, pages                  sysctl kernel.shmall=N
 *   shmmni                    segments system-wide                          sysctl kernel.shmmni=N
 *   msgmax                    largest message, bytes                        sysctl kernel.msgmax=N
 *   msgmnb                    default (and unprivileged max) queue bytes    sysctl kernel.msgmnb=N
 *   msgmni                    queues system-wide                            sysctl kernel.msgmni=N
 *   sem                       SEMMSL SEMMNS SEMOPM SEMMNI:                  sysctl kernel.sem="A B C D"
 *                             per set, system-wide, per semop, sets
 * </pre>
 * A value too large for a {@code long} (shmmax and shmall default to nearly 2^64) reads as
 * {@link Long#MAX_VALUE}; a file that cannot be read gives -1.
 */
public final class SysvLimits {
    /** The largest value a System V semaphore holds (SEMVMX, fixed in the kernel). */
    public static final int SEMVMX = 32767;

    static final String DIR = "/proc/sys/kernel/";

    private SysvLimits() {
    }

    /**
     * SHMMAX: the largest segment in bytes ({@code /proc/sys/kernel/shmmax}).
     *
     * @return the limit
     */
    public static long shmmax() {
        return read("shmmax", 0);
    }

    /**
     * SHMALL: pages of shared memory system-wide ({@code /proc/sys/kernel/shmall}).
     *
     * @return the limit
     */
    public static long shmall() {
        return read("shmall", 0);
    }

    /**
     * SHMMNI: segments system-wide ({@code /proc/sys/kernel/shmmni}).
     *
     * @return the limit
     */
    public static long shmmni() {
        return read("shmmni", 0);
    }

    /**
     * MSGMAX: the longest message in bytes ({@code /proc/sys/kernel/msgmax}).
     *
     * @return the limit
     */
    public static long msgmax() {
        return read("msgmax", 0);
    }

    /**
     * MSGMNB: the default bytes a queue holds ({@code /proc/sys/kernel/msgmnb}).
     *
     * @return the limit
     */
    public static long msgmnb() {
        return read("msgmnb", 0);
    }

    /**
     * MSGMNI: message queues system-wide ({@code /proc/sys/kernel/msgmni}).
     *
     * @return the limit
     */
    public static long msgmni() {
        return read("msgmni", 0);
    }

    /**
     * SEMMSL: semaphores per set (first field of /proc/sys/kernel/sem).
     *
     * @return the limit
     */
    public static long semmsl() {
        return read("sem", 0);
    }

    /**
     * SEMMNS: semaphores system-wide.
     *
     * @return the limit
     */
    public static long semmns() {
        return read("sem", 1);
    }

    /**
     * SEMOPM: operations per semop call.
     *
     * @return the limit
     */
    public static long semopm() {
        return read("sem", 2);
    }

    /**
     * SEMMNI: semaphore sets system-wide.
     *
     * @return the limit
     */
    public static long semmni() {
        return read("sem", 3);
    }

    /** "/proc/sys/kernel/msgmax 8192 (raise it: sysctl kernel.msgmax=...)" for error messages. */
    static String named(String file, long value) {
        return DIR + file + " " + value + " (raise it: sysctl kernel." + file + "=...)";
    }

    /** "/proc/sys/kernel/sem SEMMSL 32000 (raise it: sysctl kernel.sem=\"SEMMSL SEMMNS SEMOPM SEMMNI\")". */
    static String namedSem(String field, long value) {
        return DIR + "sem " + field + " " + value
                + " (raise it: sysctl kernel.sem=\"SEMMSL SEMMNS SEMOPM SEMMNI\", now \"" + semLine() + "\")";
    }

    private static String semLine() {
        String s = SysFiles.readString(DIR + "sem");
        return s == null ? "?" : s.trim().replaceAll("\\s+", " ");
    }

    private static long read(String file, int field) {
        long[] v = SysFiles.readLongs(DIR + file);
        return field < v.length ? v[field] : -1;
    }
}
