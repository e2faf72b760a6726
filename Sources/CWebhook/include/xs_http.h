#ifndef XS_HTTP_H
#define XS_HTTP_H
#include <stddef.h>

/// POSTs `body` (`body_len` bytes) to `url` (http or https only, no redirects followed) with
/// `headers` ("Name: value" strings, `header_count` of them), waiting at most `timeout_ms`.
/// Returns the response's HTTP status (100 or more), or 0 with `error` (`error_size` bytes,
/// NUL-terminated) saying why: libcurl could not be loaded, the connection failed, the time
/// ran out. The response's body is read and dropped.
///
/// libcurl is loaded with dlopen the first time this is called, so a notifier that sends no
/// webhook never maps it (nor OpenSSL, Kerberos, LDAP and the rest it brings: about 5 MiB of
/// a process's resident memory). Safe from any thread; it blocks until the request is done.
long xs_http_post(const char *url, const char *const *headers, size_t header_count,
                  const void *body, size_t body_len, long timeout_ms, char *error, size_t error_size);

#endif
