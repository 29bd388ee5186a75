/* Release builds only, linked with
 *   --wrap=mbedtls_x509_crt_parse_file --wrap=mbedtls_x509_crt_parse_path --wrap=mbedtls_ssl_setup
 *
 * Debian's libgit2 (mbedTLS build) parses the whole system CA bundle in git_libgit2_init:
 * about 5 ms of every command that opens a repository, though only `verify --sync-notes`
 * ever makes a TLS connection through libgit2. These wrappers defer that parse to the first
 * TLS session: while no session has been set up, a CA file or folder libgit2 asks to parse is
 * remembered (and the chain left empty); the first mbedtls_ssl_setup (libgit2 calls it for
 * every new TLS stream, with its one global configuration) loads what was remembered through
 * libgit2's own git_mbedtls__set_cert_location, then proceeds.
 *
 * Fail closed: until the CAs are loaded the chain is empty, so no server certificate can
 * verify; if the deferred load fails, it stays empty and the connection is refused with
 * libgit2's certificate error, as an unreadable bundle at start-up would have left it.
 * scripts/test-release.sh (check lazy-ca) connects the release binary to a loopback TLS server
 * whose CA is, and then is not, in the root's bundle. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

int __real_mbedtls_x509_crt_parse_file(void *chain, const char *file);
int __real_mbedtls_x509_crt_parse_path(void *chain, const char *path);
int __real_mbedtls_ssl_setup(void *ssl, const void *conf);
int git_mbedtls__set_cert_location(const char *file, const char *path);

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int sessions_started;   /* guarded by lock */
static char *deferred_file;    /* guarded by lock */
static char *deferred_path;    /* guarded by lock */

static int defer(char **slot, const char *value) {
    char *copy = value ? strdup(value) : NULL;
    if (value && !copy) return -1;
    free(*slot);
    *slot = copy;
    return 0;
}

/* Before the first session: remember `value` in `slot` and succeed; after it: parse for real. */
static int parse_or_defer(char **slot, int (*real)(void *, const char *), void *chain, const char *value) {
    pthread_mutex_lock(&lock);
    int started = sessions_started;
    int result = started ? 0 : defer(slot, value);
    pthread_mutex_unlock(&lock);
    return started ? real(chain, value) : result;
}

int __wrap_mbedtls_x509_crt_parse_file(void *chain, const char *file) {
    return parse_or_defer(&deferred_file, __real_mbedtls_x509_crt_parse_file, chain, file);
}

int __wrap_mbedtls_x509_crt_parse_path(void *chain, const char *path) {
    return parse_or_defer(&deferred_path, __real_mbedtls_x509_crt_parse_path, chain, path);
}

/* Runs once, before the first TLS session: from here on the wrappers above parse for real. */
static void load_deferred(void) {
    pthread_mutex_lock(&lock);
    sessions_started = 1;
    char *file = deferred_file, *path = deferred_path;
    deferred_file = deferred_path = NULL;
    pthread_mutex_unlock(&lock);
    /* On failure libgit2 keeps the chain it had: the empty one. */
    if (file || path) (void)git_mbedtls__set_cert_location(file, path);
    free(file);
    free(path);
}

int __wrap_mbedtls_ssl_setup(void *ssl, const void *conf) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, load_deferred);
    return __real_mbedtls_ssl_setup(ssl, conf);
}
