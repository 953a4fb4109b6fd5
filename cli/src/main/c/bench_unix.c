/* C twin of `ipcj bench -m unix`: a stream Unix domain socket, ARGS = PATH (see bench_common.h). */
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "bench_common.h"

static int lfd = -1, fd = -1;

static int addr(const char *path, struct sockaddr_un *a) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof a->sun_path) { errno = ENAMETOOLONG; BENCH_FAIL("sockaddr_un"); }
    strcpy(a->sun_path, path);
    return 0;
}

static int t_server_setup(int argc, char **argv, char *endpoint, size_t cap) {
    struct sockaddr_un a;
    if (argc < 1) { errno = EINVAL; BENCH_FAIL("args: PATH"); }
    int r = addr(argv[0], &a);
    if (r < 0) return r;
    if ((lfd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0) BENCH_FAIL("socket");
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0) BENCH_FAIL("bind");
    if (listen(lfd, 1) < 0) BENCH_FAIL("listen");
    return 0;
}

static int t_server_accept(void) {
    if ((fd = accept(lfd, NULL, NULL)) < 0) BENCH_FAIL("accept");
    return 0;
}

static int t_client_setup(int argc, char **argv, const char *endpoint) {
    struct sockaddr_un a;
    if (argc < 1) { errno = EINVAL; BENCH_FAIL("args: PATH"); }
    int r = addr(argv[0], &a);
    if (r < 0) return r;
    if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0) BENCH_FAIL("socket");
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) BENCH_FAIL("connect");
    return 0;
}

static int t_send(char *buf, size_t n) { return bench_write_all(fd, buf, n, "write(socket)"); }
static int t_recv(char *buf, size_t n) { return bench_read_all(fd, buf, n, "read(socket)"); }

static void t_close(void) {
    if (fd >= 0) close(fd);
    if (lfd >= 0) close(lfd);
}
