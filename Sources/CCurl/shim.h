// Non-variadic wrappers around libcurl's variadic setopt/getinfo, which Swift cannot call.
// Parenthesising the function name stops curl's type-checking macro from expanding.
#ifndef APIMTOKEN_CCURL_SHIM_H
#define APIMTOKEN_CCURL_SHIM_H

#include <curl/curl.h>
#include <stddef.h>

static inline CURLcode apim_setopt_long(CURL *h, CURLoption o, long v) { return (curl_easy_setopt)(h, o, v); }
static inline CURLcode apim_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return (curl_easy_setopt)(h, o, v); }
static inline CURLcode apim_setopt_string(CURL *h, CURLoption o, const char *v) { return (curl_easy_setopt)(h, o, v); }
static inline CURLcode apim_setopt_pointer(CURL *h, CURLoption o, void *v) { return (curl_easy_setopt)(h, o, v); }
static inline CURLcode apim_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return (curl_easy_setopt)(h, o, v); }

/// Passes PEM bytes as a blob; CURL_BLOB_COPY makes libcurl keep its own copy.
static inline CURLcode apim_setopt_blob(CURL *h, CURLoption o, const void *data, size_t len) {
    struct curl_blob blob;
    blob.data = (void *)data;
    blob.len = len;
    blob.flags = CURL_BLOB_COPY;
    return (curl_easy_setopt)(h, o, &blob);
}

typedef size_t (*apim_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);

static inline CURLcode apim_setopt_write_function(CURL *h, apim_data_callback f) { return (curl_easy_setopt)(h, CURLOPT_WRITEFUNCTION, f); }
static inline CURLcode apim_setopt_header_function(CURL *h, apim_data_callback f) { return (curl_easy_setopt)(h, CURLOPT_HEADERFUNCTION, f); }

typedef int (*apim_xferinfo_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode apim_setopt_xferinfo_function(CURL *h, apim_xferinfo_callback f) { return (curl_easy_setopt)(h, CURLOPT_XFERINFOFUNCTION, f); }

/* The share interface (also variadic): one TLS session cache and DNS cache for all handles of a transport. */
typedef void (*apim_lock_function)(CURL *handle, curl_lock_data data, curl_lock_access access, void *userptr);
typedef void (*apim_unlock_function)(CURL *handle, curl_lock_data data, void *userptr);
static inline CURLSHcode apim_share_data(CURLSH *s, curl_lock_data d) { return (curl_share_setopt)(s, CURLSHOPT_SHARE, d); }
static inline CURLSHcode apim_share_lock_functions(CURLSH *s, apim_lock_function lock, apim_unlock_function unlock, void *userptr) {
    CURLSHcode code = (curl_share_setopt)(s, CURLSHOPT_LOCKFUNC, lock);
    if (code == CURLSHE_OK) code = (curl_share_setopt)(s, CURLSHOPT_UNLOCKFUNC, unlock);
    if (code == CURLSHE_OK) code = (curl_share_setopt)(s, CURLSHOPT_USERDATA, userptr);
    return code;
}
static inline CURLcode apim_setopt_share(CURL *h, CURLSH *s) { return (curl_easy_setopt)(h, CURLOPT_SHARE, s); }

static inline CURLcode apim_getinfo_long(CURL *h, CURLINFO i, long *v) { return (curl_easy_getinfo)(h, i, v); }
static inline CURLcode apim_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return (curl_easy_getinfo)(h, i, v); }

/* pipe2(2) with O_CLOEXEC, so children spawned at the same moment never inherit each other's pipe ends.
   glibc declares pipe2 only under _GNU_SOURCE, which Swift's Glibc module does not set. */
extern int pipe2(int pipefd[2], int flags);
static inline int apim_pipe_cloexec(int fds[2]) { return pipe2(fds, 02000000 /* O_CLOEXEC */); }

#endif
