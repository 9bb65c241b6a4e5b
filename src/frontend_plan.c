/* Public frontend entry points: validate, build the STFT plan, the sparse
 * filterbank and the DCT, dispatch to the CPU backend. */
#include "frontend.h"

#include "core/core.h"
#include "cuda/frontend_cuda.h"
#include "cuda/stft_cuda.h"

#include <math.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

void spectro_frontend_config_init(spectro_frontend_config *c, int64_t n_fft, int64_t hop_length) {
  if (c == NULL) return;
  memset(c, 0, sizeof *c);
  spectro_stft_config_init(&c->stft, n_fft, hop_length);
  c->power = 2.0;
  c->scale = SPECTRO_SCALE_LINEAR;
  c->log_mode = SPECTRO_LOG_CLAMP;
  c->log_amin = 1e-5;
  c->log_scale = 1.0;
  c->db_multiplier = 10.0;
  c->db_amin = 1e-10;
  c->db_ref = 1.0;
  c->top_db = NAN;
  c->dct_ortho = 1;
}

void spectro_frontend_plan_destroy(spectro_frontend_plan *plan) {
  if (plan == NULL) return;
#if defined(SPECTRO_HAVE_CUDA)
  cuda_release_frontend(plan);
#endif
  pthread_mutex_destroy(&plan->lock);
  spectro_stft_plan_destroy(plan->stft);
  spectro_free(plan->spec.start);
  spectro_free(plan->spec.count);
  spectro_free(plan->spec.offset);
  spectro_free(plan->spec.wf);
  spectro_free(plan->spec.wd);
  spectro_free(plan->dct);
  spectro_free(plan);
}

static spectro_status validate(const spectro_frontend_config *c, int64_t bins) {
  RETURN_IF(!(c->power > 0) || !isfinite(c->power), SPECTRO_ERR_INVALID_ARGUMENT, "power must be > 0 (got %g)",
            c->power);
  if (c->filterbank != NULL) {
    RETURN_IF(c->filterbank_rows != bins && c->filterbank_rows != bins - 1, SPECTRO_ERR_SHAPE,
              "filterbank has %lld rows; n_fft=%lld needs n_fft//2+1=%lld (or %lld without the Nyquist bin)",
              (long long)c->filterbank_rows, (long long)c->stft.n_fft, (long long)bins, (long long)(bins - 1));
    RETURN_IF(c->n_bands < 1 || c->n_bands > ((int64_t)1 << 24), SPECTRO_ERR_SHAPE,
              "filterbank must have >= 1 band (got n_bands=%lld)", (long long)c->n_bands);
    for (int64_t i = 0; i < c->filterbank_rows * c->n_bands; ++i)
      RETURN_IF(!isfinite(c->filterbank[i]), SPECTRO_ERR_INVALID_ARGUMENT, "filterbank[%lld][%lld] is not finite",
                (long long)(i / c->n_bands), (long long)(i % c->n_bands));
  }
  RETURN_IF((unsigned)c->scale > SPECTRO_SCALE_LOG10_PLUS_ONE, SPECTRO_ERR_INVALID_ARGUMENT,
            "output_scale must be linear, log, db or log10_plus_one (got %d)", (int)c->scale);
  RETURN_IF((unsigned)c->log_mode > SPECTRO_LOG_LOG1P, SPECTRO_ERR_INVALID_ARGUMENT,
            "log_mode must be clamp, add or log1p (got %d)", (int)c->log_mode);
  RETURN_IF(c->scale == SPECTRO_SCALE_LOG && c->log_mode != SPECTRO_LOG_LOG1P && !(c->log_amin > 0),
            SPECTRO_ERR_INVALID_ARGUMENT, "log_amin must be > 0 (got %g)", c->log_amin);
  RETURN_IF(c->scale == SPECTRO_SCALE_LOG && !isfinite(c->log_scale), SPECTRO_ERR_INVALID_ARGUMENT,
            "log_scale must be finite (got %g)", c->log_scale);
  if (c->scale == SPECTRO_SCALE_DB) {
    RETURN_IF(!(c->db_amin > 0) || !isfinite(c->db_amin), SPECTRO_ERR_INVALID_ARGUMENT, "amin must be > 0 (got %g)",
              c->db_amin);
    RETURN_IF(!(c->db_ref > 0) || !isfinite(c->db_ref), SPECTRO_ERR_INVALID_ARGUMENT, "ref must be > 0 (got %g)",
              c->db_ref);
    RETURN_IF(!(c->db_multiplier > 0) || !isfinite(c->db_multiplier), SPECTRO_ERR_INVALID_ARGUMENT,
              "db multiplier must be > 0 (got %g)", c->db_multiplier);
  }
  RETURN_IF(!isnan(c->top_db) && c->top_db >= 0 && c->scale != SPECTRO_SCALE_DB, SPECTRO_ERR_INVALID_ARGUMENT,
            "top_db needs output_scale='db' (got top_db=%g)", c->top_db);
  RETURN_IF(isinf(c->top_db), SPECTRO_ERR_INVALID_ARGUMENT, "top_db must be finite (got %g)", c->top_db);
  if (c->n_dct > 0) {
    int64_t bands = c->filterbank ? c->n_bands : bins;
    RETURN_IF(c->n_dct > bands, SPECTRO_ERR_INVALID_ARGUMENT, "n_mfcc must be <= n_mels=%lld (got %lld)",
              (long long)bands, (long long)c->n_dct);
    RETURN_IF(c->scale != SPECTRO_SCALE_DB, SPECTRO_ERR_INVALID_ARGUMENT, "MFCC (n_dct > 0) needs output_scale='db'");
    RETURN_IF(!(c->lifter >= 0) || !isfinite(c->lifter), SPECTRO_ERR_INVALID_ARGUMENT, "lifter must be >= 0 (got %g)",
              c->lifter);
  }
  RETURN_IF(c->n_dct < 0, SPECTRO_ERR_INVALID_ARGUMENT, "n_mfcc must be >= 0 (got %lld)", (long long)c->n_dct);
  return SPECTRO_OK;
}

/* Dense [rows][bands] -> per-band contiguous spans of weights. */
static spectro_status build_sparse(frontend_spec *fs, const double *fb, int64_t rows, int64_t bands) {
  fs->start = spectro_alloc_array((size_t)bands, sizeof(int64_t));
  fs->count = spectro_alloc_array((size_t)bands, sizeof(int64_t));
  fs->offset = spectro_alloc_array((size_t)bands, sizeof(int64_t));
  RETURN_IF(!fs->start || !fs->count || !fs->offset, SPECTRO_ERR_OUT_OF_MEMORY, "out of memory for the filterbank");
  int64_t total = 0;
  for (int64_t m = 0; m < bands; ++m) {
    int64_t lo = -1, hi = -1;
    for (int64_t k = 0; k < rows; ++k)
      if (fb[k * bands + m] != 0.0) {
        if (lo < 0) lo = k;
        hi = k;
      }
    fs->start[m] = lo < 0 ? 0 : lo;
    fs->count[m] = lo < 0 ? 0 : hi - lo + 1;
    fs->offset[m] = total;
    total += fs->count[m];
  }
  fs->wf = spectro_alloc_array((size_t)total + 1, sizeof(float));
  fs->wd = spectro_alloc_array((size_t)total + 1, sizeof(double));
  RETURN_IF(!fs->wf || !fs->wd, SPECTRO_ERR_OUT_OF_MEMORY, "out of memory for the filterbank");
  for (int64_t m = 0; m < bands; ++m)
    for (int64_t j = 0; j < fs->count[m]; ++j) {
      double w = fb[(fs->start[m] + j) * bands + m];
      fs->wd[fs->offset[m] + j] = w;
      fs->wf[fs->offset[m] + j] = (float)w;
    }
  return SPECTRO_OK;
}

spectro_status spectro_frontend_plan_create(const spectro_frontend_config *config, spectro_frontend_plan **out) {
  RETURN_IF(out == NULL, SPECTRO_ERR_INVALID_ARGUMENT, "plan: output pointer is NULL");
  *out = NULL;
  RETURN_IF(config == NULL, SPECTRO_ERR_INVALID_ARGUMENT, "config is NULL");
  spectro_frontend_plan *plan = spectro_alloc(sizeof *plan);
  RETURN_IF(plan == NULL, SPECTRO_ERR_OUT_OF_MEMORY, "out of memory creating a frontend plan");
  memset(plan, 0, sizeof *plan);
  if (pthread_mutex_init(&plan->lock, NULL) != 0) {
    spectro_free(plan);
    return spectro_error(SPECTRO_ERR_INTERNAL, "could not create the frontend plan's lock");
  }
  spectro_status st = spectro_stft_plan_create(&config->stft, &plan->stft);
  if (st != SPECTRO_OK) goto fail;
  const int64_t bins = plan->stft->bins;
  st = validate(config, bins);
  if (st != SPECTRO_OK) goto fail;
  plan->config = *config;
  plan->config.filterbank = NULL;
  frontend_spec *fs = &plan->spec;
  if (config->filterbank) {
    fs->rows = config->filterbank_rows;
    fs->bands = config->n_bands;
    st = build_sparse(fs, config->filterbank, fs->rows, fs->bands);
    if (st != SPECTRO_OK) goto fail;
  } else {
    fs->rows = fs->bands = bins;
    fs->identity = 1;
  }
  fs->power = config->power;
  fs->power_kind = config->power == 2.0 ? 0 : config->power == 1.0 ? 1 : 2;
  fs->scale = config->scale;
  fs->log_mode = config->log_mode;
  fs->log_amin = config->log_amin;
  fs->log_scale = config->log_scale;
  fs->db_mult = config->db_multiplier;
  fs->db_amin = config->db_amin;
  fs->db_offset = config->db_multiplier * log10(config->db_amin > config->db_ref ? config->db_amin : config->db_ref);
  plan->top_db = (!isnan(config->top_db) && config->top_db >= 0) ? config->top_db : NAN;
  plan->features = config->n_dct > 0 ? config->n_dct : fs->bands;
  if (config->n_dct > 0) {
    plan->dct = spectro_alloc_array((size_t)(config->n_dct * fs->bands), sizeof(double));
    if (plan->dct == NULL) {
      st = spectro_error(SPECTRO_ERR_OUT_OF_MEMORY, "out of memory for the DCT");
      goto fail;
    }
    st = spectro_dct_matrix(config->n_dct, fs->bands, config->dct_ortho, plan->dct);
    if (st != SPECTRO_OK) goto fail;
    if (config->lifter > 0) /* librosa: 1 + (L / 2) sin(pi (k + 1) / L) */
      for (int64_t k = 0; k < config->n_dct; ++k) {
        double lift = 1.0 + 0.5 * config->lifter * sin(M_PI * (double)(k + 1) / config->lifter);
        for (int64_t m = 0; m < fs->bands; ++m) plan->dct[k * fs->bands + m] *= lift;
      }
  }
  *out = plan;
  return SPECTRO_OK;
fail:
  spectro_frontend_plan_destroy(plan);
  return st;
}

int64_t spectro_frontend_features(const spectro_frontend_plan *plan) { return plan ? plan->features : 0; }

spectro_status spectro_frontend_frames(const spectro_frontend_plan *plan, int64_t length, int64_t *n_frames) {
  RETURN_IF(plan == NULL, SPECTRO_ERR_INVALID_ARGUMENT, "plan is NULL");
  return spectro_stft_frames(plan->stft, length, n_frames);
}

/* The checks shared by the CPU and CUDA entry points; *n_frames is set. */
static spectro_status frontend_check(const spectro_frontend_plan *plan, spectro_dtype signal_dtype, int64_t batch,
                                     int64_t length, int64_t top_db_group, int64_t *n_frames) {
  RETURN_IF(plan == NULL, SPECTRO_ERR_INVALID_ARGUMENT, "plan is NULL");
  RETURN_IF((unsigned)signal_dtype > SPECTRO_BFLOAT16, SPECTRO_ERR_DTYPE,
            "signal dtype must be float32, float64, int16, float16 or bfloat16 (got %d)", (int)signal_dtype);
  RETURN_IF(batch < 0, SPECTRO_ERR_SHAPE, "batch must be >= 0 (got %lld)", (long long)batch);
  spectro_status st = spectro_stft_frames(plan->stft, length, n_frames);
  if (st != SPECTRO_OK) return st;
  RETURN_IF(batch > 0 && (top_db_group < 1 || batch % top_db_group != 0), SPECTRO_ERR_INVALID_ARGUMENT,
            "top_db_group must be >= 1 and divide batch=%lld (got %lld)", (long long)batch, (long long)top_db_group);
  RETURN_IF(batch > 0 && (batch > INT64_MAX / 16 / length ||
                          batch > INT64_MAX / 16 / (plan->features > plan->spec.bands ? plan->features : plan->spec.bands) / *n_frames),
            SPECTRO_ERR_SHAPE, "batch=%lld with length=%lld is too large", (long long)batch, (long long)length);
  return SPECTRO_OK;
}

spectro_status spectro_frontend_execute(const spectro_frontend_plan *plan, const void *signal,
                                        spectro_dtype signal_dtype, int64_t batch, int64_t length,
                                        int64_t top_db_group, void *out) {
  int64_t n_frames;
  spectro_status st = cpu_check_signal_dtype(signal_dtype);
  if (st != SPECTRO_OK) return st;
  st = frontend_check(plan, signal_dtype, batch, length, top_db_group, &n_frames);
  if (st != SPECTRO_OK || batch == 0) return st;
  RETURN_IF(signal == NULL || out == NULL, SPECTRO_ERR_INVALID_ARGUMENT, "signal or out is NULL");
  return cpu_frontend_execute(plan, signal, signal_dtype, batch, length, n_frames, top_db_group, out);
}

/* ---------------------------------------------------------------- CUDA */

#if defined(SPECTRO_HAVE_CUDA)
static spectro_status frontend_check_cuda(const spectro_frontend_plan *plan, spectro_dtype signal_dtype,
                                          int64_t batch, int64_t length, int64_t top_db_group, int64_t *n_frames) {
  spectro_status st = frontend_check(plan, signal_dtype, batch, length, top_db_group, n_frames);
  if (st != SPECTRO_OK) return st;
  RETURN_IF(signal_dtype == SPECTRO_FLOAT64, SPECTRO_ERR_UNSUPPORTED,
            "the CUDA frontends take float32, float16, bfloat16 or int16 signals (got float64)");
  return SPECTRO_OK;
}
#endif

spectro_status spectro_frontend_workspace_cuda(const spectro_frontend_plan *plan, int64_t batch, int64_t length,
                                               int64_t top_db_group, size_t *bytes) {
  RETURN_IF(bytes == NULL, SPECTRO_ERR_INVALID_ARGUMENT, "bytes is NULL");
  *bytes = 0;
#if defined(SPECTRO_HAVE_CUDA)
  int64_t n_frames;
  spectro_status st = frontend_check_cuda(plan, SPECTRO_FLOAT32, batch, length, top_db_group, &n_frames);
  if (st != SPECTRO_OK || batch == 0) return st;
  *bytes = cuda_frontend_workspace(plan, batch, n_frames, top_db_group);
  return SPECTRO_OK;
#else
  (void)plan, (void)batch, (void)length, (void)top_db_group;
  return spectro_error(SPECTRO_ERR_UNSUPPORTED, "spectro was built without the CUDA backend (SPECTRO_CUDA=OFF)");
#endif
}

spectro_status spectro_frontend_execute_cuda(const spectro_frontend_plan *plan, const void *signal,
                                             spectro_dtype signal_dtype, int64_t batch, int64_t length,
                                             int64_t top_db_group, void *out, void *workspace,
                                             size_t workspace_bytes, void *cuda_stream) {
#if defined(SPECTRO_HAVE_CUDA)
  int64_t n_frames;
  spectro_status st = frontend_check_cuda(plan, signal_dtype, batch, length, top_db_group, &n_frames);
  if (st != SPECTRO_OK || batch == 0) return st;
  RETURN_IF(signal == NULL || out == NULL, SPECTRO_ERR_INVALID_ARGUMENT, "signal or out is NULL");
  RETURN_IF(((uintptr_t)workspace & 255) != 0, SPECTRO_ERR_INVALID_ARGUMENT,
            "workspace must be 256-byte aligned device memory (got %p)", workspace);
  size_t need = cuda_frontend_workspace(plan, batch, n_frames, top_db_group);
  RETURN_IF(workspace_bytes < need || (need > 0 && workspace == NULL), SPECTRO_ERR_INVALID_ARGUMENT,
            "workspace must be >= %zu bytes of device memory for this call (got %zu bytes at %p); see "
            "spectro_frontend_workspace_cuda",
            need, workspace_bytes, workspace);
  return cuda_frontend_execute(plan, signal, signal_dtype, batch, length, n_frames, top_db_group, out, workspace,
                               cuda_stream);
#else
  (void)plan, (void)signal, (void)signal_dtype, (void)batch, (void)length, (void)top_db_group, (void)out;
  (void)workspace, (void)workspace_bytes, (void)cuda_stream;
  return spectro_error(SPECTRO_ERR_UNSUPPORTED, "spectro was built without the CUDA backend (SPECTRO_CUDA=OFF)");
#endif
}
