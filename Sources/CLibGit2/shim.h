#ifndef CLIBGIT2_SHIM_H
#define CLIBGIT2_SHIM_H

#include <git2.h>

/* Swift cannot call C variadic functions such as git_libgit2_opts(int, ...),
   so each option mlci needs gets a typed, non-variadic inline wrapper. */

/* Restrict where libgit2 looks for global/xdg/system config ("" = nowhere). */
static inline int clibgit2_set_config_search_path(git_config_level_t level, const char *path) {
    return git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, path);
}

/* Skip the hash verification of objects read from the object database; mlci only reads. */
static inline int clibgit2_enable_strict_hash_verification(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, enabled);
}

/* Turn libgit2's object cache on or off (process-wide). */
static inline int clibgit2_enable_caching(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_CACHING, enabled);
}

/* Cache budget for libgit2's object cache (bytes). */
static inline int clibgit2_set_cache_max_size(size_t bytes) {
    return git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)bytes);
}

#endif
