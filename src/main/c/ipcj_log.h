/*
 * ipcj_log.h — the C twin of dev.ipcj.log.SharedLog's layout (LogLayout), and functions that
 * take records from a log that Java (or anyone keeping this protocol) appends to.
 * Header-only (static inline); C11 and C++11.
 *
 * Files, for the log /NAME, mode 0600: /dev/shm/NAME.log (the state page) and
 * /dev/shm/NAME.log.K (segment K = 0, 1, ...; consumed ones are deleted).
 *
 * State page (STATE_SIZE = 4096 bytes, native byte order):
 *
 *   offset size field          meaning
 *   ------ ---- -------------- ----------------------------------------------------------
 *        0    4 magic          0x474F4C49 ("ILOG"), stored last by the creator
 *        4    4 version        3
 *        8    4 segmentSize    bytes of every segment: multiple of 4096, 1 MiB .. 1 GiB
 *       12    4 capacity       -1 unbounded, n > 0 at most n records wait
 *       16    4 maxRecordSize  the longest record
 *       24    8 owner          0 a bare log; a mailbox's instance id (SHM_LOG transport)
 *       32    8 logId          random, never 0; every segment repeats it
 *       64    8 lock holder    identity: pid in bits 0..31, start time (field 22 of
 *                              /proc/PID/stat, low 32 bits) above; 0 = free
 *       72    4 lock waiters   1 when someone sleeps on the holder word's low half
 *      128    8 generation     G: the committed state is slot G & 1
 *      192   48 slot 0         int64 write segment, write offset, read segment, read offset,
 *                              appended, consumed
 *      256   48 slot 1         the same
 *      320    8 items bell     uint32 sequence (bumped after each append), uint32 waiters
 *      384    8 space bell     the same, bumped after each take of a bounded log
 *     1024   64 items bells    8 WaitSet doorbells (pid | id << 32; 0 free), rung with the items
 *                              bell when its waiters flag was set (ipcj_bell.h, BellTable)
 *
 * Segment: magic 0x47455349 ("ISEG") at 0, version at 4, logId at 8, index K at 16; records
 * from offset 64. Record: uint32 length at +0, uint32 ~length at +4 (so a record header is never
 * zero), the bytes at +8; size = align8(8 + length). A zero 8-byte header where a record would
 * start, or fewer than 8 bytes left, ends the segment.
 *
 * Protocol (the lock, then one publishing store): take the lock (CAS 0 -> own identity; a
 * holder that is dead, or whose pid now names a process started at another time, is taken over
 * by CAS from its exact value; otherwise set the waiters flag and FUTEX_WAIT on the word's low
 * half in slices); read the committed slot G & 1 and check it; copy the oldest record out; write
 * the new positions and counts into slot (G + 1) & 1; store G + 1; delete segments passed;
 * unlock (store 0; if the waiters flag was set, clear it and FUTEX_WAKE all); bump the space bell
 * (bounded logs). A process killed before the store of G + 1 changed nothing anyone reads.
 *
 * Errors are -errno: -EBADMSG when the shared bytes break the layout (Java's
 * CorruptedException), -EAGAIN empty, -ETIMEDOUT nothing in time, -EMSGSIZE the oldest record is
 * longer than the buffer (it stays in the log), -ENOENT no such log.
 *
 * Memory another process can truncate: these functions dereference the mappings directly, so a
 * C program whose log files are truncated under it gets SIGBUS (the Java side reports
 * CorruptedException). Only share a log with processes you trust not to ftruncate it, or handle
 * SIGBUS.
 */
#ifndef IPCJ_LOG_H
#define IPCJ_LOG_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include "ipcj_futex.h"
#include "ipcj_bell.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define IPCJ_LOG_MAGIC 0x474F4C49u
#define IPCJ_LOG_VERSION 3
#define IPCJ_LOG_SEGMENT_MAGIC 0x47455349u
#define IPCJ_LOG_STATE_SIZE 4096
#define IPCJ_LOG_SEGMENT_MIN (1 << 20)
#define IPCJ_LOG_SEGMENT_MAX (1 << 30)
#define IPCJ_LOG_SEGMENT_HEADER 64
#define IPCJ_LOG_RECORD_HEADER 8
#define IPCJ_LOG_RECORD_ALIGN 8
#define IPCJ_LOG_MAX_RECORD_SIZE (IPCJ_LOG_SEGMENT_MAX - IPCJ_LOG_SEGMENT_HEADER - IPCJ_LOG_RECORD_HEADER)
#define IPCJ_LOG_UNBOUNDED (-1)

#define IPCJ_LOG_OFF_MAGIC 0
#define IPCJ_LOG_OFF_VERSION 4
#define IPCJ_LOG_OFF_SEGMENT_SIZE 8
#define IPCJ_LOG_OFF_CAPACITY 12
#define IPCJ_LOG_OFF_MAX_RECORD 16
#define IPCJ_LOG_OFF_OWNER 24
#define IPCJ_LOG_OFF_LOG_ID 32
#define IPCJ_LOG_OFF_LOCK 64
#define IPCJ_LOG_OFF_LOCK_WAITERS 72
#define IPCJ_LOG_OFF_GENERATION 128
#define IPCJ_LOG_OFF_SLOTS 192
#define IPCJ_LOG_SLOT_STRIDE 64
#define IPCJ_LOG_SLOT_WRITE_SEGMENT 0
#define IPCJ_LOG_SLOT_WRITE_OFFSET 8
#define IPCJ_LOG_SLOT_READ_SEGMENT 16
#define IPCJ_LOG_SLOT_READ_OFFSET 24
#define IPCJ_LOG_SLOT_APPENDED 32
#define IPCJ_LOG_SLOT_CONSUMED 40
#define IPCJ_LOG_OFF_ITEMS 320
#define IPCJ_LOG_OFF_SPACE 384
#define IPCJ_LOG_OFF_ITEMS_BELLS 1024
#define IPCJ_LOG_BELL_SLOTS 8

#define IPCJ_LOG_SEG_OFF_MAGIC 0
#define IPCJ_LOG_SEG_OFF_VERSION 4
#define IPCJ_LOG_SEG_OFF_LOG_ID 8
#define IPCJ_LOG_SEG_OFF_INDEX 16

#define IPCJ_LOG_REC_OFF_LENGTH 0
#define IPCJ_LOG_REC_OFF_CHECK 4

/* The bytes a record of `length` bytes takes in a segment. */
static inline uint64_t ipcj_log_record_size(uint32_t length) {
    return ((uint64_t)IPCJ_LOG_RECORD_HEADER + length + IPCJ_LOG_RECORD_ALIGN - 1)
           & ~(uint64_t)(IPCJ_LOG_RECORD_ALIGN - 1);
}

/* An open log: the state page mapped, the segment last read mapped. */
struct ipcj_log {
    unsigned char *state;
    int segment_size;
    int capacity;
    int max_record;
    uint64_t log_id;
    uint64_t me;               /* this process's identity, the lock word's value while held */
    char base[300];            /* "/dev/shm/NAME.log" */
    unsigned char *segment;    /* mapping of segment `segment_index`, or NULL */
    int64_t segment_index;
};

/* ---------------------------------------------------------------- identities */

/* Start time (field 22 of /proc/PID/stat, low 32 bits) of pid: >= 0; -1 dead; -2 unknown. */
static inline long long ipcj_log_start_time(int pid) {
    char path[64];
    char buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return kill(pid, 0) == 0 || errno == EPERM ? -2 : -1;
    }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return kill(pid, 0) == 0 || errno == EPERM ? -2 : -1;
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (p == NULL) return -2;
    p++;
    while (*p == ' ') p++;
    if (*p == 'Z' || *p == 'X' || *p == 'x') return -1;
    for (int field = 3; field < 22; field++) { /* p is at field `field` */
        p = strchr(p, ' ');
        if (p == NULL) return -2;
        p++;
    }
    unsigned long long v = 0;
    if (*p < '0' || *p > '9') return -2;
    while (*p >= '0' && *p <= '9') v = v * 10 + (unsigned long long)(*p++ - '0');
    return (long long)(v & 0xFFFFFFFFull);
}

/* Identity of live process pid (pid | start << 32), 0 when there is none. */
static inline uint64_t ipcj_log_identity(int pid) {
    long long s = ipcj_log_start_time(pid);
    if (s == -1) return 0;
    return (s == -2 ? 0 : (uint64_t)s << 32) | (uint32_t)pid;
}

/* Whether the process an identity names still runs (a pid reused by another process: no). */
static inline int ipcj_log_alive(uint64_t identity) {
    int pid = (int)(uint32_t)identity;
    if (pid <= 0) return 0;
    long long s = ipcj_log_start_time(pid);
    if (s == -1) return 0;
    if (s == -2) return 1;
    uint64_t want = identity >> 32;
    return want == 0 || want == (uint64_t)s;
}

/* ---------------------------------------------------------------- shared words */

static inline int32_t ipcj_log_i32(const unsigned char *p) { int32_t v; memcpy(&v, p, 4); return v; }
static inline int64_t ipcj_log_i64(const unsigned char *p) { int64_t v; memcpy(&v, p, 8); return v; }
static inline void ipcj_log_put64(unsigned char *p, int64_t v) { memcpy(p, &v, 8); }
static inline uint64_t *ipcj_log_word64(unsigned char *page, int off) { return (uint64_t *)(void *)(page + off); }
static inline uint32_t *ipcj_log_word32(unsigned char *page, int off) { return (uint32_t *)(void *)(page + off); }

/* The low 32 bits of the 64-bit word at off: the half a futex waits on. */
static inline uint32_t *ipcj_log_low_half(unsigned char *page, int off) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return ipcj_log_word32(page, off);
#else
    return ipcj_log_word32(page, off + 4);
#endif
}

/* Takes the log's lock, waiting as long as its holder lives. */
static inline void ipcj_log_lock(struct ipcj_log *log) {
    uint64_t *word = ipcj_log_word64(log->state, IPCJ_LOG_OFF_LOCK);
    uint32_t *waiters = ipcj_log_word32(log->state, IPCJ_LOG_OFF_LOCK_WAITERS);
    long long slice = 1000000LL;
    for (int i = 0;; i++) {
        uint64_t w = __atomic_load_n(word, __ATOMIC_SEQ_CST);
        if (w == 0) {
            if (__atomic_compare_exchange_n(word, &w, log->me, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) return;
            continue;
        }
        if (i < 1000) continue; /* a holder inside its short section: spin a little */
        if (w != log->me && !ipcj_log_alive(w)
            && __atomic_compare_exchange_n(word, &w, log->me, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
            return; /* its holder died inside the section: taken over */
        }
        __atomic_store_n(waiters, 1u, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(word, __ATOMIC_SEQ_CST) == w) {
            ipcj_futex_wait((long long)(intptr_t)ipcj_log_low_half(log->state, IPCJ_LOG_OFF_LOCK), (int)(uint32_t)w,
                            slice);
        }
        if (slice < 100000000LL) slice *= 2;
    }
}

static inline void ipcj_log_unlock(struct ipcj_log *log) {
    __atomic_store_n(ipcj_log_word64(log->state, IPCJ_LOG_OFF_LOCK), (uint64_t)0, __ATOMIC_SEQ_CST);
    uint32_t *waiters = ipcj_log_word32(log->state, IPCJ_LOG_OFF_LOCK_WAITERS);
    uint32_t one = 1;
    if (__atomic_load_n(waiters, __ATOMIC_SEQ_CST) != 0
        && __atomic_compare_exchange_n(waiters, &one, 0u, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        ipcj_futex_wake((long long)(intptr_t)ipcj_log_low_half(log->state, IPCJ_LOG_OFF_LOCK), INT_MAX);
    }
}

/* Rings the doorbell at off: bump the sequence, wake the sleepers if any. */
static inline void ipcj_log_ring(struct ipcj_log *log, int off) {
    __atomic_fetch_add(ipcj_log_word32(log->state, off), 1u, __ATOMIC_SEQ_CST);
    uint32_t *waiters = ipcj_log_word32(log->state, off + 4);
    uint32_t one = 1;
    if (__atomic_load_n(waiters, __ATOMIC_SEQ_CST) != 0
        && __atomic_compare_exchange_n(waiters, &one, 0u, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        ipcj_futex_wake((long long)(intptr_t)ipcj_log_word32(log->state, off), INT_MAX);
        if (off == IPCJ_LOG_OFF_ITEMS)
            ipcj_bell_ring_table((char *)log->state + IPCJ_LOG_OFF_ITEMS_BELLS, IPCJ_LOG_BELL_SLOTS);
    }
}

/* ---------------------------------------------------------------- open and close */

/* Maps `path` (a regular file of exactly `size` bytes, not a link) shared; NULL with -errno in *err. */
static inline unsigned char *ipcj_log_map(const char *path, long long size, int *err) {
    int fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        *err = errno == ELOOP ? -EBADMSG : -errno;
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (long long)st.st_size != size) {
        close(fd);
        *err = -EBADMSG;
        return NULL;
    }
    void *m = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED) {
        *err = -errno;
        return NULL;
    }
    return (unsigned char *)m;
}

/* Opens the log `name` ("/NAME"): 0, or -ENOENT, -EBADMSG (not a log of this version), -errno. */
static inline int ipcj_log_open(struct ipcj_log *log, const char *name) {
    if (name == NULL || name[0] != '/' || strchr(name + 1, '/') != NULL || strlen(name) > 232) return -EINVAL;
    memset(log, 0, sizeof *log);
    snprintf(log->base, sizeof log->base, "/dev/shm/%s.log", name + 1);
    int err = 0;
    log->state = ipcj_log_map(log->base, IPCJ_LOG_STATE_SIZE, &err);
    if (log->state == NULL) return err;
    unsigned char *s = log->state;
    int32_t seg = ipcj_log_i32(s + IPCJ_LOG_OFF_SEGMENT_SIZE);
    int32_t max = ipcj_log_i32(s + IPCJ_LOG_OFF_MAX_RECORD);
    int32_t cap = ipcj_log_i32(s + IPCJ_LOG_OFF_CAPACITY);
    if ((uint32_t)__atomic_load_n(ipcj_log_word32(s, IPCJ_LOG_OFF_MAGIC), __ATOMIC_SEQ_CST) != IPCJ_LOG_MAGIC
        || ipcj_log_i32(s + IPCJ_LOG_OFF_VERSION) != IPCJ_LOG_VERSION || seg < IPCJ_LOG_SEGMENT_MIN
        || seg > IPCJ_LOG_SEGMENT_MAX || seg % 4096 != 0 || max < 0 || max > IPCJ_LOG_MAX_RECORD_SIZE
        || IPCJ_LOG_SEGMENT_HEADER + ipcj_log_record_size((uint32_t)max) > (uint64_t)seg || cap < -1 || cap == 0) {
        munmap(s, IPCJ_LOG_STATE_SIZE);
        log->state = NULL;
        return -EBADMSG;
    }
    log->segment_size = seg;
    log->max_record = max;
    log->capacity = cap;
    log->log_id = (uint64_t)ipcj_log_i64(s + IPCJ_LOG_OFF_LOG_ID);
    log->me = ipcj_log_identity((int)getpid());
    log->segment_index = -1;
    return 0;
}

static inline void ipcj_log_close(struct ipcj_log *log) {
    if (log->segment != NULL) munmap(log->segment, (size_t)log->segment_size);
    if (log->state != NULL) munmap(log->state, IPCJ_LOG_STATE_SIZE);
    log->segment = NULL;
    log->state = NULL;
}

/* Records waiting now, as the committed state says. */
static inline long long ipcj_log_size(struct ipcj_log *log) {
    for (;;) {
        uint64_t g = __atomic_load_n(ipcj_log_word64(log->state, IPCJ_LOG_OFF_GENERATION), __ATOMIC_SEQ_CST);
        const unsigned char *slot = log->state + IPCJ_LOG_OFF_SLOTS + (int)(g & 1) * IPCJ_LOG_SLOT_STRIDE;
        long long n = ipcj_log_i64(slot + IPCJ_LOG_SLOT_APPENDED) - ipcj_log_i64(slot + IPCJ_LOG_SLOT_CONSUMED);
        if (__atomic_load_n(ipcj_log_word64(log->state, IPCJ_LOG_OFF_GENERATION), __ATOMIC_SEQ_CST) == g) return n;
    }
}

/* ---------------------------------------------------------------- take */

/* The mapping of segment k, checked (size, magic, version, log id, index); NULL on error. */
static inline unsigned char *ipcj_log_segment(struct ipcj_log *log, int64_t k, int *err) {
    if (log->segment != NULL && log->segment_index == k) return log->segment;
    if (log->segment != NULL) munmap(log->segment, (size_t)log->segment_size);
    log->segment = NULL;
    log->segment_index = -1;
    char path[340];
    snprintf(path, sizeof path, "%s.%lld", log->base, (long long)k);
    unsigned char *m = ipcj_log_map(path, log->segment_size, err);
    if (m == NULL) {
        if (*err == -ENOENT) *err = -EBADMSG; /* the committed state names it: it must exist */
        return NULL;
    }
    if ((uint32_t)ipcj_log_i32(m + IPCJ_LOG_SEG_OFF_MAGIC) != IPCJ_LOG_SEGMENT_MAGIC
        || ipcj_log_i32(m + IPCJ_LOG_SEG_OFF_VERSION) != IPCJ_LOG_VERSION
        || (uint64_t)ipcj_log_i64(m + IPCJ_LOG_SEG_OFF_LOG_ID) != log->log_id
        || ipcj_log_i64(m + IPCJ_LOG_SEG_OFF_INDEX) != k) {
        munmap(m, (size_t)log->segment_size);
        *err = -EBADMSG;
        return NULL;
    }
    log->segment = m;
    log->segment_index = k;
    return m;
}

/* Deletes segment k if its header carries this log's id (a consumed segment; after the commit). */
static inline void ipcj_log_delete_segment(struct ipcj_log *log, int64_t k) {
    if (k < 0) return;
    char path[340];
    snprintf(path, sizeof path, "%s.%lld", log->base, (long long)k);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return;
    unsigned char h[24];
    struct stat st;
    int ours = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && pread(fd, h, sizeof h, 0) == (ssize_t)sizeof h
               && (uint32_t)ipcj_log_i32(h + IPCJ_LOG_SEG_OFF_MAGIC) == IPCJ_LOG_SEGMENT_MAGIC
               && (uint64_t)ipcj_log_i64(h + IPCJ_LOG_SEG_OFF_LOG_ID) == log->log_id;
    close(fd);
    if (ours) {
        if (log->segment_index == k) {
            munmap(log->segment, (size_t)log->segment_size);
            log->segment = NULL;
            log->segment_index = -1;
        }
        unlink(path);
    }
}

/*
 * Takes the oldest record into dst (cap bytes) if there is one now: its length, -EAGAIN when
 * the log is empty, -EMSGSIZE when it is longer than cap (it stays), -EBADMSG when the
 * committed state or the record is impossible (nothing is changed).
 */
static inline long long ipcj_log_poll(struct ipcj_log *log, void *dst, size_t cap) {
    ipcj_log_lock(log);
    unsigned char *s = log->state;
    uint64_t g = __atomic_load_n(ipcj_log_word64(s, IPCJ_LOG_OFF_GENERATION), __ATOMIC_SEQ_CST);
    const unsigned char *slot = s + IPCJ_LOG_OFF_SLOTS + (int)(g & 1) * IPCJ_LOG_SLOT_STRIDE;
    int64_t ws = ipcj_log_i64(slot + IPCJ_LOG_SLOT_WRITE_SEGMENT);
    int64_t wo = ipcj_log_i64(slot + IPCJ_LOG_SLOT_WRITE_OFFSET);
    int64_t rs = ipcj_log_i64(slot + IPCJ_LOG_SLOT_READ_SEGMENT);
    int64_t ro = ipcj_log_i64(slot + IPCJ_LOG_SLOT_READ_OFFSET);
    int64_t appended = ipcj_log_i64(slot + IPCJ_LOG_SLOT_APPENDED);
    int64_t consumed = ipcj_log_i64(slot + IPCJ_LOG_SLOT_CONSUMED);
    int64_t seg = log->segment_size;
    int64_t waiting = appended - consumed;
    if (ws < 0 || rs < 0 || rs > ws || wo < IPCJ_LOG_SEGMENT_HEADER || wo > seg || ro < IPCJ_LOG_SEGMENT_HEADER
        || ro > seg || (rs == ws && ro > wo) || waiting < 0 || (log->capacity > 0 && waiting > log->capacity)
        || (waiting == 0) != (rs == ws && ro == wo && consumed == appended) || (wo & 7) != 0 || (ro & 7) != 0) {
        ipcj_log_unlock(log);
        return -EBADMSG;
    }
    if (waiting == 0) {
        ipcj_log_unlock(log);
        return -EAGAIN;
    }
    int passed = 0;
    long long len;
    for (;;) {
        int err = 0;
        unsigned char *m = ipcj_log_segment(log, rs, &err);
        if (m == NULL) {
            ipcj_log_unlock(log);
            return err;
        }
        if (seg - ro < IPCJ_LOG_RECORD_HEADER || ipcj_log_i64(m + ro) == 0) {
            if (rs == ws) {
                ipcj_log_unlock(log);
                return -EBADMSG; /* it counts records but holds none */
            }
            passed = 1;
            rs++;
            ro = IPCJ_LOG_SEGMENT_HEADER;
            continue;
        }
        int64_t limit = rs == ws ? wo : seg;
        int32_t n = ipcj_log_i32(m + ro + IPCJ_LOG_REC_OFF_LENGTH);
        int32_t check = ipcj_log_i32(m + ro + IPCJ_LOG_REC_OFF_CHECK);
        if (check != ~n || n < 0 || n > log->max_record || ro + (int64_t)ipcj_log_record_size((uint32_t)n) > limit) {
            ipcj_log_unlock(log);
            return -EBADMSG;
        }
        if ((size_t)n > cap) {
            ipcj_log_unlock(log);
            return -EMSGSIZE;
        }
        memcpy(dst, m + ro + IPCJ_LOG_RECORD_HEADER, (size_t)n);
        ro += (int64_t)ipcj_log_record_size((uint32_t)n);
        len = n;
        break;
    }
    consumed++;
    unsigned char *next = s + IPCJ_LOG_OFF_SLOTS + (int)((g + 1) & 1) * IPCJ_LOG_SLOT_STRIDE;
    ipcj_log_put64(next + IPCJ_LOG_SLOT_WRITE_SEGMENT, ws);
    ipcj_log_put64(next + IPCJ_LOG_SLOT_WRITE_OFFSET, wo);
    ipcj_log_put64(next + IPCJ_LOG_SLOT_READ_SEGMENT, rs);
    ipcj_log_put64(next + IPCJ_LOG_SLOT_READ_OFFSET, ro);
    ipcj_log_put64(next + IPCJ_LOG_SLOT_APPENDED, appended);
    ipcj_log_put64(next + IPCJ_LOG_SLOT_CONSUMED, consumed);
    __atomic_store_n(ipcj_log_word64(s, IPCJ_LOG_OFF_GENERATION), g + 1, __ATOMIC_SEQ_CST); /* the commit */
    if (passed) {
        ipcj_log_delete_segment(log, rs - 1); /* after the commit: a kill here leaves a leftover, not a hole */
        ipcj_log_delete_segment(log, rs - 2);
    }
    ipcj_log_unlock(log);
    if (log->capacity > 0) ipcj_log_ring(log, IPCJ_LOG_OFF_SPACE);
    return len;
}

/*
 * As ipcj_log_poll, waiting for a record at most timeout_nanos (negative: as long as it takes):
 * the length, or -ETIMEDOUT, -EMSGSIZE, -EBADMSG. Sleeps on the items bell in slices (10 ms
 * growing to 250 ms), so an appender killed before ringing only delays it.
 */
static inline long long ipcj_log_take(struct ipcj_log *log, void *dst, size_t cap, long long timeout_nanos) {
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long long slice = 10000000LL;
    uint32_t *seq = ipcj_log_word32(log->state, IPCJ_LOG_OFF_ITEMS);
    uint32_t *waiters = ipcj_log_word32(log->state, IPCJ_LOG_OFF_ITEMS + 4);
    for (;;) {
        uint32_t seen = __atomic_load_n(seq, __ATOMIC_SEQ_CST);
        long long r = ipcj_log_poll(log, dst, cap);
        if (r != -EAGAIN) return r;
        long long wait = slice;
        if (timeout_nanos >= 0) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            long long spent = (now.tv_sec - t0.tv_sec) * 1000000000LL + (now.tv_nsec - t0.tv_nsec);
            if (spent >= timeout_nanos) return -ETIMEDOUT;
            if (timeout_nanos - spent < wait) wait = timeout_nanos - spent;
        }
        __atomic_store_n(waiters, 1u, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(seq, __ATOMIC_SEQ_CST) == seen) {
            ipcj_futex_wait((long long)(intptr_t)seq, (int)seen, wait);
        }
        if (slice < 250000000LL) slice *= 2;
    }
}

#endif
