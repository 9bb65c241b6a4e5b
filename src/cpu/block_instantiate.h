/* Instantiates the lane FFT and the block kernels for one instruction set.
 * Include after defining SIMD_BYTES and ISA (an identifier). */
#include "../frontend.h"
#include "../stft_plan.h"
#include "../fft/simd/vec.h"
#include "cpu_kernels.h"

#include <math.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define CAT3(a, b, c) CAT(CAT(a, b), c)

/* Bluestein for the lane kernels (sizes with a prime factor above
 * FFT_MAX_GENERIC_RADIX): re, im hold plan->n vectors of float (f32) or
 * double lanes, transformed in place in double, LANES_F64 lanes at a time:
 * a = x conj(c) zero-padded to m, A = FFT(a) times the chirp kernel's FFT,
 * X = conj(c) IFFT(A) (cfft_exec.c's bluestein_forward, lane by lane; the
 * inverse through conjugates).  real: +1 the input is real (im zero), -1 the
 * output's real part is all the caller reads, 0 neither.  scratch: 4 m
 * vectors of vf64 and 64 bytes (cpu_block_scratch_bytes). */
static void CAT(lanes_bluestein_, ISA)(const cfft *p, void *re, void *im, int f32, int sign, int real,
                                       void *scratch);
static int CAT(lanes_cfft_f64_, ISA)(const cfft *plan, vf64 *re, vf64 *im, vf64 *sre, vf64 *sim, int sign);

#define REAL float
#define VEC vf32
#define LANES LANES_F32
#define TW tw_f
#define RTW rtw_f
#define WINDOW window_f
#define FN(x) CAT3(x, _f32_, ISA)
#define SHUF_ELEM int
#define LANES_LIT LANES_F32_LIT
#include "../fft/simd/shuffle_impl.h"
#include "../fft/lanes_impl.h"
#include "block_impl.h"
#undef REAL
#undef VEC
#undef LANES
#undef TW
#undef RTW
#undef WINDOW
#undef FN
#undef SHUF_ELEM
#undef LANES_LIT

#define REAL double
#define VEC vf64
#define LANES LANES_F64
#define TW tw_d
#define RTW rtw_d
#define WINDOW window_d
#define FN(x) CAT3(x, _f64_, ISA)
#define SHUF_ELEM long long
#define LANES_LIT LANES_F64_LIT
#include "../fft/simd/shuffle_impl.h"
#include "../fft/lanes_impl.h"
#include "block_impl.h"
#undef REAL
#undef VEC
#undef LANES
#undef TW
#undef RTW
#undef WINDOW
#undef FN
#undef SHUF_ELEM
#undef LANES_LIT

/* Whether every lane of a float block (n vectors of re, and of im unless
 * real_in) holds only finite values and not only zeros: then two frames may
 * share a lane's transform without reaching each other. */
static int CAT(lanes_clean_, ISA)(const float *re, const float *im, int64_t n, int real_in) {
  float any[LANES_F32];
  int bad = 0;
  for (int64_t l = 0; l < LANES_F32; ++l) any[l] = 0;
  for (int64_t j = 0; j < n; ++j)
    for (int64_t l = 0; l < LANES_F32; ++l) {
      const float a = re[j * LANES_F32 + l], b = real_in ? 0.f : im[j * LANES_F32 + l];
      bad |= !isfinite(a) || !isfinite(b);
      any[l] += fabsf(a) + fabsf(b);
    }
  for (int64_t l = 0; l < LANES_F32; ++l) bad |= !(any[l] > 0);
  return !bad;
}

static void CAT(lanes_bluestein_, ISA)(const cfft *p, void *re, void *im, int f32, int sign, int real,
                                       void *scratch) {
  const int64_t n = p->n, m = p->m, L = LANES_F64;
  /* float blocks of real frames (forward: real input; inverse: real output)
   * two frames a lane, LANES_F32 = 2 L: z = x_l + i x_(l+L) (forward; split
   * by symmetry after) or X_l + i X_(l+L) (inverse: the real and imaginary
   * parts of its transform are the two frames), in double; float64 keeps a
   * frame a lane (paired, a frame 1e6 quieter than its partner would carry
   * 1e-10 of relative error instead of 1e-16) */
  const int pair = f32 && real != 0 && LANES_F32 == 2 * LANES_F64 &&
                   CAT(lanes_clean_, ISA)((const float *)re, (const float *)im, n, real > 0);
  const int64_t chunks = pair ? 1 : f32 ? LANES_F32 / LANES_F64 : 1;
  vf64 *ar = (vf64 *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63), *ai = ar + m, *br = ai + m, *bi = br + m;
  const double *c = p->chirp, *kf = p->kernel_fft, sg = sign > 0 ? -1.0 : 1.0; /* (inverse: conj in and out) */
  float *rf = (float *)re, *imf = (float *)im;
  double *rd = (double *)re, *imd = (double *)im;
  const vf64 zero = {0};
  for (int64_t ch = 0; ch < chunks; ++ch) {
    for (int64_t j = 0; j < n; ++j) { /* a = x conj(c) */
      vf64 xr = zero, xi = zero; /* (every lane is set below; some compilers cannot tell) */
      for (int64_t l = 0; l < L; ++l) {
        if (pair && real > 0) { /* x_l + i x_(l+L) */
          xr[l] = rf[j * LANES_F32 + l];
          xi[l] = rf[j * LANES_F32 + L + l];
        } else if (pair) { /* X_l + i X_(l+L) */
          xr[l] = (double)rf[j * LANES_F32 + l] - (double)imf[j * LANES_F32 + L + l];
          xi[l] = (double)imf[j * LANES_F32 + l] + (double)rf[j * LANES_F32 + L + l];
        } else {
          xr[l] = f32 ? (double)rf[j * LANES_F32 + ch * L + l] : rd[j * L + l];
          xi[l] = f32 ? (double)imf[j * LANES_F32 + ch * L + l] : imd[j * L + l];
        }
      }
      xi *= sg;
      ar[j] = xr * c[2 * j] + xi * c[2 * j + 1];
      ai[j] = xi * c[2 * j] - xr * c[2 * j + 1];
    }
    for (int64_t j = n; j < m; ++j) ar[j] = ai[j] = zero;
    vf64 *zr = ar, *zi = ai, *wr = br, *wi = bi;
    if (CAT(lanes_cfft_f64_, ISA)(p->sub, ar, ai, br, bi, -1)) zr = br, zi = bi, wr = ar, wi = ai;
    for (int64_t k = 0; k < m; ++k) {
      const vf64 tr = zr[k], ti = zi[k];
      zr[k] = tr * kf[2 * k] - ti * kf[2 * k + 1];
      zi[k] = tr * kf[2 * k + 1] + ti * kf[2 * k];
    }
    if (CAT(lanes_cfft_f64_, ISA)(p->sub, zr, zi, wr, wi, +1)) zr = wr, zi = wi;
    for (int64_t k = 0; k < n; ++k) { /* X = conj(c) conv (in place: the forward pair splits after) */
      const vf64 xr = zr[k] * c[2 * k] + zi[k] * c[2 * k + 1], xi = (zi[k] * c[2 * k] - zr[k] * c[2 * k + 1]) * sg;
      zr[k] = xr;
      zi[k] = xi;
    }
    for (int64_t k = 0; k < n; ++k) {
      if (pair && real > 0) { /* X_l = (Z_k + conj Z_(n-k)) / 2, X_(l+L) = (Z_k - conj Z_(n-k)) / 2i */
        const int64_t q = k ? n - k : 0;
        const vf64 pr = zr[k], pi = zi[k], qr = zr[q], qi = zi[q];
        const vf64 ur = (pr + qr) * 0.5, ui = (pi - qi) * 0.5, vr = (pi + qi) * 0.5, vi = (qr - pr) * 0.5;
        for (int64_t l = 0; l < L; ++l) {
          rf[k * LANES_F32 + l] = (float)ur[l];
          imf[k * LANES_F32 + l] = (float)ui[l];
          rf[k * LANES_F32 + L + l] = (float)vr[l];
          imf[k * LANES_F32 + L + l] = (float)vi[l];
        }
      } else if (pair) { /* the frames: real and imaginary parts */
        for (int64_t l = 0; l < L; ++l) {
          rf[k * LANES_F32 + l] = (float)zr[k][l];
          rf[k * LANES_F32 + L + l] = (float)zi[k][l];
          imf[k * LANES_F32 + l] = imf[k * LANES_F32 + L + l] = 0.f;
        }
      } else {
        for (int64_t l = 0; l < L; ++l) {
          if (f32) {
            rf[k * LANES_F32 + ch * L + l] = (float)zr[k][l];
            imf[k * LANES_F32 + ch * L + l] = (float)zi[k][l];
          } else {
            rd[k * L + l] = zr[k][l];
            imd[k * L + l] = zi[k][l];
          }
        }
      }
    }
  }
}

static void CAT(forward_f32_, ISA)(const struct spectro_stft_plan *plan, const void *x, spectro_dtype dtype,
                                   int64_t length, int64_t n_frames, int64_t t0, int64_t cnt, void *out_b,
                                   spectro_layout layout, void *scratch) {
  CAT(forward_block_f32_, ISA)(plan, x, dtype, length, n_frames, t0, cnt, (float *)out_b, layout, scratch);
}
static void CAT(forward_f64_, ISA)(const struct spectro_stft_plan *plan, const void *x, spectro_dtype dtype,
                                   int64_t length, int64_t n_frames, int64_t t0, int64_t cnt, void *out_b,
                                   spectro_layout layout, void *scratch) {
  CAT(forward_block_f64_, ISA)(plan, x, dtype, length, n_frames, t0, cnt, (double *)out_b, layout, scratch);
}
static void CAT(inverse_f32_, ISA)(const struct spectro_stft_plan *plan, const void *spec_b, int64_t n_frames,
                                   int64_t t0, int64_t cnt, spectro_layout layout, void *acc, int64_t base,
                                   void *scratch) {
  CAT(inverse_block_f32_, ISA)(plan, (const float *)spec_b, n_frames, t0, cnt, layout, (float *)acc, base, scratch);
}
static void CAT(inverse_f64_, ISA)(const struct spectro_stft_plan *plan, const void *spec_b, int64_t n_frames,
                                   int64_t t0, int64_t cnt, spectro_layout layout, void *acc, int64_t base,
                                   void *scratch) {
  CAT(inverse_block_f64_, ISA)(plan, (const double *)spec_b, n_frames, t0, cnt, layout, (double *)acc, base,
                               scratch);
}

static void CAT(frontend_f32_, ISA)(const struct spectro_stft_plan *plan, const struct frontend_spec *fs,
                                    const void *x, spectro_dtype dtype, int64_t length, int64_t n_frames, int64_t t0,
                                    int64_t cnt, void *out_b, void *scratch, double *block_max) {
  CAT(frontend_block_f32_, ISA)(plan, fs, x, dtype, length, n_frames, t0, cnt, (float *)out_b, scratch, block_max);
}
static void CAT(frontend_f64_, ISA)(const struct spectro_stft_plan *plan, const struct frontend_spec *fs,
                                    const void *x, spectro_dtype dtype, int64_t length, int64_t n_frames, int64_t t0,
                                    int64_t cnt, void *out_b, void *scratch, double *block_max) {
  CAT(frontend_block_f64_, ISA)(plan, fs, x, dtype, length, n_frames, t0, cnt, (double *)out_b, scratch, block_max);
}

const cpu_kernels CAT(cpu_kernels_, ISA) = {
    .name = STRINGIFY(ISA),
    .lanes_f32 = LANES_F32,
    .lanes_f64 = LANES_F64,
    .vector_bytes = SIMD_BYTES,
    .forward_f32 = CAT(forward_f32_, ISA),
    .forward_f64 = CAT(forward_f64_, ISA),
    .inverse_f32 = CAT(inverse_f32_, ISA),
    .inverse_f64 = CAT(inverse_f64_, ISA),
    .frontend_f32 = CAT(frontend_f32_, ISA),
    .frontend_f64 = CAT(frontend_f64_, ISA),
};
