package dev.ipcj.sysv;

import dev.ipcj.ClosedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.IpcException;
import dev.ipcj.RemovedException;
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
            detail = "the " + kind + "'s mode does not let this user open it";
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
