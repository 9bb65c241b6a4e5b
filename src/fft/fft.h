/* Internal FFT interface.  A cfft is a complex transform of one length:
 * mixed radix (4, 2, 3, 5 and a generic odd radix) Stockham passes, or
 * Bluestein through a sub-transform of smooth length when a prime factor is
 * too large for the generic radix.  Twiddles are computed in double. */
#ifndef SPECTRO_FFT_H
#define SPECTRO_FFT_H

#include "spectro.h"

#include <stddef.h>
#include <stdint.h>

#define FFT_MAX_FACTORS 64
/* Primes above this go through Bluestein. */
#define FFT_MAX_GENERIC_RADIX 61

typedef struct cfft {
  int64_t n;
  int nfactors;
  int64_t factors[FFT_MAX_FACTORS];
  /* Per-pass twiddles cos/sin(2 pi j l1 i / n), j in 1..ip-1, i in 1..ido-1,
   * concatenated in pass order: (re, im) pairs. */
  double *tw_d;
  float *tw_f;
  /* Bluestein (nfactors == 0 and n > 1). */
  int64_t m;
  struct cfft *sub;
  double *chirp; /* n complex: exp(i pi k^2 / n) */
  double *kernel_fft; /* m complex: FFT of the chirp exp(i pi k^2/n), wrapped, scaled by 1/m */
  size_t scratch_bytes;
} cfft;

cfft *cfft_create(int64_t n);
/* Whether the plan goes through Bluestein (a prime factor above FFT_MAX_GENERIC_RADIX). */
static inline int cfft_bluestein(const cfft *plan) { return plan->n > 1 && plan->nfactors == 0; }
void cfft_destroy(cfft *plan);

/* In-place complex transform of plan->n interleaved values; sign -1 forward,
 * +1 inverse, unscaled.  scratch holds plan->scratch_bytes bytes. */
void cfft_exec_f32(const cfft *plan, float *data, int sign, void *scratch);
void cfft_exec_f64(const cfft *plan, double *data, int sign, void *scratch);

struct spectro_fft_plan {
  int64_t n;
  cfft *full;  /* length n: c2c, and r2c/c2r for odd n */
  cfft *half;  /* length n/2: r2c/c2r for even n (NULL for odd n) */
  double *rtw_d; /* n/2 complex: exp(-2 pi i k / n) as (cos, -sin) */
  float *rtw_f;
  size_t scratch_bytes; /* enough for any transform below, either precision */
};

/* Transforms with caller-provided scratch of plan->scratch_bytes. */
void fft_r2c_f32(const spectro_fft_plan *plan, const float *in, float *out, void *scratch);
void fft_r2c_f64(const spectro_fft_plan *plan, const double *in, double *out, void *scratch);
void fft_c2r_f32(const spectro_fft_plan *plan, const float *in, float *out, void *scratch);
void fft_c2r_f64(const spectro_fft_plan *plan, const double *in, double *out, void *scratch);

/* Create without touching the public error detail on success. */
spectro_status fft_plan_create(int64_t n, spectro_fft_plan **plan);

#endif
