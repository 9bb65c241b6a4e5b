/* The CUDA backend's entry points (src/cuda/stft_cuda.cu), called by the
 * public functions in src/stft_cuda_api.c after validation. */
#ifndef SPECTRO_STFT_CUDA_H
#define SPECTRO_STFT_CUDA_H

#include "spectro.h"

struct spectro_stft_plan;

int spectro_cuda_supported_size(const struct spectro_stft_plan *plan);
spectro_status cuda_stft_forward(const struct spectro_stft_plan *plan, const void *signal, spectro_dtype dtype,
                                 int64_t batch,
                                 int64_t length, int64_t n_frames, void *out, spectro_layout layout, void *stream);
spectro_status cuda_stft_inverse(const struct spectro_stft_plan *plan, const void *spec, int64_t batch,
                                 int64_t n_frames, spectro_layout layout, int64_t length, float *out, void *stream);
void cuda_release_plan(struct spectro_stft_plan *plan);
/* The name of the launch variant the calling thread's last STFT / iSTFT call took. */
const char *cuda_last_variant(void);

#endif
