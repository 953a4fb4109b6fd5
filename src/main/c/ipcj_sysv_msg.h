/* ipcj_sysv_msg.h — placeholder until its issue lands. */
#ifndef IPCJ_SYSV_MSG_H
#define IPCJ_SYSV_MSG_H
#include "ipcj_common.h"
#endif
