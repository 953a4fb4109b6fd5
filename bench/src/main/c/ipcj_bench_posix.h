/*
 * ipcj_bench_posix.h — C loops measured beside the Java ones in PosixBenchmark: an empty
 * call, and a semaphore ping-pong with a peer process. One JNI call runs n iterations, so the
 * per-iteration figure JMH reports (@OperationsPerInvocation(n)) is C's own cost.
 */
#ifndef IPCJ_BENCH_POSIX_H
#define IPCJ_BENCH_POSIX_H
#include "ipcj.h"

/*
 * The C twin of Sys.nop(): out of line (noipa: no inlining, cloning or constant propagation
 * across the call), so the loop really makes n calls, each as empty as ipcj_nop.
 */
__attribute__((noipa)) static int ipcj_bench_nop_target(int x) {
    return x;
}

/* n calls of an empty C function, from C. Returns a sum so the calls cannot be dropped. */
static inline long long ipcj_bench_nop_loop(long long n) {
    long long acc = 0;
    for (long long i = 0; i < n; i++) acc += ipcj_bench_nop_target((int)i);
    return acc;
}

/*
 * n round trips with a peer that echoes (posix_peer sem-echo): post `ping`, wait on `pong`.
 * The same shims Java calls, so only the language differs. Returns 0 or -errno.
 */
static inline int ipcj_bench_sem_pingpong(long long ping, long long pong, long long n) {
    for (long long i = 0; i < n; i++) {
        int r = ipcj_sem_post(ping);
        if (r < 0) return r;
        while ((r = ipcj_sem_wait(pong)) == -EINTR) {
        }
        if (r < 0) return r;
    }
    return 0;
}

/* n rounds of sem_post + sem_trywait on one semaphore, no other process: the uncontended path. */
static inline int ipcj_bench_sem_post_trywait(long long sem, long long n) {
    for (long long i = 0; i < n; i++) {
        int r = ipcj_sem_post(sem);
        if (r < 0) return r;
        r = ipcj_sem_trywait(sem);
        if (r < 0) return r;
    }
    return 0;
}
#endif
