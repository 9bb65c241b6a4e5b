/* CPU execution of STFT plans: the block pipeline split over the thread
 * pool, with workspaces borrowed from the plan (no allocation once a plan
 * has seen a shape).
 *
 * Forward: one task per block of `lanes` frames of one signal.
 * Inverse: frames are grouped in fixed chunks of C frames (C * hop >= n_fft,
 * independent of the thread count).  Phase 1 overlap-adds each chunk into a
 * private buffer, writes the part no other chunk touches straight to the
 * output and keeps the tail (n_fft - hop samples) aside.  Phase 2 adds each
 * chunk's predecessor tail into its first samples and divides by the
 * envelope.  Every output sample is therefore summed in the same order for
 * any number of threads: results are bit-identical. */
#include "../stft_plan.h"

#include "../core/core.h"
#include "../core/threads.h"
#include "cpu_kernels.h"

#include <string.h>

/* ---------------------------------------------------------------- workspaces */

typedef struct workspace {
  struct workspace *next;
  size_t size;
} workspace;

#define WS_HEADER 64
#define MAX_POOLED 8

void *cpu_workspace_data(void *ws) { return (char *)ws + WS_HEADER; }
#define ws_data(ws) cpu_workspace_data(ws)

void *cpu_workspace_borrow(const spectro_stft_plan *cplan, size_t size) {
  spectro_stft_plan *plan = (spectro_stft_plan *)cplan; /* the pool is the plan's only mutable part */
  workspace *found = NULL, *spare = NULL;
  pthread_mutex_lock(&plan->lock);
  for (workspace **p = (workspace **)&plan->ws_pool; *p; p = &(*p)->next)
    if ((*p)->size >= size) {
      found = *p;
      *p = found->next;
      --plan->ws_pooled;
      break;
    }
  if (!found && plan->ws_pool) { /* too small: drop one to keep the pool bounded */
    spare = plan->ws_pool;
    plan->ws_pool = spare->next;
    --plan->ws_pooled;
  }
  pthread_mutex_unlock(&plan->lock);
  spectro_free(spare);
  if (found) return found;
  if (size > SIZE_MAX - WS_HEADER) return NULL;
  workspace *ws = spectro_alloc(WS_HEADER + size);
  if (ws) {
    ws->next = NULL;
    ws->size = size;
  }
  return ws;
}

void cpu_workspace_return(const spectro_stft_plan *cplan, void *ws_v) {
  workspace *ws = ws_v;
  spectro_stft_plan *plan = (spectro_stft_plan *)cplan;
  pthread_mutex_lock(&plan->lock);
  if (plan->ws_pooled < MAX_POOLED) {
    ws->next = plan->ws_pool;
    plan->ws_pool = ws;
    ++plan->ws_pooled;
    ws = NULL;
  }
  pthread_mutex_unlock(&plan->lock);
  spectro_free(ws);
}

void cpu_release_workspaces(spectro_stft_plan *plan) {
  workspace *ws = plan->ws_pool;
  while (ws) {
    workspace *next = ws->next;
    spectro_free(ws);
    ws = next;
  }
  plan->ws_pool = NULL;
  plan->ws_pooled = 0;
}

/* ---------------------------------------------------------------- forward */

typedef struct forward_job {
  const spectro_stft_plan *plan;
  const char *signal;
  size_t in_elem, out_elem;
  spectro_dtype dtype;
  int64_t length, n_frames, lanes, blocks;
  char *out;
  spectro_layout layout;
  forward_block_fn fn;
  char *scratch;
  size_t scratch_bytes;
} forward_job;

static void forward_task(void *ctx, int64_t task, int worker) {
  const forward_job *j = ctx;
  int64_t b = task / j->blocks, t0 = (task % j->blocks) * j->lanes;
  int64_t cnt = j->n_frames - t0 < j->lanes ? j->n_frames - t0 : j->lanes;
  const char *x = j->signal + (size_t)(b * j->length) * j->in_elem;
  char *out_b = j->out + (size_t)(b * j->plan->bins * j->n_frames) * j->out_elem;
  j->fn(j->plan, x, j->dtype, j->length, j->n_frames, t0, cnt, out_b, j->layout,
        j->scratch + (size_t)worker * j->scratch_bytes);
}

spectro_status cpu_stft_forward(const spectro_stft_plan *plan, const void *signal, spectro_dtype dtype,
                                int64_t batch, int64_t length, int64_t n_frames, void *out,
                                spectro_layout layout) {
  const cpu_kernels *k = plan->kernels;
  const int f64 = dtype == SPECTRO_FLOAT64;
  forward_job j;
  j.plan = plan;
  j.signal = signal;
  j.in_elem = f64 ? sizeof(double) : dtype == SPECTRO_INT16 ? sizeof(int16_t) : sizeof(float);
  j.out_elem = 2 * (f64 ? sizeof(double) : sizeof(float));
  j.dtype = dtype;
  j.length = length;
  j.n_frames = n_frames;
  j.lanes = f64 ? k->lanes_f64 : k->lanes_f32;
  j.blocks = (n_frames + j.lanes - 1) / j.lanes;
  j.out = out;
  j.layout = layout;
  j.fn = f64 ? k->forward_f64 : k->forward_f32;
  j.scratch_bytes = cpu_block_scratch_bytes(plan);
  int64_t tasks = batch * j.blocks;
  int workers = parallel_workers(tasks, batch * n_frames * plan->n_fft);
  void *ws = cpu_workspace_borrow(plan, j.scratch_bytes * (size_t)workers);
  RETURN_IF(ws == NULL, SPECTRO_ERR_OUT_OF_MEMORY, "out of memory for the STFT workspace (%zu bytes)",
            j.scratch_bytes * (size_t)workers);
  j.scratch = ws_data(ws);
  parallel_for(tasks, workers, forward_task, &j);
  cpu_workspace_return(plan, ws);
  return SPECTRO_OK;
}

/* ---------------------------------------------------------------- inverse */

typedef struct inverse_job {
  const spectro_stft_plan *plan;
  const char *spec;
  size_t real;           /* sizeof(REAL) */
  int64_t n_frames;      /* frames in the spectrum (layout stride) */
  int64_t used;          /* frames that reach the output */
  int64_t lanes, chunk;  /* frames per block, frames per chunk */
  int64_t chunks, tail;  /* chunks per signal, tail samples per chunk */
  int64_t off, length;
  spectro_layout layout;
  inverse_block_fn fn;
  char *out, *tails, *scratch;
  size_t scratch_bytes, acc_bytes;
} inverse_job;

static void copy_real(char *dst, const char *src, int64_t count, size_t real) {
  memcpy(dst, src, (size_t)count * real);
}

/* Phase 1: overlap-add chunk c of signal b. */
static void inverse_chunk(void *ctx, int64_t task, int worker) {
  const inverse_job *j = ctx;
  const spectro_stft_plan *plan = j->plan;
  int64_t b = task / j->chunks, c = task % j->chunks;
  int64_t t0 = c * j->chunk, t1 = t0 + j->chunk < j->used ? t0 + j->chunk : j->used;
  int64_t start = t0 * plan->hop, span = (t1 - t0 - 1) * plan->hop + plan->n_fft;
  char *scratch = j->scratch + (size_t)worker * (j->scratch_bytes + j->acc_bytes);
  char *acc = scratch + j->scratch_bytes;
  memset(acc, 0, (size_t)span * j->real);
  const char *spec_b = j->spec + (size_t)(b * plan->bins * j->n_frames) * 2 * j->real;
  for (int64_t t = t0; t < t1; t += j->lanes) {
    int64_t cnt = t1 - t < j->lanes ? t1 - t : j->lanes;
    j->fn(plan, spec_b, j->n_frames, t, cnt, j->layout, acc, start, scratch);
  }
  int last = c == j->chunks - 1;
  int64_t head = last ? span : j->chunk * plan->hop;
  /* head -> output positions [start, start + head) clipped to [off, off + length) */
  int64_t lo = start > j->off ? start : j->off;
  int64_t hi = start + head < j->off + j->length ? start + head : j->off + j->length;
  char *out_b = j->out + (size_t)(b * j->length) * j->real;
  if (hi > lo) copy_real(out_b + (size_t)(lo - j->off) * j->real, acc + (size_t)(lo - start) * j->real, hi - lo, j->real);
  if (!last && j->tail > 0)
    copy_real(j->tails + (size_t)task * (size_t)j->tail * j->real, acc + (size_t)head * j->real, j->tail, j->real);
}

/* Phase 2: add the predecessor's tail, divide by the envelope (interior:
 * the periodic sums, walked by residue; edges: the direct sum), zero-fill
 * past the last frame. */
#define FINISH_CHUNK(REAL, PERIOD)                                                                    \
  static void finish_chunk_##REAL(void *ctx, int64_t task, int worker) {                              \
    (void)worker;                                                                                     \
    const inverse_job *j = ctx;                                                                       \
    const spectro_stft_plan *plan = j->plan;                                                          \
    const int64_t n = plan->n_fft, hop = plan->hop, off = j->off;                                     \
    int64_t b = task / j->chunks, c = task % j->chunks;                                               \
    int64_t t0 = c * j->chunk, t1 = t0 + j->chunk < j->used ? t0 + j->chunk : j->used;                \
    int64_t start = t0 * hop;                                                                         \
    int last = c == j->chunks - 1;                                                                    \
    int64_t end = last ? off + j->length : start + j->chunk * hop;                                    \
    int64_t covered = (t1 - 1) * hop + n; /* end of this chunk's frames */                           \
    REAL *out_b = (REAL *)j->out + b * j->length; /* out_b[p - off] is padded position p */           \
    if (c > 0 && j->tail > 0) {                                                                       \
      const REAL *tail = (const REAL *)j->tails + (task - 1) * j->tail;                               \
      int64_t lo = start > off ? start : off;                                                         \
      int64_t hi = start + j->tail < off + j->length ? start + j->tail : off + j->length;             \
      for (int64_t p = lo; p < hi; ++p) out_b[p - off] += tail[p - start];                            \
    }                                                                                                 \
    int64_t lo = start > off ? start : off;                                                           \
    int64_t hi = end < off + j->length ? end : off + j->length;                                       \
    /* interior positions: every frame that could cover p exists */                                  \
    int64_t in_lo = n - 1, in_hi = j->n_frames * hop;                                                 \
    const REAL *period = plan->PERIOD; /* float for float output: the division vectorises */        \
    int64_t p = lo;                                                                                   \
    for (; p < hi && p < in_lo; ++p) {                                                                \
      double env = stft_envelope_at(plan, j->n_frames, p);                                            \
      out_b[p - off] = env > 1e-11 ? (REAL)(out_b[p - off] / env) : 0;                                \
    }                                                                                                 \
    int64_t stop = hi < in_hi ? hi : in_hi;                                                           \
    /* runs of consecutive residues: plain loops the compiler vectorises */                        \
    for (int64_t r = p % hop; p < stop;) {                                                            \
      int64_t run = hop - r < stop - p ? hop - r : stop - p;                                          \
      int64_t live = r < n ? (n - r < run ? n - r : run) : 0; /* residues >= n_fft: no window */     \
      REAL *o = out_b + (p - off);                                                                    \
      const REAL *e = period + r;                                                                     \
      for (int64_t i = 0; i < live; ++i) { /* branch-free, so it vectorises */                        \
        REAL d = e[i] > (REAL)1e-11 ? e[i] : 1, q = o[i] / d;                                         \
        o[i] = e[i] > (REAL)1e-11 ? q : 0;                                                            \
      }                                                                                               \
      for (int64_t i = live; i < run; ++i) o[i] = 0;                                                  \
      p += run;                                                                                       \
      r = 0;                                                                                          \
    }                                                                                                 \
    for (; p < hi; ++p) {                                                                             \
      if (p >= covered) {                                                                             \
        out_b[p - off] = 0;                                                                           \
        continue;                                                                                     \
      }                                                                                               \
      double env = stft_envelope_at(plan, j->n_frames, p);                                            \
      out_b[p - off] = env > 1e-11 ? (REAL)(out_b[p - off] / env) : 0;                                \
    }                                                                                                 \
  }
FINISH_CHUNK(float, window_sq_period_f)
FINISH_CHUNK(double, window_sq_period)

spectro_status cpu_stft_inverse(const spectro_stft_plan *plan, const void *spec, spectro_dtype dtype,
                                int64_t batch, int64_t n_frames, spectro_layout layout,
                                int64_t length, void *out) {
  const cpu_kernels *k = plan->kernels;
  const int f64 = dtype == SPECTRO_FLOAT64;
  const int64_t n = plan->n_fft, hop = plan->hop;
  inverse_job j;
  j.plan = plan;
  j.spec = spec;
  j.real = f64 ? sizeof(double) : sizeof(float);
  j.n_frames = n_frames;
  j.off = plan->fr.pad_left;
  j.length = length;
  /* frames starting at or past the output's end contribute nothing */
  int64_t reach = (j.off + length + hop - 1) / hop;
  j.used = reach < n_frames ? (reach < 1 ? 1 : reach) : n_frames;
  j.lanes = f64 ? k->lanes_f64 : k->lanes_f32;
  int64_t cover = (n + hop - 1) / hop; /* C * hop >= n_fft */
  j.chunk = ((cover + j.lanes - 1) / j.lanes) * j.lanes;
  if (j.chunk < 4 * j.lanes) j.chunk = 4 * j.lanes;
  j.chunks = (j.used + j.chunk - 1) / j.chunk;
  j.tail = n > hop ? n - hop : 0;
  j.layout = layout;
  j.fn = f64 ? k->inverse_f64 : k->inverse_f32;
  j.out = out;
  j.scratch_bytes = cpu_block_scratch_bytes(plan);
  j.acc_bytes = (((size_t)((j.chunk - 1) * hop + n) * j.real) + 63) & ~(size_t)63;
  int64_t tasks = batch * j.chunks;
  int workers = parallel_workers(tasks, batch * j.used * n);
  size_t tails_bytes = (((size_t)tasks * (size_t)j.tail * j.real) + 63) & ~(size_t)63;
  size_t total = tails_bytes + (size_t)workers * (j.scratch_bytes + j.acc_bytes);
  void *ws = cpu_workspace_borrow(plan, total);
  RETURN_IF(ws == NULL, SPECTRO_ERR_OUT_OF_MEMORY, "out of memory for the iSTFT workspace (%zu bytes)", total);
  j.tails = ws_data(ws);
  j.scratch = j.tails + tails_bytes;
  parallel_for(tasks, workers, inverse_chunk, &j);
  parallel_for(tasks, workers, f64 ? finish_chunk_double : finish_chunk_float, &j);
  cpu_workspace_return(plan, ws);
  return SPECTRO_OK;
}
