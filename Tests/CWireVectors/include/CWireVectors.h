#ifndef XS_CWIREVECTORS_H
#define XS_CWIREVECTORS_H
#include <stddef.h>
#include <stdint.h>

/* Test vectors built with protobuf-c's own generated C API (xxx__init + xxx__pack).
 * Each writes at most `capacity` bytes into `out` and returns the packed size
 * (or 0 when `capacity` is too small). The Swift tests build the same messages with the
 * generated Swift layer and compare bytes. */
size_t xs_vector_kinds_full(uint8_t *out, size_t capacity);
size_t xs_vector_kinds_oneof_number(uint8_t *out, size_t capacity);
size_t xs_vector_kinds_zero_optionals(uint8_t *out, size_t capacity);
size_t xs_vector_request(uint8_t *out, size_t capacity);
size_t xs_vector_response(uint8_t *out, size_t capacity);

/* Unpacks `data` with protobuf-c as a Kinds message and returns 1 when it equals what
 * xs_vector_kinds_full packs, 0 otherwise (the Swift-encode, C-decode direction). */
int xs_vector_kinds_full_matches(const uint8_t *data, size_t length);

#endif
