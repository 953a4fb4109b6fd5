/*
 * ipcj_ring.h — the C twin of dev.ipcj.ring.SharedRing: the same byte layout and the same
 * protocol, so C and Java processes share one ring. Header-only (static inline).
 *
 * Layout (native byte order; positions are 64-bit byte counters that only grow):
 *
 *   offset size field            meaning
 *   ------ ---- ---------------- ------------------------------------------------------
 *        0    8 magic            "IPCJRING" (0x474E49524A435049), stored last by the creator
 *        8    4 layoutVersion    1
 *       12    4 variant          1 ONE_TO_ONE, 2 MANY_TO_ONE
 *       16    4 capacity         data bytes, power of two, 4 KiB .. 1 GiB
 *       20    4 maxRecordLength  payload bytes; align8(8 + max) <= capacity / 2
 *       24    8 objectSize       4096 + capacity
 *       32    4 flags            bit 0 ASYMMETRIC (wakers need no fence; sleepers membarrier)
 *       36    4 headerSize       4096
 *       40    4 producerPid      ONE_TO_ONE producer, 0 if none
 *       44    4 consumerPid      consumer, 0 if none
 *      128    8 in               next free byte (MANY_TO_ONE: claim counter)
 *      256    8 out              first unconsumed byte
 *      384    4 consumerWaiting  futex word
 *      512    4 producerWaiting  futex word
 *     1024   64 readBells        8 WaitSet doorbells (pid | id << 32; 0 free), rung with
 *                                consumerWaiting (see ipcj_bell.h and Java's BellTable)
 *     1152   64 writeBells       8 WaitSet doorbells, rung with producerWaiting
 *     4096  cap data             records at position & (capacity - 1)
 *
 *   record: 8-byte header word, then the payload; size = align8(8 + length).
 *     top bits 00 FREE     == its own position (MANY_TO_ONE; consumer writes pos + capacity)
 *              10 CLAIMED  bits 32..61 length, bits 0..31 pid
 *              11 DATA     bits 32..61 length, bits 0..31 pid (0 in ONE_TO_ONE)
 *              01 PADDING  bits 32..61 size in bytes
 *
 * Blocking: the sleeper stores 1 in its waiting word, makes a full barrier (membarrier
 * GLOBAL_EXPEDITED when ASYMMETRIC, else a fence), re-checks, then FUTEX_WAITs on the word with
 * the value 1. The waker publishes, (fences when not ASYMMETRIC,) reads the word and, if 1,
 * CASes it to 0 and FUTEX_WAKEs. See SharedRing's Javadoc for the proof. Every process using an
 * ASYMMETRIC ring must have called ipcj_membarrier_register() (ipcj_ring_open does).
 *
 * Errors are -errno: -EBADMSG when the shared bytes break the protocol (the Java side's
 * CorruptedException), -EBUSY when a producer/consumer is attached already, -EAGAIN full/empty.
 *
 * Life cycle: ipcj_ring_create (exclusive; -EEXIST touches nothing, a later failure removes only
 * the object this call made) or ipcj_ring_open; ipcj_ring_attach_producer / _consumer;
 * ipcj_ring_close detaches whatever the handle holds and unmaps; ipcj_ring_unlink removes the
 * name. A slot held by a dead process is taken over by the next attach.
 *
 * Delivery (as RingConsumer's "Delivery guarantee"): a batch of records is taken when it is
 * retired: ONE_TO_ONE by the store of `out`; MANY_TO_ONE by storing p + capacity (the batch's end,
 * marked) into the header word at `out`, after which every word of [out, p) is freed (x + capacity
 * at position x), the first word last, and `out` = p is published. A consumer killed before the
 * retiring store leaves its batch to be handed again; killed after it, the next attach finishes
 * the free and publishes `out` (ipcj_ring_finish_retire), and those records are never handed again.
 *
 * Memory another process can truncate: this header dereferences the mapping directly, so a C
 * program whose ring object is truncated under it gets SIGBUS (the Java side reports
 * CorruptedException). Only share a ring with processes you trust not to ftruncate it, or handle
 * SIGBUS. Compiles as C11 and C++11, also as strict -std=c11 after libc headers (see below).
 */
#ifndef IPCJ_RING_H
#define IPCJ_RING_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/*
 * A program compiled as strict ISO C (-std=c11) that includes a libc header before this one has
 * fixed glibc's feature set to plain ISO C: defining _GNU_SOURCE here comes too late, and the
 * POSIX and Linux declarations the ring uses stay hidden. They are declared here then (the same
 * declarations libc has, so repeating them is harmless), with the Linux constants they take.
 */
#if defined(__GLIBC__) && !defined(__USE_XOPEN2K8)
#ifdef __cplusplus
extern "C" {
#endif
int clock_gettime(clockid_t clock, struct timespec *ts);
int kill(pid_t pid, int sig);
int ftruncate(int fd, off_t length);
long syscall(long number, ...);
#ifdef __cplusplus
}
#endif
#endif
#ifndef O_CLOEXEC
#define O_CLOEXEC 02000000
#endif
#ifndef CLOCK_MONOTONIC
#define CLOCK_MONOTONIC 1
#endif
#ifndef MAP_ANONYMOUS
#define MAP_ANONYMOUS 0x20
#endif
#ifndef MAP_NORESERVE
#define MAP_NORESERVE 0x4000
#endif

#include "ipcj_common.h"
#include "ipcj_futex.h"
#include "ipcj_shm.h"
#include "ipcj_bell.h"

/*
 * Test windows (see dev.ipcj.ring.TestHooks): a test program defines IPCJ_RING_WINDOW(name) before
 * including this header to stop at a named point of the protocol; otherwise it is nothing.
 */
#ifdef IPCJ_RING_WINDOW
#define IPCJ_RING_HAS_WINDOWS 1
#else
#define IPCJ_RING_WINDOW(name) ((void)0)
#define IPCJ_RING_HAS_WINDOWS 0
#endif

#define IPCJ_RING_MAGIC 0x474E49524A435049ULL
#define IPCJ_RING_VERSION 1
#define IPCJ_RING_HEADER_SIZE 4096
#define IPCJ_RING_MIN_CAPACITY 4096u
#define IPCJ_RING_MAX_CAPACITY (1u << 30)
#define IPCJ_RING_ONE_TO_ONE 1
#define IPCJ_RING_MANY_TO_ONE 2
#define IPCJ_RING_FLAG_ASYMMETRIC 1

#define IPCJ_RING_OFF_MAGIC 0
#define IPCJ_RING_OFF_VERSION 8
#define IPCJ_RING_OFF_VARIANT 12
#define IPCJ_RING_OFF_CAPACITY 16
#define IPCJ_RING_OFF_MAX_RECORD 20
#define IPCJ_RING_OFF_OBJECT_SIZE 24
#define IPCJ_RING_OFF_FLAGS 32
#define IPCJ_RING_OFF_HEADER_SIZE 36
#define IPCJ_RING_OFF_PRODUCER_PID 40
#define IPCJ_RING_OFF_CONSUMER_PID 44
#define IPCJ_RING_OFF_IN 128
#define IPCJ_RING_OFF_OUT 256
#define IPCJ_RING_OFF_CONSUMER_WAITING 384
#define IPCJ_RING_OFF_PRODUCER_WAITING 512
#define IPCJ_RING_OFF_READ_BELLS 1024
#define IPCJ_RING_OFF_WRITE_BELLS 1152
#define IPCJ_RING_BELL_SLOTS 8
#define IPCJ_RING_OFF_DATA 4096
/* Every record starts with one 8-byte header word (state, length, pid); records are 8-aligned. */
#define IPCJ_RING_RECORD_HEADER 8u

#define IPCJ_RING_STATE_MASK (3ULL << 62)
#define IPCJ_RING_PADDING (1ULL << 62)
#define IPCJ_RING_CLAIMED (2ULL << 62)
#define IPCJ_RING_DATA (3ULL << 62)

#ifndef IPCJ_RING_SPIN_NANOS
#define IPCJ_RING_SPIN_NANOS 20000LL
#endif
#ifndef IPCJ_RING_STALL_NANOS
#define IPCJ_RING_STALL_NANOS 20000000LL
#endif

typedef struct ipcj_ring {
    uint8_t *base;
    long long size;
    uint32_t capacity, mask, max;
    int variant, asymmetric, pid;
    uint64_t tail, out_cache;  /* producer side */
    uint64_t head, in_cache;   /* consumer side */
    uint64_t stall_pos, stall_header;
    long long stall_since;
    long long spin_nanos;      /* spin this long before sleeping (default IPCJ_RING_SPIN_NANOS) */
    int producer_attached;     /* this handle holds the ONE_TO_ONE producer slot */
    int consumer_attached;     /* this handle holds the consumer slot */
} ipcj_ring;

/* Called with each record: payload pointer (inside the mapping) and length. */
typedef void (*ipcj_ring_handler)(void *ctx, const uint8_t *payload, uint32_t length);

#define IPCJ_RING_U64(r, off) ((uint64_t *)(void *)((r)->base + (off)))
#define IPCJ_RING_U32(r, off) ((uint32_t *)(void *)((r)->base + (off)))
#define IPCJ_RING_I32(r, off) ((int *)(void *)((r)->base + (off)))

static inline uint32_t ipcj_ring_record_size(uint32_t length) { return (IPCJ_RING_RECORD_HEADER + length + 7u) & ~7u; }
static inline uint64_t ipcj_ring_hdr(uint64_t state, uint32_t field, int pid) {
    return state | ((uint64_t)field << 32) | (uint32_t)pid;
}
static inline uint32_t ipcj_ring_field(uint64_t h) { return (uint32_t)((h >> 32) & 0x3FFFFFFFu); }

static inline long long ipcj_ring_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/*
 * The spin-wait hint: x86 PAUSE; on aarch64 ISB, which holds the core back for a short while
 * as PAUSE does (YIELD is a NOP on most arm64 cores; ISB is also HotSpot's choice for
 * Thread.onSpinWait on Neoverse N1, JDK 18+); elsewhere a compiler barrier only.
 */
static inline void ipcj_ring_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("isb" ::: "memory");
#else
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
#endif
}

/* Whether `name` still names the object open as `fd` (same device and inode). */
static inline int ipcj_ring_same_object(const char *name, int fd) {
    struct stat mine, now;
    if (fstat(fd, &mine) != 0) return 0;
    int other = ipcj_shm_open(name, O_RDONLY | O_NONBLOCK, 0); /* a FIFO put there must not block us */
    if (other < 0) return 0;
    int same = fstat(other, &now) == 0 && now.st_dev == mine.st_dev && now.st_ino == mine.st_ino;
    close(other);
    return same;
}

/*
 * Creates `name` exclusively (mode 0600) holding an empty ring. -EEXIST if the name exists (then
 * nothing is touched); on a later failure the object made here is removed, and only that one.
 */
static inline int ipcj_ring_create(ipcj_ring *r, const char *name, int variant, uint32_t capacity, uint32_t max) {
    memset(r, 0, sizeof *r);
    if (variant != IPCJ_RING_ONE_TO_ONE && variant != IPCJ_RING_MANY_TO_ONE) return -EINVAL;
    if (capacity < IPCJ_RING_MIN_CAPACITY || capacity > IPCJ_RING_MAX_CAPACITY || (capacity & (capacity - 1))) return -EINVAL;
    if (max < 1 || max > capacity / 2 - 8) return -EINVAL;
    int asym = ipcj_membarrier_register() == 0;
    long long size = IPCJ_RING_HEADER_SIZE + (long long)capacity;
    int fd = ipcj_shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0) return fd;
    int rc = ipcj_ftruncate(fd, size);
    long long a = rc < 0 ? rc : ipcj_mmap_shared(fd, size, PROT_READ | PROT_WRITE, 0);
    if (a < 0 && a > -4096) {
        if (ipcj_ring_same_object(name, fd)) ipcj_shm_unlink(name);
        close(fd);
        return (int)a;
    }
    close(fd);
    r->base = (uint8_t *)(intptr_t)a;
    r->size = size;
    r->capacity = capacity; r->mask = capacity - 1; r->max = max;
    r->variant = variant; r->asymmetric = asym; r->pid = (int)getpid(); r->spin_nanos = IPCJ_RING_SPIN_NANOS;
    *IPCJ_RING_U32(r, IPCJ_RING_OFF_VERSION) = IPCJ_RING_VERSION;
    *IPCJ_RING_U32(r, IPCJ_RING_OFF_VARIANT) = (uint32_t)variant;
    *IPCJ_RING_U32(r, IPCJ_RING_OFF_CAPACITY) = capacity;
    *IPCJ_RING_U32(r, IPCJ_RING_OFF_MAX_RECORD) = max;
    *IPCJ_RING_U64(r, IPCJ_RING_OFF_OBJECT_SIZE) = (uint64_t)size;
    *IPCJ_RING_U32(r, IPCJ_RING_OFF_FLAGS) = asym ? IPCJ_RING_FLAG_ASYMMETRIC : 0;
    *IPCJ_RING_U32(r, IPCJ_RING_OFF_HEADER_SIZE) = IPCJ_RING_HEADER_SIZE;
    if (variant == IPCJ_RING_MANY_TO_ONE)
        for (uint32_t i = 0; i < capacity; i += 8) *IPCJ_RING_U64(r, IPCJ_RING_OFF_DATA + i) = i;
    __atomic_store_n(IPCJ_RING_U64(r, IPCJ_RING_OFF_MAGIC), IPCJ_RING_MAGIC, __ATOMIC_RELEASE);
    return 0;
}

/*
 * Opens and validates an existing ring. -ENOENT if absent, -EBADMSG if the object is not a valid
 * ring (another kind of file, a wrong size, a bad header).
 */
static inline int ipcj_ring_open(ipcj_ring *r, const char *name) {
    memset(r, 0, sizeof *r);
    void *base;
    int rc = ipcj_shm_map_existing(name, IPCJ_RING_HEADER_SIZE + IPCJ_RING_MIN_CAPACITY,
                                   IPCJ_RING_HEADER_SIZE + (long long)IPCJ_RING_MAX_CAPACITY, &base, &r->size);
    if (rc < 0) return rc;
    r->base = (uint8_t *)base;
    /* The magic first: its acquire orders the loads of the fields the creator stored before it. */
    uint64_t magic = __atomic_load_n(IPCJ_RING_U64(r, IPCJ_RING_OFF_MAGIC), __ATOMIC_ACQUIRE);
    uint32_t cap = *IPCJ_RING_U32(r, IPCJ_RING_OFF_CAPACITY);
    uint32_t max = *IPCJ_RING_U32(r, IPCJ_RING_OFF_MAX_RECORD);
    uint32_t variant = *IPCJ_RING_U32(r, IPCJ_RING_OFF_VARIANT);
    uint32_t flags = *IPCJ_RING_U32(r, IPCJ_RING_OFF_FLAGS);
    int ok = magic == IPCJ_RING_MAGIC
        && *IPCJ_RING_U32(r, IPCJ_RING_OFF_VERSION) == IPCJ_RING_VERSION
        && (variant == IPCJ_RING_ONE_TO_ONE || variant == IPCJ_RING_MANY_TO_ONE)
        && cap >= IPCJ_RING_MIN_CAPACITY && cap <= IPCJ_RING_MAX_CAPACITY && !(cap & (cap - 1))
        && max >= 1 && max <= cap / 2 - 8
        && *IPCJ_RING_U32(r, IPCJ_RING_OFF_HEADER_SIZE) == IPCJ_RING_HEADER_SIZE
        && *IPCJ_RING_U64(r, IPCJ_RING_OFF_OBJECT_SIZE) == (uint64_t)(IPCJ_RING_HEADER_SIZE + (long long)cap)
        && (long long)(IPCJ_RING_HEADER_SIZE + (long long)cap) == r->size
        && (flags & ~(uint32_t)IPCJ_RING_FLAG_ASYMMETRIC) == 0;
    if (!ok) { munmap(r->base, (size_t)r->size); r->base = NULL; return -EBADMSG; }
    r->capacity = cap; r->mask = cap - 1; r->max = max; r->variant = (int)variant;
    r->asymmetric = (flags & IPCJ_RING_FLAG_ASYMMETRIC) != 0;
    r->pid = (int)getpid();
    r->spin_nanos = IPCJ_RING_SPIN_NANOS;
    if (r->asymmetric) {
        rc = ipcj_membarrier_register();
        if (rc < 0) { munmap(r->base, (size_t)r->size); r->base = NULL; return rc; }
    }
    return 0;
}

/* Removes the ring's name (its memory goes when the last process unmaps it). 0 or -errno (-ENOENT). */
static inline int ipcj_ring_unlink(const char *name) {
    return ipcj_shm_unlink(name);
}

static inline void ipcj_ring_detach(ipcj_ring *r, int producer);

/* Detaches what this handle holds (its producer and consumer slots), then unmaps. */
static inline void ipcj_ring_close(ipcj_ring *r) {
    if (r->base) {
        if (r->producer_attached) ipcj_ring_detach(r, 1);
        if (r->consumer_attached) ipcj_ring_detach(r, 0);
        munmap(r->base, (size_t)r->size);
    }
    r->base = NULL;
}

static inline uint64_t ipcj_ring_load_pos(ipcj_ring *r, int off) {
    return __atomic_load_n(IPCJ_RING_U64(r, off), __ATOMIC_ACQUIRE);
}

/* out <= in <= out + capacity, both multiples of 8. */
static inline int ipcj_ring_positions_ok(ipcj_ring *r, uint64_t in, uint64_t out) {
    return (int64_t)in >= 0 && (int64_t)out >= 0 && !(in & 7) && !(out & 7) && out <= in && in - out <= r->capacity;
}

/* Takes the slot at `off` if it is free or its owner is dead; -EBUSY if a live process holds it. */
static inline int ipcj_ring_take_owner(ipcj_ring *r, int off) {
    for (;;) {
        int owner = __atomic_load_n(IPCJ_RING_I32(r, off), __ATOMIC_SEQ_CST);
        if (owner > 0 && (kill(owner, 0) == 0 || errno == EPERM)) return -EBUSY;
        if (__atomic_compare_exchange_n(IPCJ_RING_I32(r, off), &owner, r->pid, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            return 0;
    }
}

/*
 * Positions read while both move: out, then in, then out again. Both only grow and
 * in <= out + capacity at every instant, so out1 <= in <= out2 + capacity for any legal motion.
 */
static inline int ipcj_ring_moving_ok(ipcj_ring *r, uint64_t out1, uint64_t in, uint64_t out2) {
    return (int64_t)in >= 0 && (int64_t)out1 >= 0 && (int64_t)out2 >= 0 && !(in & 7) && !(out1 & 7) && !(out2 & 7)
        && out1 <= out2 && out1 <= in && (out2 >= in || in - out2 <= r->capacity);
}

/* Attach as the producer: reads `in`/`out`. ONE_TO_ONE: -EBUSY if a live producer is attached. */
static inline int ipcj_ring_attach_producer(ipcj_ring *r) {
    if (r->variant == IPCJ_RING_ONE_TO_ONE) {
        int rc = ipcj_ring_take_owner(r, IPCJ_RING_OFF_PRODUCER_PID);
        if (rc < 0) return rc;
        r->producer_attached = 1;
    }
    uint64_t out1 = ipcj_ring_load_pos(r, IPCJ_RING_OFF_OUT);
    uint64_t in = ipcj_ring_load_pos(r, IPCJ_RING_OFF_IN);
    uint64_t out2 = ipcj_ring_load_pos(r, IPCJ_RING_OFF_OUT);
    if (!ipcj_ring_moving_ok(r, out1, in, out2)) {
        if (r->producer_attached) ipcj_ring_detach(r, 1);
        return -EBADMSG;
    }
    r->tail = in; r->out_cache = out2;
    return 0;
}

static inline void ipcj_ring_publish(ipcj_ring *r, int pos_off, uint64_t value, int wake_off, int count);

/*
 * MANY_TO_ONE, on attach: finishes the retirement of a batch that the previous consumer of this
 * slot marked taken and died before publishing `out` (see "Delivery guarantee" in RingConsumer).
 */
static inline int ipcj_ring_finish_retire(ipcj_ring *r, uint64_t out, uint64_t in) {
    uint64_t cap = r->capacity;
    uint64_t *first = IPCJ_RING_U64(r, IPCJ_RING_OFF_DATA + ((uint32_t)out & r->mask));
    uint64_t w = __atomic_load_n(first, __ATOMIC_ACQUIRE);
    uint64_t to;
    if (w == out + cap) {
        /* every word of the batch is free: its end is the first word that is not */
        uint64_t end = in < out + cap ? in : out + cap;
        to = out + 8;
        while (to < end && __atomic_load_n(IPCJ_RING_U64(r, IPCJ_RING_OFF_DATA + ((uint32_t)to & r->mask)),
                                           __ATOMIC_ACQUIRE) == to + cap)
            to += 8;
    } else if (!(w & IPCJ_RING_STATE_MASK) && w > out + cap && w <= out + 2 * cap && !(w & 7)) {
        to = w - cap;
        if (to > in) return -EBADMSG;
        for (uint64_t x = out + 8; x < to; x += 8)
            __atomic_store_n(IPCJ_RING_U64(r, IPCJ_RING_OFF_DATA + ((uint32_t)x & r->mask)), x + cap, __ATOMIC_RELAXED);
        __atomic_store_n(first, out + cap, __ATOMIC_RELEASE);
    } else {
        return 0; /* nothing half done: read (or report) as usual */
    }
    r->head = to;
    ipcj_ring_publish(r, IPCJ_RING_OFF_OUT, to, IPCJ_RING_OFF_PRODUCER_WAITING, INT_MAX);
    return 0;
}

static inline int ipcj_ring_attach_consumer(ipcj_ring *r) {
    int rc = ipcj_ring_take_owner(r, IPCJ_RING_OFF_CONSUMER_PID);
    if (rc < 0) return rc;
    r->consumer_attached = 1;
    /* `out` is ours now, so it stands still: read it first */
    uint64_t out = ipcj_ring_load_pos(r, IPCJ_RING_OFF_OUT), in = ipcj_ring_load_pos(r, IPCJ_RING_OFF_IN);
    if (!ipcj_ring_positions_ok(r, in, out)) { ipcj_ring_detach(r, 0); return -EBADMSG; }
    r->head = out; r->in_cache = out; r->stall_pos = (uint64_t)-1;
    if (r->variant == IPCJ_RING_MANY_TO_ONE && in != out && (rc = ipcj_ring_finish_retire(r, out, in)) < 0) {
        ipcj_ring_detach(r, 0);
        return rc;
    }
    return 0;
}

/* Frees the producer (producer != 0) or consumer slot if this handle holds it. */
static inline void ipcj_ring_detach(ipcj_ring *r, int producer) {
    int me = r->pid;
    __atomic_compare_exchange_n(IPCJ_RING_I32(r, producer ? IPCJ_RING_OFF_PRODUCER_PID : IPCJ_RING_OFF_CONSUMER_PID),
                                &me, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    if (producer) r->producer_attached = 0; else r->consumer_attached = 0;
}

/* Waker: if the sleeper's word is 1, CAS it to 0 and FUTEX_WAKE, then ring the side's bells. */
static inline void ipcj_ring_wake(ipcj_ring *r, int off, int count) {
    int *w = IPCJ_RING_I32(r, off);
    int one = 1;
    if (__atomic_load_n(w, __ATOMIC_RELAXED) != 0 &&
        __atomic_compare_exchange_n(w, &one, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
        ipcj_futex_wake((long long)(intptr_t)w, count);
        ipcj_bell_ring_table(r->base + (off == IPCJ_RING_OFF_CONSUMER_WAITING ? IPCJ_RING_OFF_READ_BELLS
                                                                              : IPCJ_RING_OFF_WRITE_BELLS),
                             IPCJ_RING_BELL_SLOTS);
    }
}

/* Publishes a position (in or out), then checks the other side's waiting word. */
static inline void ipcj_ring_publish(ipcj_ring *r, int pos_off, uint64_t value, int wake_off, int count) {
    if (r->asymmetric) {
        __atomic_store_n(IPCJ_RING_U64(r, pos_off), value, __ATOMIC_RELEASE);
        __atomic_signal_fence(__ATOMIC_SEQ_CST); /* keep the store before the load in program order */
    } else {
        __atomic_store_n(IPCJ_RING_U64(r, pos_off), value, __ATOMIC_SEQ_CST);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
    }
    ipcj_ring_wake(r, wake_off, count);
}

/* ---- producer ---- */

/* Claims room for `length` bytes: a payload pointer, or NULL (*err: -EAGAIN full, -EBADMSG, -EMSGSIZE). */
static inline uint8_t *ipcj_ring_try_claim(ipcj_ring *r, uint32_t length, int *err) {
    *err = 0;
    if (length > r->max) { *err = -EMSGSIZE; return NULL; }
    uint32_t size = ipcj_ring_record_size(length);
    for (;;) {
        uint64_t p = r->variant == IPCJ_RING_ONE_TO_ONE ? r->tail : ipcj_ring_load_pos(r, IPCJ_RING_OFF_IN);
        if (r->variant == IPCJ_RING_MANY_TO_ONE && ((int64_t)p < 0 || (p & 7))) { *err = -EBADMSG; return NULL; }
        uint32_t index = (uint32_t)p & r->mask, to_end = r->capacity - index;
        uint32_t need = size <= to_end ? size : to_end + size;
        if (p + need - r->out_cache > r->capacity) {
            uint64_t out = ipcj_ring_load_pos(r, IPCJ_RING_OFF_OUT);
            if (r->variant == IPCJ_RING_ONE_TO_ONE) {
                if (!ipcj_ring_positions_ok(r, p, out)) { *err = -EBADMSG; return NULL; }
            } else {
                uint64_t in = ipcj_ring_load_pos(r, IPCJ_RING_OFF_IN);
                if (out > in || (out & 7) || p - out > r->capacity) { if (out > p && out <= in) { r->out_cache = out; continue; } *err = -EBADMSG; return NULL; }
                r->out_cache = out;
                if (in != p) continue;
            }
            r->out_cache = out;
            if (p + need - out > r->capacity) { *err = -EAGAIN; return NULL; }
        }
        if (r->variant == IPCJ_RING_ONE_TO_ONE) {
            if (need != size) {
                *IPCJ_RING_U64(r, IPCJ_RING_OFF_DATA + index) = ipcj_ring_hdr(IPCJ_RING_PADDING, to_end, 0);
                p += to_end; index = 0;
            }
            r->tail = p; /* the claim starts here; `in` moves at commit */
            IPCJ_RING_WINDOW("producer-claimed");
            return r->base + IPCJ_RING_OFF_DATA + index + 8;
        }
        uint64_t expect = p;
        if (!__atomic_compare_exchange_n(IPCJ_RING_U64(r, IPCJ_RING_OFF_IN), &expect, p + need, 0,
                                         __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            continue;
        IPCJ_RING_WINDOW("producer-claimed-in");
        uint64_t rec = p;
        if (need != size) {
            expect = p;
            if (!__atomic_compare_exchange_n(IPCJ_RING_U64(r, IPCJ_RING_OFF_DATA + index), &expect,
                                             ipcj_ring_hdr(IPCJ_RING_PADDING, to_end, 0), 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
                continue; /* reaped while we stalled: claim again */
            rec = p + to_end; index = 0;
        }
        expect = rec;
        if (!__atomic_compare_exchange_n(IPCJ_RING_U64(r, IPCJ_RING_OFF_DATA + index), &expect,
                                         ipcj_ring_hdr(IPCJ_RING_CLAIMED, length, r->pid), 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            continue;
        IPCJ_RING_WINDOW("producer-claimed");
        return r->base + IPCJ_RING_OFF_DATA + index + 8;
    }
}

/* Commits (or with commit = 0 aborts) the claim whose payload is at `payload`, of `length` bytes. */
static inline int ipcj_ring_finish(ipcj_ring *r, uint8_t *payload, uint32_t length, int commit) {
    uint64_t *h = (uint64_t *)(void *)(payload - 8);
    if (commit) IPCJ_RING_WINDOW("producer-written");
    if (r->variant == IPCJ_RING_ONE_TO_ONE) {
        if (!commit) return 0;
        *h = ipcj_ring_hdr(IPCJ_RING_DATA, length, 0);
        uint64_t end = r->tail + ipcj_ring_record_size(length);
        r->tail = end;
        ipcj_ring_publish(r, IPCJ_RING_OFF_IN, end, IPCJ_RING_OFF_CONSUMER_WAITING, 1);
        return 0;
    }
    uint64_t claimed = ipcj_ring_hdr(IPCJ_RING_CLAIMED, length, r->pid);
    uint64_t done = commit ? ipcj_ring_hdr(IPCJ_RING_DATA, length, r->pid)
                           : ipcj_ring_hdr(IPCJ_RING_PADDING, ipcj_ring_record_size(length), 0);
    if (!__atomic_compare_exchange_n(h, &claimed, done, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) return -EBADMSG;
    /*
     * The waker's F between the publish (this CAS) and the load of the waiting word. A locked
     * CMPXCHG is a full fence on x86, but C11 does not order a later relaxed load after a seq_cst
     * CAS, and on arm64 (LDAXR/STLXR, or CASAL) that load may be satisfied before the CAS's store
     * is visible: a sleeper could then be missed. ASYMMETRIC needs program order only (the CAS is
     * a compiler barrier); otherwise a real fence (DMB ISH on arm64, MFENCE on x86).
     */
    if (!r->asymmetric) __atomic_thread_fence(__ATOMIC_SEQ_CST);
    ipcj_ring_wake(r, IPCJ_RING_OFF_CONSUMER_WAITING, 1);
    return 0;
}

/* Sleeper: announce on word `off`, barrier, re-check with `ready`, FUTEX_WAIT up to `slice` ns. */
static inline int ipcj_ring_sleep(ipcj_ring *r, int off, int (*ready)(ipcj_ring *, void *), void *arg, long long slice) {
    int *w = IPCJ_RING_I32(r, off);
    __atomic_store_n(w, 1, __ATOMIC_SEQ_CST);
    if (r->asymmetric) {
        int rc = ipcj_membarrier_global();
        if (rc < 0) return rc;
    } else {
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
    }
    if (ready(r, arg)) return 0;
    int rc = ipcj_futex_wait((long long)(intptr_t)w, 1, slice);
    return rc == -EAGAIN || rc == -ETIMEDOUT || rc == -EINTR ? 0 : rc;
}

static inline int ipcj_ring_space_ready(ipcj_ring *r, void *arg) {
    uint32_t size = *(uint32_t *)arg;
    uint64_t in = r->variant == IPCJ_RING_ONE_TO_ONE ? r->tail : ipcj_ring_load_pos(r, IPCJ_RING_OFF_IN);
    uint64_t out = ipcj_ring_load_pos(r, IPCJ_RING_OFF_OUT);
    if (out > in) return 1;
    uint32_t to_end = r->capacity - ((uint32_t)in & r->mask);
    uint32_t need = size <= to_end ? size : to_end + size;
    return in + need - out <= r->capacity;
}

/* Blocking claim: spins, then sleeps; timeout_ns < 0 waits forever. NULL with *err = -ETIMEDOUT. */
static inline uint8_t *ipcj_ring_claim(ipcj_ring *r, uint32_t length, long long timeout_ns, int *err) {
    long long start = ipcj_ring_now();
    uint32_t size = ipcj_ring_record_size(length);
    for (long long i = 1;; i++) {
        uint8_t *at = ipcj_ring_try_claim(r, length, err);
        if (at || *err != -EAGAIN) return at;
        long long el = ipcj_ring_now() - start;
        if (timeout_ns >= 0 && el >= timeout_ns) { *err = -ETIMEDOUT; return NULL; }
        if (el < r->spin_nanos) { ipcj_ring_pause(); continue; }
        long long slice = timeout_ns < 0 ? -1 : timeout_ns - el;
        int rc = ipcj_ring_sleep(r, IPCJ_RING_OFF_PRODUCER_WAITING, ipcj_ring_space_ready, &size, slice);
        if (rc < 0) { *err = rc; return NULL; }
    }
}

/* The payload copy (in two halves around the producer-mid-copy window when a test defines windows). */
static inline void ipcj_ring_copy_in(uint8_t *at, const void *src, uint32_t length) {
    if (IPCJ_RING_HAS_WINDOWS) {
        memcpy(at, src, length / 2);
        IPCJ_RING_WINDOW("producer-mid-copy");
        memcpy(at + length / 2, (const uint8_t *)src + length / 2, length - length / 2);
    } else {
        memcpy(at, src, length);
    }
}

/* Copies `length` bytes in: 0, -EAGAIN (full), -EMSGSIZE, -EBADMSG. */
static inline int ipcj_ring_offer(ipcj_ring *r, const void *src, uint32_t length) {
    int err;
    uint8_t *at = ipcj_ring_try_claim(r, length, &err);
    if (!at) return err;
    ipcj_ring_copy_in(at, src, length);
    return ipcj_ring_finish(r, at, length, 1);
}

/* Blocking offer; timeout_ns < 0 waits forever. 0, -ETIMEDOUT, -EMSGSIZE, -EBADMSG. */
static inline int ipcj_ring_put(ipcj_ring *r, const void *src, uint32_t length, long long timeout_ns) {
    int err;
    uint8_t *at = ipcj_ring_claim(r, length, timeout_ns, &err);
    if (!at) return err;
    ipcj_ring_copy_in(at, src, length);
    return ipcj_ring_finish(r, at, length, 1);
}

/* ---- consumer ---- */

/*
 * Retires the batch [head, p) (see "Delivery guarantee" in RingConsumer). ONE_TO_ONE: publishes
 * out. MANY_TO_ONE: marks the batch taken in its first header word (p + capacity), frees every
 * other word for the next lap, frees the first word last, then publishes out.
 */
static inline void ipcj_ring_consumed(ipcj_ring *r, uint64_t p) {
    IPCJ_RING_WINDOW("consumer-handled");
    if (r->variant == IPCJ_RING_MANY_TO_ONE) {
        uint64_t cap = r->capacity;
        uint64_t *first = IPCJ_RING_U64(r, IPCJ_RING_OFF_DATA + ((uint32_t)r->head & r->mask));
        __atomic_store_n(first, p + cap, __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_RELEASE); /* the mark before any word it covers is freed */
        uint64_t half = r->head + 8 + ((p - r->head - 8) / 16) * 8;
        for (uint64_t x = r->head + 8; x < p; x += 8) {
            if (x == half) IPCJ_RING_WINDOW("consumer-retired");
            __atomic_store_n(IPCJ_RING_U64(r, IPCJ_RING_OFF_DATA + ((uint32_t)x & r->mask)), x + cap, __ATOMIC_RELAXED);
        }
        __atomic_store_n(first, r->head + cap, __ATOMIC_RELEASE); /* after every freed word */
        IPCJ_RING_WINDOW("consumer-freed");
    }
    r->head = p;
    ipcj_ring_publish(r, IPCJ_RING_OFF_OUT, p, IPCJ_RING_OFF_PRODUCER_WAITING, INT_MAX);
}

/* MANY_TO_ONE: recover the record at p whose producer died (see RingConsumer's Javadoc). */
static inline void ipcj_ring_stalled(ipcj_ring *r, uint64_t p, uint64_t h, uint64_t in) {
    long long now = ipcj_ring_now();
    if (p != r->stall_pos || h != r->stall_header) { r->stall_pos = p; r->stall_header = h; r->stall_since = now; return; }
    if (now - r->stall_since < IPCJ_RING_STALL_NANOS) return;
    r->stall_since = now;
    if (h == p) {
        for (uint64_t x = p; x < in && x < p + r->capacity; x += 8) {
            uint64_t e = x;
            if (!__atomic_compare_exchange_n(IPCJ_RING_U64(r, IPCJ_RING_OFF_DATA + ((uint32_t)x & r->mask)), &e,
                                             ipcj_ring_hdr(IPCJ_RING_PADDING, 8, 0), 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
                break;
        }
    } else {
        int pid = (int)(uint32_t)h;
        if (kill(pid, 0) != 0 && errno == ESRCH) {
            uint64_t e = h;
            __atomic_compare_exchange_n(IPCJ_RING_U64(r, IPCJ_RING_OFF_DATA + ((uint32_t)p & r->mask)), &e,
                                        ipcj_ring_hdr(IPCJ_RING_PADDING, ipcj_ring_record_size(ipcj_ring_field(h)), 0), 0,
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        }
    }
}

/* Hands up to `limit` available records to `handler`, then publishes `out` once. Count, or -EBADMSG. */
static inline int ipcj_ring_read(ipcj_ring *r, ipcj_ring_handler handler, void *ctx, int limit) {
    uint64_t p = r->head;
    uint64_t in = r->in_cache;
    int many = r->variant == IPCJ_RING_MANY_TO_ONE;
    if (p == in || many) {
        in = ipcj_ring_load_pos(r, IPCJ_RING_OFF_IN);
        if (!ipcj_ring_positions_ok(r, in, p)) return -EBADMSG;
        r->in_cache = in;
        if (p == in) return 0;
    }
    int n = 0, bad = 0;
    while (p < in && n < limit) {
        uint32_t index = (uint32_t)p & r->mask;
        uint64_t *hp = IPCJ_RING_U64(r, IPCJ_RING_OFF_DATA + index);
        uint64_t h = many ? __atomic_load_n(hp, __ATOMIC_ACQUIRE) : *hp;
        uint64_t state = h & IPCJ_RING_STATE_MASK;
        uint64_t avail64 = in - p < (uint64_t)(r->capacity - index) ? in - p : (uint64_t)(r->capacity - index);
        uint32_t avail = (uint32_t)avail64;
        if (state == IPCJ_RING_DATA) {
            uint32_t len = ipcj_ring_field(h), size = ipcj_ring_record_size(len);
            if (len > r->max || size > avail) { bad = 1; break; }
            p += size; n++;
            handler(ctx, (const uint8_t *)(hp + 1), len);
        } else if (state == IPCJ_RING_PADDING) {
            uint32_t size = ipcj_ring_field(h);
            if (size < 8 || (size & 7) || size > avail) { bad = 1; break; }
            p += size;
        } else if (many && (h == p || state == IPCJ_RING_CLAIMED)) {
            if (state == IPCJ_RING_CLAIMED && (ipcj_ring_field(h) > r->max || (int)(uint32_t)h <= 0)) { bad = 1; break; }
            ipcj_ring_stalled(r, p, h, in);
            break;
        } else {
            bad = 1;
            break;
        }
    }
    if (p != r->head) { ipcj_ring_consumed(r, p); r->stall_pos = (uint64_t)-1; }
    return bad ? -EBADMSG : n;
}

static inline int ipcj_ring_record_ready(ipcj_ring *r, void *arg) {
    (void)arg;
    uint64_t in = ipcj_ring_load_pos(r, IPCJ_RING_OFF_IN);
    if (in == r->head) return 0;
    if (r->variant == IPCJ_RING_ONE_TO_ONE) return 1;
    uint64_t h = __atomic_load_n(IPCJ_RING_U64(r, IPCJ_RING_OFF_DATA + ((uint32_t)r->head & r->mask)), __ATOMIC_ACQUIRE);
    uint64_t s = h & IPCJ_RING_STATE_MASK;
    return s == IPCJ_RING_DATA || s == IPCJ_RING_PADDING;
}

/* Blocking read: waits for at least one record (timeout_ns < 0: forever). Count, -ETIMEDOUT, -EBADMSG. */
static inline int ipcj_ring_take(ipcj_ring *r, ipcj_ring_handler handler, void *ctx, int limit, long long timeout_ns) {
    long long start = ipcj_ring_now();
    for (;;) {
        int n = ipcj_ring_read(r, handler, ctx, limit);
        if (n != 0) return n;
        long long el = ipcj_ring_now() - start;
        if (timeout_ns >= 0 && el >= timeout_ns) return -ETIMEDOUT;
        if (el < r->spin_nanos) { ipcj_ring_pause(); continue; }
        long long slice = r->variant == IPCJ_RING_MANY_TO_ONE ? 10000000LL : -1;
        if (timeout_ns >= 0 && (slice < 0 || timeout_ns - el < slice)) slice = timeout_ns - el;
        int rc = ipcj_ring_sleep(r, IPCJ_RING_OFF_CONSUMER_WAITING, ipcj_ring_record_ready, NULL, slice);
        if (rc < 0) return rc;
    }
}

#endif /* IPCJ_RING_H */
