/* FFT plans: factorisation, twiddles (always computed in double), Bluestein
 * set-up, and the public spectro_fft_* entry points. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fft.h"

#include "../core/core.h"

#include <math.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* cos/sin(2 pi k / n), the angle formed in long double (80-bit on x86). */
static void unit_root(int64_t k, int64_t n, double *c, double *s) {
  k %= n;
  if (k < 0) k += n;
  /* Use long double for the angle: exact enough for n up to 2^40. */
  long double angle = 2.0L * 3.14159265358979323846264338327950288L * (long double)k / (long double)n;
  *c = (double)cosl(angle);
  *s = (double)sinl(angle);
}

static int64_t smallest_prime_factor(int64_t n) {
  if (n % 2 == 0) return 2;
  for (int64_t p = 3; p * p <= n; p += 2)
    if (n % p == 0) return p;
  return n;
}

static int64_t next_smooth(int64_t n) { /* smallest 2^a 3^b 5^c >= n */
  int64_t best = INT64_MAX;
  for (int64_t p5 = 1; p5 < 2 * n; p5 *= 5)
    for (int64_t p35 = p5; p35 < 2 * n; p35 *= 3) {
      int64_t v = p35;
      while (v < n) v *= 2;
      if (v < best) best = v;
    }
  return best;
}

void cfft_destroy(cfft *plan) {
  if (plan == NULL) return;
  spectro_free(plan->tw_d);
  spectro_free(plan->tw_f);
  spectro_free(plan->chirp);
  spectro_free(plan->kernel_fft);
  cfft_destroy(plan->sub);
  spectro_free(plan);
}

static int factorize(int64_t n, int64_t *factors, int *count) {
  int nf = 0;
  while (n % 4 == 0) {
    factors[nf++] = 4;
    n /= 4;
  }
  if (n % 2 == 0) {
    factors[nf++] = 2;
    n /= 2;
  }
  while (n > 1) {
    int64_t p = smallest_prime_factor(n);
    if (p > FFT_MAX_GENERIC_RADIX) return 0;
    factors[nf++] = p;
    n /= p;
  }
  *count = nf;
  return 1;
}

cfft *cfft_create(int64_t n) {
  cfft *plan = spectro_alloc(sizeof *plan);
  if (plan == NULL) return NULL;
  memset(plan, 0, sizeof *plan);
  plan->n = n;
  if (n <= 1) return plan;
  int nf = 0;
  if (factorize(n, plan->factors, &nf)) {
    plan->nfactors = nf;
    size_t ntw = 0;
    int64_t l1 = 1;
    for (int f = 0; f < nf; ++f) {
      int64_t ip = plan->factors[f], ido = n / (l1 * ip);
      ntw += (size_t)((ip - 1) * (ido - 1));
      l1 *= ip;
    }
    plan->tw_d = spectro_alloc_array(2 * ntw + 2, sizeof(double));
    plan->tw_f = spectro_alloc_array(2 * ntw + 2, sizeof(float));
    if (plan->tw_d == NULL || plan->tw_f == NULL) goto fail;
    size_t pos = 0;
    l1 = 1;
    for (int f = 0; f < nf; ++f) {
      int64_t ip = plan->factors[f], ido = n / (l1 * ip);
      for (int64_t j = 1; j < ip; ++j)
        for (int64_t i = 1; i < ido; ++i) {
          double c, s;
          unit_root(j * l1 * i, n, &c, &s);
          plan->tw_d[2 * pos] = c;
          plan->tw_d[2 * pos + 1] = s;
          plan->tw_f[2 * pos] = (float)c;
          plan->tw_f[2 * pos + 1] = (float)s;
          ++pos;
        }
      l1 *= ip;
    }
    plan->scratch_bytes = 16 * (size_t)n;
    return plan;
  }
  /* Bluestein */
  int64_t m = next_smooth(2 * n - 1);
  plan->m = m;
  plan->sub = cfft_create(m);
  plan->chirp = spectro_alloc_array(2 * (size_t)n, sizeof(double));
  plan->kernel_fft = spectro_alloc_array(2 * (size_t)m, sizeof(double));
  if (plan->sub == NULL || plan->chirp == NULL || plan->kernel_fft == NULL) goto fail;
  for (int64_t k = 0; k < n; ++k) {
    /* exp(i pi k^2 / n) = unit_root(k^2 mod 2n, 2n) */
    int64_t k2 = (int64_t)(((__int128)k * k) % (2 * n));
    unit_root(k2, 2 * n, &plan->chirp[2 * k], &plan->chirp[2 * k + 1]);
  }
  double *b = plan->kernel_fft;
  memset(b, 0, (size_t)m * 2 * sizeof(double));
  b[0] = plan->chirp[0];
  b[1] = plan->chirp[1];
  for (int64_t k = 1; k < n; ++k) {
    b[2 * k] = b[2 * (m - k)] = plan->chirp[2 * k];
    b[2 * k + 1] = b[2 * (m - k) + 1] = plan->chirp[2 * k + 1];
  }
  {
    void *tmp = spectro_alloc(plan->sub->scratch_bytes);
    if (tmp == NULL) goto fail;
    cfft_exec_f64(plan->sub, b, -1, tmp);
    spectro_free(tmp);
  }
  for (int64_t k = 0; k < 2 * m; ++k) b[k] /= (double)m;
  /* data copy for float (n) + a (m) + sub scratch (m), complex doubles */
  plan->scratch_bytes = 16 * (size_t)(n + 2 * m);
  return plan;
fail:
  cfft_destroy(plan);
  return NULL;
}

void spectro_fft_plan_destroy(spectro_fft_plan *plan) {
  if (plan == NULL) return;
  cfft_destroy(plan->full);
  cfft_destroy(plan->half);
  spectro_free(plan->rtw_d);
  spectro_free(plan->rtw_f);
  spectro_free(plan);
}

spectro_status fft_plan_create(int64_t n, spectro_fft_plan **out) {
  RETURN_IF(out == NULL, SPECTRO_ERR_INVALID_ARGUMENT, "plan: output pointer is NULL");
  *out = NULL;
  RETURN_IF(n < 1, SPECTRO_ERR_INVALID_ARGUMENT, "n must be >= 1 (got %lld)", (long long)n);
  RETURN_IF(n > ((int64_t)1 << 34), SPECTRO_ERR_INVALID_ARGUMENT,
            "n must be <= 2^34 (got %lld)", (long long)n);
  spectro_fft_plan *plan = spectro_alloc(sizeof *plan);
  RETURN_IF(plan == NULL, SPECTRO_ERR_OUT_OF_MEMORY, "out of memory creating an FFT plan of n=%lld",
            (long long)n);
  memset(plan, 0, sizeof *plan);
  plan->n = n;
  plan->full = cfft_create(n);
  if (plan->full == NULL) goto oom;
  size_t sub = plan->full->scratch_bytes;
  if (n % 2 == 0 && n >= 2) {
    int64_t h = n / 2;
    plan->half = cfft_create(h);
    plan->rtw_d = spectro_alloc_array(2 * (size_t)h, sizeof(double));
    plan->rtw_f = spectro_alloc_array(2 * (size_t)h, sizeof(float));
    if (plan->half == NULL || plan->rtw_d == NULL || plan->rtw_f == NULL) goto oom;
    for (int64_t k = 0; k < h; ++k) {
      double c, s;
      unit_root(k, n, &c, &s);
      plan->rtw_d[2 * k] = c;
      plan->rtw_d[2 * k + 1] = -s;
      plan->rtw_f[2 * k] = (float)c;
      plan->rtw_f[2 * k + 1] = (float)-s;
    }
    if (plan->half->scratch_bytes > sub) sub = plan->half->scratch_bytes;
  }
  /* a complex staging buffer of n + 2 values (either precision) + sub-scratch */
  plan->scratch_bytes = 16 * (size_t)(n + 2) + sub + 64;
  *out = plan;
  return SPECTRO_OK;
oom:
  spectro_fft_plan_destroy(plan);
  return spectro_error(SPECTRO_ERR_OUT_OF_MEMORY, "out of memory creating an FFT plan of n=%lld",
                       (long long)n);
}

spectro_status spectro_fft_plan_create(int64_t n, spectro_fft_plan **plan) {
  return fft_plan_create(n, plan);
}

/* Public one-off transforms: scratch per call, so plans stay shareable. */
#define WITH_SCRATCH(plan, call)                                                     \
  do {                                                                               \
    RETURN_IF((plan) == NULL, SPECTRO_ERR_INVALID_ARGUMENT, "plan is NULL");        \
    void *scratch_ = spectro_alloc((plan)->scratch_bytes);                           \
    RETURN_IF(scratch_ == NULL, SPECTRO_ERR_OUT_OF_MEMORY, "out of memory (FFT scratch of %zu bytes)", \
              (plan)->scratch_bytes);                                                \
    call;                                                                            \
    spectro_free(scratch_);                                                          \
    return SPECTRO_OK;                                                               \
  } while (0)

#define CHECK_PTRS(a, b)                                                             \
  RETURN_IF((a) == NULL || (b) == NULL, SPECTRO_ERR_INVALID_ARGUMENT, "data pointer is NULL")

spectro_status spectro_fft_c2c_f32(const spectro_fft_plan *plan, float *data, int sign) {
  CHECK_PTRS(plan, data);
  RETURN_IF(sign != 1 && sign != -1, SPECTRO_ERR_INVALID_ARGUMENT, "sign must be -1 or +1 (got %d)", sign);
  WITH_SCRATCH(plan, cfft_exec_f32(plan->full, data, sign, scratch_));
}
spectro_status spectro_fft_c2c_f64(const spectro_fft_plan *plan, double *data, int sign) {
  CHECK_PTRS(plan, data);
  RETURN_IF(sign != 1 && sign != -1, SPECTRO_ERR_INVALID_ARGUMENT, "sign must be -1 or +1 (got %d)", sign);
  WITH_SCRATCH(plan, cfft_exec_f64(plan->full, data, sign, scratch_));
}
spectro_status spectro_fft_r2c_f32(const spectro_fft_plan *plan, const float *in, float *out) {
  CHECK_PTRS(in, out);
  WITH_SCRATCH(plan, fft_r2c_f32(plan, in, out, scratch_));
}
spectro_status spectro_fft_r2c_f64(const spectro_fft_plan *plan, const double *in, double *out) {
  CHECK_PTRS(in, out);
  WITH_SCRATCH(plan, fft_r2c_f64(plan, in, out, scratch_));
}
spectro_status spectro_fft_c2r_f32(const spectro_fft_plan *plan, const float *in, float *out) {
  CHECK_PTRS(in, out);
  WITH_SCRATCH(plan, fft_c2r_f32(plan, in, out, scratch_));
}
spectro_status spectro_fft_c2r_f64(const spectro_fft_plan *plan, const double *in, double *out) {
  CHECK_PTRS(in, out);
  WITH_SCRATCH(plan, fft_c2r_f64(plan, in, out, scratch_));
}
