/*
 * ipcj_bell.h — a WaitSet's doorbell: a Unix datagram socket bound to an abstract name that
 * any process of the same network namespace can send to without passing a descriptor.
 *
 * A bell is named by two numbers, the waiting process's pid and a per-process id, which fit
 * one 64-bit slot of a shared header's bell table (pid in bits 0..31, id in 32..63):
 *
 *   abstract name:  "\0ipcj-ws-<pid>-<id>"     (no file: it vanishes with its socket, so a
 *                                               WaitSet killed with kill -9 leaves nothing)
 *
 * The waker sends one byte from an unbound datagram socket of its own (ipcj_bell_sender) and
 * never blocks: a full queue (EAGAIN) means the bell is already rung; ECONNREFUSED or ENOENT
 * mean nobody has that name any more (its WaitSet is closed or dead), and the caller clears
 * the slot. The bell's owner reads every pending byte (ipcj_bell_drain) before it re-checks.
 */
#ifndef IPCJ_BELL_H
#define IPCJ_BELL_H

#include "ipcj_common.h"
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static inline socklen_t ipcj_bell_address(struct sockaddr_un *a, int pid, int id) {
    int n;
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    n = snprintf(a->sun_path + 1, sizeof a->sun_path - 1, "ipcj-ws-%d-%d", pid, id);
    if (n < 0) {
        n = 0;
    }
    if ((size_t)n > sizeof a->sun_path - 1) {
        n = (int)(sizeof a->sun_path - 1); /* cannot happen for two ints; the length stays inside sun_path */
    }
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}

/* The owner's side: a non-blocking datagram socket bound to the bell's name; fd or -errno
 * (EADDRINUSE: that pid and id are taken). */
static inline int ipcj_bell_open(int pid, int id) {
    struct sockaddr_un a;
    socklen_t len = ipcj_bell_address(&a, pid, id);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    if (bind(fd, (struct sockaddr *)&a, len) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

/* The waker's side: an unbound non-blocking datagram socket to send from; fd or -errno. */
static inline int ipcj_bell_sender(void) {
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    return fd < 0 ? -errno : fd;
}

/* Rings bell (pid, id) from `sender`: 0 (also when already rung), or -errno (ECONNREFUSED or
 * ENOENT: no such bell). */
static inline int ipcj_bell_ring(int sender, int pid, int id) {
    struct sockaddr_un a;
    socklen_t len = ipcj_bell_address(&a, pid, id);
    char b = 1;
    for (;;) {
        ssize_t r = sendto(sender, &b, 1, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&a, len);
        if (r >= 0) return 0;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
        return -errno;
    }
}

/* Reads every pending ring of the owner's socket: how many, or -errno. */
static inline int ipcj_bell_drain(int fd) {
    char b[64];
    int n = 0;
    for (;;) {
        ssize_t r = recv(fd, b, sizeof b, MSG_DONTWAIT);
        if (r >= 0) {
            n++;
            continue;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return n;
        return -errno;
    }
}

/*
 * For the C twins of the shared layouts (ipcj_ring.h, ipcj_log.h), not a JNI shim: rings every
 * bell of a table of `slots` 64-bit slots in a shared mapping (pid | id << 32, 0 free), and
 * frees the slots of bells nobody owns any more. Called by a waker that found a sleeper
 * announced (Java: dev.ipcj.internal.BellTable.ringAll).
 */
static inline void ipcj_bell_ring_table(void *table, int slots) {
    static int sender = -1;
    int i;
    if (sender < 0) sender = ipcj_bell_sender();
    for (i = 0; i < slots; i++) {
        uint64_t *slot = (uint64_t *)table + i;
        uint64_t v = __atomic_load_n(slot, __ATOMIC_SEQ_CST);
        if (v != 0) {
            int rc = ipcj_bell_ring(sender, (int)(uint32_t)v, (int)(uint32_t)(v >> 32));
            if (rc == -ECONNREFUSED || rc == -ENOENT)
                __atomic_compare_exchange_n(slot, &v, (uint64_t)0, 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
        }
    }
}

#endif /* IPCJ_BELL_H */
