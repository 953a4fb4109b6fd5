/*
 * ipcj_epoll.h — epoll, for waiting on several descriptors (message queues and, later, any
 * other waitable) at once.
 *
 * ipcj_epoll_wait writes the ready events into memory at `out` (a direct buffer on the Java
 * side) as pairs of 64-bit words, so that a wait needs neither a Java array nor a JNI copy:
 *
 *   out + 16*i:  +-----------------------------+-----------------------------+
 *                | events (EPOLLIN|EPOLLOUT..) | data (the caller's 64 bits) |
 *                +-----------------------------+-----------------------------+
 *                  long long, offset 0            long long, offset 8
 */
#ifndef IPCJ_EPOLL_H
#define IPCJ_EPOLL_H

#include "ipcj_common.h"
#include <sys/epoll.h>
#include <unistd.h>

#define IPCJ_EPOLL_BATCH 64

/* epoll_create1(EPOLL_CLOEXEC): a descriptor, or -errno. */
static inline int ipcj_epoll_create(void) {
    int fd = epoll_create1(EPOLL_CLOEXEC);
    return ipcj_value(fd);
}

/* epoll_ctl(epfd, op, fd, {events, data}): 0 or -errno. op: 1 ADD, 2 DEL, 3 MOD. */
static inline int ipcj_epoll_ctl(int epfd, int op, int fd, int events, long long data) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = (uint32_t)events;
    ev.data.u64 = (uint64_t)data;
    return ipcj_status(epoll_ctl(epfd, op, fd, &ev));
}

/*
 * epoll_wait for at most `max` (<= 64) events, waiting `nanos` (negative: forever, 0: not at
 * all). Returns the number of events written at `out` (see above), or -errno. The timeout has
 * nanosecond precision through epoll_pwait2 (Linux 5.11); older kernels get whole
 * milliseconds, rounded up so that a wait never ends early.
 */
static inline int ipcj_epoll_wait(int epfd, long long out, int max, long long nanos) {
    struct epoll_event ev[IPCJ_EPOLL_BATCH];
    long long *o = (long long *)(intptr_t)out;
    int n;
    int i;
    if (max > IPCJ_EPOLL_BATCH) max = IPCJ_EPOLL_BATCH;
    if (max < 1) return -EINVAL;
    if (nanos < 0) {
        n = epoll_wait(epfd, ev, max, -1);
    } else {
        struct timespec ts;
        ipcj_relative(nanos, &ts);
        n = epoll_pwait2(epfd, ev, max, &ts, NULL);
        if (n < 0 && errno == ENOSYS) {
            long long ms = (nanos + 999999LL) / 1000000LL;
            n = epoll_wait(epfd, ev, max, ms > 0x7fffffffLL ? 0x7fffffff : (int)ms);
        }
    }
    if (n < 0) return -errno;
    for (i = 0; i < n; i++) {
        o[2 * i] = (long long)ev[i].events;
        o[2 * i + 1] = (long long)ev[i].data.u64;
    }
    return n;
}

#endif /* IPCJ_EPOLL_H */
