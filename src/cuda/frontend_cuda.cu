// CUDA execution of frontend plans: signal in, features out.
//
// The frontend kernel is the forward STFT kernel with its "store the
// spectrum" step replaced: each block untangles its frames' spectra into
// |X|^power in shared memory, projects them on the sparse banded filterbank,
// scales (log / dB / log10(x+1)) and writes only the band values.  MFCC
// without top_db also applies the DCT + lifter in the same block, so only
// the coefficients reach global memory.
//
// top_db needs the maximum of a whole example (or of a packed group of
// examples): the kernel folds each block's maximum into one word per group
// with an atomic max on an order-preserving integer encoding (max is
// order-independent, so the result is deterministic), and a light second
// kernel clips (mel / filtered) or clips and applies the DCT (MFCC).  No
// host synchronisation anywhere: the sequence is graph-capturable.
#include "fft_fallback.h"

#include <math.h>

extern "C" {
#include "../frontend.h"
#include "frontend_cuda.h"
}

struct frontend_geometry {
  int rows, bands, identity, power_kind, scale, log_mode;
  int n_dct, fused_dct, track_max, group;
  float power, log_amin, log_scale, db_mult, db_amin, db_offset;
};

// Float -> unsigned with the same order (any non-NaN value > 0).
__device__ __forceinline__ unsigned order_encode(float f) {
  unsigned u = __float_as_uint(f);
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}
__device__ __forceinline__ float order_decode(unsigned u) {
  return __uint_as_float((u & 0x80000000u) ? (u & 0x7fffffffu) : ~u);
}

__device__ __forceinline__ float power_value(const frontend_geometry &fg, float p) {
  return fg.power_kind == 0 ? p : fg.power_kind == 1 ? sqrtf(p) : powf(p, 0.5f * fg.power);
}

// As frontend_scale_value (src/frontend.h), in float.
__device__ __forceinline__ float scale_value(const frontend_geometry &fg, float v) {
  switch (fg.scale) {
  case SPECTRO_SCALE_LOG:
    if (fg.log_mode == SPECTRO_LOG_ADD) return logf(v + fg.log_amin);
    if (fg.log_mode == SPECTRO_LOG_LOG1P) return log1pf(fg.log_scale * v);
    return logf(v < fg.log_amin ? fg.log_amin : v);
  case SPECTRO_SCALE_DB: return fg.db_mult * log10f(v < fg.db_amin ? fg.db_amin : v) - fg.db_offset;
  case SPECTRO_SCALE_LOG10_PLUS_ONE: return log10f(v + 1.f);
  default: return v;
  }
}

// Row stride of fpb frames' |X|^power in shared memory: rows rounded up to
// 32 / fpb mod 32 floats, so the projection's lanes, which read the same
// bins of consecutive frames, land in different banks (when the buffer,
// `room` floats per frame, has the space).
__device__ __forceinline__ int power_stride(int rows, int fpb, int room) {
  const int want = fpb >= 2 && fpb <= 32 ? 32 / fpb : 0;
  const int s = rows + ((want - rows % 32) % 32 + 32) % 32;
  return s <= room ? s : rows;
}

// Projection, scaling and (with fused_dct) the DCT of fpb frames whose
// |X|^power are in shared memory (pw, row stride rs >= fg.rows); mel is shared scratch
// for fpb * bands values.  frame_of(f, &item, &t) gives the block's frame f
// (false: no frame).  Features go to out[item][band or coefficient][t].
// SINGLE_ITEM: every frame belongs to one example and the maximum written is
// returned for the caller's block reduction; otherwise each thread folds its
// maximum into maxes[item / group] whenever its example changes.
template <bool SINGLE_ITEM, int BT, class FrameOf>
__device__ __forceinline__ float bands_stage(const frontend_geometry &fg, const float *pw, int rs, float *mel, int fpb,
                                             int64_t N, float *__restrict__ out, const int4 *__restrict__ bands_tab,
                                             const float *__restrict__ weights, const float *__restrict__ dct,
                                             unsigned *__restrict__ maxes, FrameOf frame_of) {
  const int M = fg.bands;
  float lmax = -INFINITY;
  int64_t cur = -1; // example of lmax (per-thread flush)
  for (int idx = threadIdx.x; idx < fpb * M; idx += BT) {
    const int m = idx / fpb, f = idx - m * fpb; // consecutive threads: consecutive frames of a band
    float v;
    if (fg.identity) {
      v = pw[f * rs + m];
    } else {
      const int4 bt = __ldg(&bands_tab[m]);
      const float *src = pw + f * rs + bt.x, *w = weights + bt.z;
      float acc = 0.f;
#pragma unroll 4
      for (int j = 0; j < bt.y; ++j) acc += __ldg(&w[j]) * src[j];
      v = acc;
    }
    v = scale_value(fg, v);
    int64_t item, t;
    if (fg.fused_dct) {
      mel[f * M + m] = v;
    } else if (frame_of(f, &item, &t)) {
      out[(item * M + m) * N + t] = v;
      if (!SINGLE_ITEM && fg.track_max && item != cur) {
        if (cur >= 0) atomicMax(&maxes[cur / fg.group], order_encode(lmax));
        cur = item;
        lmax = -INFINITY;
      }
      lmax = fmaxf(lmax, v);
    }
  }
  if (fg.fused_dct) { // DCT-II (lifter folded in) of each frame's scaled bands
    __syncthreads();
    const int K = fg.n_dct;
    for (int idx = threadIdx.x; idx < fpb * K; idx += BT) {
      const int k = idx / fpb, f = idx - k * fpb;
      int64_t item, t;
      if (!frame_of(f, &item, &t)) continue;
      const float *c = dct + (int64_t)k * M, *mf = mel + f * M;
      float acc = 0.f;
      for (int m = 0; m < M; ++m) acc += __ldg(&c[m]) * mf[m];
      out[(item * K + k) * N + t] = acc;
    }
  }
  if (!SINGLE_ITEM && fg.track_max && cur >= 0) atomicMax(&maxes[cur / fg.group], order_encode(lmax));
  return lmax;
}

// out: [batch][bands][n_frames] (or [batch][n_dct][n_frames] with fused_dct).
// bands_tab[m] = (first bin, bin count, weight offset) of band m.
template <int H, int FPB, class T>
__global__ void __launch_bounds__(forward_threads(H), reg_fft_size(H) ? 1536 / forward_threads(H) : 1)
    frontend_kernel(const T *__restrict__ signal, float *__restrict__ out, stft_geometry g, frontend_geometry fg,
                    pass_table pt, const float2 *__restrict__ tw, const float2 *__restrict__ rtw,
                    const float *__restrict__ window, const int4 *__restrict__ bands_tab,
                    const float *__restrict__ weights, const float *__restrict__ dct, unsigned *__restrict__ maxes) {
  extern __shared__ float2 smem[];
  constexpr int BT = forward_threads(H);
  __shared__ float warp_max[BT / 32];
  const int h = H > 0 ? H : g.h, fpb = FPB > 0 ? FPB : g.fpb, hp = padded_frame(h, fpb);
  float2 *a = smem, *b = smem + fpb * hp;
  const int64_t item = blockIdx.y;
  const int64_t t0 = (int64_t)blockIdx.x * fpb, N = g.n_frames;
  float2 *z = forward_frames<H, FPB, T>(signal + item * g.length, a, b, g, t0, pt, tw, window);
  // |X|^power of bins 0 .. rows-1 into the free buffer
  float *pw = reinterpret_cast<float *>(z == a ? b : a);
  const int rs = power_stride(fg.rows, fpb, 2 * hp);
  const int R = fg.rows;
  if constexpr (reg_fft_size(H)) {
    // bins threadIdx.x + i BT (a whole number of rounds for these sizes), bin
    // h by thread 0; every frame's reads ahead of the arithmetic
#pragma unroll
    for (int i = 0; i < H / BT; ++i) {
      const int k = threadIdx.x + i * BT;
      if (k >= R) break;
      const float2 w = __ldg(&rtw[k]);
      float2 za[FPB], zb[FPB];
#pragma unroll
      for (int f = 0; f < FPB; ++f) {
        za[f] = z[f * hp + PADH<H>(k)];
        zb[f] = z[f * hp + PADH<H>(H - k)];
      }
#pragma unroll
      for (int f = 0; f < FPB; ++f) {
        float2 X = k == 0 ? make_float2(za[f].x + za[f].y, 0.f) : untangle_pair(za[f], zb[f], w);
        X.x *= g.scale;
        X.y *= g.scale;
        pw[f * rs + k] = power_value(fg, X.x * X.x + X.y * X.y);
      }
    }
    if (R > H && threadIdx.x == 0) {
#pragma unroll
      for (int f = 0; f < FPB; ++f) {
        const float2 z0 = z[f * hp];
        const float xr = (z0.x - z0.y) * g.scale;
        pw[f * rs + H] = power_value(fg, xr * xr);
      }
    }
  } else
  for (int k = threadIdx.x; k < R; k += BT) { // a thread keeps one bin for every frame
    const int pa = PADH<H>(k), pb = PADH<H>(h - k);
    const float2 w = k < h ? __ldg(&rtw[k]) : make_float2(0.f, 0.f);
#pragma unroll
    for (int f = 0; f < (FPB > 0 ? FPB : 8); ++f) {
      if (FPB == 0 && f >= fpb) break;
      float2 X = untangle_at(z + f * hp, k, h, pa, pb, w);
      X.x *= g.scale;
      X.y *= g.scale;
      pw[f * rs + k] = power_value(fg, X.x * X.x + X.y * X.y);
    }
  }
  __syncthreads();
  const float lmax = bands_stage<true, BT>(fg, pw, rs, reinterpret_cast<float *>(z), fpb, N, out, bands_tab, weights, dct,
                                       maxes, [&](int f, int64_t *it, int64_t *t) {
                                         *it = item;
                                         *t = t0 + f;
                                         return t0 + f < N;
                                       });
  if (fg.track_max) { // one atomic per block: every frame of the block belongs to `item`
    float m = lmax;
#pragma unroll
    for (int d = 16; d > 0; d >>= 1) m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, d));
    if ((threadIdx.x & 31) == 0) warp_max[threadIdx.x >> 5] = m;
    __syncthreads();
    if (threadIdx.x == 0) {
      float mx = warp_max[0];
      for (int w = 1; w < BT / 32; ++w) mx = fmaxf(mx, warp_max[w]);
      atomicMax(&maxes[item / fg.group], order_encode(mx));
    }
  }
}

// The cuFFT path's features: spec holds the spectra of global frames c0 ..
// c0 + cnt - 1 (frame = item * N + t); a block takes fpb of them.
__global__ void __launch_bounds__(THREADS)
    spectrum_frontend_kernel(const float2 *__restrict__ spec, float *__restrict__ out, int64_t c0, int64_t cnt,
                             int64_t N, int F, frontend_geometry fg, const int4 *__restrict__ bands_tab,
                             const float *__restrict__ weights, const float *__restrict__ dct,
                             unsigned *__restrict__ maxes, int fpb) {
  extern __shared__ float2 smem[];
  float *pw = reinterpret_cast<float *>(smem), *mel = pw + fpb * fg.rows;
  const int64_t j0 = (int64_t)blockIdx.x * fpb;
  const int R = fg.rows;
  for (int idx = threadIdx.x; idx < fpb * R; idx += THREADS) {
    const int f = idx / R, k = idx - f * R;
    const float2 X = j0 + f < cnt ? spec[(j0 + f) * F + k] : make_float2(0.f, 0.f); // scaled when framed
    pw[idx] = power_value(fg, X.x * X.x + X.y * X.y);
  }
  __syncthreads();
  bands_stage<false, THREADS>(fg, pw, fg.rows, mel, fpb, N, out, bands_tab, weights, dct, maxes,
                     [&](int f, int64_t *it, int64_t *t) {
                       if (j0 + f >= cnt) return false;
                       *it = (c0 + j0 + f) / N; // frames of the chunk run across examples
                       *t = c0 + j0 + f - *it * N;
                       return true;
                     });
}

// v raised to lo (NaN stays NaN, as numpy.maximum and the CPU backend).
__device__ __forceinline__ float clip_below(float v, float lo) { return v < lo ? lo : v; }

// top_db clipping in place: x >= max(group) - top_db.  Grid (chunks,
// batch): blockIdx.y is the example (no division per value), 4 values per
// 16-byte access where the example's row is aligned.
__global__ void clip_kernel(float *__restrict__ x, int64_t per_item, const unsigned *__restrict__ maxes, int group,
                            double top_db) {
  const int64_t item = blockIdx.y;
  const float floor_v = (float)((double)order_decode(__ldg(&maxes[item / group])) - top_db);
  float *xi = x + item * per_item;
  const int64_t stride = (int64_t)gridDim.x * blockDim.x;
  int64_t head = 0; // values before the first 16-byte boundary
  if (((uintptr_t)xi & 15) != 0) head = min(per_item, (int64_t)((16 - ((uintptr_t)xi & 15)) / 4));
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < head; i += stride) xi[i] = clip_below(xi[i], floor_v);
  float4 *x4 = reinterpret_cast<float4 *>(xi + head);
  const int64_t n4 = (per_item - head) / 4;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n4; i += stride) {
    float4 v = x4[i];
    v.x = clip_below(v.x, floor_v);
    v.y = clip_below(v.y, floor_v);
    v.z = clip_below(v.z, floor_v);
    v.w = clip_below(v.w, floor_v);
    x4[i] = v;
  }
  for (int64_t i = head + 4 * n4 + (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < per_item; i += stride)
    xi[i] = clip_below(xi[i], floor_v);
}

// MFCC second pass: out[b][k][t] = sum_m dct[k][m] clip(mel[b][m][t]);
// grid (frames / 128, K, batch), threads over frames.
__global__ void dct_kernel(const float *__restrict__ mel, float *__restrict__ out, int M, int K, int64_t N,
                           const float *__restrict__ dct, const unsigned *__restrict__ maxes, int group, int clip,
                           double top_db) {
  const int64_t t = (int64_t)blockIdx.x * blockDim.x + threadIdx.x, item = blockIdx.z;
  const int k = blockIdx.y;
  if (t >= N) return;
  float floor_v = clip ? (float)((double)order_decode(__ldg(&maxes[item / group])) - top_db) : -INFINITY;
  const float *src = mel + item * (int64_t)M * N + t, *c = dct + (int64_t)k * M;
  float s = 0.f;
  for (int m = 0; m < M; ++m) {
    float v = __ldg(&src[(int64_t)m * N]);
    if (clip) v = v < floor_v ? floor_v : v;
    s += __ldg(&c[m]) * v;
  }
  out[(item * K + k) * N + t] = s;
}

// ---------------------------------------------------------------- host side

struct cuda_frontend_data {
  int device;
  int4 *bands_tab;
  float *weights, *dct;
};

static void free_frontend_data(cuda_frontend_data *d) {
  cudaFree(d->bands_tab);
  cudaFree(d->weights);
  cudaFree(d->dct);
  spectro_free(d);
}

static spectro_status frontend_tables(const spectro_frontend_plan *cplan, int device, cuda_frontend_data **out) {
  spectro_frontend_plan *plan = (spectro_frontend_plan *)cplan;
  cuda_frontend_data *d = device_tables_find<cuda_frontend_data>(&plan->lock, plan->cuda, device);
  if (d) {
    *out = d;
    return SPECTRO_OK;
  }
  const frontend_spec *fs = &plan->spec;
  const int64_t M = fs->bands, K = plan->config.n_dct;
  int64_t total = 0;
  if (!fs->identity) total = fs->offset[M - 1] + fs->count[M - 1];
  RETURN_IF(total > INT32_MAX || M > INT32_MAX, SPECTRO_ERR_UNSUPPORTED,
            "the CUDA frontend supports filterbanks of < 2^31 weights (got %lld)", (long long)total);
  int4 *h_tab = NULL;
  float *h_w = NULL, *h_dct = NULL;
  if (!fs->identity) {
    h_tab = (int4 *)spectro_alloc_array((size_t)M, sizeof(int4));
    h_w = (float *)spectro_alloc_array((size_t)total + 1, sizeof(float));
  }
  if (K > 0) h_dct = (float *)spectro_alloc_array((size_t)(K * M), sizeof(float));
  d = (cuda_frontend_data *)spectro_alloc(sizeof *d);
  if (d) *d = cuda_frontend_data{device, NULL, NULL, NULL};
  if (!d || (!fs->identity && (!h_tab || !h_w)) || (K > 0 && !h_dct)) {
    spectro_free(h_tab);
    spectro_free(h_w);
    spectro_free(h_dct);
    spectro_free(d);
    return spectro_error(SPECTRO_ERR_OUT_OF_MEMORY, "out of memory for the CUDA frontend tables");
  }
  if (!fs->identity) {
    for (int64_t m = 0; m < M; ++m) h_tab[m] = make_int4((int)fs->start[m], (int)fs->count[m], (int)fs->offset[m], 0);
    for (int64_t i = 0; i < total; ++i) h_w[i] = fs->wf[i];
  }
  for (int64_t i = 0; i < K * M; ++i) h_dct[i] = (float)plan->dct[i];
  cudaError_t e = cudaSuccess;
  if (!fs->identity) {
    e = cudaMalloc(&d->bands_tab, sizeof(int4) * (size_t)M);
    if (e == cudaSuccess) e = cudaMalloc(&d->weights, sizeof(float) * (size_t)(total + 1));
    if (e == cudaSuccess) e = cudaMemcpy(d->bands_tab, h_tab, sizeof(int4) * (size_t)M, cudaMemcpyHostToDevice);
    if (e == cudaSuccess) e = cudaMemcpy(d->weights, h_w, sizeof(float) * (size_t)(total + 1), cudaMemcpyHostToDevice);
  }
  if (e == cudaSuccess && K > 0) {
    e = cudaMalloc(&d->dct, sizeof(float) * (size_t)(K * M));
    if (e == cudaSuccess) e = cudaMemcpy(d->dct, h_dct, sizeof(float) * (size_t)(K * M), cudaMemcpyHostToDevice);
  }
  spectro_free(h_tab);
  spectro_free(h_w);
  spectro_free(h_dct);
  if (e != cudaSuccess) {
    free_frontend_data(d);
    return cuda_error_status(e, "uploading the frontend tables");
  }
  *out = device_tables_publish(&plan->lock, plan->cuda, device, d, free_frontend_data);
  return SPECTRO_OK;
}

extern "C" void cuda_release_frontend(spectro_frontend_plan *plan) {
  device_tables_release<cuda_frontend_data>(plan->cuda, free_frontend_data);
}

// Whether the DCT runs inside the frontend kernel: no top_db (the clip
// needs every block's maximum first) and the frame's bands fit the free
// shared buffer.
static int fused_dct(const spectro_frontend_plan *plan) {
  const int h = (int)(plan->stft->n_fft / 2);
  return plan->config.n_dct > 0 && isnan(plan->top_db) && plan->spec.bands <= 2 * (int64_t)padded_frame(h, 16); // (the smallest stride)
}

#define WS_ALIGN 256

extern "C" size_t cuda_frontend_workspace(const spectro_frontend_plan *plan, int64_t batch, int64_t n_frames,
                                          int64_t group) {
  size_t bytes = 0;
  if (!isnan(plan->top_db)) bytes += ((size_t)(batch / group) * sizeof(unsigned) + WS_ALIGN - 1) / WS_ALIGN * WS_ALIGN;
  if (plan->config.n_dct > 0 && !fused_dct(plan)) bytes += (size_t)(batch * plan->spec.bands * n_frames) * sizeof(float);
  return bytes;
}

// Sizes the own FFT does not cover: cuFFT spectra in chunks of frames, then
// the same power / projection / scaling (/ DCT) per block of frames.
static spectro_status fallback_features(const spectro_frontend_plan *plan, cuda_plan_data *d,
                                        const cuda_frontend_data *fd, const frontend_geometry &fg, const void *signal,
                                        spectro_dtype dtype, int64_t batch, int64_t length, int64_t n_frames,
                                        float *dest, unsigned *maxes, cudaStream_t s) {
  const int64_t total = batch * n_frames;
  const int F = (int)(plan->stft->n_fft / 2 + 1);
  const size_t per_frame = sizeof(float) * (size_t)(fg.rows + fg.bands);
  int fpb = (int)(48 * 1024 / per_frame);
  fpb = fpb < 1 ? 1 : fpb > 8 ? 8 : fpb;
  const size_t smem = per_frame * (size_t)fpb;
  RETURN_IF(smem > 200 * 1024, SPECTRO_ERR_UNSUPPORTED,
            "the CUDA frontends need n_fft // 2 + 1 + bands <= 51200 (got n_fft=%lld with %d bands)",
            (long long)plan->stft->n_fft, fg.bands);
  CUDA_TRY(cuda_allow_smem((const void *)spectrum_frontend_kernel, smem), "raising the frontend kernel's shared memory");
  return fft_forward_chunks(plan->stft, d, signal, dtype, length, n_frames, total, s,
                            "the frontend kernel launch (cuFFT path)", [&](const fft_run &run, int64_t c0, int64_t cnt) {
                              spectrum_frontend_kernel<<<(unsigned)((cnt + fpb - 1) / fpb), THREADS, smem, s>>>(
                                  run.spec, dest, c0, cnt, n_frames, F, fg, fd->bands_tab, fd->weights, fd->dct,
                                  maxes, fpb);
                            });
}

extern "C" spectro_status cuda_frontend_execute(const spectro_frontend_plan *plan, const void *signal,
                                                spectro_dtype dtype, int64_t batch,
                                                int64_t length, int64_t n_frames, int64_t group, float *out,
                                                void *workspace, void *stream) {
  (void)cudaGetLastError(); // a stale non-sticky error from earlier work must not fail our launch checks
  cuda_plan_data *d;
  spectro_status st = cuda_plan_tables(plan->stft, &d);
  if (st != SPECTRO_OK) return st;
  cuda_frontend_data *fd;
  st = frontend_tables(plan, d->device, &fd);
  if (st != SPECTRO_OK) return st;
  RETURN_IF(batch > 65535, SPECTRO_ERR_UNSUPPORTED, "the CUDA frontend supports batch <= 65535 (got %lld)",
            (long long)batch);
  const frontend_spec *fs = &plan->spec;
  const int64_t K = plan->config.n_dct;
  RETURN_IF(K > 65535, SPECTRO_ERR_UNSUPPORTED, "the CUDA MFCC supports n_mfcc <= 65535 (got %lld)", (long long)K);
  stft_geometry g = forward_geometry(plan->stft, signal, sample_bytes(dtype), length, n_frames);
  frontend_geometry fg;
  fg.rows = (int)fs->rows;
  fg.bands = (int)fs->bands;
  fg.identity = fs->identity;
  fg.power_kind = fs->power_kind;
  fg.power = (float)fs->power;
  fg.scale = fs->scale;
  fg.log_mode = fs->log_mode;
  fg.log_amin = (float)fs->log_amin;
  fg.log_scale = (float)fs->log_scale;
  fg.db_mult = (float)fs->db_mult;
  fg.db_amin = (float)fs->db_amin;
  fg.db_offset = (float)fs->db_offset;
  fg.n_dct = (int)K;
  fg.fused_dct = fused_dct(plan);
  const int clip = !isnan(plan->top_db);
  fg.track_max = clip;
  fg.group = (int)group;
  const int mfcc_pass = K > 0 && !fg.fused_dct;
  unsigned *maxes = NULL;
  char *ws = (char *)workspace;
  cudaStream_t s = (cudaStream_t)stream;
  if (clip) {
    maxes = (unsigned *)ws;
    size_t mbytes = (size_t)(batch / group) * sizeof(unsigned);
    ws += (mbytes + WS_ALIGN - 1) / WS_ALIGN * WS_ALIGN;
    CUDA_TRY(cudaMemsetAsync(maxes, 0, mbytes, s), "clearing the top_db maxima");
  }
  float *dest = mfcc_pass ? (float *)ws : out; // band values, or scratch for the MFCC pass
  if (d->fused) {
    dim3 grid((unsigned)((n_frames + g.fpb - 1) / g.fpb), (unsigned)batch);
    size_t smem = sizeof(float2) * 2 * (size_t)g.fpb * padded_frame(g.h, g.fpb);
    cudaError_t attr = cudaSuccess;
    launch_by_dtype(dtype, [&](auto sample) {
      using T = decltype(sample);
      launch_by_size(g.h, [&](auto size) {
        constexpr int H = decltype(size)::value;
        auto kernel = frontend_kernel<H, forward_frames_per_block(H), T>;
        attr = cuda_allow_smem((const void *)kernel, smem);
        if (attr == cudaSuccess)
          kernel<<<grid, forward_threads(H), smem, s>>>((const T *)signal, dest, g, fg, d->pt, d->tw, d->rtw, d->window,
                                             fd->bands_tab, fd->weights, fd->dct, maxes);
      });
    });
    CUDA_TRY(attr, "raising the frontend kernel's shared memory");
    CUDA_TRY(cudaGetLastError(), "the frontend kernel launch");
  } else {
    st = fallback_features(plan, d, fd, fg, signal, dtype, batch, length, n_frames, dest, maxes, s);
    if (st != SPECTRO_OK) return st;
  }
  if (mfcc_pass) {
    dim3 g2((unsigned)((n_frames + 127) / 128), (unsigned)K, (unsigned)batch);
    dct_kernel<<<g2, 128, 0, s>>>(dest, out, fg.bands, (int)K, n_frames, fd->dct, maxes, (int)group, clip,
                                  plan->top_db);
    CUDA_TRY(cudaGetLastError(), "the MFCC DCT kernel launch");
  } else if (clip) {
    const int64_t per_item = fs->bands * n_frames;
    int64_t chunks = (per_item / 4 + 255) / 256;
    if (chunks < 1) chunks = 1;
    if (chunks > 2048) chunks = 2048;
    clip_kernel<<<dim3((unsigned)chunks, (unsigned)batch), 256, 0, s>>>(out, per_item, maxes, (int)group, plan->top_db);
    CUDA_TRY(cudaGetLastError(), "the top_db clip kernel launch");
  }
  return SPECTRO_OK;
}
