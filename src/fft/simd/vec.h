/* The SIMD layer: one vector type per (element type, ISA width) through GCC /
 * clang vector extensions, so every kernel is written once (pffft's
 * pf_float.h idea).  A translation unit defines SIMD_BYTES (16, 32 or 64)
 * and is compiled with the matching -m flags; arithmetic on these types
 * becomes SSE2/NEON, AVX2 or AVX-512 instructions.  Scalars broadcast in
 * mixed expressions (v * s). */
#ifndef SPECTRO_SIMD_VEC_H
#define SPECTRO_SIMD_VEC_H

#ifndef SIMD_BYTES
#error "define SIMD_BYTES before including vec.h"
#endif

typedef float vf32 __attribute__((vector_size(SIMD_BYTES), aligned(SIMD_BYTES)));
typedef double vf64 __attribute__((vector_size(SIMD_BYTES), aligned(SIMD_BYTES)));

#define LANES_F32 (SIMD_BYTES / 4)
#define LANES_F64 (SIMD_BYTES / 8)

/* the same counts as literals, for token pasting */
#if SIMD_BYTES == 16
#define LANES_F32_LIT 4
#define LANES_F64_LIT 2
#elif SIMD_BYTES == 32
#define LANES_F32_LIT 8
#define LANES_F64_LIT 4
#elif SIMD_BYTES == 64
#define LANES_F32_LIT 16
#define LANES_F64_LIT 8
#else
#error "SIMD_BYTES must be 16, 32 or 64"
#endif

#endif
