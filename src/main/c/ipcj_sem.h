/*
 * ipcj_sem.h — POSIX semaphores, named (sem_open) and unnamed (sem_init with pshared=1 on
 * memory inside a shared mapping). A sem_t is addressed by its raw address as a long.
 */
#ifndef IPCJ_SEM_H
#define IPCJ_SEM_H

#include "ipcj_common.h"
#include <fcntl.h>
#include <semaphore.h>

/* sizeof(sem_t): where an unnamed semaphore is placed, this many bytes belong to it. */
static inline int ipcj_sem_size(void) { return (int)sizeof(sem_t); }

/* sem_open(name, oflag, mode, value): the sem_t address, or -errno. */
static inline long long ipcj_sem_open(const char *name, int oflag, int mode, int value) {
    sem_t *s;
    if (name == NULL) return -EFAULT; /* see IPCJ_NULL_NAME in ipcj_common.h */
    s = (oflag & O_CREAT) ? sem_open(name, oflag, (mode_t)mode, (unsigned)value)
                                 : sem_open(name, oflag);
    return s == SEM_FAILED ? -errno : (long long)(intptr_t)s;
}

static inline int ipcj_sem_close(long long sem) {
    return ipcj_status(sem_close((sem_t *)(intptr_t)sem));
}

static inline int ipcj_sem_unlink(const char *name) {
    if (name == NULL) return -EFAULT;
    return ipcj_status(sem_unlink(name));
}

/* sem_init(sem, pshared, value) on memory the caller owns (normally a shared mapping). */
static inline int ipcj_sem_init(long long sem, int pshared, int value) {
    return ipcj_status(sem_init((sem_t *)(intptr_t)sem, pshared, (unsigned)value));
}

static inline int ipcj_sem_destroy(long long sem) {
    return ipcj_status(sem_destroy((sem_t *)(intptr_t)sem));
}

static inline int ipcj_sem_post(long long sem) {
    return ipcj_status(sem_post((sem_t *)(intptr_t)sem));
}

static inline int ipcj_sem_wait(long long sem) {
    return ipcj_status(sem_wait((sem_t *)(intptr_t)sem));
}

static inline int ipcj_sem_trywait(long long sem) {
    return ipcj_status(sem_trywait((sem_t *)(intptr_t)sem));
}

/* sem_timedwait with a deadline `nanos` from now on CLOCK_REALTIME (as POSIX requires). */
static inline int ipcj_sem_timedwait(long long sem, long long nanos) {
    struct timespec ts;
    ipcj_deadline(CLOCK_REALTIME, nanos, &ts);
    return ipcj_status(sem_timedwait((sem_t *)(intptr_t)sem, &ts));
}

/* sem_getvalue: the value (>= 0), or -errno. */
static inline int ipcj_sem_getvalue(long long sem) {
    int v = 0;
    if (sem_getvalue((sem_t *)(intptr_t)sem, &v) != 0) return -errno;
    return v < 0 ? 0 : v;
}

#endif /* IPCJ_SEM_H */
