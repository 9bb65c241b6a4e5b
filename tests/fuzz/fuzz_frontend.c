/* libFuzzer target: filterbank builders and frontend plans with parameters
 * from the input; statuses only, never crashes.  Build and run: make fuzz. */
#include "spectro.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

static uint32_t take(const uint8_t **p, size_t *n, uint32_t limit) {
  uint32_t v = 0;
  for (int i = 0; i < 4 && *n; ++i, ++*p, --*n) v = (v << 8) | **p;
  return limit ? v % limit : v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const uint8_t *p = data;
  size_t n = size;
  int64_t n_fft = (int64_t)take(&p, &n, 2100) + 1, hop = (int64_t)take(&p, &n, 800) + 1;
  int64_t F = n_fft / 2 + 1, bands = (int64_t)take(&p, &n, 70) - 1;
  double sr = (double)take(&p, &n, 96000) - 10;
  double fmin = (double)take(&p, &n, 30000) - 5, fmax = (double)take(&p, &n, 50000) - 5;
  int64_t rows = take(&p, &n, 2) ? F : F - 1;
  double *fb = calloc((size_t)((rows > 0 ? rows : 1) * (bands > 0 ? bands : 1)), sizeof(double));
  spectro_status st = SPECTRO_ERR_INVALID_ARGUMENT;
  switch (take(&p, &n, 3)) {
  case 0:
    st = spectro_mel_filterbank(rows, sr, bands, fmin, fmax, (spectro_mel_scale)take(&p, &n, 3),
                                (spectro_mel_norm)take(&p, &n, 3), (spectro_freq_grid)take(&p, &n, 3), fb);
    break;
  case 1: {
    int64_t got = 0;
    st = spectro_log_triangular_filterbank(rows, sr, (double)take(&p, &n, 40) - 2, fmin, fmax,
                                           (double)take(&p, &n, 900) - 10, (int)take(&p, &n, 2), (int)take(&p, &n, 2),
                                           (int)take(&p, &n, 2), fb, rows * (bands > 0 ? bands : 0), &got);
    if (st == SPECTRO_OK && got != bands) st = SPECTRO_ERR_SHAPE; /* the shape asked for must match */
    break;
  }
  default:
    for (int64_t i = 0; i < rows * bands; ++i) fb[i] = (double)take(&p, &n, 5) * 0.25;
    st = SPECTRO_OK;
  }
  spectro_frontend_config c;
  spectro_frontend_config_init(&c, n_fft, hop);
  c.stft.center_pad_mode = (spectro_pad_mode)take(&p, &n, 2);
  c.power = (double)take(&p, &n, 5) * 0.5;
  if (st == SPECTRO_OK && take(&p, &n, 4)) {
    c.filterbank = fb;
    c.filterbank_rows = rows;
    c.n_bands = bands;
  }
  c.scale = (spectro_scale)take(&p, &n, 5);
  c.log_mode = (spectro_log_mode)take(&p, &n, 4);
  c.top_db = take(&p, &n, 2) ? (double)take(&p, &n, 100) : NAN;
  c.n_dct = (int64_t)take(&p, &n, 30) - 2;
  c.lifter = (double)take(&p, &n, 30) - 2;
  int64_t batch = take(&p, &n, 4), length = (int64_t)take(&p, &n, 5000), group = (int64_t)take(&p, &n, 5);
  spectro_frontend_plan *plan = NULL;
  if (spectro_frontend_plan_create(&c, &plan) == SPECTRO_OK) {
    int64_t frames = 0;
    if (spectro_frontend_frames(plan, length, &frames) == SPECTRO_OK) {
      float *x = malloc(sizeof(float) * (size_t)(batch * length + 1));
      for (int64_t i = 0; i < batch * length; ++i) x[i] = (float)((i * 7 + (n ? p[i % n] : 0)) % 13) - 6.f;
      float *out = malloc(sizeof(float) * (size_t)(batch * spectro_frontend_features(plan) * frames + 1));
      (void)spectro_frontend_execute(plan, x, SPECTRO_FLOAT32, batch, length, group, out);
      free(out);
      free(x);
    }
    spectro_frontend_plan_destroy(plan);
  }
  free(fb);
  return 0;
}
