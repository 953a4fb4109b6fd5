/* ipcj_futex.h — placeholder until its issue lands. */
#ifndef IPCJ_FUTEX_H
#define IPCJ_FUTEX_H
#include "ipcj_common.h"
#endif
