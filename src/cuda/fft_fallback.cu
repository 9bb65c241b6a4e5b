// The cuFFT path (see fft_fallback.h).
#include "fft_fallback.h"

#include <cufft.h>

#define FFT_CHUNK_POINTS (1 << 22) // samples per chunk of frames (16 MB of float frames)
#define ALIGN_UP(x) (((x) + 255) / 256 * 256)

static spectro_status cufft_error(cufftResult r, const char *what) {
  return spectro_error(SPECTRO_ERR_DEVICE, "cuFFT error %d in %s", (int)r, what);
}

#define CUFFT_TRY(expr, what)                                                                       \
  do {                                                                                              \
    cufftResult r_ = (expr);                                                                        \
    if (r_ != CUFFT_SUCCESS) return cufft_error(r_, what);                                          \
  } while (0)

void cuda_fft_release(cuda_plan_data *d) {
  for (int dir = 0; dir < 2; ++dir)
    for (int s = 0; s < FFT_SLOTS; ++s)
      if (d->fft_made[dir][s]) {
        cufftDestroy((cufftHandle)d->fft_handle[dir][s]);
        d->fft_made[dir][s] = 0;
      }
}

// The cuFFT plan for `chunk` frames (slot log2(chunk)); the caller holds fft_lock.
static spectro_status fft_plan_for(const spectro_stft_plan *plan, cuda_plan_data *d, int inverse, int slot,
                                   int64_t chunk, cudaStream_t stream) {
  if (d->fft_made[inverse][slot]) return SPECTRO_OK;
  // Making a cuFFT plan allocates and synchronises: not while the stream is
  // being captured into a graph.
  cudaStreamCaptureStatus cap = cudaStreamCaptureStatusNone;
  if (cudaStreamIsCapturing(stream, &cap) == cudaSuccess && cap != cudaStreamCaptureStatusNone)
    return spectro_error(SPECTRO_ERR_UNSUPPORTED,
                         "n_fft=%lld runs on cuFFT, whose plan for %lld frames per chunk is made on first use: run "
                         "this call once outside the CUDA graph capture first",
                         (long long)plan->n_fft, (long long)chunk);
  cufftHandle h;
  CUFFT_TRY(cufftCreate(&h), "cufftCreate");
  cufftResult r = cufftSetAutoAllocation(h, 0); // work areas come with each call
  int n = (int)plan->n_fft;
  size_t ws = 0;
  if (r == CUFFT_SUCCESS)
    r = cufftMakePlanMany(h, 1, &n, NULL, 1, 0, NULL, 1, 0, inverse ? CUFFT_C2R : CUFFT_R2C, (int)chunk, &ws);
  if (r != CUFFT_SUCCESS) {
    cufftDestroy(h);
    return cufft_error(r, "creating a cuFFT plan");
  }
  d->fft_handle[inverse][slot] = (int)h;
  d->fft_ws[inverse][slot] = ws;
  d->fft_made[inverse][slot] = 1;
  return SPECTRO_OK;
}

spectro_status fft_run_begin(const spectro_stft_plan *plan, cuda_plan_data *d, int inverse, int64_t total_frames,
                             size_t extra_bytes, cudaStream_t stream, fft_run *run) {
  const int64_t n = plan->n_fft, F = n / 2 + 1;
  int64_t cap = FFT_CHUNK_POINTS / n < 1 ? 1 : FFT_CHUNK_POINTS / n;
  int64_t want = total_frames < cap ? total_frames : cap, chunk = 1;
  int slot = 0;
  while (chunk < want) {
    chunk <<= 1;
    ++slot;
  }
  pthread_mutex_lock(&d->fft_lock);
  spectro_status st = fft_plan_for(plan, d, inverse, slot, chunk, stream);
  const size_t ws = d->fft_ws[inverse][slot];
  pthread_mutex_unlock(&d->fft_lock);
  if (st != SPECTRO_OK) return st;
  const size_t fb = ALIGN_UP(sizeof(float) * (size_t)(chunk * n)), sb = ALIGN_UP(sizeof(float2) * (size_t)(chunk * F));
  const size_t wb = ALIGN_UP(ws);
  run->plan = plan;
  run->d = d;
  run->stream = stream;
  run->inverse = inverse;
  run->slot = slot;
  run->chunk = chunk;
  run->buf = NULL;
  CUDA_TRY(cudaMallocAsync((void **)&run->buf, fb + sb + wb + ALIGN_UP(extra_bytes), stream),
           "allocating the cuFFT path's buffers");
  run->frames = (float *)run->buf;
  run->spec = (float2 *)(run->buf + fb);
  run->work = run->buf + fb + sb;
  run->extra = run->buf + fb + sb + wb;
  return SPECTRO_OK;
}

spectro_status fft_run_end(fft_run *run) {
  CUDA_TRY(cudaFreeAsync(run->buf, run->stream), "freeing the cuFFT path's buffers");
  return SPECTRO_OK;
}

// One execution of the run's cuFFT plan on its stream with its work area.
// The host calls are serialised; executions on different streams may
// overlap on the device, each with its own work area and buffers (cuFFT's
// plan data are read-only while executing).
static spectro_status fft_run_exec(fft_run *run) {
  cuda_plan_data *d = run->d;
  pthread_mutex_lock(&d->fft_lock);
  cufftHandle h = (cufftHandle)d->fft_handle[run->inverse][run->slot];
  cufftResult r = cufftSetStream(h, run->stream);
  if (r == CUFFT_SUCCESS) r = cufftSetWorkArea(h, run->work);
  if (r == CUFFT_SUCCESS)
    r = run->inverse ? cufftExecC2R(h, (cufftComplex *)run->spec, run->frames)
                     : cufftExecR2C(h, run->frames, (cufftComplex *)run->spec);
  pthread_mutex_unlock(&d->fft_lock);
  if (r != CUFFT_SUCCESS) return cufft_error(r, run->inverse ? "cufftExecC2R" : "cufftExecR2C");
  return SPECTRO_OK;
}

static unsigned grid_for(int64_t work) {
  int64_t b = (work + 255) / 256;
  return (unsigned)(b < 1 ? 1 : b > 65535 ? 65535 : b);
}

// frames[j][s] = x_item[t hop - pad_left + s] w[s] scale for global frame
// c0 + j = item * n_frames + t (zero past the last frame).
template <class T>
__global__ void frame_kernel(const T *__restrict__ signal, float *__restrict__ frames, int64_t c0, int64_t chunk,
                             int64_t total, int64_t n_frames, int64_t length, int n, int hop, int pad_left,
                             int reflect, const float *__restrict__ window, float scale) {
  for (int64_t idx = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; idx < chunk * n;
       idx += (int64_t)gridDim.x * blockDim.x) {
    const int64_t j = idx / n, g = c0 + j;
    const int s = (int)(idx - j * n);
    float v = 0.f;
    if (g < total) {
      const int64_t item = g / n_frames, t = g - item * n_frames;
      v = load_sample(signal + item * length, t * hop - pad_left + s, length, reflect) * __ldg(&window[s]) * scale;
    }
    frames[idx] = v;
  }
}

spectro_status fft_run_forward(fft_run *run, const void *signal, spectro_dtype dtype, int64_t length,
                               int64_t n_frames, int64_t total_frames, int64_t c0) {
  const spectro_stft_plan *plan = run->plan;
  const int n = (int)plan->n_fft;
  const int reflect = plan->fr.center && plan->fr.pad_mode == SPECTRO_PAD_REFLECT;
  launch_by_dtype(dtype, [&](auto sample) {
    using T = decltype(sample);
    frame_kernel<T><<<grid_for(run->chunk * n), 256, 0, run->stream>>>(
        (const T *)signal, run->frames, c0, run->chunk, total_frames, n_frames, length, n, (int)plan->hop,
        (int)plan->fr.pad_left, reflect, run->d->window, (float)plan->forward_scale);
  });
  CUDA_TRY(cudaGetLastError(), "the cuFFT path's framing kernel launch");
  return fft_run_exec(run);
}

// spec [cnt][F] -> out in bfn ([item][F][N]) or bnf ([item][N][F]).
__global__ void scatter_kernel(const float2 *__restrict__ spec, float2 *__restrict__ out, int64_t c0, int64_t cnt,
                               int64_t n_frames, int F, int bnf) {
  for (int64_t idx = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; idx < cnt * F;
       idx += (int64_t)gridDim.x * blockDim.x) {
    int64_t j;
    int k;
    if (bnf) { // consecutive threads: consecutive bins of one frame
      j = idx / F;
      k = (int)(idx - j * F);
    } else { // consecutive threads: consecutive frames of one bin
      k = (int)(idx / cnt);
      j = idx - (int64_t)k * cnt;
    }
    const int64_t g = c0 + j, item = g / n_frames, t = g - item * n_frames;
    const float2 v = spec[j * F + k];
    if (bnf) out[(item * n_frames + t) * F + k] = v;
    else out[(item * F + k) * n_frames + t] = v;
  }
}

spectro_status cuda_fft_stft(const spectro_stft_plan *plan, cuda_plan_data *d, const void *signal, spectro_dtype dtype,
                             int64_t batch, int64_t length, int64_t n_frames, void *out, spectro_layout layout,
                             cudaStream_t stream) {
  const int F = (int)(plan->n_fft / 2 + 1);
  return fft_forward_chunks(plan, d, signal, dtype, length, n_frames, batch * n_frames, stream,
                            "the cuFFT path's scatter kernel launch", [&](const fft_run &run, int64_t c0, int64_t cnt) {
                              scatter_kernel<<<grid_for(cnt * F), 256, 0, stream>>>(
                                  run.spec, (float2 *)out, c0, cnt, n_frames, F, layout == SPECTRO_LAYOUT_BNF);
                            });
}

// ---------------------------------------------------------------- inverse

// cspec[j][k] = spectrum of global frame c0 + j (DC and Nyquist taken real).
__global__ void gather_kernel(const float2 *__restrict__ spec, float2 *__restrict__ cspec, int64_t c0, int64_t chunk,
                              int64_t total, int64_t n_frames, int F, int n, int bnf) {
  for (int64_t idx = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; idx < chunk * F;
       idx += (int64_t)gridDim.x * blockDim.x) {
    const int64_t j = idx / F, g = c0 + j;
    const int k = (int)(idx - j * F);
    float2 v = make_float2(0.f, 0.f);
    if (g < total) {
      const int64_t item = g / n_frames, t = g - item * n_frames;
      v = bnf ? spec[(item * n_frames + t) * F + k] : spec[(item * F + k) * n_frames + t];
      if (k == 0 || (n % 2 == 0 && k == F - 1)) v.y = 0.f;
    }
    cspec[idx] = v;
  }
}

// acc[item][t hop + s] += frame[s] w[s] scale (float atomics: the sum order
// of overlapping frames may vary from run to run in the last bit).
__global__ void ola_kernel(const float *__restrict__ frames, float *__restrict__ acc, int64_t c0, int64_t cnt,
                           int64_t n_frames, int n, int hop, int64_t full, const float *__restrict__ window,
                           float scale) {
  for (int64_t idx = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; idx < cnt * n;
       idx += (int64_t)gridDim.x * blockDim.x) {
    const int64_t j = idx / n, g = c0 + j, item = g / n_frames, t = g - item * n_frames;
    const int s = (int)(idx - j * n);
    atomicAdd(&acc[item * full + t * hop + s], frames[idx] * __ldg(&window[s]) * scale);
  }
}

// out[item][i] = acc[item][off + i] / envelope (0 where the envelope
// vanishes or past the last frame).
__global__ void finish_kernel(const float *__restrict__ acc, float *__restrict__ out, int64_t batch, int64_t length,
                              int64_t off, int64_t full, const float *__restrict__ window,
                              const float *__restrict__ env_period, int n, int hop, int64_t n_frames) {
  for (int64_t idx = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; idx < batch * length;
       idx += (int64_t)gridDim.x * blockDim.x) {
    const int64_t item = idx / length, p = off + (idx - item * length);
    float v = 0.f;
    if (p < full) {
      const float env = envelope(env_period, window, p, (int)(p % hop), n, hop, n_frames);
      v = env > 1e-11f ? acc[item * full + p] / env : 0.f;
    }
    out[idx] = v;
  }
}

spectro_status cuda_fft_istft(const spectro_stft_plan *plan, cuda_plan_data *d, const void *spec, int64_t batch,
                              int64_t n_frames, spectro_layout layout, int64_t length, float *out, cudaStream_t stream) {
  const int n = (int)plan->n_fft, F = n / 2 + 1, hop = (int)plan->hop;
  const int64_t total = batch * n_frames, full = (int64_t)n + (int64_t)hop * (n_frames - 1);
  const size_t acc_bytes = sizeof(float) * (size_t)(batch * full);
  fft_run run;
  spectro_status st = fft_run_begin(plan, d, 1, total, acc_bytes, stream, &run);
  if (st != SPECTRO_OK) return st;
  float *acc = (float *)run.extra;
  const float scale = (float)(1.0 / ((double)n * plan->forward_scale));
  cudaError_t e = cudaMemsetAsync(acc, 0, acc_bytes, stream);
  if (e != cudaSuccess) st = cuda_error_status(e, "clearing the overlap-add buffer");
  for (int64_t c0 = 0; c0 < total && st == SPECTRO_OK; c0 += run.chunk) {
    gather_kernel<<<grid_for(run.chunk * F), 256, 0, stream>>>((const float2 *)spec, run.spec, c0, run.chunk, total,
                                                               n_frames, F, n, layout == SPECTRO_LAYOUT_BNF);
    st = fft_run_exec(&run);
    if (st != SPECTRO_OK) break;
    const int64_t cnt = total - c0 < run.chunk ? total - c0 : run.chunk;
    ola_kernel<<<grid_for(cnt * n), 256, 0, stream>>>(run.frames, acc, c0, cnt, n_frames, n, hop, full, d->window,
                                                      scale);
    e = cudaGetLastError();
    if (e != cudaSuccess) st = cuda_error_status(e, "the cuFFT path's overlap-add launch");
  }
  if (st == SPECTRO_OK) {
    finish_kernel<<<grid_for(batch * length), 256, 0, stream>>>(acc, out, batch, length, plan->fr.pad_left, full,
                                                                d->window, d->env_period, n, hop, n_frames);
    e = cudaGetLastError();
    if (e != cudaSuccess) st = cuda_error_status(e, "the cuFFT path's final kernel launch");
  }
  spectro_status st2 = fft_run_end(&run);
  return st != SPECTRO_OK ? st : st2;
}
