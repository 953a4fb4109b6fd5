package dev.ipcj.posix;

import dev.ipcj.IpcException;
import dev.ipcj.internal.Errno;
import dev.ipcj.internal.SysFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns an errno from a message queue call into an exception that says which limit was hit,
 * its live value and how to raise it. Limits are read here, at the time of the error.
 */
final class MqErrors {
    private MqErrors() {
    }

    /** An mq_open failure; maxMessages &lt;= 0 means the kernel's default attributes. */
    static IpcException open(String name, int r, boolean create, long maxMessages, long maxMessageSize,
                             MessageQueue.Access access) {
        int e = Math.abs(r);
        String why = null;
        MqLimits l = MqLimits.current();
        switch (e) {
            case Errno.EINVAL:
                if (create) {
                    why = attributes(l, maxMessages, maxMessageSize);
                }
                break;
            case Errno.EMFILE:
                long[] nofile = MqLimits.rlimit(MqLimits.RLIMIT_NOFILE);
                String fds = "this process has used up RLIMIT_NOFILE " + MqLimits.rlimitText(nofile[0])
                        + " open descriptors";
                if (create) {
                    long mx = maxMessages > 0 ? maxMessages : Math.min(l.msgDefault(), l.msgMax());
                    long sz = maxMessages > 0 ? maxMessageSize : Math.min(l.msgsizeDefault(), l.msgsizeMax());
                    why = "the queue needs " + MqLimits.bytesOf(mx, sz) + " bytes (" + mx + " x " + sz
                            + " plus 96 per message) beyond what this user's queues already hold, and all of them"
                            + " together may use RLIMIT_MSGQUEUE " + MqLimits.rlimitText(l.rlimitSoft())
                            + " bytes (raise it: ulimit -q, setrlimit(RLIMIT_MSGQUEUE) or 'msgqueue' in"
                            + " /etc/security/limits.conf; unlink queues no longer needed); or " + fds;
                } else {
                    why = fds;
                }
                break;
            case Errno.ENOSPC:
                why = "the system already holds /proc/sys/fs/mqueue/queues_max " + l.queuesMax()
                        + " queues (raise it: sysctl fs.mqueue.queues_max=" + Math.max(l.queuesMax() * 2, 256)
                        + "; processes with CAP_SYS_RESOURCE are exempt; unlink queues no longer needed)";
                break;
            case Errno.ENFILE:
                why = "the system has reached its limit on open files, /proc/sys/fs/file-max "
                        + SysFiles.readLong("/proc/sys/fs/file-max", -1);
                break;
            case Errno.ENOENT:
                why = "no queue of that name exists (create it first, or use openOrCreate)";
                break;
            case Errno.EEXIST:
                why = "a queue of that name exists already (create is exclusive: use open or openOrCreate,"
                        + " or unlink it first)";
                break;
            case Errno.EACCES:
                why = "the queue's mode does not let this user open it " + access
                        + ", or the name is not allowed";
                break;
            case Errno.ENAMETOOLONG:
                why = "the name is longer than NAME_MAX " + MessageQueue.MAX_NAME_LENGTH;
                break;
            default:
                break;
        }
        return IpcException.of("mq_open", name, e, why);
    }

    /** Why the kernel refused these attributes: the first limit they exceed. */
    static String attributes(MqLimits l, long maxMessages, long maxMessageSize) {
        if (maxMessages <= 0) {
            return null;
        }
        String raise = "; processes with CAP_SYS_RESOURCE may go up to ";
        if (l.capSysResource()) {
            if (maxMessages > MqLimits.HARD_MSG_MAX) {
                return "maxMessages " + maxMessages + " > " + MqLimits.HARD_MSG_MAX
                        + ", the kernel's hard limit HARD_MSGMAX, which even CAP_SYS_RESOURCE cannot pass"
                        + " (/proc/sys/fs/mqueue/msg_max " + l.msgMax() + " binds unprivileged processes)";
            }
            if (maxMessageSize > MqLimits.HARD_MSGSIZE_MAX) {
                return "maxMessageSize " + maxMessageSize + " > " + MqLimits.HARD_MSGSIZE_MAX
                        + ", the kernel's hard limit HARD_MSGSIZEMAX (16 MiB), which even CAP_SYS_RESOURCE"
                        + " cannot pass (/proc/sys/fs/mqueue/msgsize_max " + l.msgsizeMax()
                        + " binds unprivileged processes)";
            }
        } else {
            if (maxMessages > l.msgMax()) {
                return "maxMessages " + maxMessages + " > /proc/sys/fs/mqueue/msg_max " + l.msgMax()
                        + " (raise it: sysctl fs.mqueue.msg_max=" + maxMessages + raise
                        + MqLimits.HARD_MSG_MAX + ")";
            }
            if (maxMessageSize > l.msgsizeMax()) {
                return "maxMessageSize " + maxMessageSize + " > /proc/sys/fs/mqueue/msgsize_max " + l.msgsizeMax()
                        + " (raise it: sysctl fs.mqueue.msgsize_max=" + maxMessageSize + raise
                        + MqLimits.HARD_MSGSIZE_MAX + ")";
            }
        }
        return null;
    }

    /**
     * EBUSY from mq_notify: another registration holds the queue. Where an mqueue file system
     * is mounted, its file for the queue names the holder in NOTIFY_PID.
     */
    static String notifyBusy(String name) {
        int pid = notifyPid(name);
        String holder = pid > 0
                ? "process " + pid + (pid == ProcessHandle.current().pid() ? " (this process, through another handle)" : "")
                  + " holds it"
                : "another registration holds it (mount -t mqueue none /dev/mqueue and read NOTIFY_PID in"
                  + " /dev/mqueue" + name + " to see which process)";
        return "only one process may register for notification on a queue; " + holder
                + "; it ends when that process cancels it, closes the queue or is notified";
    }

    /** NOTIFY_PID of the queue from a mounted mqueue file system, or -1 when unknown. */
    static int notifyPid(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] parts = line.split(" ");
                int dash = java.util.Arrays.asList(parts).indexOf("-");
                if (dash < 0 || dash + 1 >= parts.length || !parts[dash + 1].equals("mqueue")) {
                    continue;
                }
                Path f = Path.of(parts[4] + name);
                if (!Files.isReadable(f)) {
                    continue;
                }
                String s = String.join(" ", Files.readAllLines(f)); // not readString: size 0 files
                int i = s.indexOf("NOTIFY_PID:");
                if (i >= 0) {
                    String v = s.substring(i + 11).trim().split("\\s+")[0];
                    return Integer.parseInt(v);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return -1;
    }
}
