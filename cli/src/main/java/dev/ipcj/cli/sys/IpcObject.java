package dev.ipcj.cli.sys;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * One IPC object found on the machine.
 *
 * @param kind       what it is
 * @param name       how {@code ipcj rm} names it: "/name" for POSIX objects, "shm:ID" etc. for System V
 * @param key        the System V key (as 0x%08x), null for POSIX
 * @param id         the System V id, -1 for POSIX
 * @param path       the file behind a POSIX object (/dev/shm/..., the mqueue mount), null for System V
 * @param uid        the owner's uid
 * @param mode       permission bits
 * @param size       bytes (shm size; bytes queued for a queue; semaphores in a SysV set), -1 unknown
 * @param creatorPid the creating process, -1 when nobody recorded it
 * @param creatorFrom where the creator pid comes from: "kernel" (System V cpid) or "name" (ipcj's naming
 *                   convention, see {@link dev.ipcj.internal.IpcjNames}), "" when unknown
 * @param ipcj       whether ipcj made it (see {@link dev.ipcj.internal.IpcjNames})
 * @param users      live processes that have it mapped or open (POSIX), empty if none or unknown
 * @param attached   System V shm attach count (nattch), -1 when not applicable
 * @param ctime      System V: the kernel's ctime (seconds; creation or last IPC_SET); POSIX: the file's
 *                   modification time in seconds; -1 unknown
 * @param about      what its header says, what it belongs to (lines for {@code ls}); empty for others
 * @param verdict    for ipcj's objects: whether {@code rm --dead} removes it, and why; null for others
 * @param mailbox    the mailbox (its header's name) this object is, or is part of; null for others
 */
public record IpcObject(Kind kind, String name, String key, long id, Path path, int uid, int mode, long size,
                        long creatorPid, String creatorFrom, boolean ipcj, Set<Long> users, long attached,
                        long ctime, List<String> about, Verdict verdict, String mailbox) {

    /** Whether {@code rm --dead} removes an object, and the reason it gives either way. */
    public record Verdict(boolean remove, String why) {
        static Verdict remove(String why) {
            return new Verdict(true, why);
        }

        static Verdict keep(String why) {
            return new Verdict(false, why);
        }
    }

    /** This object with what {@link Inventory} learnt from headers and names. */
    IpcObject with(long creatorPid, String creatorFrom, boolean ipcj, List<String> about, Verdict verdict,
                   String mailbox) {
        return new IpcObject(kind, name, key, id, path, uid, mode, size, creatorPid, creatorFrom, ipcj, users, attached,
                ctime, List.copyOf(about), verdict, mailbox);
    }

    /** The kinds of objects {@code ipcj ls} knows. */
    public enum Kind {
        POSIX_SHM("posix-shm"), POSIX_SEM("posix-sem"), POSIX_MQ("posix-mq"),
        SYSV_SHM("sysv-shm"), SYSV_MSG("sysv-msg"), SYSV_SEM("sysv-sem");

        public final String label;

        Kind(String label) {
            this.label = label;
        }

        public boolean posix() {
            return this == POSIX_SHM || this == POSIX_SEM || this == POSIX_MQ;
        }
    }

    /** "alive", "dead" or "unknown" for the creating process. */
    public String creatorState() {
        return creatorPid <= 0 ? "unknown" : Pids.state(creatorPid);
    }

    /** Whether some live process still uses it (maps or holds it open, or SysV attaches). */
    public boolean inUse() {
        return !users.isEmpty() || attached > 0;
    }
}
