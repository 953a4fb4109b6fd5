package dev.ipcj.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How ipcj names the objects it makes, in one place: the library's inboxes and registered
 * names, and the objects of ipcj's own programs (bench, tests, demos), so that {@code ipcj ls}
 * can tell ipcj's objects from others and find the pid of the process that made each.
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
 * The pid is a claim made by the name, not a kernel fact: {@code ipcj rm --dead} therefore also
 * requires that no live process maps or holds the object open, and never touches another
 * user's object.
 *
 * <p>System V objects have keys, not names: ipcj's programs use keys in
 * {@code KEY_BASE | n}, {@code 0x1ec00000..0x1ecfffff}.
 */
public final class IpcjNames {
    /** The inbox of process PID is the mailbox {@code INBOX_PREFIX + PID}. */
    public static final String INBOX_PREFIX = "/ipcj-pid-";
    /** A name registered for an inbox is the file {@code REGISTERED_PREFIX + NAME} in /dev/shm. */
    public static final String REGISTERED_PREFIX = "ipcj-name.";
    /** A registration being written is a temporary file {@code REGISTERING_PREFIX*REGISTERING_SUFFIX}. */
    public static final String REGISTERING_PREFIX = ".ipcj-reg";
    /** See {@link #REGISTERING_PREFIX}. */
    public static final String REGISTERING_SUFFIX = ".tmp";
    /** Lower 20 bits free: the System V keys of ipcj's programs are {@code KEY_BASE | n}. */
    public static final long KEY_BASE = 0x1ec00000L;

    private static final Pattern TAGGED = Pattern.compile("ipcj-([a-z]+(?:-[a-z]+)*)-(\\d{1,10})(?:[-.].*)?");
    private static final Pattern INBOX = Pattern.compile("ipcj-pid-(\\d{1,10})(\\..*)?");
    private static final Pattern REGISTERED = Pattern.compile("ipcj-name\\..+");
    private static final Pattern REGISTERING = Pattern.compile("\\.ipcj-reg.*\\.tmp");

    private IpcjNames() {
    }

    /**
     * The name {@code /ipcj-TAG-PID-SEQ-WHAT} for an object this process makes.
     *
     * @param tag lower-case words joined by '-': who makes it ("bench", "test")
     * @param seq a number unique within this process
     * @param what what the object is, for a reader
     * @return the name, with its leading '/'
     */
    public static String tagged(String tag, long seq, String what) {
        return "/ipcj-" + tag + "-" + ProcessHandle.current().pid() + "-" + seq + "-" + what;
    }

    /** The inbox mailbox of process {@code pid}: {@code /ipcj-pid-PID}. */
    public static String inbox(long pid) {
        return INBOX_PREFIX + pid;
    }

    /** Whether a POSIX name (with or without the leading '/') follows one of ipcj's conventions. */
    public static boolean isIpcjName(String name) {
        String s = strip(name);
        return TAGGED.matcher(s).matches() || INBOX.matcher(s).matches() || REGISTERED.matcher(s).matches()
                || REGISTERING.matcher(s).matches();
    }

    /** The creator pid the name records (ipcj-TAG-PID-..., ipcj-pid-PID...), or -1. */
    public static long creatorFromName(String name) {
        long inbox = inboxPid(name);
        if (inbox > 0) {
            return inbox;
        }
        Matcher m = TAGGED.matcher(strip(name));
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

    /**
     * The System V key {@code n} of ipcj's range: {@code KEY_BASE | (n & 0xfffff)}.
     *
     * @param n which key (its low 20 bits are used)
     * @return the key
     */
    public static int sysvKey(int n) {
        return (int) (KEY_BASE | (n & 0xfffffL));
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
