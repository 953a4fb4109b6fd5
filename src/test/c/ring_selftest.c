/*
 * ring_selftest.c — ipcj_ring.h alone, in one process: a consumer thread and producer threads
 * on one ring, each with its own handle (its own mapping), through the blocking put/take, so
 * that both sides keep filling and draining a small ring and sleep on each other's futex word.
 * Each record says who wrote it and its number, and its bytes follow from both: the consumer
 * checks every producer's records come in order, none lost or repeated, and every byte.
 *
 * Four runs: ONE_TO_ONE and MANY_TO_ONE (3 producers), each ASYMMETRIC (membarrier, when the
 * kernel offers it) and with a fence on every publish (the header's flag cleared before anyone
 * opens the ring); half of them with no spinning, so that every wait sleeps.
 *
 * ./run-arm64 builds it with aarch64-linux-gnu-gcc -static and runs it under qemu-aarch64-static;
 * it builds and runs on x86-64 the same way:
 *   cc -O2 -pthread -Isrc/main/c src/test/c/ring_selftest.c -o ring_selftest && ./ring_selftest [records]
 * Exit status 0 and a line per run, or 1 and what went wrong. The ring's name is removed as soon
 * as every handle has it open, so nothing stays behind even if the program is killed.
 */
#include "ipcj_ring.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_PRODUCERS 3
#define MAX_RECORD 200
#define TIMEOUT_NS (20LL * 1000000000LL) /* a lost wake-up shows as this timeout */

typedef struct {
    ipcj_ring ring;
    int id;
    uint32_t count;
    int rc;
} producer_arg;

typedef struct {
    uint32_t next[MAX_PRODUCERS];
    int producers;
    long long seen;
    int bad;
    char why[200];
} consumer_state;

/* A record: producer id (4 bytes), number (4 bytes), then bytes that follow from both. */
static uint32_t record_length(int id, uint32_t seq) { return 8u + (seq * 7u + (uint32_t)id * 13u) % (MAX_RECORD - 7u); }
static uint8_t record_byte(int id, uint32_t seq, uint32_t i) { return (uint8_t)(seq * 31u + i * 17u + (uint32_t)id); }

static void *produce(void *p) {
    producer_arg *a = p;
    uint8_t buf[MAX_RECORD];
    for (uint32_t seq = 0; seq < a->count; seq++) {
        uint32_t len = record_length(a->id, seq);
        memcpy(buf, &a->id, 4);
        memcpy(buf + 4, &seq, 4);
        for (uint32_t i = 8; i < len; i++) buf[i] = record_byte(a->id, seq, i);
        int rc = ipcj_ring_put(&a->ring, buf, len, TIMEOUT_NS);
        if (rc < 0) { a->rc = rc; return NULL; }
    }
    a->rc = 0;
    return NULL;
}

static void check(void *ctx, const uint8_t *payload, uint32_t length) {
    consumer_state *c = ctx;
    if (c->bad) return;
    int id;
    uint32_t seq;
    if (length < 8) { c->bad = 1; snprintf(c->why, sizeof c->why, "record %lld: length %u", c->seen, length); return; }
    memcpy(&id, payload, 4);
    memcpy(&seq, payload + 4, 4);
    if (id < 0 || id >= c->producers) {
        c->bad = 1; snprintf(c->why, sizeof c->why, "record %lld: producer id %d", c->seen, id); return;
    }
    if (seq != c->next[id]) {
        c->bad = 1; snprintf(c->why, sizeof c->why, "producer %d: record %u where %u was due", id, seq, c->next[id]); return;
    }
    if (length != record_length(id, seq)) {
        c->bad = 1; snprintf(c->why, sizeof c->why, "producer %d record %u: length %u, not %u", id, seq, length, record_length(id, seq));
        return;
    }
    for (uint32_t i = 8; i < length; i++) {
        if (payload[i] != record_byte(id, seq, i)) {
            c->bad = 1; snprintf(c->why, sizeof c->why, "producer %d record %u: byte %u is %u, not %u", id, seq, i,
                                 payload[i], record_byte(id, seq, i));
            return;
        }
    }
    c->next[id]++;
    c->seen++;
}

static int run(int variant, int fence, long long spin, uint32_t records) {
    char name[64];
    snprintf(name, sizeof name, "/ipcj-test-%d-selftest", (int)getpid());
    int producers = variant == IPCJ_RING_ONE_TO_ONE ? 1 : MAX_PRODUCERS;
    ipcj_ring consumer;
    int rc = ipcj_ring_create(&consumer, name, variant, 4096, MAX_RECORD);
    if (rc < 0) { fprintf(stderr, "ring_selftest: create %s: %s\n", name, strerror(-rc)); return 1; }
    if (fence) { /* before anyone opens it: every handle then fences each publish */
        *IPCJ_RING_U32(&consumer, IPCJ_RING_OFF_FLAGS) = 0;
        consumer.asymmetric = 0;
    }
    int asymmetric = consumer.asymmetric;
    static producer_arg args[MAX_PRODUCERS];
    int opened = 0;
    for (int i = 0; i < producers && rc == 0; i++) {
        memset(&args[i], 0, sizeof args[i]);
        rc = ipcj_ring_open(&args[i].ring, name);
        if (rc == 0) {
            opened++;
            args[i].id = i;
            args[i].count = records / (uint32_t)producers;
            args[i].ring.spin_nanos = spin;
            rc = ipcj_ring_attach_producer(&args[i].ring);
        }
    }
    ipcj_ring_unlink(name); /* every handle has it mapped: nothing to leave behind from here on */
    if (rc == 0) rc = ipcj_ring_attach_consumer(&consumer);
    if (rc < 0) {
        fprintf(stderr, "ring_selftest: open/attach: %s\n", strerror(-rc));
        for (int i = 0; i < opened; i++) ipcj_ring_close(&args[i].ring);
        ipcj_ring_close(&consumer);
        return 1;
    }
    consumer.spin_nanos = spin;
    static consumer_state c;
    memset(&c, 0, sizeof c);
    c.producers = producers;
    long long total = (long long)(records / (uint32_t)producers) * producers;
    long long start = ipcj_ring_now();
    pthread_t threads[MAX_PRODUCERS];
    for (int i = 0; i < producers; i++) pthread_create(&threads[i], NULL, produce, &args[i]);
    int failed = 0;
    while (c.seen < total && !c.bad) {
        int n = ipcj_ring_take(&consumer, check, &c, 64, TIMEOUT_NS);
        if (n < 0) {
            fprintf(stderr, "ring_selftest: take after %lld records: %s\n", c.seen, strerror(-n));
            failed = 1;
            break;
        }
    }
    if (failed || c.bad) {
        /* let blocked producers out: the consumer slot goes, the ring stays mapped until they return */
        while (ipcj_ring_take(&consumer, check, &c, 1 << 20, 100000000LL) > 0) {}
    }
    for (int i = 0; i < producers; i++) {
        pthread_join(threads[i], NULL);
        if (args[i].rc < 0) {
            fprintf(stderr, "ring_selftest: producer %d: put: %s\n", i, strerror(-args[i].rc));
            failed = 1;
        }
    }
    long long ms = (ipcj_ring_now() - start) / 1000000;
    int leftover = ipcj_ring_take(&consumer, check, &c, 1, 0);
    for (int i = 0; i < producers; i++) ipcj_ring_close(&args[i].ring);
    ipcj_ring_close(&consumer);
    if (c.bad) { fprintf(stderr, "ring_selftest: %s\n", c.why); failed = 1; }
    if (!failed && leftover != -ETIMEDOUT && leftover != 0) {
        fprintf(stderr, "ring_selftest: %d records after the last one\n", leftover);
        failed = 1;
    }
    printf("ring_selftest: %s, %s, spin %lld ns: %lld records from %d producer(s) in %lld ms: %s\n",
           variant == IPCJ_RING_ONE_TO_ONE ? "ONE_TO_ONE" : "MANY_TO_ONE",
           asymmetric ? "asymmetric" : "fence", spin, c.seen, producers, ms, failed ? "FAILED" : "ok");
    return failed;
}

int main(int argc, char **argv) {
    uint32_t records = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 300000u;
    int failed = 0;
    failed |= run(IPCJ_RING_ONE_TO_ONE, 0, IPCJ_RING_SPIN_NANOS, records);
    failed |= run(IPCJ_RING_ONE_TO_ONE, 1, 0, records);
    failed |= run(IPCJ_RING_MANY_TO_ONE, 0, 0, records);
    failed |= run(IPCJ_RING_MANY_TO_ONE, 1, IPCJ_RING_SPIN_NANOS, records);
#if defined(__aarch64__)
    printf("ring_selftest: aarch64\n");
#endif
    return failed;
}
