package dev.ipcj.cli.sys;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How {@code ipcj ls} tells ipcj's objects from others, and where their creator pid comes from.
 *
 * <p>The kernel records no creator for POSIX objects (shm, named semaphores, queues are files
 * with an owner and a mode, nothing more), so ipcj records it in the name. An object is ipcj's
 * when its name (without the leading '/', and without glibc's "sem." prefix for semaphores) is
 *
 * <pre>
 *   ipcj-TAG-PID-REST       e.g. /ipcj-bench-4242-7-ping, /ipcj-test-4242-3-ring
 *        |   |   '-- anything
 *        |   '------ decimal pid of the process that made it (the bench parent, the test JVM)
 *        '---------- lower-case letters: who made it ("bench", "test", "demo", ...)
 * </pre>
 *
 * The bench and the tests name every object this way ({@link #name}). The pid is a claim made
 * by the name, not a kernel fact: {@code rm --dead} therefore also requires that no live
 * process maps or holds the object open, and it never touches another user's object.
 *
 * <p>System V: the kernel records the creator pid of shm segments and message queues
 * ({@code cpid} in /proc/sysvipc), not of semaphore sets. A System V object is ipcj's when its
 * key is in ipcj's range {@code 0x1ec00000..0x1ecfffff} (the keys ipcj's tests and bench use;
 * run-tests checks that none is left).
 */
public final class IpcjMarker {
    /** Lower 20 bits free: ipcj's System V keys are KEY_BASE | n. */
    public static final long KEY_BASE = 0x1ec00000L;
    private static final Pattern NAME = Pattern.compile("ipcj-([a-z]+)-(\\d{1,10})-.*");

    private IpcjMarker() {
    }

    /** "/ipcj-TAG-PID-SEQ-WHAT" for this process. */
    public static String name(String tag, long seq, String what) {
        return "/ipcj-" + tag + "-" + ProcessHandle.current().pid() + "-" + seq + "-" + what;
    }

    /** Whether a POSIX name (with or without the leading '/') follows ipcj's convention. */
    public static boolean isIpcjName(String name) {
        return NAME.matcher(strip(name)).matches();
    }

    /** The creator pid the name records, or -1. */
    public static long creatorFromName(String name) {
        Matcher m = NAME.matcher(strip(name));
        if (!m.matches()) {
            return -1;
        }
        try {
            return Long.parseLong(m.group(2));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Whether a System V key is in ipcj's range. */
    public static boolean isIpcjKey(long key) {
        return (key & 0xfff00000L) == KEY_BASE;
    }

    private static String strip(String name) {
        return name.startsWith("/") ? name.substring(1) : name;
    }
}
