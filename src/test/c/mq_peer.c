/*
 * mq_peer — the C side of the message queue tests and benchmarks. Uses <mqueue.h> directly,
 * as any C program would, so the Java side is checked against the plain C library.
 *
 *   mq_peer send NAME PRIO:TEXT...      send each TEXT with PRIO; print "sent N"
 *   mq_peer recv NAME N                 receive N messages (5 s each); print "PRIO TEXT" lines
 *   mq_peer echo IN OUT                 receive from IN, send the same bytes and priority to OUT,
 *                                       until a message of length 0 (passed on, then exit)
 *   mq_peer drain NAME                  receive until a message of length 0; print the count
 *   mq_peer notify-hold NAME            register mq_notify (SIGEV_NONE), print "registered",
 *                                       exit when stdin closes or gives a line
 *   mq_peer sleep-send NAME MS PRIO:TEXT  wait MS milliseconds, then send
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int fail(const char *what, const char *name) {
    printf("%s(\"%s\"): %s\n", what, name, strerror(errno));
    fflush(stdout);
    return 1;
}

static mqd_t open_q(const char *name, int flags) {
    return mq_open(name, flags);
}

static int send_text(mqd_t q, const char *spec) {
    char *end;
    unsigned prio = (unsigned)strtoul(spec, &end, 10);
    const char *text = (*end == ':') ? end + 1 : spec;
    return mq_send(q, text, strlen(text), prio);
}

static long msgsize(mqd_t q) {
    struct mq_attr a;
    if (mq_getattr(q, &a) != 0) return -1;
    return a.mq_msgsize;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: mq_peer send|recv|echo|drain|notify-hold|sleep-send NAME ...\n");
        return 2;
    }
    const char *mode = argv[1];
    const char *name = argv[2];

    if (strcmp(mode, "send") == 0) {
        mqd_t q = open_q(name, O_WRONLY);
        if (q == (mqd_t)-1) return fail("mq_open", name);
        for (int i = 3; i < argc; i++) {
            if (send_text(q, argv[i]) != 0) return fail("mq_send", name);
        }
        printf("sent %d\n", argc - 3);
        mq_close(q);
        return 0;
    }
    if (strcmp(mode, "sleep-send") == 0 && argc >= 5) {
        mqd_t q = open_q(name, O_WRONLY);
        if (q == (mqd_t)-1) return fail("mq_open", name);
        long ms = atol(argv[3]);
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        if (send_text(q, argv[4]) != 0) return fail("mq_send", name);
        printf("sent 1\n");
        return 0;
    }
    if (strcmp(mode, "recv") == 0 && argc >= 4) {
        mqd_t q = open_q(name, O_RDONLY);
        if (q == (mqd_t)-1) return fail("mq_open", name);
        long size = msgsize(q);
        char *buf = malloc((size_t)size + 1);
        int n = atoi(argv[3]);
        for (int i = 0; i < n; i++) {
            struct timespec ts;
            unsigned prio;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += 5;
            ssize_t len = mq_timedreceive(q, buf, (size_t)size, &prio, &ts);
            if (len < 0) return fail("mq_timedreceive", name);
            buf[len] = 0;
            printf("%u %s\n", prio, buf);
        }
        fflush(stdout);
        return 0;
    }
    if (strcmp(mode, "echo") == 0 && argc >= 4) {
        mqd_t in = open_q(name, O_RDONLY);
        mqd_t out = open_q(argv[3], O_WRONLY);
        if (in == (mqd_t)-1 || out == (mqd_t)-1) return fail("mq_open", name);
        long size = msgsize(in);
        char *buf = malloc((size_t)size);
        printf("ready\n");
        fflush(stdout);
        for (;;) {
            unsigned prio;
            ssize_t len = mq_receive(in, buf, (size_t)size, &prio);
            if (len < 0) {
                if (errno == EINTR) continue;
                return fail("mq_receive", name);
            }
            while (mq_send(out, buf, (size_t)len, prio) != 0) {
                if (errno != EINTR) return fail("mq_send", argv[3]);
            }
            if (len == 0) return 0;
        }
    }
    if (strcmp(mode, "drain") == 0) {
        mqd_t q = open_q(name, O_RDONLY);
        if (q == (mqd_t)-1) return fail("mq_open", name);
        long size = msgsize(q);
        char *buf = malloc((size_t)size);
        long count = 0;
        printf("ready\n");
        fflush(stdout);
        for (;;) {
            ssize_t len = mq_receive(q, buf, (size_t)size, NULL);
            if (len < 0) {
                if (errno == EINTR) continue;
                return fail("mq_receive", name);
            }
            if (len == 0) break;
            count++;
        }
        printf("drained %ld\n", count);
        return 0;
    }
    if (strcmp(mode, "notify-hold") == 0) {
        mqd_t q = open_q(name, O_RDONLY);
        if (q == (mqd_t)-1) return fail("mq_open", name);
        struct sigevent sev;
        memset(&sev, 0, sizeof sev);
        sev.sigev_notify = SIGEV_NONE;
        if (mq_notify(q, &sev) != 0) return fail("mq_notify", name);
        printf("registered %d\n", (int)getpid());
        fflush(stdout);
        char line[16];
        (void)!fgets(line, sizeof line, stdin);
        return 0;
    }
    fprintf(stderr, "mq_peer: unknown mode %s\n", mode);
    return 2;
}
