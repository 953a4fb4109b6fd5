package dev.ipcj.cli.sys;

import java.nio.file.Path;
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
 *                   convention, see {@link IpcjMarker}), "" when unknown
 * @param ipcj       whether ipcj made it (see {@link IpcjMarker})
 * @param users      live processes that have it mapped or open (POSIX), empty if none or unknown
 * @param attached   System V shm attach count (nattch), -1 when not applicable
 */
public record IpcObject(Kind kind, String name, String key, long id, Path path, int uid, int mode, long size,
                        long creatorPid, String creatorFrom, boolean ipcj, Set<Long> users, long attached) {

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
        if (creatorPid <= 0) {
            return "unknown";
        }
        return ProcessHandle.of(creatorPid).map(ProcessHandle::isAlive).orElse(false) ? "alive" : "dead";
    }

    /** Whether some live process still uses it (maps or holds it open, or SysV attaches). */
    public boolean inUse() {
        return !users.isEmpty() || attached > 0;
    }
}
