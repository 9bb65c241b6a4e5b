/* Frontend plans against a float64 statement of the same pipeline built
 * from the library's own STFT at float64 (validated in test_stft.c against
 * a direct DFT): power, dense filterbank product, scaling, top_db groups,
 * DCT + lifter.  Plus thread-count identity, steady-state allocation and
 * bad parameters. */
#include "test_util.h"

#include <stdlib.h>
#include <string.h>

static size_t allocations;
static void *counting_alloc(void *o, size_t n) {
  (void)o;
  ++allocations;
  return malloc(n);
}
static void counting_free(void *o, void *p) {
  (void)o;
  free(p);
}

/* reference features [B][K][N] in double */
static double *reference(const spectro_frontend_config *c, const double *fb, int64_t bands, const double *x,
                         int64_t B, int64_t T, int64_t group, int64_t *frames_out) {
  spectro_stft_plan *sp = NULL;
  spectro_stft_plan_create(&c->stft, &sp);
  int64_t N, F = spectro_stft_bins(sp);
  spectro_stft_frames(sp, T, &N);
  double *z = malloc(sizeof(double) * 2 * (size_t)(B * F * N));
  spectro_stft_execute(sp, x, SPECTRO_FLOAT64, B, T, z, SPECTRO_LAYOUT_BFN);
  spectro_stft_plan_destroy(sp);
  double *mel = malloc(sizeof(double) * (size_t)(B * bands * N));
  for (int64_t b = 0; b < B; ++b)
    for (int64_t m = 0; m < bands; ++m)
      for (int64_t t = 0; t < N; ++t) {
        double acc = 0;
        for (int64_t k = 0; k < c->filterbank_rows; ++k) {
          const double *v = z + 2 * ((b * F + k) * N + t);
          double p = v[0] * v[0] + v[1] * v[1];
          p = c->power == 2.0 ? p : pow(p, c->power / 2);
          acc += p * fb[k * bands + m];
        }
        double y = acc;
        if (c->scale == SPECTRO_SCALE_DB) y = c->db_multiplier * log10(fmax(acc, c->db_amin)) - c->db_multiplier * log10(fmax(c->db_amin, c->db_ref));
        else if (c->scale == SPECTRO_SCALE_LOG) y = log(fmax(acc, c->log_amin));
        else if (c->scale == SPECTRO_SCALE_LOG10_PLUS_ONE) y = log10(acc + 1);
        mel[(b * bands + m) * N + t] = y;
      }
  if (c->top_db >= 0)
    for (int64_t g = 0; g < B; g += group) {
      double mx = -INFINITY;
      for (int64_t i = g * bands * N; i < (g + group) * bands * N; ++i) mx = fmax(mx, mel[i]);
      for (int64_t i = g * bands * N; i < (g + group) * bands * N; ++i) mel[i] = fmax(mel[i], mx - c->top_db);
    }
  free(z);
  *frames_out = N;
  if (c->n_dct <= 0) return mel;
  double *out = malloc(sizeof(double) * (size_t)(B * c->n_dct * N));
  for (int64_t b = 0; b < B; ++b)
    for (int64_t k = 0; k < c->n_dct; ++k)
      for (int64_t t = 0; t < N; ++t) {
        double acc = 0;
        for (int64_t m = 0; m < bands; ++m) {
          double basis = cos(M_PI / bands * (m + 0.5) * k) * (k == 0 ? sqrt(1.0 / bands) : sqrt(2.0 / bands));
          acc += basis * mel[(b * bands + m) * N + t];
        }
        double lift = c->lifter > 0 ? 1 + c->lifter / 2 * sin(M_PI * (k + 1) / c->lifter) : 1;
        out[(b * c->n_dct + k) * N + t] = acc * lift;
      }
  free(mel);
  return out;
}

static int check(spectro_frontend_config *c, int64_t bands, int64_t B, int64_t T, int64_t group, double tol_f32) {
  int failures = 0;
  int64_t F = c->stft.n_fft / 2 + 1;
  double *fb = malloc(sizeof(double) * (size_t)(F * bands));
  CHECK_OK(spectro_mel_filterbank(F, 16000, bands, 0, 8000, SPECTRO_MEL_SLANEY, SPECTRO_MEL_NORM_SLANEY,
                                  SPECTRO_FREQ_GRID_LIBROSA, fb));
  c->filterbank = fb;
  c->n_bands = bands;
  spectro_frontend_plan *plan = NULL;
  CHECK_OK(spectro_frontend_plan_create(c, &plan));
  if (!plan) return failures + 1;
  int64_t K = spectro_frontend_features(plan), N = 0;
  double *x = malloc(sizeof(double) * (size_t)(B * T));
  float *xf = malloc(sizeof(float) * (size_t)(B * T));
  for (int64_t i = 0; i < B * T; ++i) xf[i] = (float)(test_normal() * (1 + (i / T) * 3)), x[i] = xf[i];
  double *ref = reference(c, fb, bands, x, B, T, group, &N);
  size_t n_out = (size_t)(B * K * N);
  double *o64 = malloc(sizeof(double) * n_out);
  float *o32 = malloc(sizeof(float) * n_out), *o32b = malloc(sizeof(float) * n_out);
  CHECK_OK(spectro_frontend_execute(plan, x, SPECTRO_FLOAT64, B, T, group, o64));
  spectro_set_num_threads(1);
  CHECK_OK(spectro_frontend_execute(plan, xf, SPECTRO_FLOAT32, B, T, group, o32));
  spectro_set_num_threads(3);
  CHECK_OK(spectro_frontend_execute(plan, xf, SPECTRO_FLOAT32, B, T, group, o32b));
  spectro_set_num_threads(0);
  double e64 = 0, e32 = 0;
  for (size_t i = 0; i < n_out; ++i) {
    e64 = fmax(e64, fabs(o64[i] - ref[i]) / (1 + fabs(ref[i])));
    e32 = fmax(e32, fabs(o32[i] - ref[i]) / (1 + fabs(ref[i])));
  }
  CHECK_MSG(e64 <= 1e-9, "scale=%d n_dct=%lld f64 error %.3g", c->scale, (long long)c->n_dct, e64);
  CHECK_MSG(e32 <= tol_f32, "scale=%d n_dct=%lld f32 error %.3g", c->scale, (long long)c->n_dct, e32);
  CHECK_MSG(!memcmp(o32, o32b, sizeof(float) * n_out), "thread counts give different bits");
  spectro_allocator hooks = {counting_alloc, counting_free, NULL};
  spectro_set_allocator(&hooks);
  allocations = 0;
  CHECK_OK(spectro_frontend_execute(plan, xf, SPECTRO_FLOAT32, B, T, group, o32b));
  CHECK_MSG(allocations == 0, "%zu allocations in steady state", allocations);
  spectro_set_allocator(NULL);
  spectro_frontend_plan_destroy(plan);
  free(fb); free(x); free(xf); free(ref); free(o64); free(o32); free(o32b);
  return failures;
}

int main(void) {
  test_seed_from_time();
  int failures = 0;
  spectro_frontend_config c;
  spectro_frontend_config_init(&c, 512, 128);
  c.filterbank_rows = 257;
  failures += check(&c, 40, 2, 8000, 1, 1e-5); /* linear power mel */
  c.scale = SPECTRO_SCALE_DB;
  c.top_db = 60;
  failures += check(&c, 40, 4, 8000, 1, 2e-5); /* dB, per example */
  failures += check(&c, 40, 4, 8000, 4, 2e-5); /* dB, packed over the batch */
  failures += check(&c, 40, 4, 8000, 2, 2e-5); /* dB, [B, C] groups */
  c.n_dct = 13;
  c.lifter = 22;
  failures += check(&c, 40, 3, 8000, 1, 1e-4); /* MFCC */
  spectro_frontend_config_init(&c, 400, 160);
  c.filterbank_rows = 200; /* Nyquist dropped */
  c.power = 1.0;
  c.scale = SPECTRO_SCALE_LOG10_PLUS_ONE;
  failures += check(&c, 30, 2, 6000, 1, 1e-5);
  c.scale = SPECTRO_SCALE_LOG;
  c.stft.n_fft = 2 * 1009; /* Bluestein: the one-frame kernels */
  c.stft.win_length = 2 * 1009;
  c.filterbank_rows = 1010;
  failures += check(&c, 50, 1, 9000, 1, 1e-5);

  /* bad parameters */
  spectro_frontend_plan *p = NULL;
  double fb[4] = {0};
  spectro_frontend_config_init(&c, 512, 128);
  c.filterbank = fb;
  c.filterbank_rows = 100;
  c.n_bands = 1;
  CHECK(spectro_frontend_plan_create(&c, &p) == SPECTRO_ERR_SHAPE && p == NULL);
  CHECK(strstr(spectro_last_error(), "filterbank has 100 rows") != NULL);
  spectro_frontend_config_init(&c, 512, 128);
  c.power = -1;
  CHECK(spectro_frontend_plan_create(&c, &p) == SPECTRO_ERR_INVALID_ARGUMENT && strstr(spectro_last_error(), "power"));
  spectro_frontend_config_init(&c, 512, 128);
  c.scale = SPECTRO_SCALE_DB;
  c.db_amin = -1;
  CHECK(spectro_frontend_plan_create(&c, &p) == SPECTRO_ERR_INVALID_ARGUMENT && strstr(spectro_last_error(), "amin"));
  spectro_frontend_config_init(&c, 512, 128);
  c.top_db = 80;
  CHECK(spectro_frontend_plan_create(&c, &p) == SPECTRO_ERR_INVALID_ARGUMENT && strstr(spectro_last_error(), "top_db"));
  spectro_frontend_config_init(&c, 512, 128);
  c.scale = SPECTRO_SCALE_DB;
  c.n_dct = 300;
  CHECK(spectro_frontend_plan_create(&c, &p) == SPECTRO_ERR_INVALID_ARGUMENT && strstr(spectro_last_error(), "n_mfcc"));
  spectro_frontend_config_init(&c, 512, 128);
  CHECK_OK(spectro_frontend_plan_create(&c, &p));
  float x[1000] = {0}, out[257 * 8];
  CHECK(spectro_frontend_execute(p, x, SPECTRO_FLOAT32, 3, 1000, 2, out) == SPECTRO_ERR_INVALID_ARGUMENT &&
        strstr(spectro_last_error(), "top_db_group"));
  spectro_frontend_plan_destroy(p);
  spectro_frontend_plan_destroy(NULL);
  double mel[10];
  CHECK(spectro_mel_filterbank(257, 16000, 0, 0, 8000, SPECTRO_MEL_HTK, SPECTRO_MEL_NORM_NONE, SPECTRO_FREQ_GRID_TORCHAUDIO, mel) ==
            SPECTRO_ERR_INVALID_ARGUMENT && strstr(spectro_last_error(), "n_mels"));
  CHECK(spectro_mel_filterbank(257, 16000, 4, 9000, 8000, SPECTRO_MEL_HTK, SPECTRO_MEL_NORM_NONE, SPECTRO_FREQ_GRID_TORCHAUDIO, mel) ==
            SPECTRO_ERR_INVALID_ARGUMENT && strstr(spectro_last_error(), "f_min"));
  CHECK(spectro_mel_filterbank(257, 16000, 4, 0, 9000, SPECTRO_MEL_HTK, SPECTRO_MEL_NORM_NONE, SPECTRO_FREQ_GRID_TORCHAUDIO, mel) ==
            SPECTRO_ERR_INVALID_ARGUMENT && strstr(spectro_last_error(), "f_max"));
  return test_report("frontend", failures);
}
