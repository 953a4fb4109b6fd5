/*
 * ipcj_shm.h — POSIX shared memory and mappings.
 *
 * shm_open / ftruncate / fstat / mmap / munmap / shm_unlink, one shim each, plus
 * ipcj_unmap_to_placeholder(): the way ipcj releases a mapping while Java code might
 * still touch it (see dev.ipcj.MappedRegion).
 */
#ifndef IPCJ_SHM_H
#define IPCJ_SHM_H

#include "ipcj_common.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* shm_open(name, oflag, mode): a descriptor, or -errno. oflag uses O_* from <fcntl.h>. */
static inline int ipcj_shm_open(const char *name, int oflag, int mode) {
    int fd;
    if (name == NULL) return -EFAULT; /* see IPCJ_NULL_NAME in ipcj_common.h */
    fd = shm_open(name, oflag | O_CLOEXEC, (mode_t)mode);
    return ipcj_value(fd);
}

static inline int ipcj_shm_unlink(const char *name) {
    if (name == NULL) return -EFAULT;
    return ipcj_status(shm_unlink(name));
}

static inline int ipcj_ftruncate(int fd, long long size) {
    return ipcj_status(ftruncate(fd, (off_t)size));
}

/* fstat(fd): fills out[0]=size, out[1]=mode, out[2]=uid, out[3]=gid. */
static inline int ipcj_fstat(int fd, long long *out) {
    struct stat st;
    if (fstat(fd, &st) != 0) return -errno;
    out[0] = (long long)st.st_size;
    out[1] = (long long)st.st_mode;
    out[2] = (long long)st.st_uid;
    out[3] = (long long)st.st_gid;
    return 0;
}

static inline int ipcj_close(int fd) {
    return ipcj_status(close(fd));
}

/* mmap(NULL, length, prot, MAP_SHARED, fd, offset): the address, or -errno. */
static inline long long ipcj_mmap_shared(int fd, long long length, int prot, long long offset) {
    void *p = mmap(NULL, (size_t)length, prot, MAP_SHARED, fd, (off_t)offset);
    return p == MAP_FAILED ? -errno : (long long)(intptr_t)p;
}

/*
 * Opens the existing object `name` read-write and maps all of it shared, for a structure whose
 * objects are min_size..max_size bytes (the ring, the broadcast ring): the one place their C
 * twins open an object. 0 with *base and *size set; -errno from shm_open, fstat or mmap; -EBADMSG
 * when it is not a regular file or its size is out of range (nothing stays mapped or open).
 */
static inline int ipcj_shm_map_existing(const char *name, long long min_size, long long max_size,
                                        void **base, long long *size) {
    int fd = ipcj_shm_open(name, O_RDWR, 0);
    if (fd < 0) return fd;
    long long st[4] = {0, 0, 0, 0};
    int rc = ipcj_fstat(fd, st);
    if (rc < 0) { close(fd); return rc; }
    if (!S_ISREG((mode_t)st[1]) || st[0] < min_size || st[0] > max_size) {
        close(fd);
        return -EBADMSG;
    }
    long long a = ipcj_mmap_shared(fd, st[0], PROT_READ | PROT_WRITE, 0);
    close(fd);
    if (a < 0 && a > -4096) return (int)a;
    *base = (void *)(intptr_t)a;
    *size = st[0];
    return 0;
}

static inline int ipcj_munmap(long long address, long long length) {
    return ipcj_status(munmap((void *)(intptr_t)address, (size_t)length));
}

/*
 * Replace [address, address+length) by private zero pages, in one step. The shared pages
 * (POSIX or System V) are released at once, while a Java thread that races with close()
 * reads zeros instead of faulting. The placeholder is munmap()ed later, when no Java
 * object can reach the range any more.
 */
static inline int ipcj_unmap_to_placeholder(long long address, long long length) {
    void *p = mmap((void *)(intptr_t)address, (size_t)length, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? -errno : 0;
}

static inline long long ipcj_page_size(void) { return (long long)sysconf(_SC_PAGESIZE); }

#endif /* IPCJ_SHM_H */
