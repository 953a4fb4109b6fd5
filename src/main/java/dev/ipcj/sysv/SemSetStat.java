package dev.ipcj.sysv;

import java.time.Instant;

/**
 * A System V set's {@code struct semid_ds}, from semctl(IPC_STAT). {@link Instant#EPOCH}
 * means "never".
 *
 * @param permissions   owner, creator, mode
 * @param size          semaphores in the set (sem_nsems)
 * @param lastOperation time of the last semop (sem_otime); EPOCH until the first one, which is
 *                      how {@link SemaphoreSet#openOrCreate} knows its creator has initialised it
 * @param lastChange    time of the last SETVAL/SETALL/IPC_SET (or creation)
 */
public record SemSetStat(IpcPermissions permissions, int size, Instant lastOperation, Instant lastChange) {
    static SemSetStat from(long[] o) {
        return new SemSetStat(IpcPermissions.from(o), (int) o[8], Instant.ofEpochSecond(o[6]),
                Instant.ofEpochSecond(o[7]));
    }

    /**
     * Whether any semop has been done on the set (sem_otime != 0).
     *
     * @return true once a semop was done
     */
    public boolean operatedOn() {
        return lastOperation.getEpochSecond() != 0;
    }
}
