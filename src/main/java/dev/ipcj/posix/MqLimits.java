package dev.ipcj.posix;

import dev.ipcj.internal.SysFiles;
import dev.ipcj.jni.PosixMq;
import dev.ipcj.jni.Sys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The live limits on POSIX message queues, read from {@code /proc/sys/fs/mqueue} and
 * {@code getrlimit(RLIMIT_MSGQUEUE)} when {@link #current()} is called (never cached, so a
 * {@code sysctl} shows at once).
 *
 * <p>What each limit means, and who it binds:
 * <pre>
 *  limit                               default   binds                     with CAP_SYS_RESOURCE
 *  ----------------------------------  --------  ------------------------  ------------------------
 *  fs.mqueue.msg_max                   10        maxMessages at create     up to 65536 (HARD_MSGMAX)
 *  fs.mqueue.msgsize_max               8192      maxMessageSize at create  up to 16 MiB
 *  fs.mqueue.queues_max                256       queues in the system      no limit
 *  RLIMIT_MSGQUEUE (ulimit -q)         819200    bytes of all queues of    the same (a process may
 *                                                the user (see bytesOf)    raise its own hard limit)
 *  fs.mqueue.msg_default, msgsize_default        the attributes of create() without sizes
 *  _SC_MQ_PRIO_MAX                     32768     priorities 0 .. 32767
 * </pre>
 *
 * @param msgMax          /proc/sys/fs/mqueue/msg_max
 * @param msgsizeMax      /proc/sys/fs/mqueue/msgsize_max
 * @param queuesMax       /proc/sys/fs/mqueue/queues_max
 * @param msgDefault      /proc/sys/fs/mqueue/msg_default
 * @param msgsizeDefault  /proc/sys/fs/mqueue/msgsize_default
 * @param rlimitSoft      RLIMIT_MSGQUEUE soft limit in bytes, -1 for unlimited
 * @param rlimitHard      RLIMIT_MSGQUEUE hard limit in bytes, -1 for unlimited
 * @param priorityMax     sysconf(_SC_MQ_PRIO_MAX): priorities are 0 .. priorityMax-1
 * @param capSysResource  whether this process has CAP_SYS_RESOURCE (which lifts msg_max,
 *                        msgsize_max and queues_max)
 */
public record MqLimits(long msgMax, long msgsizeMax, long queuesMax, long msgDefault, long msgsizeDefault,
                       long rlimitSoft, long rlimitHard, int priorityMax, boolean capSysResource) {
    /** HARD_MSGMAX: maxMessages a process with CAP_SYS_RESOURCE may ask for. */
    public static final long HARD_MSG_MAX = 65536;
    /** HARD_MSGSIZEMAX: maxMessageSize a process with CAP_SYS_RESOURCE may ask for (16 MiB). */
    public static final long HARD_MSGSIZE_MAX = 16L * 1024 * 1024;
    /** RLIMIT_MSGQUEUE in {@code <sys/resource.h>}. */
    public static final int RLIMIT_MSGQUEUE = 12;
    /** RLIMIT_NOFILE in {@code <sys/resource.h>}. */
    public static final int RLIMIT_NOFILE = 7;

    static final String DIR = "/proc/sys/fs/mqueue/";
    private static final int CAP_SYS_RESOURCE = 24;
    private static final int PRIO_MAX = PosixMq.mqPrioMax();

    /**
     * The limits as they are now.
     *
     * @return the limits, read from {@code /proc} and the resource limits
     */
    public static MqLimits current() {
        long[] rl = rlimit(RLIMIT_MSGQUEUE);
        return new MqLimits(
                SysFiles.readLong(DIR + "msg_max", -1),
                SysFiles.readLong(DIR + "msgsize_max", -1),
                SysFiles.readLong(DIR + "queues_max", -1),
                SysFiles.readLong(DIR + "msg_default", -1),
                SysFiles.readLong(DIR + "msgsize_default", -1),
                rl[0], rl[1], PRIO_MAX, hasCapSysResource());
    }

    /**
     * The largest maxMessages this process may ask for now.
     *
     * @return the largest maxMessages
     */
    public long effectiveMsgMax() {
        return capSysResource ? HARD_MSG_MAX : msgMax;
    }

    /**
     * The largest maxMessageSize this process may ask for now.
     *
     * @return the largest maxMessageSize in bytes
     */
    public long effectiveMsgsizeMax() {
        return capSysResource ? HARD_MSGSIZE_MAX : msgsizeMax;
    }

    /**
     * The bytes a queue counts against RLIMIT_MSGQUEUE, as the kernel computes them: the
     * messages plus, per message, a {@code struct msg_msg} header and (for up to 32768 messages)
     * a {@code struct posix_msg_tree_node}, 48 + 48 bytes on x86_64.
     *
     * @param maxMessages    the queue's most messages
     * @param maxMessageSize the queue's longest message in bytes
     * @return the bytes counted
     */
    public static long bytesOf(long maxMessages, long maxMessageSize) {
        return maxMessages * maxMessageSize + maxMessages * 48 + Math.min(maxMessages, 32768) * 48;
    }

    static int prioMax() {
        return PRIO_MAX;
    }

    static long[] rlimit(int resource) {
        long[] rl = new long[2];
        if (Sys.getrlimit(resource, rl) != 0) {
            rl[0] = -1;
            rl[1] = -1;
        }
        return rl;
    }

    static String rlimitText(long v) {
        return v < 0 ? "unlimited" : Long.toString(v);
    }

    /** Reads bit CAP_SYS_RESOURCE of CapEff in /proc/self/status. */
    static boolean hasCapSysResource() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    return (caps & (1L << CAP_SYS_RESOURCE)) != 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through: assume unprivileged, the common case
        }
        return false;
    }
}
