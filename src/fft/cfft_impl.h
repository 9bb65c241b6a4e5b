/* Complex mixed-radix passes and real-input transforms, written once and
 * instantiated for float and double by cfft_exec.c.  Expects REAL, SUFFIX
 * TW and RTW (the plan twiddle arrays for REAL) to be defined. */

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define FN(name) CAT(name, SUFFIX)

/* One Stockham pass of radix ip (pocketfft's index scheme):
 * in  CC(i, j, k) = cc[i + ido * (j + ip * k)]
 * out CH(i, k, m) = ch[i + ido * (k + l1 * m)] = DFT_ip(x)[m] * w^(m * l1 * i). */
static inline __attribute__((always_inline)) void FN(pass_body)(int64_t ido, int64_t l1, int64_t ip,
                                                                 const REAL *restrict cc, REAL *restrict ch,
                                                                 const REAL *restrict tw, int sign) {
  const REAL s = (REAL)sign;
  REAL xr[FFT_MAX_GENERIC_RADIX + 3], xi[FFT_MAX_GENERIC_RADIX + 3];
  REAL yr[FFT_MAX_GENERIC_RADIX + 3], yi[FFT_MAX_GENERIC_RADIX + 3];
  double rootr[FFT_MAX_GENERIC_RADIX + 3], rooti[FFT_MAX_GENERIC_RADIX + 3];
  if (ip > 5) {
    for (int64_t q = 0; q < ip; ++q) {
      rootr[q] = cos(2.0 * M_PI * (double)q / (double)ip);
      rooti[q] = sign * sin(2.0 * M_PI * (double)q / (double)ip);
    }
  }
  const REAL c3 = (REAL)-0.5, s3 = (REAL)(0.86602540378443864676 * sign);
  const REAL c51 = (REAL)0.30901699437494742410, s51 = (REAL)(0.95105651629515357212 * sign);
  const REAL c52 = (REAL)-0.80901699437494742410, s52 = (REAL)(0.58778525229247312917 * sign);
  for (int64_t k = 0; k < l1; ++k) {
    for (int64_t i = 0; i < ido; ++i) {
      for (int64_t j = 0; j < ip; ++j) {
        const REAL *p = cc + 2 * (i + ido * (j + ip * k));
        xr[j] = p[0];
        xi[j] = p[1];
      }
      switch (ip) {
      case 2:
        yr[0] = xr[0] + xr[1]; yi[0] = xi[0] + xi[1];
        yr[1] = xr[0] - xr[1]; yi[1] = xi[0] - xi[1];
        break;
      case 3: {
        REAL tr = xr[1] + xr[2], ti = xi[1] + xi[2];
        REAL dr = xr[1] - xr[2], di = xi[1] - xi[2];
        yr[0] = xr[0] + tr; yi[0] = xi[0] + ti;
        REAL ar = xr[0] + c3 * tr, ai = xi[0] + c3 * ti;
        /* i * s3 * d = (-s3 di, s3 dr) */
        yr[1] = ar - s3 * di; yi[1] = ai + s3 * dr;
        yr[2] = ar + s3 * di; yi[2] = ai - s3 * dr;
        break;
      }
      case 4: {
        REAL t0r = xr[0] + xr[2], t0i = xi[0] + xi[2];
        REAL t1r = xr[0] - xr[2], t1i = xi[0] - xi[2];
        REAL t2r = xr[1] + xr[3], t2i = xi[1] + xi[3];
        REAL t3r = xr[1] - xr[3], t3i = xi[1] - xi[3];
        /* (s i) t3 = (-s t3i, s t3r) */
        REAL ur = -s * t3i, ui = s * t3r;
        yr[0] = t0r + t2r; yi[0] = t0i + t2i;
        yr[2] = t0r - t2r; yi[2] = t0i - t2i;
        yr[1] = t1r + ur; yi[1] = t1i + ui;
        yr[3] = t1r - ur; yi[3] = t1i - ui;
        break;
      }
      case 5: {
        REAL t1r = xr[1] + xr[4], t1i = xi[1] + xi[4];
        REAL t4r = xr[1] - xr[4], t4i = xi[1] - xi[4];
        REAL t2r = xr[2] + xr[3], t2i = xi[2] + xi[3];
        REAL t3r = xr[2] - xr[3], t3i = xi[2] - xi[3];
        yr[0] = xr[0] + t1r + t2r; yi[0] = xi[0] + t1i + t2i;
        REAL a1r = xr[0] + c51 * t1r + c52 * t2r, a1i = xi[0] + c51 * t1i + c52 * t2i;
        REAL a2r = xr[0] + c52 * t1r + c51 * t2r, a2i = xi[0] + c52 * t1i + c51 * t2i;
        /* b1 = i (s51 t4 + s52 t3), b2 = i (s52 t4 - s51 t3) */
        REAL b1r = -(s51 * t4i + s52 * t3i), b1i = s51 * t4r + s52 * t3r;
        REAL b2r = -(s52 * t4i - s51 * t3i), b2i = s52 * t4r - s51 * t3r;
        yr[1] = a1r + b1r; yi[1] = a1i + b1i;
        yr[4] = a1r - b1r; yi[4] = a1i - b1i;
        yr[2] = a2r + b2r; yi[2] = a2i + b2i;
        yr[3] = a2r - b2r; yi[3] = a2i - b2i;
        break;
      }
      default: {
        /* Generic odd radix: pair j with ip - j. */
        for (int64_t m = 0; m < ip; ++m) {
          double accr = xr[0], acci = xi[0];
          for (int64_t j = 1; j < ip; ++j) {
            int64_t q = (j * m) % ip;
            accr += xr[j] * rootr[q] - xi[j] * rooti[q];
            acci += xr[j] * rooti[q] + xi[j] * rootr[q];
          }
          yr[m] = (REAL)accr;
          yi[m] = (REAL)acci;
        }
        break;
      }
      }
      REAL *out0 = ch + 2 * (i + ido * k);
      out0[0] = yr[0];
      out0[1] = yi[0];
      for (int64_t m = 1; m < ip; ++m) {
        REAL *o = ch + 2 * (i + ido * (k + l1 * m));
        if (i == 0) {
          o[0] = yr[m];
          o[1] = yi[m];
        } else {
          const REAL *w = tw + 2 * ((m - 1) * (ido - 1) + (i - 1));
          REAL wr = w[0], wi = s * w[1];
          o[0] = yr[m] * wr - yi[m] * wi;
          o[1] = yr[m] * wi + yi[m] * wr;
        }
      }
    }
  }
}

/* The pass with its radix a compile-time constant for 2, 3, 4 and 5 (the
 * body's loops over j and m unroll, its switch folds and the points stay in
 * registers: the Bluestein sub-transforms spend their time here); other
 * radices run the generic body. */
static void FN(pass)(int64_t ido, int64_t l1, int64_t ip, const REAL *restrict cc, REAL *restrict ch,
                     const REAL *restrict tw, int sign) {
  switch (ip) {
  case 2: FN(pass_body)(ido, l1, 2, cc, ch, tw, sign); break;
  case 3: FN(pass_body)(ido, l1, 3, cc, ch, tw, sign); break;
  case 4: FN(pass_body)(ido, l1, 4, cc, ch, tw, sign); break;
  case 5: FN(pass_body)(ido, l1, 5, cc, ch, tw, sign); break;
  default: FN(pass_body)(ido, l1, ip, cc, ch, tw, sign); break;
  }
}

void FN(cfft_exec)(const cfft *plan, REAL *data, int sign, void *scratch) {
  if (plan->n <= 1) return;
  if (plan->nfactors == 0) {
    FN(bluestein)(plan, data, sign, scratch);
    return;
  }
  REAL *a = data, *b = (REAL *)scratch;
  const REAL *tw = plan->TW;
  int64_t l1 = 1;
  for (int f = 0; f < plan->nfactors; ++f) {
    int64_t ip = plan->factors[f];
    int64_t ido = plan->n / (l1 * ip);
    FN(pass)(ido, l1, ip, a, b, tw, sign);
    tw += 2 * (ip - 1) * (ido - 1);
    REAL *t = a;
    a = b;
    b = t;
    l1 *= ip;
  }
  if (a != data) memcpy(data, a, (size_t)plan->n * 2 * sizeof(REAL));
}

/* Real forward transform of n values into n/2+1 bins. */
void FN(fft_r2c)(const spectro_fft_plan *plan, const REAL *in, REAL *out, void *scratch) {
  const int64_t n = plan->n;
  if (n == 1) {
    out[0] = in[0];
    out[1] = 0;
    return;
  }
  if (plan->half == NULL) { /* odd n: full complex transform of real data */
    REAL *z = (REAL *)scratch;
    void *sub = (char *)scratch + 16 * (size_t)(n + 2);
    for (int64_t j = 0; j < n; ++j) {
      z[2 * j] = in[j];
      z[2 * j + 1] = 0;
    }
    FN(cfft_exec)(plan->full, z, -1, sub);
    memcpy(out, z, (size_t)(n / 2 + 1) * 2 * sizeof(REAL));
    return;
  }
  const int64_t h = n / 2;
  REAL *z = (REAL *)scratch;
  void *sub = (char *)scratch + 16 * (size_t)(n + 2);
  memcpy(z, in, (size_t)n * sizeof(REAL)); /* pairs (x[2k], x[2k+1]) */
  FN(cfft_exec)(plan->half, z, -1, sub);
  const REAL *w = plan->RTW;
  out[0] = z[0] + z[1];
  out[1] = 0;
  out[2 * h] = z[0] - z[1];
  out[2 * h + 1] = 0;
  for (int64_t k = 1; k < h; ++k) {
    REAL zr = z[2 * k], zi = z[2 * k + 1];
    REAL cr = z[2 * (h - k)], ci = -z[2 * (h - k) + 1]; /* conj(Z[h-k]) */
    REAL er = (REAL)0.5 * (zr + cr), ei = (REAL)0.5 * (zi + ci);
    /* O = (Z - conj Z[h-k]) / (2i) */
    REAL dr = (REAL)0.5 * (zr - cr), di = (REAL)0.5 * (zi - ci);
    REAL or_ = di, oi = -dr;
    REAL wr = w[2 * k], wi = w[2 * k + 1];
    out[2 * k] = er + (wr * or_ - wi * oi);
    out[2 * k + 1] = ei + (wr * oi + wi * or_);
  }
}

/* Real inverse transform (unscaled: returns n * x) of n/2+1 bins. */
void FN(fft_c2r)(const spectro_fft_plan *plan, const REAL *in, REAL *out, void *scratch) {
  const int64_t n = plan->n;
  if (n == 1) {
    out[0] = in[0];
    return;
  }
  if (plan->half == NULL) {
    REAL *z = (REAL *)scratch;
    void *sub = (char *)scratch + 16 * (size_t)(n + 2);
    z[0] = in[0];
    z[1] = 0;
    for (int64_t k = 1; k <= n / 2; ++k) {
      z[2 * k] = in[2 * k];
      z[2 * k + 1] = in[2 * k + 1];
      z[2 * (n - k)] = in[2 * k];
      z[2 * (n - k) + 1] = -in[2 * k + 1];
    }
    FN(cfft_exec)(plan->full, z, +1, sub);
    for (int64_t j = 0; j < n; ++j) out[j] = z[2 * j];
    return;
  }
  const int64_t h = n / 2;
  REAL *z = (REAL *)scratch;
  void *sub = (char *)scratch + 16 * (size_t)(n + 2);
  const REAL *w = plan->RTW;
  for (int64_t k = 0; k < h; ++k) {
    REAL xr = in[2 * k], xi = k == 0 ? 0 : in[2 * k + 1];
    REAL yr = in[2 * (h - k)], yi = (k == 0) ? 0 : -in[2 * (h - k) + 1]; /* conj X[h-k] */
    REAL er = xr + yr, ei = xi + yi;
    REAL dr = xr - yr, di = xi - yi;
    /* O' = d * conj(W^k) */
    REAL wr = w[2 * k], wi = -w[2 * k + 1];
    REAL or_ = dr * wr - di * wi, oi = dr * wi + di * wr;
    /* Z = E' + i O' */
    z[2 * k] = er - oi;
    z[2 * k + 1] = ei + or_;
  }
  FN(cfft_exec)(plan->half, z, +1, sub);
  memcpy(out, z, (size_t)n * sizeof(REAL));
}

#undef FN
#undef CAT
#undef CAT2
