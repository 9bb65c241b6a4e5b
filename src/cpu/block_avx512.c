/* Block kernels for AVX-512F (64-byte vectors), selected at run time. */
#include "cpu_kernels.h"
#if defined(SPECTRO_HAVE_AVX512)
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma"))), apply_to = function)
#else
#pragma GCC target("avx512f,avx2,fma")
#pragma GCC optimize("fp-contract=fast")
#endif
#define SIMD_BYTES 64
#define ISA avx512
#define STRINGIFY2(x) #x
#define STRINGIFY(x) STRINGIFY2(x)
#include "block_instantiate.h"
#if defined(__clang__)
#pragma clang attribute pop
#endif
#endif
