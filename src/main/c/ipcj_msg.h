/*
 * ipcj_msg.h — the frame and the mailbox header of dev.ipcj.msg, so that C programs can send to
 * and receive from ipcj mailboxes (Mailbox, Inbox) on the kernel transports: POSIX message
 * queues and System V message queues. Header-only (static inline); C11 and C++11.
 *
 * FRAME: every message is a 40-byte envelope, then the payload (native byte order):
 *
 *   offset size field
 *   ------ ---- -------------------------------------------------------------------------
 *        0    4 magic 0x47534D49 ("IMSG" in memory): anything else is refused as foreign
 *        4    1 version: 1
 *        5    1 header size in 8-byte words: 5
 *        6    2 flags: bit 0 ACK (a rendezvous frame, see below); bit 1 REQUEST (the sender
 *               awaits a reply); bit 2 REPLY (it answers a request); the other bits are 0
 *        8    4 payload length n (POSIX and System V queues: exactly the message size - 40)
 *       12    4 sender pid (what the sender wrote: nothing checks it)
 *       16    8 sequence (per sending handle, from 0)
 *       24    4 reply-to pid: REQUEST frames: the pid whose inbox (/ipcj-pid-PID) the reply goes to; else 0
 *       28    4 rendezvous token (ACK frames only, else 0)
 *       32    8 correlation id: REQUEST frames: the requester's id, which its REPLY repeats; else 0
 *               (a C server answers a request by sending a REPLY frame with that id to the
 *               mailbox /ipcj-pid-REPLYTO)
 *       40    n payload
 *
 *   POSIX_MQ: one frame per mq message, priority 0 (FIFO); the queue is named like the mailbox
 *   ("/orders"), its mq_msgsize is 40 + the mailbox's max message size.
 *   SYSTEM_V: one frame per msgsnd, mtype = sender pid (a receiver may select by sender with
 *   msgrcv(type = pid)); the queue's msqid is the header's id1 (see below). Receive with
 *   MSG_NOERROR and a buffer of 40 + the max message size, or larger.
 *   RING and SHM_LOG carry the same frames in shared memory; only Java speaks the mailbox's
 *   protocols over them. SHM_LOG's log is dev.ipcj.log.SharedLog (ipcj_log.h), one frame per
 *   record, created with records of 40 + the max message size and the header's instance id as
 *   its owner.
 *
 * MAILBOX HEADER: the file /dev/shm/NAME, 4096 bytes, mode 0600 (ipcj_msg_header_read below):
 *
 *   offset size field
 *        0    4 magic 0x58424D49 ("IMBX")
 *        4    2 version: 2
 *        6    2 transport: 1 POSIX_MQ, 2 SYSTEM_V, 3 RING, 4 SHM_LOG (codes fixed forever)
 *        8    4 capacity: -1 unbounded, 0 rendezvous, n bounded
 *       12    4 max message size (payload bytes)
 *       16    8 owner: identity of the process whose Inbox this is (0: a named mailbox)
 *       24    8 creator identity (identity: pid in bits 0..31, start time (field 22 of
 *               /proc/PID/stat, low 32 bits) in bits 32..63)
 *       32    8 instance id (random)
 *       40    4 state: 1 creating, 2 ready
 *       44    4 envelope size: 40
 *       48    8 id1: POSIX_MQ the queue's inode; SYSTEM_V the msqid; RING / SHM_LOG an inode
 *       56    8 id2: SYSTEM_V the queue's ctime; RING the record size; SHM_LOG the log id
 *       64    8 id3: SYSTEM_V msg_qbytes << 32 | creator uid
 *       72    8 name hash: FNV-1a 64 of the name ("/orders"): ipcj_msg_header_read checks it
 *      124    4 CRC-32C (Castagnoli) of bytes 0..123
 *      128    8 rendezvous word: pid << 32 | token << 2 | state (1 offered, 2 taken, 3 cancelled)
 *      192   12 turn lock; 256 12 gate lock; 320 8 space doorbell (Java's protocols)
 *
 * What C programs may do, and what they must know:
 *   - Send plain frames (flags 0) to POSIX_MQ mailboxes: the kernel keeps the bound.
 *   - Send plain frames to SYSTEM_V mailboxes: Java senders keep bounded(n) with a lock in the
 *     header (they count msg_qnum before each msgsnd); a C sender that does not take part can
 *     put messages beyond n (the kernel's msg_qbytes still bounds the bytes).
 *   - Receive frames from either; a frame with flag ACK comes from a rendezvous (capacity 0):
 *     the sender waits until a receiver claims it. Map the header read-write and call
 *     ipcj_msg_claim(); deliver the frame only if it returns 1, else discard it.
 *   - Never create, remove or resize a mailbox's objects: use the Java API (or `ipcj rm`).
 *
 * Errors are -errno: -EBADMSG for bytes that are not an ipcj frame or header (Java's
 * CorruptedException), -EPROTO for another version, -EMSGSIZE for a payload that does not fit.
 */
#ifndef IPCJ_MSG_H
#define IPCJ_MSG_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* effective when this header comes first; else see the check below */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/futex.h>

#if !defined(O_CLOEXEC) || !defined(O_NOFOLLOW)
#error "ipcj_msg.h needs POSIX.1-2008 declarations: include it before any other header, or define _GNU_SOURCE (or _DEFAULT_SOURCE) before the first one, e.g. with -D_GNU_SOURCE"
#endif
#if !defined(__cplusplus) && !defined(__USE_MISC)
long syscall(long number, ...); /* declared by <unistd.h> only with _DEFAULT_SOURCE */
#endif

#define IPCJ_MSG_MAGIC 0x47534D49u
#define IPCJ_MSG_VERSION 1
#define IPCJ_MSG_HEADER_WORDS 5
#define IPCJ_MSG_ENVELOPE_SIZE 40
#define IPCJ_MSG_FLAG_ACK 1
#define IPCJ_MSG_FLAG_REQUEST 2
#define IPCJ_MSG_FLAG_REPLY 4
#define IPCJ_MSG_KNOWN_FLAGS 7

#define IPCJ_MSG_OFF_MAGIC 0
#define IPCJ_MSG_OFF_VERSION 4
#define IPCJ_MSG_OFF_WORDS 5
#define IPCJ_MSG_OFF_FLAGS 6
#define IPCJ_MSG_OFF_LENGTH 8
#define IPCJ_MSG_OFF_SENDER 12
#define IPCJ_MSG_OFF_SEQUENCE 16
#define IPCJ_MSG_OFF_REPLY_TO 24
#define IPCJ_MSG_OFF_TOKEN 28
#define IPCJ_MSG_OFF_CORRELATION 32

#define IPCJ_MBX_MAGIC 0x58424D49u
#define IPCJ_MBX_VERSION 2
#define IPCJ_MBX_FILE_SIZE 4096
#define IPCJ_MBX_IMMUTABLE 128
#define IPCJ_MBX_POSIX_MQ 1
#define IPCJ_MBX_SYSTEM_V 2
#define IPCJ_MBX_RING 3
#define IPCJ_MBX_SHM_LOG 4
/* Reserved for Java's Transport.AERON (udp:// mailboxes across machines), which has no header:
   a header carrying it is refused, here by the range check below. */
#define IPCJ_MBX_AERON 5
#define IPCJ_MBX_CREATING 1
#define IPCJ_MBX_READY 2

#define IPCJ_MBX_OFF_TRANSPORT 6
#define IPCJ_MBX_OFF_CAPACITY 8
#define IPCJ_MBX_OFF_MAX 12
#define IPCJ_MBX_OFF_OWNER 16
#define IPCJ_MBX_OFF_CREATOR 24
#define IPCJ_MBX_OFF_INSTANCE 32
#define IPCJ_MBX_OFF_STATE 40
#define IPCJ_MBX_OFF_ENVELOPE 44
#define IPCJ_MBX_OFF_ID1 48
#define IPCJ_MBX_OFF_ID2 56
#define IPCJ_MBX_OFF_ID3 64
#define IPCJ_MBX_OFF_NAME_HASH 72
#define IPCJ_MBX_OFF_CHECKSUM 124
#define IPCJ_MBX_OFF_RENDEZVOUS 128
#define IPCJ_MBX_OFF_TURN 192
#define IPCJ_MBX_OFF_GATE 256
#define IPCJ_MBX_OFF_SPACE 320

#define IPCJ_MBX_RV_OFFERED 1
#define IPCJ_MBX_RV_TAKEN 2
#define IPCJ_MBX_RV_CANCELLED 3
#define IPCJ_MBX_RV_TOKEN_MASK ((1u << 30) - 1)

/* The envelope of one frame, unpacked. */
struct ipcj_msg_envelope {
    uint16_t flags;
    uint32_t length;      /* payload bytes */
    int32_t sender;       /* pid */
    int64_t sequence;
    int32_t reply_to;     /* REQUEST: the pid whose inbox gets the reply; else 0 */
    uint32_t token;       /* ACK frames: the rendezvous token */
    int64_t correlation;  /* REQUEST: the requester's id; REPLY: that id; else 0 */
};

/* What a C program needs of a mailbox header. */
struct ipcj_msg_header {
    int transport;         /* IPCJ_MBX_POSIX_MQ ... */
    int32_t capacity;      /* -1, 0, n */
    int32_t max_message_size;
    uint64_t owner;        /* identity of an Inbox's owner, 0 for a named mailbox */
    uint64_t creator;
    uint64_t instance;
    int32_t state;
    int64_t id1, id2, id3; /* see the layout above; id1 is the System V msqid */
    uint64_t name_hash;
};

/* FNV-1a, 64 bits, of the name's bytes ("/orders"): what the header's name hash holds. */
static inline uint64_t ipcj_msg_name_hash(const char *name) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return h;
}

static inline uint16_t ipcj_msg_get16(const unsigned char *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline uint32_t ipcj_msg_get32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t ipcj_msg_get64(const unsigned char *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline void ipcj_msg_put16(unsigned char *p, uint16_t v) { memcpy(p, &v, 2); }
static inline void ipcj_msg_put32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void ipcj_msg_put64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); }

/*
 * Builds a frame in `frame` (room for `cap` bytes): the envelope of `e` (its length field is
 * set to `len`) and `len` payload bytes. The frame's size, or -EMSGSIZE when it does not fit.
 */
static inline long long ipcj_msg_frame_build(void *frame, size_t cap, const struct ipcj_msg_envelope *e,
                                             const void *payload, size_t len) {
    unsigned char *f = (unsigned char *)frame;
    if (len > 0x7fffffffu || cap < IPCJ_MSG_ENVELOPE_SIZE || len > cap - IPCJ_MSG_ENVELOPE_SIZE) return -EMSGSIZE;
    ipcj_msg_put32(f + IPCJ_MSG_OFF_MAGIC, IPCJ_MSG_MAGIC);
    f[IPCJ_MSG_OFF_VERSION] = IPCJ_MSG_VERSION;
    f[IPCJ_MSG_OFF_WORDS] = IPCJ_MSG_HEADER_WORDS;
    ipcj_msg_put16(f + IPCJ_MSG_OFF_FLAGS, e->flags);
    ipcj_msg_put32(f + IPCJ_MSG_OFF_LENGTH, (uint32_t)len);
    ipcj_msg_put32(f + IPCJ_MSG_OFF_SENDER, (uint32_t)e->sender);
    ipcj_msg_put64(f + IPCJ_MSG_OFF_SEQUENCE, (uint64_t)e->sequence);
    ipcj_msg_put32(f + IPCJ_MSG_OFF_REPLY_TO, (uint32_t)e->reply_to);
    ipcj_msg_put32(f + IPCJ_MSG_OFF_TOKEN, e->token);
    ipcj_msg_put64(f + IPCJ_MSG_OFF_CORRELATION, (uint64_t)e->correlation);
    if (len > 0) memcpy(f + IPCJ_MSG_ENVELOPE_SIZE, payload, len);
    return (long long)(IPCJ_MSG_ENVELOPE_SIZE + len);
}

/*
 * Parses the frame of `frame_len` bytes at `frame`: fills `e` and points `*payload` at the
 * payload. With `exact` (POSIX and System V queues) the payload must fill the frame. 0, or
 * -EBADMSG (not an ipcj frame: no magic, a length that disagrees, unknown flags), -EPROTO
 * (another version).
 */
static inline int ipcj_msg_frame_parse(const void *frame, size_t frame_len, int exact,
                                       struct ipcj_msg_envelope *e, const void **payload) {
    const unsigned char *f = (const unsigned char *)frame;
    if (frame_len < IPCJ_MSG_ENVELOPE_SIZE) return -EBADMSG;
    if (ipcj_msg_get32(f + IPCJ_MSG_OFF_MAGIC) != IPCJ_MSG_MAGIC) return -EBADMSG;
    if (f[IPCJ_MSG_OFF_VERSION] != IPCJ_MSG_VERSION || f[IPCJ_MSG_OFF_WORDS] != IPCJ_MSG_HEADER_WORDS) return -EPROTO;
    e->flags = ipcj_msg_get16(f + IPCJ_MSG_OFF_FLAGS);
    e->length = ipcj_msg_get32(f + IPCJ_MSG_OFF_LENGTH);
    size_t room = frame_len - IPCJ_MSG_ENVELOPE_SIZE;
    if ((e->flags & ~IPCJ_MSG_KNOWN_FLAGS) != 0 || e->length > 0x7fffffffu
        || (exact ? e->length != room : e->length > room)) return -EBADMSG;
    e->sender = (int32_t)ipcj_msg_get32(f + IPCJ_MSG_OFF_SENDER);
    e->sequence = (int64_t)ipcj_msg_get64(f + IPCJ_MSG_OFF_SEQUENCE);
    e->reply_to = (int32_t)ipcj_msg_get32(f + IPCJ_MSG_OFF_REPLY_TO);
    e->token = ipcj_msg_get32(f + IPCJ_MSG_OFF_TOKEN);
    e->correlation = (int64_t)ipcj_msg_get64(f + IPCJ_MSG_OFF_CORRELATION);
    if (payload) *payload = f + IPCJ_MSG_ENVELOPE_SIZE;
    return 0;
}

/* CRC-32C (Castagnoli, reflected 0x82F63B78), as java.util.zip.CRC32C computes it. */
static inline uint32_t ipcj_msg_crc32c(const unsigned char *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
}

/* Checks and unpacks the first 128 bytes of a mailbox header. 0, -EBADMSG or -EPROTO. */
static inline int ipcj_msg_header_parse(const unsigned char *b, struct ipcj_msg_header *h) {
    if (ipcj_msg_get32(b) != IPCJ_MBX_MAGIC) return -EBADMSG;
    if (ipcj_msg_get16(b + 4) != IPCJ_MBX_VERSION) return -EPROTO;
    if (ipcj_msg_get32(b + IPCJ_MBX_OFF_CHECKSUM) != ipcj_msg_crc32c(b, IPCJ_MBX_OFF_CHECKSUM)) return -EBADMSG;
    h->transport = ipcj_msg_get16(b + IPCJ_MBX_OFF_TRANSPORT);
    h->capacity = (int32_t)ipcj_msg_get32(b + IPCJ_MBX_OFF_CAPACITY);
    h->max_message_size = (int32_t)ipcj_msg_get32(b + IPCJ_MBX_OFF_MAX);
    h->owner = ipcj_msg_get64(b + IPCJ_MBX_OFF_OWNER);
    h->creator = ipcj_msg_get64(b + IPCJ_MBX_OFF_CREATOR);
    h->instance = ipcj_msg_get64(b + IPCJ_MBX_OFF_INSTANCE);
    h->state = (int32_t)ipcj_msg_get32(b + IPCJ_MBX_OFF_STATE);
    h->id1 = (int64_t)ipcj_msg_get64(b + IPCJ_MBX_OFF_ID1);
    h->id2 = (int64_t)ipcj_msg_get64(b + IPCJ_MBX_OFF_ID2);
    h->id3 = (int64_t)ipcj_msg_get64(b + IPCJ_MBX_OFF_ID3);
    h->name_hash = ipcj_msg_get64(b + IPCJ_MBX_OFF_NAME_HASH);
    if (h->transport < IPCJ_MBX_POSIX_MQ || h->transport > IPCJ_MBX_SHM_LOG || h->capacity < -1
        || h->max_message_size < 0 || (h->state != IPCJ_MBX_CREATING && h->state != IPCJ_MBX_READY)
        || ipcj_msg_get32(b + IPCJ_MBX_OFF_ENVELOPE) != IPCJ_MSG_ENVELOPE_SIZE) return -EBADMSG;
    return 0;
}

/*
 * Reads the header of the mailbox `name` ("/orders"): only its first 128 bytes, after checking
 * that /dev/shm/NAME is a regular file of exactly 4096 bytes (not followed if a link). 0;
 * -ENOENT; -EACCES (another user's); -EBADMSG / -EPROTO (not a usable header, or one made for
 * another name); -EAGAIN (its
 * creator has not finished: try again shortly).
 */
static inline int ipcj_msg_header_read(const char *name, struct ipcj_msg_header *h) {
    char path[300];
    if (name == NULL || name[0] != '/' || strlen(name) > 255 || strchr(name + 1, '/') != NULL) return -EINVAL;
    memcpy(path, "/dev/shm", 8);
    memcpy(path + 8, name, strlen(name) + 1);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return errno == ELOOP ? -EBADMSG : -errno;
    struct stat st;
    unsigned char b[IPCJ_MBX_IMMUTABLE];
    int r = 0;
    if (fstat(fd, &st) != 0) {
        r = -errno;
    } else if (!S_ISREG(st.st_mode) || st.st_size != IPCJ_MBX_FILE_SIZE) {
        r = -EBADMSG;
    } else if (pread(fd, b, sizeof b, 0) != (ssize_t)sizeof b) {
        r = -EBADMSG;
    } else {
        r = ipcj_msg_header_parse(b, h);
        if (r == 0 && h->name_hash != ipcj_msg_name_hash(name)) r = -EBADMSG; /* copied from another name */
        if (r == 0 && h->state != IPCJ_MBX_READY) r = -EAGAIN;
    }
    close(fd);
    return r;
}

/*
 * Claims the rendezvous frame `e` (flag ACK) in the mailbox header mapped read-write at `page`
 * (mmap of /dev/shm/NAME, 4096 bytes): 1 when this receiver now holds the message (its sender's
 * send succeeds), 0 when it is no longer offered (discard the frame).
 */
static inline int ipcj_msg_claim(void *page, const struct ipcj_msg_envelope *e) {
    if (e->token == 0 || (e->token & ~IPCJ_MBX_RV_TOKEN_MASK) != 0) return 0;
    uint64_t offered = ((uint64_t)(uint32_t)e->sender << 32) | ((uint64_t)e->token << 2) | IPCJ_MBX_RV_OFFERED;
    uint64_t taken = (offered & ~3ULL) | IPCJ_MBX_RV_TAKEN;
    uint64_t *word = (uint64_t *)((unsigned char *)page + IPCJ_MBX_OFF_RENDEZVOUS);
    if (!__atomic_compare_exchange_n(word, &offered, taken, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) return 0;
    /* The sender sleeps on the word's low half (little-endian: the first 4 bytes). */
    syscall(SYS_futex, (int *)(void *)word, FUTEX_WAKE, 0x7fffffff, NULL, NULL, 0);
    return 1;
}

#endif
