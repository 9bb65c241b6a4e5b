/* Block kernels over 16-byte vectors: SSE2 on x86-64, NEON on arm64, plain
 * C where the target has no vectors.  Always built. */
#define SIMD_BYTES 16
#define ISA generic
#define STRINGIFY2(x) #x
#define STRINGIFY(x) STRINGIFY2(x)
#include "block_instantiate.h"
