/* The STFT plan as every backend sees it. */
#ifndef SPECTRO_STFT_PLAN_H
#define SPECTRO_STFT_PLAN_H

#include "spectro.h"
#include "dsp/dsp.h"
#include "fft/fft.h"
#include "cpu/cpu_kernels.h"

#include <pthread.h>

#define COVERAGE_CACHE_SIZE 32
#define SPECTRO_MAX_DEVICES 16

typedef struct coverage_entry {
  int64_t n_frames, length; /* length: output samples asked for */
  int gap;                  /* 1: envelope <= 1e-11 somewhere in the output */
  double min_envelope;
  int warned;
} coverage_entry;

struct spectro_stft_plan {
  spectro_stft_config config; /* custom_window cleared */
  framing fr;
  int64_t n_fft, hop, bins;
  double *window_d; /* n_fft, zero-padded and centred */
  float *window_f;
  double *window_sq_period; /* min(hop, n_fft) values: sum_j w^2[r + j hop] (interior envelope) */
  float *window_sq_period_f; /* the same in float, for float32 output */
  double min_period;        /* min of window_sq_period */
  double forward_scale;     /* 1 or 1/sqrt(n_fft) */
  spectro_fft_plan *fft;
  const cpu_kernels *kernels; /* block kernels for this CPU and size */
  pthread_mutex_t lock;        /* guards the coverage cache and the workspace pool */
  void *ws_pool;               /* borrowed per call, so execute allocates nothing */
  int ws_pooled;
  void *cuda[SPECTRO_MAX_DEVICES]; /* per-device tables (CUDA builds), made on first use */
  coverage_entry coverage[COVERAGE_CACHE_SIZE];
  int coverage_count, coverage_next;
};

/* Shared validation of the public entry points (CPU and CUDA). */
/* The CPU entry points' refusal of the CUDA-only signal dtypes. */
spectro_status cpu_check_signal_dtype(spectro_dtype signal_dtype);
spectro_status stft_check_forward(const spectro_stft_plan *plan, spectro_dtype dtype, int64_t batch, int64_t length,
                                  spectro_layout layout, int64_t *n_frames);
/* Validates an inverse call, resolves length < 0 to the natural length, and
 * applies the cached coverage verdict (error with validation, warn once
 * without). */
spectro_status stft_check_inverse(const spectro_stft_plan *plan, spectro_dtype dtype, int64_t batch, int64_t n_bins,
                                  int64_t n_frames, spectro_layout layout, int64_t *length, unsigned flags);

/* Envelope sum_f w^2[p - f hop] at padded position p for n_frames frames. */
double stft_envelope_at(const spectro_stft_plan *plan, int64_t n_frames, int64_t p);

/* CPU execution; arguments already validated. */
void cpu_release_workspaces(spectro_stft_plan *plan);
/* Borrow a workspace of at least `size` bytes from the plan's pool (NULL on
 * OOM); give it back after the call.  Thread-safe. */
void *cpu_workspace_borrow(const spectro_stft_plan *plan, size_t size);
void cpu_workspace_return(const spectro_stft_plan *plan, void *ws);
void *cpu_workspace_data(void *ws);
spectro_status cpu_stft_forward(const spectro_stft_plan *plan, const void *signal, spectro_dtype dtype,
                                int64_t batch, int64_t length, int64_t n_frames, void *out,
                                spectro_layout layout);
spectro_status cpu_stft_inverse(const spectro_stft_plan *plan, const void *spec, spectro_dtype dtype,
                                int64_t batch, int64_t n_frames, spectro_layout layout,
                                int64_t length, void *out);

#endif
