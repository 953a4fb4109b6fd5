/*
 * ipcj_common.h — what every ipcj shim shares.
 *
 * A shim is a thin, policy-free wrapper around one Linux IPC call. It returns the call's
 * result, or -errno when the call failed; it never prints, retries, allocates or decides.
 * Retrying on EINTR, timeouts, validation and error messages live in Java (and in the C
 * programs that use these headers directly).
 *
 * The shims are `static inline` so one header is both the JNI library's source (JavaCPP
 * includes the headers into the code it generates, compiled as C++) and a header-only
 * library for C users (cmake/ exports it as the target ipcj::ipcj). They must therefore
 * compile as C11 and as C++11: no designated initialisers, explicit casts from void *.
 *
 * C-to-Java type mapping, used by every binding class in dev.ipcj.jni:
 *
 *   C type                         Java type   why
 *   -----------------------------  ----------  -------------------------------------------
 *   int (result or -errno)         int         descriptors, ids, 0/-errno status
 *   long long (result or -errno)   long        sizes, byte counts; -4095..-1 means -errno
 *   void * (an address)            long        raw address: passing a Pointer object costs
 *                                              field reads through JNI on every call
 *   const char * (a name)          String      JavaCPP converts (UTF-8), only on open calls
 *   size_t, ssize_t, off_t         long        all 64-bit on linux-x86_64
 *   mode_t, key_t, pid_t           int         32-bit on Linux
 *   unsigned int (priority, value) int         the Java side keeps values in 0..INT_MAX
 *   struct timespec                long        a relative timeout in nanoseconds; the shim
 *                                              builds the absolute deadline itself
 *   struct out-parameters          long[]      the shim fills an array of fields whose order
 *                                              is documented next to the shim
 *
 * Addresses handed to a shim were produced by a shim (mmap, shmat) or by Java's direct
 * buffers; the Java side checks bounds before it passes them.
 *
 * IPCJ_NULL_NAME: every shim that takes a string (a name, a path) returns -EFAULT for NULL
 * instead of passing it to libc, which would dereference it. Java checks its names, but JavaCPP
 * converts a String by calling back into Java (String.getBytes); when that call fails (the JVM
 * delivers a pending asynchronous exception there, e.g. its report of a truncated mapping, see
 * dev.ipcj.internal.Faults) JavaCPP passes NULL on.
 *
 * Caller memory: apart from the buffers Java owns (out-arrays, its own direct buffers), a shim
 * touches memory the caller passes only through a system call (the kernel then fails with
 * EFAULT where a page is gone), never with a plain load, store or memcpy: such memory may be a
 * mapping another process can truncate, and SIGBUS in native code kills the JVM.
 */
#ifndef IPCJ_COMMON_H
#define IPCJ_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

/*
 * Results of calls that return -1 and set errno. Functions, not macros, so that the call
 * passed in is made exactly once.
 *   ipcj_status(r): 0, or -errno when r is -1    (for calls that return 0 or -1)
 *   ipcj_value(r):  r, or -errno when r is -1    (for calls that return a descriptor or id)
 */
static inline int ipcj_status(int r) { return r == -1 ? -errno : 0; }
static inline int ipcj_value(int r) { return r == -1 ? -errno : r; }

/* Build an absolute deadline on clock `clock` that lies `nanos` from now. */
static inline void ipcj_deadline(clockid_t clock, long long nanos, struct timespec *ts) {
    clock_gettime(clock, ts);
    if (nanos < 0) nanos = 0;
    ts->tv_sec += (time_t)(nanos / 1000000000LL);
    ts->tv_nsec += (long)(nanos % 1000000000LL);
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec += 1;
        ts->tv_nsec -= 1000000000L;
    }
}

/* A relative timeout as a timespec (for calls that take one). */
static inline void ipcj_relative(long long nanos, struct timespec *ts) {
    if (nanos < 0) nanos = 0;
    ts->tv_sec = (time_t)(nanos / 1000000000LL);
    ts->tv_nsec = (long)(nanos % 1000000000LL);
}

#endif /* IPCJ_COMMON_H */
