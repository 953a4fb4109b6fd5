package dev.ipcj.sysv;

/**
 * The {@code struct ipc_perm} of a System V object, as IPC_STAT reports it.
 *
 * @param key        the key; {@link IpcKey#PRIVATE} also once a segment was removed while attached
 * @param uid        owner user id (IPC_SET may change it)
 * @param gid        owner group id
 * @param creatorUid creator user id (never changes)
 * @param creatorGid creator group id
 * @param mode       permission bits, e.g. {@code 0600}
 */
public record IpcPermissions(IpcKey key, int uid, int gid, int creatorUid, int creatorGid, int mode) {
    static IpcPermissions from(long[] out) {
        return new IpcPermissions(IpcKey.of((int) out[0]), (int) out[1], (int) out[2], (int) out[3],
                (int) out[4], (int) (out[5] & 0777));
    }

    @Override
    public String toString() {
        return "IpcPermissions[key=" + key + ", uid=" + uid + ", gid=" + gid + ", creatorUid=" + creatorUid
                + ", creatorGid=" + creatorGid + ", mode=0" + Integer.toOctalString(mode) + "]";
    }
}
