/*
 * ipcj.h — everything ipcj offers C programs, one header per primitive. Header-only: the
 * shims are static inline (see ipcj_common.h); link with -lrt -lpthread.
 */
#ifndef IPCJ_H
#define IPCJ_H
#include "ipcj_common.h"
#include "ipcj_sys.h"
#include "ipcj_shm.h"
#include "ipcj_sem.h"
#include "ipcj_mq.h"
#include "ipcj_epoll.h"
#include "ipcj_futex.h"
#include "ipcj_bell.h"
#include "ipcj_ring.h"
#include "ipcj_sysv_shm.h"
#include "ipcj_sysv_msg.h"
#include "ipcj_sysv_sem.h"
#include "ipcj_fault.h"
#include "ipcj_msg.h"
#include "ipcj_log.h"
#include "ipcj_broadcast.h"
#endif
