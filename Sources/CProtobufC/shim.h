#ifndef XIESHANG_CPROTOBUFC_SHIM_H
#define XIESHANG_CPROTOBUFC_SHIM_H

#include <protobuf-c/protobuf-c.h>

#endif
