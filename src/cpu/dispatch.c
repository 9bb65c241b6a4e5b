/* Chooses the block kernels once per plan from the CPU's features. */
#include "cpu_kernels.h"

#include "../stft_plan.h"

#include "../core/autotune.h"
#include "../core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* Variants this CPU can run, best first by default. */
static int candidates(const cpu_kernels **out) {
  int c = 0;
#if defined(SPECTRO_HAVE_AVX512)
  if (__builtin_cpu_supports("avx512f")) out[c++] = &cpu_kernels_avx512;
#endif
#if defined(SPECTRO_HAVE_AVX2)
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) out[c++] = &cpu_kernels_avx2;
#endif
  out[c++] = &cpu_kernels_generic;
  return c;
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Best of three timings of a forward + inverse pass over `frames` frames with
 * kernels k (float32, the common case).  Returns a huge time on OOM. */
static double time_variant(struct spectro_stft_plan *plan, const cpu_kernels *k, int64_t frames) {
  const int64_t n = plan->n_fft, hop = plan->hop, F = plan->bins;
  const int64_t length = (frames - 1) * hop + n + plan->fr.pad_left;
  plan->kernels = k;
  size_t scratch_bytes = cpu_block_scratch_bytes(plan);
  float *x = spectro_alloc_array((size_t)length, sizeof(float));
  float *spec = spectro_alloc_array((size_t)(2 * F * frames), sizeof(float));
  float *acc = spectro_alloc_array((size_t)(length + n), sizeof(float));
  void *scratch = spectro_alloc(scratch_bytes);
  double best = 1e30;
  if (x && spec && acc && scratch) {
    for (int64_t i = 0; i < length; ++i) x[i] = (float)((i * 7919) % 1000) * 1e-3f - 0.5f;
    memset(acc, 0, (size_t)(length + n) * sizeof(float));
    for (int rep = 0; rep < 4; ++rep) { /* the first run warms caches and is dropped */
      double t = now_seconds();
      for (int64_t t0 = 0; t0 < frames; t0 += k->lanes_f32) {
        int64_t cnt = frames - t0 < k->lanes_f32 ? frames - t0 : k->lanes_f32;
        k->forward_f32(plan, x, SPECTRO_FLOAT32, length, frames, t0, cnt, spec, SPECTRO_LAYOUT_BFN, scratch);
        k->inverse_f32(plan, spec, frames, t0, cnt, SPECTRO_LAYOUT_BFN, acc, 0, scratch);
      }
      t = now_seconds() - t;
      if (rep > 0 && t < best) best = t;
    }
  }
  spectro_free(x);
  spectro_free(spec);
  spectro_free(acc);
  spectro_free(scratch);
  return best;
}

const cpu_kernels *cpu_kernels_for_plan(struct spectro_stft_plan *plan) {
  const char *env = getenv("SPECTRO_SIMD");
  if (env && *env) {
    const cpu_kernels *k = by_name(env);
    if (k) return k;
  }
  const cpu_kernels *cand[4];
  int c = candidates(cand);
  if (c == 1 || !autotune_enabled()) return cand[0];
  char key[160], value[64];
  snprintf(key, sizeof key, "cpu=%s|stft_kernels|n_fft=%lld", autotune_cpu_id(), (long long)plan->n_fft);
  if (autotune_lookup(key, value, sizeof value)) {
    const cpu_kernels *k = by_name(value);
    if (k) return k;
  }
  /* enough frames to fill every variant's blocks, bounded in work */
  int64_t frames = (1 << 20) / plan->n_fft;
  frames = frames > 64 ? 64 : frames < 32 ? 32 : frames;
  const cpu_kernels *best = cand[0];
  double best_t = 1e30;
  for (int i = 0; i < c; ++i) {
    double t = time_variant(plan, cand[i], frames);
    if (t < best_t) best_t = t, best = cand[i];
  }
  autotune_count_measurement();
  autotune_store(key, best->name);
  return best;
}

size_t cpu_block_scratch_bytes(const struct spectro_stft_plan *plan) {
  size_t vb = plan->kernels->vector_bytes < 16 ? 16 : plan->kernels->vector_bytes;
  size_t lanes = 4 * (size_t)(plan->n_fft + 2) * vb;
  /* Bluestein sizes: the lane Bluestein's four arrays of m vectors past them (block_instantiate.h) */
  const cfft *sub = plan->n_fft % 2 == 0 ? plan->fft->half : plan->fft->full;
  if (cfft_bluestein(sub)) lanes += 4 * (size_t)sub->m * vb + 64;
  /* the scalar kernels: a frame and a spectrum (stft_cpu_impl.h) + the FFT's scratch */
  size_t scalar = (size_t)(plan->n_fft + 2 * plan->bins + 16) * sizeof(double) + 128 + plan->fft->scratch_bytes;
  size_t bytes = lanes > scalar ? lanes : scalar;
  return (bytes + 63) & ~(size_t)63;
}
