/*
 * sysv_peer — the C side of the System V cross-process tests, built on ipcj's own shims.
 *
 *   sysv_peer shm-rw ID               attach, print the long at 0, store it+1 at 8, detach
 *   sysv_peer shm-hold ID             attach, print "attached"; per stdin line: print the long at 0
 *                                     and store 77 at 8; on EOF detach and exit
 *   sysv_peer msg-echo ID REQ REPLY   receive type REQ, send the payload back as type REPLY, until
 *                                     the queue is removed (exit 0)
 *   sysv_peer msg-send ID TYPE TEXT   send TEXT with TYPE
 *   sysv_peer msg-recv ID TYPE        receive by TYPE (msgrcv semantics), print "TYPE:TEXT"
 *   sysv_peer sem-echo ID             loop: -1 on sem 0, +1 on sem 1, until the set is removed
 *   sysv_peer sem-hold ID NUM         -1 on NUM with SEM_UNDO, print "held", sleep until killed
 *   sysv_peer sem-race KEY INIT GATE  wait until semaphore 0 of set GATE is 0, then create-or-open
 *                                     KEY (initial INIT) as dev.ipcj.sysv.SemaphoreSet.openOrCreate
 *                                     does, take one (IPC_NOWAIT), print "created"/"opened"
 *   sysv_peer sem-foreign KEY N VALUE create set KEY of N semaphores and SETVAL each to VALUE, no
 *                                     semop (VALUE < 0: set nothing); print the id
 */
#include "ipcj.h"
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int die(const char *what, long long r) {
    fprintf(stdout, "error %s: %s\n", what, strerror((int)-r));
    fflush(stdout);
    return 2;
}

static int shm_rw(int id) {
    long long a = ipcj_shmat(id, 0);
    if (a < 0 && a > -4096) return die("shmat", a);
    long long *p = (long long *)(intptr_t)a;
    long long v = p[0];
    p[1] = v + 1;
    printf("%lld\n", v);
    ipcj_shmdt(a);
    return 0;
}

static int shm_hold(int id) {
    long long a = ipcj_shmat(id, 0);
    char line[64];
    if (a < 0 && a > -4096) return die("shmat", a);
    volatile long long *p = (volatile long long *)(intptr_t)a;
    printf("attached\n");
    fflush(stdout);
    while (fgets(line, sizeof line, stdin) != NULL) {
        long long v = p[0];
        p[1] = 77; /* before the reply: the test reads p[1] as soon as it has the line */
        printf("%lld\n", v);
        fflush(stdout);
    }
    return ipcj_shmdt(a) == 0 ? 0 : 2;
}

struct msg {
    long type;
    char text[8192];
};

static int msg_echo(int id, long req, long reply) {
    static struct msg m;
    for (;;) {
        long long n = ipcj_msgrcv(id, (long long)(intptr_t)&m, sizeof m.text, req, 0);
        if (n == -EINTR) continue;
        if (n == -EIDRM || n == -EINVAL) return 0;
        if (n < 0) return die("msgrcv", n);
        m.type = reply;
        int r;
        while ((r = ipcj_msgsnd(id, (long long)(intptr_t)&m, n, 0)) == -EINTR) {
        }
        if (r == -EIDRM || r == -EINVAL) return 0;
        if (r < 0) return die("msgsnd", r);
    }
}

static int msg_send(int id, long type, const char *text) {
    int r = ipcj_msgsnd_copy(id, type, (long long)(intptr_t)text, (long long)strlen(text), 0);
    return r < 0 ? die("msgsnd", r) : 0;
}

static int msg_recv(int id, long type) {
    static struct msg m;
    long long n = ipcj_msgrcv(id, (long long)(intptr_t)&m, sizeof m.text - 1, type, 0);
    if (n < 0) return die("msgrcv", n);
    m.text[n] = 0;
    printf("%ld:%s\n", m.type, m.text);
    return 0;
}

static int sem_echo(int id) {
    for (;;) {
        int r;
        while ((r = ipcj_semop1(id, 0, -1, 0)) == -EINTR) {
        }
        if (r == -EIDRM || r == -EINVAL) return 0;
        if (r < 0) return die("semop", r);
        r = ipcj_semop1(id, 1, 1, 0);
        if (r == -EIDRM || r == -EINVAL) return 0;
        if (r < 0) return die("semop", r);
    }
}

static int sem_hold(int id, int num) {
    int r = ipcj_semop1(id, num, -1, SEM_UNDO);
    if (r < 0) return die("semop", r);
    printf("held\n");
    fflush(stdout);
    for (;;) pause();
}

/* Whether some program initialised set `id` (SemaphoreSet.openOrCreate's test): 1, 0, or -errno. */
static int sem_initialised(int id, long long *st) {
    int r = ipcj_semctl_stat(id, st);
    if (r < 0) return r;
    if (st[6] != 0) return 1; /* sem_otime: a semop was done */
    for (long long i = 0; i < st[8]; i++) {
        int pid = ipcj_semctl_getpid(id, (int)i);
        if (pid < 0) return pid;
        if (pid > 0 || ipcj_semctl_getncnt(id, (int)i) > 0 || ipcj_semctl_getzcnt(id, (int)i) > 0) return 1;
    }
    return 0;
}

/* The same protocol as SemaphoreSet.openOrCreate: see its class comment. */
static int sem_race(int key, int initial, int gate) {
    int r, id, created = 0;
    while ((r = ipcj_semop1(gate, 0, 0, 0)) == -EINTR) {
    }
    if (r < 0) return die("gate", r);
    for (;;) {
        id = ipcj_semget(key, 1, IPC_CREAT | IPC_EXCL | 0600);
        if (id >= 0) {
            unsigned short v = (unsigned short)initial;
            struct sembuf zero[2];
            usleep(30000); /* widen the window in which losers see an uninitialised set */
            if ((r = ipcj_semctl_setall(id, (long long)(intptr_t)&v)) < 0) return die("setall", r);
            /* two operations that cancel out: sem_otime != 0, no other value ever visible */
            zero[0].sem_num = 0;
            zero[0].sem_op = 1;
            zero[0].sem_flg = IPC_NOWAIT;
            zero[1].sem_num = 0;
            zero[1].sem_op = -1;
            zero[1].sem_flg = IPC_NOWAIT;
            if ((r = ipcj_semop(id, (long long)(intptr_t)zero, 2)) < 0) return die("semop init", r);
            created = 1;
            break;
        }
        if (id != -EEXIST) return die("semget", id);
        id = ipcj_semget(key, 0, 0600);
        if (id == -ENOENT) continue;
        if (id < 0) return die("semget open", id);
        long long st[IPCJ_SEM_STAT_FIELDS];
        int tries = 0;
        for (;;) {
            if ((r = sem_initialised(id, st)) < 0) return die("stat", r);
            if (r == 1) break;
            if (++tries > 10000) return die("init timeout", -ETIMEDOUT);
            usleep(500);
        }
        break;
    }
    r = ipcj_semop1(id, 0, -1, IPC_NOWAIT);
    if (r < 0) return die("take", r);
    printf("%s\n", created ? "created" : "opened");
    return 0;
}

/*
 * A set made the way many C programs make one: semget, then SETVAL of each semaphore, and no
 * semop (sem_otime stays 0). VALUE < 0: semget only, nothing set (a set nobody initialised).
 * Prints the id.
 */
static int sem_foreign(int key, int nsems, int value) {
    int id = ipcj_semget(key, nsems, IPC_CREAT | IPC_EXCL | 0600);
    if (id < 0) return die("semget", id);
    if (value >= 0) {
        for (int i = 0; i < nsems; i++) {
            int r = ipcj_semctl_setval(id, i, value);
            if (r < 0) return die("setval", r);
        }
    }
    printf("%d\n", id);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: see the comment at the top of sysv_peer.c\n");
        return 1;
    }
    const char *mode = argv[1];
    int id = (int)strtol(argv[2], NULL, 0);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!strcmp(mode, "shm-rw")) return shm_rw(id);
    if (!strcmp(mode, "shm-hold")) return shm_hold(id);
    if (!strcmp(mode, "msg-echo") && argc == 5) return msg_echo(id, atol(argv[3]), atol(argv[4]));
    if (!strcmp(mode, "msg-send") && argc == 5) return msg_send(id, atol(argv[3]), argv[4]);
    if (!strcmp(mode, "msg-recv") && argc == 4) return msg_recv(id, atol(argv[3]));
    if (!strcmp(mode, "sem-echo")) return sem_echo(id);
    if (!strcmp(mode, "sem-hold") && argc == 4) return sem_hold(id, atoi(argv[3]));
    if (!strcmp(mode, "sem-race") && argc == 5) return sem_race(id, atoi(argv[3]), atoi(argv[4]));
    if (!strcmp(mode, "sem-foreign") && argc == 5) return sem_foreign(id, atoi(argv[3]), atoi(argv[4]));
    fprintf(stderr, "bad arguments\n");
    return 1;
}
