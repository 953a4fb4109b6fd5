/*
 * C twin of `ipcj bench -m sysv-msg`: two System V message queues made by ipcj (ARGS = C2S_ID
 * S2C_ID); msgsnd from and msgrcv into one reusable msgbuf (type 1), as the Java peer's
 * SysvMessage.
 */
#include <sys/ipc.h>
#include <sys/msg.h>
#include "bench_common.h"

static int out_q = -1, in_q = -1;
static struct { long mtype; char mtext[]; } *msg;
static size_t msg_cap;

static int room(size_t n) {
    if (n <= msg_cap && msg) return 0;
    void *p = realloc(msg, sizeof(long) + (n ? n : 1));
    if (!p) BENCH_FAIL("realloc(msgbuf)");
    msg = p;
    msg_cap = n;
    return 0;
}

static int ids(int argc, char **argv, int server) {
    if (argc < 2) { errno = EINVAL; BENCH_FAIL("args: C2S_ID S2C_ID"); }
    int c2s = atoi(argv[0]), s2c = atoi(argv[1]);
    out_q = server ? s2c : c2s;
    in_q = server ? c2s : s2c;
    return room(8);
}

static int t_server_setup(int argc, char **argv, char *endpoint, size_t cap) { return ids(argc, argv, 1); }
static int t_server_accept(void) { return 0; }
static int t_client_setup(int argc, char **argv, const char *endpoint) { return ids(argc, argv, 0); }

static int t_send(char *buf, size_t n) {
    int r = room(n);
    if (r < 0) return r;
    msg->mtype = 1;
    while (msgsnd(out_q, msg, n, 0) != 0) {
        if (errno != EINTR) BENCH_FAIL("msgsnd");
    }
    return 0;
}

static int t_recv(char *buf, size_t n) {
    int r = room(n);
    if (r < 0) return r;
    ssize_t got;
    while ((got = msgrcv(in_q, msg, msg_cap, 0, 0)) < 0) {
        if (errno != EINTR) BENCH_FAIL("msgrcv");
    }
    if ((size_t)got != n) { errno = EBADMSG; BENCH_FAIL("msgrcv (message of unexpected size)"); }
    return 0;
}

static void t_close(void) { free(msg); msg = NULL; }
