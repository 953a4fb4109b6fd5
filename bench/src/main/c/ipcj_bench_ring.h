/*
 * ipcj_bench_ring.h — the C floors the ring benchmark reports beside Java, measured in the
 * same run: a process-shared sem_t ping-pong (the blocking floor), and the C twin of the ring
 * (ipcj_ring.h) streaming and ping-ponging between two processes. Each function forks its
 * peer (which runs only C code on memory mapped before the fork and then _exit()s), so the
 * measurement is between two real processes. Results are nanoseconds (or -errno).
 */
#ifndef IPCJ_BENCH_RING_H
#define IPCJ_BENCH_RING_H
#include "ipcj.h"
#include <sys/wait.h>

static inline long long ipcj_bench_now(void) { return ipcj_ring_now(); }

/* n round trips of two processes over two process-shared sem_t: ns per round trip. */
static inline long long ipcj_bench_sem_rtt(long long n) {
    sem_t *s = (sem_t *)mmap(NULL, 2 * sizeof(sem_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED) return -errno;
    sem_init(&s[0], 1, 0);
    sem_init(&s[1], 1, 0);
    pid_t c = fork();
    if (c < 0) return -errno;
    if (c == 0) {
        for (long long i = 0; i < n; i++) {
            while (sem_wait(&s[0]) != 0) {}
            sem_post(&s[1]);
        }
        _exit(0);
    }
    long long t = ipcj_bench_now();
    for (long long i = 0; i < n; i++) {
        sem_post(&s[0]);
        while (sem_wait(&s[1]) != 0) {}
    }
    t = ipcj_bench_now() - t;
    waitpid(c, NULL, 0);
    munmap(s, 2 * sizeof(sem_t));
    return t / n;
}

static inline void ipcj_bench_touch(void *ctx, const uint8_t *p, uint32_t len) {
    (void)len;
    *(volatile uint64_t *)ctx += *(const uint64_t *)(const void *)p;
}

/* C ring streaming: a forked consumer drains in batches; ns for n messages of `size` bytes. */
static inline long long ipcj_bench_cring_stream(const char *name, int capacity, int size, long long n) {
    ipcj_ring p, c;
    int rc = ipcj_ring_create(&p, name, IPCJ_RING_ONE_TO_ONE, (uint32_t)capacity, (uint32_t)(size < 4096 ? 4096 : size));
    if (rc < 0) return rc;
    ipcj_shm_unlink(name);
    c = p;
    ipcj_ring_attach_producer(&p);
    ipcj_ring_attach_consumer(&c);
    pid_t k = fork();
    if (k == 0) {
        volatile uint64_t sink = 0;
        long long got = 0;
        while (got < n) {
            int r = ipcj_ring_read(&c, ipcj_bench_touch, (void *)&sink, 1 << 30);
            if (r < 0) _exit(1);
            if (r == 0) ipcj_ring_pause();
            got += r;
        }
        _exit(0);
    }
    static uint8_t msg[1 << 16];
    long long t = ipcj_bench_now();
    for (long long i = 0; i < n; i++) {
        msg[0] = (uint8_t)i;
        while (ipcj_ring_offer(&p, msg, (uint32_t)size) == -EAGAIN) ipcj_ring_pause();
    }
    waitpid(k, NULL, 0);
    t = ipcj_bench_now() - t;
    ipcj_ring_close(&p);
    return t;
}

static inline void ipcj_bench_copy8(void *ctx, const uint8_t *p, uint32_t len) {
    (void)len;
    memcpy(ctx, p, 8);
}

/* C ring ping-pong (spinning, or blocking with spin = 0 via take/put): ns per round trip. */
static inline long long ipcj_bench_cring_rtt(const char *a, const char *b, int size, long long n, int blocking) {
    ipcj_ring pa, pb;
    int rc = ipcj_ring_create(&pa, a, IPCJ_RING_ONE_TO_ONE, 4096, 1024);
    if (rc < 0) return rc;
    rc = ipcj_ring_create(&pb, b, IPCJ_RING_ONE_TO_ONE, 4096, 1024);
    ipcj_shm_unlink(a);
    ipcj_shm_unlink(b);
    if (rc < 0) return rc;
    if (blocking) { pa.spin_nanos = 0; pb.spin_nanos = 0; }
    ipcj_ring ca = pa, cb = pb;
    ipcj_ring_attach_producer(&pa);
    ipcj_ring_attach_consumer(&ca);
    ipcj_ring_attach_producer(&pb);
    ipcj_ring_attach_consumer(&cb);
    static uint8_t msg[1024];
    pid_t k = fork();
    if (k == 0) {
        uint64_t v;
        for (long long i = 0; i < n; i++) {
            if (blocking) ipcj_ring_take(&ca, ipcj_bench_copy8, &v, 1, -1);
            else while (ipcj_ring_read(&ca, ipcj_bench_copy8, &v, 1) == 0) ipcj_ring_pause();
            if (blocking) ipcj_ring_put(&pb, msg, (uint32_t)size, -1);
            else while (ipcj_ring_offer(&pb, msg, (uint32_t)size) == -EAGAIN) ipcj_ring_pause();
        }
        _exit(0);
    }
    uint64_t v;
    long long t = ipcj_bench_now();
    for (long long i = 0; i < n; i++) {
        if (blocking) ipcj_ring_put(&pa, msg, (uint32_t)size, -1);
        else while (ipcj_ring_offer(&pa, msg, (uint32_t)size) == -EAGAIN) ipcj_ring_pause();
        if (blocking) ipcj_ring_take(&cb, ipcj_bench_copy8, &v, 1, -1);
        else while (ipcj_ring_read(&cb, ipcj_bench_copy8, &v, 1) == 0) ipcj_ring_pause();
    }
    t = ipcj_bench_now() - t;
    waitpid(k, NULL, 0);
    ipcj_ring_close(&pa);
    ipcj_ring_close(&pb);
    return t / n;
}
/*
 * Mixed-language streaming, to tell which Java side is slow: fork a C consumer (or producer)
 * on the ring `name` that a Java process created and attached to. The ring is opened before
 * the fork, so the child only runs ring code and _exit()s. The child's pid, or -errno; reap it
 * with ipcj_bench_wait.
 */
static inline int ipcj_bench_cring_fork(const char *name, int producer, int size, long long n) {
    ipcj_ring r;
    int rc = ipcj_ring_open(&r, name);
    if (rc < 0) return rc;
    pid_t k = fork();
    if (k < 0) { rc = -errno; ipcj_ring_close(&r); return rc; }
    if (k == 0) {
        r.pid = (int)getpid();
        if ((producer ? ipcj_ring_attach_producer(&r) : ipcj_ring_attach_consumer(&r)) < 0) _exit(2);
        static uint8_t msg[1 << 16];
        volatile uint64_t sink = 0;
        for (long long got = 0; got < n;) {
            if (producer) {
                msg[0] = (uint8_t)got;
                if (ipcj_ring_offer(&r, msg, (uint32_t)size) == 0) got++;
                else ipcj_ring_pause();
            } else {
                int k2 = ipcj_ring_read(&r, ipcj_bench_touch, (void *)&sink, 1 << 30);
                if (k2 < 0) _exit(1);
                if (k2 == 0) ipcj_ring_pause();
                got += k2;
            }
        }
        _exit(0);
    }
    ipcj_ring_close(&r);
    return (int)k;
}

/* waitpid: the child's exit status, or -errno. */
static inline int ipcj_bench_wait(int pid) {
    int status;
    if (waitpid((pid_t)pid, &status, 0) < 0) return -errno;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
#endif
