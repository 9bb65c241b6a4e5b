/* Complex and real transform execution for float and double. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fft.h"

#include <math.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Bluestein in double for plan->n with a large prime factor: the chirp
 * product turns the transform into a cyclic convolution of smooth length m.
 * Scratch: m complex (a) + m complex (sub-transform scratch). */
static void bluestein_forward(const cfft *plan, double *data, void *scratch) {
  const int64_t n = plan->n, m = plan->m;
  double *a = (double *)scratch;
  void *sub_scratch = a + 2 * m;
  const double *c = plan->chirp;
  for (int64_t k = 0; k < n; ++k) { /* a = x * conj(c) */
    double xr = data[2 * k], xi = data[2 * k + 1];
    a[2 * k] = xr * c[2 * k] + xi * c[2 * k + 1];
    a[2 * k + 1] = xi * c[2 * k] - xr * c[2 * k + 1];
  }
  memset(a + 2 * n, 0, (size_t)(m - n) * 2 * sizeof(double));
  cfft_exec_f64(plan->sub, a, -1, sub_scratch);
  const double *b = plan->kernel_fft;
  for (int64_t k = 0; k < m; ++k) {
    double ar = a[2 * k], ai = a[2 * k + 1];
    a[2 * k] = ar * b[2 * k] - ai * b[2 * k + 1];
    a[2 * k + 1] = ar * b[2 * k + 1] + ai * b[2 * k];
  }
  cfft_exec_f64(plan->sub, a, +1, sub_scratch);
  for (int64_t k = 0; k < n; ++k) { /* X = conj(c) * conv */
    double ar = a[2 * k], ai = a[2 * k + 1];
    data[2 * k] = ar * c[2 * k] + ai * c[2 * k + 1];
    data[2 * k + 1] = ai * c[2 * k] - ar * c[2 * k + 1];
  }
}

static void bluestein_f64(const cfft *plan, double *data, int sign, void *scratch) {
  const int64_t n = plan->n;
  if (sign > 0) /* inverse = conj(forward(conj x)) */
    for (int64_t k = 0; k < n; ++k) data[2 * k + 1] = -data[2 * k + 1];
  bluestein_forward(plan, data, scratch);
  if (sign > 0)
    for (int64_t k = 0; k < n; ++k) data[2 * k + 1] = -data[2 * k + 1];
}

/* float data goes through the double Bluestein: the chirp products lose too
 * much in float32 for long primes. */
static void bluestein_f32(const cfft *plan, float *data, int sign, void *scratch) {
  const int64_t n = plan->n;
  double *d = (double *)scratch;
  for (int64_t k = 0; k < 2 * n; ++k) d[k] = data[k];
  bluestein_f64(plan, d, sign, d + 2 * n);
  for (int64_t k = 0; k < 2 * n; ++k) data[k] = (float)d[k];
}

#define REAL float
#define SUFFIX _f32
#define TW tw_f
#define RTW rtw_f
#include "cfft_impl.h"
#undef REAL
#undef SUFFIX
#undef TW
#undef RTW

#define REAL double
#define SUFFIX _f64
#define TW tw_d
#define RTW rtw_d
#include "cfft_impl.h"
#undef REAL
#undef SUFFIX
#undef TW
#undef RTW
