#include "xs_pq.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The few values of libpq-fe.h's enums used here (stable since PostgreSQL 7). */
enum { CONNECTION_OK = 0 };
enum { PGRES_EMPTY_QUERY = 0, PGRES_COMMAND_OK = 1, PGRES_TUPLES_OK = 2 };

typedef void (*notice_processor)(void *, const char *);

static struct {
    void *(*connectdb)(const char *);
    int (*status)(const void *);
    char *(*error_message)(const void *);
    void (*finish)(void *);
    char *(*db)(const void *);
    char *(*host)(const void *);
    char *(*port)(const void *);
    notice_processor (*set_notice_processor)(void *, notice_processor, void *);
    void *(*exec)(void *, const char *);
    void *(*prepare)(void *, const char *, const char *, int, const unsigned int *);
    void *(*exec_prepared)(void *, const char *, int, const char *const *, const int *, const int *, int);
    void *(*exec_params)(void *, const char *, int, const unsigned int *, const char *const *,
                         const int *, const int *, int);
    int (*result_status)(const void *);
    char *(*result_error_field)(const void *, int);
    char *(*result_error_message)(const void *);
    int (*ntuples)(const void *);
    int (*nfields)(const void *);
    char *(*fname)(const void *, int);
    unsigned int (*ftype)(const void *, int);
    int (*getisnull)(const void *, int, int);
    char *(*getvalue)(const void *, int, int);
    int (*getlength)(const void *, int, int);
    char *(*cmd_tuples)(void *);
    void (*clear)(void *);
    char problem[256];
    int ready;
} pq;

static pthread_once_t pq_once = PTHREAD_ONCE_INIT;

static void load_pq(void) {
    void *library = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(pq.problem, sizeof pq.problem, "cannot load libpq.so.5 (install libpq5): %s", dlerror());
        return;
    }
#define FIND(field, name)                                                                \
    do {                                                                                 \
        *(void **)&pq.field = dlsym(library, name);                                      \
        if (!pq.field) {                                                                 \
            snprintf(pq.problem, sizeof pq.problem, "libpq.so.5 has no %s", name);       \
            return;                                                                      \
        }                                                                                \
    } while (0)
    FIND(connectdb, "PQconnectdb");
    FIND(status, "PQstatus");
    FIND(error_message, "PQerrorMessage");
    FIND(finish, "PQfinish");
    FIND(db, "PQdb");
    FIND(host, "PQhost");
    FIND(port, "PQport");
    FIND(set_notice_processor, "PQsetNoticeProcessor");
    FIND(exec, "PQexec");
    FIND(prepare, "PQprepare");
    FIND(exec_prepared, "PQexecPrepared");
    FIND(exec_params, "PQexecParams");
    FIND(result_status, "PQresultStatus");
    FIND(result_error_field, "PQresultErrorField");
    FIND(result_error_message, "PQresultErrorMessage");
    FIND(ntuples, "PQntuples");
    FIND(nfields, "PQnfields");
    FIND(fname, "PQfname");
    FIND(ftype, "PQftype");
    FIND(getisnull, "PQgetisnull");
    FIND(getvalue, "PQgetvalue");
    FIND(getlength, "PQgetlength");
    FIND(cmd_tuples, "PQcmdTuples");
    FIND(clear, "PQclear");
#undef FIND
    pq.ready = 1;
}

int xs_pq_load(char *error, size_t error_size) {
    pthread_once(&pq_once, load_pq);
    if (!pq.ready && error_size > 0) snprintf(error, error_size, "%s", pq.problem);
    return pq.ready;
}

/* Notices (e.g. "relation already exists, skipping") are not errors: not printed. */
static void ignore_notice(void *context, const char *message) {
    (void)context;
    (void)message;
}

static void trim(char *text) {
    size_t length = strlen(text);
    while (length > 0 && (text[length - 1] == '\n' || text[length - 1] == ' ')) text[--length] = '\0';
}

void *xs_pq_connect(const char *conninfo, char *error, size_t error_size) {
    if (!xs_pq_load(error, error_size)) return NULL;
    void *conn = pq.connectdb(conninfo);
    if (!conn) {
        snprintf(error, error_size, "out of memory connecting to PostgreSQL");
        return NULL;
    }
    if (pq.status(conn) != CONNECTION_OK) {
        snprintf(error, error_size, "%s", pq.error_message(conn));
        trim(error);
        pq.finish(conn);
        return NULL;
    }
    pq.set_notice_processor(conn, ignore_notice, NULL);
    return conn;
}

int xs_pq_connection_ok(void *conn) { return pq.status(conn) == CONNECTION_OK; }
void xs_pq_finish(void *conn) { pq.finish(conn); }
const char *xs_pq_connection_error(void *conn) { return pq.error_message(conn); }

void xs_pq_describe(void *conn, char *out, size_t out_size) {
    const char *host = pq.host(conn);
    const char *port = pq.port(conn);
    const char *db = pq.db(conn);
    snprintf(out, out_size, "%s on %s%s%s", db ? db : "?", host && host[0] == '/' ? "socket " : "",
             host ? host : "?", "");
    if (port && port[0]) {
        size_t used = strlen(out);
        snprintf(out + used, out_size - used, "%s%s", host && host[0] == '/' ? " port " : ":", port);
    }
}

void *xs_pq_exec(void *conn, const char *sql, int count, const char *const *values,
                 const int *lengths, const int *formats) {
    return pq.exec_params(conn, sql, count, NULL, values, lengths, formats, 1);
}

void *xs_pq_exec_script(void *conn, const char *sql) { return pq.exec(conn, sql); }

void *xs_pq_prepare(void *conn, const char *name, const char *sql, int count) {
    return pq.prepare(conn, name, sql, count, NULL);
}

void *xs_pq_exec_prepared(void *conn, const char *name, int count, const char *const *values,
                          const int *lengths, const int *formats) {
    return pq.exec_prepared(conn, name, count, values, lengths, formats, 1);
}

int xs_pq_result_kind(void *result) {
    switch (pq.result_status(result)) {
    case PGRES_COMMAND_OK:
    case PGRES_EMPTY_QUERY:
        return 1;
    case PGRES_TUPLES_OK:
        return 2;
    default:
        return 0;
    }
}

const char *xs_pq_result_field(void *result, int code) { return pq.result_error_field(result, code); }
const char *xs_pq_result_message(void *result) { return pq.result_error_message(result); }
int xs_pq_rows(void *result) { return pq.ntuples(result); }
int xs_pq_columns(void *result) { return pq.nfields(result); }
const char *xs_pq_column_name(void *result, int column) { return pq.fname(result, column); }
unsigned int xs_pq_column_type(void *result, int column) { return pq.ftype(result, column); }
int xs_pq_is_null(void *result, int row, int column) { return pq.getisnull(result, row, column); }
const char *xs_pq_value(void *result, int row, int column) { return pq.getvalue(result, row, column); }
int xs_pq_length(void *result, int row, int column) { return pq.getlength(result, row, column); }
long xs_pq_affected(void *result) {
    const char *text = pq.cmd_tuples(result);
    return text && text[0] ? strtol(text, NULL, 10) : 0;
}
void xs_pq_clear(void *result) { pq.clear(result); }
