/* The table of CPU block kernels, one per instruction set, chosen once per
 * plan from the CPU's features (opus's x86_celt_map idea). */
#ifndef SPECTRO_CPU_KERNELS_H
#define SPECTRO_CPU_KERNELS_H

#include "spectro.h"

#include <stddef.h>
#include <stdint.h>

/* x86-64 builds carry AVX2 and AVX-512 variants, compiled with target
 * pragmas and picked at run time; other targets use the generic vectors. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SPECTRO_HAVE_AVX2 1
#define SPECTRO_HAVE_AVX512 1
#endif

struct spectro_stft_plan;

typedef void (*forward_block_fn)(const struct spectro_stft_plan *plan, const void *x, spectro_dtype dtype,
                                 int64_t length, int64_t n_frames, int64_t t0, int64_t cnt, void *out_b,
                                 spectro_layout layout, void *scratch);
typedef void (*inverse_block_fn)(const struct spectro_stft_plan *plan, const void *spec_b, int64_t n_frames,
                                 int64_t t0, int64_t cnt, spectro_layout layout, void *acc, int64_t base,
                                 void *scratch);

struct frontend_spec;
typedef void (*frontend_block_fn)(const struct spectro_stft_plan *plan, const struct frontend_spec *fs,
                                  const void *x, spectro_dtype dtype, int64_t length, int64_t n_frames,
                                  int64_t t0, int64_t cnt, void *out_b, void *scratch, double *block_max);

typedef struct cpu_kernels {
  const char *name;
  int lanes_f32, lanes_f64; /* frames per block */
  size_t vector_bytes;
  forward_block_fn forward_f32, forward_f64;
  inverse_block_fn inverse_f32, inverse_f64;
  frontend_block_fn frontend_f32, frontend_f64;
} cpu_kernels;

extern const cpu_kernels cpu_kernels_generic;
extern const cpu_kernels cpu_kernels_scalar; /* one frame at a time (SPECTRO_SIMD=scalar) */
#if defined(SPECTRO_HAVE_AVX2)
extern const cpu_kernels cpu_kernels_avx2;
#endif
#if defined(SPECTRO_HAVE_AVX512)
extern const cpu_kernels cpu_kernels_avx512;
#endif

/* The table for a plan: SPECTRO_SIMD if set, else the autotuned choice for
 * this CPU and n_fft (measured once, cached), else the default. */
const cpu_kernels *cpu_kernels_for_plan(struct spectro_stft_plan *plan);

/* Scratch bytes one worker needs for a plan (either kernel table). */
size_t cpu_block_scratch_bytes(const struct spectro_stft_plan *plan);

#endif
