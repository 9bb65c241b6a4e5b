/* --device cuda: the features of one file computed by the library's CUDA
 * entry points (spectro_stft_execute_cuda, spectro_frontend_execute_cuda)
 * on the current CUDA device (CUDA_VISIBLE_DEVICES picks it): the samples
 * go to device memory, the features come back to host memory.  Each call
 * runs on a stream of its own, so parallel files (--jobs) overlap on the
 * GPU.  Without the CUDA backend every call returns -1 with a message. */
#ifndef SPECTRO_TOOLS_DEVICE_H
#define SPECTRO_TOOLS_DEVICE_H

#include <spectro.h>

#include <stddef.h>
#include <stdint.h>

/* 0 when a CUDA device can be used, else -1 and why in err. */
int device_check(char *err, size_t cap);

/* out: [channels][bins][frames] complex64 (as interleaved floats). */
int device_stft(const spectro_stft_plan *plan, const float *samples, int64_t channels, int64_t length,
                int64_t n_frames, int64_t bins, float *out, char *err, size_t cap);

/* out: [channels][features][frames] float32. */
int device_frontend(const spectro_frontend_plan *plan, const float *samples, int64_t channels, int64_t length,
                    int64_t top_db_group, int64_t n_frames, int64_t features, float *out, char *err, size_t cap);

#endif
