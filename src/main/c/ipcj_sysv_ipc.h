/*
 * ipcj_sysv_ipc.h — what System V shared memory, message queues and semaphore sets share:
 * keys (ftok) and the flattening of struct ipc_perm into the long[] out-parameters of the
 * IPC_STAT shims. Included by ipcj_sysv_shm.h, ipcj_sysv_msg.h and ipcj_sysv_sem.h.
 *
 * Every *_stat shim fills out[0..5] with the ipc_perm fields, in this order:
 *
 *   index  field            note
 *   -----  ---------------  -------------------------------------------------------------
 *   0      __key            the key as an unsigned 32-bit number; 0 (IPC_PRIVATE) once
 *                           the object was removed while still in use
 *   1      uid              owner
 *   2      gid
 *   3      cuid             creator
 *   4      cgid
 *   5      mode             permission bits, plus for shm SHM_DEST (01000) and SHM_LOCKED (02000)
 *
 * and from out[6] on the fields of its own struct (documented next to the shim).
 */
#ifndef IPCJ_SYSV_IPC_H
#define IPCJ_SYSV_IPC_H

#include "ipcj_common.h"
#include <sys/ipc.h>
#include <sys/types.h>

#define IPCJ_PERM_FIELDS 6

/* ftok(path, proj): the key as an unsigned 32-bit number (0..2^32-1), or -errno. */
static inline long long ipcj_ftok(const char *path, int proj) {
    key_t k;
    if (path == NULL) return -EFAULT; /* see IPCJ_NULL_NAME in ipcj_common.h */
    errno = 0;
    k = ftok(path, proj);
    if (k == (key_t)-1 && errno != 0) {
        /* ftok returns -1 both for failure and, in theory, for a key 0xffffffff: errno decides. */
        return -errno;
    }
    return (long long)(unsigned int)k;
}

static inline void ipcj_sysv_perm(const struct ipc_perm *p, long long *out) {
    out[0] = (long long)(unsigned int)p->__key;
    out[1] = (long long)p->uid;
    out[2] = (long long)p->gid;
    out[3] = (long long)p->cuid;
    out[4] = (long long)p->cgid;
    out[5] = (long long)p->mode;
}

/* Copy the settable fields of ipc_perm (uid, gid, mode's low 9 bits) for an IPC_SET. */
static inline void ipcj_sysv_perm_set(struct ipc_perm *p, int uid, int gid, int mode) {
    p->uid = (uid_t)uid;
    p->gid = (gid_t)gid;
    p->mode = (p->mode & ~0777) | (mode & 0777);
}

#endif /* IPCJ_SYSV_IPC_H */
