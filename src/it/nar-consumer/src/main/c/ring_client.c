/*
 * ring_client.c — a C program that uses ipcj's ring through nothing but the dev.ipcj:ipcj-c NAR
 * (its headers on the include path, put there by nar-maven-plugin from the dependency).
 *
 *   ipcj-ring-client [records]           the check nar-test runs: for each ring variant, creates a
 *                                        ring, forks its producers (each opens the ring by name),
 *                                        consumes every record and checks its number, length and
 *                                        every byte; exit status 0, or 1 and what went wrong
 *   ipcj-ring-client produce NAME N ID   opens the ring NAME that another process made (the Java
 *                                        test RingFromCTest), produces records 0..N-1 as producer ID
 *
 * Records: producer id (4 bytes), record number (4 bytes, native order), then bytes that follow
 * from both; record_length and record_byte below are the whole format (RingFromCTest repeats it).
 * The ring's name is removed as soon as every producer has it open, and by every failure path.
 */
#include "ipcj_ring.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#define MAX_RECORD 200u
#define MAX_PRODUCERS 2
#define TIMEOUT_NS (20LL * 1000000000LL) /* a lost wake-up or a dead peer shows as this timeout */

static uint32_t record_length(uint32_t id, uint32_t seq) { return 8u + (seq * 7u + id * 13u) % (MAX_RECORD - 7u); }
static uint8_t record_byte(uint32_t id, uint32_t seq, uint32_t i) { return (uint8_t)(seq * 31u + i * 17u + id); }

/* Produces records 0..count-1 as producer `id` into the ring open as r; 0 or -errno. */
static int produce(ipcj_ring *r, uint32_t id, uint32_t count) {
    uint8_t buf[MAX_RECORD];
    for (uint32_t seq = 0; seq < count; seq++) {
        uint32_t len = record_length(id, seq);
        memcpy(buf, &id, 4);
        memcpy(buf + 4, &seq, 4);
        for (uint32_t i = 8; i < len; i++) buf[i] = record_byte(id, seq, i);
        int rc = ipcj_ring_put(r, buf, len, TIMEOUT_NS);
        if (rc < 0) return rc;
    }
    return 0;
}

/* The child: open by name, tell the parent (one byte on `ready`), attach, produce, exit. */
static void producer_child(const char *name, uint32_t id, uint32_t count, int ready) {
    ipcj_ring r;
    int rc = ipcj_ring_open(&r, name);
    char b = rc == 0 ? 'y' : 'n';
    if (write(ready, &b, 1) != 1) rc = rc < 0 ? rc : -EPIPE;
    close(ready);
    if (rc == 0) rc = ipcj_ring_attach_producer(&r);
    if (rc == 0) rc = produce(&r, id, count);
    if (rc < 0) fprintf(stderr, "ring_client: producer %u: %s\n", id, strerror(-rc));
    if (r.base) ipcj_ring_close(&r);
    _exit(rc < 0 ? 1 : 0);
}

typedef struct {
    uint32_t next[MAX_PRODUCERS];
    uint32_t producers;
    long long seen;
    int bad;
    char why[200];
} checker;

static void check(void *ctx, const uint8_t *payload, uint32_t length) {
    checker *c = ctx;
    if (c->bad) return;
    uint32_t id, seq;
    if (length < 8) { c->bad = 1; snprintf(c->why, sizeof c->why, "record %lld: length %u", c->seen, length); return; }
    memcpy(&id, payload, 4);
    memcpy(&seq, payload + 4, 4);
    if (id >= c->producers) { c->bad = 1; snprintf(c->why, sizeof c->why, "record %lld: producer %u", c->seen, id); return; }
    if (seq != c->next[id]) {
        c->bad = 1; snprintf(c->why, sizeof c->why, "producer %u: record %u where %u was due", id, seq, c->next[id]); return;
    }
    if (length != record_length(id, seq)) {
        c->bad = 1; snprintf(c->why, sizeof c->why, "producer %u record %u: length %u, not %u", id, seq, length, record_length(id, seq));
        return;
    }
    for (uint32_t i = 8; i < length; i++) {
        if (payload[i] != record_byte(id, seq, i)) {
            c->bad = 1; snprintf(c->why, sizeof c->why, "producer %u record %u: byte %u is %u, not %u", id, seq, i,
                                 payload[i], record_byte(id, seq, i));
            return;
        }
    }
    c->next[id]++;
    c->seen++;
}

/* One variant: create, fork the producers, consume and check everything; 0 ok, 1 failed. */
static int run(int variant, uint32_t records) {
    char name[64];
    snprintf(name, sizeof name, "/ipcj-test-%d-nar-ring", (int)getpid());
    const char *vname = variant == IPCJ_RING_ONE_TO_ONE ? "ONE_TO_ONE" : "MANY_TO_ONE";
    uint32_t producers = variant == IPCJ_RING_ONE_TO_ONE ? 1 : MAX_PRODUCERS;
    uint32_t each = records / producers;
    ipcj_ring ring;
    int rc = ipcj_ring_create(&ring, name, variant, 8192, MAX_RECORD);
    if (rc < 0) { fprintf(stderr, "ring_client: create %s: %s\n", name, strerror(-rc)); return 1; }
    int fds[2];
    if (pipe(fds) != 0) {
        fprintf(stderr, "ring_client: pipe: %s\n", strerror(errno));
        ipcj_ring_close(&ring); ipcj_ring_unlink(name);
        return 1;
    }
    pid_t kids[MAX_PRODUCERS];
    uint32_t started = 0;
    for (; started < producers; started++) {
        pid_t p = fork();
        if (p == 0) { close(fds[0]); producer_child(name, started, each, fds[1]); }
        if (p < 0) { fprintf(stderr, "ring_client: fork: %s\n", strerror(errno)); break; }
        kids[started] = p;
    }
    close(fds[1]);
    /* Every producer has the ring open (or has failed to): the name can go, the memory stays. */
    uint32_t opened = 0;
    char b;
    while (opened < started && read(fds[0], &b, 1) == 1) opened += b == 'y';
    close(fds[0]);
    ipcj_ring_unlink(name);
    int failed = started < producers || opened < started;
    if (!failed) {
        rc = ipcj_ring_attach_consumer(&ring);
        if (rc < 0) { fprintf(stderr, "ring_client: attach consumer: %s\n", strerror(-rc)); failed = 1; }
    }
    checker c;
    memset(&c, 0, sizeof c);
    c.producers = producers;
    long long total = (long long)each * producers;
    long long start = ipcj_ring_now();
    while (!failed && c.seen < total && !c.bad) {
        int n = ipcj_ring_take(&ring, check, &c, 64, TIMEOUT_NS);
        if (n < 0) { fprintf(stderr, "ring_client: take after %lld records: %s\n", c.seen, strerror(-n)); failed = 1; }
    }
    if (c.bad) { fprintf(stderr, "ring_client: %s\n", c.why); failed = 1; }
    if (!failed) {
        int extra = ipcj_ring_take(&ring, check, &c, 1, 0);
        if (extra != 0 && extra != -ETIMEDOUT) { fprintf(stderr, "ring_client: %d records after the last\n", extra); failed = 1; }
    }
    for (uint32_t i = 0; i < started; i++) {
        if (failed) kill(kids[i], SIGKILL);
        int st = 0;
        while (waitpid(kids[i], &st, 0) < 0 && errno == EINTR) {}
        if (!failed && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) { fprintf(stderr, "ring_client: producer %u failed\n", i); failed = 1; }
    }
    ipcj_ring_close(&ring);
    printf("ring_client: %s: %lld of %lld records from %u producer(s) in %lld ms: %s\n", vname, c.seen, total,
           producers, (ipcj_ring_now() - start) / 1000000, failed ? "FAILED" : "ok");
    return failed;
}

int main(int argc, char **argv) {
    if (argc == 5 && strcmp(argv[1], "produce") == 0) {
        ipcj_ring r;
        int rc = ipcj_ring_open(&r, argv[2]);
        if (rc == 0) rc = ipcj_ring_attach_producer(&r);
        if (rc == 0) rc = produce(&r, (uint32_t)strtoul(argv[4], NULL, 10), (uint32_t)strtoul(argv[3], NULL, 10));
        if (r.base) ipcj_ring_close(&r);
        if (rc < 0) { fprintf(stderr, "ring_client: produce into %s: %s\n", argv[2], strerror(-rc)); return 1; }
        return 0;
    }
    if (argc > 2) { fprintf(stderr, "usage: ipcj-ring-client [records] | produce NAME N ID\n"); return 2; }
    uint32_t records = argc == 2 ? (uint32_t)strtoul(argv[1], NULL, 10) : 100000u;
    int failed = run(IPCJ_RING_ONE_TO_ONE, records);
    failed |= run(IPCJ_RING_MANY_TO_ONE, records);
    return failed;
}
