/* C twin of `ipcj bench -m tcp`: TCP over loopback, TCP_NODELAY; ARGS = HOST, ENDPOINT = port. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>
#include "bench_common.h"

static int lfd = -1, fd = -1;

static int nodelay(int s) {
    int one = 1;
    if (setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) BENCH_FAIL("setsockopt(TCP_NODELAY)");
    return 0;
}

static int t_server_setup(int argc, char **argv, char *endpoint, size_t cap) {
    struct sockaddr_in a = {0};
    socklen_t len = sizeof a;
    if (argc < 1) { errno = EINVAL; BENCH_FAIL("args: HOST"); }
    a.sin_family = AF_INET;
    if (inet_pton(AF_INET, argv[0], &a.sin_addr) != 1) { errno = EINVAL; BENCH_FAIL("inet_pton"); }
    if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) < 0) BENCH_FAIL("socket");
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0) BENCH_FAIL("bind");
    if (listen(lfd, 1) < 0) BENCH_FAIL("listen");
    if (getsockname(lfd, (struct sockaddr *)&a, &len) < 0) BENCH_FAIL("getsockname");
    snprintf(endpoint, cap, "%d", ntohs(a.sin_port));
    return 0;
}

static int t_server_accept(void) {
    if ((fd = accept(lfd, NULL, NULL)) < 0) BENCH_FAIL("accept");
    return nodelay(fd);
}

static int t_client_setup(int argc, char **argv, const char *endpoint) {
    struct sockaddr_in a = {0};
    if (argc < 1) { errno = EINVAL; BENCH_FAIL("args: HOST"); }
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)atoi(endpoint));
    if (inet_pton(AF_INET, argv[0], &a.sin_addr) != 1) { errno = EINVAL; BENCH_FAIL("inet_pton"); }
    if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0) BENCH_FAIL("socket");
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) BENCH_FAIL("connect");
    return nodelay(fd);
}

static int t_send(char *buf, size_t n) { return bench_write_all(fd, buf, n, "write(tcp)"); }
static int t_recv(char *buf, size_t n) { return bench_read_all(fd, buf, n, "read(tcp)"); }

static void t_close(void) {
    if (fd >= 0) close(fd);
    if (lfd >= 0) close(lfd);
}
