/*
 * C twin of `ipcj bench -m sysv-sem`: ping-pong on a System V set of two semaphores made by
 * ipcj (ARGS = SET_ID). The client adds 1 to semaphore 0 and takes 1 from semaphore 1, the
 * server the other way round; no SEM_UNDO, as the Java peer.
 */
#include <sys/ipc.h>
#include <sys/sem.h>
#include "bench_common.h"

static int set = -1;
static unsigned short out_num, in_num;

static int setup(int argc, char **argv, int server) {
    if (argc < 1) { errno = EINVAL; BENCH_FAIL("args: SET_ID"); }
    set = atoi(argv[0]);
    out_num = server ? 1 : 0;
    in_num = server ? 0 : 1;
    return 0;
}

static int t_server_setup(int argc, char **argv, char *endpoint, size_t cap) { return setup(argc, argv, 1); }
static int t_server_accept(void) { return 0; }
static int t_client_setup(int argc, char **argv, const char *endpoint) { return setup(argc, argv, 0); }

static int op(unsigned short num, short delta, const char *call) {
    struct sembuf s = {num, delta, 0};
    while (semop(set, &s, 1) != 0) {
        if (errno != EINTR) BENCH_FAIL(call);
    }
    return 0;
}

static int t_send(char *buf, size_t n) { return op(out_num, 1, "semop(+1)"); }
static int t_recv(char *buf, size_t n) { return op(in_num, -1, "semop(-1)"); }
static void t_close(void) {}
