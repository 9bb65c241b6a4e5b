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
