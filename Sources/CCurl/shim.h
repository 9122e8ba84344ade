// Non-variadic wrappers around libcurl's variadic setopt/getinfo, which Swift cannot call, and the table of libcurl's
// functions, loaded on first use.
#ifndef APIMTOKEN_CCURL_SHIM_H
#define APIMTOKEN_CCURL_SHIM_H

#include <curl/curl.h>
#include <dlfcn.h>
#include <stddef.h>

/* libcurl is loaded when the first request is made (dlopen), not by the dynamic loader at start-up: Debian's libcurl
   and its ~30 dependencies (GnuTLS, Kerberos, LDAP, libssh2, OpenSSL) are bound immediately (BIND_NOW), which was a
   third of the start-up of every command, --help and completion included. */
struct apim_curl_api {
    int loaded;
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    void (*easy_reset)(CURL *);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    char *(*version)(void);
    CURLSH *(*share_init)(void);
    CURLSHcode (*share_cleanup)(CURLSH *);
    CURLSHcode (*share_setopt)(CURLSH *, CURLSHoption, ...);
};

/* The one table of the process. It lives in Swift (`apim_curl_table`, CurlGlobal): a static variable here would be
   one per object file, as these inline functions are. */
extern void *apim_curl_table(void);

static inline struct apim_curl_api *apim_curl(void) {
    return (struct apim_curl_api *)apim_curl_table();
}

/* Loads libcurl.so.4 and its functions; NULL when done, else the loader's message. Call it once, before any other
   function here (CurlGlobal does, under a Swift static's one-time initialisation). */
static inline const char *apim_curl_load(void) {
    struct apim_curl_api *api = apim_curl();
    if (api->loaded) return NULL;
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!library) return dlerror();
#define APIM_CURL_SYMBOL(field, name) \
    if (!(*(void **)(&api->field) = dlsym(library, name))) return "libcurl.so.4 lacks " name;
    APIM_CURL_SYMBOL(global_init, "curl_global_init")
    APIM_CURL_SYMBOL(easy_init, "curl_easy_init")
    APIM_CURL_SYMBOL(easy_cleanup, "curl_easy_cleanup")
    APIM_CURL_SYMBOL(easy_reset, "curl_easy_reset")
    APIM_CURL_SYMBOL(easy_setopt, "curl_easy_setopt")
    APIM_CURL_SYMBOL(easy_getinfo, "curl_easy_getinfo")
    APIM_CURL_SYMBOL(easy_perform, "curl_easy_perform")
    APIM_CURL_SYMBOL(easy_strerror, "curl_easy_strerror")
    APIM_CURL_SYMBOL(slist_append, "curl_slist_append")
    APIM_CURL_SYMBOL(slist_free_all, "curl_slist_free_all")
    APIM_CURL_SYMBOL(version, "curl_version")
    APIM_CURL_SYMBOL(share_init, "curl_share_init")
    APIM_CURL_SYMBOL(share_cleanup, "curl_share_cleanup")
    APIM_CURL_SYMBOL(share_setopt, "curl_share_setopt")
#undef APIM_CURL_SYMBOL
    api->loaded = 1;
    return NULL;
}

static inline CURLcode apim_global_init(long flags) { return apim_curl()->global_init(flags); }
static inline CURL *apim_easy_init(void) { return apim_curl()->easy_init(); }
static inline void apim_easy_cleanup(CURL *h) { apim_curl()->easy_cleanup(h); }
static inline void apim_easy_reset(CURL *h) { apim_curl()->easy_reset(h); }
static inline CURLcode apim_easy_perform(CURL *h) { return apim_curl()->easy_perform(h); }
static inline const char *apim_easy_strerror(CURLcode code) { return apim_curl()->easy_strerror(code); }
static inline struct curl_slist *apim_slist_append(struct curl_slist *list, const char *text) { return apim_curl()->slist_append(list, text); }
static inline void apim_slist_free_all(struct curl_slist *list) { apim_curl()->slist_free_all(list); }
static inline char *apim_version(void) { return apim_curl()->version(); }
static inline CURLSH *apim_share_init(void) { return apim_curl()->share_init(); }
static inline CURLSHcode apim_share_cleanup(CURLSH *s) { return apim_curl()->share_cleanup(s); }

static inline CURLcode apim_setopt_long(CURL *h, CURLoption o, long v) { return apim_curl()->easy_setopt(h, o, v); }
static inline CURLcode apim_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return apim_curl()->easy_setopt(h, o, v); }
static inline CURLcode apim_setopt_string(CURL *h, CURLoption o, const char *v) { return apim_curl()->easy_setopt(h, o, v); }
static inline CURLcode apim_setopt_pointer(CURL *h, CURLoption o, void *v) { return apim_curl()->easy_setopt(h, o, v); }
static inline CURLcode apim_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return apim_curl()->easy_setopt(h, o, v); }

/// Passes PEM bytes as a blob; CURL_BLOB_COPY makes libcurl keep its own copy.
static inline CURLcode apim_setopt_blob(CURL *h, CURLoption o, const void *data, size_t len) {
    struct curl_blob blob;
    blob.data = (void *)data;
    blob.len = len;
    blob.flags = CURL_BLOB_COPY;
    return apim_curl()->easy_setopt(h, o, &blob);
}

typedef size_t (*apim_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);

static inline CURLcode apim_setopt_write_function(CURL *h, apim_data_callback f) { return apim_curl()->easy_setopt(h, CURLOPT_WRITEFUNCTION, f); }
static inline CURLcode apim_setopt_header_function(CURL *h, apim_data_callback f) { return apim_curl()->easy_setopt(h, CURLOPT_HEADERFUNCTION, f); }

typedef int (*apim_xferinfo_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode apim_setopt_xferinfo_function(CURL *h, apim_xferinfo_callback f) { return apim_curl()->easy_setopt(h, CURLOPT_XFERINFOFUNCTION, f); }

/* The share interface (also variadic): one TLS session cache and DNS cache for all handles of a transport. */
typedef void (*apim_lock_function)(CURL *handle, curl_lock_data data, curl_lock_access access, void *userptr);
typedef void (*apim_unlock_function)(CURL *handle, curl_lock_data data, void *userptr);
static inline CURLSHcode apim_share_data(CURLSH *s, curl_lock_data d) { return apim_curl()->share_setopt(s, CURLSHOPT_SHARE, d); }
static inline CURLSHcode apim_share_lock_functions(CURLSH *s, apim_lock_function lock, apim_unlock_function unlock, void *userptr) {
    CURLSHcode code = apim_curl()->share_setopt(s, CURLSHOPT_LOCKFUNC, lock);
    if (code == CURLSHE_OK) code = apim_curl()->share_setopt(s, CURLSHOPT_UNLOCKFUNC, unlock);
    if (code == CURLSHE_OK) code = apim_curl()->share_setopt(s, CURLSHOPT_USERDATA, userptr);
    return code;
}
static inline CURLcode apim_setopt_share(CURL *h, CURLSH *s) { return apim_curl()->easy_setopt(h, CURLOPT_SHARE, s); }

static inline CURLcode apim_getinfo_long(CURL *h, CURLINFO i, long *v) { return apim_curl()->easy_getinfo(h, i, v); }
static inline CURLcode apim_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return apim_curl()->easy_getinfo(h, i, v); }

/* pipe2(2) with O_CLOEXEC, so children spawned at the same moment never inherit each other's pipe ends.
   glibc declares pipe2 only under _GNU_SOURCE, which Swift's Glibc module does not set. */
extern int pipe2(int pipefd[2], int flags);
static inline int apim_pipe_cloexec(int fds[2]) { return pipe2(fds, 02000000 /* O_CLOEXEC */); }

#endif
