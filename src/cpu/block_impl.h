/* The CPU block pipeline, written once over the SIMD layer and instantiated
 * per ISA (block_generic.c, block_avx2.c, block_avx512.c) and per precision
 * (this file is included twice, REAL = float and double).
 *
 * Forward: a block of LANES consecutive frames of one signal is gathered
 * (padding applied by index, window on load) straight into lane-major
 * split-complex vectors, transformed by the lane-parallel FFT (one frame per
 * vector lane), post-processed into the one-sided spectrum and written to
 * the output layout: the frame data never leaves L1/L2 between stages.
 * Inverse: the same in reverse, overlap-adding each block's frames into a
 * chunk buffer.  Sizes whose FFT needs Bluestein run their convolution
 * lane-parallel in double (block_cfft, lanes_bluestein).
 *
 * Expects REAL, VEC, LANES, SUFFIX, TW, RTW, WINDOW and FN(). */

/* Scratch layout per worker: four arrays of (n + 2) vectors. */
static size_t FN(scratch_vectors)(int64_t n) { return (size_t)(n + 2); }

/* The lane transform of a block: lanes_cfft, or for sizes with a large
 * prime factor the lane Bluestein (in double, in place, in its own scratch
 * past the block's four arrays: lanes_bluestein, block_instantiate.h).
 * real (lanes_bluestein): +1 real input, -1 only the real part of the
 * result read, 0 neither.  Returns 0 when the result is in (re, im), 1 when
 * in (sre, sim). */
static int FN(block_cfft)(const spectro_stft_plan *plan, const cfft *f, VEC *re, VEC *im, VEC *sre, VEC *sim,
                          int sign, int real, void *scratch) {
  if (cfft_bluestein(f)) {
    CAT(lanes_bluestein_, ISA)(f, re, im, sizeof(REAL) == 4, sign, real,
                               (char *)scratch + 4 * FN(scratch_vectors)(plan->n_fft) * sizeof(VEC));
    return 0;
  }
  return FN(lanes_cfft)(f, re, im, sre, sim, sign);
}

static inline REAL FN(load_sample)(const void *x, spectro_dtype dtype, int64_t i) {
  switch (dtype) {
  case SPECTRO_FLOAT64: return (REAL)((const double *)x)[i];
  case SPECTRO_INT16: return (REAL)((const int16_t *)x)[i] * (REAL)(1.0 / 32768.0);
  default: return (REAL)((const float *)x)[i];
  }
}

/* Sample i of the padded signal (i relative to the signal start). */
static inline REAL FN(padded_sample)(const void *x, spectro_dtype dtype, int64_t length, int reflect,
                                     int64_t i) {
  if (i < 0 || i >= length) {
    if (!reflect) return 0;
    i = reflect_index(i, length);
  }
  return FN(load_sample)(x, dtype, i);
}

/* Gather frames t0 .. t0+cnt-1 into lane-major arrays.  Even n: the real
 * FFT's half-length trick, re <- x[2k] w[2k], im <- x[2k+1] w[2k+1].  Odd n:
 * re <- x[j] w[j], im <- 0.  Lanes past cnt are zero. */
static void FN(gather_block)(const spectro_stft_plan *plan, const void *x, spectro_dtype dtype, int64_t length,
                             int64_t t0, int64_t cnt, REAL *restrict re, REAL *restrict im) {
  const int64_t n = plan->n_fft, hop = plan->hop;
  const REAL *restrict w = plan->WINDOW;
  const int reflect = plan->fr.center && plan->fr.pad_mode == SPECTRO_PAD_REFLECT;
  const int even = (n % 2) == 0;
  const int64_t first = t0 * hop - plan->fr.pad_left;
  const int64_t last_end = (t0 + cnt - 1) * hop - plan->fr.pad_left + n;
  const int inside = first >= 0 && last_end <= length;
  if (even) {
    const int64_t h = n / 2;
    for (int64_t l = cnt; l < LANES; ++l)
      for (int64_t k = 0; k < h; ++k) re[k * LANES + l] = im[k * LANES + l] = 0;
    const int native = (dtype == SPECTRO_FLOAT32 && sizeof(REAL) == sizeof(float)) ||
                       (dtype == SPECTRO_FLOAT64 && sizeof(REAL) == sizeof(double));
    if (inside && native && cnt == LANES) {
      /* LANES x LANES tiles: load each frame's 2 LANES samples, split even /
       * odd, transpose into lane-major vectors, window */
      VEC *vr = (VEC *)re, *vi = (VEC *)im;
      const REAL *xb = (const REAL *)x + first;
      int64_t k0 = 0;
      for (; k0 + LANES <= h; k0 += LANES) {
        VEC e[LANES], o[LANES];
        for (int64_t l = 0; l < LANES; ++l) {
          VEC a = FN(vload)(xb + l * hop + 2 * k0), b = FN(vload)(xb + l * hop + 2 * k0 + LANES);
          e[l] = FN(veven)(a, b);
          o[l] = FN(vodd)(a, b);
        }
        FN(transpose)(e);
        FN(transpose)(o);
        for (int64_t i = 0; i < LANES; ++i) {
          vr[k0 + i] = e[i] * w[2 * (k0 + i)];
          vi[k0 + i] = o[i] * w[2 * (k0 + i) + 1];
        }
      }
      for (int64_t l = 0; l < LANES; ++l)
        for (int64_t k = k0; k < h; ++k) {
          re[k * LANES + l] = xb[l * hop + 2 * k] * w[2 * k];
          im[k * LANES + l] = xb[l * hop + 2 * k + 1] * w[2 * k + 1];
        }
    } else if (inside) {
      for (int64_t l = 0; l < cnt; ++l) {
        int64_t s = first + l * hop;
        for (int64_t k = 0; k < h; ++k) {
          re[k * LANES + l] = FN(load_sample)(x, dtype, s + 2 * k) * w[2 * k];
          im[k * LANES + l] = FN(load_sample)(x, dtype, s + 2 * k + 1) * w[2 * k + 1];
        }
      }
    } else {
      for (int64_t l = 0; l < cnt; ++l) {
        int64_t s = first + l * hop;
        for (int64_t k = 0; k < h; ++k) {
          re[k * LANES + l] = FN(padded_sample)(x, dtype, length, reflect, s + 2 * k) * w[2 * k];
          im[k * LANES + l] = FN(padded_sample)(x, dtype, length, reflect, s + 2 * k + 1) * w[2 * k + 1];
        }
      }
    }
  } else {
    for (int64_t j = 0; j < n; ++j)
      for (int64_t l = 0; l < LANES; ++l) {
        im[j * LANES + l] = 0;
        if (l >= cnt) re[j * LANES + l] = 0;
      }
    for (int64_t l = 0; l < cnt; ++l) {
      int64_t s = first + l * hop;
      for (int64_t j = 0; j < n; ++j)
        re[j * LANES + l] = FN(padded_sample)(x, dtype, length, reflect, s + j) * w[j];
    }
  }
}

/* Write the spectrum vectors X[0..F) (lane l = frame t0 + l, lanes < cnt)
 * to the output layout.  X may be reordered in place (bnf tiles). */
static void FN(store_spectrum)(REAL *out_b, spectro_layout layout, int64_t F, int64_t n_frames, int64_t t0,
                               int64_t cnt, VEC *Xr, VEC *Xi) {
  if (layout == SPECTRO_LAYOUT_BFN) {
    for (int64_t k = 0; k < F; ++k) {
      REAL *o = out_b + 2 * (k * n_frames + t0);
      if (cnt == LANES) { /* LANES consecutive frames: two interleaved vectors */
        FN(vstore)(o, FN(vlo)(Xr[k], Xi[k]));
        FN(vstore)(o + LANES, FN(vhi)(Xr[k], Xi[k]));
      } else {
        for (int64_t l = 0; l < cnt; ++l) {
          o[2 * l] = Xr[k][l];
          o[2 * l + 1] = Xi[k][l];
        }
      }
    }
    return;
  }
  /* bnf: each frame's row of bins is contiguous; transpose LANES x LANES
   * tiles so a vector holds LANES bins of one frame */
  int64_t k0 = 0;
  for (; k0 + LANES <= F; k0 += LANES) {
    FN(transpose)(Xr + k0);
    FN(transpose)(Xi + k0);
    for (int64_t l = 0; l < cnt; ++l) {
      REAL *o = out_b + 2 * ((t0 + l) * F + k0);
      FN(vstore)(o, FN(vlo)(Xr[k0 + l], Xi[k0 + l]));
      FN(vstore)(o + LANES, FN(vhi)(Xr[k0 + l], Xi[k0 + l]));
    }
  }
  for (int64_t l = 0; l < cnt; ++l) {
    REAL *o = out_b + 2 * ((t0 + l) * F);
    for (int64_t k = k0; k < F; ++k) {
      o[2 * k] = Xr[k][l];
      o[2 * k + 1] = Xi[k][l];
    }
  }
}

/* The one-sided spectrum of frames t0 .. t0+cnt-1 (cnt <= LANES) of one
 * signal, scaled, as lane vectors *Xr, *Xi (F each, inside scratch). */
static void FN(spectrum_block)(const spectro_stft_plan *plan, const void *x, spectro_dtype dtype, int64_t length,
                               int64_t t0, int64_t cnt, void *scratch, VEC **Xr_out, VEC **Xi_out) {
  const int64_t n = plan->n_fft, F = plan->bins;
  const size_t nv = FN(scratch_vectors)(n);
  VEC *a_r = (VEC *)scratch, *a_i = a_r + nv, *b_r = a_i + nv, *b_i = b_r + nv;
  const REAL scale = (REAL)plan->forward_scale;
  FN(gather_block)(plan, x, dtype, length, t0, cnt, (REAL *)a_r, (REAL *)a_i);
  if (n % 2 == 0) {
    const int64_t h = n / 2;
    VEC *zr = a_r, *zi = a_i;
    if (FN(block_cfft)(plan, plan->fft->half, a_r, a_i, b_r, b_i, -1, 0, scratch)) zr = b_r, zi = b_i;
    const REAL *restrict wt = plan->fft->RTW;
    VEC *Xr = zr == a_r ? b_r : a_r, *Xi = zr == a_r ? b_i : a_i; /* the free pair */
    const VEC zero = {0};
    Xr[0] = (zr[0] + zi[0]) * scale;
    Xi[0] = zero;
    Xr[h] = (zr[0] - zi[0]) * scale;
    Xi[h] = zero;
    for (int64_t k = 1; k < h; ++k) {
      VEC ar = zr[k], ai = zi[k], cr = zr[h - k], ci = -zi[h - k];
      VEC er = (ar + cr) * (REAL)0.5, ei = (ai + ci) * (REAL)0.5;
      VEC dr = (ar - cr) * (REAL)0.5, di = (ai - ci) * (REAL)0.5;
      /* O = d / i = (di, -dr); X = E + W^k O */
      REAL wr = wt[2 * k], wi = wt[2 * k + 1];
      Xr[k] = (er + (wr * di + wi * dr)) * scale;
      Xi[k] = (ei + (wi * di - wr * dr)) * scale;
    }
    *Xr_out = Xr;
    *Xi_out = Xi;
  } else {
    VEC *zr = a_r, *zi = a_i;
    if (FN(block_cfft)(plan, plan->fft->full, a_r, a_i, b_r, b_i, -1, 1, scratch)) zr = b_r, zi = b_i;
    for (int64_t k = 0; k < F; ++k) {
      zr[k] *= scale;
      zi[k] *= scale;
    }
    *Xr_out = zr;
    *Xi_out = zi;
  }
}

/* Forward STFT of frames t0 .. t0+cnt-1 (cnt <= LANES) of one signal. */
static void FN(forward_block)(const spectro_stft_plan *plan, const void *x, spectro_dtype dtype, int64_t length,
                              int64_t n_frames, int64_t t0, int64_t cnt, REAL *out_b, spectro_layout layout,
                              void *scratch) {
  VEC *Xr, *Xi;
  FN(spectrum_block)(plan, x, dtype, length, t0, cnt, scratch, &Xr, &Xi);
  FN(store_spectrum)(out_b, layout, plan->bins, n_frames, t0, cnt, Xr, Xi);
}

/* Frontend: power, sparse projection and scaling of frames t0 .. t0+cnt-1,
 * written to out_b[band][frame]; *block_max gets the largest value written
 * (for top_db). */
static void FN(frontend_block)(const spectro_stft_plan *plan, const frontend_spec *fs, const void *x,
                               spectro_dtype dtype, int64_t length, int64_t n_frames, int64_t t0, int64_t cnt,
                               REAL *out_b, void *scratch, double *block_max) {
  VEC *Xr, *Xi;
  FN(spectrum_block)(plan, x, dtype, length, t0, cnt, scratch, &Xr, &Xi);
  VEC *P = Xr; /* power in place */
  for (int64_t k = 0; k < fs->rows; ++k) P[k] = Xr[k] * Xr[k] + Xi[k] * Xi[k];
  if (fs->power_kind != 0)
    for (int64_t k = 0; k < fs->rows; ++k)
      for (int64_t l = 0; l < LANES; ++l) P[k][l] = (REAL)frontend_power_value(fs, (double)P[k][l]);
  const REAL *w = sizeof(REAL) == sizeof(float) ? (const REAL *)(const void *)fs->wf : (const REAL *)(const void *)fs->wd;
  double mx = -INFINITY;
  for (int64_t m = 0; m < fs->bands; ++m) {
    VEC acc;
    if (fs->identity) {
      acc = P[m];
    } else {
      const VEC zero = {0};
      acc = zero;
      const REAL *wm = w + fs->offset[m];
      const VEC *pm = P + fs->start[m];
      for (int64_t j = 0; j < fs->count[m]; ++j) acc += pm[j] * wm[j];
    }
    REAL *o = out_b + m * n_frames + t0;
    if (fs->scale == SPECTRO_SCALE_LINEAR) {
      if (cnt == LANES) FN(vstore)(o, acc);
      else
        for (int64_t l = 0; l < cnt; ++l) o[l] = acc[l];
      for (int64_t l = 0; l < cnt; ++l)
        if (acc[l] > mx) mx = acc[l];
    } else {
      for (int64_t l = 0; l < cnt; ++l) {
        REAL v = (REAL)frontend_scale_value(fs, (double)acc[l]);
        o[l] = v;
        if (v > mx) mx = v;
      }
    }
  }
  *block_max = mx;
}

/* Inverse: frames t0 .. t0+cnt-1 of one spectrum, inverse-transformed,
 * windowed, scaled and overlap-added into `acc`, whose index 0 is the padded
 * position base. */
static void FN(inverse_block)(const spectro_stft_plan *plan, const REAL *spec_b, int64_t n_frames, int64_t t0,
                              int64_t cnt, spectro_layout layout, REAL *acc, int64_t base, void *scratch) {
  const int64_t n = plan->n_fft, F = plan->bins, hop = plan->hop;
  const size_t nv = FN(scratch_vectors)(n);
  VEC *a_r = (VEC *)scratch, *a_i = a_r + nv, *b_r = a_i + nv, *b_i = b_r + nv;
  REAL *xr = (REAL *)b_r, *xi = (REAL *)b_i; /* loaded spectrum, lane-major */
  const REAL *restrict w = plan->WINDOW;
  const REAL scale = (REAL)(1.0 / ((double)n * plan->forward_scale));
  VEC *Xr = b_r, *Xi = b_i;
  if (layout == SPECTRO_LAYOUT_BFN && cnt == LANES) { /* LANES consecutive frames per bin */
    for (int64_t k = 0; k < F; ++k) {
      const REAL *z = spec_b + 2 * (k * n_frames + t0);
      VEC a = FN(vload)(z), b = FN(vload)(z + LANES);
      Xr[k] = FN(veven)(a, b);
      Xi[k] = FN(vodd)(a, b);
    }
  } else if (layout == SPECTRO_LAYOUT_BNF && cnt == LANES) { /* rows of bins: transpose tiles */
    int64_t k0 = 0;
    for (; k0 + LANES <= F; k0 += LANES) {
      for (int64_t l = 0; l < LANES; ++l) {
        const REAL *z = spec_b + 2 * ((t0 + l) * F + k0);
        VEC a = FN(vload)(z), b = FN(vload)(z + LANES);
        Xr[k0 + l] = FN(veven)(a, b);
        Xi[k0 + l] = FN(vodd)(a, b);
      }
      FN(transpose)(Xr + k0);
      FN(transpose)(Xi + k0);
    }
    for (int64_t l = 0; l < LANES; ++l)
      for (int64_t k = k0; k < F; ++k) {
        const REAL *z = spec_b + 2 * ((t0 + l) * F + k);
        xr[k * LANES + l] = z[0];
        xi[k * LANES + l] = z[1];
      }
  } else {
    for (int64_t l = 0; l < LANES; ++l) {
      if (l < cnt) {
        int64_t t = t0 + l;
        for (int64_t k = 0; k < F; ++k) {
          const REAL *z = layout == SPECTRO_LAYOUT_BFN ? spec_b + 2 * (k * n_frames + t) : spec_b + 2 * (t * F + k);
          xr[k * LANES + l] = z[0];
          xi[k * LANES + l] = z[1];
        }
      } else {
        for (int64_t k = 0; k < F; ++k) xr[k * LANES + l] = xi[k * LANES + l] = 0;
      }
    }
  }
  VEC *zr, *zi;
  const VEC zero = {0};
  if (n % 2 == 0) {
    const int64_t h = n / 2;
    const REAL *restrict wt = plan->fft->RTW;
    /* k = 0: DC and Nyquist are real (their imaginary parts are ignored) */
    a_r[0] = Xr[0] + Xr[h];
    a_i[0] = Xr[0] - Xr[h];
    for (int64_t k = 1; k < h; ++k) {
      VEC ar = Xr[k], ai = Xi[k];
      VEC cr = Xr[h - k], ci = -Xi[h - k]; /* conj X[h-k] */
      VEC er = ar + cr, ei = ai + ci, dr = ar - cr, di = ai - ci;
      REAL wr = wt[2 * k], wi = -wt[2 * k + 1]; /* conj(W^k) */
      VEC or_ = dr * wr - di * wi, oi = dr * wi + di * wr;
      a_r[k] = er - oi;
      a_i[k] = ei + or_;
    }
    /* b_* (the loaded spectrum) is free again: it is the FFT's scratch */
    zr = a_r, zi = a_i;
    if (FN(block_cfft)(plan, plan->fft->half, a_r, a_i, b_r, b_i, +1, 0, scratch)) zr = b_r, zi = b_i;
    for (int64_t k = 0; k < h; ++k) {
      zr[k] *= w[2 * k] * scale;
      zi[k] *= w[2 * k + 1] * scale;
    }
    /* transpose tiles in place: zr[k0 + l] then holds frame l's samples
     * k0 .. k0+LANES-1; each frame is then added whole, in frame order */
    int64_t k0 = 0;
    for (; k0 + LANES <= h; k0 += LANES) {
      FN(transpose)(zr + k0);
      FN(transpose)(zi + k0);
    }
    for (int64_t l = 0; l < cnt; ++l) {
      REAL *restrict y = acc + (t0 + l) * hop - base;
      for (int64_t k = 0; k < k0; k += LANES) {
        REAL *yy = y + 2 * k;
        FN(vstore)(yy, FN(vload)(yy) + FN(vlo)(zr[k + l], zi[k + l]));
        FN(vstore)(yy + LANES, FN(vload)(yy + LANES) + FN(vhi)(zr[k + l], zi[k + l]));
      }
      const REAL *pr = (const REAL *)zr + l, *pi = (const REAL *)zi + l;
      for (int64_t k = k0; k < h; ++k) {
        y[2 * k] += pr[k * LANES];
        y[2 * k + 1] += pi[k * LANES];
      }
    }
  } else {
    a_r[0] = Xr[0];
    a_i[0] = zero;
    for (int64_t k = 1; k < F; ++k) {
      a_r[k] = Xr[k];
      a_i[k] = Xi[k];
      a_r[n - k] = Xr[k];
      a_i[n - k] = -Xi[k];
    }
    zr = a_r, zi = a_i;
    if (FN(block_cfft)(plan, plan->fft->full, a_r, a_i, b_r, b_i, +1, -1, scratch)) zr = b_r, zi = b_i;
    for (int64_t j = 0; j < n; ++j) zr[j] *= w[j] * scale;
    for (int64_t l = 0; l < cnt; ++l) {
      REAL *restrict y = acc + (t0 + l) * hop - base;
      const REAL *pr = (const REAL *)zr + l;
      for (int64_t j = 0; j < n; ++j) y[j] += pr[j * LANES];
    }
  }
}
