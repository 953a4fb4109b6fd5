/* ipcj_sysv_sem.h — placeholder until its issue lands. */
#ifndef IPCJ_SYSV_SEM_H
#define IPCJ_SYSV_SEM_H
#include "ipcj_common.h"
#endif
