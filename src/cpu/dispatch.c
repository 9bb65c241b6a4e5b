/* Chooses the block kernels once per plan from the CPU's features. */
#include "cpu_kernels.h"

#include "../stft_plan.h"

#include <stdlib.h>
#include <string.h>

static const cpu_kernels *by_name(const char *name) {
  if (strcmp(name, "generic") == 0) return &cpu_kernels_generic;
  if (strcmp(name, "scalar") == 0) return &cpu_kernels_scalar;
#if defined(SPECTRO_HAVE_AVX2)
  if (strcmp(name, "avx2") == 0 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return &cpu_kernels_avx2;
#endif
#if defined(SPECTRO_HAVE_AVX512)
  if (strcmp(name, "avx512") == 0 && __builtin_cpu_supports("avx512f")) return &cpu_kernels_avx512;
#endif
  return NULL;
}

const cpu_kernels *cpu_kernels_select(void) {
  const char *env = getenv("SPECTRO_SIMD");
  if (env && *env) {
    const cpu_kernels *k = by_name(env);
    if (k) return k;
  }
#if defined(SPECTRO_HAVE_AVX512)
  if (__builtin_cpu_supports("avx512f")) return &cpu_kernels_avx512;
#endif
#if defined(SPECTRO_HAVE_AVX2)
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return &cpu_kernels_avx2;
#endif
  return &cpu_kernels_generic;
}

size_t cpu_block_scratch_bytes(const struct spectro_stft_plan *plan) {
  size_t vb = plan->kernels->vector_bytes < 16 ? 16 : plan->kernels->vector_bytes;
  size_t lanes = 4 * (size_t)(plan->n_fft + 2) * vb;
  size_t scalar = (size_t)(plan->n_fft + 2 * plan->bins + 16) * sizeof(double) + 128 + plan->fft->scratch_bytes;
  size_t bytes = lanes > scalar ? lanes : scalar;
  return (bytes + 63) & ~(size_t)63;
}
