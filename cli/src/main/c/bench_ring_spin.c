/*
 * C twin of `ipcj bench -m ring-spin` (and, compiled with BENCH_RING_BLOCKING by
 * bench_ring_block.c, of `-m ring-block`): two ONE_TO_ONE ipcj rings (ipcj_ring.h), ARGS =
 * /C2S /S2C. The server creates both (2 MiB each, largest record capacity/2 - 8, as
 * dev.ipcj.cli.compare.RingMechanism), consumes C2S and produces S2C; the client opens them.
 *   spinning: ipcj_ring_offer / ipcj_ring_read in a loop with a pause instruction;
 *   blocking: ipcj_ring_put / ipcj_ring_take with spin_nanos = 0, so every wait is a FUTEX_WAIT.
 * A record is copied out into the caller's buffer, as the Java peer does.
 */
#include "ipcj.h"
#include "bench_common.h"

#ifndef BENCH_RING_BLOCKING
#define BENCH_RING_BLOCKING 0
#endif
#define RING_CAPACITY (2u << 20)
#define RING_MAX (RING_CAPACITY / 2 - 8)

static ipcj_ring in_ring, out_ring;
static int attached_in, attached_out;

#define RING_FAIL(call, rc) do { bench_call = (call); return (rc) < 0 ? (rc) : -EIO; } while (0)

static int attach(void) {
    int rc;
    if (BENCH_RING_BLOCKING) { in_ring.spin_nanos = 0; out_ring.spin_nanos = 0; }
    if ((rc = ipcj_ring_attach_consumer(&in_ring)) < 0) RING_FAIL("ipcj_ring_attach_consumer", rc);
    attached_in = 1;
    if ((rc = ipcj_ring_attach_producer(&out_ring)) < 0) RING_FAIL("ipcj_ring_attach_producer", rc);
    attached_out = 1;
    return 0;
}

static int t_server_setup(int argc, char **argv, char *endpoint, size_t cap) {
    int rc;
    if (argc < 2) { errno = EINVAL; BENCH_FAIL("args: /C2S /S2C"); }
    if ((rc = ipcj_ring_create(&in_ring, argv[0], IPCJ_RING_ONE_TO_ONE, RING_CAPACITY, RING_MAX)) < 0)
        RING_FAIL("ipcj_ring_create(c2s)", rc);
    if ((rc = ipcj_ring_create(&out_ring, argv[1], IPCJ_RING_ONE_TO_ONE, RING_CAPACITY, RING_MAX)) < 0)
        RING_FAIL("ipcj_ring_create(s2c)", rc);
    return attach();
}

static int t_server_accept(void) { return 0; }

static int t_client_setup(int argc, char **argv, const char *endpoint) {
    int rc;
    if (argc < 2) { errno = EINVAL; BENCH_FAIL("args: /C2S /S2C"); }
    /* the client produces into C2S and consumes S2C: "in" and "out" swap */
    if ((rc = ipcj_ring_open(&out_ring, argv[0])) < 0) RING_FAIL("ipcj_ring_open(c2s)", rc);
    if ((rc = ipcj_ring_open(&in_ring, argv[1])) < 0) RING_FAIL("ipcj_ring_open(s2c)", rc);
    return attach();
}

static int t_send(char *buf, size_t n) {
    int rc;
    if (BENCH_RING_BLOCKING) {
        rc = ipcj_ring_put(&out_ring, buf, (uint32_t)n, -1);
    } else {
        while ((rc = ipcj_ring_offer(&out_ring, buf, (uint32_t)n)) == -EAGAIN) ipcj_ring_pause();
    }
    if (rc < 0) RING_FAIL(BENCH_RING_BLOCKING ? "ipcj_ring_put" : "ipcj_ring_offer", rc);
    return 0;
}

typedef struct { char *dst; uint32_t len; } copy_out;

static void copy_record(void *ctx, const uint8_t *p, uint32_t len) {
    copy_out *c = (copy_out *)ctx;
    c->len = len;
    memcpy(c->dst, p, len);
}

static int t_recv(char *buf, size_t n) {
    copy_out c = {buf, 0};
    int rc;
    if (BENCH_RING_BLOCKING) {
        rc = ipcj_ring_take(&in_ring, copy_record, &c, 1, -1);
    } else {
        while ((rc = ipcj_ring_read(&in_ring, copy_record, &c, 1)) == 0) ipcj_ring_pause();
    }
    if (rc < 0) RING_FAIL(BENCH_RING_BLOCKING ? "ipcj_ring_take" : "ipcj_ring_read", rc);
    if (c.len != n) { errno = EBADMSG; BENCH_FAIL("ipcj_ring_read (record of unexpected length)"); }
    return 0;
}

static void t_close(void) {
    if (attached_in) ipcj_ring_detach(&in_ring, 0);
    if (attached_out) ipcj_ring_detach(&out_ring, 1);
    ipcj_ring_close(&in_ring);
    ipcj_ring_close(&out_ring);
}
