/* ipcj_epoll.h — placeholder until its issue lands. */
#ifndef IPCJ_EPOLL_H
#define IPCJ_EPOLL_H
#include "ipcj_common.h"
#endif
