/* Public STFT entry points: validate, build the plan, dispatch to the CPU
 * backend. */
#include "stft_plan.h"

#include "core/core.h"
#include "cuda/stft_cuda.h"

#include <math.h>
#include <string.h>

#define MAX_N_FFT ((int64_t)1 << 26)

void spectro_stft_config_init(spectro_stft_config *config, int64_t n_fft, int64_t hop_length) {
  if (config == NULL) return;
  memset(config, 0, sizeof *config);
  config->n_fft = n_fft;
  config->hop_length = hop_length;
  config->win_length = n_fft;
  config->window = SPECTRO_WINDOW_HANN;
  config->periodic = 1;
  config->center = 1;
  config->center_pad_mode = SPECTRO_PAD_REFLECT;
  config->center_tail_pad = SPECTRO_TAIL_SYMMETRIC;
  config->normalized = 0;
}

static spectro_status validate_config(const spectro_stft_config *c) {
  RETURN_IF(c->n_fft < 1 || c->n_fft > MAX_N_FFT, SPECTRO_ERR_INVALID_ARGUMENT,
            "n_fft must be in [1, %lld] (got %lld)", (long long)MAX_N_FFT, (long long)c->n_fft);
  RETURN_IF(c->hop_length < 1, SPECTRO_ERR_INVALID_ARGUMENT, "hop_length must be >= 1 (got %lld)",
            (long long)c->hop_length);
  RETURN_IF(c->win_length < 1 || c->win_length > c->n_fft, SPECTRO_ERR_INVALID_ARGUMENT,
            "win_length must be in [1, n_fft] (got win_length=%lld, n_fft=%lld)",
            (long long)c->win_length, (long long)c->n_fft);
  RETURN_IF((unsigned)c->window > SPECTRO_WINDOW_CUSTOM, SPECTRO_ERR_INVALID_ARGUMENT,
            "window must be a spectro_window value (got %d)", (int)c->window);
  if (c->window == SPECTRO_WINDOW_CUSTOM) {
    RETURN_IF(c->custom_window == NULL, SPECTRO_ERR_INVALID_ARGUMENT,
              "window: custom_window is NULL with window=SPECTRO_WINDOW_CUSTOM");
    RETURN_IF(c->custom_window_length != c->win_length && c->custom_window_length != c->n_fft,
              SPECTRO_ERR_INVALID_ARGUMENT,
              "window length must be win_length (%lld) or n_fft (%lld) (got %lld)",
              (long long)c->win_length, (long long)c->n_fft, (long long)c->custom_window_length);
    for (int64_t i = 0; i < c->custom_window_length; ++i)
      RETURN_IF(!isfinite(c->custom_window[i]), SPECTRO_ERR_INVALID_ARGUMENT,
                "window[%lld] is not finite (%g)", (long long)i, c->custom_window[i]);
  }
  RETURN_IF((unsigned)c->center_pad_mode > SPECTRO_PAD_CONSTANT, SPECTRO_ERR_INVALID_ARGUMENT,
            "center_pad_mode must be reflect or constant (got %d)", (int)c->center_pad_mode);
  RETURN_IF((unsigned)c->center_tail_pad > SPECTRO_TAIL_MINIMAL, SPECTRO_ERR_INVALID_ARGUMENT,
            "center_tail_pad must be symmetric or minimal (got %d)", (int)c->center_tail_pad);
  RETURN_IF(c->center && c->center_pad_mode == SPECTRO_PAD_REFLECT &&
                c->center_tail_pad == SPECTRO_TAIL_MINIMAL,
            SPECTRO_ERR_INVALID_ARGUMENT,
            "center_tail_pad='minimal' requires center_pad_mode='constant' (got 'reflect')");
  return SPECTRO_OK;
}

void spectro_stft_plan_destroy(spectro_stft_plan *plan) {
  if (plan == NULL) return;
  cpu_release_workspaces(plan);
#if defined(SPECTRO_HAVE_CUDA)
  cuda_release_plan(plan);
#endif
  spectro_fft_plan_destroy(plan->fft);
  spectro_free(plan->window_d);
  spectro_free(plan->window_f);
  spectro_free(plan->window_sq_period);
  spectro_free(plan->window_sq_period_f);
  pthread_mutex_destroy(&plan->lock);
  spectro_free(plan);
}

spectro_status spectro_stft_plan_create(const spectro_stft_config *config, spectro_stft_plan **out) {
  RETURN_IF(out == NULL, SPECTRO_ERR_INVALID_ARGUMENT, "plan: output pointer is NULL");
  *out = NULL;
  RETURN_IF(config == NULL, SPECTRO_ERR_INVALID_ARGUMENT, "config is NULL");
  spectro_status st = validate_config(config);
  if (st != SPECTRO_OK) return st;

  spectro_stft_plan *plan = spectro_alloc(sizeof *plan);
  RETURN_IF(plan == NULL, SPECTRO_ERR_OUT_OF_MEMORY, "out of memory creating an STFT plan");
  memset(plan, 0, sizeof *plan);
  if (pthread_mutex_init(&plan->lock, NULL) != 0) {
    spectro_free(plan);
    return spectro_error(SPECTRO_ERR_INTERNAL, "could not create the plan's lock");
  }
  plan->config = *config;
  plan->config.custom_window = NULL;
  const int64_t n = config->n_fft, hop = config->hop_length, wl = config->win_length;
  plan->n_fft = n;
  plan->hop = hop;
  plan->bins = n / 2 + 1;
  plan->fr.n_fft = n;
  plan->fr.hop = hop;
  plan->fr.center = config->center != 0;
  plan->fr.pad_mode = config->center_pad_mode;
  plan->fr.tail = config->center_tail_pad;
  plan->fr.pad_left = config->center ? n / 2 : 0;
  plan->forward_scale = config->normalized ? 1.0 / sqrt((double)n) : 1.0;

  plan->window_d = spectro_alloc_array((size_t)n, sizeof(double));
  plan->window_f = spectro_alloc_array((size_t)n, sizeof(float));
  /* residues r >= n_fft (hop > n_fft) have an empty envelope: keep only
   * min(hop, n_fft) sums so plan memory does not grow with hop */
  const int64_t period = hop < n ? hop : n;
  plan->window_sq_period = spectro_alloc_array((size_t)period, sizeof(double));
  plan->window_sq_period_f = spectro_alloc_array((size_t)period, sizeof(float));
  if (plan->window_d == NULL || plan->window_f == NULL || plan->window_sq_period == NULL ||
      plan->window_sq_period_f == NULL) {
    spectro_stft_plan_destroy(plan);
    return spectro_error(SPECTRO_ERR_OUT_OF_MEMORY, "out of memory creating an STFT plan (n_fft=%lld)",
                         (long long)n);
  }
  memset(plan->window_d, 0, (size_t)n * sizeof(double));
  if (config->window == SPECTRO_WINDOW_CUSTOM && config->custom_window_length == n) {
    memcpy(plan->window_d, config->custom_window, (size_t)n * sizeof(double));
  } else {
    int64_t left = (n - wl) / 2; /* torch / librosa pad_center */
    if (config->window == SPECTRO_WINDOW_CUSTOM)
      memcpy(plan->window_d + left, config->custom_window, (size_t)wl * sizeof(double));
    else
      window_fill(config->window, config->periodic, wl, plan->window_d + left);
  }
  for (int64_t i = 0; i < n; ++i) plan->window_f[i] = (float)plan->window_d[i];
  plan->min_period = hop > n ? 0.0 : INFINITY;
  for (int64_t r = 0; r < period; ++r) {
    double s = 0.0;
    for (int64_t j = r; j < n; j += hop) s += plan->window_d[j] * plan->window_d[j];
    plan->window_sq_period[r] = s;
    plan->window_sq_period_f[r] = (float)s;
    if (s < plan->min_period) plan->min_period = s;
  }
  st = fft_plan_create(n, &plan->fft);
  if (st != SPECTRO_OK) {
    spectro_stft_plan_destroy(plan);
    return st;
  }
  /* (Bluestein sizes too: the lane kernels run their Bluestein lane-parallel, block_instantiate.h) */
  plan->kernels = cpu_kernels_for_plan(plan);
  *out = plan;
  return SPECTRO_OK;
}

int64_t spectro_stft_bins(const spectro_stft_plan *plan) { return plan ? plan->bins : 0; }

const char *spectro_stft_plan_kernels(const spectro_stft_plan *plan) {
  return plan && plan->kernels ? plan->kernels->name : "";
}

spectro_status spectro_stft_frames(const spectro_stft_plan *plan, int64_t length, int64_t *n_frames) {
  RETURN_IF(plan == NULL || n_frames == NULL, SPECTRO_ERR_INVALID_ARGUMENT, "plan or n_frames is NULL");
  return framing_frames(&plan->fr, length, n_frames);
}

spectro_status spectro_stft_window(const spectro_stft_plan *plan, double *out, int64_t out_length) {
  RETURN_IF(plan == NULL || out == NULL, SPECTRO_ERR_INVALID_ARGUMENT, "plan or out is NULL");
  RETURN_IF(out_length < plan->n_fft, SPECTRO_ERR_SHAPE, "out_length must be >= n_fft=%lld (got %lld)",
            (long long)plan->n_fft, (long long)out_length);
  memcpy(out, plan->window_d, (size_t)plan->n_fft * sizeof(double));
  return SPECTRO_OK;
}

/* a * b * c without overflow, or -1 */
static int64_t checked_product(int64_t a, int64_t b, int64_t c) {
  if (a < 0 || b < 0 || c < 0) return -1;
  if (b != 0 && a > INT64_MAX / 16 / b) return -1;
  int64_t ab = a * b;
  if (c != 0 && ab > INT64_MAX / 16 / c) return -1;
  return ab * c;
}

static spectro_status check_layout(spectro_layout layout) {
  RETURN_IF(layout != SPECTRO_LAYOUT_BFN && layout != SPECTRO_LAYOUT_BNF, SPECTRO_ERR_INVALID_ARGUMENT,
            "layout must be SPECTRO_LAYOUT_BFN or SPECTRO_LAYOUT_BNF (got %d)", (int)layout);
  return SPECTRO_OK;
}

spectro_status stft_check_forward(const spectro_stft_plan *plan, spectro_dtype signal_dtype, int64_t batch,
                                  int64_t length, spectro_layout layout, int64_t *n_frames) {
  RETURN_IF(plan == NULL, SPECTRO_ERR_INVALID_ARGUMENT, "plan is NULL");
  RETURN_IF((unsigned)signal_dtype > SPECTRO_BFLOAT16, SPECTRO_ERR_DTYPE,
            "signal dtype must be float32, float64, int16, float16 or bfloat16 (got %d)", (int)signal_dtype);
  spectro_status st = check_layout(layout);
  if (st != SPECTRO_OK) return st;
  RETURN_IF(batch < 0, SPECTRO_ERR_SHAPE, "batch must be >= 0 (got %lld)", (long long)batch);
  st = framing_frames(&plan->fr, length, n_frames);
  if (st != SPECTRO_OK) return st;
  RETURN_IF(checked_product(batch, length, 1) < 0 || checked_product(batch, plan->bins, *n_frames) < 0,
            SPECTRO_ERR_SHAPE, "batch=%lld with length=%lld is too large", (long long)batch,
            (long long)length);
  return SPECTRO_OK;
}

spectro_status cpu_check_signal_dtype(spectro_dtype signal_dtype) {
  RETURN_IF(signal_dtype == SPECTRO_FLOAT16 || signal_dtype == SPECTRO_BFLOAT16, SPECTRO_ERR_DTYPE,
            "float16 / bfloat16 signals are taken by the CUDA entry points only (got dtype %d); convert to float32",
            (int)signal_dtype);
  return SPECTRO_OK;
}

spectro_status spectro_stft_execute(const spectro_stft_plan *plan, const void *signal,
                                    spectro_dtype signal_dtype, int64_t batch, int64_t length,
                                    void *out, spectro_layout layout) {
  int64_t n_frames;
  spectro_status st = cpu_check_signal_dtype(signal_dtype);
  if (st != SPECTRO_OK) return st;
  st = stft_check_forward(plan, signal_dtype, batch, length, layout, &n_frames);
  if (st != SPECTRO_OK || batch == 0) return st;
  RETURN_IF(signal == NULL || out == NULL, SPECTRO_ERR_INVALID_ARGUMENT, "signal or out is NULL");
  return cpu_stft_forward(plan, signal, signal_dtype, batch, length, n_frames, out, layout);
}

spectro_status spectro_istft_natural_length(const spectro_stft_plan *plan, int64_t n_frames,
                                            int64_t *length) {
  RETURN_IF(plan == NULL || length == NULL, SPECTRO_ERR_INVALID_ARGUMENT, "plan or length is NULL");
  RETURN_IF(n_frames < 1, SPECTRO_ERR_SHAPE, "n_frames must be >= 1 (got %lld)", (long long)n_frames);
  RETURN_IF(plan->fr.center && plan->fr.tail == SPECTRO_TAIL_MINIMAL, SPECTRO_ERR_INVALID_ARGUMENT,
            "length is required for the inverse when center_tail_pad='minimal'");
  RETURN_IF(n_frames > (INT64_MAX / 16 - plan->n_fft) / plan->hop, SPECTRO_ERR_SHAPE,
            "n_frames=%lld is too large for hop_length=%lld", (long long)n_frames, (long long)plan->hop);
  int64_t full = plan->n_fft + plan->hop * (n_frames - 1);
  int64_t natural = plan->fr.center ? full - 2 * plan->fr.pad_left : full;
  RETURN_IF(natural < 1, SPECTRO_ERR_SHAPE,
            "the inverse of %lld frame(s) with n_fft=%lld, hop_length=%lld has no samples after removing "
            "the centre padding; pass an explicit length",
            (long long)n_frames, (long long)plan->n_fft, (long long)plan->hop);
  *length = natural;
  return SPECTRO_OK;
}

/* Decide once per (n_frames, length) whether the envelope has a gap in the
 * output region; later calls read the cached verdict. */
static coverage_entry coverage_lookup(spectro_stft_plan *plan, int64_t n_frames, int64_t length,
                                      int mark_warned, int *first_warning) {
  coverage_entry result;
  *first_warning = 0;
  pthread_mutex_lock(&plan->lock);
  for (int i = 0; i < plan->coverage_count; ++i) {
    coverage_entry *e = &plan->coverage[i];
    if (e->n_frames == n_frames && e->length == length) {
      if (mark_warned && e->gap && !e->warned) {
        e->warned = 1;
        *first_warning = 1;
      }
      result = *e;
      pthread_mutex_unlock(&plan->lock);
      return result;
    }
  }
  pthread_mutex_unlock(&plan->lock);

  const int64_t off = plan->fr.pad_left, n = plan->n_fft, hop = plan->hop;
  const int64_t full = n + hop * (n_frames - 1);
  int64_t end = off + length < full ? off + length : full; /* padded positions [off, end) */
  double lowest = INFINITY;
  /* interior positions [n-1, (n_frames-1)*hop + hop) use the periodic sums */
  int64_t in_lo = n - 1, in_hi = n_frames * hop; /* exclusive */
  for (int64_t p = off; p < end;) {
    if (p >= in_lo && p < in_hi) {
      int64_t stop = in_hi < end ? in_hi : end;
      if (stop - p >= hop) { /* every residue of the hop appears: periodic min */
        if (plan->min_period < lowest) lowest = plan->min_period;
        p = stop;
        continue;
      }
    }
    double env = stft_envelope_at(plan, n_frames, p);
    if (env < lowest) lowest = env;
    ++p;
  }
  result.n_frames = n_frames;
  result.length = length;
  result.min_envelope = lowest;
  result.gap = lowest <= 1e-11;
  result.warned = mark_warned && result.gap;
  *first_warning = result.warned;
  pthread_mutex_lock(&plan->lock);
  /* another thread may have inserted it meanwhile: keep one copy */
  int found = 0;
  for (int i = 0; i < plan->coverage_count; ++i)
    if (plan->coverage[i].n_frames == n_frames && plan->coverage[i].length == length) {
      found = 1;
      if (plan->coverage[i].warned) *first_warning = 0;
      plan->coverage[i].warned |= result.warned;
    }
  if (!found) {
    int slot = plan->coverage_count < COVERAGE_CACHE_SIZE ? plan->coverage_count++ : plan->coverage_next;
    plan->coverage[slot] = result;
    plan->coverage_next = (slot + 1) % COVERAGE_CACHE_SIZE;
  }
  pthread_mutex_unlock(&plan->lock);
  return result;
}

spectro_status stft_check_inverse(const spectro_stft_plan *plan, spectro_dtype dtype, int64_t batch, int64_t n_bins,
                                  int64_t n_frames, spectro_layout layout, int64_t *length_io, unsigned flags) {
  RETURN_IF(plan == NULL, SPECTRO_ERR_INVALID_ARGUMENT, "plan is NULL");
  RETURN_IF(dtype != SPECTRO_FLOAT32 && dtype != SPECTRO_FLOAT64, SPECTRO_ERR_DTYPE,
            "spectrum dtype must be float32 (complex64) or float64 (complex128) (got %d)", (int)dtype);
  spectro_status st = check_layout(layout);
  if (st != SPECTRO_OK) return st;
  RETURN_IF(batch < 0, SPECTRO_ERR_SHAPE, "batch must be >= 0 (got %lld)", (long long)batch);
  RETURN_IF(n_bins != plan->bins, SPECTRO_ERR_SHAPE,
            "spectrum has %lld frequency bins; n_fft=%lld needs n_fft//2+1=%lld", (long long)n_bins,
            (long long)plan->n_fft, (long long)plan->bins);
  RETURN_IF(n_frames < 1, SPECTRO_ERR_SHAPE, "n_frames must be >= 1 (got %lld)", (long long)n_frames);
  RETURN_IF(flags & ~SPECTRO_ISTFT_VALIDATE, SPECTRO_ERR_INVALID_ARGUMENT, "unknown flags 0x%x", flags);
  RETURN_IF((flags & SPECTRO_ISTFT_VALIDATE) && plan->hop > plan->config.win_length, SPECTRO_ERR_WINDOW_COVERAGE,
            "hop_length=%lld > win_length=%lld leaves gaps between windows (torch.istft requires "
            "0 < hop_length <= win_length)",
            (long long)plan->hop, (long long)plan->config.win_length);
  int64_t length = *length_io;
  if (length < 0) {
    st = spectro_istft_natural_length(plan, n_frames, &length);
    if (st != SPECTRO_OK) return st;
  }
  RETURN_IF(checked_product(batch, length, 1) < 0 || checked_product(batch, n_bins, n_frames) < 0 ||
                checked_product(plan->hop, n_frames, 1) < 0,
            SPECTRO_ERR_SHAPE, "batch=%lld, n_frames=%lld, length=%lld is too large", (long long)batch,
            (long long)n_frames, (long long)length);
  *length_io = length;
  if (batch == 0 || length == 0) return SPECTRO_OK;
  int first_warning = 0;
  coverage_entry cov = coverage_lookup((spectro_stft_plan *)plan, n_frames, length,
                                       !(flags & SPECTRO_ISTFT_VALIDATE), &first_warning);
  RETURN_IF(cov.gap && (flags & SPECTRO_ISTFT_VALIDATE), SPECTRO_ERR_WINDOW_COVERAGE,
            "window overlap-add envelope falls to %.3g (<= 1e-11) with n_fft=%lld, hop_length=%lld, "
            "win_length=%lld, n_frames=%lld, length=%lld: the window does not cover the signal (NOLA)",
            cov.min_envelope, (long long)plan->n_fft, (long long)plan->hop,
            (long long)plan->config.win_length, (long long)n_frames, (long long)length);
  if (first_warning)
    spectro_warn("istft: the window overlap-add envelope falls to %.3g (<= 1e-11) with n_fft=%lld, "
                 "hop_length=%lld, win_length=%lld; output samples there are set to 0",
                 cov.min_envelope, (long long)plan->n_fft, (long long)plan->hop,
                 (long long)plan->config.win_length);
  return SPECTRO_OK;
}

spectro_status spectro_istft_execute(const spectro_stft_plan *plan, const void *spec, spectro_dtype dtype,
                                     int64_t batch, int64_t n_bins, int64_t n_frames,
                                     spectro_layout layout, int64_t length, unsigned flags, void *out) {
  spectro_status st = stft_check_inverse(plan, dtype, batch, n_bins, n_frames, layout, &length, flags);
  if (st != SPECTRO_OK || batch == 0 || length == 0) return st;
  RETURN_IF(spec == NULL || out == NULL, SPECTRO_ERR_INVALID_ARGUMENT, "spec or out is NULL");
  return cpu_stft_inverse(plan, spec, dtype, batch, n_frames, layout, length, out);
}
