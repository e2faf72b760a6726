#include "xs_http.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* libcurl's entry points, found once with dlsym. */
static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_perform)(CURL *);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    char problem[256];
    int ready;
} curl;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void load_curl(void) {
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(curl.problem, sizeof curl.problem, "cannot load libcurl.so.4 (install libcurl4): %s", dlerror());
        return;
    }
#define FIND(field, name)                                                                  \
    do {                                                                                   \
        *(void **)&curl.field = dlsym(library, name);                                      \
        if (!curl.field) {                                                                 \
            snprintf(curl.problem, sizeof curl.problem, "libcurl.so.4 has no %s", name);   \
            return;                                                                        \
        }                                                                                  \
    } while (0)
    FIND(global_init, "curl_global_init");
    FIND(easy_init, "curl_easy_init");
    FIND(easy_setopt, "curl_easy_setopt");
    FIND(easy_perform, "curl_easy_perform");
    FIND(easy_getinfo, "curl_easy_getinfo");
    FIND(easy_cleanup, "curl_easy_cleanup");
    FIND(easy_strerror, "curl_easy_strerror");
    FIND(slist_append, "curl_slist_append");
    FIND(slist_free_all, "curl_slist_free_all");
#undef FIND
    CURLcode code = curl.global_init(CURL_GLOBAL_DEFAULT);
    if (code != CURLE_OK) {
        snprintf(curl.problem, sizeof curl.problem, "curl_global_init failed: %d", (int)code);
        return;
    }
    curl.ready = 1;
}

static size_t discard(char *data, size_t size, size_t count, void *context) {
    (void)data;
    (void)context;
    return size * count;
}

long xs_http_post(const char *url, const char *const *headers, size_t header_count,
                  const void *body, size_t body_len, long timeout_ms, char *error, size_t error_size) {
    if (error_size > 0) error[0] = '\0';
    pthread_once(&curl_once, load_curl);
    if (!curl.ready) {
        snprintf(error, error_size, "%s", curl.problem);
        return 0;
    }
    CURL *handle = curl.easy_init();
    if (!handle) {
        snprintf(error, error_size, "curl_easy_init failed");
        return 0;
    }
    struct curl_slist *list = NULL;
    for (size_t i = 0; i < header_count; i++) {
        struct curl_slist *next = curl.slist_append(list, headers[i]);
        if (!next) {
            snprintf(error, error_size, "out of memory for the headers");
            curl.slist_free_all(list);
            curl.easy_cleanup(handle);
            return 0;
        }
        list = next;
    }
    char detail[CURL_ERROR_SIZE];
    detail[0] = '\0';
    /* Only http and https, whatever the URL says: a libcurl too old for the string form
       (before 7.85) takes the bit mask; one that takes neither is not used. */
    CURLcode limited = curl.easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    if (limited != CURLE_OK) limited = curl.easy_setopt(handle, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    CURLcode set = curl.easy_setopt(handle, CURLOPT_URL, url);
    if (limited != CURLE_OK || set != CURLE_OK) {
        snprintf(error, error_size, "%s", limited != CURLE_OK ? "this libcurl cannot be limited to http and https" : curl.easy_strerror(set));
        curl.slist_free_all(list);
        curl.easy_cleanup(handle);
        return 0;
    }
    curl.easy_setopt(handle, CURLOPT_POST, 1L);
    curl.easy_setopt(handle, CURLOPT_POSTFIELDS, body);
    curl.easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    curl.easy_setopt(handle, CURLOPT_HTTPHEADER, list);
    curl.easy_setopt(handle, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl.easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl.easy_setopt(handle, CURLOPT_WRITEFUNCTION, discard);
    curl.easy_setopt(handle, CURLOPT_ERRORBUFFER, detail);
    CURLcode code = curl.easy_perform(handle);
    long status = 0;
    if (code == CURLE_OK) {
        curl.easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    } else {
        snprintf(error, error_size, "%s", detail[0] ? detail : curl.easy_strerror(code));
    }
    curl.slist_free_all(list);
    curl.easy_cleanup(handle);
    return code == CURLE_OK ? status : 0;
}
