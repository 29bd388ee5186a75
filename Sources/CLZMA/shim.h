#ifndef CLZMA_SHIM_H
#define CLZMA_SHIM_H
#include <lzma.h>

/* LZMA_STREAM_INIT is a macro; Swift needs a function. */
static inline lzma_stream clzma_stream_init(void) {
    lzma_stream stream = LZMA_STREAM_INIT;
    return stream;
}
/* LZMA_CONCATENATED is a macro of an unsigned constant. */
static const uint32_t clzma_concatenated = LZMA_CONCATENATED;
#endif
