/*
 * bench_leak — for the `ipcj ls` / `ipcj rm` tests: creates one object of every kind with
 * ipcj's markers, prints what it made, and waits to be killed, leaving them behind:
 *   POSIX shm /ipcj-test-PID-1-shm, semaphore /ipcj-test-PID-2-sem, queue /ipcj-test-PID-3-mq,
 *   System V shm, msg and sem with keys in ipcj's range 0x1ec00000..0x1ecfffff.
 * Output: "READY shm=ID msg=ID sem=ID mq=0|1" (mq=0 when mq_open is not allowed here).
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>

static int sysv(int kind, key_t base) {
    /* Other processes may use keys of the range too: try the next until one is free. */
    for (int i = 0; i < 4096; i++) {
        key_t k = (key_t)(0x1ec00000 | ((base + i * 7919) & 0xfffff));
        int id = kind == 0 ? shmget(k, 4096, IPC_CREAT | IPC_EXCL | 0600)
               : kind == 1 ? msgget(k, IPC_CREAT | IPC_EXCL | 0600)
                           : semget(k, 2, IPC_CREAT | IPC_EXCL | 0600);
        if (id >= 0 || errno != EEXIST) return id;
    }
    return -1;
}

int main(void) {
    char name[128];
    int pid = (int)getpid();
    snprintf(name, sizeof name, "/ipcj-test-%d-1-shm", pid);
    int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd < 0 || ftruncate(fd, 8192) != 0) { printf("ERROR shm_open: %s\n", strerror(errno)); return 1; }
    snprintf(name, sizeof name, "/ipcj-test-%d-2-sem", pid);
    if (sem_open(name, O_CREAT | O_EXCL, 0600, 0) == SEM_FAILED) { printf("ERROR sem_open: %s\n", strerror(errno)); return 1; }
    snprintf(name, sizeof name, "/ipcj-test-%d-3-mq", pid);
    struct mq_attr a = {0};
    a.mq_maxmsg = 1;
    a.mq_msgsize = 8;
    int mq = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &a) != (mqd_t)-1;
    int shm = sysv(0, pid), msg = sysv(1, pid + 1), sem = sysv(2, pid + 2);
    if (shm < 0 || msg < 0 || sem < 0) { printf("ERROR System V get: %s\n", strerror(errno)); return 1; }
    printf("READY shm=%d msg=%d sem=%d mq=%d\n", shm, msg, sem, mq);
    fflush(stdout);
    for (;;) pause();
}
