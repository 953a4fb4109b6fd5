/*
 * ipcj_sysv_sem.h — System V semaphore sets: semget, semop, semtimedop, semctl.
 *
 * semctl's fourth argument, `union semun`, is one the caller must declare itself (glibc does
 * not); it lives only here, in ipcj_semun, and each semctl command has its own shim, so Java
 * never sees the union.
 *
 * Operations are struct sembuf arrays, 6 bytes per operation, which Java builds in a reusable
 * direct buffer (dev.ipcj.sysv.SemOps) and passes by address:
 *
 *   offset  type             field
 *   0       unsigned short   sem_num   index in the set
 *   2       short            sem_op    >0 add, <0 wait until it can subtract, 0 wait for zero
 *   4       short            sem_flg   IPC_NOWAIT 04000, SEM_UNDO 010000
 *
 * ipcj_semop1 / ipcj_semtimedop1 do one operation without any buffer (the common case).
 */
#ifndef IPCJ_SYSV_SEM_H
#define IPCJ_SYSV_SEM_H

#include "ipcj_sysv_ipc.h"
#include <sys/sem.h>

union ipcj_semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
};

/* semget(key, nsems, flags): the id, or -errno. */
static inline int ipcj_semget(int key, int nsems, int flags) {
    return ipcj_value(semget((key_t)key, nsems, flags));
}

/* semop of `nsops` sembufs at `sops`, all or none: 0, or -errno (-EAGAIN: IPC_NOWAIT would block). */
static inline int ipcj_semop(int id, long long sops, int nsops) {
    return ipcj_status(semop(id, (struct sembuf *)(intptr_t)sops, (size_t)nsops));
}

/* semtimedop with a relative timeout of `nanos`: 0, or -errno (-EAGAIN also when the time ran out). */
static inline int ipcj_semtimedop(int id, long long sops, int nsops, long long nanos) {
    struct timespec ts;
    ipcj_relative(nanos, &ts);
    return ipcj_status(semtimedop(id, (struct sembuf *)(intptr_t)sops, (size_t)nsops, &ts));
}

/* One operation, without a buffer. */
static inline int ipcj_semop1(int id, int num, int op, int flags) {
    struct sembuf b;
    b.sem_num = (unsigned short)num;
    b.sem_op = (short)op;
    b.sem_flg = (short)flags;
    return ipcj_status(semop(id, &b, 1));
}

static inline int ipcj_semtimedop1(int id, int num, int op, int flags, long long nanos) {
    struct sembuf b;
    struct timespec ts;
    b.sem_num = (unsigned short)num;
    b.sem_op = (short)op;
    b.sem_flg = (short)flags;
    ipcj_relative(nanos, &ts);
    return ipcj_status(semtimedop(id, &b, 1, &ts));
}

/* semctl(id, num, GETVAL): the value (0..32767), or -errno. */
static inline int ipcj_semctl_getval(int id, int num) {
    return ipcj_value(semctl(id, num, GETVAL));
}

/* semctl(id, num, GETPID): pid of the last process that operated on semaphore num, or -errno. */
static inline int ipcj_semctl_getpid(int id, int num) {
    return ipcj_value(semctl(id, num, GETPID));
}

/* semctl(id, num, GETNCNT): how many wait for the value to increase, or -errno. */
static inline int ipcj_semctl_getncnt(int id, int num) {
    return ipcj_value(semctl(id, num, GETNCNT));
}

/* semctl(id, num, GETZCNT): how many wait for the value to become zero, or -errno. */
static inline int ipcj_semctl_getzcnt(int id, int num) {
    return ipcj_value(semctl(id, num, GETZCNT));
}

/* semctl(id, num, SETVAL, value): 0, or -errno (-ERANGE above SEMVMX 32767). */
static inline int ipcj_semctl_setval(int id, int num, int value) {
    union ipcj_semun u;
    u.val = value;
    return ipcj_status(semctl(id, num, SETVAL, u));
}

/* semctl(id, 0, GETALL) into the unsigned short array at `array` (nsems entries): 0, or -errno. */
static inline int ipcj_semctl_getall(int id, long long array) {
    union ipcj_semun u;
    u.array = (unsigned short *)(intptr_t)array;
    return ipcj_status(semctl(id, 0, GETALL, u));
}

/* semctl(id, 0, SETALL) from the unsigned short array at `array`: 0, or -errno. */
static inline int ipcj_semctl_setall(int id, long long array) {
    union ipcj_semun u;
    u.array = (unsigned short *)(intptr_t)array;
    return ipcj_status(semctl(id, 0, SETALL, u));
}

/*
 * semctl(id, 0, IPC_STAT): out[0..5] ipc_perm (see ipcj_sysv_ipc.h), then
 *   6 sem_otime (last semop, 0 = never: the creator has not initialised it yet)
 *   7 sem_ctime   8 sem_nsems
 */
#define IPCJ_SEM_STAT_FIELDS 9
static inline int ipcj_semctl_stat(int id, long long *out) {
    struct semid_ds ds;
    union ipcj_semun u;
    u.buf = &ds;
    if (semctl(id, 0, IPC_STAT, u) != 0) return -errno;
    ipcj_sysv_perm(&ds.sem_perm, out);
    out[6] = (long long)ds.sem_otime;
    out[7] = (long long)ds.sem_ctime;
    out[8] = (long long)ds.sem_nsems;
    return 0;
}

/* semctl(id, 0, IPC_SET): owner uid, gid and the permission bits. */
static inline int ipcj_semctl_set(int id, int uid, int gid, int mode) {
    struct semid_ds ds;
    union ipcj_semun u;
    u.buf = &ds;
    if (semctl(id, 0, IPC_STAT, u) != 0) return -errno;
    ipcj_sysv_perm_set(&ds.sem_perm, uid, gid, mode);
    return ipcj_status(semctl(id, 0, IPC_SET, u));
}

/* semctl(id, 0, IPC_RMID): at once; blocked semop calls wake with EIDRM. */
static inline int ipcj_semctl_rmid(int id) {
    return ipcj_status(semctl(id, 0, IPC_RMID));
}

#endif /* IPCJ_SYSV_SEM_H */
