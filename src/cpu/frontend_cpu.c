/* CPU execution of frontend plans.
 * Pass 1 (one task per block of frames of one signal): the block kernel
 * turns frames into scaled band values in cache and writes only those.
 * Pass 2, when needed: top_db clipping against the maximum of each group of
 * examples (per example, or torchaudio's packed batch), then, for MFCC, the
 * DCT and lifter over the clipped dB mel values.  Both passes are split into
 * fixed tasks, so results do not depend on the thread count. */
#include "../frontend.h"

#include "../core/core.h"
#include "../core/threads.h"
#include "cpu_kernels.h"

#include <string.h>

#define DCT_FRAMES 256 /* frames per pass-2 task */

typedef struct frontend_job {
  const spectro_frontend_plan *plan;
  const spectro_stft_plan *stft;
  const char *signal;
  size_t in_elem, real;
  spectro_dtype dtype;
  int64_t length, n_frames, lanes, blocks, bands, group, batch, frame_chunks;
  frontend_block_fn fn;
  char *dest;   /* pass-1 output: the result, or the dB mel for MFCC */
  char *out;
  double *maxes; /* one per pass-1 task */
  char *scratch;
  size_t scratch_bytes;
} frontend_job;

static void pass1(void *ctx, int64_t task, int worker) {
  const frontend_job *j = ctx;
  int64_t b = task / j->blocks, t0 = (task % j->blocks) * j->lanes;
  int64_t cnt = j->n_frames - t0 < j->lanes ? j->n_frames - t0 : j->lanes;
  const char *x = j->signal + (size_t)(b * j->length) * j->in_elem;
  char *dest_b = j->dest + (size_t)(b * j->bands * j->n_frames) * j->real;
  j->fn(j->stft, &j->plan->spec, x, j->dtype, j->length, j->n_frames, t0, cnt, dest_b,
        j->scratch + (size_t)worker * j->scratch_bytes, &j->maxes[task]);
}

/* The clipping floor for example b: max over its group minus top_db. */
static double group_floor(const frontend_job *j, int64_t b) {
  int64_t g0 = (b / j->group) * j->group;
  double mx = -INFINITY;
  for (int64_t t = g0 * j->blocks; t < (g0 + j->group) * j->blocks; ++t)
    if (j->maxes[t] > mx) mx = j->maxes[t];
  return mx - j->plan->top_db;
}

#define PASS2(REAL)                                                                                   \
  static void pass2_##REAL(void *ctx, int64_t task, int worker) {                                     \
    (void)worker;                                                                                     \
    const frontend_job *j = ctx;                                                                      \
    const spectro_frontend_plan *plan = j->plan;                                                      \
    int64_t b = task / j->frame_chunks, f0 = (task % j->frame_chunks) * DCT_FRAMES;                   \
    int64_t f1 = f0 + DCT_FRAMES < j->n_frames ? f0 + DCT_FRAMES : j->n_frames, nf = f1 - f0;        \
    const int64_t N = j->n_frames, M = j->bands;                                                      \
    REAL *src = (REAL *)j->dest + b * M * N;                                                          \
    if (!isnan(plan->top_db)) {                                                                       \
      REAL floor_v = (REAL)group_floor(j, b);                                                         \
      for (int64_t m = 0; m < M; ++m) {                                                               \
        REAL *row = src + m * N + f0;                                                                 \
        for (int64_t t = 0; t < nf; ++t) row[t] = row[t] < floor_v ? floor_v : row[t];                \
      }                                                                                               \
    }                                                                                                 \
    if (plan->config.n_dct <= 0) return;                                                              \
    const int64_t K = plan->config.n_dct;                                                             \
    REAL *dst = (REAL *)j->out + b * K * N;                                                           \
    for (int64_t k = 0; k < K; ++k) {                                                                 \
      REAL *o = dst + k * N + f0;                                                                     \
      for (int64_t t = 0; t < nf; ++t) o[t] = 0;                                                      \
      for (int64_t m = 0; m < M; ++m) {                                                               \
        REAL c = (REAL)plan->dct[k * M + m];                                                          \
        const REAL *row = src + m * N + f0;                                                           \
        for (int64_t t = 0; t < nf; ++t) o[t] += c * row[t];                                          \
      }                                                                                               \
    }                                                                                                 \
  }
PASS2(float)
PASS2(double)

spectro_status cpu_frontend_execute(const spectro_frontend_plan *plan, const void *signal, spectro_dtype dtype,
                                    int64_t batch, int64_t length, int64_t n_frames, int64_t group, void *out) {
  const spectro_stft_plan *stft = plan->stft;
  const cpu_kernels *k = stft->kernels;
  const int f64 = dtype == SPECTRO_FLOAT64;
  const int mfcc = plan->config.n_dct > 0;
  frontend_job j;
  j.plan = plan;
  j.stft = stft;
  j.signal = signal;
  j.in_elem = f64 ? sizeof(double) : dtype == SPECTRO_INT16 ? sizeof(int16_t) : sizeof(float);
  j.real = f64 ? sizeof(double) : sizeof(float);
  j.dtype = dtype;
  j.length = length;
  j.n_frames = n_frames;
  j.lanes = f64 ? k->lanes_f64 : k->lanes_f32;
  j.blocks = (n_frames + j.lanes - 1) / j.lanes;
  j.bands = plan->spec.bands;
  j.group = group;
  j.batch = batch;
  j.frame_chunks = (n_frames + DCT_FRAMES - 1) / DCT_FRAMES;
  j.fn = f64 ? k->frontend_f64 : k->frontend_f32;
  j.out = out;
  j.scratch_bytes = cpu_block_scratch_bytes(stft);
  int64_t tasks = batch * j.blocks;
  int workers = parallel_workers(tasks, batch * n_frames * stft->n_fft);
  size_t maxes_bytes = ((size_t)tasks * sizeof(double) + 63) & ~(size_t)63;
  size_t mel_bytes = mfcc ? (((size_t)(batch * j.bands * n_frames) * j.real + 63) & ~(size_t)63) : 0;
  size_t total = maxes_bytes + mel_bytes + (size_t)workers * j.scratch_bytes;
  void *ws = cpu_workspace_borrow(stft, total);
  RETURN_IF(ws == NULL, SPECTRO_ERR_OUT_OF_MEMORY, "out of memory for the frontend workspace (%zu bytes)", total);
  char *base = cpu_workspace_data(ws);
  j.maxes = (double *)base;
  j.dest = mfcc ? base + maxes_bytes : out;
  j.scratch = base + maxes_bytes + mel_bytes;
  parallel_for(tasks, workers, pass1, &j);
  if (mfcc || !isnan(plan->top_db)) {
    int64_t tasks2 = batch * j.frame_chunks;
    int w2 = parallel_workers(tasks2, batch * n_frames * j.bands * (mfcc ? plan->config.n_dct : 1));
    parallel_for(tasks2, w2, f64 ? pass2_double : pass2_float, &j);
  }
  cpu_workspace_return(stft, ws);
  return SPECTRO_OK;
}
