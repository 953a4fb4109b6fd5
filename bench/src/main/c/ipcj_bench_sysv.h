/*
 * ipcj_bench_sysv.h — the System V round trips of dev.ipcj.bench.SysvBenchmark, in C, against
 * the same peer process (src/test/c/sysv_peer.c msg-echo / sem-echo) the Java loops talk to.
 * Each runs n round trips and returns 0 or -errno.
 */
#ifndef IPCJ_BENCH_SYSV_H
#define IPCJ_BENCH_SYSV_H
#include "ipcj.h"

/* n times: msgsnd `size` bytes as type 1, msgrcv the echo of type 2. */
static inline int ipcj_bench_msg_pingpong(int id, long long size, long long n) {
    struct {
        long type;
        char text[8192];
    } out, in;
    if (size < 0 || size > (long long)sizeof out.text) return -EINVAL;
    memset(out.text, 'x', (size_t)size);
    out.type = 1;
    for (long long i = 0; i < n; i++) {
        if (msgsnd(id, &out, (size_t)size, 0) != 0) return -errno;
        while (msgrcv(id, &in, sizeof in.text, 2, 0) < 0) {
            if (errno != EINTR) return -errno;
        }
    }
    return 0;
}

/* n times: +1 on semaphore 0, -1 on semaphore 1 (the peer does the mirror image). */
static inline int ipcj_bench_sysv_sem_pingpong(int id, long long n) {
    struct sembuf post = {0, 1, 0};
    struct sembuf wait = {1, -1, 0};
    for (long long i = 0; i < n; i++) {
        if (semop(id, &post, 1) != 0) return -errno;
        while (semop(id, &wait, 1) != 0) {
            if (errno != EINTR) return -errno;
        }
    }
    return 0;
}
#endif
