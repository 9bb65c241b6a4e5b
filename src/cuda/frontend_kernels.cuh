// The frontend kernels (device code only; frontend_cuda.cu launches them).
// A header of its own so tests/cuda_host can run them on CPU threads.
#ifndef SPECTRO_CUDA_FRONTEND_KERNELS_CUH
#define SPECTRO_CUDA_FRONTEND_KERNELS_CUH

#include "fft_smem.cuh"

#include <math.h>

extern "C" {
#include "../frontend.h"
}

struct frontend_geometry {
  int rows, bands, identity, power_kind, scale, log_mode;
  int n_dct, fused_dct, track_max, group;
  int n_weights; // filterbank weights (offset + count of the last band; 0 for the identity)
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
__host__ __device__ __forceinline__ int power_stride(int rows, int fpb, int room) {
  const int want = fpb >= 2 && fpb <= 32 ? 32 / fpb : 0;
  const int s = rows + ((want - rows % 32) % 32 + 32) % 32;
  return s <= room ? s : rows;
}

// Where the frontend kernel for half-size H copies the filterbank (band
// table, then weights) into its free buffer of 2 fpb hp floats, past the
// |X|^power rows (16-byte aligned); -1 when it does not fit there, when there
// is none (identity), or for the other sizes: mel-dB at n_fft 2048 ran 4-7%
// faster with the copy, the Stockham n_fft 400 MFCC kernel 9% slower (56 ->
// 80 registers), the P10 kernel that replaced it the same within 1%
// (SPECTRO_P10_SHARED_FB 1; bench/results/experiments/README.md).
#ifndef SPECTRO_P10_SHARED_FB
#define SPECTRO_P10_SHARED_FB 0
#endif
template <int H>
__host__ __device__ __forceinline__ int shared_tables_offset(const frontend_geometry &fg, int fpb, int hp) {
  if constexpr (!reg_fft_size(H) && !(SPECTRO_P10_SHARED_FB && p10_fft_size(H))) return -1;
  const int at = (fpb * power_stride(fg.rows, fpb, 2 * hp) + 3) & ~3;
  return !fg.identity && at + 4 * fg.bands + fg.n_weights <= 2 * fpb * hp ? at : -1;
}

// Frames per tile of the top_db pass after the own-FFT kernel: a tile is
// rewritten only when some value in it lies below its group's max - top_db.
#define CLIP_TILE 128

// The largest and smallest band values a thread (then a block) wrote.
struct band_extremes {
  float max, min;
};

// Projection, scaling and (with fused_dct) the DCT of fpb frames whose
// |X|^power are in shared memory (pw, row stride rs >= fg.rows); mel is shared scratch
// for fpb * bands values.  frame_of(f, &item, &t) gives the block's frame f
// (false: no frame).  Features go to out[item][band or coefficient][t].
// SINGLE_ITEM: every frame belongs to one example and the extremes written
// are returned for the caller's block reduction; otherwise each thread folds its
// maximum into maxes[item / group] whenever its example changes.
// SHARED_TABLES: bands_tab and weights are copies in shared memory (plain
// loads), else global (read-only loads).
template <bool SINGLE_ITEM, int BT, bool SHARED_TABLES = false, class FrameOf>
__device__ __forceinline__ band_extremes bands_stage(const frontend_geometry &fg, const float *pw, int rs, float *mel,
                                                     int fpb, int64_t N, float *__restrict__ out,
                                                     const int4 *__restrict__ bands_tab,
                                                     const float *__restrict__ weights, const float *__restrict__ dct,
                                                     unsigned *__restrict__ maxes, FrameOf frame_of) {
  const int M = fg.bands;
  float lmax = -INFINITY, lmin = INFINITY;
  int64_t cur = -1; // example of lmax (per-thread flush)
  for (int idx = threadIdx.x; idx < fpb * M; idx += BT) {
    const int m = idx / fpb, f = idx - m * fpb; // consecutive threads: consecutive frames of a band
    float v;
    if (fg.identity) {
      v = pw[f * rs + m];
    } else {
      const int4 bt = SHARED_TABLES ? bands_tab[m] : __ldg(&bands_tab[m]);
      const float *src = pw + f * rs + bt.x, *w = weights + bt.z;
      float acc = 0.f;
#pragma unroll 4
      for (int j = 0; j < bt.y; ++j) acc += (SHARED_TABLES ? w[j] : __ldg(&w[j])) * src[j];
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
      if (SINGLE_ITEM) lmin = fminf(lmin, v);
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
  return band_extremes{lmax, lmin};
}

// Blocks per multiprocessor the register-FFT sizes' frontend kernels are
// capped for: 1536 threads' worth (42 registers).  Taking |X|^power straight
// from the FFT's last pass in registers instead of the untangle loop below
// measured slower (mel-dB +5% at this cap, with no spill at n_fft 2048 but
// 10% more instructions; +13% at 64 registers;
// bench/results/experiments/README.md).
__host__ __device__ constexpr int frontend_min_blocks(int h) { return 1536 / forward_threads(h); }

// out: [batch][bands][n_frames] (or [batch][n_dct][n_frames] with fused_dct).
// bands_tab[m] = (first bin, bin count, weight offset) of band m.  With
// track_max, each block folds the largest value it wrote into
// maxes[item / group] and, when tile_min is not null, the smallest into
// tile_min[item][tile] for the tiles of CLIP_TILE frames its frames fall in
// (as ~order_encode, by atomic max, onto zeros): the top_db pass then skips
// the tiles with nothing below max - top_db.
template <int H, int FPB, class T>
__global__ void __launch_bounds__(forward_threads(H), reg_fft_size(H)   ? frontend_min_blocks(H)
                                                       : p10_fft_size(H) ? SPECTRO_P10_MIN_BLOCKS
                                                                         : 1)
    frontend_kernel(const T *__restrict__ signal, float *__restrict__ out, stft_geometry g, frontend_geometry fg,
                    pass_table pt, const float2 *__restrict__ tw, const float2 *__restrict__ rtw,
                    const float *__restrict__ window, const int4 *__restrict__ bands_tab,
                    const float *__restrict__ weights, const float *__restrict__ dct, unsigned *__restrict__ maxes,
                    unsigned *__restrict__ tile_min) {
  SPECTRO_DYNAMIC_SMEM(float2, smem);
  constexpr int BT = forward_threads(H);
  constexpr int WARPS = (BT + 31) / 32, LAST = BT - 32 * (WARPS - 1); // lanes of the last warp (16 at n_fft 400)
  static_assert((LAST & (LAST - 1)) == 0, "the max reduction's shuffles stay inside a partial warp");
  __shared__ float warp_max[WARPS], warp_min[WARPS];
  const int h = H > 0 ? H : g.h, fpb = FPB > 0 ? FPB : g.fpb, hp = padded_frame(h, fpb);
  float2 *a = smem, *b = smem + fpb * hp;
  const int64_t item = blockIdx.y;
  const int64_t t0 = (int64_t)blockIdx.x * fpb, N = g.n_frames;
  // |X|^power of bins 0 .. rows-1 (row stride rs) into pw, one of the two
  // buffers; z is the other (the spectrum), free for scratch once the power
  // rows are written
  float2 *z = forward_frames<H, FPB, T>(signal + item * g.length, a, b, g, t0, pt, tw, window);
  float *pw = reinterpret_cast<float *>(z == a ? b : a);
  const int rs = power_stride(fg.rows, fpb, 2 * hp);
  const int R = fg.rows;
  // The filterbank (band table and weights) copied into the free buffer past
  // the |X|^power rows when it fits: one coalesced batch of loads per block,
  // where the projection's serial per-bin reads otherwise wait on L2 (with
  // ~210 KB of shared memory per multiprocessor, L1 keeps little of them).
  const int tables_at = shared_tables_offset<H>(fg, fpb, hp);
  const bool staged = tables_at >= 0;
  int4 *stab = reinterpret_cast<int4 *>(pw + (staged ? tables_at : 0));
  float *sw = reinterpret_cast<float *>(stab + fg.bands);
  if (staged) {
    for (int i = threadIdx.x; i < fg.bands; i += BT) stab[i] = __ldg(&bands_tab[i]);
    for (int i = threadIdx.x; i < fg.n_weights; i += BT) sw[i] = __ldg(&weights[i]);
  }
  if constexpr (reg_fft_size(H)) {
    // bins threadIdx.x + i BT (a whole number of rounds for these sizes), bin
    // h by thread 0; every frame's reads ahead of the arithmetic
    // (points k and H - k as two addresses and constant offsets: BT is a
    // multiple of 16, padh_split)
    const float2 *zk = z + PADH<H>(threadIdx.x), *zm = z + PADH<H>(H - threadIdx.x);
#pragma unroll
    for (int i = 0; i < H / BT; ++i) {
      const int k = threadIdx.x + i * BT;
      if (k >= R) break;
      const float2 w = __ldg(&rtw[k]);
      float2 za[FPB], zb[FPB];
#pragma unroll
      for (int f = 0; f < FPB; ++f) {
        za[f] = zk[f * hp + PADH<H>(i * BT)];
        zb[f] = zm[f * hp - PADH<H>(i * BT)];
      }
#pragma unroll
      for (int f = 0; f < FPB; ++f) {
        const float2 X = k == 0 ? untangle_dc(za[f], false) : untangle_pair(za[f], zb[f], w); // (scaled: fwindow)
        pw[f * rs + k] = power_value(fg, X.x * X.x + X.y * X.y);
      }
    }
    if (R > H && threadIdx.x == 0) {
#pragma unroll
      for (int f = 0; f < FPB; ++f) {
        const float2 z0 = z[f * hp];
        const float xr = untangle_dc(z0, true).x;
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
      const float2 X = untangle_at(z + f * hp, k, h, pa, pb, w);
      pw[f * rs + k] = power_value(fg, X.x * X.x + X.y * X.y);
    }
  }
  __syncthreads();
  auto frame_of = [&](int f, int64_t *it, int64_t *t) {
    *it = item;
    *t = t0 + f;
    return t0 + f < N;
  };
  // (the shared-table projection is instantiated only for the sizes that can stage the tables)
  band_extremes ext;
  bool projected = false;
  if constexpr (reg_fft_size(H) || (SPECTRO_P10_SHARED_FB && p10_fft_size(H)))
    if (staged) {
      ext = bands_stage<true, BT, true>(fg, pw, rs, reinterpret_cast<float *>(z), fpb, N, out, stab, sw, dct, maxes,
                                        frame_of);
      projected = true;
    }
  if (!projected)
    ext = bands_stage<true, BT>(fg, pw, rs, reinterpret_cast<float *>(z), fpb, N, out, bands_tab, weights, dct, maxes,
                                frame_of);
  if (fg.track_max) { // one atomic per block: every frame of the block belongs to `item`
    float m = ext.max, mn = ext.min;
    const int w = threadIdx.x >> 5, lanes = w == WARPS - 1 ? LAST : 32;
    const unsigned mask = 0xffffffffu >> (32 - lanes);
#pragma unroll
    for (int d = 16; d > 0; d >>= 1)
      if (d < lanes) {
        m = fmaxf(m, __shfl_xor_sync(mask, m, d));
        mn = fminf(mn, __shfl_xor_sync(mask, mn, d));
      }
    if ((threadIdx.x & 31) == 0) {
      warp_max[w] = m;
      warp_min[w] = mn;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
      float mx = warp_max[0], mnn = warp_min[0];
      for (int i = 1; i < WARPS; ++i) {
        mx = fmaxf(mx, warp_max[i]);
        mnn = fminf(mnn, warp_min[i]);
      }
      atomicMax(&maxes[item / fg.group], order_encode(mx));
      if (tile_min) { // the one or two tiles of the block's frames
        const int64_t ntiles = (N + CLIP_TILE - 1) / CLIP_TILE, last = min(t0 + fpb, N) - 1;
        for (int64_t tile = t0 / CLIP_TILE; tile <= last / CLIP_TILE; ++tile)
          atomicMax(&tile_min[item * ntiles + tile], ~order_encode(mnn));
      }
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
  SPECTRO_DYNAMIC_SMEM(float2, smem);
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

// top_db clipping of the own-FFT kernel's [batch][bands][N] output by tiles
// of CLIP_TILE frames and CLIP_BANDS bands (grid: tiles by band groups by
// batch, 256 threads, 8 values each, every load issued before the stores):
// a tile whose smallest value (tile_min) is not below its group's max -
// top_db is final as written and left alone.  (One block per tile and a
// loop over its bands, 128 blocks at B8 T480k, ran 11% slower than the flat
// pass when every tile needed clipping.)
#define CLIP_BANDS 16
__global__ void __launch_bounds__(256) clip_tiles_kernel(float *__restrict__ x, int M, int64_t N,
                                                         const unsigned *__restrict__ maxes, int group, double top_db,
                                                         const unsigned *__restrict__ tile_min) {
  const int64_t item = blockIdx.z, tile = blockIdx.x, ntiles = (N + CLIP_TILE - 1) / CLIP_TILE;
  const float floor_v = (float)((double)order_decode(__ldg(&maxes[item / group])) - top_db);
  const unsigned key = __ldg(&tile_min[item * ntiles + tile]); // ~order_encode(min); 0: nothing written
  if (key == 0u || !(order_decode(~key) < floor_v)) return;
  const int64_t t = tile * CLIP_TILE + threadIdx.x % CLIP_TILE;
  const int m0 = blockIdx.y * CLIP_BANDS + threadIdx.x / CLIP_TILE;
  constexpr int STEP = 256 / CLIP_TILE, VALS = CLIP_BANDS / STEP;
  float *xi = x + (item * M + m0) * N + t;
  float v[VALS];
#pragma unroll
  for (int i = 0; i < VALS; ++i)
    if (t < N && m0 + i * STEP < M) v[i] = xi[(int64_t)i * STEP * N];
#pragma unroll
  for (int i = 0; i < VALS; ++i)
    if (t < N && m0 + i * STEP < M) xi[(int64_t)i * STEP * N] = clip_below(v[i], floor_v);
}

// MFCC second pass: out[b][k][t] = sum_m dct[k][m] clip(mel[b][m][t]);
// grid (frames / 128, K, batch), threads over frames; for filterbanks too
// large for dct_tiles_kernel below.  Measured against it on an H100
// (bench/results/experiments/README.md): 16 or 4 coefficients per thread
// (each band value read once) and the sixth session's shared-memory tiles
// (one coefficient per warp at a time) were faster at B8 by at most 0.8 us
// and slower at B1 T480k by 2-7 us; 4 per thread for large calls (ninth
// session, graph replay): MFCC B8 and B32 8% slower.
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
    s += __ldg(&c[m]) * clip_below(__ldg(&src[(int64_t)m * N]), floor_v); // (floor_v -inf without clip)
  }
  out[(item * K + k) * N + t] = s;
}

// The same by tiles of DCT_TF frames (grid: tiles by batch, 256 threads):
// the block loads the tile's band values (clipped) and the DCT matrix into
// shared memory, every load issued before the first store, then thread (f,
// q) makes coefficients q + 8 i of frame f, two at a time (two independent
// sums per band value read).  Shared memory: dct_tiles_smem floats (the
// matrix gets a zero row for the second sum past K); for filterbanks too
// large for 48 KB, dct_kernel.  H100, kernel times B1 T480k / B8 T480k /
// B32 T160k (ninth session): dct_kernel 4.1 / 10.0 / 11.5 us, tiles of 64
// frames with one sum at a time 4.9 / 7.6 / 9.1.
#define DCT_TF 32
__host__ __device__ constexpr size_t dct_tiles_smem(int M, int K) {
  return sizeof(float) * ((size_t)M * DCT_TF + (size_t)(K + 1) * M);
}
__global__ void __launch_bounds__(256) dct_tiles_kernel(const float *__restrict__ mel, float *__restrict__ out, int M,
                                                        int K, int64_t N, const float *__restrict__ dct,
                                                        const unsigned *__restrict__ maxes, int group, int clip,
                                                        double top_db) {
  constexpr int QG = 256 / DCT_TF, PER = 256 * 8 / DCT_TF; // coefficient groups; bands loaded per round
  SPECTRO_DYNAMIC_SMEM(float, tile);
  float *sd = tile + M * DCT_TF;
  const int64_t item = blockIdx.y, t0 = (int64_t)blockIdx.x * DCT_TF;
  const float floor_v = clip ? (float)((double)order_decode(__ldg(&maxes[item / group])) - top_db) : -INFINITY;
  const int f = threadIdx.x % DCT_TF, q = threadIdx.x / DCT_TF;
  const bool live = t0 + f < N;
  const float *src = mel + item * (int64_t)M * N + t0 + f;
  for (int i = threadIdx.x; i < K * M; i += 256) sd[i] = __ldg(&dct[i]);
  for (int i = threadIdx.x; i < M; i += 256) sd[K * M + i] = 0.f;
  for (int m0 = 0; m0 < M; m0 += PER) { // band m0 + q + QG j of frame f, j < 8
    float v[8];
#pragma unroll
    for (int j = 0; j < 8; ++j) {
      const int m = m0 + q + QG * j;
      v[j] = live && m < M ? __ldg(&src[(int64_t)m * N]) : 0.f;
    }
#pragma unroll
    for (int j = 0; j < 8; ++j) {
      const int m = m0 + q + QG * j;
      if (m < M) tile[m * DCT_TF + f] = clip_below(v[j], floor_v); // (floor_v -inf without clip)
    }
  }
  __syncthreads();
  if (!live) return;
  for (int k = q; k < K; k += 2 * QG) {
    const float *c0 = sd + k * M, *c1 = sd + (k + QG < K ? k + QG : K) * M;
    float s0 = 0.f, s1 = 0.f;
#pragma unroll 4
    for (int m = 0; m < M; ++m) {
      const float v = tile[m * DCT_TF + f];
      s0 += c0[m] * v;
      s1 += c1[m] * v;
    }
    out[(item * K + k) * N + t0 + f] = s0;
    if (k + QG < K) out[(item * K + k + QG) * N + t0 + f] = s1;
  }
}

#endif
