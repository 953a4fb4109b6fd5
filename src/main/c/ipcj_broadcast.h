/*
 * ipcj_broadcast.h — the C twin of dev.ipcj.broadcast: a one-to-many ring in POSIX shared memory,
 * the same byte layout and protocol as BroadcastRing/BroadcastPublisher/BroadcastSubscriber, so
 * C and Java processes publish to and subscribe from one ring. Header-only (static inline),
 * ordered with the compiler's C11-model atomics (__atomic_*, as ipcj_ring.h).
 *
 * Layout (native byte order; positions are 64-bit byte counters that only grow; see
 * BroadcastLayout's Javadoc for the table): a 12288-byte header (magic "IPCJBCST", version,
 * mode 1 LOSSLESS / 2 LOSSY, capacity, maxRecordLength, objectSize, flags, headerSize,
 * slotCount 64, slotsUsed, publisher identity; tailIntent, tail + nextSeq, head, wakeCounter,
 * subscribersWaiting, publisherWaiting on their own lines; 64 slots of 128 bytes: identity,
 * position, state, lost, received), then the data area. Records are 16-aligned: seq (8),
 * length (4), type (4: 1 DATA, 2 PADDING), payload; they never wrap (PADDING fills the end).
 *
 * Identity: pid in bits 0..31, the low 32 bits of the start time (field 22 of /proc/PID/stat)
 * in bits 32..63, so a reused pid is not taken for the dead process (dev.ipcj.internal.ProcessIdentity).
 *
 * Publish: tailIntent = end (then a store-store fence), the record (and a PADDING before it if it
 * does not fit before the end), nextSeq, then tail (release); if subscribersWaiting is set, CAS it
 * to 0, bump wakeCounter, FUTEX_WAKE it. LOSSLESS: never past min(subscriber positions, tail) +
 * capacity; a blocked publisher frees the slot of a dead subscriber in its way and sleeps on
 * publisherWaiting. LOSSY: head moves past the records about to be overwritten, before tailIntent.
 *
 * Read: a record inside [position, tail) is checked (type, length against max and the bytes left),
 * copied, then, after a load fence, tailIntent - position <= capacity proves the copy intact;
 * otherwise the subscriber was lapped: it moves to head (the oldest intact record) and the call
 * returns -EOVERFLOW with the count of lost records in b->last_lost.
 *
 * Errors are -errno: -EBADMSG for shared bytes that break the protocol (Java's CorruptedException),
 * -EBUSY a live publisher is attached, -ENOSPC every slot holds a live subscriber, -EAGAIN
 * nothing to read / no room (LOSSLESS), -ETIMEDOUT, -EMSGSIZE the record is larger than the
 * caller's buffer (it stays unread), -EOVERFLOW lapped (LOSSY). A C program whose object is
 * truncated under it gets SIGBUS (the Java side reports CorruptedException).
 */
#ifndef IPCJ_BROADCAST_H
#define IPCJ_BROADCAST_H

#include "ipcj_ring.h" /* ipcj_ring_now, ipcj_ring_pause, ipcj_ring_same_object, the libc declarations */
#include <stdio.h>

#define IPCJ_BCAST_MAGIC 0x545343424A435049ULL
#define IPCJ_BCAST_VERSION 1
#define IPCJ_BCAST_HEADER_SIZE 12288
#define IPCJ_BCAST_MIN_CAPACITY 4096
#define IPCJ_BCAST_MAX_CAPACITY (1 << 30)
#define IPCJ_BCAST_SLOT_COUNT 64
#define IPCJ_BCAST_SLOT_SIZE 128
#define IPCJ_BCAST_LOSSLESS 1
#define IPCJ_BCAST_LOSSY 2
#define IPCJ_BCAST_FLAG_ASYMMETRIC 1

#define IPCJ_BCAST_MAGIC_OFFSET 0
#define IPCJ_BCAST_VERSION_OFFSET 8
#define IPCJ_BCAST_MODE_OFFSET 12
#define IPCJ_BCAST_CAPACITY_OFFSET 16
#define IPCJ_BCAST_MAX_RECORD_OFFSET 20
#define IPCJ_BCAST_OBJECT_SIZE_OFFSET 24
#define IPCJ_BCAST_FLAGS_OFFSET 32
#define IPCJ_BCAST_HEADER_SIZE_OFFSET 36
#define IPCJ_BCAST_SLOT_COUNT_OFFSET 40
#define IPCJ_BCAST_SLOTS_USED_OFFSET 44
#define IPCJ_BCAST_PUBLISHER_OFFSET 48
#define IPCJ_BCAST_TAIL_INTENT_OFFSET 128
#define IPCJ_BCAST_TAIL_OFFSET 256
#define IPCJ_BCAST_NEXT_SEQ_OFFSET 264
#define IPCJ_BCAST_HEAD_OFFSET 384
#define IPCJ_BCAST_WAKE_COUNTER_OFFSET 512
#define IPCJ_BCAST_SUBSCRIBERS_WAITING_OFFSET 640
#define IPCJ_BCAST_PUBLISHER_WAITING_OFFSET 768
#define IPCJ_BCAST_BELLS_OFFSET 896
#define IPCJ_BCAST_BELL_SLOTS 8
#define IPCJ_BCAST_SLOTS_OFFSET 1024
#define IPCJ_BCAST_DATA_OFFSET 12288

#define IPCJ_BCAST_SLOT_IDENTITY 0
#define IPCJ_BCAST_SLOT_POSITION 8
#define IPCJ_BCAST_SLOT_STATE 16
#define IPCJ_BCAST_SLOT_LOST 24
#define IPCJ_BCAST_SLOT_RECEIVED 32
#define IPCJ_BCAST_STATE_FREE 0
#define IPCJ_BCAST_STATE_ACTIVE 1
#define IPCJ_BCAST_STATE_SLEEPING 2

#define IPCJ_BCAST_RECORD_HEADER 16
#define IPCJ_BCAST_RECORD_ALIGN 16
#define IPCJ_BCAST_RECORD_SEQ 0
#define IPCJ_BCAST_RECORD_LENGTH 8
#define IPCJ_BCAST_RECORD_TYPE 12
#define IPCJ_BCAST_TYPE_DATA 1
#define IPCJ_BCAST_TYPE_PADDING 2

#ifndef IPCJ_BCAST_SPIN_NANOS
#define IPCJ_BCAST_SPIN_NANOS 20000LL
#endif
/* A blocked LOSSLESS publisher re-checks the slot table (and liveness) this often. */
#define IPCJ_BCAST_BLOCKED_SLICE_NANOS 10000000LL

typedef struct ipcj_bcast {
    uint8_t *base;
    long long size;
    uint32_t capacity, mask, max;
    int mode, asymmetric;
    uint64_t identity;
    /* publisher */
    int publisher_attached;
    uint64_t tail, next_seq, head, limit;
    /* subscriber */
    int slot; /* -1: not subscribed */
    uint64_t cursor, committed, tail_cache, expected_seq, lost, received, last_lost;
    long long spin_nanos;
} ipcj_bcast;

#define IPCJ_BCAST_U64(b, off) ((uint64_t *)(void *)((b)->base + (off)))
#define IPCJ_BCAST_U32(b, off) ((uint32_t *)(void *)((b)->base + (off)))

static inline uint32_t ipcj_bcast_record_size(uint32_t length) { return (16u + length + 15u) & ~15u; }
static inline uint32_t ipcj_bcast_max_record_length_for(uint32_t capacity) { return capacity / 4 - 16; }
static inline long ipcj_bcast_slot_offset(int i) { return IPCJ_BCAST_SLOTS_OFFSET + (long)i * IPCJ_BCAST_SLOT_SIZE; }

/* ---- process identity (as dev.ipcj.internal.ProcessIdentity) ---- */

#define IPCJ_BCAST_DEAD (-1LL)
#define IPCJ_BCAST_UNKNOWN (-2LL)

/* Low 32 bits of the start time of `pid`, IPCJ_BCAST_DEAD, or IPCJ_BCAST_UNKNOWN (alive, unreadable). */
static inline long long ipcj_bcast_start_time(int pid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return (kill(pid, 0) == 0 || errno == EPERM) ? IPCJ_BCAST_UNKNOWN : IPCJ_BCAST_DEAD;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return (kill(pid, 0) == 0 || errno == EPERM) ? IPCJ_BCAST_UNKNOWN : IPCJ_BCAST_DEAD;
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p) return IPCJ_BCAST_UNKNOWN;
    p++;
    while (*p == ' ') p++;
    if (*p == 'Z' || *p == 'X' || *p == 'x') return IPCJ_BCAST_DEAD;
    for (int field = 3; field < 22; field++) { /* p is at field 3 (state); walk to field 22 */
        p = strchr(p, ' ');
        if (!p) return IPCJ_BCAST_UNKNOWN;
        p++;
    }
    unsigned long long v = 0;
    if (*p < '0' || *p > '9') return IPCJ_BCAST_UNKNOWN;
    while (*p >= '0' && *p <= '9') v = v * 10 + (unsigned)(*p++ - '0');
    return (long long)(v & 0xFFFFFFFFULL);
}

/* The identity of the live process `pid`, or 0. */
static inline uint64_t ipcj_bcast_identity_of(int pid) {
    if (pid <= 0) return 0;
    long long s = ipcj_bcast_start_time(pid);
    if (s == IPCJ_BCAST_DEAD) return 0;
    return (s == IPCJ_BCAST_UNKNOWN ? 0 : (uint64_t)s << 32) | (uint32_t)pid;
}

/* Whether the process `identity` names still runs (pid alive, not a zombie, same start time). */
static inline int ipcj_bcast_alive(uint64_t identity) {
    int pid = (int)(uint32_t)identity;
    if (pid <= 0) return 0;
    long long s = ipcj_bcast_start_time(pid);
    if (s == IPCJ_BCAST_DEAD) return 0;
    if (s == IPCJ_BCAST_UNKNOWN) return 1;
    uint64_t want = identity >> 32;
    return want == 0 || want == (uint64_t)s;
}

/* ---- life cycle ---- */

static inline void ipcj_bcast_init(ipcj_bcast *b) {
    memset(b, 0, sizeof *b);
    b->slot = -1;
    b->identity = ipcj_bcast_identity_of((int)getpid());
    b->spin_nanos = IPCJ_BCAST_SPIN_NANOS;
}

/* Creates `name` exclusively (mode 0600). -EEXIST touches nothing; a later failure removes only our object. */
static inline int ipcj_bcast_create(ipcj_bcast *b, const char *name, int mode, uint32_t capacity, uint32_t max) {
    ipcj_bcast_init(b);
    if (mode != IPCJ_BCAST_LOSSLESS && mode != IPCJ_BCAST_LOSSY) return -EINVAL;
    if (capacity < IPCJ_BCAST_MIN_CAPACITY || capacity > (uint32_t)IPCJ_BCAST_MAX_CAPACITY || (capacity & (capacity - 1)))
        return -EINVAL;
    if (max < 1 || max > ipcj_bcast_max_record_length_for(capacity)) return -EINVAL;
    int asym = ipcj_membarrier_register() == 0;
    long long size = IPCJ_BCAST_HEADER_SIZE + (long long)capacity;
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
    b->base = (uint8_t *)(intptr_t)a;
    b->size = size;
    b->capacity = capacity; b->mask = capacity - 1; b->max = max; b->mode = mode; b->asymmetric = asym;
    *IPCJ_BCAST_U32(b, IPCJ_BCAST_VERSION_OFFSET) = IPCJ_BCAST_VERSION;
    *IPCJ_BCAST_U32(b, IPCJ_BCAST_MODE_OFFSET) = (uint32_t)mode;
    *IPCJ_BCAST_U32(b, IPCJ_BCAST_CAPACITY_OFFSET) = capacity;
    *IPCJ_BCAST_U32(b, IPCJ_BCAST_MAX_RECORD_OFFSET) = max;
    *IPCJ_BCAST_U64(b, IPCJ_BCAST_OBJECT_SIZE_OFFSET) = (uint64_t)size;
    *IPCJ_BCAST_U32(b, IPCJ_BCAST_FLAGS_OFFSET) = asym ? IPCJ_BCAST_FLAG_ASYMMETRIC : 0;
    *IPCJ_BCAST_U32(b, IPCJ_BCAST_HEADER_SIZE_OFFSET) = IPCJ_BCAST_HEADER_SIZE;
    *IPCJ_BCAST_U32(b, IPCJ_BCAST_SLOT_COUNT_OFFSET) = IPCJ_BCAST_SLOT_COUNT;
    __atomic_store_n(IPCJ_BCAST_U64(b, IPCJ_BCAST_MAGIC_OFFSET), IPCJ_BCAST_MAGIC, __ATOMIC_SEQ_CST);
    return 0;
}

/* Opens and validates an existing ring: -ENOENT, or -EBADMSG if the object is no broadcast ring. */
static inline int ipcj_bcast_open(ipcj_bcast *b, const char *name) {
    ipcj_bcast_init(b);
    void *base;
    int rc = ipcj_shm_map_existing(name, IPCJ_BCAST_HEADER_SIZE + IPCJ_BCAST_MIN_CAPACITY,
                                   IPCJ_BCAST_HEADER_SIZE + (long long)IPCJ_BCAST_MAX_CAPACITY, &base, &b->size);
    if (rc < 0) return rc;
    b->base = (uint8_t *)base;
    uint64_t magic = __atomic_load_n(IPCJ_BCAST_U64(b, IPCJ_BCAST_MAGIC_OFFSET), __ATOMIC_ACQUIRE);
    uint32_t cap = *IPCJ_BCAST_U32(b, IPCJ_BCAST_CAPACITY_OFFSET);
    uint32_t max = *IPCJ_BCAST_U32(b, IPCJ_BCAST_MAX_RECORD_OFFSET);
    uint32_t mode = *IPCJ_BCAST_U32(b, IPCJ_BCAST_MODE_OFFSET);
    uint32_t flags = *IPCJ_BCAST_U32(b, IPCJ_BCAST_FLAGS_OFFSET);
    int ok = magic == IPCJ_BCAST_MAGIC
        && *IPCJ_BCAST_U32(b, IPCJ_BCAST_VERSION_OFFSET) == IPCJ_BCAST_VERSION
        && (mode == IPCJ_BCAST_LOSSLESS || mode == IPCJ_BCAST_LOSSY)
        && cap >= IPCJ_BCAST_MIN_CAPACITY && cap <= (uint32_t)IPCJ_BCAST_MAX_CAPACITY && !(cap & (cap - 1))
        && max >= 1 && max <= ipcj_bcast_max_record_length_for(cap)
        && *IPCJ_BCAST_U32(b, IPCJ_BCAST_HEADER_SIZE_OFFSET) == IPCJ_BCAST_HEADER_SIZE
        && *IPCJ_BCAST_U32(b, IPCJ_BCAST_SLOT_COUNT_OFFSET) == IPCJ_BCAST_SLOT_COUNT
        && *IPCJ_BCAST_U64(b, IPCJ_BCAST_OBJECT_SIZE_OFFSET) == (uint64_t)(IPCJ_BCAST_HEADER_SIZE + (long long)cap)
        && IPCJ_BCAST_HEADER_SIZE + (long long)cap == b->size
        && (flags & ~(uint32_t)IPCJ_BCAST_FLAG_ASYMMETRIC) == 0;
    if (!ok) { munmap(b->base, (size_t)b->size); b->base = NULL; return -EBADMSG; }
    b->capacity = cap; b->mask = cap - 1; b->max = max; b->mode = (int)mode;
    b->asymmetric = (flags & IPCJ_BCAST_FLAG_ASYMMETRIC) != 0;
    if (b->asymmetric && (rc = ipcj_membarrier_register()) < 0) {
        munmap(b->base, (size_t)b->size); b->base = NULL; return rc;
    }
    return 0;
}

static inline int ipcj_bcast_unlink(const char *name) { return ipcj_shm_unlink(name); }

static inline void ipcj_bcast_unsubscribe(ipcj_bcast *b);
static inline void ipcj_bcast_detach_publisher(ipcj_bcast *b);

/* Leaves the slot and the publisher's place this handle holds, then unmaps. */
static inline void ipcj_bcast_close(ipcj_bcast *b) {
    if (b->base) {
        if (b->slot >= 0) ipcj_bcast_unsubscribe(b);
        if (b->publisher_attached) ipcj_bcast_detach_publisher(b);
        munmap(b->base, (size_t)b->size);
    }
    b->base = NULL;
}

/* ---- shared helpers ---- */

static inline uint64_t ipcj_bcast_load(ipcj_bcast *b, long off) {
    return __atomic_load_n(IPCJ_BCAST_U64(b, off), __ATOMIC_SEQ_CST);
}
static inline int ipcj_bcast_pos_ok(uint64_t p) { return (int64_t)p >= 0 && !(p & 15); }

static inline void ipcj_bcast_sleeper_barrier(ipcj_bcast *b) {
    if (b->asymmetric) ipcj_membarrier_global();
    else __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static inline void ipcj_bcast_wake_subscribers(ipcj_bcast *b) {
    uint32_t *flag = IPCJ_BCAST_U32(b, IPCJ_BCAST_SUBSCRIBERS_WAITING_OFFSET);
    uint32_t one = 1;
    if (__atomic_load_n(flag, __ATOMIC_SEQ_CST) != 0
        && __atomic_compare_exchange_n(flag, &one, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        __atomic_fetch_add(IPCJ_BCAST_U32(b, IPCJ_BCAST_WAKE_COUNTER_OFFSET), 1, __ATOMIC_SEQ_CST);
        ipcj_futex_wake((long long)(intptr_t)IPCJ_BCAST_U32(b, IPCJ_BCAST_WAKE_COUNTER_OFFSET), INT_MAX);
        ipcj_bell_ring_table(b->base + IPCJ_BCAST_BELLS_OFFSET, IPCJ_BCAST_BELL_SLOTS); /* WaitSets */
    }
}

static inline void ipcj_bcast_wake_publisher(ipcj_bcast *b) {
    uint32_t *word = IPCJ_BCAST_U32(b, IPCJ_BCAST_PUBLISHER_WAITING_OFFSET);
    uint32_t one = 1;
    if (__atomic_load_n(word, __ATOMIC_SEQ_CST) != 0
        && __atomic_compare_exchange_n(word, &one, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        ipcj_futex_wake((long long)(intptr_t)word, INT_MAX);
}

/* ---- publisher ---- */

static inline void ipcj_bcast_publish_tail(ipcj_bcast *b, uint64_t end) {
    if (b->asymmetric) {
        __atomic_store_n(IPCJ_BCAST_U64(b, IPCJ_BCAST_TAIL_OFFSET), end, __ATOMIC_RELEASE);
        __atomic_signal_fence(__ATOMIC_SEQ_CST); /* program order before the flag's load */
    } else {
        __atomic_store_n(IPCJ_BCAST_U64(b, IPCJ_BCAST_TAIL_OFFSET), end, __ATOMIC_SEQ_CST);
    }
    b->tail = end;
    ipcj_bcast_wake_subscribers(b);
}

/* LOSSY: moves head past the records starting before end - capacity (garbage: head jumps to tail). */
static inline void ipcj_bcast_advance_head(ipcj_bcast *b, uint64_t end) {
    if (end < b->capacity) return;
    uint64_t floor = end - b->capacity, h = b->head;
    if (h >= floor) return;
    while (h < floor) {
        uint32_t index = (uint32_t)h & b->mask;
        uint32_t length = *IPCJ_BCAST_U32(b, IPCJ_BCAST_DATA_OFFSET + index + IPCJ_BCAST_RECORD_LENGTH);
        uint32_t type = *IPCJ_BCAST_U32(b, IPCJ_BCAST_DATA_OFFSET + index + IPCJ_BCAST_RECORD_TYPE);
        uint64_t size = type == IPCJ_BCAST_TYPE_DATA && length <= b->max ? ipcj_bcast_record_size(length)
                      : type == IPCJ_BCAST_TYPE_PADDING ? length : 0;
        if (size < 16 || (size & 15) || size > b->capacity - index || h + size > b->tail) { h = b->tail; break; }
        h += size;
    }
    b->head = h;
    __atomic_store_n(IPCJ_BCAST_U64(b, IPCJ_BCAST_HEAD_OFFSET), h, __ATOMIC_SEQ_CST);
}

/* LOSSLESS: min(subscriber positions, tail) + capacity, after a full fence (see BroadcastPublisher). */
static inline uint64_t ipcj_bcast_scan(ipcj_bcast *b) {
    if (b->mode != IPCJ_BCAST_LOSSLESS) return UINT64_MAX;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint64_t min = b->tail;
    uint32_t used = __atomic_load_n(IPCJ_BCAST_U32(b, IPCJ_BCAST_SLOTS_USED_OFFSET), __ATOMIC_SEQ_CST);
    if (used > IPCJ_BCAST_SLOT_COUNT) used = IPCJ_BCAST_SLOT_COUNT;
    for (uint32_t i = 0; i < used; i++) {
        long s = ipcj_bcast_slot_offset((int)i);
        if (ipcj_bcast_load(b, s + IPCJ_BCAST_SLOT_IDENTITY) != 0) {
            uint64_t p = ipcj_bcast_load(b, s + IPCJ_BCAST_SLOT_POSITION);
            if (p < min && (int64_t)p >= 0) min = p;
        }
    }
    return min + b->capacity;
}

/* Frees the slot of every subscriber below `floor` whose process is gone. */
static inline void ipcj_bcast_reap_dead(ipcj_bcast *b, uint64_t floor) {
    uint32_t used = __atomic_load_n(IPCJ_BCAST_U32(b, IPCJ_BCAST_SLOTS_USED_OFFSET), __ATOMIC_SEQ_CST);
    if (used > IPCJ_BCAST_SLOT_COUNT) used = IPCJ_BCAST_SLOT_COUNT;
    for (uint32_t i = 0; i < used; i++) {
        long s = ipcj_bcast_slot_offset((int)i);
        uint64_t id = ipcj_bcast_load(b, s + IPCJ_BCAST_SLOT_IDENTITY);
        if (id != 0 && ipcj_bcast_load(b, s + IPCJ_BCAST_SLOT_POSITION) < floor && !ipcj_bcast_alive(id))
            __atomic_compare_exchange_n(IPCJ_BCAST_U64(b, s + IPCJ_BCAST_SLOT_IDENTITY), &id, 0, 0,
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
}

/*
 * Attaches the publisher (-EBUSY if a live one is), taking over a dead one's place: a record it
 * left half written ([tail, tailIntent)) becomes PADDING and tail moves to tailIntent.
 */
static inline int ipcj_bcast_attach_publisher(ipcj_bcast *b) {
    uint64_t *word = IPCJ_BCAST_U64(b, IPCJ_BCAST_PUBLISHER_OFFSET);
    for (;;) {
        uint64_t owner = __atomic_load_n(word, __ATOMIC_SEQ_CST);
        if (owner != 0 && ipcj_bcast_alive(owner)) return -EBUSY;
        if (__atomic_compare_exchange_n(word, &owner, b->identity, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) break;
    }
    b->publisher_attached = 1;
    uint64_t t = ipcj_bcast_load(b, IPCJ_BCAST_TAIL_OFFSET), intent = ipcj_bcast_load(b, IPCJ_BCAST_TAIL_INTENT_OFFSET);
    uint64_t seq = ipcj_bcast_load(b, IPCJ_BCAST_NEXT_SEQ_OFFSET);
    if (!ipcj_bcast_pos_ok(t) || !ipcj_bcast_pos_ok(intent) || intent < t || intent - t >= b->capacity || (int64_t)seq < 0) {
        ipcj_bcast_detach_publisher(b);
        return -EBADMSG;
    }
    uint64_t h = b->mode == IPCJ_BCAST_LOSSLESS ? t : ipcj_bcast_load(b, IPCJ_BCAST_HEAD_OFFSET);
    if (h > t || t - h > b->capacity || (h & 15)) h = t;
    b->tail = t; b->next_seq = seq; b->head = h;
    if (intent > t) {
        if (b->mode == IPCJ_BCAST_LOSSY) ipcj_bcast_advance_head(b, intent);
        for (uint64_t p = t; p < intent;) {
            uint32_t index = (uint32_t)p & b->mask;
            uint64_t piece = intent - p < b->capacity - index ? intent - p : b->capacity - index;
            *IPCJ_BCAST_U64(b, IPCJ_BCAST_DATA_OFFSET + index + IPCJ_BCAST_RECORD_SEQ) = seq;
            *IPCJ_BCAST_U32(b, IPCJ_BCAST_DATA_OFFSET + index + IPCJ_BCAST_RECORD_LENGTH) = (uint32_t)piece;
            *IPCJ_BCAST_U32(b, IPCJ_BCAST_DATA_OFFSET + index + IPCJ_BCAST_RECORD_TYPE) = IPCJ_BCAST_TYPE_PADDING;
            p += piece;
        }
        ipcj_bcast_publish_tail(b, intent);
    }
    b->limit = ipcj_bcast_scan(b);
    return 0;
}

static inline void ipcj_bcast_detach_publisher(ipcj_bcast *b) {
    uint64_t me = b->identity;
    __atomic_compare_exchange_n(IPCJ_BCAST_U64(b, IPCJ_BCAST_PUBLISHER_OFFSET), &me, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    b->publisher_attached = 0;
}

/* Publishes `length` bytes if there is room now: 0, -EAGAIN (LOSSLESS: a subscriber is a ring behind), -EMSGSIZE. */
static inline int ipcj_bcast_offer(ipcj_bcast *b, const void *payload, uint32_t length) {
    if (length > b->max) return -EMSGSIZE;
    uint32_t size = ipcj_bcast_record_size(length);
    uint64_t t = b->tail;
    uint32_t index = (uint32_t)t & b->mask;
    uint32_t pad = b->capacity - index < size ? b->capacity - index : 0;
    uint64_t end = t + pad + size;
    if (end > b->limit) {
        b->limit = ipcj_bcast_scan(b);
        if (end > b->limit) return -EAGAIN;
    }
    if (b->mode == IPCJ_BCAST_LOSSY) ipcj_bcast_advance_head(b, end);
    __atomic_store_n(IPCJ_BCAST_U64(b, IPCJ_BCAST_TAIL_INTENT_OFFSET), end, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE); /* the intent before the bytes (a store-store fence) */
    uint64_t seq = b->next_seq;
    if (pad) {
        *IPCJ_BCAST_U64(b, IPCJ_BCAST_DATA_OFFSET + index + IPCJ_BCAST_RECORD_SEQ) = seq;
        *IPCJ_BCAST_U32(b, IPCJ_BCAST_DATA_OFFSET + index + IPCJ_BCAST_RECORD_LENGTH) = pad;
        *IPCJ_BCAST_U32(b, IPCJ_BCAST_DATA_OFFSET + index + IPCJ_BCAST_RECORD_TYPE) = IPCJ_BCAST_TYPE_PADDING;
        index = 0;
    }
    uint8_t *at = b->base + IPCJ_BCAST_DATA_OFFSET + index;
    *(uint64_t *)(void *)(at + IPCJ_BCAST_RECORD_SEQ) = seq;
    *(uint32_t *)(void *)(at + IPCJ_BCAST_RECORD_LENGTH) = length;
    *(uint32_t *)(void *)(at + IPCJ_BCAST_RECORD_TYPE) = IPCJ_BCAST_TYPE_DATA;
    if (length) memcpy(at + IPCJ_BCAST_RECORD_HEADER, payload, length);
    b->next_seq = seq + 1;
    __atomic_store_n(IPCJ_BCAST_U64(b, IPCJ_BCAST_NEXT_SEQ_OFFSET), seq + 1, __ATOMIC_RELAXED);
    ipcj_bcast_publish_tail(b, end);
    return 0;
}

/* As ipcj_bcast_offer, waiting up to `nanos` (< 0: forever) for room: 0, -ETIMEDOUT, -EMSGSIZE. */
static inline int ipcj_bcast_publish(ipcj_bcast *b, const void *payload, uint32_t length, long long nanos) {
    long long start = ipcj_ring_now();
    for (;;) {
        int rc = ipcj_bcast_offer(b, payload, length);
        if (rc != -EAGAIN) return rc;
        uint32_t size = ipcj_bcast_record_size(length), index = (uint32_t)b->tail & b->mask;
        uint64_t end = b->tail + (b->capacity - index < size ? b->capacity - index : 0) + size;
        long long left = nanos < 0 ? IPCJ_BCAST_BLOCKED_SLICE_NANOS : nanos - (ipcj_ring_now() - start);
        if (left <= 0) return -ETIMEDOUT;
        if (ipcj_ring_now() - start < b->spin_nanos) { ipcj_ring_pause(); continue; }
        ipcj_bcast_reap_dead(b, end - b->capacity);
        uint32_t *word = IPCJ_BCAST_U32(b, IPCJ_BCAST_PUBLISHER_WAITING_OFFSET);
        __atomic_store_n(word, 1, __ATOMIC_SEQ_CST);
        ipcj_bcast_sleeper_barrier(b);
        b->limit = ipcj_bcast_scan(b);
        if (end <= b->limit) continue;
        ipcj_futex_wait((long long)(intptr_t)word, 1,
                        left < IPCJ_BCAST_BLOCKED_SLICE_NANOS ? left : IPCJ_BCAST_BLOCKED_SLICE_NANOS);
    }
}

/* ---- subscriber ---- */

/* Joins in a free slot or a dead subscriber's: 0, -ENOSPC (all 64 live), -EBADMSG. */
static inline int ipcj_bcast_subscribe(ipcj_bcast *b) {
    int got = -1;
    for (int i = 0; i < IPCJ_BCAST_SLOT_COUNT && got < 0; i++) {
        uint64_t *w = IPCJ_BCAST_U64(b, ipcj_bcast_slot_offset(i) + IPCJ_BCAST_SLOT_IDENTITY);
        uint64_t id = __atomic_load_n(w, __ATOMIC_SEQ_CST);
        if ((id == 0 || !ipcj_bcast_alive(id))
            && __atomic_compare_exchange_n(w, &id, b->identity, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            got = i;
    }
    if (got < 0) return -ENOSPC;
    uint32_t *used = IPCJ_BCAST_U32(b, IPCJ_BCAST_SLOTS_USED_OFFSET);
    for (;;) {
        uint32_t u = __atomic_load_n(used, __ATOMIC_SEQ_CST);
        if ((u >= (uint32_t)got + 1 && u <= IPCJ_BCAST_SLOT_COUNT)
            || __atomic_compare_exchange_n(used, &u, (uint32_t)got + 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            break;
    }
    long s = ipcj_bcast_slot_offset(got);
    uint64_t t1 = ipcj_bcast_load(b, IPCJ_BCAST_TAIL_OFFSET);
    if (!ipcj_bcast_pos_ok(t1)) return -EBADMSG;
    __atomic_store_n(IPCJ_BCAST_U64(b, s + IPCJ_BCAST_SLOT_POSITION), t1, __ATOMIC_SEQ_CST);
    *IPCJ_BCAST_U64(b, s + IPCJ_BCAST_SLOT_LOST) = 0;
    *IPCJ_BCAST_U64(b, s + IPCJ_BCAST_SLOT_RECEIVED) = 0;
    __atomic_store_n(IPCJ_BCAST_U32(b, s + IPCJ_BCAST_SLOT_STATE), IPCJ_BCAST_STATE_ACTIVE, __ATOMIC_SEQ_CST);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint64_t t2 = ipcj_bcast_load(b, IPCJ_BCAST_TAIL_OFFSET);
    if (!ipcj_bcast_pos_ok(t2)) return -EBADMSG;
    __atomic_store_n(IPCJ_BCAST_U64(b, s + IPCJ_BCAST_SLOT_POSITION), t2, __ATOMIC_SEQ_CST);
    b->slot = got;
    b->cursor = b->committed = b->tail_cache = t2;
    int64_t seq = (int64_t)ipcj_bcast_load(b, IPCJ_BCAST_NEXT_SEQ_OFFSET);
    b->expected_seq = seq < 0 ? 0 : (uint64_t)seq;
    b->lost = b->received = 0;
    return 0;
}

static inline void ipcj_bcast_unsubscribe(ipcj_bcast *b) {
    if (b->slot < 0) return;
    long s = ipcj_bcast_slot_offset(b->slot);
    __atomic_store_n(IPCJ_BCAST_U32(b, s + IPCJ_BCAST_SLOT_STATE), IPCJ_BCAST_STATE_FREE, __ATOMIC_SEQ_CST);
    uint64_t me = b->identity;
    __atomic_compare_exchange_n(IPCJ_BCAST_U64(b, s + IPCJ_BCAST_SLOT_IDENTITY), &me, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    if (b->mode == IPCJ_BCAST_LOSSLESS) ipcj_bcast_wake_publisher(b);
    b->slot = -1;
}

static inline void ipcj_bcast_commit(ipcj_bcast *b) {
    if (b->cursor == b->committed) return;
    long s = ipcj_bcast_slot_offset(b->slot);
    __atomic_store_n(IPCJ_BCAST_U64(b, s + IPCJ_BCAST_SLOT_POSITION), b->cursor, __ATOMIC_RELEASE);
    __atomic_store_n(IPCJ_BCAST_U64(b, s + IPCJ_BCAST_SLOT_RECEIVED), b->received, __ATOMIC_RELEASE);
    b->committed = b->cursor;
    if (b->mode == IPCJ_BCAST_LOSSLESS) {
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        if (!b->asymmetric) __atomic_thread_fence(__ATOMIC_SEQ_CST);
        ipcj_bcast_wake_publisher(b);
    }
}

/* Whether the publisher may have overwritten position p (loads before this are ordered by the fence). */
static inline int ipcj_bcast_lapped_at(ipcj_bcast *b, uint64_t p) {
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return ipcj_bcast_load(b, IPCJ_BCAST_TAIL_INTENT_OFFSET) - p > b->capacity;
}

/* Moves to the oldest intact record, counts the loss into last_lost, returns -EOVERFLOW. */
static inline int ipcj_bcast_resume(ipcj_bcast *b) {
    uint64_t resume = UINT64_MAX, seq = b->expected_seq;
    for (int tries = 0; tries < 1000 && resume == UINT64_MAX; tries++) {
        uint64_t t = ipcj_bcast_load(b, IPCJ_BCAST_TAIL_OFFSET);
        uint64_t h = b->mode == IPCJ_BCAST_LOSSLESS ? t : ipcj_bcast_load(b, IPCJ_BCAST_HEAD_OFFSET);
        if (h > t || t - h > b->capacity || (h & 15)) h = t;
        uint64_t s = h == t ? ipcj_bcast_load(b, IPCJ_BCAST_NEXT_SEQ_OFFSET)
                            : *IPCJ_BCAST_U64(b, IPCJ_BCAST_DATA_OFFSET + ((uint32_t)h & b->mask));
        if (!ipcj_bcast_lapped_at(b, h)) { resume = h; seq = s; }
    }
    if (resume == UINT64_MAX) {
        resume = ipcj_bcast_load(b, IPCJ_BCAST_TAIL_OFFSET);
        seq = ipcj_bcast_load(b, IPCJ_BCAST_NEXT_SEQ_OFFSET);
    }
    b->last_lost = seq > b->expected_seq ? seq - b->expected_seq : 0;
    b->lost += b->last_lost;
    if (seq > b->expected_seq) b->expected_seq = seq;
    b->cursor = b->tail_cache = resume;
    *IPCJ_BCAST_U64(b, ipcj_bcast_slot_offset(b->slot) + IPCJ_BCAST_SLOT_LOST) = b->lost;
    ipcj_bcast_commit(b);
    return -EOVERFLOW;
}

/*
 * Copies the next record into dst (room `cap`): 0 with *length and *seq set, -EAGAIN none,
 * -EOVERFLOW lapped (b->last_lost records lost; the next call reads the oldest intact one),
 * -EMSGSIZE too large for dst (stays unread), -EBADMSG garbage.
 */
static inline int ipcj_bcast_poll(ipcj_bcast *b, void *dst, uint32_t cap, uint32_t *length, uint64_t *seq) {
    uint64_t p = b->cursor;
    for (;;) {
        uint64_t t = b->tail_cache;
        if (p == t) {
            t = ipcj_bcast_load(b, IPCJ_BCAST_TAIL_OFFSET);
            if (!ipcj_bcast_pos_ok(t) || t < p) return -EBADMSG;
            b->tail_cache = t;
            if (p == t) { ipcj_bcast_commit(b); return -EAGAIN; }
        }
        if (t - p > b->capacity) return ipcj_bcast_resume(b);
        uint32_t index = (uint32_t)p & b->mask;
        uint8_t *at = b->base + IPCJ_BCAST_DATA_OFFSET + index;
        uint64_t s = *(uint64_t *)(void *)(at + IPCJ_BCAST_RECORD_SEQ);
        uint32_t len = *(uint32_t *)(void *)(at + IPCJ_BCAST_RECORD_LENGTH);
        uint32_t type = *(uint32_t *)(void *)(at + IPCJ_BCAST_RECORD_TYPE);
        uint64_t avail = t - p < b->capacity - index ? t - p : b->capacity - index;
        if (type == IPCJ_BCAST_TYPE_PADDING) {
            if (ipcj_bcast_lapped_at(b, p)) return ipcj_bcast_resume(b);
            if (len < 16 || (len & 15) || len > avail) return -EBADMSG;
            p += len;
            b->cursor = p;
            continue;
        }
        if (type != IPCJ_BCAST_TYPE_DATA || len > b->max || ipcj_bcast_record_size(len) > avail) {
            if (ipcj_bcast_lapped_at(b, p)) return ipcj_bcast_resume(b);
            return -EBADMSG;
        }
        if (len > cap) {
            if (ipcj_bcast_lapped_at(b, p)) return ipcj_bcast_resume(b);
            return -EMSGSIZE;
        }
        if (len) memcpy(dst, at + IPCJ_BCAST_RECORD_HEADER, len);
        if (ipcj_bcast_lapped_at(b, p)) return ipcj_bcast_resume(b);
        b->cursor = p + ipcj_bcast_record_size(len);
        b->expected_seq = s + 1;
        b->received++;
        *length = len;
        *seq = s;
        ipcj_bcast_commit(b);
        return 0;
    }
}

/* As ipcj_bcast_poll, waiting up to `nanos` (< 0: forever) on the shared wake counter: -ETIMEDOUT too. */
static inline int ipcj_bcast_take(ipcj_bcast *b, void *dst, uint32_t cap, uint32_t *length, uint64_t *seq,
                                  long long nanos) {
    long long start = ipcj_ring_now();
    uint32_t *counter = IPCJ_BCAST_U32(b, IPCJ_BCAST_WAKE_COUNTER_OFFSET);
    uint32_t *flag = IPCJ_BCAST_U32(b, IPCJ_BCAST_SUBSCRIBERS_WAITING_OFFSET);
    for (;;) {
        int rc = ipcj_bcast_poll(b, dst, cap, length, seq);
        if (rc != -EAGAIN) return rc;
        long long elapsed = ipcj_ring_now() - start;
        if (nanos >= 0 && elapsed >= nanos) return -ETIMEDOUT;
        if (elapsed < b->spin_nanos) { ipcj_ring_pause(); continue; }
        uint32_t expected = __atomic_load_n(counter, __ATOMIC_SEQ_CST);
        __atomic_store_n(flag, 1, __ATOMIC_SEQ_CST);
        ipcj_bcast_sleeper_barrier(b);
        if (ipcj_bcast_load(b, IPCJ_BCAST_TAIL_OFFSET) != b->cursor) continue;
        long long slice = 1000000000LL;
        if (nanos >= 0 && nanos - elapsed < slice) slice = nanos - elapsed;
        long s = ipcj_bcast_slot_offset(b->slot);
        __atomic_store_n(IPCJ_BCAST_U32(b, s + IPCJ_BCAST_SLOT_STATE), IPCJ_BCAST_STATE_SLEEPING, __ATOMIC_RELAXED);
        ipcj_futex_wait((long long)(intptr_t)counter, (int)expected, slice);
        __atomic_store_n(IPCJ_BCAST_U32(b, s + IPCJ_BCAST_SLOT_STATE), IPCJ_BCAST_STATE_ACTIVE, __ATOMIC_RELAXED);
    }
}

#endif /* IPCJ_BROADCAST_H */
