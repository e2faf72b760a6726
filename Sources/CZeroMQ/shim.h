#ifndef XIESHANG_CZEROMQ_SHIM_H
#define XIESHANG_CZEROMQ_SHIM_H

#include <zmq.h>
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>

/* zmq_msg_t and ZMQ's option constants come through as-is; eventfd(2) wakes a socket thread
   blocked in zmq_poll (WakeSignal). */

#endif
