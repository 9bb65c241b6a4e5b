/* The built-in FFT against an independent long-double reference: a direct
 * DFT (n <= 8192) or a textbook radix-2 FFT (larger powers of two), both in
 * 80-bit extended precision.  Relative L2 error bounds: 1e-6 for float32,
 * 1e-14 for float64 (issue: Foundation). */
#include "test_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef long double ld;

static void dft_ref(const ld *x, ld *y, int64_t n, int sign) { /* complex in/out */
  ld *cr = malloc(sizeof(ld) * (size_t)n), *ci = malloc(sizeof(ld) * (size_t)n);
  for (int64_t k = 0; k < n; ++k) {
    ld a = 2.0L * 3.14159265358979323846264338327950288L * (ld)k / (ld)n;
    cr[k] = cosl(a);
    ci[k] = sign * sinl(a);
  }
  for (int64_t j = 0; j < n; ++j) {
    ld sr = 0, si = 0;
    int64_t idx = 0;
    for (int64_t k = 0; k < n; ++k) {
      ld xr = x[2 * k], xi = x[2 * k + 1];
      sr += xr * cr[idx] - xi * ci[idx];
      si += xr * ci[idx] + xi * cr[idx];
      idx += j;
      if (idx >= n) idx -= n;
    }
    y[2 * j] = sr;
    y[2 * j + 1] = si;
  }
  free(cr);
  free(ci);
}

static void fft_radix2_ref(ld *a, int64_t n, int sign) { /* in place, n power of two */
  for (int64_t i = 1, j = 0; i < n; ++i) {
    int64_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      ld t = a[2 * i]; a[2 * i] = a[2 * j]; a[2 * j] = t;
      t = a[2 * i + 1]; a[2 * i + 1] = a[2 * j + 1]; a[2 * j + 1] = t;
    }
  }
  for (int64_t len = 2; len <= n; len <<= 1) {
    for (int64_t k = 0; k < len / 2; ++k) {
      ld ang = 2.0L * 3.14159265358979323846264338327950288L * (ld)k / (ld)len;
      ld wr = cosl(ang), wi = sign * sinl(ang);
      for (int64_t i = 0; i < n; i += len) {
        ld *u = a + 2 * (i + k), *v = a + 2 * (i + k + len / 2);
        ld vr = v[0] * wr - v[1] * wi, vi = v[0] * wi + v[1] * wr;
        v[0] = u[0] - vr; v[1] = u[1] - vi;
        u[0] += vr; u[1] += vi;
      }
    }
  }
}

static void reference(const ld *x, ld *y, int64_t n, int sign) {
  if (n > 8192 && (n & (n - 1)) == 0) {
    memcpy(y, x, sizeof(ld) * 2 * (size_t)n);
    fft_radix2_ref(y, n, sign);
  } else {
    dft_ref(x, y, n, sign);
  }
}

static double rel_l2(const ld *ref, const double *got, int64_t count) {
  ld num = 0, den = 0;
  for (int64_t i = 0; i < count; ++i) {
    ld d = ref[i] - (ld)got[i];
    num += d * d;
    den += ref[i] * ref[i];
  }
  return den > 0 ? (double)sqrtl(num / den) : (double)sqrtl(num);
}

static int check_size(int64_t n) {
  int failures = 0;
  spectro_fft_plan *plan = NULL;
  CHECK_OK(spectro_fft_plan_create(n, &plan));
  if (!plan) return 1;
  ld *x = malloc(sizeof(ld) * 2 * (size_t)n), *y = malloc(sizeof(ld) * 2 * (size_t)n);
  double *d = malloc(sizeof(double) * 2 * (size_t)(n + 1));
  float *f = malloc(sizeof(float) * 2 * (size_t)(n + 1));
  double *got = malloc(sizeof(double) * 2 * (size_t)(n + 1));
  double *xr64 = malloc(sizeof(double) * (size_t)n);
  float *xr32 = malloc(sizeof(float) * (size_t)n);
  int64_t nb = n / 2 + 1;
  /* complex, both signs */
  for (int sign = -1; sign <= 1; sign += 2) {
    for (int64_t i = 0; i < 2 * n; ++i) x[i] = (ld)test_normal();
    reference(x, y, n, sign);
    for (int64_t i = 0; i < 2 * n; ++i) d[i] = (double)x[i];
    CHECK_OK(spectro_fft_c2c_f64(plan, d, sign));
    double e64 = rel_l2(y, d, 2 * n);
    for (int64_t i = 0; i < 2 * n; ++i) f[i] = (float)x[i];
    /* reference of the float-rounded input, so only the transform's error counts */
    for (int64_t i = 0; i < 2 * n; ++i) x[i] = (ld)f[i];
    reference(x, y, n, sign);
    CHECK_OK(spectro_fft_c2c_f32(plan, f, sign));
    for (int64_t i = 0; i < 2 * n; ++i) got[i] = f[i];
    double e32 = rel_l2(y, got, 2 * n);
    CHECK_MSG(e64 <= 1e-14, "c2c f64 n=%lld sign=%d rel err %.3g", (long long)n, sign, e64);
    CHECK_MSG(e32 <= 1e-6, "c2c f32 n=%lld sign=%d rel err %.3g", (long long)n, sign, e32);
  }
  /* real forward */
  for (int64_t i = 0; i < n; ++i) {
    xr32[i] = (float)test_normal();
    xr64[i] = xr32[i];
    x[2 * i] = xr32[i];
    x[2 * i + 1] = 0;
  }
  reference(x, y, n, -1);
  CHECK_OK(spectro_fft_r2c_f64(plan, xr64, d));
  double e64 = rel_l2(y, d, 2 * nb);
  CHECK_OK(spectro_fft_r2c_f32(plan, xr32, f));
  for (int64_t i = 0; i < 2 * nb; ++i) got[i] = f[i];
  double e32 = rel_l2(y, got, 2 * nb);
  CHECK_MSG(e64 <= 1e-14, "r2c f64 n=%lld rel err %.3g", (long long)n, e64);
  CHECK_MSG(e32 <= 1e-6, "r2c f32 n=%lld rel err %.3g", (long long)n, e32);
  /* real inverse of a Hermitian spectrum: reference is the full inverse DFT */
  for (int64_t k = 0; k < nb; ++k) {
    f[2 * k] = (float)test_normal();
    f[2 * k + 1] = (float)test_normal();
  }
  f[1] = 0;
  if (n % 2 == 0) f[2 * (nb - 1) + 1] = 0;
  for (int64_t k = 0; k < nb; ++k) {
    x[2 * k] = f[2 * k];
    x[2 * k + 1] = f[2 * k + 1];
    d[2 * k] = f[2 * k];
    d[2 * k + 1] = f[2 * k + 1];
  }
  for (int64_t k = nb; k < n; ++k) {
    x[2 * k] = x[2 * (n - k)];
    x[2 * k + 1] = -x[2 * (n - k) + 1];
  }
  reference(x, y, n, +1);
  for (int64_t i = 0; i < n; ++i) y[i] = y[2 * i]; /* real parts */
  CHECK_OK(spectro_fft_c2r_f64(plan, d, xr64));
  e64 = rel_l2(y, xr64, n);
  CHECK_OK(spectro_fft_c2r_f32(plan, f, xr32));
  for (int64_t i = 0; i < n; ++i) got[i] = xr32[i];
  e32 = rel_l2(y, got, n);
  CHECK_MSG(e64 <= 1e-14, "c2r f64 n=%lld rel err %.3g", (long long)n, e64);
  CHECK_MSG(e32 <= 1e-6, "c2r f32 n=%lld rel err %.3g", (long long)n, e32);
  spectro_fft_plan_destroy(plan);
  free(x); free(y); free(d); free(f); free(got); free(xr64); free(xr32);
  return failures;
}

int main(void) {
  test_seed_from_time();
  int failures = 0;
  for (int64_t n = 1; n <= 512; ++n) failures += check_size(n);
  const int64_t big[] = {1000, 1021, 1323, 2011, 4096, 4410, 6144, 8191, 8192, 65536};
  for (size_t i = 0; i < sizeof big / sizeof big[0]; ++i) failures += check_size(big[i]);
  /* invalid sizes */
  spectro_fft_plan *p = (spectro_fft_plan *)1;
  CHECK(spectro_fft_plan_create(0, &p) == SPECTRO_ERR_INVALID_ARGUMENT);
  CHECK(p == NULL);
  CHECK(strstr(spectro_last_error(), "n must be") != NULL);
  spectro_fft_plan_destroy(NULL);
  return test_report("fft", failures);
}
