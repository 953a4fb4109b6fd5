/*
 * ipcj_sys.h — process-wide helpers: errno names, monotonic time, and the signal that
 * wakes a thread blocked in a native call when Java interrupts it.
 *
 * Thread.interrupt() cannot wake a thread sleeping in sem_wait, mq_receive, msgrcv or
 * semop. ipcj installs a handler that does nothing for one real-time signal, without
 * SA_RESTART, so that pthread_kill() of a blocked thread makes its call fail with EINTR;
 * the Java side then sees its interrupt flag and throws InterruptedException.
 */
#ifndef IPCJ_SYS_H
#define IPCJ_SYS_H

#include "ipcj_common.h"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

/* errno value -> its symbolic name ("EINVAL"); NULL when unknown. */
static inline const char *ipcj_errno_name(int err) {
    return strerrorname_np(err);
}

/* errno value -> its description ("Invalid argument"). */
static inline const char *ipcj_errno_text(int err) {
    return strerror(err);
}

/* Does nothing: the benchmarks' measure of what one call from Java into this library costs. */
static inline int ipcj_nop(int x) { return x; }

static inline int ipcj_getpid(void) { return (int)getpid(); }

/* 1 if process `pid` exists (even as another user's), 0 if not, -errno on other errors. */
static inline int ipcj_pid_alive(int pid) {
    if (kill((pid_t)pid, 0) == 0) return 1;
    if (errno == EPERM) return 1;
    if (errno == ESRCH) return 0;
    return -errno;
}

static inline void ipcj_wake_handler(int sig) { (void)sig; }

/*
 * Install the do-nothing handler on `sig` (without SA_RESTART). Returns 0, or -EBUSY if
 * someone else already handles `sig`, or -errno.
 */
static inline int ipcj_wake_signal_install(int sig) {
    struct sigaction old;
    struct sigaction sa;
    if (sigaction(sig, NULL, &old) != 0) return -errno;
    if (old.sa_handler == ipcj_wake_handler) return 0;
    if (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN) return -EBUSY;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = ipcj_wake_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: the blocked call must return EINTR */
    return ipcj_status(sigaction(sig, &sa, NULL));
}

static inline int ipcj_sigrtmax(void) { return SIGRTMAX; }

/* The calling thread's pthread_t, as a number Java keeps. Also unblocks `sig` for it. */
static inline long long ipcj_thread_self(int sig) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    return (long long)pthread_self();
}

static inline int ipcj_thread_signal(long long thread, int sig) {
    return -pthread_kill((pthread_t)thread, sig);
}

/* getrlimit(resource): fills out[0] = soft, out[1] = hard (-1 = unlimited). */
static inline int ipcj_getrlimit(int resource, long long *out) {
    struct rlimit rl;
    if (getrlimit(resource, &rl) != 0) return -errno;
    out[0] = rl.rlim_cur == RLIM_INFINITY ? -1 : (long long)rl.rlim_cur;
    out[1] = rl.rlim_max == RLIM_INFINITY ? -1 : (long long)rl.rlim_max;
    return 0;
}

#endif /* IPCJ_SYS_H */
