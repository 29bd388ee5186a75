#include "mlci_curl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#if defined(__has_include)
#if __has_include(<curl/curl.h>)
#include <curl/curl.h>
/* The hard-coded ABI numbers must agree with the installed header. */
_Static_assert(MLCI_CURLOPT_URL == CURLOPT_URL, "CURLOPT_URL");
_Static_assert(MLCI_CURLOPT_WRITEDATA == CURLOPT_WRITEDATA, "CURLOPT_WRITEDATA");
_Static_assert(MLCI_CURLOPT_READDATA == CURLOPT_READDATA, "CURLOPT_READDATA");
_Static_assert(MLCI_CURLOPT_ERRORBUFFER == CURLOPT_ERRORBUFFER, "CURLOPT_ERRORBUFFER");
_Static_assert(MLCI_CURLOPT_WRITEFUNCTION == CURLOPT_WRITEFUNCTION, "CURLOPT_WRITEFUNCTION");
_Static_assert(MLCI_CURLOPT_READFUNCTION == CURLOPT_READFUNCTION, "CURLOPT_READFUNCTION");
_Static_assert(MLCI_CURLOPT_POSTFIELDS == CURLOPT_POSTFIELDS, "CURLOPT_POSTFIELDS");
_Static_assert(MLCI_CURLOPT_LOW_SPEED_LIMIT == CURLOPT_LOW_SPEED_LIMIT, "CURLOPT_LOW_SPEED_LIMIT");
_Static_assert(MLCI_CURLOPT_LOW_SPEED_TIME == CURLOPT_LOW_SPEED_TIME, "CURLOPT_LOW_SPEED_TIME");
_Static_assert(MLCI_CURLOPT_HTTPHEADER == CURLOPT_HTTPHEADER, "CURLOPT_HTTPHEADER");
_Static_assert(MLCI_CURLOPT_HEADERDATA == CURLOPT_HEADERDATA, "CURLOPT_HEADERDATA");
_Static_assert(MLCI_CURLOPT_CUSTOMREQUEST == CURLOPT_CUSTOMREQUEST, "CURLOPT_CUSTOMREQUEST");
_Static_assert(MLCI_CURLOPT_NOBODY == CURLOPT_NOBODY, "CURLOPT_NOBODY");
_Static_assert(MLCI_CURLOPT_UPLOAD == CURLOPT_UPLOAD, "CURLOPT_UPLOAD");
_Static_assert(MLCI_CURLOPT_FOLLOWLOCATION == CURLOPT_FOLLOWLOCATION, "CURLOPT_FOLLOWLOCATION");
_Static_assert(MLCI_CURLOPT_MAXREDIRS == CURLOPT_MAXREDIRS, "CURLOPT_MAXREDIRS");
_Static_assert(MLCI_CURLOPT_HEADERFUNCTION == CURLOPT_HEADERFUNCTION, "CURLOPT_HEADERFUNCTION");
_Static_assert(MLCI_CURLOPT_NOSIGNAL == CURLOPT_NOSIGNAL, "CURLOPT_NOSIGNAL");
_Static_assert(MLCI_CURLOPT_INFILESIZE_LARGE == CURLOPT_INFILESIZE_LARGE, "CURLOPT_INFILESIZE_LARGE");
_Static_assert(MLCI_CURLOPT_POSTFIELDSIZE_LARGE == CURLOPT_POSTFIELDSIZE_LARGE, "CURLOPT_POSTFIELDSIZE_LARGE");
_Static_assert(MLCI_CURLOPT_TIMEOUT_MS == CURLOPT_TIMEOUT_MS, "CURLOPT_TIMEOUT_MS");
_Static_assert(MLCI_CURLOPT_CONNECTTIMEOUT_MS == CURLOPT_CONNECTTIMEOUT_MS, "CURLOPT_CONNECTTIMEOUT_MS");
_Static_assert(MLCI_CURLOPT_PROTOCOLS == 181, "CURLOPT_PROTOCOLS");
_Static_assert(MLCI_CURLOPT_REDIR_PROTOCOLS == 182, "CURLOPT_REDIR_PROTOCOLS");
_Static_assert(MLCI_CURLPROTO_HTTP == CURLPROTO_HTTP, "CURLPROTO_HTTP");
_Static_assert(MLCI_CURLPROTO_HTTPS == CURLPROTO_HTTPS, "CURLPROTO_HTTPS");
_Static_assert(MLCI_CURL_ERROR_SIZE == CURL_ERROR_SIZE, "CURL_ERROR_SIZE");
#endif
#endif

#define MLCI_CURL_GLOBAL_DEFAULT 3L

static struct {
    int (*global_init)(long);
    void *(*easy_init)(void);
    void (*easy_cleanup)(void *);
    int (*easy_setopt)(void *, int, ...);
    int (*easy_perform)(void *);
    int (*easy_getinfo)(void *, int, ...);
    const char *(*easy_strerror)(int);
    void *(*slist_append)(void *, const char *);
    void (*slist_free_all)(void *);
} curl;

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static int loaded = 0;

static void *symbol(void *library, const char *name, char *problem, size_t size) {
    void *found = dlsym(library, name);
    if (!found && problem && size) snprintf(problem, size, "libcurl has no %s", name);
    return found;
}

int mlci_curl_load(const char *path, char *problem, size_t problem_size) {
    pthread_mutex_lock(&load_lock);
    if (loaded) { pthread_mutex_unlock(&load_lock); return 0; }
    static const char *names[] = {"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so", NULL};
    void *library = NULL;
    const char *reason = "not found";
    if (path && *path) {
        library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (!library) reason = dlerror();
    } else {
        for (int i = 0; names[i] && !library; i++) {
            library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
            if (!library && i == 0) reason = dlerror();
        }
    }
    if (!library) {
        if (problem && problem_size) snprintf(problem, problem_size, "%s", reason ? reason : "not found");
        pthread_mutex_unlock(&load_lock);
        return -1;
    }
    int ok = (curl.global_init = (int (*)(long))symbol(library, "curl_global_init", problem, problem_size)) &&
        (curl.easy_init = (void *(*)(void))symbol(library, "curl_easy_init", problem, problem_size)) &&
        (curl.easy_cleanup = (void (*)(void *))symbol(library, "curl_easy_cleanup", problem, problem_size)) &&
        (curl.easy_setopt = (int (*)(void *, int, ...))symbol(library, "curl_easy_setopt", problem, problem_size)) &&
        (curl.easy_perform = (int (*)(void *))symbol(library, "curl_easy_perform", problem, problem_size)) &&
        (curl.easy_getinfo = (int (*)(void *, int, ...))symbol(library, "curl_easy_getinfo", problem, problem_size)) &&
        (curl.easy_strerror = (const char *(*)(int))symbol(library, "curl_easy_strerror", problem, problem_size)) &&
        (curl.slist_append = (void *(*)(void *, const char *))symbol(library, "curl_slist_append", problem, problem_size)) &&
        (curl.slist_free_all = (void (*)(void *))symbol(library, "curl_slist_free_all", problem, problem_size));
    if (!ok || curl.global_init(MLCI_CURL_GLOBAL_DEFAULT) != 0) {
        if (ok && problem && problem_size) snprintf(problem, problem_size, "curl_global_init failed");
        dlclose(library);
        memset(&curl, 0, sizeof curl);
        pthread_mutex_unlock(&load_lock);
        return -1;
    }
    loaded = 1;
    pthread_mutex_unlock(&load_lock);
    return 0;
}

void *mlci_curl_easy_init(void) { return curl.easy_init(); }
void mlci_curl_easy_cleanup(void *handle) { curl.easy_cleanup(handle); }
int mlci_curl_setopt_long(void *handle, int option, long value) { return curl.easy_setopt(handle, option, value); }
int mlci_curl_setopt_pointer(void *handle, int option, const void *value) { return curl.easy_setopt(handle, option, value); }
int mlci_curl_setopt_offset(void *handle, int option, int64_t value) { return curl.easy_setopt(handle, option, (long long)value); }
int mlci_curl_setopt_callback(void *handle, int option, mlci_curl_data_callback callback) {
    return curl.easy_setopt(handle, option, callback);
}
int mlci_curl_easy_perform(void *handle) { return curl.easy_perform(handle); }
long mlci_curl_response_code(void *handle) {
    long code = 0;
    if (curl.easy_getinfo(handle, 0x200002 /* CURLINFO_RESPONSE_CODE */, &code) != 0) return 0;
    return code;
}
const char *mlci_curl_easy_strerror(int code) { return curl.easy_strerror(code); }
void *mlci_curl_slist_append(void *list, const char *line) { return curl.slist_append(list, line); }
void mlci_curl_slist_free_all(void *list) { if (list) curl.slist_free_all(list); }
