/*
 * ring_peer — the C side of the ring tests (same record format as dev.ipcj.ring.Records):
 *   ring_peer produce NAME ID COUNT BURST MAXGAPUS   put COUNT records, bursts with idle gaps
 *   ring_peer consume NAME COUNT PRODUCERS            take and check COUNT records; "ok N"
 *   ring_peer echo IN OUT COUNT                       take from IN, put on OUT
 *   ring_peer claimloop NAME ID                       produce forever (to be SIGKILLed)
 *   ring_peer scribble NAME MILLIS SEED               write random bytes over header and indices
 *   ring_peer journal NAME JOURNAL SEQS LIMIT        consume forever, LIMIT records per batch; for each
 *                                                    record, journal[producer * SEQS + seq]++ inside the
 *                                                    handler, before out moves (to be SIGKILLed)
 *   ring_peer truncate NAME SIZE                      ftruncate the ring's object to SIZE bytes
 *   ring_peer attachloop NAME MILLIS                  attach as a producer again and again; "ok N"
 * Prints "ready" once attached. Exit status 0 on success, 1 with a message on failure.
 *
 * ring_peer --stop-at WINDOW N MODE ...: the N-th time (from 0) the ring reaches WINDOW (see
 * dev.ipcj.ring.TestHooks), print "window WINDOW" and wait for a line on standard input before
 * going on, so that the kill -9 and hostile suites act at exact points.
 * claimloop takes an optional COUNT after PROGRESS: it stops producing after COUNT records and waits
 * to be killed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void ring_window(const char *name);
#define IPCJ_RING_WINDOW(name) ring_window(name)
#include "ipcj.h"

static const char *stop_at;
static long long stop_after;

static void ring_window(const char *name) {
    static long long reached;
    if (!stop_at || strcmp(stop_at, name) != 0) return;
    if (reached++ != stop_after) return;
    printf("window %s\n", name);
    fflush(stdout);
    char line[64];
    if (!fgets(line, sizeof line, stdin)) return;
}

static uint32_t rec_length(uint64_t seq, int producer, uint32_t max) {
    return 16 + (uint32_t)((seq * 37 + (uint64_t)producer) % (max - 15));
}

static void rec_fill(uint8_t *b, uint64_t seq, int producer, uint32_t length) {
    uint32_t h = 0x811C9DC5u;
    memcpy(b, &seq, 8);
    memcpy(b + 8, &producer, 4);
    for (uint32_t i = 16; i < length; i++) {
        uint8_t v = (uint8_t)(seq * 31 + (uint64_t)producer * 7 + i);
        b[i] = v;
        h = (h ^ v) * 0x01000193u;
    }
    memcpy(b + 12, &h, 4);
}

typedef struct {
    uint32_t max;
    uint64_t next[64];
    long long count;
    int failed;
    uint8_t *copy;
    uint32_t copy_len;
} checker;

static void check_record(void *ctx, const uint8_t *p, uint32_t len) {
    checker *c = (checker *)ctx;
    uint64_t seq;
    int producer;
    uint32_t h = 0x811C9DC5u, want;
    if (len < 16) { fprintf(stderr, "record of %u bytes\n", len); c->failed = 1; return; }
    memcpy(&seq, p, 8);
    memcpy(&producer, p + 8, 4);
    memcpy(&want, p + 12, 4);
    if (producer < 0 || producer >= 64 || len != rec_length(seq, producer, c->max)) {
        fprintf(stderr, "bad producer %d or length %u (seq %llu)\n", producer, len, (unsigned long long)seq);
        c->failed = 1;
        return;
    }
    for (uint32_t i = 16; i < len; i++) h = (h ^ p[i]) * 0x01000193u;
    if (h != want) { fprintf(stderr, "torn record seq %llu\n", (unsigned long long)seq); c->failed = 1; return; }
    if (seq != c->next[producer]) {
        fprintf(stderr, "producer %d: seq %llu, expected %llu\n", producer, (unsigned long long)seq,
                (unsigned long long)c->next[producer]);
        c->failed = 1;
        return;
    }
    c->next[producer]++;
    c->count++;
}

static void copy_record(void *ctx, const uint8_t *p, uint32_t len) {
    checker *c = (checker *)ctx;
    memcpy(c->copy, p, len);
    c->copy_len = len;
}

/*
 * The journal of the kill suites (as dev.ipcj.ring.RingPeer's): a long of torn records at 0, then
 * one 32-bit count per (producer, seq) from offset 64. A torn record is counted, not journaled.
 */
typedef struct {
    uint64_t *torn;
    uint32_t *counts;
    uint64_t slots, seqs;
    uint32_t max;
} journal_ctx;

static void journal_record(void *ctx, const uint8_t *p, uint32_t len) {
    journal_ctx *j = (journal_ctx *)ctx;
    uint64_t seq;
    int producer;
    uint32_t h = 0x811C9DC5u, want;
    if (len < 16) { __atomic_fetch_add(j->torn, 1, __ATOMIC_SEQ_CST); return; }
    memcpy(&seq, p, 8);
    memcpy(&producer, p + 8, 4);
    memcpy(&want, p + 12, 4);
    for (uint32_t i = 16; i < len; i++) h = (h ^ p[i]) * 0x01000193u;
    uint64_t slot = (uint64_t)producer * j->seqs + seq;
    if (producer < 0 || seq >= j->seqs || slot >= j->slots || len != rec_length(seq, producer, j->max) || h != want) {
        __atomic_fetch_add(j->torn, 1, __ATOMIC_SEQ_CST);
        return;
    }
    __atomic_fetch_add(&j->counts[slot], 1, __ATOMIC_SEQ_CST);
}

static void die(const char *what, int rc) {
    fprintf(stderr, "%s: %s (%d)\n", what, strerror(-rc), rc);
    exit(1);
}

static void ready(void) {
    printf("ready\n");
    fflush(stdout);
}

int main(int argc, char **argv) {
    if (argc > 3 && !strcmp(argv[1], "--stop-at")) {
        stop_at = argv[2];
        stop_after = atoll(argv[3]);
        argc -= 3;
        argv += 3;
    }
    if (argc < 3) return 2;
    const char *mode = argv[1];
    ipcj_ring r;
    int rc = 0;
    if (!strcmp(mode, "truncate")) goto no_open;
    rc = ipcj_ring_open(&r, argv[2]);
    if (rc < 0) die("ipcj_ring_open", rc);
no_open:
    if (!strcmp(mode, "produce") || !strcmp(mode, "claimloop")) {
        int id = atoi(argv[3]);
        int produce = !strcmp(mode, "produce");
        long long count = produce ? atoll(argv[4]) : argc > 5 ? atoll(argv[5]) : -1;
        long long burst = produce ? atoll(argv[5]) : 0;
        int gap = produce ? atoi(argv[6]) : 0;
        volatile uint64_t *progress = NULL; /* claimloop NAME ID PROGRESS: progress[ID] = seq + 1 */
        if (!produce) {
            int fd = ipcj_shm_open(argv[4], O_RDWR, 0);
            if (fd < 0) die("open progress", fd);
            long long a = ipcj_mmap_shared(fd, 4096, PROT_READ | PROT_WRITE, 0);
            if (a < 0 && a > -4096) die("map progress", (int)a);
            progress = (volatile uint64_t *)(intptr_t)a;
        }
        if ((rc = ipcj_ring_attach_producer(&r)) < 0) die("attach producer", rc);
        ready();
        srand((unsigned)id + 1);
        static uint8_t rec[1 << 16];
        for (long long seq = 0; count < 0 || seq < count; seq++) {
            uint32_t len = rec_length((uint64_t)seq, id, r.max);
            int err;
            uint8_t *at = ipcj_ring_claim(&r, len, -1, &err);
            if (!at) die("claim", err);
            rec_fill(rec, (uint64_t)seq, id, len);
            ipcj_ring_copy_in(at, rec, len);
            if ((rc = ipcj_ring_finish(&r, at, len, 1)) < 0) die("commit", rc);
            if (progress) __atomic_store_n(&progress[id], (uint64_t)seq + 1, __ATOMIC_SEQ_CST);
            if (burst > 0 && seq % burst == burst - 1 && gap > 0) usleep((useconds_t)(rand() % gap));
        }
        if (!produce) for (;;) pause(); /* claimloop COUNT: done, wait to be killed */
        ipcj_ring_detach(&r, 1);
    } else if (!strcmp(mode, "consume")) {
        long long count = atoll(argv[3]);
        static checker c;
        c.max = r.max;
        if ((rc = ipcj_ring_attach_consumer(&r)) < 0) die("attach consumer", rc);
        ready();
        while (c.count < count && !c.failed) {
            rc = ipcj_ring_take(&r, check_record, &c, (int)(count - c.count), 20000000000LL);
            if (rc == -ETIMEDOUT) { fprintf(stderr, "no record for 20 s after %lld (lost wake-up?)\n", c.count); return 1; }
            if (rc < 0) die("take", rc);
        }
        if (c.failed) return 1;
        printf("ok %lld\n", c.count);
        ipcj_ring_detach(&r, 0);
    } else if (!strcmp(mode, "echo")) {
        ipcj_ring out;
        if ((rc = ipcj_ring_open(&out, argv[3])) < 0) die("open out", rc);
        long long count = atoll(argv[4]);
        static uint8_t buf[1 << 16];
        checker c;
        memset(&c, 0, sizeof c);
        c.copy = buf;
        if ((rc = ipcj_ring_attach_consumer(&r)) < 0) die("attach consumer", rc);
        if ((rc = ipcj_ring_attach_producer(&out)) < 0) die("attach producer", rc);
        ready();
        for (long long i = 0; i < count; i++) {
            rc = ipcj_ring_take(&r, copy_record, &c, 1, -1);
            if (rc < 0) die("take", rc);
            if ((rc = ipcj_ring_put(&out, buf, c.copy_len, -1)) < 0) die("put", rc);
        }
        ipcj_ring_close(&out);
    } else if (!strcmp(mode, "journal")) {
        int fd = ipcj_shm_open(argv[3], O_RDWR, 0);
        if (fd < 0) die("open journal", fd);
        long long st[4];
        if ((rc = ipcj_fstat(fd, st)) < 0) die("fstat journal", rc);
        long long a = ipcj_mmap_shared(fd, st[0], PROT_READ | PROT_WRITE, 0);
        if (a < 0 && a > -4096) die("map journal", (int)a);
        static journal_ctx j;
        j.torn = (uint64_t *)(intptr_t)a;
        j.counts = (uint32_t *)(intptr_t)(a + 64);
        j.slots = (uint64_t)(st[0] - 64) / 4;
        j.seqs = (uint64_t)atoll(argv[4]);
        j.max = r.max;
        int limit = atoi(argv[5]);
        if ((rc = ipcj_ring_attach_consumer(&r)) < 0) die("attach consumer", rc);
        ready();
        for (;;) {
            rc = ipcj_ring_take(&r, journal_record, &j, limit, -1);
            if (rc < 0) die("take", rc);
        }
    } else if (!strcmp(mode, "attachloop")) {
        /* attachloop NAME MILLIS: attach as a producer again and again (MANY_TO_ONE) while others stream */
        long long end = ipcj_ring_now() + atoll(argv[3]) * 1000000LL;
        long long n = 0;
        ready();
        while (ipcj_ring_now() < end) {
            if ((rc = ipcj_ring_attach_producer(&r)) < 0) {
                fprintf(stderr, "attach %lld: ", n);
                die("ipcj_ring_attach_producer", rc);
            }
            n++;
        }
        printf("ok %lld\n", n);
    } else if (!strcmp(mode, "truncate")) {
        int fd = ipcj_shm_open(argv[2], O_RDWR, 0);
        if (fd < 0) die("open", fd);
        if ((rc = ipcj_ftruncate(fd, atoll(argv[3]))) < 0) die("ftruncate", rc);
        close(fd);
        printf("truncated\n");
        return 0;
    } else if (!strcmp(mode, "scribble")) {
        long long millis = atoll(argv[3]);
        srand((unsigned)atoi(argv[4]));
        ready();
        long long end = ipcj_ring_now() + millis * 1000000LL;
        while (ipcj_ring_now() < end) {
            /* Header fields, positions, waiting words, and the first records. */
            static const int offs[] = {0, 8, 12, 16, 20, 24, 32, 128, 256, 384, 512};
            int k = rand() % 14;
            uint64_t v = ((uint64_t)rand() << 33) ^ ((uint64_t)rand() << 7) ^ (uint64_t)rand();
            if (k < 11) memcpy(r.base + offs[k], &v, k >= 7 && k <= 8 ? 8 : 4);
            else memcpy(r.base + IPCJ_RING_OFF_DATA + (rand() % 64) * 8, &v, 8);
            usleep(200);
        }
    }
    ipcj_ring_close(&r);
    return 0;
}
