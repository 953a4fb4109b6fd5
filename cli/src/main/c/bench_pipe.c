/* C twin of `ipcj bench -m pipe`: two FIFOs, ARGS = C2S S2C (see bench_common.h). */
#include <fcntl.h>
#include <unistd.h>
#include "bench_common.h"

static int in_fd = -1, out_fd = -1;
static const char *c2s, *s2c;

static int t_server_setup(int argc, char **argv, char *endpoint, size_t cap) {
    if (argc < 2) { errno = EINVAL; BENCH_FAIL("args: C2S S2C"); }
    c2s = argv[0];
    s2c = argv[1];
    return 0;
}

static int t_server_accept(void) {
    /* The same order as the client, or both block in open(). */
    if ((in_fd = open(c2s, O_RDONLY)) < 0) BENCH_FAIL("open(c2s)");
    if ((out_fd = open(s2c, O_WRONLY)) < 0) BENCH_FAIL("open(s2c)");
    return 0;
}

static int t_client_setup(int argc, char **argv, const char *endpoint) {
    if (argc < 2) { errno = EINVAL; BENCH_FAIL("args: C2S S2C"); }
    if ((out_fd = open(argv[0], O_WRONLY)) < 0) BENCH_FAIL("open(c2s)");
    if ((in_fd = open(argv[1], O_RDONLY)) < 0) BENCH_FAIL("open(s2c)");
    return 0;
}

static int t_send(char *buf, size_t n) { return bench_write_all(out_fd, buf, n, "write(fifo)"); }
static int t_recv(char *buf, size_t n) { return bench_read_all(in_fd, buf, n, "read(fifo)"); }

static void t_close(void) {
    if (in_fd >= 0) close(in_fd);
    if (out_fd >= 0) close(out_fd);
}
