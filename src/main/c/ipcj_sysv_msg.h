/*
 * ipcj_sysv_msg.h — System V message queues: msgget, msgsnd, msgrcv, msgctl.
 *
 * The kernel wants a message as struct msgbuf { long mtype; char mtext[]; }. The fast shims
 * (ipcj_msgsnd, ipcj_msgrcv) take the address of exactly that layout, which Java keeps in a
 * reusable direct buffer (dev.ipcj.sysv.SysvMessage): the only copy is the kernel's own.
 * ipcj_msgsnd_copy sends bytes that lie anywhere (any direct buffer): it builds the msgbuf on
 * the stack, copying the bytes in through the kernel (process_vm_readv on this process), never
 * with memcpy: the bytes may lie in a mapping another process truncates, and a vanished page
 * must be EFAULT, not SIGBUS in the JVM. Above IPCJ_MSG_STACK bytes it uses malloc, the one
 * shim that allocates, because a stack frame of msgmax bytes (up to 2 GiB) is not safe.
 *
 * Flags are the kernel's: IPC_NOWAIT 04000, MSG_NOERROR 010000, MSG_EXCEPT 020000.
 */
#ifndef IPCJ_SYSV_MSG_H
#define IPCJ_SYSV_MSG_H

#include "ipcj_sysv_ipc.h"
#include <stdlib.h>
#include <sys/msg.h>
#include <sys/uio.h>
#include <unistd.h>

#define IPCJ_MSG_STACK 16384

/* msgget(key, flags): the id, or -errno. */
static inline int ipcj_msgget(int key, int flags) {
    return ipcj_value(msgget((key_t)key, flags));
}

/* msgsnd of the msgbuf at `msgp` (8-byte mtype, then `size` bytes): 0, or -errno. */
static inline int ipcj_msgsnd(int id, long long msgp, long long size, int flags) {
    return ipcj_status(msgsnd(id, (const void *)(intptr_t)msgp, (size_t)size, flags));
}

/*
 * Copy `size` bytes from `src` (caller memory, possibly a mapping another process can truncate)
 * to `dst` (this shim's own buffer) through the kernel: process_vm_readv on this very process,
 * so that a vanished page is EFAULT instead of SIGBUS in memcpy. 0, -EFAULT, or -errno (-ENOSYS,
 * -EPERM where a seccomp filter refuses the call).
 */
static inline int ipcj_copy_in(void *dst, long long src, long long size) {
    struct iovec local;
    struct iovec remote;
    ssize_t n;
    local.iov_base = dst;
    local.iov_len = (size_t)size;
    remote.iov_base = (void *)(intptr_t)src;
    remote.iov_len = (size_t)size;
    n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
    if (n < 0) return -errno;
    return n == (ssize_t)size ? 0 : -EFAULT; /* a short copy: the source ended in a hole */
}

/*
 * msgsnd of `size` bytes at `data` with type `type`, copied into a msgbuf first: 0, or -errno.
 * The copy goes through the kernel (ipcj_copy_in): the shim never dereferences `data` itself.
 */
static inline int ipcj_msgsnd_copy(int id, long long type, long long data, long long size, int flags) {
    struct {
        long mtype;
        char mtext[IPCJ_MSG_STACK];
    } local;
    char *heap = NULL;
    long *msg = &local.mtype;
    int r;
    if (size < 0) return -EINVAL;
    if (size > IPCJ_MSG_STACK) {
        heap = (char *)malloc(sizeof(long) + (size_t)size);
        if (heap == NULL) return -ENOMEM;
        msg = (long *)(void *)heap;
    }
    msg[0] = (long)type;
    r = size > 0 ? ipcj_copy_in(msg + 1, data, size) : 0;
    if (r == 0) r = ipcj_status(msgsnd(id, msg, (size_t)size, flags));
    if (heap != NULL) {
        int saved = r;
        free(heap);
        r = saved;
    }
    return r;
}

/*
 * msgrcv into the msgbuf at `msgp`, whose mtext holds `size` bytes: the message's byte count
 * (mtype is written to the first 8 bytes), or -errno. -ENOMSG: IPC_NOWAIT and nothing matched.
 */
static inline long long ipcj_msgrcv(int id, long long msgp, long long size, long long type, int flags) {
    ssize_t n = msgrcv(id, (void *)(intptr_t)msgp, (size_t)size, (long)type, flags);
    return n < 0 ? -errno : (long long)n;
}

/*
 * msgctl(id, IPC_STAT): out[0..5] ipc_perm (see ipcj_sysv_ipc.h), then
 *   6 msg_stime   7 msg_rtime   8 msg_ctime (seconds since the epoch)
 *   9 msg_cbytes (bytes queued)  10 msg_qnum (messages queued)  11 msg_qbytes (max bytes)
 *   12 msg_lspid  13 msg_lrpid
 */
#define IPCJ_MSG_STAT_FIELDS 14
static inline int ipcj_msgctl_stat(int id, long long *out) {
    struct msqid_ds ds;
    if (msgctl(id, IPC_STAT, &ds) != 0) return -errno;
    ipcj_sysv_perm(&ds.msg_perm, out);
    out[6] = (long long)ds.msg_stime;
    out[7] = (long long)ds.msg_rtime;
    out[8] = (long long)ds.msg_ctime;
    out[9] = (long long)ds.__msg_cbytes;
    out[10] = (long long)ds.msg_qnum;
    out[11] = (long long)ds.msg_qbytes;
    out[12] = (long long)ds.msg_lspid;
    out[13] = (long long)ds.msg_lrpid;
    return 0;
}

/*
 * msgctl(id, IPC_SET): owner uid, gid, permission bits and msg_qbytes (the queue's capacity
 * in bytes; raising it above /proc/sys/kernel/msgmnb needs CAP_SYS_RESOURCE).
 */
static inline int ipcj_msgctl_set(int id, int uid, int gid, int mode, long long qbytes) {
    struct msqid_ds ds;
    if (msgctl(id, IPC_STAT, &ds) != 0) return -errno;
    ipcj_sysv_perm_set(&ds.msg_perm, uid, gid, mode);
    ds.msg_qbytes = (msglen_t)qbytes;
    return ipcj_status(msgctl(id, IPC_SET, &ds));
}

/* msgctl(id, IPC_RMID): at once; blocked senders and receivers wake with EIDRM. */
static inline int ipcj_msgctl_rmid(int id) {
    return ipcj_status(msgctl(id, IPC_RMID, NULL));
}

#endif /* IPCJ_SYSV_MSG_H */
