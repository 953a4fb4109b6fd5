package dev.ipcj.sysv;

import java.time.Instant;

/**
 * A System V queue's {@code struct msqid_ds}, from msgctl(IPC_STAT). Times have one-second
 * resolution; {@link Instant#EPOCH} means "never".
 *
 * @param permissions    owner, creator, mode
 * @param messages       messages in the queue (msg_qnum)
 * @param bytes          payload bytes in the queue (msg_cbytes)
 * @param maxBytes       the queue's capacity in bytes (msg_qbytes; {@link SysvMessageQueue#setMaxBytes})
 * @param lastSendPid    pid of the last msgsnd
 * @param lastReceivePid pid of the last msgrcv
 * @param lastSend       time of the last msgsnd
 * @param lastReceive    time of the last msgrcv
 * @param lastChange     time of the last IPC_SET (or creation)
 */
public record MsgQueueStat(IpcPermissions permissions, long messages, long bytes, long maxBytes,
                           int lastSendPid, int lastReceivePid, Instant lastSend, Instant lastReceive,
                           Instant lastChange) {
    static MsgQueueStat from(long[] o) {
        return new MsgQueueStat(IpcPermissions.from(o), o[10], o[9], o[11], (int) o[12], (int) o[13],
                Instant.ofEpochSecond(o[6]), Instant.ofEpochSecond(o[7]), Instant.ofEpochSecond(o[8]));
    }
}
