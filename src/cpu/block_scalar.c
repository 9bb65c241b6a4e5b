/* The scalar kernel table (SPECTRO_SIMD=scalar): a frame at a time, or two
 * through one complex transform at odd n_fft in float32 (the Bluestein
 * sizes; the SIMD lane kernels run those too, block_instantiate.h). */
#include "../frontend.h"
#include "../stft_plan.h"
#include "cpu_kernels.h"

#include <string.h>

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
    .lanes_f32 = 2, /* blocks of two frames, starting at even frames: odd n_fft pairs them in float32 (stft_cpu_impl.h) */
    .lanes_f64 = 2,
    .vector_bytes = 0,
    .forward_f32 = forward_frames_f32,
    .forward_f64 = forward_frames_f64,
    .inverse_f32 = inverse_frames_f32,
    .inverse_f64 = inverse_frames_f64,
    .frontend_f32 = frontend_frames_f32,
    .frontend_f64 = frontend_frames_f64,
};
