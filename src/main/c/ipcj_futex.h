/*
 * ipcj_futex.h — futex wait/wake on a 32-bit word of a SHARED mapping, and membarrier().
 *
 * The word lives in memory that several processes map (the ring buffer's header), so these
 * use FUTEX_WAIT / FUTEX_WAKE, never the _PRIVATE variants: a private futex is keyed by the
 * (mm, address) of one process and would never see a wake from another process. A shared
 * futex is keyed by the page's backing object and offset, so every process mapping the same
 * shm object meets on the same key whatever address it mapped it at.
 *
 * membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED) is the "heavy" half of an asymmetric fence:
 * it makes every running thread of every process that registered with
 * MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED execute a full memory barrier before it returns.
 * A sleeper calls it on its slow path so that the waker, on its fast path, needs only a
 * compiler barrier between publishing and reading the sleeper's flag (see ipcj_ring.h).
 */
#ifndef IPCJ_FUTEX_H
#define IPCJ_FUTEX_H

#include "ipcj_common.h"
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MEMBARRIER_CMD_QUERY
#define MEMBARRIER_CMD_QUERY 0
#endif
#ifndef MEMBARRIER_CMD_GLOBAL_EXPEDITED
#define MEMBARRIER_CMD_GLOBAL_EXPEDITED (1 << 1)
#endif
#ifndef MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED
#define MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED (1 << 2)
#endif

/*
 * FUTEX_WAIT: sleep while *(int *)address == expected, at most `nanos` (relative; < 0 means
 * no timeout). 0 when woken (possibly spuriously), -EAGAIN when the word already differed,
 * -ETIMEDOUT, -EINTR (a signal, e.g. ipcj's interrupt signal), or another -errno.
 */
static inline int ipcj_futex_wait(long long address, int expected, long long nanos) {
    struct timespec ts;
    struct timespec *tp = NULL;
    if (nanos >= 0) {
        ipcj_relative(nanos, &ts);
        tp = &ts;
    }
    long r = syscall(SYS_futex, (int *)(intptr_t)address, FUTEX_WAIT, expected, tp, NULL, 0);
    return r == -1 ? -errno : 0;
}

/* FUTEX_WAKE: wake at most `count` waiters (INT_MAX: all). The number woken, or -errno. */
static inline int ipcj_futex_wake(long long address, int count) {
    long r = syscall(SYS_futex, (int *)(intptr_t)address, FUTEX_WAKE, count, NULL, NULL, 0);
    return r == -1 ? -errno : (int)r;
}

/* membarrier(cmd, 0, 0): the result (a mask for QUERY, 0 otherwise) or -errno. */
static inline int ipcj_membarrier(int cmd) {
    long r = syscall(SYS_membarrier, cmd, 0, 0);
    return r == -1 ? -errno : (int)r;
}

/* Registers this process so that other processes' GLOBAL_EXPEDITED barriers reach its threads. */
static inline int ipcj_membarrier_register(void) {
    int q = ipcj_membarrier(MEMBARRIER_CMD_QUERY);
    if (q < 0) return q;
    if (!(q & MEMBARRIER_CMD_GLOBAL_EXPEDITED) || !(q & MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED))
        return -ENOSYS;
    return ipcj_membarrier(MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED);
}

/* A full barrier on every running thread of every registered process. 0 or -errno. */
static inline int ipcj_membarrier_global(void) {
    return ipcj_membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED);
}

#endif /* IPCJ_FUTEX_H */
