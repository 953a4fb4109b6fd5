/*
 * ipcj_mq.h — POSIX message queues: every call of <mqueue.h>, one shim each.
 *
 * On Linux an mqd_t is a file descriptor (an int), so a queue is handled as an int, and
 * epoll can watch it (ipcj_epoll.h). Payloads are passed as raw addresses (a direct
 * ByteBuffer's, on the Java side) and lengths; the Java side has checked them.
 *
 * Receives return the length and the priority in one value, so that neither an out-array
 * nor a second call is needed per message:
 *
 *   bit  63 ........ 48 47 ........ 32 31 ............ 0
 *       +-------------+---------------+-----------------+
 *       |      0      |   priority    |  length (bytes) |   (>= 0)
 *       +-------------+---------------+-----------------+
 *   or -errno (< 0). Linux caps a message at 16 MiB and a priority below 32768, so both fit.
 *
 * Timed calls take a relative timeout in nanoseconds and build the absolute CLOCK_REALTIME
 * deadline that mq_timedsend/mq_timedreceive want. A negative timeout means "do not wait at
 * all": the deadline {0, 0} lies in the past, so the kernel returns ETIMEDOUT at once when
 * the call would block, without touching the descriptor's O_NONBLOCK flag (which other
 * threads share).
 *
 * Notification (mq_notify with SIGEV_THREAD): the function glibc runs on its own thread only
 * writes an 8-byte token into one process-wide pipe that is never closed; a Java thread reads
 * the tokens and runs the callbacks. So no glibc thread ever attaches to the JVM, and a
 * notification racing with a cancel can never write into a descriptor that was closed and
 * reused: the pipe lives as long as the process.
 */
#ifndef IPCJ_MQ_H
#define IPCJ_MQ_H

#include "ipcj_common.h"
#include <fcntl.h>
#include <mqueue.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * mq_open(name, oflag, mode, attr): a descriptor, or -errno. With O_CREAT, maxmsg and msgsize
 * fill the attributes; maxmsg <= 0 passes attr NULL (the kernel's defaults msg_default and
 * msgsize_default).
 */
static inline int ipcj_mq_open(const char *name, int oflag, int mode, long long maxmsg, long long msgsize) {
    mqd_t q;
    if (name == NULL) return -EFAULT; /* see IPCJ_NULL_NAME in ipcj_common.h */
    if ((oflag & O_CREAT) && maxmsg > 0) {
        struct mq_attr attr;
        memset(&attr, 0, sizeof attr);
        attr.mq_maxmsg = (long)maxmsg;
        attr.mq_msgsize = (long)msgsize;
        q = mq_open(name, oflag | O_CLOEXEC, (mode_t)mode, &attr);
    } else if (oflag & O_CREAT) {
        q = mq_open(name, oflag | O_CLOEXEC, (mode_t)mode, (struct mq_attr *)NULL);
    } else {
        q = mq_open(name, oflag | O_CLOEXEC);
    }
    return q == (mqd_t)-1 ? -errno : (int)q;
}

static inline int ipcj_mq_close(int mqd) {
    return ipcj_status(mq_close((mqd_t)mqd));
}

static inline int ipcj_mq_unlink(const char *name) {
    if (name == NULL) return -EFAULT;
    return ipcj_status(mq_unlink(name));
}

/* mq_getattr: out[0] = mq_flags, out[1] = mq_maxmsg, out[2] = mq_msgsize, out[3] = mq_curmsgs. */
static inline int ipcj_mq_getattr(int mqd, long long *out) {
    struct mq_attr a;
    if (mq_getattr((mqd_t)mqd, &a) != 0) return -errno;
    out[0] = (long long)a.mq_flags;
    out[1] = (long long)a.mq_maxmsg;
    out[2] = (long long)a.mq_msgsize;
    out[3] = (long long)a.mq_curmsgs;
    return 0;
}

/* mq_setattr with mq_flags = flags (only O_NONBLOCK can change): the old mq_flags, or -errno. */
static inline long long ipcj_mq_setattr(int mqd, long long flags) {
    struct mq_attr a;
    struct mq_attr old;
    memset(&a, 0, sizeof a);
    a.mq_flags = (long)flags;
    if (mq_setattr((mqd_t)mqd, &a, &old) != 0) return -errno;
    return (long long)old.mq_flags;
}

/* mq_send of [addr, addr+len) with priority prio: 0 or -errno. */
static inline int ipcj_mq_send(int mqd, long long addr, long long len, int prio) {
    return ipcj_status(mq_send((mqd_t)mqd, (const char *)(intptr_t)addr, (size_t)len, (unsigned)prio));
}

static inline long long ipcj_mq_pack(ssize_t n, unsigned prio) {
    return n < 0 ? -errno : (((long long)prio << 32) | (long long)n);
}

/* mq_receive into [addr, addr+len): (priority << 32) | length, or -errno. */
static inline long long ipcj_mq_receive(int mqd, long long addr, long long len) {
    unsigned prio = 0;
    ssize_t n = mq_receive((mqd_t)mqd, (char *)(intptr_t)addr, (size_t)len, &prio);
    return ipcj_mq_pack(n, prio);
}

static inline void ipcj_mq_deadline(long long nanos, struct timespec *ts) {
    if (nanos < 0) {
        ts->tv_sec = 0; /* in the past: fail with ETIMEDOUT instead of blocking */
        ts->tv_nsec = 0;
    } else {
        ipcj_deadline(CLOCK_REALTIME, nanos, ts);
    }
}

/* mq_timedsend waiting at most nanos (negative: not at all): 0 or -errno (-ETIMEDOUT). */
static inline int ipcj_mq_timedsend(int mqd, long long addr, long long len, int prio, long long nanos) {
    struct timespec ts;
    ipcj_mq_deadline(nanos, &ts);
    return ipcj_status(mq_timedsend((mqd_t)mqd, (const char *)(intptr_t)addr, (size_t)len,
                                    (unsigned)prio, &ts));
}

/* mq_timedreceive waiting at most nanos (negative: not at all): packed as ipcj_mq_receive. */
static inline long long ipcj_mq_timedreceive(int mqd, long long addr, long long len, long long nanos) {
    struct timespec ts;
    unsigned prio = 0;
    ssize_t n;
    ipcj_mq_deadline(nanos, &ts);
    n = mq_timedreceive((mqd_t)mqd, (char *)(intptr_t)addr, (size_t)len, &prio, &ts);
    return ipcj_mq_pack(n, prio);
}

/* sysconf(_SC_MQ_PRIO_MAX): priorities run from 0 to this less one. */
static inline int ipcj_mq_prio_max(void) {
    long v = sysconf(_SC_MQ_PRIO_MAX);
    return v < 0 ? 32768 : (int)v;
}

/* ---- notification ------------------------------------------------------------------- */

static inline int *ipcj_mq_notify_fds(void) {
    static int fds[3] = {-1, -1, 0}; /* read end, write end, -errno of pipe2() */
    return fds;
}

static inline void ipcj_mq_notify_make_pipe(void) {
    int *fds = ipcj_mq_notify_fds();
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        fds[2] = -errno;
        return;
    }
    fds[0] = p[0];
    fds[1] = p[1];
}

/* The read end of the process-wide notification pipe (made once, never closed), or -errno. */
static inline int ipcj_mq_notify_pipe(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    int *fds;
    pthread_once(&once, ipcj_mq_notify_make_pipe);
    fds = ipcj_mq_notify_fds();
    return fds[0] >= 0 ? fds[0] : fds[2];
}

/* Runs on a thread glibc starts per notification: write the token, nothing else. */
static inline void ipcj_mq_notify_fn(union sigval v) {
    long long token = (long long)(intptr_t)v.sival_ptr;
    int fd = ipcj_mq_notify_fds()[1];
    ssize_t w;
    do {
        w = write(fd, &token, sizeof token); /* <= PIPE_BUF: atomic */
    } while (w < 0 && errno == EINTR);
}

/*
 * mq_notify(SIGEV_THREAD): when a message arrives on the empty queue (and nobody is blocked
 * in mq_receive), `token` is written to the notification pipe. 0 or -errno (-EBUSY when some
 * process already holds the registration).
 */
static inline int ipcj_mq_notify_thread(int mqd, long long token) {
    struct sigevent sev;
    int p = ipcj_mq_notify_pipe();
    if (p < 0) return p;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_THREAD;
    sev.sigev_notify_function = ipcj_mq_notify_fn;
    sev.sigev_notify_attributes = NULL;
    sev.sigev_value.sival_ptr = (void *)(intptr_t)token;
    return ipcj_status(mq_notify((mqd_t)mqd, &sev));
}

/* mq_notify(SIGEV_SIGNAL): signal `signo` with si_value `value` when a message arrives. */
static inline int ipcj_mq_notify_signal(int mqd, int signo, int value) {
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = signo;
    sev.sigev_value.sival_int = value;
    return ipcj_status(mq_notify((mqd_t)mqd, &sev));
}

/* mq_notify(SIGEV_NONE): hold the registration without being told anything. */
static inline int ipcj_mq_notify_none(int mqd) {
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_NONE;
    return ipcj_status(mq_notify((mqd_t)mqd, &sev));
}

/* mq_notify(NULL): give up this process's registration (no error if it holds none). */
static inline int ipcj_mq_notify_cancel(int mqd) {
    return ipcj_status(mq_notify((mqd_t)mqd, (const struct sigevent *)NULL));
}

/* Blocking read of one token from the notification pipe: the token (>= 0), or -errno. */
static inline long long ipcj_mq_notify_read(void) {
    long long token = 0;
    int fd = ipcj_mq_notify_pipe();
    ssize_t r;
    if (fd < 0) return fd;
    r = read(fd, &token, sizeof token);
    if (r < 0) return -errno;
    if (r != (ssize_t)sizeof token) return -EIO;
    return token;
}

/* Test hook: write a token to the pipe as a notification would (wakes the reader). */
static inline int ipcj_mq_notify_post(long long token) {
    union sigval v;
    if (ipcj_mq_notify_pipe() < 0) return ipcj_mq_notify_pipe();
    v.sival_ptr = (void *)(intptr_t)token;
    ipcj_mq_notify_fn(v);
    return 0;
}

#endif /* IPCJ_MQ_H */
