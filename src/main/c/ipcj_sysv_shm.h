/* ipcj_sysv_shm.h — placeholder until its issue lands. */
#ifndef IPCJ_SYSV_SHM_H
#define IPCJ_SYSV_SHM_H
#include "ipcj_common.h"
#endif
