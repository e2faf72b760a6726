#ifndef XS_PQ_H
#define XS_PQ_H

#include <stddef.h>

/* PostgreSQL's client library (libpq.so.5, Debian's libpq5), loaded with dlopen the first
 * time a service opens a postgres:// database: a service on SQLite never maps it (nor the
 * TLS, Kerberos and LDAP libraries it brings). Only libpq's stable C ABI is used, so no
 * header from libpq-dev is needed to build. Connections are opaque pointers; one
 * connection is used by one thread at a time. */

/* Loads libpq. Returns 1, or 0 with the reason in error. */
int xs_pq_load(char *error, size_t error_size);

/* PQconnectdb with a URL or key=value string. NULL with the reason in error. */
void *xs_pq_connect(const char *conninfo, char *error, size_t error_size);
/* 1 while the connection is good. */
int xs_pq_connection_ok(void *conn);
void xs_pq_finish(void *conn);
const char *xs_pq_connection_error(void *conn);
/* What the connection is to, for logs and health: "db on host:port" (no password). */
void xs_pq_describe(void *conn, char *out, size_t out_size);

/* PQexecParams with results in binary format. Every parameter is text except those whose
 * format is 1 (binary, with its length). A NULL value is SQL NULL. Returns a result the
 * caller clears, or NULL when the connection failed outright. */
void *xs_pq_exec(void *conn, const char *sql, int count, const char *const *values,
                 const int *lengths, const int *formats);
/* PQprepare: parses and plans `sql` once under `name` on this connection; a result the
 * caller clears (an error result when the statement is wrong), NULL when the connection
 * failed. */
void *xs_pq_prepare(void *conn, const char *name, const char *sql, int count);
/* PQexecPrepared with results in binary format, parameters as for xs_pq_exec. */
void *xs_pq_exec_prepared(void *conn, const char *name, int count, const char *const *values,
                          const int *lengths, const int *formats);
/* PQexec: several statements at once, no parameters (migrations). */
void *xs_pq_exec_script(void *conn, const char *sql);
/* 1: a command, 2: rows, 0: an error (see the fields). */
int xs_pq_result_kind(void *result);
/* A diagnostic field of an error result (PG_DIAG_*: 'C' SQLSTATE, 'M' message, 'D'
 * detail, 'n' constraint name), or NULL. */
const char *xs_pq_result_field(void *result, int code);
const char *xs_pq_result_message(void *result);
int xs_pq_rows(void *result);
int xs_pq_columns(void *result);
const char *xs_pq_column_name(void *result, int column);
unsigned int xs_pq_column_type(void *result, int column);
int xs_pq_is_null(void *result, int row, int column);
const char *xs_pq_value(void *result, int row, int column);
int xs_pq_length(void *result, int row, int column);
/* How many rows an INSERT, UPDATE or DELETE touched. */
long xs_pq_affected(void *result);
void xs_pq_clear(void *result);

#endif
