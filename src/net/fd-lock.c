/*
 * fd-lock.c - the lock between the clients' socket() calls and the latency
 * server's trade of its spare descriptor (net-internal.h says why): its own
 * file, as both sides use it and neither owns it.
 */
#include <pthread.h>

#include "net/net-internal.h"

pthread_rwlock_t sl__net_fd_lock = PTHREAD_RWLOCK_INITIALIZER;
