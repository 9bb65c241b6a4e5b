/* libFuzzer target: STFT / iSTFT plans and executions with parameters and
 * signals taken from the input.  Any input must give a status, never a
 * crash, an out-of-bounds access (ASan) or undefined behaviour (UBSan).
 * Build and run: make fuzz (clang with libFuzzer). */
#include "spectro.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct reader {
  const uint8_t *p;
  size_t n;
} reader;

static uint32_t take(reader *r, uint32_t limit) {
  uint32_t v = 0;
  for (int i = 0; i < 4 && r->n; ++i, ++r->p, --r->n) v = (v << 8) | *r->p;
  return limit ? v % limit : v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  reader r = {data, size};
  spectro_set_warning_handler(NULL, NULL);
  spectro_stft_config cfg;
  spectro_stft_config_init(&cfg, (int64_t)take(&r, 4200) - 2, (int64_t)take(&r, 3000) - 2);
  cfg.win_length = (int64_t)take(&r, 4200) - 2;
  cfg.window = (spectro_window)take(&r, 6);
  cfg.periodic = (int)take(&r, 2);
  cfg.center = (int)take(&r, 2);
  cfg.center_pad_mode = (spectro_pad_mode)take(&r, 3);
  cfg.center_tail_pad = (spectro_tail)take(&r, 3);
  cfg.normalized = (int)take(&r, 2);
  double custom[64];
  for (int i = 0; i < 64; ++i) custom[i] = (double)take(&r, 1000) / 500.0;
  cfg.custom_window = custom;
  cfg.custom_window_length = take(&r, 70);
  int64_t batch = take(&r, 4), length = (int64_t)take(&r, 6000) - 1;
  spectro_layout layout = (spectro_layout)take(&r, 3);
  spectro_dtype dtype = (spectro_dtype)take(&r, 4);
  int64_t ilength = (int64_t)take(&r, 8000) - 2;
  unsigned flags = take(&r, 3);

  spectro_stft_plan *plan = NULL;
  if (spectro_stft_plan_create(&cfg, &plan) != SPECTRO_OK) return 0;
  int64_t frames = 0, bins = spectro_stft_bins(plan);
  if (length >= 0 && spectro_stft_frames(plan, length, &frames) == SPECTRO_OK && batch > 0) {
    size_t elem = dtype == SPECTRO_FLOAT64 ? 8 : dtype == SPECTRO_INT16 ? 2 : 4;
    uint8_t *x = malloc((size_t)(batch * length) * elem + 1);
    for (size_t i = 0; i < (size_t)(batch * length) * elem; ++i) x[i] = r.n ? r.p[i % r.n] : (uint8_t)i;
    if (dtype == SPECTRO_FLOAT32)
      for (int64_t i = 0; i < batch * length; ++i) ((float *)x)[i] = (float)(x[4 * i] % 17) - 8.f;
    if (dtype == SPECTRO_FLOAT64)
      for (int64_t i = 0; i < batch * length; ++i) ((double *)x)[i] = (double)(x[8 * i] % 17) - 8.0;
    size_t celem = dtype == SPECTRO_FLOAT64 ? 16 : 8;
    void *spec = malloc((size_t)(batch * bins * frames) * celem + 1);
    if (spectro_stft_execute(plan, x, dtype, batch, length, spec, layout) == SPECTRO_OK) {
      int64_t out_len = ilength;
      if (out_len < 0 && spectro_istft_natural_length(plan, frames, &out_len) != SPECTRO_OK) out_len = 0;
      void *y = malloc((size_t)(batch * (out_len > 0 ? out_len : 1)) * (celem / 2) + 1);
      (void)spectro_istft_execute(plan, spec, dtype == SPECTRO_FLOAT64 ? SPECTRO_FLOAT64 : SPECTRO_FLOAT32, batch,
                                  bins, frames, layout, out_len > 0 ? out_len : ilength, flags, y);
      free(y);
    }
    free(spec);
    free(x);
  }
  spectro_stft_plan_destroy(plan);
  return 0;
}
