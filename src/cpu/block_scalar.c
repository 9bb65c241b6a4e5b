/* The one-frame-at-a-time kernel table (SPECTRO_SIMD=scalar). */
#include "../frontend.h"
#include "../stft_plan.h"
#include "cpu_kernels.h"

#define REAL float
#define SUFFIX _f32
#define WINDOW window_f
#include "stft_cpu_impl.h"
#undef REAL
#undef SUFFIX
#undef WINDOW

#define REAL double
#define SUFFIX _f64
#define WINDOW window_d
#include "stft_cpu_impl.h"
#undef REAL
#undef SUFFIX
#undef WINDOW

const cpu_kernels cpu_kernels_scalar = {
    .name = "scalar",
    .lanes_f32 = 1,
    .lanes_f64 = 1,
    .vector_bytes = 0,
    .forward_f32 = forward_frames_f32,
    .forward_f64 = forward_frames_f64,
    .inverse_f32 = inverse_frames_f32,
    .inverse_f64 = inverse_frames_f64,
    .frontend_f32 = frontend_frames_f32,
    .frontend_f64 = frontend_frames_f64,
};
