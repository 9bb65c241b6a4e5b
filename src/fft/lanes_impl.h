/* Lane-parallel complex FFT: LANES independent transforms at once, one per
 * vector lane, data split into real and imaginary arrays of vectors
 * (re[j][lane], im[j][lane]).  Every butterfly is plain vector arithmetic:
 * no shuffles, so every radix is vector-efficient.  Same Stockham passes and
 * twiddle tables as the scalar FFT (cfft_impl.h).
 *
 * Expects: REAL (float/double), VEC (its vector type), LANES, SUFFIX, TW
 * (plan twiddle field for REAL), and FN(x) for name mangling. */

/* y = x * (wr + i wi), vector by scalar */
#define CMUL_RS(yr, yi, xr, xi, wr, wi)                                                   \
  do {                                                                                      \
    VEC xr_ = (xr), xi_ = (xi);                                                             \
    (yr) = xr_ * (wr) - xi_ * (wi);                                                         \
    (yi) = xr_ * (wi) + xi_ * (wr);                                                         \
  } while (0)

#define CC(a, b, c) ((a) + ido * ((b) + ip * (c)))
#define CH(a, b, c) ((a) + ido * ((b) + l1 * (c)))
#define TWR(m, i) tw[2 * (((m)-1) * (ido - 1) + (i)-1)]
#define TWI(m, i) (s * tw[2 * (((m)-1) * (ido - 1) + (i)-1) + 1])

static void FN(lpass2)(int64_t ido, int64_t l1, const VEC *cr, const VEC *ci, VEC *hr, VEC *hi,
                       const REAL *tw, REAL s) {
  const int64_t ip = 2;
  for (int64_t k = 0; k < l1; ++k)
    for (int64_t i = 0; i < ido; ++i) {
      VEC ar = cr[CC(i, 0, k)], ai = ci[CC(i, 0, k)], br = cr[CC(i, 1, k)], bi = ci[CC(i, 1, k)];
      hr[CH(i, k, 0)] = ar + br;
      hi[CH(i, k, 0)] = ai + bi;
      VEC dr = ar - br, di = ai - bi;
      if (i == 0) {
        hr[CH(i, k, 1)] = dr;
        hi[CH(i, k, 1)] = di;
      } else {
        CMUL_RS(hr[CH(i, k, 1)], hi[CH(i, k, 1)], dr, di, TWR(1, i), TWI(1, i));
      }
    }
}

static void FN(lpass3)(int64_t ido, int64_t l1, const VEC *cr, const VEC *ci, VEC *hr, VEC *hi,
                       const REAL *tw, REAL s) {
  const int64_t ip = 3;
  const REAL c3 = (REAL)-0.5, s3 = (REAL)0.86602540378443864676 * s;
  for (int64_t k = 0; k < l1; ++k)
    for (int64_t i = 0; i < ido; ++i) {
      VEC x0r = cr[CC(i, 0, k)], x0i = ci[CC(i, 0, k)];
      VEC x1r = cr[CC(i, 1, k)], x1i = ci[CC(i, 1, k)];
      VEC x2r = cr[CC(i, 2, k)], x2i = ci[CC(i, 2, k)];
      VEC tr = x1r + x2r, ti = x1i + x2i, dr = x1r - x2r, di = x1i - x2i;
      hr[CH(i, k, 0)] = x0r + tr;
      hi[CH(i, k, 0)] = x0i + ti;
      VEC ar = x0r + c3 * tr, ai = x0i + c3 * ti;
      VEC y1r = ar - s3 * di, y1i = ai + s3 * dr, y2r = ar + s3 * di, y2i = ai - s3 * dr;
      if (i == 0) {
        hr[CH(i, k, 1)] = y1r; hi[CH(i, k, 1)] = y1i;
        hr[CH(i, k, 2)] = y2r; hi[CH(i, k, 2)] = y2i;
      } else {
        CMUL_RS(hr[CH(i, k, 1)], hi[CH(i, k, 1)], y1r, y1i, TWR(1, i), TWI(1, i));
        CMUL_RS(hr[CH(i, k, 2)], hi[CH(i, k, 2)], y2r, y2i, TWR(2, i), TWI(2, i));
      }
    }
}

static void FN(lpass4)(int64_t ido, int64_t l1, const VEC *cr, const VEC *ci, VEC *hr, VEC *hi,
                       const REAL *tw, REAL s) {
  const int64_t ip = 4;
  for (int64_t k = 0; k < l1; ++k)
    for (int64_t i = 0; i < ido; ++i) {
      VEC x0r = cr[CC(i, 0, k)], x0i = ci[CC(i, 0, k)];
      VEC x1r = cr[CC(i, 1, k)], x1i = ci[CC(i, 1, k)];
      VEC x2r = cr[CC(i, 2, k)], x2i = ci[CC(i, 2, k)];
      VEC x3r = cr[CC(i, 3, k)], x3i = ci[CC(i, 3, k)];
      VEC t0r = x0r + x2r, t0i = x0i + x2i, t1r = x0r - x2r, t1i = x0i - x2i;
      VEC t2r = x1r + x3r, t2i = x1i + x3i, t3r = x1r - x3r, t3i = x1i - x3i;
      VEC ur = -s * t3i, ui = s * t3r; /* (s i) t3 */
      hr[CH(i, k, 0)] = t0r + t2r;
      hi[CH(i, k, 0)] = t0i + t2i;
      VEC y1r = t1r + ur, y1i = t1i + ui, y2r = t0r - t2r, y2i = t0i - t2i, y3r = t1r - ur, y3i = t1i - ui;
      if (i == 0) {
        hr[CH(i, k, 1)] = y1r; hi[CH(i, k, 1)] = y1i;
        hr[CH(i, k, 2)] = y2r; hi[CH(i, k, 2)] = y2i;
        hr[CH(i, k, 3)] = y3r; hi[CH(i, k, 3)] = y3i;
      } else {
        CMUL_RS(hr[CH(i, k, 1)], hi[CH(i, k, 1)], y1r, y1i, TWR(1, i), TWI(1, i));
        CMUL_RS(hr[CH(i, k, 2)], hi[CH(i, k, 2)], y2r, y2i, TWR(2, i), TWI(2, i));
        CMUL_RS(hr[CH(i, k, 3)], hi[CH(i, k, 3)], y3r, y3i, TWR(3, i), TWI(3, i));
      }
    }
}

static void FN(lpass5)(int64_t ido, int64_t l1, const VEC *cr, const VEC *ci, VEC *hr, VEC *hi,
                       const REAL *tw, REAL s) {
  const int64_t ip = 5;
  const REAL c51 = (REAL)0.30901699437494742410, s51 = (REAL)0.95105651629515357212 * s;
  const REAL c52 = (REAL)-0.80901699437494742410, s52 = (REAL)0.58778525229247312917 * s;
  for (int64_t k = 0; k < l1; ++k)
    for (int64_t i = 0; i < ido; ++i) {
      VEC x0r = cr[CC(i, 0, k)], x0i = ci[CC(i, 0, k)];
      VEC x1r = cr[CC(i, 1, k)], x1i = ci[CC(i, 1, k)];
      VEC x2r = cr[CC(i, 2, k)], x2i = ci[CC(i, 2, k)];
      VEC x3r = cr[CC(i, 3, k)], x3i = ci[CC(i, 3, k)];
      VEC x4r = cr[CC(i, 4, k)], x4i = ci[CC(i, 4, k)];
      VEC t1r = x1r + x4r, t1i = x1i + x4i, t4r = x1r - x4r, t4i = x1i - x4i;
      VEC t2r = x2r + x3r, t2i = x2i + x3i, t3r = x2r - x3r, t3i = x2i - x3i;
      hr[CH(i, k, 0)] = x0r + t1r + t2r;
      hi[CH(i, k, 0)] = x0i + t1i + t2i;
      VEC a1r = x0r + c51 * t1r + c52 * t2r, a1i = x0i + c51 * t1i + c52 * t2i;
      VEC a2r = x0r + c52 * t1r + c51 * t2r, a2i = x0i + c52 * t1i + c51 * t2i;
      VEC b1r = -(s51 * t4i + s52 * t3i), b1i = s51 * t4r + s52 * t3r;
      VEC b2r = -(s52 * t4i - s51 * t3i), b2i = s52 * t4r - s51 * t3r;
      VEC yr[5], yi[5];
      yr[1] = a1r + b1r; yi[1] = a1i + b1i;
      yr[4] = a1r - b1r; yi[4] = a1i - b1i;
      yr[2] = a2r + b2r; yi[2] = a2i + b2i;
      yr[3] = a2r - b2r; yi[3] = a2i - b2i;
      for (int m = 1; m < 5; ++m) {
        if (i == 0) {
          hr[CH(i, k, m)] = yr[m];
          hi[CH(i, k, m)] = yi[m];
        } else {
          CMUL_RS(hr[CH(i, k, m)], hi[CH(i, k, m)], yr[m], yi[m], TWR(m, i), TWI(m, i));
        }
      }
    }
}

/* Generic odd radix (7, 11, ... up to FFT_MAX_GENERIC_RADIX). */
static void FN(lpassg)(int64_t ido, int64_t l1, int64_t ip, const VEC *cr, const VEC *ci, VEC *hr,
                       VEC *hi, const REAL *tw, REAL s) {
  REAL rootr[FFT_MAX_GENERIC_RADIX + 1], rooti[FFT_MAX_GENERIC_RADIX + 1];
  for (int64_t q = 0; q < ip; ++q) {
    rootr[q] = (REAL)cos(2.0 * M_PI * (double)q / (double)ip);
    rooti[q] = (REAL)(s * sin(2.0 * M_PI * (double)q / (double)ip));
  }
  VEC xr[FFT_MAX_GENERIC_RADIX + 1], xi[FFT_MAX_GENERIC_RADIX + 1];
  for (int64_t k = 0; k < l1; ++k)
    for (int64_t i = 0; i < ido; ++i) {
      for (int64_t j = 0; j < ip; ++j) {
        xr[j] = cr[CC(i, j, k)];
        xi[j] = ci[CC(i, j, k)];
      }
      for (int64_t m = 0; m < ip; ++m) {
        VEC ar = xr[0], ai = xi[0];
        int64_t q = 0;
        for (int64_t j = 1; j < ip; ++j) {
          q += m;
          if (q >= ip) q -= ip;
          ar += xr[j] * rootr[q] - xi[j] * rooti[q];
          ai += xr[j] * rooti[q] + xi[j] * rootr[q];
        }
        if (i == 0 || m == 0) {
          hr[CH(i, k, m)] = ar;
          hi[CH(i, k, m)] = ai;
        } else {
          CMUL_RS(hr[CH(i, k, m)], hi[CH(i, k, m)], ar, ai, TWR(m, i), TWI(m, i));
        }
      }
    }
}

#undef CC
#undef CH
#undef TWR
#undef TWI

/* Lane transform of plan->n points: (re, im) hold n vectors each; (sre, sim)
 * are scratch of the same size.  Returns 0 when the result is in (re, im),
 * 1 when it is in (sre, sim) (Stockham ping-pongs; no copy back).  Not for
 * Bluestein plans. */
static int FN(lanes_cfft)(const cfft *plan, VEC *re, VEC *im, VEC *sre, VEC *sim, int sign) {
  if (plan->n <= 1) return 0;
  VEC *ar = re, *ai = im, *br = sre, *bi = sim;
  const REAL *tw = plan->TW;
  const REAL s = (REAL)sign;
  int64_t l1 = 1;
  for (int f = 0; f < plan->nfactors; ++f) {
    int64_t ip = plan->factors[f], ido = plan->n / (l1 * ip);
    switch (ip) {
    case 2: FN(lpass2)(ido, l1, ar, ai, br, bi, tw, s); break;
    case 3: FN(lpass3)(ido, l1, ar, ai, br, bi, tw, s); break;
    case 4: FN(lpass4)(ido, l1, ar, ai, br, bi, tw, s); break;
    case 5: FN(lpass5)(ido, l1, ar, ai, br, bi, tw, s); break;
    default: FN(lpassg)(ido, l1, ip, ar, ai, br, bi, tw, s); break;
    }
    tw += 2 * (ip - 1) * (ido - 1);
    VEC *t = ar; ar = br; br = t;
    t = ai; ai = bi; bi = t;
    l1 *= ip;
  }
  return ar != re;
}

#undef CMUL_RS
