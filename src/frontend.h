/* Frontend plans as the backends see them: an STFT plan plus the sparse
 * filterbank and the scaling of every element. */
#ifndef SPECTRO_FRONTEND_H
#define SPECTRO_FRONTEND_H

#include "spectro.h"
#include "stft_plan.h"

#include <math.h>

typedef struct frontend_spec {
  int64_t rows;  /* spectrum bins used (n_fft/2+1, or n_fft/2 without Nyquist) */
  int64_t bands; /* projection outputs (rows when there is no filterbank) */
  int identity;  /* no filterbank */
  /* band m uses bins start[m] .. start[m]+count[m]-1 with weights at offset[m] */
  int64_t *start, *count, *offset;
  float *wf;
  double *wd;
  int power_kind; /* 0: |X|^2, 1: |X|, 2: |X|^power */
  double power;
  spectro_scale scale;
  spectro_log_mode log_mode;
  double log_amin, log_scale;
  double db_mult, db_amin, db_offset; /* dB = mult log10(max(x, amin)) - offset */
} frontend_spec;

struct spectro_frontend_plan {
  spectro_frontend_config config; /* filterbank pointer cleared */
  spectro_stft_plan *stft;
  frontend_spec spec;
  int64_t features;
  double top_db; /* NaN: none */
  double *dct;   /* n_dct x bands, with the lifter folded in */
  pthread_mutex_t lock;            /* guards cuda[] */
  void *cuda[SPECTRO_MAX_DEVICES]; /* per-device tables (CUDA builds), made on first use */
};

/* One element of the scaling stage (NaN propagates like torch). */
static inline double frontend_scale_value(const frontend_spec *fs, double v) {
  switch (fs->scale) {
  case SPECTRO_SCALE_LOG:
    if (fs->log_mode == SPECTRO_LOG_ADD) return log(v + fs->log_amin);
    if (fs->log_mode == SPECTRO_LOG_LOG1P) return log1p(fs->log_scale * v);
    return log(v < fs->log_amin ? fs->log_amin : v);
  case SPECTRO_SCALE_DB: return fs->db_mult * log10(v < fs->db_amin ? fs->db_amin : v) - fs->db_offset;
  case SPECTRO_SCALE_LOG10_PLUS_ONE: return log10(v + 1.0);
  default: return v;
  }
}

static inline double frontend_power_value(const frontend_spec *fs, double p /* re^2 + im^2 */) {
  return fs->power_kind == 0 ? p : fs->power_kind == 1 ? sqrt(p) : pow(p, 0.5 * fs->power);
}

spectro_status cpu_frontend_execute(const spectro_frontend_plan *plan, const void *signal, spectro_dtype dtype,
                                    int64_t batch, int64_t length, int64_t n_frames, int64_t group, void *out);

#endif
