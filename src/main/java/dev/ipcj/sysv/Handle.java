package dev.ipcj.sysv;

import dev.ipcj.ClosedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.IpcException;
import dev.ipcj.PermissionDeniedException;
import dev.ipcj.RemovedException;
import dev.ipcj.internal.Check;
import dev.ipcj.internal.Errno;

/**
 * What the three System V classes share: the id, how errors name the object, the closed flag.
 * A System V handle owns no descriptor (the id is just a number the kernel checks on every
 * call), so close() frees nothing; it makes later use through this handle an error, as
 * everywhere in ipcj.
 */
final class Handle {
    static final int IPC_CREAT = 01000;
    static final int IPC_EXCL = 02000;
    static final int IPC_NOWAIT = 04000;

    final String kind;
    final IpcKey key;
    final int id;
    /** "id 5" or "key 0x1ec00001 id 5": the object in error messages. */
    final String name;
    private volatile boolean closed;

    Handle(String kind, IpcKey key, int id) {
        this.kind = kind;
        this.key = key;
        this.id = id;
        this.name = key.isPrivate() ? "id " + id : "key " + key + " id " + id;
    }

    void check(String call) {
        if (closed) {
            throw new ClosedException(call, name, 0, "the " + kind + " handle is closed");
        }
    }

    /** check(call), then the id: for passing straight to a shim. */
    int check0(String call) {
        check(call);
        return id;
    }

    void close() {
        closed = true;
    }

    boolean isClosed() {
        return closed;
    }

    /** Permission bits a get asks the kernel for (it checks them against the object's mode). */
    static final int WANT_READ = 0400;
    static final int WANT_WRITE = 0200;
    static final int WANT_READ_WRITE = 0600;
    private static final int CAP_IPC_OWNER = 15;

    static IpcKey checkKey(String call, IpcKey key) {
        return Check.notNull(call, null, key, "key");
    }

    /**
     * Whether this process may use the object as {@code want} ({@link #WANT_READ},
     * {@link #WANT_WRITE}), computed as the kernel's ipcperms() does from the IPC_STAT fields
     * {@code out} (1 uid, 2 gid, 3 cuid, 4 cgid, 5 mode): PermissionDeniedException if not. For the
     * opens that cannot ask the kernel (an id, or an openOrCreate that found the object).
     */
    void checkAccess(String call, long[] out, int want, String forWhat) {
        long[] cred = credentials();
        if (cred == null) {
            return; // /proc unreadable: the first use will tell
        }
        long euid = cred[0];
        long mode = out[5] & 0777;
        long granted;
        if (euid == out[1] || euid == out[3]) {
            granted = mode >> 6;
        } else if (inGroup(cred, out[2]) || inGroup(cred, out[4])) {
            granted = mode >> 3;
        } else {
            granted = mode;
        }
        long requested = (want >> 6) & 7;
        if ((requested & ~granted & 7) != 0 && cred[2] == 0) {
            throw new PermissionDeniedException(call, name, Errno.EACCES, "the " + kind + "'s mode 0"
                    + Long.toOctalString(mode) + " (owner uid " + out[1] + ", gid " + out[2] + ") does not let uid "
                    + euid + " " + forWhat);
        }
    }

    private static boolean inGroup(long[] cred, long gid) {
        if (cred[1] == gid) {
            return true;
        }
        for (int i = 3; i < cred.length; i++) {
            if (cred[i] == gid) {
                return true;
            }
        }
        return false;
    }

    /** [euid, egid, CAP_IPC_OWNER ? 1 : 0, supplementary groups...] from /proc/self/status, or null. */
    private static long[] credentials() {
        String status = dev.ipcj.internal.SysFiles.readString("/proc/self/status");
        if (status == null) {
            return null;
        }
        long euid = -1;
        long egid = -1;
        long cap = 0;
        long[] groups = new long[0];
        try {
            for (String line : status.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (line.startsWith("Uid:") && f.length > 2) {
                    euid = Long.parseLong(f[2]);
                } else if (line.startsWith("Gid:") && f.length > 2) {
                    egid = Long.parseLong(f[2]);
                } else if (line.startsWith("Groups:")) {
                    groups = new long[f.length - 1];
                    for (int i = 1; i < f.length; i++) {
                        groups[i - 1] = Long.parseLong(f[i]);
                    }
                } else if (line.startsWith("CapEff:") && f.length > 1) {
                    cap = (Long.parseUnsignedLong(f[1], 16) >>> CAP_IPC_OWNER) & 1;
                }
            }
        } catch (RuntimeException e) {
            return null;
        }
        if (euid < 0 || egid < 0) {
            return null;
        }
        long[] out = new long[3 + groups.length];
        out[0] = euid;
        out[1] = egid;
        out[2] = cap;
        System.arraycopy(groups, 0, out, 3, groups.length);
        return out;
    }

    static void checkMode(String call, IpcKey key, int mode) {
        if ((mode & ~0777) != 0) {
            throw new InvalidArgumentException(call, "key " + key, 0,
                    "mode 0" + Integer.toOctalString(mode) + " has bits outside 0777");
        }
    }

    /** A failed xxxget(key): names what the errno means for a key. */
    static IpcException getError(String call, String kind, IpcKey key, int r, String limitDetail) {
        String obj = "key " + key;
        int e = -r;
        String detail = null;
        if (e == Errno.ENOENT) {
            detail = "no " + kind + " has key " + key + " (create it first, or use openOrCreate)";
        } else if (e == Errno.EEXIST) {
            detail = "a " + kind + " with key " + key + " exists already (open it, or remove it first)";
        } else if (e == Errno.EACCES) {
            detail = "the " + kind + "'s mode does not let this user open it for the access this handle needs";
        } else if (e == Errno.ENOSPC || e == Errno.EINVAL || e == Errno.ENOMEM) {
            detail = limitDetail;
        }
        return IpcException.of(call, obj, r, detail);
    }

    /**
     * The error for a call on an id whose arguments Java had already checked: an EINVAL/EIDRM
     * there means the id names no object any more.
     */
    IpcException idError(String call, int r, String otherDetail) {
        int e = -r;
        if (e == Errno.EIDRM) {
            return new RemovedException(call, name, e, "the " + kind + " was removed while waiting");
        }
        if (e == Errno.EINVAL && otherDetail == null) {
            return new RemovedException(call, name, e,
                    "no " + kind + " has id " + id + " any more (it was removed, or never existed)");
        }
        if (e == Errno.EACCES || e == Errno.EPERM) {
            return IpcException.of(call, name, r, otherDetail != null ? otherDetail
                    : "the " + kind + "'s mode or owner does not allow this");
        }
        return IpcException.of(call, name, r, otherDetail);
    }

    /** RemovedException for a call that waited and woke because the object was removed. */
    RemovedException removedWhileWaiting(String call) {
        return new RemovedException(call, name, Errno.EIDRM, "the " + kind + " was removed while waiting");
    }
}
