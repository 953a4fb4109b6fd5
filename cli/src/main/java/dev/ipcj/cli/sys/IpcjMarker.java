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
 *   ipcj-TAG-PID[-REST|.REST]   e.g. /ipcj-bench-4242-7-ping, /ipcj-test-4242-3-ring, /ipcj-demo-4242
 *        |   |   '-- anything (a mailbox's parts add ".ring", ".turn", ...)
 *        |   '------ decimal pid of the process that made it (the bench parent, the test JVM)
 *        '---------- lower-case words joined by '-': who made it ("bench", "test", "test-consumer", "demo")
 *
 *   ipcj-pid-PID[.REST]         the inbox of process PID (dev.ipcj.msg.Inbox) and its parts
 *   ipcj-name.NAME              the name NAME registered for an inbox: holds the owner's pid
 *   .ipcj-reg*.tmp              a registration being written (holds the pid once written)
 * </pre>
 *
 * The bench and the tests name every object this way ({@link #name}). The pid is a claim made
 * by the name, not a kernel fact: {@code rm --dead} therefore also requires that no live
 * process maps or holds the object open, and it never touches another user's object. An inbox
 * is removed only when its header agrees about the owner (see {@link Inventory}).
 *
 * <p>System V: the kernel records the creator pid of shm segments ({@code cpid} in
 * /proc/sysvipc), not of message queues or semaphore sets. A System V object is ipcj's when its
 * key is in ipcj's range {@code 0x1ec00000..0x1ecfffff} (the keys ipcj's tests and bench use;
 * run-tests checks that none is left), or when an ipcj mailbox header names it.
 */
public final class IpcjMarker {
    /** Lower 20 bits free: ipcj's System V keys are KEY_BASE | n. */
    public static final long KEY_BASE = 0x1ec00000L;
    private static final Pattern NAME = Pattern.compile("ipcj-([a-z]+(?:-[a-z]+)*)-(\\d{1,10})(?:[-.].*)?");
    private static final Pattern INBOX = Pattern.compile("ipcj-pid-(\\d{1,10})(\\..*)?");
    private static final Pattern REGISTERED = Pattern.compile("ipcj-name\\..+");
    private static final Pattern REGISTERING = Pattern.compile("\\.ipcj-reg.*\\.tmp");

    private IpcjMarker() {
    }

    /** "/ipcj-TAG-PID-SEQ-WHAT" for this process. */
    public static String name(String tag, long seq, String what) {
        return "/ipcj-" + tag + "-" + ProcessHandle.current().pid() + "-" + seq + "-" + what;
    }

    /** Whether a POSIX name (with or without the leading '/') follows one of ipcj's conventions. */
    public static boolean isIpcjName(String name) {
        String s = strip(name);
        return NAME.matcher(s).matches() || INBOX.matcher(s).matches() || REGISTERED.matcher(s).matches()
                || REGISTERING.matcher(s).matches();
    }

    /** The creator pid the name records (ipcj-TAG-PID-..., ipcj-pid-PID...), or -1. */
    public static long creatorFromName(String name) {
        long inbox = inboxPid(name);
        if (inbox > 0) {
            return inbox;
        }
        Matcher m = NAME.matcher(strip(name));
        return m.matches() ? pid(m.group(2)) : -1;
    }

    /** PID when {@code name} is the inbox /ipcj-pid-PID or one of its parts (/ipcj-pid-PID.x), else -1. */
    public static long inboxPid(String name) {
        Matcher m = INBOX.matcher(strip(name));
        return m.matches() ? pid(m.group(1)) : -1;
    }

    /** Whether {@code name} is a registered name's file ({@code /ipcj-name.NAME}) or one being written. */
    public static boolean isRegistration(String name) {
        String s = strip(name);
        return REGISTERED.matcher(s).matches() || REGISTERING.matcher(s).matches();
    }

    /** Whether a System V key is in ipcj's range. */
    public static boolean isIpcjKey(long key) {
        return (key & 0xfff00000L) == KEY_BASE;
    }

    private static long pid(String digits) {
        long v = Long.parseLong(digits);
        return v > 0 && v <= Integer.MAX_VALUE ? v : -1;
    }

    private static String strip(String name) {
        return name.startsWith("/") ? name.substring(1) : name;
    }
}
