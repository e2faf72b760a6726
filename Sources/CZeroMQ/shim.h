#ifndef XIESHANG_CZEROMQ_SHIM_H
#define XIESHANG_CZEROMQ_SHIM_H

#include <zmq.h>
#include <errno.h>
#include <string.h>

/* zmq_msg_t and ZMQ's option constants come through as-is; nothing else is needed. */

#endif
