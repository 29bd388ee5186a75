#ifndef MLCI_CURL_H
#define MLCI_CURL_H
/* libcurl, loaded with dlopen(3) on first use: mlci never links libcurl, so a command that does
 * not talk HTTP never loads it, and the release binary runs where no libcurl is installed.
 * Only MLCIHTTP includes this header. The option numbers are libcurl's stable ABI values
 * (checked against <curl/curl.h> at compile time when that header is present). */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef size_t (*mlci_curl_data_callback)(char *buffer, size_t size, size_t count, void *context);

enum {
    MLCI_CURLOPT_WRITEDATA = 10001,
    MLCI_CURLOPT_URL = 10002,
    MLCI_CURLOPT_READDATA = 10009,
    MLCI_CURLOPT_ERRORBUFFER = 10010,
    MLCI_CURLOPT_WRITEFUNCTION = 20011,
    MLCI_CURLOPT_READFUNCTION = 20012,
    MLCI_CURLOPT_POSTFIELDS = 10015,
    MLCI_CURLOPT_LOW_SPEED_LIMIT = 19,
    MLCI_CURLOPT_LOW_SPEED_TIME = 20,
    MLCI_CURLOPT_HTTPHEADER = 10023,
    MLCI_CURLOPT_HEADERDATA = 10029,
    MLCI_CURLOPT_CUSTOMREQUEST = 10036,
    MLCI_CURLOPT_NOBODY = 44,
    MLCI_CURLOPT_UPLOAD = 46,
    MLCI_CURLOPT_FOLLOWLOCATION = 52,
    MLCI_CURLOPT_MAXREDIRS = 68,
    MLCI_CURLOPT_HEADERFUNCTION = 20079,
    MLCI_CURLOPT_NOSIGNAL = 99,
    MLCI_CURLOPT_INFILESIZE_LARGE = 30115,
    MLCI_CURLOPT_POSTFIELDSIZE_LARGE = 30120,
    MLCI_CURLOPT_TIMEOUT_MS = 155,
    MLCI_CURLOPT_CONNECTTIMEOUT_MS = 156,
    MLCI_CURLOPT_PROTOCOLS = 181,
    MLCI_CURLOPT_REDIR_PROTOCOLS = 182,
    MLCI_CURLPROTO_HTTP = 1,
    MLCI_CURLPROTO_HTTPS = 2,
    MLCI_CURLE_OK = 0,
    MLCI_CURL_ERROR_SIZE = 256
};

/* Loads libcurl once per process (thread-safe). `path` overrides the search (NULL: libcurl.so.4,
 * then libcurl-gnutls.so.4). Returns 0 when loaded; otherwise writes a reason into `problem`. */
int mlci_curl_load(const char *path, char *problem, size_t problem_size);

/* Thin, non-variadic fronts of curl_easy_*; valid only after mlci_curl_load returned 0. */
void *mlci_curl_easy_init(void);
void mlci_curl_easy_cleanup(void *handle);
int mlci_curl_setopt_long(void *handle, int option, long value);
int mlci_curl_setopt_pointer(void *handle, int option, const void *value);
int mlci_curl_setopt_offset(void *handle, int option, int64_t value);
int mlci_curl_setopt_callback(void *handle, int option, mlci_curl_data_callback callback);
int mlci_curl_easy_perform(void *handle);
long mlci_curl_response_code(void *handle);
const char *mlci_curl_easy_strerror(int code);
void *mlci_curl_slist_append(void *list, const char *line);
void mlci_curl_slist_free_all(void *list);

#ifdef __cplusplus
}
#endif
#endif
