/*
 * bcast_peer — the C side of the broadcast tests (same record format as
 * dev.ipcj.broadcast.BroadcastRingTest#record: record n is lengthOf(n) bytes, the little-endian
 * n in bytes 0..7, then (n * 31 + i) at byte i; n is the record's sequence number):
 *   bcast_peer publish NAME COUNT GAPUS     publish COUNT records (waiting for room), a pause of
 *                                           up to GAPUS microseconds every 64; "ok N"
 *   bcast_peer publishloop NAME GAPUS       publish forever (to be SIGKILLed)
 *   bcast_peer subscribe NAME COUNT MILLIS  read until COUNT records were received or lost, each
 *                                           checked and in order; "ok received R lost L last S"
 *                                           (MILLIS without a record: fail)
 *   bcast_peer subscribeloop NAME SLOWUS    read forever, checking, SLOWUS microseconds per record
 * Prints "ready" once attached. Exit status 0 on success, 1 with a message on failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipcj.h"

static uint32_t rec_length(uint64_t n, uint32_t max) { return 8 + (uint32_t)((n * 7919) % (max - 7)); }

static void rec_fill(uint8_t *b, uint64_t n, uint32_t length) {
    for (uint32_t i = 0; i < length; i++) b[i] = (uint8_t)(n * 31 + i);
    memcpy(b, &n, 8); /* little-endian on every platform ipcj runs on */
}

static int rec_check(const uint8_t *b, uint32_t length, uint64_t seq, uint32_t max) {
    uint64_t n;
    if (length < 8) { fprintf(stderr, "record %llu of %u bytes\n", (unsigned long long)seq, length); return 0; }
    memcpy(&n, b, 8);
    if (n != seq || length != rec_length(n, max)) {
        fprintf(stderr, "record seq %llu names %llu, length %u\n", (unsigned long long)seq, (unsigned long long)n, length);
        return 0;
    }
    for (uint32_t i = 8; i < length; i++)
        if (b[i] != (uint8_t)(n * 31 + i)) { fprintf(stderr, "record %llu byte %u\n", (unsigned long long)n, i); return 0; }
    return 1;
}

static void pause_us(long us) {
    if (us <= 0) return;
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

static int publish(const char *name, long long count, long gap) {
    ipcj_bcast b;
    int rc = ipcj_bcast_open(&b, name);
    if (rc < 0) { fprintf(stderr, "open: %s\n", strerror(-rc)); return 1; }
    if ((rc = ipcj_bcast_attach_publisher(&b)) < 0) { fprintf(stderr, "attach: %s\n", strerror(-rc)); return 1; }
    printf("ready\n");
    fflush(stdout);
    uint8_t *buf = malloc(b.max);
    long long i;
    for (i = 0; count < 0 || i < count; i++) {
        uint64_t n = b.next_seq;
        uint32_t len = rec_length(n, b.max);
        rec_fill(buf, n, len);
        rc = ipcj_bcast_publish(&b, buf, len, -1);
        if (rc < 0) { fprintf(stderr, "publish: %s\n", strerror(-rc)); return 1; }
        if (gap > 0 && (i & 63) == 63) pause_us(rand() % gap);
    }
    printf("ok %lld\n", i);
    ipcj_bcast_close(&b);
    return 0;
}

static int subscribe(const char *name, long long count, long millis, long slow) {
    ipcj_bcast b;
    int rc = ipcj_bcast_open(&b, name);
    if (rc < 0) { fprintf(stderr, "open: %s\n", strerror(-rc)); return 1; }
    if ((rc = ipcj_bcast_subscribe(&b)) < 0) { fprintf(stderr, "subscribe: %s\n", strerror(-rc)); return 1; }
    printf("ready\n");
    fflush(stdout);
    uint8_t *buf = malloc(b.max);
    long long last = -1;
    while (count < 0 || (long long)(b.received + b.lost) < count) {
        uint32_t len;
        uint64_t seq;
        rc = ipcj_bcast_take(&b, buf, b.max, &len, &seq, count < 0 ? -1 : millis * 1000000LL);
        if (rc == -EOVERFLOW) continue;
        if (rc < 0) {
            fprintf(stderr, "take: %s after %llu received, %llu lost\n", strerror(-rc),
                    (unsigned long long)b.received, (unsigned long long)b.lost);
            return 1;
        }
        if (!rec_check(buf, len, seq, b.max)) return 1;
        if ((long long)seq <= last) { fprintf(stderr, "seq %llu after %lld\n", (unsigned long long)seq, last); return 1; }
        last = (long long)seq;
        pause_us(slow);
    }
    printf("ok received %llu lost %llu last %lld\n", (unsigned long long)b.received, (unsigned long long)b.lost, last);
    ipcj_bcast_close(&b);
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 5 && !strcmp(argv[1], "publish")) return publish(argv[2], atoll(argv[3]), atol(argv[4]));
    if (argc >= 4 && !strcmp(argv[1], "publishloop")) return publish(argv[2], -1, atol(argv[3]));
    if (argc >= 5 && !strcmp(argv[1], "subscribe")) return subscribe(argv[2], atoll(argv[3]), atol(argv[4]), 0);
    if (argc >= 4 && !strcmp(argv[1], "subscribeloop")) return subscribe(argv[2], -1, 0, atol(argv[3]));
    fprintf(stderr, "usage: bcast_peer publish|publishloop|subscribe|subscribeloop NAME ...\n");
    return 2;
}
