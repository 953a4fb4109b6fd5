/*
 * ring_c11 — ipcj_ring.h as a new C user meets it: libc headers first, then the ring, compiled
 * by CRingHeaderTest with -std=c11 -Wall -Wextra -pedantic -Werror (no _GNU_SOURCE). Not in the
 * cmake glob of src/test/c on purpose: the test compiles it itself with those flags.
 *   ring_c11 NAME   create NAME, attach, close without detaching, attach again (both sides),
 *                   pass a record, unlink; prints "ok" or what failed
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>
#include "ipcj_ring.h"

static int failed;

static void check(int cond, const char *what, int rc) {
    if (!cond) {
        printf("FAIL %s: %d (%s)\n", what, rc, strerror(rc < 0 ? -rc : rc));
        failed = 1;
    }
}

static void got(void *ctx, const uint8_t *p, uint32_t len) {
    memcpy(ctx, p, len < 8 ? len : 8);
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    const char *name = argv[1];
    for (int variant = IPCJ_RING_ONE_TO_ONE; variant <= IPCJ_RING_MANY_TO_ONE; variant++) {
        ipcj_ring a, b;
        int rc = ipcj_ring_create(&a, name, variant, 4096, 100);
        check(rc == 0, "create", rc);
        if (rc != 0) return 1;
        rc = ipcj_ring_create(&b, name, variant, 4096, 100);
        check(rc == -EEXIST, "second create is EEXIST", rc);
        rc = ipcj_ring_attach_producer(&a);
        check(rc == 0, "attach producer", rc);
        rc = ipcj_ring_attach_consumer(&a);
        check(rc == 0, "attach consumer", rc);
        rc = ipcj_ring_offer(&a, "12345678", 8);
        check(rc == 0, "offer", rc);
        ipcj_ring_close(&a); /* without detaching: close must free both slots */

        rc = ipcj_ring_open(&b, name);
        check(rc == 0, "open after close", rc);
        rc = ipcj_ring_attach_producer(&b);
        check(rc == 0, "attach producer after close", rc);
        rc = ipcj_ring_attach_consumer(&b);
        check(rc == 0, "attach consumer after close", rc);
        char buf[8] = {0};
        rc = ipcj_ring_read(&b, got, buf, 1);
        check(rc == 1 && memcmp(buf, "12345678", 8) == 0, "read the record", rc);
        ipcj_ring_close(&b);

        rc = ipcj_ring_unlink(name);
        check(rc == 0, "unlink", rc);
        rc = ipcj_ring_open(&b, name);
        check(rc == -ENOENT, "open after unlink is ENOENT", rc);
        rc = ipcj_ring_unlink(name);
        check(rc == -ENOENT, "second unlink is ENOENT", rc);
    }
    if (!failed) printf("ok\n");
    return failed;
}
