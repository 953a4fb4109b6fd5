/*
 * ipcj_fault.h — the fault guard: what happens when another process truncates a shared memory
 * object (ftruncate) while this process has it mapped.
 *
 * Touching a page of a MAP_SHARED mapping that lies past the object's new end raises SIGBUS.
 * The JVM turns that into an asynchronous InternalError for some of its memory accesses and
 * dies of it for the others (a compare-and-set in interpreted code, any native code): see
 * dev.ipcj.internal.Faults. The guard closes that gap for the mappings ipcj registers:
 *
 *   - ipcj_fault_install() installs a SIGBUS handler once, keeping the handler that was there
 *     (the JVM's) to pass every other SIGBUS on to, unchanged;
 *   - ipcj_fault_register(start, length, writable) records a mapping in a fixed table and
 *     returns the address of its `faulted` word (0 while nothing happened);
 *   - on SIGBUS with si_addr inside a registered mapping, the handler maps one private zero
 *     page over the faulting page (mmap MAP_FIXED, async-signal-safe), with the mapping's
 *     protection, sets `faulted`, and returns: the instruction runs again and completes on
 *     memory that is now this process's alone. Other processes are not affected; this process
 *     no longer shares that page, so ipcj reports the object as truncated (CorruptedException)
 *     wherever it checks `faulted`, and a handle never uses it again.
 *
 * This is the one piece of src/main/c that is not a thin shim: a signal handler cannot be
 * written in Java. It decides nothing but "this fault is on memory ipcj mapped"; the rest is in
 * Java. Unregister a mapping before unmapping it, so that a later, unrelated mapping at the same
 * address is not mistaken for it. With libjsig preloaded the JVM's handler runs first and passes
 * us only what it does not handle itself; without it, ours runs first and passes on the rest.
 *
 * The table is a static array: in the JNI library (one translation unit) it is process-wide. A C
 * program that includes this header in several translation units must call these functions from
 * one of them only.
 */
#ifndef IPCJ_FAULT_H
#define IPCJ_FAULT_H

#include "ipcj_common.h"
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#define IPCJ_FAULT_SLOTS 65536

typedef struct {
    uintptr_t start;   /* 0: the slot is free; UINTPTR_MAX: being written or cleared */
    uintptr_t end;
    int writable;
    int faulted;       /* set to 1 by the handler; read by Java through its address */
} ipcj_fault_slot;

static ipcj_fault_slot ipcj_fault_table[IPCJ_FAULT_SLOTS];
static struct sigaction ipcj_fault_previous;
static int ipcj_fault_state; /* 0 not installed, 1 installing, 2 installed, -errno failed */
static uintptr_t ipcj_fault_page;
static int ipcj_fault_used; /* slots [0, used) have ever been claimed: the handler scans no further */

static inline void ipcj_fault_pass_on(int sig, siginfo_t *info, void *context) {
    if (ipcj_fault_previous.sa_flags & SA_SIGINFO) {
        ipcj_fault_previous.sa_sigaction(sig, info, context);
    } else if (ipcj_fault_previous.sa_handler == SIG_DFL || ipcj_fault_previous.sa_handler == SIG_IGN) {
        /* No one else handles it: restore the default action; the instruction faults again. */
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        sigaction(SIGBUS, &dfl, NULL);
    } else {
        ipcj_fault_previous.sa_handler(sig);
    }
}

static inline void ipcj_fault_handler(int sig, siginfo_t *info, void *context) {
    uintptr_t a = (uintptr_t)info->si_addr;
    int i;
    if (info->si_code == BUS_ADRERR) {
        int used = __atomic_load_n(&ipcj_fault_used, __ATOMIC_ACQUIRE);
        for (i = 0; i < used; i++) {
            ipcj_fault_slot *s = &ipcj_fault_table[i];
            uintptr_t start = __atomic_load_n(&s->start, __ATOMIC_ACQUIRE);
            if (start != 0 && a >= start && a < __atomic_load_n(&s->end, __ATOMIC_ACQUIRE)) {
                void *page = (void *)(a & ~(ipcj_fault_page - 1));
                int prot = PROT_READ | (s->writable ? PROT_WRITE : 0);
                if (mmap(page, (size_t)ipcj_fault_page, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)
                        != MAP_FAILED) {
                    __atomic_store_n(&s->faulted, 1, __ATOMIC_RELEASE);
                    return;
                }
                break; /* could not map: let the JVM decide, as without the guard */
            }
        }
    }
    ipcj_fault_pass_on(sig, info, context);
}

/* Installs the handler (once; later calls return the first call's result): 0, or -errno. */
static inline int ipcj_fault_install(void) {
    int expected = 0;
    if (__atomic_compare_exchange_n(&ipcj_fault_state, &expected, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        struct sigaction sa;
        int r;
        ipcj_fault_page = (uintptr_t)sysconf(_SC_PAGESIZE);
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = ipcj_fault_handler;
        sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
        sigemptyset(&sa.sa_mask);
        r = sigaction(SIGBUS, &sa, &ipcj_fault_previous) == 0 ? 2 : -errno;
        __atomic_store_n(&ipcj_fault_state, r, __ATOMIC_RELEASE);
        return r == 2 ? 0 : r;
    }
    while ((expected = __atomic_load_n(&ipcj_fault_state, __ATOMIC_ACQUIRE)) == 1) {
    }
    return expected == 2 ? 0 : expected;
}

/* Registers [start, start + length): the address of its `faulted` word, or -errno (-ENOSPC: table full). */
static inline long long ipcj_fault_register(long long start, long long length, int writable) {
    int i;
    if (start == 0 || length <= 0) return -EINVAL;
    for (i = 0; i < IPCJ_FAULT_SLOTS; i++) {
        ipcj_fault_slot *s = &ipcj_fault_table[i];
        uintptr_t expected = 0;
        /* Claim with a start no fault address reaches (UINTPTR_MAX) while the fields are written. */
        if (__atomic_compare_exchange_n(&s->start, &expected, UINTPTR_MAX, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            int used = __atomic_load_n(&ipcj_fault_used, __ATOMIC_ACQUIRE);
            while (used < i + 1
                   && !__atomic_compare_exchange_n(&ipcj_fault_used, &used, i + 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            }
            s->writable = writable;
            __atomic_store_n(&s->faulted, 0, __ATOMIC_RELEASE);
            __atomic_store_n(&s->end, (uintptr_t)(start + length), __ATOMIC_RELEASE);
            __atomic_store_n(&s->start, (uintptr_t)start, __ATOMIC_RELEASE);
            return (long long)(intptr_t)&s->faulted;
        }
    }
    return -ENOSPC;
}

/* Unregisters the mapping whose `faulted` word is at `faulted` (from ipcj_fault_register). */
static inline int ipcj_fault_unregister(long long faulted) {
    int i;
    if (faulted < (long long)(intptr_t)&ipcj_fault_table[0].faulted
            || faulted > (long long)(intptr_t)&ipcj_fault_table[IPCJ_FAULT_SLOTS - 1].faulted) {
        return -EINVAL;
    }
    i = (int)((faulted - (long long)(intptr_t)&ipcj_fault_table[0].faulted) / (long long)sizeof(ipcj_fault_slot));
    {
        ipcj_fault_slot *s = &ipcj_fault_table[i];
        if ((long long)(intptr_t)&s->faulted == faulted) {
            __atomic_store_n(&s->start, UINTPTR_MAX, __ATOMIC_RELEASE); /* no longer matched */
            __atomic_store_n(&s->end, (uintptr_t)0, __ATOMIC_RELEASE);
            __atomic_store_n(&s->start, (uintptr_t)0, __ATOMIC_RELEASE); /* free */
            return 0;
        }
    }
    return -EINVAL;
}

#endif /* IPCJ_FAULT_H */
