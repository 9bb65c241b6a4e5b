/* Per-frame scalar kernels, written once for REAL = float or double
 * (instantiated by block_scalar.c): SPECTRO_SIMD=scalar, the portable
 * reference the SIMD variants are tested against, with the same signatures
 * as the block kernels (a block of one frame at a time).  Expects REAL,
 * SUFFIX, WINDOW (plan field). */

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define FN(name) CAT(name, SUFFIX)

/* Scratch: frame buffer (n + 8), spectrum (2 bins + 8), FFT scratch. */
static void FN(split_scratch)(const spectro_stft_plan *plan, void *scratch, REAL **buf, REAL **spec,
                              void **fft_scratch) {
  size_t nb = ((size_t)(plan->n_fft + 8) * sizeof(REAL) + 63) & ~(size_t)63;
  size_t sb = ((size_t)(2 * plan->bins + 8) * sizeof(REAL) + 63) & ~(size_t)63;
  *buf = (REAL *)scratch;
  *spec = (REAL *)((char *)scratch + nb);
  *fft_scratch = (char *)scratch + nb + sb;
}

/* The one-sided spectrum of frame t (unscaled), in the scratch's spectrum
 * buffer. */
static REAL *FN(frame_spectrum)(const struct spectro_stft_plan *plan, const void *x, spectro_dtype dtype,
                                int64_t length, int64_t t, void *scratch) {
  const int64_t n = plan->n_fft;
  const REAL *w = plan->WINDOW;
  const int reflect = plan->fr.center && plan->fr.pad_mode == SPECTRO_PAD_REFLECT;
  REAL *buf, *spec;
  void *fs;
  FN(split_scratch)(plan, scratch, &buf, &spec, &fs);
  int64_t start = t * plan->hop - plan->fr.pad_left;
  for (int64_t j = 0; j < n; ++j) {
    int64_t idx = start + j;
    if (idx < 0 || idx >= length) {
      if (!reflect) {
        buf[j] = 0;
        continue;
      }
      idx = reflect_index(idx, length);
    }
    REAL v = dtype == SPECTRO_FLOAT64 ? (REAL)((const double *)x)[idx]
             : dtype == SPECTRO_INT16 ? (REAL)((const int16_t *)x)[idx] * (REAL)(1.0 / 32768.0)
                                      : (REAL)((const float *)x)[idx];
    buf[j] = v * w[j];
  }
  FN(fft_r2c)(plan->fft, buf, spec, fs);
  return spec;
}

static void FN(forward_frames)(const struct spectro_stft_plan *plan, const void *x, spectro_dtype dtype,
                               int64_t length, int64_t n_frames, int64_t t0, int64_t cnt, void *out_v,
                               spectro_layout layout, void *scratch) {
  const int64_t F = plan->bins;
  const REAL scale = (REAL)plan->forward_scale;
  REAL *out = out_v;
  for (int64_t t = t0; t < t0 + cnt; ++t) {
    const REAL *spec = FN(frame_spectrum)(plan, x, dtype, length, t, scratch);
    for (int64_t k = 0; k < F; ++k) {
      REAL *o = layout == SPECTRO_LAYOUT_BNF ? out + 2 * (t * F + k) : out + 2 * (k * n_frames + t);
      o[0] = spec[2 * k] * scale;
      o[1] = spec[2 * k + 1] * scale;
    }
  }
}

static void FN(frontend_frames)(const struct spectro_stft_plan *plan, const struct frontend_spec *fs,
                                const void *x, spectro_dtype dtype, int64_t length, int64_t n_frames, int64_t t0,
                                int64_t cnt, void *out_v, void *scratch, double *block_max) {
  REAL *out = out_v;
  const double sc = plan->forward_scale;
  const REAL *w = sizeof(REAL) == sizeof(float) ? (const REAL *)(const void *)fs->wf : (const REAL *)(const void *)fs->wd;
  double mx = -INFINITY;
  for (int64_t t = t0; t < t0 + cnt; ++t) {
    /* the frame's spectrum, then its power in place */
    REAL *spec = FN(frame_spectrum)(plan, x, dtype, length, t, scratch);
    for (int64_t k = 0; k < fs->rows; ++k) {
      REAL re = (REAL)(spec[2 * k] * sc), im = (REAL)(spec[2 * k + 1] * sc);
      spec[k] = (REAL)frontend_power_value(fs, (double)(re * re + im * im));
    }
    for (int64_t m = 0; m < fs->bands; ++m) {
      REAL acc = 0;
      if (fs->identity) acc = spec[m];
      else
        for (int64_t j = 0; j < fs->count[m]; ++j) acc += spec[fs->start[m] + j] * w[fs->offset[m] + j];
      REAL v = (REAL)frontend_scale_value(fs, (double)acc);
      out[m * n_frames + t] = v;
      if (v > mx) mx = v;
    }
  }
  *block_max = mx;
}

static void FN(inverse_frames)(const struct spectro_stft_plan *plan, const void *spec_v, int64_t n_frames,
                               int64_t t0, int64_t cnt, spectro_layout layout, void *acc_v, int64_t base,
                               void *scratch) {
  const int64_t n = plan->n_fft, F = plan->bins, hop = plan->hop;
  const REAL *w = plan->WINDOW, *sb = spec_v;
  REAL *acc = acc_v;
  const REAL scale = (REAL)(1.0 / ((double)n * plan->forward_scale));
  REAL *frame, *buf;
  void *fs;
  FN(split_scratch)(plan, scratch, &frame, &buf, &fs);
  for (int64_t t = t0; t < t0 + cnt; ++t) {
    for (int64_t k = 0; k < F; ++k) {
      const REAL *z = layout == SPECTRO_LAYOUT_BNF ? sb + 2 * (t * F + k) : sb + 2 * (k * n_frames + t);
      buf[2 * k] = z[0];
      buf[2 * k + 1] = z[1];
    }
    FN(fft_c2r)(plan->fft, buf, frame, fs);
    REAL *y = acc + t * hop - base;
    for (int64_t j = 0; j < n; ++j) y[j] += frame[j] * w[j] * scale;
  }
}

#undef FN
#undef CAT
#undef CAT2
