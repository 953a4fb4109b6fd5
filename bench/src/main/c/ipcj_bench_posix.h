/*
 * ipcj_bench_posix.h — C loops measured beside the Java ones: an empty call, and a semaphore
 * ping-pong. Each runs n iterations and returns elapsed nanoseconds (or -errno).
 */
#ifndef IPCJ_BENCH_POSIX_H
#define IPCJ_BENCH_POSIX_H
#include "ipcj.h"

/* Kept out of line so the C loop really makes n calls. */
__attribute__((noinline)) static int ipcj_bench_nop_target(int x) {
    __asm__ volatile("" ::: "memory");
    return x;
}

/* n calls of an empty C function, from C. */
static inline long long ipcj_bench_nop_loop(long long n) {
    int acc = 0;
    for (long long i = 0; i < n; i++) acc += ipcj_bench_nop_target((int)i);
    return acc;
}

/* An empty shim: what Java pays to cross JNI into ipcj. */
static inline int ipcj_bench_nop(int x) { return x; }

/* n round trips: post `ping`, wait on `pong`. Returns 0 or -errno. */
static inline int ipcj_bench_sem_pingpong(long long ping, long long pong, long long n) {
    for (long long i = 0; i < n; i++) {
        if (sem_post((sem_t *)(intptr_t)ping) != 0) return -errno;
        while (sem_wait((sem_t *)(intptr_t)pong) != 0) {
            if (errno != EINTR) return -errno;
        }
    }
    return 0;
}
#endif
