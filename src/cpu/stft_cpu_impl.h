/* Scalar kernels, written once for REAL = float or double (instantiated by
 * block_scalar.c), for any size under SPECTRO_SIMD=scalar (until the lane
 * kernels took them over, the Bluestein sizes' only kernels), with the same
 * signatures as the block kernels: blocks of two frames, a
 * frame at a time for even n_fft and float64, the two through one complex
 * transform for odd n_fft in float32.  Expects REAL, SUFFIX, WINDOW (plan
 * field). */

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define FN(name) CAT(name, SUFFIX)

/* Scratch: two frame buffers (n + 8 each), two spectra (2 bins + 8 each),
 * FFT scratch (cpu_block_scratch_bytes sizes it). */
static void FN(split_scratch2)(const spectro_stft_plan *plan, void *scratch, REAL **buf, REAL **buf2, REAL **spec,
                               REAL **spec2, void **fft_scratch) {
  size_t nb = ((size_t)(plan->n_fft + 8) * sizeof(REAL) + 63) & ~(size_t)63;
  size_t sb = ((size_t)(2 * plan->bins + 8) * sizeof(REAL) + 63) & ~(size_t)63;
  *buf = (REAL *)scratch;
  *buf2 = (REAL *)((char *)scratch + nb);
  *spec = (REAL *)((char *)scratch + 2 * nb);
  *spec2 = (REAL *)((char *)scratch + 2 * nb + sb);
  *fft_scratch = (char *)scratch + 2 * nb + 2 * sb;
}
static void FN(split_scratch)(const spectro_stft_plan *plan, void *scratch, REAL **buf, REAL **spec,
                              void **fft_scratch) {
  REAL *buf2, *spec2;
  FN(split_scratch2)(plan, scratch, buf, &buf2, spec, &spec2, fft_scratch);
}

/* Odd n, float32: two frames through one complex transform of x_a + i x_b and a split
 * by conjugate symmetry, both in double (where the Bluestein sizes' float
 * transform runs anyway), so that a frame's rounding relative to its
 * partner's energy stays near 1e-16 and float32 results match the one-frame
 * path to their own rounding.  Frames pair by index (a even, b = a + 1) whatever the
 * block, so results do not depend on the thread count; a frame past the last
 * pairs with zeros. */
static int FN(paired)(const struct spectro_stft_plan *plan) {
  /* float32 only: in float64 a frame 1e6 quieter than its partner would carry
   * 1e-10 of relative error where the one-frame path gives 1e-16 */
  return sizeof(REAL) == sizeof(float) && plan->fft->half == NULL && plan->n_fft > 1;
}

/* Frame t, windowed, into buf (n values). */
static void FN(load_frame)(const struct spectro_stft_plan *plan, const void *x, spectro_dtype dtype, int64_t length,
                           int64_t t, REAL *buf) {
  const int64_t n = plan->n_fft;
  const REAL *w = plan->WINDOW;
  const int reflect = plan->fr.center && plan->fr.pad_mode == SPECTRO_PAD_REFLECT;
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
}

/* The one-sided spectrum of frame t (unscaled), in the scratch's spectrum
 * buffer. */
static REAL *FN(frame_spectrum)(const struct spectro_stft_plan *plan, const void *x, spectro_dtype dtype,
                                int64_t length, int64_t t, void *scratch) {
  REAL *buf, *spec;
  void *fs;
  FN(split_scratch)(plan, scratch, &buf, &spec, &fs);
  FN(load_frame)(plan, x, dtype, length, t, buf);
  FN(fft_r2c)(plan->fft, buf, spec, fs);
  return spec;
}

/* What a frame's values (count of them) hold: 0 all zeros, 1 finite values
 * not all zero, 2 a NaN or an infinity.  Frames pair only when both are 1: a
 * non-finite value would reach the partner through the shared transform, and
 * an all-zero frame is exactly zero alone (and needs no transform). */
static int FN(frame_kind)(const REAL *v, int64_t count) {
  int finite = 1, nonzero = 0;
  for (int64_t j = 0; j < count; ++j) {
    finite &= v[j] - v[j] == 0;
    nonzero |= v[j] != 0;
  }
  return !finite ? 2 : nonzero;
}

/* Odd n: the one-sided spectra (unscaled) of frames a and a + 1 (zeros for a
 * frame at or past n_frames), in the scratch's two spectrum buffers. */
static void FN(pair_spectra)(const struct spectro_stft_plan *plan, const void *x, spectro_dtype dtype, int64_t length,
                             int64_t n_frames, int64_t a, void *scratch, REAL **spec_a, REAL **spec_b) {
  const int64_t n = plan->n_fft;
  REAL *ba, *bb, *sa, *sb;
  void *fs;
  FN(split_scratch2)(plan, scratch, &ba, &bb, &sa, &sb, &fs);
  FN(load_frame)(plan, x, dtype, length, a, ba);
  if (a + 1 < n_frames) FN(load_frame)(plan, x, dtype, length, a + 1, bb);
  else memset(bb, 0, (size_t)n * sizeof(REAL));
  *spec_a = sa;
  *spec_b = sb;
  const int ka = FN(frame_kind)(ba, n), kb = FN(frame_kind)(bb, n);
  if (ka != 1 || kb != 1) { /* each alone, as the one-frame path */
    if (ka) FN(fft_r2c)(plan->fft, ba, sa, fs);
    else memset(sa, 0, (size_t)plan->bins * 2 * sizeof(REAL));
    if (kb) FN(fft_r2c)(plan->fft, bb, sb, fs);
    else memset(sb, 0, (size_t)plan->bins * 2 * sizeof(REAL));
    return;
  }
  double *z = (double *)fs;
  void *sub = (char *)fs + 16 * (size_t)(n + 2);
  for (int64_t j = 0; j < n; ++j) {
    z[2 * j] = (double)ba[j];
    z[2 * j + 1] = (double)bb[j];
  }
  cfft_exec_f64(plan->fft->full, z, -1, sub);
  /* X_a[k] = (Z[k] + conj Z[n-k]) / 2, X_b[k] = (Z[k] - conj Z[n-k]) / 2i */
  sa[0] = (REAL)z[0];
  sa[1] = 0;
  sb[0] = (REAL)z[1];
  sb[1] = 0;
  for (int64_t k = 1; k <= n / 2; ++k) {
    double zr = z[2 * k], zi = z[2 * k + 1], cr = z[2 * (n - k)], ci = -z[2 * (n - k) + 1];
    sa[2 * k] = (REAL)(0.5 * (zr + cr));
    sa[2 * k + 1] = (REAL)(0.5 * (zi + ci));
    sb[2 * k] = (REAL)(0.5 * (zi - ci));
    sb[2 * k + 1] = (REAL)(-0.5 * (zr - cr));
  }
}

/* The spectra of the frames transformed with frame t: the pair a = t & ~1,
 * a + 1 where FN(paired), else t alone.  Returns the group's first frame a;
 * *count frames, spec[u - a] holding frame u's. */
static int64_t FN(group_spectra)(const struct spectro_stft_plan *plan, const void *x, spectro_dtype dtype,
                                 int64_t length, int64_t n_frames, int64_t t, void *scratch, REAL *spec[2],
                                 int64_t *count) {
  if (!FN(paired)(plan)) {
    spec[0] = FN(frame_spectrum)(plan, x, dtype, length, t, scratch);
    *count = 1;
    return t;
  }
  const int64_t a = t & ~(int64_t)1;
  FN(pair_spectra)(plan, x, dtype, length, n_frames, a, scratch, &spec[0], &spec[1]);
  *count = 2;
  return a;
}

static void FN(forward_frames)(const struct spectro_stft_plan *plan, const void *x, spectro_dtype dtype,
                               int64_t length, int64_t n_frames, int64_t t0, int64_t cnt, void *out_v,
                               spectro_layout layout, void *scratch) {
  const int64_t F = plan->bins;
  const REAL scale = (REAL)plan->forward_scale;
  REAL *out = out_v;
  for (int64_t t = t0, g; t < t0 + cnt; t += g) {
    REAL *spec[2];
    const int64_t a = FN(group_spectra)(plan, x, dtype, length, n_frames, t, scratch, spec, &g);
    t = a;
    for (int64_t u = a < t0 ? t0 : a; u < a + g && u < t0 + cnt; ++u) /* (not a partner outside the block) */
      for (int64_t k = 0; k < F; ++k) {
        REAL *o = layout == SPECTRO_LAYOUT_BNF ? out + 2 * (u * F + k) : out + 2 * (k * n_frames + u);
        o[0] = spec[u - a][2 * k] * scale;
        o[1] = spec[u - a][2 * k + 1] * scale;
      }
  }
}

/* Frame t's features from its spectrum (the power computed in place). */
static void FN(frontend_frame)(const struct frontend_spec *fs, REAL *spec, const REAL *w, double sc, int64_t n_frames,
                               int64_t t, REAL *out, double *mx) {
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
    if (v > *mx) *mx = v;
  }
}

static void FN(frontend_frames)(const struct spectro_stft_plan *plan, const struct frontend_spec *fs,
                                const void *x, spectro_dtype dtype, int64_t length, int64_t n_frames, int64_t t0,
                                int64_t cnt, void *out_v, void *scratch, double *block_max) {
  REAL *out = out_v;
  const double sc = plan->forward_scale;
  const REAL *w = sizeof(REAL) == sizeof(float) ? (const REAL *)(const void *)fs->wf : (const REAL *)(const void *)fs->wd;
  double mx = -INFINITY;
  for (int64_t t = t0, g; t < t0 + cnt; t += g) {
    REAL *spec[2];
    const int64_t a = FN(group_spectra)(plan, x, dtype, length, n_frames, t, scratch, spec, &g);
    t = a;
    for (int64_t u = a < t0 ? t0 : a; u < a + g && u < t0 + cnt; ++u) /* (not a partner outside the block) */
      FN(frontend_frame)(fs, spec[u - a], w, sc, n_frames, u, out, &mx);
  }
  *block_max = mx;
}

/* Frame t's bins as stored (layout) into dst, 2 F values; zeros for a frame
 * at or past n_frames. */
static void FN(gather_bins)(const struct spectro_stft_plan *plan, const REAL *sb, int64_t n_frames, int64_t t,
                            spectro_layout layout, REAL *dst) {
  const int64_t F = plan->bins;
  if (t >= n_frames) {
    memset(dst, 0, (size_t)F * 2 * sizeof(REAL));
    return;
  }
  for (int64_t k = 0; k < F; ++k) {
    const REAL *z = layout == SPECTRO_LAYOUT_BNF ? sb + 2 * (t * F + k) : sb + 2 * (k * n_frames + t);
    dst[2 * k] = z[0];
    dst[2 * k + 1] = z[1];
  }
}

/* Frame t's inverse from its gathered bins, windowed and scaled, added into
 * acc (one frame alone). */
static void FN(inverse_add)(const struct spectro_stft_plan *plan, const REAL *bins, int64_t t, REAL *acc, int64_t base,
                            REAL *frame, void *fs) {
  const int64_t n = plan->n_fft;
  const REAL *w = plan->WINDOW;
  const REAL scale = (REAL)(1.0 / ((double)n * plan->forward_scale));
  FN(fft_c2r)(plan->fft, bins, frame, fs);
  REAL *y = acc + t * plan->hop - base;
  for (int64_t j = 0; j < n; ++j) y[j] += frame[j] * w[j] * scale;
}

static void FN(inverse_frames)(const struct spectro_stft_plan *plan, const void *spec_v, int64_t n_frames,
                               int64_t t0, int64_t cnt, spectro_layout layout, void *acc_v, int64_t base,
                               void *scratch) {
  const int64_t n = plan->n_fft, F = plan->bins, hop = plan->hop;
  const REAL *w = plan->WINDOW, *sb = spec_v;
  REAL *acc = acc_v;
  const REAL scale = (REAL)(1.0 / ((double)n * plan->forward_scale));
  REAL *frame, *frame2, *xa, *xb;
  void *fs;
  FN(split_scratch2)(plan, scratch, &frame, &frame2, &xa, &xb, &fs);
  (void)frame2;
  if (!FN(paired)(plan)) {
    for (int64_t t = t0; t < t0 + cnt; ++t) {
      FN(gather_bins)(plan, sb, n_frames, t, layout, xa);
      FN(inverse_add)(plan, xa, t, acc, base, frame, fs);
    }
    return;
  }
  /* odd n: frames a and a + 1 through one inverse transform of X_a + i X_b */
  double *z = (double *)fs;
  void *sub = (char *)fs + 16 * (size_t)(n + 2);
  for (int64_t t = t0; t < t0 + cnt; t += 2) {
    const int64_t a = t & ~(int64_t)1;
    t = a;
    FN(gather_bins)(plan, sb, n_frames, a, layout, xa);
    FN(gather_bins)(plan, sb, n_frames, a + 1, layout, xb);
    const int ka = FN(frame_kind)(xa, 2 * F), kb = FN(frame_kind)(xb, 2 * F);
    if (ka != 1 || kb != 1) { /* each alone, as the one-frame path (an all-zero frame adds nothing) */
      if (ka && a >= t0) FN(inverse_add)(plan, xa, a, acc, base, frame, fs);
      if (kb && a + 1 < t0 + cnt) FN(inverse_add)(plan, xb, a + 1, acc, base, frame, fs);
      continue;
    }
    /* Z[k] = X_a[k] + i X_b[k], Z[n-k] = conj X_a[k] + i conj X_b[k]; the DC
     * bins' imaginary parts are dropped, as the one-frame c2r does */
    z[0] = xa[0];
    z[1] = xb[0];
    for (int64_t k = 1; k < F; ++k) {
      const double ar = xa[2 * k], ai = xa[2 * k + 1], br = xb[2 * k], bi = xb[2 * k + 1];
      z[2 * k] = ar - bi;
      z[2 * k + 1] = ai + br;
      z[2 * (n - k)] = ar + bi;
      z[2 * (n - k) + 1] = br - ai;
    }
    cfft_exec_f64(plan->fft->full, z, +1, sub);
    for (int64_t u = a < t0 ? t0 : a; u < a + 2 && u < t0 + cnt; ++u) { /* (not a partner outside the block) */
      REAL *y = acc + u * hop - base;
      const double *zu = z + (u - a);
      for (int64_t j = 0; j < n; ++j) y[j] += (REAL)zu[2 * j] * w[j] * scale;
    }
  }
}

#undef FN
#undef CAT
#undef CAT2
