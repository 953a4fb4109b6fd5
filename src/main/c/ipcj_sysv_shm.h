/*
 * ipcj_sysv_shm.h — System V shared memory: shmget, shmat, shmdt, shmctl.
 *
 * A segment is addressed by its id (an int). shmat returns the address as a long long;
 * Java wraps it in a dev.ipcj.MappedRegion, whose close() replaces the range by private zero
 * pages with mmap(MAP_FIXED): that drops the attach as shmdt would (the kernel's shm_close
 * runs for the replaced vma), while a racing Java thread reads zeros instead of faulting.
 * ipcj_shmdt stays for C users and for Java's own undo of an attach it cannot wrap.
 */
#ifndef IPCJ_SYSV_SHM_H
#define IPCJ_SYSV_SHM_H

#include "ipcj_sysv_ipc.h"
#include <sys/shm.h>

/* shmget(key, size, flags): the id, or -errno. flags: IPC_CREAT, IPC_EXCL and the mode bits. */
static inline int ipcj_shmget(int key, long long size, int flags) {
    return ipcj_value(shmget((key_t)key, (size_t)size, flags));
}

/* shmat(id, NULL, readOnly ? SHM_RDONLY : 0): the address, or -errno. */
static inline long long ipcj_shmat(int id, int readOnly) {
    void *p = shmat(id, NULL, readOnly ? SHM_RDONLY : 0);
    return p == (void *)-1 ? -errno : (long long)(intptr_t)p;
}

static inline int ipcj_shmdt(long long address) {
    return ipcj_status(shmdt((const void *)(intptr_t)address));
}

/*
 * shmctl(id, IPC_STAT): out[0..5] ipc_perm (see ipcj_sysv_ipc.h), then
 *   6 shm_segsz   7 shm_atime   8 shm_dtime   9 shm_ctime (seconds since the epoch)
 *   10 shm_cpid   11 shm_lpid   12 shm_nattch
 */
#define IPCJ_SHM_STAT_FIELDS 13
static inline int ipcj_shmctl_stat(int id, long long *out) {
    struct shmid_ds ds;
    if (shmctl(id, IPC_STAT, &ds) != 0) return -errno;
    ipcj_sysv_perm(&ds.shm_perm, out);
    out[6] = (long long)ds.shm_segsz;
    out[7] = (long long)ds.shm_atime;
    out[8] = (long long)ds.shm_dtime;
    out[9] = (long long)ds.shm_ctime;
    out[10] = (long long)ds.shm_cpid;
    out[11] = (long long)ds.shm_lpid;
    out[12] = (long long)ds.shm_nattch;
    return 0;
}

/* shmctl(id, IPC_SET): owner uid, gid and the permission bits (mode & 0777). */
static inline int ipcj_shmctl_set(int id, int uid, int gid, int mode) {
    struct shmid_ds ds;
    if (shmctl(id, IPC_STAT, &ds) != 0) return -errno;
    ipcj_sysv_perm_set(&ds.shm_perm, uid, gid, mode);
    return ipcj_status(shmctl(id, IPC_SET, &ds));
}

/* shmctl(id, IPC_RMID): the segment goes once the last process has detached. */
static inline int ipcj_shmctl_rmid(int id) {
    return ipcj_status(shmctl(id, IPC_RMID, NULL));
}

#endif /* IPCJ_SYSV_SHM_H */
