/*
 * bench_common.h — the C side of `ipcj bench`: the same loop as dev.ipcj.cli.bench.Peer, for
 * the C twin of each mechanism. A twin bench_X.c defines the transport functions below and then
 * includes this file, which provides main():
 *
 *   bench_X server|client PLAN OUTDIR ENDPOINT ARGS...
 *
 * PLAN is "SIZE:WARMUP:ROUNDTRIPS:MESSAGES,..."; each streaming phase is run twice, the first
 * time unmeasured (so that Java's JIT has compiled the loop before it is timed). Output lines (stdout), as the Java peer's:
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

typedef struct { int size, warmup, rtts, msgs; } bench_step;

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
    int nsteps = 0, maxsize = 8;
    for (char *p = argv[2]; *p && nsteps < 64;) {
        bench_step *s = &steps[nsteps++];
        if (sscanf(p, "%d:%d:%d:%d", &s->size, &s->warmup, &s->rtts, &s->msgs) != 4) {
            printf("ERROR bad plan '%s'\n", argv[2]);
            return 2;
        }
        if (s->size > maxsize) maxsize = s->size;
        char *c = strchr(p, ',');
        if (!c) break;
        p = c + 1;
    }
    char *buf = calloc(1, (size_t)maxsize);
    if (!buf) { printf("ERROR out of memory\n"); return 1; }

    if (server) {
        char endpoint[256] = "-";
        CHECK(t_server_setup(argc - 5, argv + 5, endpoint, sizeof endpoint));
        printf("ready %s\n", endpoint); /* the Ready handshake of dev.ipcj.launch */
        fflush(stdout);
        CHECK(t_server_accept());
        for (int i = 0; i < nsteps; i++) {
            bench_step *s = &steps[i];
            for (int k = 0; k < s->warmup; k++) { CHECK(t_recv(buf, s->size)); CHECK(t_send(buf, s->size)); }
            long long c0 = bench_cpu(), t0 = bench_now();
            for (int k = 0; k < s->rtts; k++) { CHECK(t_recv(buf, s->size)); CHECK(t_send(buf, s->size)); }
            printf("PHASE lat %d %d %lld %lld\n", s->size, s->rtts, bench_now() - t0, bench_cpu() - c0);
            fflush(stdout);
            /* An unmeasured stream first, as the Java peer does (its JIT compiles the loop then). */
            for (int k = 0; k < s->msgs; k++) CHECK(t_recv(buf, s->size));
            CHECK(t_send(buf, s->size));
            c0 = bench_cpu(); t0 = bench_now();
            for (int k = 0; k < s->msgs; k++) CHECK(t_recv(buf, s->size));
            CHECK(t_send(buf, s->size));
            printf("PHASE tput %d %d %lld %lld\n", s->size, s->msgs, bench_now() - t0, bench_cpu() - c0);
            fflush(stdout);
        }
    } else {
        CHECK(t_client_setup(argc - 5, argv + 5, argv[4]));
        for (int i = 0; i < nsteps; i++) {
            bench_step *s = &steps[i];
            for (int k = 0; k < s->warmup; k++) { CHECK(t_send(buf, s->size)); CHECK(t_recv(buf, s->size)); }
            long long *rtt = malloc(sizeof *rtt * (size_t)(s->rtts > 0 ? s->rtts : 1));
            if (!rtt) { printf("ERROR out of memory\n"); return 1; }
            long long c0 = bench_cpu(), start = bench_now();
            for (int k = 0; k < s->rtts; k++) {
                long long t0 = bench_now();
                CHECK(t_send(buf, s->size));
                CHECK(t_recv(buf, s->size));
                rtt[k] = bench_now() - t0;
            }
            long long elapsed = bench_now() - start, cpu = bench_cpu() - c0;
            CHECK(bench_write_samples(dir, s->size, rtt, s->rtts));
            free(rtt);
            printf("PHASE lat %d %d %lld %lld\n", s->size, s->rtts, elapsed, cpu);
            fflush(stdout);
            for (int k = 0; k < s->msgs; k++) CHECK(t_send(buf, s->size));
            CHECK(t_recv(buf, s->size));
            c0 = bench_cpu(); start = bench_now();
            for (int k = 0; k < s->msgs; k++) CHECK(t_send(buf, s->size));
            CHECK(t_recv(buf, s->size));
            printf("PHASE tput %d %d %lld %lld\n", s->size, s->msgs, bench_now() - start, bench_cpu() - c0);
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
