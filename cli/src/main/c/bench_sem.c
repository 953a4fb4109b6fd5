/* C twin of `ipcj bench -m posix-sem`: named semaphore ping-pong; ARGS = /PING /PONG. */
#include <fcntl.h>
#include <semaphore.h>
#include "bench_common.h"

static sem_t *out_sem = SEM_FAILED, *in_sem = SEM_FAILED;

static int t_server_setup(int argc, char **argv, char *endpoint, size_t cap) {
    if (argc < 2) { errno = EINVAL; BENCH_FAIL("args: /PING /PONG"); }
    if ((in_sem = sem_open(argv[0], O_CREAT | O_EXCL, 0600, 0)) == SEM_FAILED) BENCH_FAIL("sem_open(ping)");
    if ((out_sem = sem_open(argv[1], O_CREAT | O_EXCL, 0600, 0)) == SEM_FAILED) BENCH_FAIL("sem_open(pong)");
    return 0;
}

static int t_server_accept(void) { return 0; }

static int t_client_setup(int argc, char **argv, const char *endpoint) {
    if (argc < 2) { errno = EINVAL; BENCH_FAIL("args: /PING /PONG"); }
    if ((out_sem = sem_open(argv[0], 0)) == SEM_FAILED) BENCH_FAIL("sem_open(ping)");
    if ((in_sem = sem_open(argv[1], 0)) == SEM_FAILED) BENCH_FAIL("sem_open(pong)");
    return 0;
}

static int t_send(char *buf, size_t n) {
    if (sem_post(out_sem) != 0) BENCH_FAIL("sem_post");
    return 0;
}

static int t_recv(char *buf, size_t n) {
    while (sem_wait(in_sem) != 0) {
        if (errno != EINTR) BENCH_FAIL("sem_wait");
    }
    return 0;
}

static void t_close(void) {
    if (out_sem != SEM_FAILED) sem_close(out_sem);
    if (in_sem != SEM_FAILED) sem_close(in_sem);
}
