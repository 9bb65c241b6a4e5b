/* The CUDA backend's frontend entry points (src/cuda/frontend_cuda.cu),
 * called by the public functions in src/frontend_plan.c after validation. */
#ifndef SPECTRO_FRONTEND_CUDA_H
#define SPECTRO_FRONTEND_CUDA_H

#include "spectro.h"

#include <stddef.h>

struct spectro_frontend_plan;

size_t cuda_frontend_workspace(const struct spectro_frontend_plan *plan, int64_t batch, int64_t n_frames,
                               int64_t group);
spectro_status cuda_frontend_execute(const struct spectro_frontend_plan *plan, const void *signal, spectro_dtype dtype,
                                     int64_t batch,
                                     int64_t length, int64_t n_frames, int64_t group, float *out, void *workspace,
                                     void *stream);
void cuda_release_frontend(struct spectro_frontend_plan *plan);

#endif
