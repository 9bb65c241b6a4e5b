/* --device cuda (device.h).  Compiled with SPECTRO_CLI_CUDA when the
 * library has the CUDA backend; otherwise the stubs at the end. */
#include "device.h"
#include "features.h"

#include <stdio.h>
#include <string.h>

#ifdef SPECTRO_CLI_CUDA
#include <cuda_runtime.h>

static int cuda_failed(cudaError_t e, const char *what, char *err, size_t cap) {
  if (e == cudaSuccess) return 0;
  snprintf(err, cap, "CUDA %s: %s", what, cudaGetErrorString(e));
  return 1;
}

int device_check(char *err, size_t cap) {
  int n = 0;
  cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) {
    snprintf(err, cap, "no usable CUDA device (%s)", cudaGetErrorString(e));
    return -1;
  }
  if (n < 1) {
    snprintf(err, cap, "no CUDA device");
    return -1;
  }
  return 0;
}

/* One file's stream and device buffers. */
typedef struct device_call {
  cudaStream_t stream;
  void *in, *out, *ws;
} device_call;

/* Stream, buffers (at least a byte each), samples copied in. */
static int call_begin(device_call *c, const float *samples, size_t in_bytes, size_t out_bytes, size_t ws_bytes,
                      char *err, size_t cap) {
  memset(c, 0, sizeof *c);
  if (cuda_failed(cudaStreamCreateWithFlags(&c->stream, cudaStreamNonBlocking), "stream", err, cap)) return -1;
  if (cuda_failed(cudaMalloc(&c->in, in_bytes ? in_bytes : 1), "allocation of the samples", err, cap) ||
      cuda_failed(cudaMalloc(&c->out, out_bytes ? out_bytes : 1), "allocation of the output", err, cap) ||
      (ws_bytes && cuda_failed(cudaMalloc(&c->ws, ws_bytes), "allocation of the workspace", err, cap)) ||
      cuda_failed(cudaMemcpyAsync(c->in, samples, in_bytes, cudaMemcpyHostToDevice, c->stream), "copy to the device",
                  err, cap))
    return -1;
  return 0;
}

/* rc 0: the output copied back and the stream waited for.  Always frees. */
static int call_end(device_call *c, int rc, float *out, size_t out_bytes, char *err, size_t cap) {
  if (rc == 0 &&
      (cuda_failed(cudaMemcpyAsync(out, c->out, out_bytes, cudaMemcpyDeviceToHost, c->stream), "copy to the host",
                   err, cap) ||
       cuda_failed(cudaStreamSynchronize(c->stream), "run", err, cap)))
    rc = -1;
  if (c->stream) cudaStreamSynchronize(c->stream); /* nothing in flight on the buffers freed below */
  cudaFree(c->in);
  cudaFree(c->out);
  cudaFree(c->ws);
  if (c->stream) cudaStreamDestroy(c->stream);
  return rc;
}

static int library_failed(spectro_status st, char *err, size_t cap) {
  if (st == SPECTRO_OK) return 0;
  library_error(err, cap, st);
  return 1;
}

int device_stft(const spectro_stft_plan *plan, const float *samples, int64_t channels, int64_t length,
                int64_t n_frames, int64_t bins, float *out, char *err, size_t cap) {
  const size_t in_bytes = (size_t)channels * (size_t)length * sizeof(float);
  const size_t out_bytes = (size_t)channels * (size_t)bins * (size_t)n_frames * 2 * sizeof(float);
  device_call c;
  int rc = call_begin(&c, samples, in_bytes, out_bytes, 0, err, cap);
  if (rc == 0 && library_failed(spectro_stft_execute_cuda(plan, c.in, SPECTRO_FLOAT32, channels, length, c.out,
                                                          SPECTRO_LAYOUT_BFN, c.stream),
                                err, cap))
    rc = -1;
  return call_end(&c, rc, out, out_bytes, err, cap);
}

int device_frontend(const spectro_frontend_plan *plan, const float *samples, int64_t channels, int64_t length,
                    int64_t top_db_group, int64_t n_frames, int64_t features, float *out, char *err, size_t cap) {
  size_t ws_bytes = 0;
  if (library_failed(spectro_frontend_workspace_cuda(plan, channels, length, top_db_group, &ws_bytes), err, cap))
    return -1;
  const size_t in_bytes = (size_t)channels * (size_t)length * sizeof(float);
  const size_t out_bytes = (size_t)channels * (size_t)features * (size_t)n_frames * sizeof(float);
  device_call c;
  int rc = call_begin(&c, samples, in_bytes, out_bytes, ws_bytes, err, cap);
  if (rc == 0 && library_failed(spectro_frontend_execute_cuda(plan, c.in, SPECTRO_FLOAT32, channels, length,
                                                              top_db_group, c.out, c.ws, ws_bytes, c.stream),
                                err, cap))
    rc = -1;
  return call_end(&c, rc, out, out_bytes, err, cap);
}

#else /* no CUDA backend in this build */

static int not_built(char *err, size_t cap) {
  snprintf(err, cap, "this build of spectro has no CUDA backend (configure with -DSPECTRO_CUDA=ON where nvcc and "
                     "cuFFT are installed)");
  return -1;
}

int device_check(char *err, size_t cap) { return not_built(err, cap); }

int device_stft(const spectro_stft_plan *plan, const float *samples, int64_t channels, int64_t length,
                int64_t n_frames, int64_t bins, float *out, char *err, size_t cap) {
  (void)plan, (void)samples, (void)channels, (void)length, (void)n_frames, (void)bins, (void)out;
  return not_built(err, cap);
}

int device_frontend(const spectro_frontend_plan *plan, const float *samples, int64_t channels, int64_t length,
                    int64_t top_db_group, int64_t n_frames, int64_t features, float *out, char *err, size_t cap) {
  (void)plan, (void)samples, (void)channels, (void)length, (void)top_db_group, (void)n_frames, (void)features,
      (void)out;
  return not_built(err, cap);
}

#endif
