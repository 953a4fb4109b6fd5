/*
 * C twin of `ipcj bench -m posix-mq`: two POSIX message queues, one each way; ARGS = /C2S /S2C
 * DEPTH MSGSIZE. The server creates both (O_EXCL, 0600, DEPTH messages of MSGSIZE bytes, as the
 * Java peer), the client opens them. mq_receive needs a buffer of the queue's whole message
 * size, so each side receives into one of MSGSIZE bytes, allocated once.
 */
#include <fcntl.h>
#include <mqueue.h>
#include "bench_common.h"

static mqd_t out_q = (mqd_t)-1, in_q = (mqd_t)-1;
static char *rbuf;
static long msgsize;

static int parse(int argc, char **argv) {
    if (argc < 4) { errno = EINVAL; BENCH_FAIL("args: /C2S /S2C DEPTH MSGSIZE"); }
    msgsize = atol(argv[3]);
    if (msgsize < 1 || !(rbuf = malloc((size_t)msgsize))) { errno = EINVAL; BENCH_FAIL("args: MSGSIZE"); }
    return 0;
}

static int t_server_setup(int argc, char **argv, char *endpoint, size_t cap) {
    int r = parse(argc, argv);
    if (r < 0) return r;
    struct mq_attr a = {0};
    a.mq_maxmsg = atol(argv[2]);
    a.mq_msgsize = msgsize;
    if ((in_q = mq_open(argv[0], O_RDWR | O_CREAT | O_EXCL, 0600, &a)) == (mqd_t)-1) BENCH_FAIL("mq_open(c2s)");
    if ((out_q = mq_open(argv[1], O_RDWR | O_CREAT | O_EXCL, 0600, &a)) == (mqd_t)-1) BENCH_FAIL("mq_open(s2c)");
    return 0;
}

static int t_server_accept(void) { return 0; }

static int t_client_setup(int argc, char **argv, const char *endpoint) {
    int r = parse(argc, argv);
    if (r < 0) return r;
    if ((out_q = mq_open(argv[0], O_RDWR)) == (mqd_t)-1) BENCH_FAIL("mq_open(c2s)");
    if ((in_q = mq_open(argv[1], O_RDWR)) == (mqd_t)-1) BENCH_FAIL("mq_open(s2c)");
    return 0;
}

static int t_send(char *buf, size_t n) {
    while (mq_send(out_q, buf, n, 0) != 0) {
        if (errno != EINTR) BENCH_FAIL("mq_send");
    }
    return 0;
}

static int t_recv(char *buf, size_t n) {
    ssize_t got;
    while ((got = mq_receive(in_q, rbuf, (size_t)msgsize, NULL)) < 0) {
        if (errno != EINTR) BENCH_FAIL("mq_receive");
    }
    if ((size_t)got != n) { errno = EBADMSG; BENCH_FAIL("mq_receive (message of unexpected size)"); }
    return 0;
}

static void t_close(void) {
    if (out_q != (mqd_t)-1) mq_close(out_q);
    if (in_q != (mqd_t)-1) mq_close(in_q);
    free(rbuf);
    rbuf = NULL;
}
