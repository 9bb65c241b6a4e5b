// cuFFT path for the sizes the own-FFT kernels do not cover (odd n_fft,
// factors above 5, n_fft > 4096): frames are cut and windowed by a kernel,
// transformed by cuFFT in chunks, then scattered (STFT), reduced to features
// (frontends, src/cuda/frontend_cuda.cu) or overlap-added (iSTFT).  Buffers
// come from cudaMallocAsync on the caller's stream, so calls stay
// stream-ordered and graph-capturable once the plan's cuFFT plans exist.
#ifndef SPECTRO_CUDA_FFT_FALLBACK_H
#define SPECTRO_CUDA_FFT_FALLBACK_H

#include "fft_smem.cuh"

// One call's chunked transform: `chunk` frames per cuFFT execution, buffers
// for the frames (real), the spectra (complex, [chunk][n_fft/2+1]) and
// `extra` bytes for the caller.
struct fft_run {
  const spectro_stft_plan *plan;
  cuda_plan_data *d;
  cudaStream_t stream;
  int inverse, slot;
  int64_t chunk;
  float *frames;
  float2 *spec;
  void *work, *extra;
  char *buf;
};

spectro_status fft_run_begin(const spectro_stft_plan *plan, cuda_plan_data *d, int inverse, int64_t total_frames,
                             size_t extra_bytes, cudaStream_t stream, fft_run *run);
// Frames c0 .. c0 + chunk - 1 (global index item * n_frames + t) of the
// signal, windowed and scaled, transformed into run->spec.
spectro_status fft_run_forward(fft_run *run, const void *signal, spectro_dtype dtype, int64_t length,
                               int64_t n_frames, int64_t total_frames, int64_t c0);
spectro_status fft_run_end(fft_run *run);

// The forward path over all total_frames frames of a call, chunk by chunk:
// per_chunk(run, c0, cnt) launches what consumes run.spec (frames c0 ..
// c0 + cnt - 1); `what` names that launch in errors.
template <class PerChunk>
spectro_status fft_forward_chunks(const spectro_stft_plan *plan, cuda_plan_data *d, const void *signal,
                                  spectro_dtype dtype, int64_t length, int64_t n_frames, int64_t total_frames,
                                  cudaStream_t stream, const char *what, PerChunk per_chunk) {
  fft_run run;
  spectro_status st = fft_run_begin(plan, d, 0, total_frames, 0, stream, &run);
  if (st != SPECTRO_OK) return st;
  for (int64_t c0 = 0; c0 < total_frames && st == SPECTRO_OK; c0 += run.chunk) {
    st = fft_run_forward(&run, signal, dtype, length, n_frames, total_frames, c0);
    if (st != SPECTRO_OK) break;
    per_chunk(run, c0, total_frames - c0 < run.chunk ? total_frames - c0 : run.chunk);
    cudaError_t e = cudaGetLastError();
    if (e != cudaSuccess) st = cuda_error_status(e, what);
  }
  spectro_status st2 = fft_run_end(&run);
  return st != SPECTRO_OK ? st : st2;
}
void cuda_fft_release(cuda_plan_data *d);

spectro_status cuda_fft_stft(const spectro_stft_plan *plan, cuda_plan_data *d, const void *signal, spectro_dtype dtype,
                             int64_t batch, int64_t length, int64_t n_frames, void *out, spectro_layout layout,
                             cudaStream_t stream);
spectro_status cuda_fft_istft(const spectro_stft_plan *plan, cuda_plan_data *d, const void *spec, int64_t batch,
                              int64_t n_frames, spectro_layout layout, int64_t length, float *out, cudaStream_t stream);

#endif
