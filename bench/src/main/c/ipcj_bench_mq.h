/*
 * ipcj_bench_mq.h — the C twins of MqBenchmark's Java loops, run through libjniIpcjBench in
 * the same JMH run: a round trip against the mq_peer echo process, and streaming sends.
 * Each runs n iterations and returns 0 or -errno.
 */
#ifndef IPCJ_BENCH_MQ_H
#define IPCJ_BENCH_MQ_H
#include "ipcj.h"

/* n round trips: send len bytes at buf to `ping`, receive the echo from `pong` into buf (cap bytes). */
static inline int ipcj_bench_mq_roundtrip(int ping, int pong, long long buf, long long len, long long cap,
                                          long long n) {
    char *b = (char *)(intptr_t)buf;
    for (long long i = 0; i < n; i++) {
        while (mq_send((mqd_t)ping, b, (size_t)len, 1) != 0) {
            if (errno != EINTR) return -errno;
        }
        while (mq_receive((mqd_t)pong, b, (size_t)cap, NULL) < 0) {
            if (errno != EINTR) return -errno;
        }
    }
    return 0;
}

/* n sends of len bytes at buf to q (blocking when the drain peer falls behind). */
static inline int ipcj_bench_mq_stream(int q, long long buf, long long len, long long n) {
    const char *b = (const char *)(intptr_t)buf;
    for (long long i = 0; i < n; i++) {
        while (mq_send((mqd_t)q, b, (size_t)len, 0) != 0) {
            if (errno != EINTR) return -errno;
        }
    }
    return 0;
}
/*
 * n times: send len bytes at buf to q, then receive it back from q, in one thread. No peer and
 * no sleeping: this isolates the cost of the calls from the scheduler's noise.
 */
static inline int ipcj_bench_mq_local(int q, long long buf, long long len, long long cap, long long n) {
    char *b = (char *)(intptr_t)buf;
    for (long long i = 0; i < n; i++) {
        if (mq_send((mqd_t)q, b, (size_t)len, 1) != 0) return -errno;
        if (mq_receive((mqd_t)q, b, (size_t)cap, NULL) < 0) return -errno;
    }
    return 0;
}
#endif
