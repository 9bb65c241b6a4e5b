/* Plans and execution for mel / logmel / mfcc (one fused frontend plan)
 * and stft (an STFT plan), configured exactly as the Python classes
 * configure them, so the tool and `import spectro` give the same numbers. */
#include "features.h"

#include "device.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DISPLAY_RANGE_DB 80.0

typedef struct cached_plan {
  double rate;
  void *plan; /* spectro_frontend_plan or spectro_stft_plan */
} cached_plan;

struct feature_engine {
  const cli_options *opt;
  pthread_mutex_t lock; /* guards the cache; plans themselves need no lock */
  cached_plan *plans;
  int count, capacity;
};

const char *feature_array_name(cli_command cmd) { return cmd == CMD_INFO ? "info" : command_name(cmd); }

static int is_stft(const feature_engine *e) { return e->opt->cmd == CMD_STFT; }

void library_error(char *err, size_t cap, spectro_status st) {
  const char *detail = spectro_last_error();
  if (detail[0] == '\0' && st == SPECTRO_ERR_OUT_OF_MEMORY) detail = "the parameters need more memory than there is";
  snprintf(err, cap, "%s: %s", spectro_status_string(st), detail);
}

/* ---------------------------------------------------------------- configs */

/* resolve_fft_params: win_length = n_fft, hop_length = win_length // 4. */
static void stft_config(const feature_params *fp, spectro_stft_config *c) {
  int64_t win = fp->win_length ? fp->win_length : fp->n_fft;
  int64_t hop = fp->hop_length ? fp->hop_length : (win / 4 > 0 ? win / 4 : 1);
  spectro_stft_config_init(c, fp->n_fft, hop);
  c->win_length = win;
  c->window = (spectro_window)fp->window_fn;
  c->periodic = fp->periodic;
  c->center = fp->center;
  c->center_pad_mode = (spectro_pad_mode)fp->center_pad_mode;
  c->center_tail_pad = (spectro_tail)fp->center_tail_pad;
  c->normalized = fp->normalized;
}

static double resolved_f_max(const feature_params *fp, double rate) {
  return isnan(fp->f_max) ? floor(rate / 2) : fp->f_max; /* Python: sample_rate // 2 */
}

/* The scaling part: MelSpectrogramTransform's _mel_plan_kwargs, or
 * MFCCTransform's dB + DCT. */
static void scaling_config(cli_command cmd, const feature_params *fp, spectro_frontend_config *c) {
  c->power = fp->power;
  c->scale = cmd == CMD_MFCC ? SPECTRO_SCALE_DB : (spectro_scale)fp->output_scale;
  if (cmd != CMD_MFCC) {
    c->log_mode = (spectro_log_mode)fp->log_mode;
    c->log_amin = fp->log_amin;
    c->log_scale = fp->log_scale;
  }
  if (c->scale == SPECTRO_SCALE_DB) {
    c->db_multiplier = 10.0;
    c->db_amin = 1e-10;
    c->db_ref = 1.0;
    c->top_db = fp->top_db; /* NaN: no clipping */
  }
  if (cmd == CMD_MFCC) {
    c->n_dct = fp->n_mfcc;
    c->dct_ortho = fp->dct_norm;
    c->lifter = fp->lifter;
  }
}

/* The framing alone, so that a bad n_fft / hop / window is reported by the
 * library before a (possibly huge) dense filterbank is allocated. */
static spectro_status check_framing(const spectro_stft_config *c) {
  spectro_stft_plan *probe = NULL;
  spectro_status st = spectro_stft_plan_create(c, &probe);
  spectro_stft_plan_destroy(probe);
  return st;
}

static spectro_status make_frontend(const cli_options *opt, double rate, spectro_frontend_plan **plan) {
  const feature_params *fp = &opt->fp;
  spectro_frontend_config c;
  spectro_frontend_config_init(&c, fp->n_fft, 1);
  stft_config(fp, &c.stft);
  spectro_status st = check_framing(&c.stft);
  if (st != SPECTRO_OK) return st;
  int64_t bins = fp->n_fft / 2 + 1;
  if ((uint64_t)fp->n_mels > SIZE_MAX / sizeof(double) / (uint64_t)bins) return SPECTRO_ERR_OUT_OF_MEMORY;
  double *fb = malloc((size_t)bins * (size_t)fp->n_mels * sizeof *fb);
  if (fb == NULL) return SPECTRO_ERR_OUT_OF_MEMORY;
  st = spectro_mel_filterbank(bins, rate, fp->n_mels, fp->f_min, resolved_f_max(fp, rate),
                                             (spectro_mel_scale)fp->mel_scale, (spectro_mel_norm)fp->norm,
                                             (spectro_freq_grid)fp->freq_grid, fb);
  if (st == SPECTRO_OK) {
    c.filterbank = fb; /* copied by plan creation */
    c.filterbank_rows = bins;
    c.n_bands = fp->n_mels;
    scaling_config(opt->cmd, fp, &c);
    st = spectro_frontend_plan_create(&c, plan);
  }
  free(fb);
  return st;
}

static spectro_status make_plan(const cli_options *opt, double rate, void **plan) {
  if (opt->cmd == CMD_STFT) {
    spectro_stft_config c;
    stft_config(&opt->fp, &c);
    return spectro_stft_plan_create(&c, (spectro_stft_plan **)plan);
  }
  return make_frontend(opt, rate, (spectro_frontend_plan **)plan);
}

/* ---------------------------------------------------------------- engine */

feature_engine *feature_engine_create(const cli_options *opt) {
  feature_engine *e = calloc(1, sizeof *e);
  if (e == NULL) return NULL;
  e->opt = opt;
  pthread_mutex_init(&e->lock, NULL);
  return e;
}

void feature_engine_destroy(feature_engine *e) {
  if (e == NULL) return;
  for (int i = 0; i < e->count; ++i) {
    if (is_stft(e)) spectro_stft_plan_destroy(e->plans[i].plan);
    else spectro_frontend_plan_destroy(e->plans[i].plan);
  }
  free(e->plans);
  pthread_mutex_destroy(&e->lock);
  free(e);
}

/* The STFT does not depend on the rate: one plan serves every file. */
static void *cached_plan_locked(feature_engine *e, double rate) {
  for (int i = 0; i < e->count; ++i)
    if (is_stft(e) || e->plans[i].rate == rate) return e->plans[i].plan;
  return NULL;
}

static int get_plan(feature_engine *e, double rate, void **plan, char *err, size_t cap) {
  int rc = 0;
  pthread_mutex_lock(&e->lock);
  *plan = cached_plan_locked(e, rate);
  if (*plan == NULL) {
    /* Created under the lock: concurrent workers of one rate wait for the
     * first instead of each measuring (autotune) the same plan. */
    spectro_status st = SPECTRO_ERR_OUT_OF_MEMORY;
    if (e->count == e->capacity) {
      int grown = e->capacity ? 2 * e->capacity : 4;
      cached_plan *p = realloc(e->plans, (size_t)grown * sizeof *p);
      if (p != NULL) {
        e->plans = p;
        e->capacity = grown;
      }
    }
    if (e->count < e->capacity) st = make_plan(e->opt, rate, plan);
    if (st == SPECTRO_OK) e->plans[e->count++] = (cached_plan){rate, *plan};
    else {
      library_error(err, cap, st);
      rc = -1;
    }
  }
  pthread_mutex_unlock(&e->lock);
  return rc;
}

int feature_engine_prepare(feature_engine *e, double rate, char *err, size_t cap) {
  void *plan;
  return get_plan(e, rate, &plan, err, cap);
}

/* ---------------------------------------------------------------- compute */

/* channels * rows * frames * per floats, or NULL when that does not fit. */
static float *alloc_output(const feature_output *o, int64_t per) {
  uint64_t n = (uint64_t)per;
  const int64_t dims[3] = {o->channels, o->rows, o->frames};
  for (int i = 0; i < 3; ++i) {
    if (dims[i] < 0 || (dims[i] > 0 && n > SIZE_MAX / sizeof(float) / (uint64_t)dims[i])) return NULL;
    n *= (uint64_t)dims[i];
  }
  return malloc(n ? (size_t)n * sizeof(float) : 1);
}

static int compute_stft(const spectro_stft_plan *plan, int cuda, const audio_buffer *a, feature_output *o, char *err,
                        size_t cap) {
  spectro_status st = spectro_stft_frames(plan, a->frames, &o->frames);
  if (st != SPECTRO_OK) goto fail;
  o->rows = spectro_stft_bins(plan);
  o->complex_values = 1;
  o->data = alloc_output(o, 2);
  if (o->data == NULL) {
    snprintf(err, cap, "out of memory for the STFT");
    return -1;
  }
  if (cuda) return device_stft(plan, a->samples, o->channels, a->frames, o->frames, o->rows, o->data, err, cap);
  st = spectro_stft_execute(plan, a->samples, SPECTRO_FLOAT32, o->channels, a->frames, o->data, SPECTRO_LAYOUT_BFN);
  if (st == SPECTRO_OK) return 0;
fail:
  library_error(err, cap, st);
  return -1;
}

static int compute_frontend(const spectro_frontend_plan *plan, int mode, int cuda, const audio_buffer *a,
                            feature_output *o, char *err, size_t cap) {
  spectro_status st = spectro_frontend_frames(plan, a->frames, &o->frames);
  if (st != SPECTRO_OK) goto fail;
  o->rows = spectro_frontend_features(plan);
  o->data = alloc_output(o, 1);
  if (o->data == NULL) {
    snprintf(err, cap, "out of memory for the features");
    return -1;
  }
  /* torchaudio_compat on [channels, T] input: one maximum for the batch */
  int64_t group = mode == GROUP_PACKED ? o->channels : 1;
  if (cuda)
    return device_frontend(plan, a->samples, o->channels, a->frames, group, o->frames, o->rows, o->data, err, cap);
  st = spectro_frontend_execute(plan, a->samples, SPECTRO_FLOAT32, o->channels, a->frames, group, o->data);
  if (st == SPECTRO_OK) return 0;
fail:
  library_error(err, cap, st);
  return -1;
}

int feature_compute(feature_engine *e, const audio_buffer *a, feature_output *out, char *err, size_t cap) {
  memset(out, 0, sizeof *out);
  void *plan;
  if (get_plan(e, a->sample_rate, &plan, err, cap) != 0) return -1;
  spectro_stft_config c;
  stft_config(&e->opt->fp, &c);
  out->channels = a->channels;
  out->sample_rate = a->sample_rate;
  out->hop_length = c.hop_length;
  out->time_offset = c.center ? 0.0 : (double)(c.n_fft / 2) / a->sample_rate;
  const int cuda = e->opt->device_cuda;
  int rc = is_stft(e) ? compute_stft(plan, cuda, a, out, err, cap)
                      : compute_frontend(plan, e->opt->fp.mode, cuda, a, out, err, cap);
  if (rc != 0) feature_output_free(out);
  return rc;
}

void feature_output_free(feature_output *o) {
  free(o->data);
  o->data = NULL;
}

/* ---------------------------------------------------------------- pictures */

static double hz_to_mel(double f, int scale) {
  if (scale == SPECTRO_MEL_HTK) return 2595.0 * log10(1.0 + f / 700.0);
  const double f_sp = 200.0 / 3, min_log_hz = 1000.0, logstep = log(6.4) / 27.0;
  return f < min_log_hz ? f / f_sp : min_log_hz / f_sp + log(f / min_log_hz) / logstep;
}

static double mel_to_hz(double m, int scale) {
  if (scale == SPECTRO_MEL_HTK) return 700.0 * (pow(10.0, m / 2595.0) - 1.0);
  const double f_sp = 200.0 / 3, min_log_hz = 1000.0, logstep = log(6.4) / 27.0;
  const double min_log_mel = min_log_hz / f_sp;
  return m < min_log_mel ? f_sp * m : min_log_hz * exp(logstep * (m - min_log_mel));
}

/* Centre frequency of every row: STFT bins, or mel band centres. */
static double *row_frequencies(const cli_options *opt, const feature_output *o) {
  double *hz = malloc((size_t)o->rows * sizeof *hz);
  if (hz == NULL || opt->cmd == CMD_MFCC) return hz;
  const feature_params *fp = &opt->fp;
  if (opt->cmd == CMD_STFT) {
    for (int64_t k = 0; k < o->rows; ++k) hz[k] = (double)k * o->sample_rate / (double)fp->n_fft;
    return hz;
  }
  double lo = hz_to_mel(fp->f_min, fp->mel_scale), hi = hz_to_mel(resolved_f_max(fp, o->sample_rate), fp->mel_scale);
  for (int64_t k = 0; k < o->rows; ++k)
    hz[k] = mel_to_hz(lo + (hi - lo) * (double)(k + 1) / (double)(o->rows + 1), fp->mel_scale);
  return hz;
}

/* How to turn the output values into decibels: 0 = already dB, 1 = linear
 * |X|^power, 2 = natural log of it, 3 = no dB meaning (shown raw). */
static int display_kind(const cli_options *opt) {
  if (opt->cmd == CMD_STFT) return 1;
  if (opt->cmd == CMD_MFCC) return 3;
  switch (opt->fp.output_scale) {
  case SPECTRO_SCALE_DB: return 0;
  case SPECTRO_SCALE_LINEAR: return 1;
  default: return opt->fp.log_mode == SPECTRO_LOG_LOG1P ? 3 : 2;
  }
}

static void display_values(const cli_options *opt, const feature_output *o, float *v, size_t n) {
  int kind = display_kind(opt);
  double power = opt->cmd == CMD_STFT ? 2.0 : opt->fp.power;
  double mult = 20.0 / power; /* 10 log10 of power, 20 log10 of magnitude */
  for (size_t i = 0; i < n; ++i) {
    double x = o->complex_values ? (double)o->data[2 * i] * o->data[2 * i] + (double)o->data[2 * i + 1] * o->data[2 * i + 1]
                                 : o->data[i];
    if (kind == 1) x = mult * log10(fmax(x, 1e-10));
    else if (kind == 2) x = x * mult / log(10.0);
    v[i] = (float)x;
  }
}

static void value_range(const float *v, size_t n, double *lo, double *hi) {
  *lo = INFINITY;
  *hi = -INFINITY;
  for (size_t i = 0; i < n; ++i)
    if (isfinite(v[i])) {
      *lo = fmin(*lo, v[i]);
      *hi = fmax(*hi, v[i]);
    }
  if (!isfinite(*lo)) *lo = *hi = 0.0;
}

int feature_picture(const cli_options *opt, const feature_output *o, picture *pic, char *err, size_t cap) {
  memset(pic, 0, sizeof *pic);
  size_t n = (size_t)(o->channels * o->rows * o->frames);
  float *v = malloc(n * sizeof *v);
  double *hz = row_frequencies(opt, o);
  if (v == NULL || hz == NULL) {
    free(v);
    free(hz);
    snprintf(err, cap, "out of memory for the picture");
    return -1;
  }
  display_values(opt, o, v, n);
  int kind = display_kind(opt);
  value_range(v, n, &pic->vmin, &pic->vmax);
  if (kind != 3) { /* dB: show the top 80 dB (or top_db) below the peak */
    double span = (opt->cmd != CMD_STFT && !isnan(opt->fp.top_db) && opt->fp.top_db > 0) ? opt->fp.top_db
                                                                                          : DISPLAY_RANGE_DB;
    pic->vmin = pic->vmax - span;
  }
  pic->values = v;
  pic->channels = o->channels;
  pic->rows = o->rows;
  pic->frames = o->frames;
  pic->frame_seconds = (double)o->hop_length / o->sample_rate;
  pic->time_offset = o->time_offset;
  if (opt->cmd == CMD_MFCC) free(hz);
  pic->row_hz = opt->cmd == CMD_MFCC ? NULL : hz;
  pic->row_label = opt->cmd == CMD_MFCC ? "MFCC" : "Hz";
  pic->value_label = kind == 3 ? "" : "dB";
  return 0;
}

void feature_picture_free(picture *pic) {
  free((void *)pic->values);
  free((void *)pic->row_hz);
  memset(pic, 0, sizeof *pic);
}
