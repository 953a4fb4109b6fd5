/*
 * bench_common.h — the C side of `ipcj bench`: the same loop as dev.ipcj.cli.compare.Peer, for
 * the C twin of each mechanism. A twin bench_X.c defines the transport functions below and then
 * includes this file, which provides main():
 *
 *   bench_X server|client PLAN OUTDIR ENDPOINT ARGS...
 *
 * PLAN is "SIZE:WARMUP:ROUNDTRIPS:MESSAGES[:NANOS],..."; each streaming phase is run twice, the first
 * time unmeasured (so that Java's JIT has compiled the loop before it is timed). With NANOS above 0
 * the step is timed (ipcj bench --duration): the measured round trips and the measured stream run
 * for about NANOS each (the warm-ups for a quarter of it), the counts are upper bounds, and the
 * client decides, after each batch of min(64, count) messages, whether the phase goes on, and
 * records it in OUTDIR/ctl, which the server waits for (bench_ctl below; the same protocol as
 * dev.ipcj.cli.compare.Peer.Ctl).
 * Output lines (stdout), as the Java peer's:
 *   ready ENDPOINT / PHASE lat|tput SIZE COUNT ELAPSED_NS CPU_NS / DONE / ERROR text
 * The client writes its round-trip times (int64 ns, little-endian) to OUTDIR/lat-SIZE.bin.
 *
 * Transport functions (return 0, or -errno after setting bench_call to the failing call):
 *   int  t_server_setup(int argc, char **argv, char *endpoint, size_t cap);  create/bind, set endpoint
 *   int  t_server_accept(void);                                               wait for the client
 *   int  t_client_setup(int argc, char **argv, const char *endpoint);         connect/open
 *   int  t_send(char *buf, size_t n);   one message of n bytes
 *   int  t_recv(char *buf, size_t n);   exactly one message of n bytes
 *   void t_close(void);
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static const char *bench_call = "?";

static int t_server_setup(int argc, char **argv, char *endpoint, size_t cap);
static int t_server_accept(void);
static int t_client_setup(int argc, char **argv, const char *endpoint);
static int t_send(char *buf, size_t n);
static int t_recv(char *buf, size_t n);
static void t_close(void);

#define BENCH_FAIL(call) do { bench_call = (call); return -errno; } while (0)

static long long bench_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* user + system CPU of this process, ns. */
static long long bench_cpu(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ((long long)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL
         + ((long long)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
}

/* Full-message helpers for byte streams (pipe, sockets). */
static int bench_write_all(int fd, const char *buf, size_t n, const char *call) {
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            BENCH_FAIL(call);
        }
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

static int bench_read_all(int fd, char *buf, size_t n, const char *call) {
    while (n > 0) {
        ssize_t r = read(fd, buf, n);
        if (r < 0) {
            if (errno == EINTR) continue;
            BENCH_FAIL(call);
        }
        if (r == 0) { errno = EPIPE; BENCH_FAIL("read (the peer closed)"); }
        buf += r;
        n -= (size_t)r;
    }
    return 0;
}

typedef struct { int size, warmup, rtts, msgs; long long nanos; } bench_step;

/* ---- timed phases (see the top): the decision word in OUTDIR/ctl, and the loops ---- */

/* OUTDIR/ctl as int64 words: [0] batches decided by the client, [1] how many were stops,
 * [2..7] the batch numbers of the latest stops (a ring); see Peer.Ctl for why a ring. */
#define BENCH_RING 6
static volatile int64_t *bench_ctl;
static int64_t bench_batches, bench_stops;

static int bench_batch(int cap) { return cap < 64 ? (cap < 1 ? 1 : cap) : 64; }

static void bench_decide(int stop) {
    bench_batches++;
    if (stop) {
        __atomic_store_n(&bench_ctl[2 + bench_stops % BENCH_RING], bench_batches, __ATOMIC_RELEASE);
        bench_stops++;
        __atomic_store_n(&bench_ctl[1], bench_stops, __ATOMIC_RELEASE);
    }
    __atomic_store_n(&bench_ctl[0], bench_batches, __ATOMIC_RELEASE);
}

/* Server: 1 when the client stopped after this batch. */
static int bench_await(void) {
    bench_batches++;
    while (__atomic_load_n(&bench_ctl[0], __ATOMIC_ACQUIRE) < bench_batches) sched_yield();
    if (__atomic_load_n(&bench_ctl[1], __ATOMIC_ACQUIRE) > bench_stops
            && __atomic_load_n(&bench_ctl[2 + bench_stops % BENCH_RING], __ATOMIC_ACQUIRE) == bench_batches) {
        bench_stops++;
        return 1;
    }
    return 0;
}

/* Client: cap round trips, or (nanos > 0) whole batches until nanos have passed; rtt may be NULL. */
static int bench_round_trips(char *buf, int size, long long nanos, int cap, long long *rtt, int *done) {
    int b = nanos > 0 ? bench_batch(cap) : cap, n = 0;
    long long t0 = bench_now();
    for (;;) {
        for (int i = 0; i < b; i++, n++) {
            long long s0 = bench_now();
            int r = t_send(buf, (size_t)size);
            if (r < 0) return r;
            if ((r = t_recv(buf, (size_t)size)) < 0) return r;
            if (rtt) rtt[n] = bench_now() - s0;
        }
        if (nanos <= 0) break;
        int stop = n + b > cap || bench_now() - t0 >= nanos;
        bench_decide(stop);
        if (stop) break;
    }
    *done = n;
    return 0;
}

/* Client: streams cap messages (or timed, as above), then waits for the server's ack. */
static int bench_stream(char *buf, int size, long long nanos, int cap, int *done) {
    int b = nanos > 0 ? bench_batch(cap) : cap, n = 0, r;
    long long t0 = bench_now();
    for (;;) {
        for (int i = 0; i < b; i++, n++)
            if ((r = t_send(buf, (size_t)size)) < 0) return r;
        if (nanos <= 0) break;
        int stop = n + b > cap || bench_now() - t0 >= nanos;
        bench_decide(stop);
        if (stop) break;
    }
    if ((r = t_recv(buf, (size_t)size)) < 0) return r;
    *done = n;
    return 0;
}

/* Server: echoes cap messages, or (timed) batches until the client says stop. */
static int bench_echo(char *buf, int size, int timed, int cap, int *done) {
    int b = timed ? bench_batch(cap) : cap, n = 0, r;
    do {
        for (int i = 0; i < b; i++, n++) {
            if ((r = t_recv(buf, (size_t)size)) < 0) return r;
            if ((r = t_send(buf, (size_t)size)) < 0) return r;
        }
    } while (timed && !bench_await());
    *done = n;
    return 0;
}

/* Server: receives a stream as bench_echo does, then acknowledges it with one message. */
static int bench_sink(char *buf, int size, int timed, int cap, int *done) {
    int b = timed ? bench_batch(cap) : cap, n = 0, r;
    do {
        for (int i = 0; i < b; i++, n++)
            if ((r = t_recv(buf, (size_t)size)) < 0) return r;
    } while (timed && !bench_await());
    if ((r = t_send(buf, (size_t)size)) < 0) return r;
    *done = n;
    return 0;
}

static int bench_map_ctl(const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/ctl", dir);
    int fd = open(path, O_RDWR);
    if (fd < 0) BENCH_FAIL("open(ctl)");
    void *p = mmap(NULL, 8 * (2 + BENCH_RING), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) BENCH_FAIL("mmap(ctl)");
    bench_ctl = (volatile int64_t *)p;
    return 0;
}

static int bench_fail(int r) {
    printf("ERROR %s: %s\n", bench_call, strerror(-r));
    fflush(stdout);
    t_close();
    return 1;
}

#define CHECK(x) do { int r_ = (x); if (r_ < 0) return bench_fail(r_); } while (0)

static int bench_write_samples(const char *dir, int size, const long long *v, int n) {
    char path[4096];
    snprintf(path, sizeof path, "%s/lat-%d.bin", dir, size);
    FILE *f = fopen(path, "wb");
    if (!f) BENCH_FAIL("fopen(samples)");
    /* x86-64 and aarch64 are little-endian, as the file format asks. */
    size_t w = fwrite(v, sizeof *v, (size_t)n, f);
    if (fclose(f) != 0 || w != (size_t)n) BENCH_FAIL("fwrite(samples)");
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s server|client PLAN OUTDIR ENDPOINT ARGS...\n", argv[0]);
        return 2;
    }
    /* Never outlive the ipcj process that started us: a blocked read would hang forever. */
    pid_t parent = getppid();
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) return 3;

    int server = strcmp(argv[1], "server") == 0;
    const char *dir = argv[3];
    bench_step steps[64];
    int nsteps = 0, maxsize = 8, timed = 0;
    for (char *p = argv[2]; *p && nsteps < 64;) {
        bench_step *s = &steps[nsteps++];
        s->nanos = 0;
        int f = sscanf(p, "%d:%d:%d:%d:%lld", &s->size, &s->warmup, &s->rtts, &s->msgs, &s->nanos);
        if (f != 4 && f != 5) {
            printf("ERROR bad plan '%s'\n", argv[2]);
            return 2;
        }
        if (s->nanos > 0) timed = 1;
        if (s->size > maxsize) maxsize = s->size;
        char *c = strchr(p, ',');
        if (!c) break;
        p = c + 1;
    }
    char *buf = calloc(1, (size_t)maxsize);
    if (!buf) { printf("ERROR out of memory\n"); return 1; }
    if (timed) CHECK(bench_map_ctl(dir));

    if (server) {
        char endpoint[256] = "-";
        CHECK(t_server_setup(argc - 5, argv + 5, endpoint, sizeof endpoint));
        printf("ready %s\n", endpoint); /* the Ready handshake of dev.ipcj.launch */
        fflush(stdout);
        CHECK(t_server_accept());
        for (int i = 0; i < nsteps; i++) {
            bench_step *s = &steps[i];
            int t = s->nanos > 0, n;
            CHECK(bench_echo(buf, s->size, t, s->warmup, &n));
            long long c0 = bench_cpu(), t0 = bench_now();
            CHECK(bench_echo(buf, s->size, t, s->rtts, &n));
            printf("PHASE lat %d %d %lld %lld\n", s->size, n, bench_now() - t0, bench_cpu() - c0);
            fflush(stdout);
            /* An unmeasured stream first, as the Java peer does (its JIT compiles the loop then). */
            CHECK(bench_sink(buf, s->size, t, s->msgs, &n));
            c0 = bench_cpu(); t0 = bench_now();
            CHECK(bench_sink(buf, s->size, t, s->msgs, &n));
            printf("PHASE tput %d %d %lld %lld\n", s->size, n, bench_now() - t0, bench_cpu() - c0);
            fflush(stdout);
        }
    } else {
        CHECK(t_client_setup(argc - 5, argv + 5, argv[4]));
        for (int i = 0; i < nsteps; i++) {
            bench_step *s = &steps[i];
            int n;
            CHECK(bench_round_trips(buf, s->size, s->nanos / 4, s->warmup, NULL, &n));
            long long *rtt = malloc(sizeof *rtt * (size_t)(s->rtts > 0 ? s->rtts : 1));
            if (!rtt) { printf("ERROR out of memory\n"); return 1; }
            long long c0 = bench_cpu(), start = bench_now();
            CHECK(bench_round_trips(buf, s->size, s->nanos, s->rtts, rtt, &n));
            long long elapsed = bench_now() - start, cpu = bench_cpu() - c0;
            CHECK(bench_write_samples(dir, s->size, rtt, n));
            free(rtt);
            printf("PHASE lat %d %d %lld %lld\n", s->size, n, elapsed, cpu);
            fflush(stdout);
            CHECK(bench_stream(buf, s->size, s->nanos / 4, s->msgs, &n));
            c0 = bench_cpu(); start = bench_now();
            CHECK(bench_stream(buf, s->size, s->nanos, s->msgs, &n));
            printf("PHASE tput %d %d %lld %lld\n", s->size, n, bench_now() - start, bench_cpu() - c0);
            fflush(stdout);
        }
    }
    t_close();
    printf("DONE\n");
    fflush(stdout);
    free(buf);
    return 0;
}
#endif
