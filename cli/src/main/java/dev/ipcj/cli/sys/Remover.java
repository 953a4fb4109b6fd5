package dev.ipcj.cli.sys;

import dev.ipcj.IpcException;
import dev.ipcj.internal.Errno;
import dev.ipcj.jni.PosixMq;
import dev.ipcj.jni.PosixSem;
import dev.ipcj.jni.PosixShm;
import dev.ipcj.jni.SysvMsg;
import dev.ipcj.jni.SysvSem;
import dev.ipcj.jni.SysvShm;

/**
 * Removes one object the way its kind is removed, through ipcj's own bindings: shm_unlink,
 * sem_unlink, mq_unlink, and IPC_RMID for System V.
 */
public final class Remover {
    private Remover() {
    }

    /** Removes {@code o}; returns null on success, else the reason it failed. */
    public static String remove(IpcObject o) {
        switch (o.kind()) {
            case POSIX_SHM: {
                int r = PosixShm.shmUnlink(o.name());
                return r == 0 ? null : IpcException.of("shm_unlink", o.name(), r).getMessage();
            }
            case POSIX_SEM: {
                int r = PosixSem.semUnlink(o.name());
                return r == 0 ? null : IpcException.of("sem_unlink", o.name(), r).getMessage();
            }
            case POSIX_MQ: {
                int r = PosixMq.mqUnlink(o.name());
                return r == 0 ? null : IpcException.of("mq_unlink", o.name(), r).getMessage();
            }
            case SYSV_SHM:
                return rmid("shmctl(IPC_RMID)", o, SysvShm.shmctlRmid((int) o.id()));
            case SYSV_MSG:
                return rmid("msgctl(IPC_RMID)", o, SysvMsg.msgctlRmid((int) o.id()));
            default:
                return rmid("semctl(IPC_RMID)", o, SysvSem.semctlRmid((int) o.id()));
        }
    }

    /** A System V removal's outcome: EINVAL/EIDRM mean the id is gone (removed meanwhile). */
    private static String rmid(String call, IpcObject o, int r) {
        if (r == 0) {
            return null;
        }
        String detail = r == -Errno.EPERM ? "only the owner, the creator or root may remove it"
                : r == -Errno.EINVAL || r == -Errno.EIDRM ? "no such id any more (removed meanwhile?)" : null;
        return IpcException.of(call, "id " + o.id(), r, detail).getMessage();
    }
}
