package dev.ipcj.sysv;

import java.time.Instant;

/**
 * A System V segment's {@code struct shmid_ds}, from shmctl(IPC_STAT). Times have one-second
 * resolution; {@link Instant#EPOCH} means "never".
 *
 * @param permissions owner, creator, mode; the key reads IPC_PRIVATE once removed while attached
 * @param size        size in bytes as created
 * @param attachCount processes (attaches) currently attached
 * @param creatorPid  pid of the creator
 * @param lastPid     pid of the last shmat/shmdt
 * @param lastAttach  time of the last shmat
 * @param lastDetach  time of the last detach
 * @param lastChange  time of the last IPC_SET (or creation)
 * @param removed     IPC_RMID was done while processes were still attached (SHM_DEST): the
 *                    segment lives until the last of them detaches
 * @param locked      SHM_LOCK is in effect
 */
public record ShmStat(IpcPermissions permissions, long size, long attachCount, int creatorPid, int lastPid,
                      Instant lastAttach, Instant lastDetach, Instant lastChange, boolean removed, boolean locked) {
    static ShmStat from(long[] o) {
        return new ShmStat(IpcPermissions.from(o), o[6], o[12], (int) o[10], (int) o[11],
                Instant.ofEpochSecond(o[7]), Instant.ofEpochSecond(o[8]), Instant.ofEpochSecond(o[9]),
                (o[5] & 01000) != 0, (o[5] & 02000) != 0);
    }
}
