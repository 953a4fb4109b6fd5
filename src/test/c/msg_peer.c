/*
 * msg_peer — a C program talking to ipcj mailboxes through ipcj_msg.h, as any C user would:
 * it reads the mailbox header, then uses <mqueue.h> or <sys/msg.h> directly.
 *
 *   msg_peer send NAME TEXT...     send each TEXT as a frame (sequence 0, 1, ...); print "sent N"
 *   msg_peer recv NAME N           receive N frames (5 s each); print "got TEXT from PID seq S"
 *                                  for each, "bad -ERR" for a frame that is not ipcj's,
 *                                  "timeout" when none came
 *   msg_peer raw NAME TEXT         send TEXT as it is, without an envelope (a foreign message)
 *   msg_peer header NAME           print the header's fields: "transport T capacity C max M id1 I"
 */
#include "ipcj_msg.h"
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <time.h>
#include <unistd.h>

static int fail(const char *what, const char *name, int err) {
    printf("%s(\"%s\"): %s\n", what, name, strerror(err < 0 ? -err : err));
    fflush(stdout);
    return 1;
}

struct sysv_buf {
    long mtype;
    unsigned char mtext[1 << 16];
};

static struct sysv_buf sbuf;
static unsigned char frame[1 << 16];

static int send_bytes(const struct ipcj_msg_header *h, const char *name, const void *bytes, size_t n) {
    if (h->transport == IPCJ_MBX_POSIX_MQ) {
        mqd_t q = mq_open(name, O_WRONLY);
        if (q == (mqd_t)-1) return -errno;
        int r = mq_send(q, (const char *)bytes, n, 0) == 0 ? 0 : -errno;
        mq_close(q);
        return r;
    }
    if (h->transport == IPCJ_MBX_SYSTEM_V) {
        sbuf.mtype = getpid();
        if (n > sizeof sbuf.mtext) return -EMSGSIZE;
        memcpy(sbuf.mtext, bytes, n);
        return msgsnd((int)h->id1, &sbuf, n, 0) == 0 ? 0 : -errno;
    }
    return -ENOTSUP;
}

/* One message into `frame`: its size, 0 on timeout, or -errno. */
static long long receive_bytes(const struct ipcj_msg_header *h, const char *name, int seconds) {
    size_t cap = IPCJ_MSG_ENVELOPE_SIZE + (size_t)h->max_message_size;
    if (cap > sizeof frame) cap = sizeof frame;
    if (h->transport == IPCJ_MBX_POSIX_MQ) {
        mqd_t q = mq_open(name, O_RDONLY);
        if (q == (mqd_t)-1) return -errno;
        struct mq_attr a;
        mq_getattr(q, &a);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += seconds;
        ssize_t r = mq_timedreceive(q, (char *)frame, (size_t)a.mq_msgsize, NULL, &ts);
        int err = errno;
        mq_close(q);
        if (r < 0) return err == ETIMEDOUT ? 0 : -err;
        return r;
    }
    if (h->transport == IPCJ_MBX_SYSTEM_V) {
        for (int i = 0; i < seconds * 1000; i++) {
            ssize_t r = msgrcv((int)h->id1, &sbuf, cap, 0, IPC_NOWAIT | MSG_NOERROR);
            if (r >= 0) {
                memcpy(frame, sbuf.mtext, (size_t)r);
                return r;
            }
            if (errno != ENOMSG) return -errno;
            struct timespec d = {0, 1000000};
            nanosleep(&d, NULL);
        }
        return 0;
    }
    return -ENOTSUP;
}

static int open_header(const char *name, struct ipcj_msg_header *h) {
    for (int i = 0; i < 2000; i++) {
        int r = ipcj_msg_header_read(name, h);
        if (r != -EAGAIN) return r;
        struct timespec d = {0, 1000000};
        nanosleep(&d, NULL);
    }
    return -EAGAIN;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: msg_peer send|recv|raw|header NAME ...\n");
        return 2;
    }
    const char *mode = argv[1];
    const char *name = argv[2];
    struct ipcj_msg_header h;
    int r = open_header(name, &h);
    if (r != 0) return fail("ipcj_msg_header_read", name, r);

    if (strcmp(mode, "header") == 0) {
        printf("transport %d capacity %d max %d id1 %lld\n", h.transport, h.capacity, h.max_message_size,
               (long long)h.id1);
    } else if (strcmp(mode, "send") == 0) {
        for (int i = 3; i < argc; i++) {
            struct ipcj_msg_envelope e;
            memset(&e, 0, sizeof e);
            e.sender = getpid();
            e.sequence = i - 3;
            size_t cap = IPCJ_MSG_ENVELOPE_SIZE + (size_t)h.max_message_size;
            long long n = ipcj_msg_frame_build(frame, cap < sizeof frame ? cap : sizeof frame, &e, argv[i], strlen(argv[i]));
            if (n < 0) return fail("ipcj_msg_frame_build", name, (int)n);
            r = send_bytes(&h, name, frame, (size_t)n);
            if (r != 0) return fail("send", name, r);
        }
        printf("sent %d\n", argc - 3);
    } else if (strcmp(mode, "raw") == 0 && argc > 3) {
        r = send_bytes(&h, name, argv[3], strlen(argv[3]));
        if (r != 0) return fail("send", name, r);
        printf("sent raw\n");
    } else if (strcmp(mode, "recv") == 0 && argc > 3) {
        int n = atoi(argv[3]);
        for (int i = 0; i < n; i++) {
            long long len = receive_bytes(&h, name, 5);
            if (len == 0) {
                printf("timeout\n");
                fflush(stdout);
                return 3;
            }
            if (len < 0) return fail("receive", name, (int)len);
            struct ipcj_msg_envelope e;
            const void *payload;
            int p = ipcj_msg_frame_parse(frame, (size_t)len, 1, &e, &payload);
            if (p != 0) {
                printf("bad %d\n", p);
            } else {
                printf("got %.*s from %d seq %lld\n", (int)e.length, (const char *)payload, e.sender,
                       (long long)e.sequence);
            }
            fflush(stdout);
        }
    } else {
        fprintf(stderr, "unknown mode %s\n", mode);
        return 2;
    }
    fflush(stdout);
    return 0;
}
