/*
 * log_peer — takes records from a dev.ipcj.log.SharedLog through ipcj_log.h, as a C user of the
 * log would. The mode is argv[1]:
 *   log_peer take NAME COUNT TIMEOUT_MS   takes COUNT records, each waiting at most TIMEOUT_MS;
 *                                         prints "ready" once open, then "rec LEN FNV" per record
 *                                         (FNV-1a 32 of its bytes, in decimal) and "done", or
 *                                         "error RC" (a -errno) where it stopped
 *   log_peer poll NAME CAP                one try into a CAP-byte buffer: prints "rc RC"
 *   log_peer size NAME                    prints "size N"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ipcj.h"

static uint32_t fnv(const unsigned char *p, long long n) {
    uint32_t h = 2166136261u;
    for (long long i = 0; i < n; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: log_peer take|poll|size NAME ...\n");
        return 2;
    }
    struct ipcj_log log;
    int rc = ipcj_log_open(&log, argv[2]);
    if (rc != 0) {
        printf("error %d\n", rc);
        return 1;
    }
    if (strcmp(argv[1], "take") == 0 && argc >= 5) {
        long count = atol(argv[3]);
        long long timeout = atoll(argv[4]) * 1000000LL;
        size_t cap = (size_t)log.max_record;
        unsigned char *buf = (unsigned char *)malloc(cap + 1);
        printf("ready\n");
        fflush(stdout);
        for (long i = 0; i < count; i++) {
            long long n = ipcj_log_take(&log, buf, cap, timeout);
            if (n < 0) {
                printf("error %lld\n", n);
                ipcj_log_close(&log);
                return 1;
            }
            printf("rec %lld %u\n", n, fnv(buf, n));
        }
        printf("done\n");
        free(buf);
    } else if (strcmp(argv[1], "poll") == 0 && argc >= 4) {
        size_t cap = (size_t)atol(argv[3]);
        unsigned char *buf = (unsigned char *)malloc(cap + 1);
        printf("rc %lld\n", ipcj_log_poll(&log, buf, cap));
        free(buf);
    } else if (strcmp(argv[1], "size") == 0) {
        printf("size %lld\n", ipcj_log_size(&log));
    } else {
        fprintf(stderr, "log_peer: unknown mode %s\n", argv[1]);
        ipcj_log_close(&log);
        return 2;
    }
    ipcj_log_close(&log);
    return 0;
}
