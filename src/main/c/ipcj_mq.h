/* ipcj_mq.h — placeholder until its issue lands. */
#ifndef IPCJ_MQ_H
#define IPCJ_MQ_H
#include "ipcj_common.h"
#endif
