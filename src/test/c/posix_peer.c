/*
 * posix_peer — the C side of the POSIX cross-process tests and benchmarks. It uses ipcj's
 * shims (ipcj.h) the way a C user of the header-only library would. The mode is argv[1]:
 *
 *   write-shm NAME SIZE VALUE TEXT   create NAME (exclusive), SIZE bytes, write the layout
 *                                    below, print "ready", wait for EOF on stdin, exit
 *   read-shm NAME                    open NAME, check its size, print "VALUE TEXT SUM"
 *   sem-echo PING PONG N             open both named semaphores, print "ready", then N times
 *                                    (N = 0: for ever) wait PING, post PONG
 *   unnamed NAME init|attach N       map NAME; "init" sem_init()s the two semaphores below
 *                                    (Java attaches), "attach" uses those Java initialised;
 *                                    print "ready", then N rounds (0: for ever): wait REQ,
 *                                    answer, post RESP
 *   sem-churn NAME N                 open the named semaphore, print "ready", then N times: wait,
 *                                    post (a token passed around by every churner); "churned N"
 *   sem-churn-timed NAME MS          for MS milliseconds: sem_timedwait (10 ms), post if it got one;
 *                                    every outcome counted, for hostile tests (glibc may abort on
 *                                    scribbled bytes: that is the point); prints "churned A T E"
 *                                    (acquired, timed out, other errors)
 *   produce NAME EMPTY FULL N        bounded buffer in NAME, guarded by the named semaphores
 *   consume NAME EMPTY FULL N        EMPTY (free slots) and FULL (filled slots); the consumer
 *                                    checks every record and prints "consumed N SUM"
 *
 * Shared memory of write-shm / read-shm:
 *
 *   offset  size        field
 *   ------  ----------  -----------------------------------------------
 *   0       8           VALUE, a long in native byte order
 *   8       248         TEXT, NUL-terminated (at most 247 bytes)
 *   256     SIZE - 256  byte i holds (i * 31) & 0xff; SUM is the sum of these bytes
 *
 * Shared memory of unnamed (at least 256 bytes):
 *
 *   offset  size  field
 *   ------  ----  -----------------------------------------------
 *   0       32    REQ: sem_t, posted by Java when a request is in place
 *   64      32    RESP: sem_t, posted by the peer when the answer is in place
 *   128     8     request: a long
 *   136     8     answer: request * 2 + 1
 *
 * Bounded buffer of produce / consume (SLOTS * 16 bytes; slot = seq % SLOTS):
 *
 *   offset        size  field
 *   ------------  ----  -----------------------------------------------
 *   slot*16       8     seq, 0..N-1
 *   slot*16 + 8   8     seq * 0x9E3779B97F4A7C15 (a check the consumer recomputes)
 *
 * Exit status: 0 on success, 2 on wrong usage, 3 when a call fails or data is wrong (the
 * reason is printed). The peer asks to be killed when its parent dies, so a crashed test
 * leaves no blocked child behind.
 */
#include "ipcj.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>

#define SLOTS 16
#define RECORD_MIX 0x9E3779B97F4A7C15ULL
#define TEXT_MAX 248
#define PATTERN_AT 256

static int fail(const char *what, const char *name, int err) {
    printf("posix_peer: %s(%s): %s\n", what, name, strerrorname_np(err < 0 ? -err : err));
    fflush(stdout);
    return 3;
}

static void ready(void) {
    printf("ready\n");
    fflush(stdout);
}

static long long parse(const char *s) {
    return strtoll(s, NULL, 0);
}

/* Opens NAME and maps all of it read-write; *size receives its size. NULL on failure. */
static unsigned char *map_existing(const char *name, long long min_size, long long *size) {
    long long st[4] = {0, 0, 0, 0};
    int fd = ipcj_shm_open(name, O_RDWR, 0);
    if (fd < 0) {
        fail("shm_open", name, fd);
        return NULL;
    }
    int r = ipcj_fstat(fd, st);
    if (r < 0 || st[0] < min_size) {
        if (r < 0) fail("fstat", name, r);
        else printf("posix_peer: %s has %lld bytes, fewer than %lld\n", name, st[0], min_size);
        ipcj_close(fd);
        return NULL;
    }
    long long a = ipcj_mmap_shared(fd, st[0], PROT_READ | PROT_WRITE, 0);
    ipcj_close(fd);
    if (a < 0 && a > -4096) {
        fail("mmap", name, (int)a);
        return NULL;
    }
    *size = st[0];
    return (unsigned char *)(intptr_t)a;
}

/* sem_wait, retrying EINTR. */
static int wait_sem(long long sem) {
    int r;
    while ((r = ipcj_sem_wait(sem)) == -EINTR) {
    }
    return r;
}

static long long open_sem(const char *name) {
    long long s = ipcj_sem_open(name, 0, 0, 0);
    if (s < 0 && s > -4096) {
        fail("sem_open", name, (int)s);
        return 0;
    }
    return s;
}

static int write_shm(const char *name, long long size, long long value, const char *text) {
    if (size < PATTERN_AT || strlen(text) >= TEXT_MAX) return 2;
    int fd = ipcj_shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0) return fail("shm_open", name, fd);
    int r = ipcj_ftruncate(fd, size);
    if (r < 0) return fail("ftruncate", name, r);
    long long a = ipcj_mmap_shared(fd, size, PROT_READ | PROT_WRITE, 0);
    ipcj_close(fd);
    if (a < 0 && a > -4096) return fail("mmap", name, (int)a);
    unsigned char *p = (unsigned char *)(intptr_t)a;
    memcpy(p, &value, 8);
    strcpy((char *)p + 8, text);
    for (long long i = PATTERN_AT; i < size; i++) p[i] = (unsigned char)((i * 31) & 0xff);
    ready();
    /* Keep the mapping until the test says it has read (closes our stdin). */
    while (getchar() != EOF) {
    }
    ipcj_munmap(a, size);
    return 0;
}

static int read_shm(const char *name) {
    long long size;
    unsigned char *p = map_existing(name, PATTERN_AT, &size);
    if (p == NULL) return 3;
    long long value;
    memcpy(&value, p, 8);
    /* The text is another process's bytes: never trust it to be terminated. */
    size_t len = strnlen((const char *)p + 8, TEXT_MAX);
    if (len == TEXT_MAX) {
        printf("posix_peer: %s: the text at offset 8 is not NUL-terminated\n", name);
        return 3;
    }
    unsigned long long sum = 0;
    for (long long i = PATTERN_AT; i < size; i++) {
        if (p[i] != (unsigned char)((i * 31) & 0xff)) {
            printf("posix_peer: %s: byte %lld is %u, expected %u\n", name, i, p[i],
                   (unsigned)((i * 31) & 0xff));
            return 3;
        }
        sum += p[i];
    }
    printf("%lld %.*s %llu\n", value, (int)len, (const char *)p + 8, sum);
    ipcj_munmap((long long)(intptr_t)p, size);
    return 0;
}

static int sem_echo(const char *ping_name, const char *pong_name, long long n) {
    long long ping = open_sem(ping_name), pong = open_sem(pong_name);
    if (ping == 0 || pong == 0) return 3;
    ready();
    for (long long i = 0; n == 0 || i < n; i++) {
        int r = wait_sem(ping);
        if (r < 0) return fail("sem_wait", ping_name, r);
        r = ipcj_sem_post(pong);
        if (r < 0) return fail("sem_post", pong_name, r);
    }
    ipcj_sem_close(ping);
    ipcj_sem_close(pong);
    return 0;
}

static int sem_churn(const char *name, long long n) {
    long long s = open_sem(name);
    if (s == 0) return 3;
    ready();
    for (long long i = 0; i < n; i++) {
        int r = wait_sem(s);
        if (r < 0) return fail("sem_wait", name, r);
        r = ipcj_sem_post(s);
        if (r < 0) return fail("sem_post", name, r);
    }
    printf("churned %lld\n", n);
    ipcj_sem_close(s);
    return 0;
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int sem_churn_timed(const char *name, long long ms) {
    long long s = open_sem(name);
    long long acquired = 0, timedout = 0, errors = 0;
    if (s == 0) return 3;
    ready();
    for (long long end = now_ms() + ms; now_ms() < end;) {
        int r = ipcj_sem_timedwait(s, 10000000LL);
        if (r == 0) {
            acquired++;
            if (ipcj_sem_post(s) < 0) errors++;
        } else if (r == -ETIMEDOUT) {
            timedout++;
        } else if (r != -EINTR) {
            errors++;
        }
    }
    printf("churned %lld %lld %lld\n", acquired, timedout, errors);
    return 0;
}

static int unnamed(const char *name, const char *how, long long n) {
    long long size;
    unsigned char *p = map_existing(name, 256, &size);
    if (p == NULL) return 3;
    long long req = (long long)(intptr_t)p, resp = (long long)(intptr_t)(p + 64);
    if (strcmp(how, "init") == 0) {
        int r = ipcj_sem_init(req, 1, 0);
        if (r == 0) r = ipcj_sem_init(resp, 1, 0);
        if (r < 0) return fail("sem_init", name, r);
    } else if (strcmp(how, "attach") != 0) {
        return 2;
    }
    ready();
    for (long long i = 0; n == 0 || i < n; i++) {
        int r = wait_sem(req);
        if (r < 0) return fail("sem_wait", name, r);
        long long v;
        memcpy(&v, p + 128, 8);
        v = v * 2 + 1;
        memcpy(p + 136, &v, 8);
        r = ipcj_sem_post(resp);
        if (r < 0) return fail("sem_post", name, r);
    }
    ipcj_munmap((long long)(intptr_t)p, size);
    return 0;
}

static int bounded(int produce, const char *name, const char *empty_name, const char *full_name,
                   long long n) {
    long long size;
    unsigned char *p = map_existing(name, SLOTS * 16, &size);
    if (p == NULL) return 3;
    long long empty = open_sem(empty_name), full = open_sem(full_name);
    if (empty == 0 || full == 0) return 3;
    ready();
    unsigned long long sum = 0;
    for (long long i = 0; i < n; i++) {
        unsigned char *slot = p + (i % SLOTS) * 16;
        if (produce) {
            int r = wait_sem(empty);
            if (r < 0) return fail("sem_wait", empty_name, r);
            unsigned long long check = (unsigned long long)i * RECORD_MIX;
            memcpy(slot, &i, 8);
            memcpy(slot + 8, &check, 8);
            r = ipcj_sem_post(full);
            if (r < 0) return fail("sem_post", full_name, r);
        } else {
            int r = wait_sem(full);
            if (r < 0) return fail("sem_wait", full_name, r);
            long long seq;
            unsigned long long check;
            memcpy(&seq, slot, 8);
            memcpy(&check, slot + 8, 8);
            if (seq != i || check != (unsigned long long)i * RECORD_MIX) {
                printf("posix_peer: record %lld: seq %lld check %llx\n", i, seq, check);
                return 3;
            }
            sum += (unsigned long long)seq;
            r = ipcj_sem_post(empty);
            if (r < 0) return fail("sem_post", empty_name, r);
        }
    }
    if (produce) printf("produced %lld\n", n);
    else printf("consumed %lld %llu\n", n, sum);
    ipcj_munmap((long long)(intptr_t)p, size);
    return 0;
}

int main(int argc, char **argv) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (argc < 2) {
        fprintf(stderr, "usage: posix_peer MODE ARGS... (see the source)\n");
        return 2;
    }
    const char *mode = argv[1];
    if (strcmp(mode, "write-shm") == 0 && argc == 6)
        return write_shm(argv[2], parse(argv[3]), parse(argv[4]), argv[5]);
    if (strcmp(mode, "read-shm") == 0 && argc == 3) return read_shm(argv[2]);
    if (strcmp(mode, "sem-echo") == 0 && argc == 5) return sem_echo(argv[2], argv[3], parse(argv[4]));
    if (strcmp(mode, "unnamed") == 0 && argc == 5) return unnamed(argv[2], argv[3], parse(argv[4]));
    if (strcmp(mode, "sem-churn") == 0 && argc == 4) return sem_churn(argv[2], parse(argv[3]));
    if (strcmp(mode, "sem-churn-timed") == 0 && argc == 4) return sem_churn_timed(argv[2], parse(argv[3]));
    if (strcmp(mode, "produce") == 0 && argc == 6)
        return bounded(1, argv[2], argv[3], argv[4], parse(argv[5]));
    if (strcmp(mode, "consume") == 0 && argc == 6)
        return bounded(0, argv[2], argv[3], argv[4], parse(argv[5]));
    fprintf(stderr, "posix_peer: bad mode or argument count: %s\n", mode);
    return 2;
}
