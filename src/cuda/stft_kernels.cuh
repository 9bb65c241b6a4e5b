// The STFT and iSTFT kernels (device code only; stft_cuda.cu launches them).
// A header of its own so tests/cuda_host can run them on CPU threads.
#ifndef SPECTRO_CUDA_STFT_KERNELS_CUH
#define SPECTRO_CUDA_STFT_KERNELS_CUH

#include "fft_smem.cuh"
#include "fft_r32.cuh"

#if defined(__CUDACC__)
#include <cuda.h> // CUtensorMap (the iSTFT's bulk tensor copies)
#endif

// The STFT kernel's [frames][bins] stores as streaming stores (st.global.cs,
// evict first: the spectrum is not read again by this kernel, the signal's
// overlapping frames are).  H100, graph replay, same call: variants-15b, B8
// T480k 34.7 -> 33.8 us, n_fft 2048 66.6 -> 64.6, B8 T160k and B4 T1.32M
// within 0.5%; variants-15c (with the dependent launch), 34.6 -> 33.8 and
// 65.7 -> 65.0.
#ifndef SPECTRO_STFT_STREAMING
#define SPECTRO_STFT_STREAMING 1
#endif
// the same for [bins][frames] rows (store_bfn_rows): variants-15c, B8 T480k
// 38.3 -> 37.3 us, B4 T1.32M 56.4 -> 55.9, n_fft 2048 within 0.5%
#ifndef SPECTRO_STFT_STREAMING_BFN
#define SPECTRO_STFT_STREAMING_BFN 1
#endif
template <class V> __device__ __forceinline__ void stcs_if(bool streaming, V *p, V v) {
  if (streaming) __stcs(p, v);
  else *p = v;
}

// The [bins][frames] store of the register-FFT sizes: thread (f, kk) =
// (threadIdx.x mod FPB, threadIdx.x / FPB) takes bins kk + i h / REG_P (i <
// REG_P) of frame f, and kk = 0 also bin h, so a warp's stores cover rows of
// FPB frames (32 bytes or more) of consecutive bins.  The loop is unrolled
// with every shared read ahead of the stores and fixed per-thread
// addresses: the generic loop (a division, a 64-bit product and a branch
// per value, one value in flight) took half the kernel's instructions.
// value(f, k, i) gives bin k of frame f (for i < REG_P: k = kk + i h / REG_P;
// i = REG_P: k = h), scaled (the window holds the scale: forward_window_table).
template <int H, int FPB, class Value>
__device__ __forceinline__ void store_bfn_rows(float2 *__restrict__ o, const stft_geometry &g, int64_t t0, int cnt,
                                               Value value) {
  constexpr int TPF = H / REG_P;
  const int f = threadIdx.x % FPB, kk = threadIdx.x / FPB;
  if (f >= cnt) return;
  float2 X[REG_P];
#pragma unroll
  for (int i = 0; i < REG_P; ++i) X[i] = value(f, kk, i);
  const int64_t row = (int64_t)TPF * g.n_frames;
  float2 *of = o + (int64_t)kk * g.n_frames + t0 + f;
#pragma unroll
  for (int i = 0; i < REG_P; ++i)
    stcs_if(SPECTRO_STFT_STREAMING_BFN, &of[i * row], X[i]);
  if (kk == 0) {
    const float2 Xh = value(f, H, REG_P);
    stcs_if(SPECTRO_STFT_STREAMING_BFN, &o[(int64_t)H * g.n_frames + t0 + f], Xh);
  }
}

// Whether the STFT kernel untangles the real spectrum in registers (the
// FFT's last pass, reg_last_pass_real) rather than through shared memory:
// for bnf output, and for bfn at n_fft >= 2048.  On an H200 that was 7-11%
// faster there; for bfn at n_fft 1024 it was 2-3% slower (it needs more
// registers, hence fewer blocks per multiprocessor).  At n_fft 2048 bfn the
// launch picks the shared-memory untangle instead when the rows start on
// 32-byte sectors (bfn_rows_aligned).
__host__ __device__ constexpr bool untangle_in_registers(int h, bool bnf) {
  return reg_fft_size(h) && (bnf || h >= 1024);
}
// Whether every row of a [bins][frames] spectrum of n_frames frames at out
// starts on a 32-byte sector (4 frames).  The n_fft 2048 STFT then takes
// the shared-memory untangle (stft_forward_kernel's RU = false).  H100, graph
// replay, same calls: 864 frames 89.1 -> 82.7 and 89.5 -> 82.8 us; with
// unaligned rows (862 frames) it was slower, 109.6 -> 113.3
// (bench/results/experiments, variants-11d / 11e).
static inline bool bfn_rows_aligned(int64_t n_frames, const void *out) {
  return n_frames % 4 == 0 && (uintptr_t)out % 32 == 0;
}
// Blocks per multiprocessor the STFT kernel's registers are capped for.
__host__ __device__ constexpr int forward_min_blocks(int h, bool bnf) {
  return p10_fft_size(h)                  ? SPECTRO_P10_MIN_BLOCKS
         : !reg_fft_size(h)               ? 1
         : !untangle_in_registers(h, bnf) ? 1536 / forward_threads(h)
         : forward_threads(h) == 512      ? 3
         : h == 512                       ? 4 // (at 48 registers, for 5 blocks, it spilled)
                                          : 5;
}
// The same register budget a thread for blocks of fpb frames (the autotune's
// forward_half_frames: twice the blocks of half the threads).
__host__ __device__ constexpr int forward_min_blocks(int h, bool bnf, int fpb) {
  return forward_min_blocks(h, bnf) * forward_threads(h) / forward_block_threads(h, fpb);
}

// Programmatic dependent launch (sm_90): the own-frame iSTFT kernel is
// launched while istft_zero_edges still runs (SPECTRO_ISTFT_PDL, launch
// attribute programmaticStreamSerialization) and waits for it (the wait
// returns once that grid has finished and its writes are visible) only
// before its first output write, so its first round's loads and transform
// overlap the clearing kernel and the launch gap between the two.  H100,
// eager, same call (variants-14e): B8 T480k 44.1 -> 42.2 us, B4 T1.32M
// 58.8 -> 57.2, n_fft 2048 86.4 -> 83.6; graph replay within 1% on the
// large n_fft 1024 rows, -2.3% at 2048 (B4 T160k: +10% from torch's
// layout, -5% from [frames][bins] memory, in the same call).
#ifndef SPECTRO_ISTFT_PDL
#define SPECTRO_ISTFT_PDL 1
#endif
// The STFT kernel launched as a programmatic dependent of whatever kernel
// precedes it in the stream (cuda_stft_forward, where the plan's pdl is
// set): each block waits for its predecessor (wait) before anything else
// and then lets the next such launch start (launch_dependents), so launch
// and block dispatch overlap the previous kernel's last wave; without the
// launch attribute both are no-ops.  H100, eager, same call (variants-15c,
// with launch_dependents before the wait): B8 T480k 34.0 -> 33.7 us, B4 T1.32M
// 48.2 -> 46.3, n_fft 2048 66.2 -> 64.6 (eager now at or below graph
// replay, where each replay is one launch); graph replay within 0.5%.
#ifndef SPECTRO_STFT_PDL
#define SPECTRO_STFT_PDL 1
#endif
// 1: where g.pairs holds, the register-untangle STFT kernels take an
// instance without the unpaired loads (PAIRS).  H200, same call
// (variants-17a): B16 T441k n_fft 2048 63.4 -> 60.5 us graph, B8 T480k
// 31.5 -> 30.7, B4 T1.32M 44.6 -> 43.8.
#ifndef SPECTRO_STFT_PAIRS_SPLIT
#define SPECTRO_STFT_PAIRS_SPLIT 1
#endif
__device__ __forceinline__ void pdl_wait() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
}
__device__ __forceinline__ void pdl_launch_dependents() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
#endif
}

// The STFT's register untangle (RU) passes leave buffer a to the second
// pass's output alone (read by the third pass, or by the last one at n_fft
// 512 and 1024): a with two pad slots in 16 (PADH<H, 2>) frees that pass's
// stores of their 2-way bank conflict (as istft_pad2).  SPECTRO_STFT_PAD2;
// every STFT kernel of those sizes takes the larger frame stride
// (stft_frame_stride), so the launch's shared memory does not depend on the
// variant.  H200, graph replay, same calls, autotune off (twenty-first
// session, calls B and C; against SPECTRO_STFT_PAD2 0): n_fft 2048 4 frames a
// block 59.5 -> 56.8 us and 59.8 -> 57.4, half the frames (the autotune's
// pick) 56.9 -> 55.7, B8 T480k 29.5 -> 29.1, B4 T1.32M 41.3 -> 40.4; the
// small rows within 1%.
#ifndef SPECTRO_STFT_PAD2
#define SPECTRO_STFT_PAD2 1
#endif
__host__ __device__ constexpr bool stft_pad2(int h) { return SPECTRO_STFT_PAD2 && reg_fft_size(h) && REG_P == 8; }
__host__ __device__ constexpr int stft_frame_stride(int h, int fpb) {
  return padded_frame(h, fpb, stft_pad2(h) ? 2 : 1);
}

// H > 0: h = H, a power of two, and FPB frames per block, known at compile
// time (index arithmetic becomes shifts); H = 0: any h, g.fpb frames.
// Register-FFT sizes: forward_block_threads(H, FPB) threads per block (else THREADS).
// BNF: [frames][bins] output, else [bins][frames].  RU: untangle in
// registers (default untangle_in_registers; false: through shared memory).
// PAIRS: the launch knows g.pairs holds (reg_load_frame's PAIRS; RU only).
template <int H, int FPB, class T, bool BNF, bool RU = untangle_in_registers(H, BNF), bool PAIRS = false>
__global__ void __launch_bounds__(forward_block_threads(H, FPB), forward_min_blocks(H, BNF, FPB))
    stft_forward_kernel(const T *__restrict__ signal, float2 *__restrict__ out, stft_geometry g, pass_table pt,
                        const float2 *__restrict__ tw, const float2 *__restrict__ rtw,
                        const float *__restrict__ window) {
  SPECTRO_DYNAMIC_SMEM(float2, smem);
  if constexpr (SPECTRO_STFT_PDL) {
    // (the signal may come from the kernel before; its loads, through a
    // restrict pointer, follow the wait in the SASS: checked by
    // tests/cuda_host/check_pdl_order.py)
    pdl_wait();
    pdl_launch_dependents(); // (after the wait: a dependent that reads before its own wait sees our predecessor done)
  }
  constexpr int BT = forward_block_threads(H, FPB);
  const int h = H > 0 ? H : g.h, fpb = FPB > 0 ? FPB : g.fpb,
            hp = stft_pad2(H) ? stft_frame_stride(H, fpb) : padded_frame(h, fpb); // (H = 0: never h = 1024)
  float2 *a = smem, *b = smem + fpb * hp;
  const int64_t batch_item = blockIdx.y;
  const int64_t t0 = (int64_t)blockIdx.x * fpb;
  const int F = h + 1;
  float2 *o = out + batch_item * (int64_t)F * g.n_frames;
  const int cnt = (int)min((int64_t)fpb, g.n_frames - t0);
  static_assert(!RU || untangle_in_registers(H, BNF), "the register untangle's sizes and layouts");
  if constexpr (RU) {
    // the real spectrum untangled in registers by the FFT's last pass: bnf
    // rows go straight to memory, bfn through shared memory (rows of fpb
    // frames per bin)
    const int f = reg_frame<H>(), j = reg_lane<H>();
    const int64_t t = t0 + f;
    float2 v[REG_P];
    reg_load_frame<H, T, REG_P, PAIRS>(signal + batch_item * g.length, g, t0, window, v);
    if constexpr (BNF) {
      float2 *of = o + t * F;
      const bool live = t < g.n_frames;
      auto bin = [&](int k, float2 X) {
        if (live) stcs_if(SPECTRO_STFT_STREAMING, &of[k], X);
      };
      reg_passes_real<H, true, stft_pad2(H) ? 2 : 1>(v, b, a, f * hp, j, tw, rtw, bin);
    } else {
      float2 *stage = reg_real_free<H>(a, b);
      float2 *sf = stage + f * hp;
      auto bin = [&](int k, float2 X) { sf[k] = X; };
      // (roots loaded: deriving them cost this kernel 6%; a: stage, after the passes)
      reg_passes_real<H, false, stft_pad2(H) ? 2 : 1>(v, b, a, f * hp, j, tw, rtw, bin);
      __syncthreads();
      store_bfn_rows<H, FPB>(o, g, t0, cnt, [&](int fr, int kk, int i) {
        return stage[fr * hp + (i < REG_P ? kk + i * (H / REG_P) : H)];
      });
    }
  } else {
    float2 *z = forward_frames<H, FPB, T>(signal + batch_item * g.length, a, b, g, t0, pt, tw, window);
    const int hz = padded_frame(h, fpb); // (forward_frames' frame stride; hp may be larger: stft_pad2)
    // untangle the real spectrum and store it: bins 0..h
    if constexpr (BNF) { // a thread keeps one bin for every frame; a warp writes consecutive bins
      for (int k = threadIdx.x; k < F; k += BT) {
        const int pa = PADH<H>(k), pb = PADH<H>(h - k);
        const float2 w = k < h ? __ldg(&rtw[k]) : make_float2(0.f, 0.f);
        float2 *ok = o + t0 * F + k;
#pragma unroll
        for (int f = 0; f < (FPB > 0 ? FPB : 8); ++f) {
          if (f >= cnt) break;
          float2 X = untangle_at(z + f * hz, k, h, pa, pb, w);
          ok[(int64_t)f * F] = X;
        }
      }
    } else if constexpr (reg_fft_size(H)) {
      store_bfn_rows<H, FPB>(o, g, t0, cnt, [&](int fr, int kk, int i) {
        const float2 *zf = z + fr * hz;
        if (i == REG_P) return untangle_dc(zf[0], true); // bin h
        // (indexed as PADH(k), not split as elsewhere (padh_split): split, the
        // n_fft 1024 [B, F, N] STFT ran 4% slower although its SASS was
        // shorter; H200, graph replay, variants-18e: 35.0 -> 36.5 us)
        const int k = kk + i * (H / REG_P);
        const float2 za = zf[PADH<H>(k)];
        if (i == 0 && kk == 0) return untangle_dc(za, false);
        return untangle_pair(za, zf[PADH<H>(H - k)], __ldg(&rtw[k]));
      });
    } else { // other sizes: consecutive threads take consecutive frames of one bin (coalesced rows)
      for (int idx = threadIdx.x; idx < fpb * F; idx += BT) {
        const int k = idx / fpb, f = idx - k * fpb;
        if (f >= cnt) continue;
        const float2 w = k < h ? __ldg(&rtw[k]) : make_float2(0.f, 0.f);
        float2 X = untangle_at(z + f * hz, k, h, PADH<H>(k), PADH<H>(h - k), w);
        o[(int64_t)k * g.n_frames + t0 + f] = X;
      }
    }
  }
}

// The n_fft 2048 STFT on [frames][bins] output as a warp per frame, for
// calls whose interior frames' sample pairs are aligned (g.pairs; others
// take stft_forward_kernel) (fft_r32.cuh; SPECTRO_STFT_R32,
// cuda_stft_forward): lane l loads the
// frame's points l + 32 i (padding by index, window on load), transforms,
// and untangles bins l + 32 b with the mirror bins' points from lane 32 - l
// by shuffles (lane 0: its own), writing rows of 32 consecutive bins.
// Waits and triggers like stft_forward_kernel (programmatic launch).
#ifndef SPECTRO_STFT_R32
#define SPECTRO_STFT_R32 1 // (1: compiled, an autotune candidate, tune_cuda.cuh; 0: not compiled)
#endif
template <class T>
__global__ void __launch_bounds__(32 * R32_WARPS, R32_MIN_BLOCKS)
    stft_forward_r32_kernel(const T *__restrict__ signal, float2 *__restrict__ out, stft_geometry g,
                            const float2 *__restrict__ tw32, const float2 *__restrict__ rtw,
                            const float *__restrict__ window) {
  SPECTRO_DYNAMIC_SMEM(float2, smem);
  if constexpr (SPECTRO_STFT_PDL) {
    pdl_wait();
    pdl_launch_dependents();
  }
  constexpr int H = 1024;
  const int lane = (int)threadIdx.x & 31, warp = (int)threadIdx.x >> 5;
  const int64_t t = (int64_t)blockIdx.x * R32_WARPS + warp, item = blockIdx.y;
  if (t >= g.n_frames) return; // (the warp's frame; no block barrier below)
  const T *x = signal + item * g.length;
  const int64_t start = t * g.hop - g.pad_left;
  float2 *region = smem + warp * R32_REGION;
  const float2 *w2 = reinterpret_cast<const float2 *>(window);
  float2 v[32];
  if (start >= 0 && start + 2 * H <= g.length) { // inside (sample pairs aligned: g.pairs, cuda_stft_forward)
    using pair = typename sample_traits<T>::pair;
    const pair *p = reinterpret_cast<const pair *>(x + start);
#pragma unroll
    for (int i = 0; i < 32; ++i) v[i] = sample_traits<T>::f2(p[lane + 32 * i]);
#pragma unroll
    for (int i = 0; i < 32; ++i) {
      const float2 w = __ldg(&w2[lane + 32 * i]);
      v[i] = make_float2(v[i].x * w.x, v[i].y * w.y);
    }
  } else {
    // a frame reaching past the signal's ends (padding by index): its points
    // staged in the warp's region first, a loop apart from the loads above
    // (with both paths unrolled, the compiler branched per point and the
    // loads went out one at a time: no faster than the register FFT, H200,
    // make gpu-check at bfa8c2f)
#pragma unroll 1
    for (int i = 0; i < 32; ++i) region[lane + 32 * i] = frame_point(x, g, t, lane + 32 * i, H, __ldg(&w2[lane + 32 * i]));
    warp_sync();
#pragma unroll
    for (int i = 0; i < 32; ++i) v[i] = region[lane + 32 * i];
    warp_sync(); // (the transform writes the region next)
  }
  r32_transform(v, region, lane, tw32, -1.f); // v[b] = Z[lane + 32 b]
  float2 *of = out + (item * g.n_frames + t) * (H + 1);
  const int src = (32 - lane) & 31;
#pragma unroll
  for (int b = 0; b < 32; ++b) {
    // Z[H - k], k = lane + 32 b: lane 32 - lane's v[31 - b]; lane 0's own v[32 - b] (b = 0: Z[0])
    float2 zb = make_float2(__shfl_sync(0xffffffffu, v[31 - b].x, src), __shfl_sync(0xffffffffu, v[31 - b].y, src));
    if (lane == 0) zb = v[(32 - b) & 31];
    const int k = lane + 32 * b;
    const float2 za = v[b], w = __ldg(&rtw[k]);
    // untangle_pair (the halves and the scale in the window: forward_window_table)
    const float er = za.x + zb.x, ei = za.y - zb.y, dr = za.x - zb.x, di = za.y + zb.y;
    const float xr = __fmaf_rn(w.y, dr, __fmaf_rn(w.x, di, er)), xi = __fmaf_rn(-w.x, dr, __fmaf_rn(w.y, di, ei));
    stcs_if(SPECTRO_STFT_STREAMING, &of[k], make_float2(xr, xi));
  }
  if (lane == 0) stcs_if(SPECTRO_STFT_STREAMING, &of[H], untangle_dc(v[0], true));
}

// ---------------------------------------------------------------- inverse

struct istft_geometry {
  int n, h, hop, bins, fpb, span; // span: output samples a block owns (own: acc floats, (kf - 1) hop + n)
  int64_t n_frames, length, off, full;
  // own = 1: block x transforms its run of frames (own_first_frame: whole
  // rounds, kf frames at most; each frame once),
  // overlap-adds them in shared memory and writes every sample they reach;
  // the n - hop samples it shares with each neighbour are added atomically
  // onto zeros (istft_zero_edges first: two addends onto zero, so the sum
  // does not depend on their order).  own = 0: block x owns output samples
  // [x span, x span + span) and transforms every frame touching them (those
  // it shares with its neighbours twice).  blocks: blocks per example.
  int own, kf;
  // own blocks' rounds: block x transforms rounds [x kr + min(x, kx), ...),
  // kr + 1 of them for x < kx, else kr (own_first_frame); kf = (kr + (kx >
  // 0)) fpb frames at most.  kx = 0: every block kr rounds (kf = kr fpb)
  int kr, kx;
  // quarter = 1 (own blocks, register-FFT sizes, hop = n / 4, even offset
  // and length, 8-byte aligned output): the kernel instance Q overlap-adds
  // by hops and writes each finished sample pair as the rounds go, with
  // three hops of shared memory where acc would take span floats
  int quarter;
  // r16: the quarter-hop kernel is the 16-points one (istft_r16)
  int r16;
  // tile_bytes > 0: the quarter-hop kernel reads its rounds as tiles of that
  // many bytes (spec_tiles), after the carried hops in shared memory
  int tile_bytes;
  // stream_loads: the quarter-hop kernel on [frames][bins] spectra reads
  // them with streaming loads (ldg_spec; the kernel instance SL)
  int stream_loads;
  int64_t blocks;
  // span_hops = span / hop when hop divides span (else 0): then block x's
  // frames start at max(0, x span_hops + c_first) and end at
  // min(x span_hops + c_last, c_end, n_frames - 1), and p0 mod hop = r0 (no
  // 64-bit division per block)
  int span_hops, r0;
  int64_t c_first, c_last, c_end;
};
// First frame of own block x (x = blocks: past the last round).
__host__ __device__ __forceinline__ int64_t own_first_frame(const istft_geometry &g, int64_t x) {
  return (x * g.kr + (x < g.kx ? x : (int64_t)g.kx)) * g.fpb;
}


// Point k < h of the half-length complex transform whose inverse gives a
// real frame, from bins xa = X_k, xb = X_{h-k} and w = W^k:
//   Z_k = (X_k + conj X_{h-k}) + i (X_k - conj X_{h-k}) conj(W^k).
// (W^(h-k) = -conj(W^k): the same w serves Z_{h-k}.)
__device__ __forceinline__ float2 inverse_pair(float2 xa, float2 xb, float2 w) {
  const float er = xa.x + xb.x, ei = xa.y - xb.y, dr = xa.x - xb.x, di = xa.y + xb.y;
  const float wr = w.x, wi = -w.y; // conj(W^k)
  const float or_ = dr * wr - di * wi, oi = dr * wi + di * wr;
  return make_float2(er - oi, ei + or_);
}
// Both points of a pair at once: Z_k into zk and Z_{h-k} into zm, from
// the same sums (E_{h-k} = conj E_k, O_{h-k} = conj O_k with O_k = (X_k -
// conj X_{h-k}) conj(W^k)): 12 operations where the two calls above took 16
// (the compiler does not reuse a difference for its negation).
__device__ __forceinline__ void inverse_pair2(float2 xa, float2 xb, float2 w, float2 &zk, float2 &zm) {
  const float er = xa.x + xb.x, ei = xa.y - xb.y, dr = xa.x - xb.x, di = xa.y + xb.y;
  const float or_ = __fmaf_rn(dr, w.x, __fmul_rn(di, w.y)), oi = __fmaf_rn(di, w.x, -__fmul_rn(dr, w.y));
  zk = make_float2(er - oi, ei + or_);
  zm = make_float2(er + oi, or_ - ei);
}
// The same from a frame's spectrum xf (bins 0..h, unpadded).
__device__ __forceinline__ float2 inverse_point(const float2 *xf, int k, int h, const float2 *__restrict__ rtw) {
  float2 xa = xf[k], xb = xf[h - k];
  if (k == 0) { // DC and Nyquist are real
    xa.y = 0.f;
    xb.y = 0.f;
  }
  return inverse_pair(xa, xb, __ldg(&rtw[k]));
}

// Frames per round and threads of the iSTFT kernel for [frames][bins] (bnf)
// or [bins][frames] spectra, quarter-hop kernel (quarter) or not: as the
// STFT kernel's (4 frames and 512 threads at n_fft 2048: 32-byte rows read
// from a [bins][frames] spectrum; 0.232 -> 0.201 ms for B16 T441k on an
// H200), but 2 frames (256 threads, 4 blocks per multiprocessor) for the
// quarter-hop kernel at n_fft 2048 on [frames][bins] spectra, whose rows are
// frames: H100, graph replay, same call (variants-14b, 12 frames a block
// either way): B16 T441k 94.4 -> 87.3 us; the [bins][frames] tiles kernel
// with 2 frames took 199 us against 105.  (Not the other hops: there the
// block's frames, 2 rounds, would halve, and most of the output would go
// through the shared edges.)  At n_fft 1024 2 frames (128 threads, 4
// rounds of 2 a block) were 24% slower (variants-14d); 3 blocks per
// multiprocessor at n_fft 2048 (80 registers) within 0.5%.  (With
// SPECTRO_ISTFT_R16, the default, that kernel is the 16-points one: 4 frames.)
#ifndef SPECTRO_ISTFT_FPB_2048_BNF
#define SPECTRO_ISTFT_FPB_2048_BNF 2
#endif
// SPECTRO_ISTFT_R16: the n_fft 2048 quarter-hop kernel on [frames][bins]
// spectra does its half-length transform with 16 points a thread (64
// threads, 4 frames a round of 256 threads): radix 16, 16 and a last radix 4
// left to the overlap-add (r16_transform, quarter_hop_ola's R4), against 8
// 8 8 and a last radix 2 with 8 points a thread: two shared-memory round
// trips a point fewer, one twiddle layer fewer, one block and one frame
// barrier a round of four frames where the 8-points kernel has two of each
// a round of two.  Nsight, H200 (bench/results/experiments, twenty-second
// session, call C): 27.7M warp instructions against 36.3M.  The next
// round's bins go into registers before the transform, as EARLY, with 126
// registers and 2 blocks a multiprocessor: at 3 blocks (79 registers) they
// could only be loaded after the overlap-add, where their latency showed
// (long scoreboard, 28% of the stall samples); copied into the free buffer
// by cp.async before the overlap-add instead, slower still.  H200, graph
// replay / eager, same call, autotune off (call D): B16 T441k 63.3 / 64.2 us
// (SPECTRO_ISTFT_R16 0) -> 59.8 / 61.3; loads after the overlap-add 71.0,
// cp.async 75.6; uniform 12-frame blocks instead of one balanced wave 64.9
// (call F).  Twenty-third session (calls A, B): r16_transform's W256 table
// read from shared memory (copied there once a block) instead of global
// memory, where Nsight had its first use drawing 10% of the stall samples,
// and rounds without shared hops overlap-added with plain stores only
// (plain_emit): 59.7 -> 57.4 us graph (either alone about as much).
// At n_fft 1024 the same kernel (h = 512: 32 threads a frame, 4 frames a
// round of 128 threads, 121 registers, 4 blocks a multiprocessor; U_j is
// 16 x 8) for calls of SPECTRO_ISTFT_R16_ROUNDS rounds a block slot or more.
#ifndef SPECTRO_ISTFT_R16
#define SPECTRO_ISTFT_R16 1
#endif
// Blocks a multiprocessor of the n_fft 1024 16-points kernel (128 threads).
// 5 (96 registers, 40 bytes spilled) was 16-40% slower than 4 on the rows
// that take it (H200, twenty-third session, call G: B8 T480k 31.2 -> 40.8
// us graph, B4 T1.32M 39.6 -> 55.4).
#ifndef SPECTRO_ISTFT_R16_BLOCKS_1024
#define SPECTRO_ISTFT_R16_BLOCKS_1024 4
#endif
// p8: the 8-points kernel where a 16-points one exists (at n_fft 1024, for
// calls of few rounds a block slot: istft_geometry.r16, inverse_geometry).
__host__ __device__ constexpr bool istft_r16(int h, bool bnf, bool quarter, bool p8 = false) {
  return SPECTRO_ISTFT_R16 && r16_size(h) && bnf && quarter && !p8;
}

// Points a thread of the register-FFT sizes' iSTFT kernel transforms.
__host__ __device__ constexpr int inverse_points(int h, bool bnf, bool quarter, bool p8 = false) {
  return istft_r16(h, bnf, quarter, p8) ? 16 : REG_P;
}
__host__ __device__ constexpr int inverse_frames_per_block(int h, bool bnf, bool quarter, bool p8 = false) {
  return istft_r16(h, bnf, quarter, p8)      ? 4
         : h == 1024 && bnf && quarter ? SPECTRO_ISTFT_FPB_2048_BNF
                                       : forward_frames_per_block(h);
}
__host__ __device__ constexpr int inverse_threads(int h, bool bnf, bool quarter, bool p8 = false) {
  return reg_fft_size(h) ? inverse_frames_per_block(h, bnf, quarter, p8) * (h / inverse_points(h, bnf, quarter, p8))
                         : forward_threads(h);
}
// Blocks per multiprocessor the n_fft 400 (P10) iSTFT kernel's registers are capped for.
#ifndef SPECTRO_P10_ISTFT_MIN_BLOCKS
#define SPECTRO_P10_ISTFT_MIN_BLOCKS 3
#endif

// Adds a sample pair to global memory (one vector atomic on sm_90).
__device__ __forceinline__ void atomic_add_pair(float2 *p, float2 v) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  atomicAdd(p, v);
#else
  atomicAdd(&p->x, v.x);
  atomicAdd(&p->y, v.y);
#endif
}

// ---- Bulk tensor copies (TMA, sm_90) of a [batch][bins][frames] spectrum.
// The quarter-hop kernel's rounds read their raw spectra this way when the
// host could describe the spectrum: one thread asks the copy
// engine for the next round's tile of FPB frames x every bin while the block
// transforms the current round, so the loads cost no registers and their
// latency hides behind the round.  The tile lands in shared memory as rows of
// FPB frames per bin (raw[k FPB + f]), frames past the spectrum's last as
// zeros; `loads` boxes of box_bins bins each cover the bins.  (Used where
// istft_geometry.tile_bytes > 0.)
struct spec_tiles {
#if defined(__CUDACC__)
  CUtensorMap map; // dims (frames, bins, batch) of 8-byte elements, box (FPB, box_bins, 1)
#endif
  const float2 *base; // (the host emulation's copy reads the spectrum by these)
  int64_t n_frames;
  int bins, box_bins, loads;
};
// Bytes of one round's tile in shared memory.
__host__ __device__ constexpr int spec_tile_bytes(int fpb, int box_bins, int loads) {
  return fpb * box_bins * loads * (int)sizeof(float2);
}
// Bins per box for a spectrum of `bins` bins, fpb frames per row: boxes of
// at most 256 rows (the copy engine's limit), each a multiple of 128 bytes.
__host__ __device__ constexpr int spec_tile_box_bins(int bins, int fpb) {
  const int loads = (bins + 255) / 256, per = (bins + loads - 1) / loads, q = fpb * 8 >= 128 ? 1 : 128 / (fpb * 8);
  return (per + q - 1) / q * q;
}
// Boxes (copies) per tile.
__host__ __device__ constexpr int spec_tile_loads(int bins, int box_bins) { return (bins + box_bins - 1) / box_bins; }

__device__ __forceinline__ unsigned smem_addr(const void *p) {
#if defined(__CUDA_ARCH__)
  return (unsigned)__cvta_generic_to_shared(p);
#else
  return (unsigned)(uintptr_t)p;
#endif
}
// The block's transaction barrier for the tile copies: set up by one thread
// before a block barrier.
__device__ __forceinline__ void tile_barrier_init(uint64_t *bar) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("mbarrier.init.shared::cta.b64 [%0], 1;" ::"r"(smem_addr(bar)) : "memory");
  asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
#else
  *bar = 0;
#endif
}
// One thread: copies frames fb .. fb + FPB - 1 of example `item` into raw,
// completing on bar.  Every thread's reads of raw's previous tile must be
// behind a block barrier.
template <int FPB>
__device__ __forceinline__ void tile_copy(const spec_tiles &t, float2 *raw, uint64_t *bar, int64_t fb, int item) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  const unsigned b = smem_addr(bar);
  asm volatile("fence.proxy.async.shared::cta;" ::: "memory"); // (the block's reads of the old tile first)
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" ::"r"(b),
               "r"(spec_tile_bytes(FPB, t.box_bins, t.loads))
               : "memory");
  for (int l = 0; l < t.loads; ++l)
    asm volatile("cp.async.bulk.tensor.3d.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1, {%2, %3, "
                 "%4}], [%5];" ::"r"(smem_addr(raw + l * t.box_bins * FPB)),
                 "l"(reinterpret_cast<uint64_t>(&t.map)), "r"((int)fb), "r"(l * t.box_bins), "r"(item), "r"(b)
                 : "memory");
#else
  for (int k = 0; k < t.loads * t.box_bins; ++k)
    for (int f = 0; f < FPB; ++f)
      raw[k * FPB + f] = k < t.bins && fb + f < t.n_frames
                             ? t.base[((int64_t)item * t.bins + k) * t.n_frames + fb + f]
                             : make_float2(0.f, 0.f);
  (void)bar;
#endif
}
// Every thread: waits for the tile copy of the given phase (0, 1, 0, ...).
__device__ __forceinline__ void tile_wait(uint64_t *bar, unsigned phase) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  unsigned done = 0;
  while (!done)
    asm volatile("{\n .reg .pred p;\n mbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\n selp.u32 %0, 1, 0, p;\n}"
                 : "=r"(done)
                 : "r"(smem_addr(bar)), "r"(phase)
                 : "memory");
#else
  (void)bar;
  (void)phase;
#endif
}
// Writes the overlap-added sum v of padded position p (r = p mod hop) to
// its output sample in o, if it has one: times the envelope's reciprocal
// (env_inv, 0 where the envelope is <= 1e-11) in the envelope's periodic
// part, else divided by the envelope summed at the ends; atomically added
// where the sample is shared with a neighbouring own block.
__device__ __forceinline__ void write_sample(float *o, const istft_geometry &g, int n, int hop, int64_t p, int r,
                                             float v, bool atomic, const float *__restrict__ env_inv,
                                             const float *__restrict__ env_period, const float *window) {
  const int64_t q = p - g.off;
  if (q < 0 || q >= g.length) return;
  float y;
  if (p >= n - 1 && p < g.n_frames * hop) {
    y = r < n ? v * __ldg(&env_inv[r]) : 0.f;
  } else {
    const float env = envelope(env_period, window, p, r, n, hop, g.n_frames);
    y = env > 1e-11f ? v / env : 0.f;
  }
  if (atomic) atomicAdd(o + q, y);
  else o[q] = y;
}

// f(std::integral_constant<int, i>) for a run-time i in [I, N) (N - 1 for
// anything past it).
template <int I, int N, class F> __device__ __forceinline__ void with_static_index(int i, F &&f) {
  if constexpr (I + 1 >= N) {
    f(std::integral_constant<int, I>{});
  } else {
    if (i == I) f(std::integral_constant<int, I>{});
    else with_static_index<I + 1, N>(i, f);
  }
}

// Quarter-hop overlap-add (own blocks, register-FFT sizes, hop = n / 4):
// the round's frames f < cnt (FFT outputs z, frame stride hp) summed by
// hop: the thread takes sample pair r2 of hops q0, q0 + QS, .. < cnt + 3
// (relative to the round's first frame, frame rel of the block), each pair
// reading the window's pairs w[k] (k = q - f) it keeps.  carry holds the
// round's last three hops for the next round (same thread: QS divides
// FPB).  Finished pairs (hops before FPB, or all in the block's last round)
// go to emit(pair index from the block's first sample, sum, envelope
// reciprocals of the pair, whether to add it atomically: bit q of
// atomic_hops, the hops shared with a neighbouring block).
// Q0 >= 0: the thread's first hop q0 known at compile time (the caller
// branches on it: whole warps share it), and FULL: a round of FPB frames
// (cnt = FPB); the frame and hop bounds then fold away
// (SPECTRO_ISTFT_OLA_STATIC: every whole round whose pairs are all in the
// envelope's periodic part, SPECTRO_ISTFT_FAST_ROUNDS below).  Nsight
// had the stretch after the transform (overlap-add, stores, the next
// round's loads) at 44% of the n_fft 2048 kernel's instructions, a sixth
// of them compares; H100, graph replay, same call (variants-13c): B8 T480k
// 51.7 -> 47.0 us, B4 T1.32M 67.9 -> 61.6, n_fft 2048 102.3 -> 92.4, B4
// T160k 14.0 -> 12.5, although the kernels now spill a few registers; the
// tile-reading instance +3% on the large n_fft 1024 rows, -8% at 2048.
#ifndef SPECTRO_ISTFT_OLA_STATIC
#define SPECTRO_ISTFT_OLA_STATIC 1
#endif
// SPECTRO_ISTFT_FAST_ROUNDS: only rounds whose every pair is in the
// output's periodic part take the compile-time version, with the short emit.
#ifndef SPECTRO_ISTFT_FAST_ROUNDS
#define SPECTRO_ISTFT_FAST_ROUNDS 1
#endif
// Hops a thread steps by in the quarter-hop overlap-add: the block's
// threads (fpb frames of h / p, p points a thread) over the h / 4 sample
// pairs of a hop.
__host__ __device__ constexpr int quarter_hop_steps(int h, int fpb, int p = REG_P) { return fpb * (h / p) / (h / 4); }
// The quarter-hop iSTFT leaves its transform's last radix-2 pass to the
// overlap-add (SPECTRO_ISTFT_DEFER_R2; fft_smem.cuh's stop_before_radix2):
// at n_fft 2048 (8 8 8 2), where that pass had been the shuffled one
// (reg_pass_shfl_radix2: with its lane selects and shuffles the stretch
// took 204 instructions a warp, 123 without; on [frames][bins] spectra the
// 16-points kernel, istft_r16, takes its place).  A thread of the overlap-add
// reads points k HP2 + r2 (k < 4) of a frame, and k, k + 2 are the two
// points of butterfly k HP2 + r2 of that pass, so it reads u as many times
// as it read the transform, and adds a complex product and two sums per
// pair.  H200, same call, autotune off (bench/results/experiments,
// twenty-first session, call A): B16 T441k graph replay 68.3 -> 66.4 us,
// eager 68.9 -> 67.4, [B, F, N] memory 81.6 -> 80.3; Nsight: 38.4M -> 36.4M
// warp instructions.  (The other sizes have no last radix-2 pass.)
#ifndef SPECTRO_ISTFT_DEFER_R2
#define SPECTRO_ISTFT_DEFER_R2 1
#endif
__host__ __device__ constexpr bool istft_defer_r2(int h) {
  return SPECTRO_ISTFT_DEFER_R2 && REG_P == 8 && h == 1024; // (8 8 8 2: the one register size ending in radix 2)
}
// With the last pass deferred, the quarter-hop kernel's buffers keep their
// roles from round to round: a takes the points (paired_points::store) and
// the second pass's output, b the first and third passes' (and u).  The
// second pass (radix 8 after 8 points) writes rows 8 apart from bases 64
// apart, which PADH's one slot in 16 puts 4 banks apart: two wavefronts
// more a store (Nsight: that stretch 1.5x its ideal).  SPECTRO_ISTFT_PAD2: a
// with two slots in 16 (PADH<H, 2>), which puts them 8 banks apart; both
// buffers take its frame stride (istft_frame_stride).  The same holds
// wherever the transform runs an odd number of passes (n_fft 512 and 1024:
// 8 8 4 and 8 8 8), not at n_fft 4096 (8 8 8 4: the buffers take turns).
// H200, graph replay, same call, autotune off (bench/results/experiments,
// twenty-first session, calls B and C; against SPECTRO_ISTFT_PAD2 0): n_fft
// 2048 B16 T441k 66.0 -> 63.6 us and 65.8 -> 63.6, B8 T480k 37.8 -> 36.8,
// B4 T1.32M 47.6 -> 46.3; the small rows within 1%.
#ifndef SPECTRO_ISTFT_PAD2
#define SPECTRO_ISTFT_PAD2 1
#endif
__host__ __device__ constexpr bool istft_pad2(int h, bool quarter) {
  return SPECTRO_ISTFT_PAD2 && quarter && REG_P == 8 && (h == 256 || h == 512 || istft_defer_r2(h));
}
// Frame stride of the iSTFT kernel's buffers (padded_frame, or with two
// pad slots in 16, istft_pad2; congruent to 16 / fpb mod 16 either way).
// (istft_r16: r16_frame(h), unpadded: see r16_transform, whose second
// buffer reaches (h/16 - 1) + (h/16 + 1) 15 + 1 = h + 15 values)
__host__ __device__ constexpr int r16_frame(int h) { return h + 16; }
__host__ __device__ constexpr int istft_frame_stride(int h, int fpb, bool quarter, bool bnf = false, bool p8 = false) {
  return istft_r16(h, bnf, quarter, p8) ? r16_frame(h) : padded_frame(h, fpb, istft_pad2(h, quarter) ? 2 : 1);
}
// DEF = 2: z holds u, the transform before its last radix-2 pass
// (stop_before_radix2; tw2 that pass's twiddles, w_b at tw2[b] for b <
// h/2), not the transform.  DEF = 4 (istft_r16, P = 16 points a thread):
// z holds u, the transform before its last radix-4 pass, unpadded (U_j[b]
// at j h/4 + b, r16_transform; tw2 = W^(j b) at tw2[4 b + j]).
template <int H, int FPB, int Q0 = -1, bool FULL = false, int DEF = 0, int P = REG_P, class Emit>
__device__ __forceinline__ void quarter_hop_ola(const float2 *z, int hp, int cnt, int rel, bool last,
                                                unsigned atomic_hops, float2 *carry,
                                                const float2 *__restrict__ iwin2, const float2 *__restrict__ env_inv2,
                                                const float2 *__restrict__ tw2, Emit emit) {
  constexpr int HP2 = H / 4, QS = quarter_hop_steps(H, FPB, P); // sample pairs per hop, hops per thread step
  constexpr bool R2 = DEF == 2, R4 = DEF == 4;
  static_assert(FPB % QS == 0, "the carried hops must stay with their thread");
  static_assert(reg_fft_size(H) && HP2 % 16 == 0, "zq's offsets assume PADH's one pad per 16 values");
  static_assert(Q0 < QS, "the first hop of a thread step");
  static_assert(!R2 || (QS == 1 || QS == 2), "a thread reads both points of each butterfly it needs");
  static_assert(!R4 || QS == 1, "a thread does the radix-4 butterfly of its r2 in every frame");
  if constexpr (FULL) cnt = FPB;
  const int r2 = threadIdx.x % HP2, q0 = Q0 >= 0 ? Q0 : (int)threadIdx.x / HP2;
  float2 w[4];
#pragma unroll
  for (int k = 0; k < 4; ++k) w[k] = __ldg(&iwin2[k * HP2 + r2]);
  const float2 ei = __ldg(&env_inv2[r2]); // (positions p0 + q hop + 2 r2: p0 is a multiple of hop)
  // R2: points k HP2 + r2 and (k + 2) HP2 + r2 (k < 2) of a frame from u:
  // the radix-2 butterfly k HP2 + r2 (twiddle_row<2>, butterfly<2>: the
  // pass's own arithmetic)
  [[maybe_unused]] float2 t2[2] = {make_float2(0.f, 0.f), make_float2(0.f, 0.f)}; // (set where R2)
  if constexpr (R2) {
    t2[0] = __ldg(&tw2[r2]);
    t2[1] = __ldg(&tw2[HP2 + r2]);
  }
  auto r2_pair = [&](int f, int k, float2 (&y)[2]) { // (k < 2)
    const float2 *uf = z + f * hp + PADH<H>(r2);
    y[0] = uf[k * (HP2 + HP2 / 16)];
    y[1] = uf[(k + 2) * (HP2 + HP2 / 16)];
    y[1] = twiddle_mul(y[1], k ? t2[1] : t2[0], 1.f);
    butterfly<2>(y, 1.f);
  };
  // R4: points k HP2 + r2 (k < 4) of a frame from u: the radix-4
  // butterfly r2 of the last pass (twiddles W^(j r2), j < 4)
  [[maybe_unused]] float2 t4[4];
  if constexpr (R4) {
    const float4 *t = reinterpret_cast<const float4 *>(tw2 + 4 * r2);
    const float4 p0 = __ldg(t), p1 = __ldg(t + 1);
    t4[1] = make_float2(p0.z, p0.w);
    t4[2] = make_float2(p1.x, p1.y);
    t4[3] = make_float2(p1.z, p1.w);
  }
  auto r4_frame = [&](int f, float2(&y)[4]) {
    const float2 *uf = z + f * hp + r2;
#pragma unroll
    for (int j = 0; j < 4; ++j) y[j] = uf[j * HP2];
#pragma unroll
    for (int j = 1; j < 4; ++j) y[j] = twiddle_mul(y[j], t4[j], 1.f);
    butterfly<4>(y, 1.f);
  };
  // a whole round at compile-time hops: every point the thread reads, first
  [[maybe_unused]] float2 zz[FPB][4];
  if constexpr (R4 && FULL && Q0 >= 0) {
#pragma unroll
    for (int f = 0; f < FPB; ++f) r4_frame(f, zz[f]);
  }
  if constexpr (R2 && FULL && Q0 >= 0) {
#pragma unroll
    for (int f = 0; f < FPB; ++f)
#pragma unroll
      for (int k = 0; k < 2; ++k)
        if (QS == 1 || ((f + k - Q0) % QS + QS) % QS == 0) { // (the thread's hops are q0 + i QS; q = f + k)
          float2 y[2];
          r2_pair(f, k, y);
          zz[f][k] = y[0];
          zz[f][k + 2] = y[1];
        }
  }
  // (the run-time version is not unrolled: it serves short last rounds and
  // the rounds that reach the output's ends, in the first and last blocks and
  // in blocks past a shortened length; copies of its emit would crowd the
  // instruction cache)
  [[maybe_unused]] constexpr int UNROLL = Q0 >= 0 || !SPECTRO_ISTFT_FAST_ROUNDS ? FPB + 3 : 1;
#pragma unroll(UNROLL)
  for (int q = q0; q < FPB + 3; q += QS) {
    if (q >= cnt + 3) break;
    float2 s = rel > 0 && q < 3 ? carry[q * HP2 + r2] : make_float2(0.f, 0.f);
    // frame q - k's point k HP2 + r2: PADH of it is k (HP2 + HP2 / 16) +
    // PADH(r2) (HP2 a multiple of 16), so the k loads are constant offsets
    // from zq
    const float2 *zq = z + q * hp + PADH<H>(r2);
#pragma unroll
    for (int k = 0; k < 4; ++k) {
      const int f = q - k;
      if (f >= 0 && f < cnt) {
        float2 v;
        if constexpr (!R2 && !R4) {
          v = zq[k * (HP2 + HP2 / 16 - hp)];
        } else if constexpr (FULL && Q0 >= 0) {
          v = zz[f][k];
        } else if constexpr (R4) {
          float2 y[4];
          r4_frame(f, y);
          v = y[k];
        } else {
          float2 y[2];
          r2_pair(f, k & 1, y);
          v = k < 2 ? y[0] : y[1];
        }
        s.x += v.x * w[k].x;
        s.y += v.y * w[k].y;
      }
    }
    if (q >= FPB && !last) carry[(q - FPB) * HP2 + r2] = s;
    else emit((rel + q) * HP2 + r2, s, ei, (atomic_hops >> q & 1u) != 0);
  }
}

// The quarter-hop iSTFT's loads of [frames][bins] spectra
// (paired_points::load) as streaming loads (ld.global.cs: each value is
// read once) where the call's spectrum and output together exceed the L2
// cache (istft_geometry.stream_loads, cuda_stft_inverse; 0 turns them off):
// H100, graph replay, same call (variants-15d, every call streaming): B8
// T480k 41.9 -> 39.9 us, B4 T1.32M 56.3 -> 54.1, n_fft 2048 82.4 -> 80.9,
// but B8 T160k (25 MB, kept in L2 from one call to the next) 17.3 -> 19.4.
// (Streaming output stores: n_fft 2048 82.4 -> 85.2, the others within 1%;
// not taken.)
#ifndef SPECTRO_ISTFT_STREAM_LOADS
#define SPECTRO_ISTFT_STREAM_LOADS 1
#endif
__device__ __forceinline__ float2 ldg_spec(const float2 *p, bool streaming) {
  return streaming ? __ldcs(p) : __ldg(p);
}

// The register-FFT sizes' spectrum staging by bin pairs, P points a thread
// (TPF = h / P threads a frame): thread (f, kk) (f fastest for
// [bins][frames] spectra: rows of FPB frames; kk fastest for
// [frames][bins]) reads bins kk + i TPF and their mirrors h - kk - i TPF =
// m + (P - 1 - i) TPF, m = TPF - kk (i < P / 2; kk = 0 also bin P / 2 TPF,
// its own mirror), every load in flight before the first use (load), and
// writes the P points of the half-length transform they give (Z_k and
// Z_{h-k}; not Z_h) into frame f of a buffer (store); the thread of class m
// does the other half of the two classes (kk = TPF / 2: its own mirror).
template <int H, int FPB, bool BNF, int P = REG_P> struct paired_points {
  static constexpr int TPF = H / P, PH = P / 2;
  const int f = BNF ? threadIdx.x / TPF : threadIdx.x % FPB, kk = BNF ? threadIdx.x % TPF : threadIdx.x / FPB;
  float2 xa[PH], xb[PH], xm;
  // frames rel .. rel + cnt - 1 from sb, a pointer to a frame of an
  // example's spectrum (n_frames frames; the block's first frame, so that
  // the offsets of [frames][bins] spectra fit 32 bits: a round's 64-bit
  // frame products took about 25 instructions a warp at n_fft 2048, SASS).
  // A thread of a frame past them (f >= cnt) reads the last one
  // again: its points are never overlap-added (only frames f < cnt are), and
  // the loads need no predicate (predicated, each load had its own 64-bit
  // address arithmetic: about 20 instructions a load at n_fft 1024).
  __device__ __forceinline__ void load(const float2 *__restrict__ sb, int64_t n_frames, int rel, int cnt,
                                       bool streaming) {
    const int fi = rel + min(f, cnt - 1);
    if constexpr (BNF) {
      // bins kk + i TPF, h - kk - i TPF (kk = 0: also bin 4 TPF)
      const float2 *pa = sb + (fi * (H + 1) + kk), *pb = pa + (P * TPF - 2 * kk);
#pragma unroll
      for (int i = 0; i < PH; ++i) {
        xa[i] = ldg_spec(pa + i * TPF, streaming);
        xb[i] = ldg_spec(pb - i * TPF, streaming);
      }
      xm = kk == 0 ? ldg_spec(pa + PH * TPF, streaming) : make_float2(0.f, 0.f);
    } else {
      const float2 *fr = sb + fi;
      const int64_t row = (int64_t)TPF * n_frames;
      const float2 *pa = fr + kk * n_frames, *pb = fr + (P * TPF - kk) * n_frames;
#pragma unroll
      for (int i = 0; i < PH; ++i) {
        xa[i] = ldg_spec(pa, streaming);
        xb[i] = ldg_spec(pb, streaming);
        pa += row;
        pb -= row;
      }
      xm = kk == 0 ? ldg_spec(fr + PH * TPF * n_frames, streaming) : make_float2(0.f, 0.f);
    }
  }
  // the same from a round's tile in shared memory (tile_copy: raw[k FPB +
  // f]; [bins][frames] spectra only)
  __device__ __forceinline__ void load_tile(const float2 *raw, int cnt) {
    static_assert(!BNF, "tiles of [bins][frames] spectra");
    const int m = TPF - kk;
    const bool live = f < cnt;
#pragma unroll
    for (int i = 0; i < PH; ++i) {
      xa[i] = live ? raw[(kk + i * TPF) * FPB + f] : make_float2(0.f, 0.f);
      xb[i] = live ? raw[(m + (P - 1 - i) * TPF) * FPB + f] : make_float2(0.f, 0.f);
    }
    xm = kk == 0 && live ? raw[PH * TPF * FPB + f] : make_float2(0.f, 0.f);
  }
  // into buf (frame stride hp, PADH<H, G> layout; G = 0: unpadded)
  template <int G = 1> __device__ __forceinline__ void store(float2 *buf, int hp, const float2 *__restrict__ rtw) const {
    // points kk + i TPF and H - kk - i TPF = (TPF - kk) + (7 - i) TPF as two
    // addresses and constant offsets (padh_split; TPF a multiple of 16)
    float2 *zf = buf + f * hp, *za = zf + PADH<H, G>(kk), *zb = zf + PADH<H, G>(TPF - kk);
    const float2 *rk = rtw + kk;
#pragma unroll
    for (int i = 0; i < PH; ++i) {
      const float2 w = __ldg(&rk[i * TPF]);
      if (i == 0 && kk == 0) { // DC and Nyquist are real; Z_h is not a point
        zf[0] = inverse_pair(make_float2(xa[0].x, 0.f), make_float2(xb[0].x, 0.f), w);
        continue;
      }
      inverse_pair2(xa[i], xb[i], w, za[PADH<H, G>(i * TPF)], zb[PADH<H, G>((P - 1 - i) * TPF)]);
    }
    if (kk == 0) zf[PADH<H, G>(PH * TPF)] = inverse_pair(xm, xm, __ldg(&rtw[PH * TPF]));
  }
};

// The quarter-hop iSTFT's half-length transform at h = 1024 with 16 points
// a thread (istft_r16; 64 threads a frame, frame f = threadIdx.x / 64):
// the inverse x[b + 256 m] = sum_j i^(j m) W1024^(j b) U_j[b] (b < 256, m <
// 4), U_j the 256-point inverse transform of Z[4 k + j]; the radix-4 step
// is left to the overlap-add (quarter_hop_ola's R4), which reads U_j[b] at
// j 256 + b.  U_j as 16 x 16: thread c = 4 n1 + j holds Z[c + 64 n2] (n2 <
// 16), a radix-16 butterfly over n2 gives b1, times W256^(n1 b1) (t256:
// fft_smem.cuh's r16_tw_offset), into o at c + 65 b1; then thread (j, b1)
// = (c / 16, c % 16) reads n1 < 16 there, a radix-16 butterfly gives b2:
// U_j[b1 + 16 b2].  t256 is istft_kernel's copy of the table in shared
// memory (one 128-byte row a warp).  H = 512 likewise, see below.
// Unpadded frames of r16_frame(H) values: every access is a run of 16
// consecutive values a half-warp, or (reading o) 16 values 65 apart, all
// on distinct banks.  in: the points (unpadded, frame stride hp); returns
// in, holding U, after a block barrier; o (the other buffer) is then free.
template <int H>
__device__ __forceinline__ float2 *r16_transform(float2 *in, float2 *o, int hp, const float2 *t256) {
  // (H = 512: 32 threads a frame, c = 4 n1 + j with n1 < 8; U_j has 128
  // points, 16 x 8: the second step's thread t does (j, b1) = (t / 16, t %
  // 16) and (t / 16 + 2, t % 16), two radix-8 butterflies; o at c + 33 b1)
  constexpr int TPF = H / 16, N1 = H / 64, S = TPF + 1, HQ = H / 4;
  const int f = (int)threadIdx.x / TPF, c = (int)threadIdx.x % TPF;
  float2 v[16];
  const float2 *zi = in + f * hp + c;
#pragma unroll
  for (int i = 0; i < 16; ++i) v[i] = zi[TPF * i];
  butterfly<16>(v, 1.f);
  const float4 *t = reinterpret_cast<const float4 *>(t256) + (c >> 2);
#pragma unroll
  for (int q = 0; q < 8; ++q) {
    const float4 w = t[N1 * q]; // (shared memory: istft_kernel's copy)
    if (q) v[2 * q] = twiddle_mul(v[2 * q], make_float2(w.x, w.y), 1.f);
    v[2 * q + 1] = twiddle_mul(v[2 * q + 1], make_float2(w.z, w.w), 1.f);
  }
  float2 *to = o + f * hp + c;
#pragma unroll
  for (int b1 = 0; b1 < 16; ++b1) to[S * b1] = v[b1];
  frame_sync<TPF>();
  const int j = c >> 4, b1 = c & 15;
  const float2 *ti = o + f * hp + j + S * b1;
  if constexpr (N1 == 16) {
#pragma unroll
    for (int n1 = 0; n1 < 16; ++n1) v[n1] = ti[4 * n1];
    butterfly<16>(v, 1.f);
    float2 *uo = in + f * hp + HQ * j + b1;
#pragma unroll
    for (int b2 = 0; b2 < 16; ++b2) uo[16 * b2] = v[b2];
  } else {
    static_assert(N1 == 8, "h = 512 or 1024");
    float2 u[2][8];
#pragma unroll
    for (int h2 = 0; h2 < 2; ++h2) {
#pragma unroll
      for (int n1 = 0; n1 < 8; ++n1) u[h2][n1] = ti[2 * h2 + 4 * n1];
      butterfly<8>(u[h2], 1.f);
    }
#pragma unroll
    for (int h2 = 0; h2 < 2; ++h2) {
      float2 *uo = in + f * hp + HQ * (j + 2 * h2) + b1;
#pragma unroll
      for (int b2 = 0; b2 < 8; ++b2) uo[16 * b2] = u[h2][b2];
    }
  }
  __syncthreads(); // (the overlap-add reads across frames)
  return in;
}

// Byte offset of the quarter-hop kernel's tile (TMA) in its shared memory:
// after the two frame buffers and the three carried hops, 128-byte aligned.
__host__ __device__ constexpr int istft_tile_offset(int h, int fpb) {
  return ((int)sizeof(float2) * 2 * fpb * istft_frame_stride(h, fpb, true) + (int)sizeof(float) * 3 * (h / 2) + 127) /
         128 * 128;
}

// The quarter-hop kernel on [frames][bins] spectra loads a round's spectrum
// into registers before the round before it transforms (EARLY), not after
// its overlap-add, with registers for 3 blocks per multiprocessor instead of
// 4 (80 registers): SPECTRO_ISTFT_EARLY_LOADS 1 at n_fft 2048, 2 at n_fft
// 1024 and 2048, and always in the 16-points kernel (istft_r16, whose
// registers are capped for 2 blocks instead).  H100, same call (variants-15f): n_fft 2048 graph replay
// 80.8 -> 78.1 us, eager 83.7 -> 80.6; at n_fft 1024 (2) B8 T480k 40.2 ->
// 41.1, B4 T1.32M 54.7 -> 55.2, hence 1.  (At 64 registers, loading before
// the overlap-add spilled and cost 9%; 3 blocks without the early loads
// were within 0.5%, variants-14d.)
#ifndef SPECTRO_ISTFT_EARLY_LOADS
#define SPECTRO_ISTFT_EARLY_LOADS 1
#endif
__host__ __device__ constexpr bool istft_early_loads(int h, bool bnf, bool quarter, bool tiles, bool p8 = false) {
  return bnf && quarter && !tiles &&
         (istft_r16(h, bnf, quarter, p8) || (SPECTRO_ISTFT_EARLY_LOADS >= 1 && h == 1024) ||
          (SPECTRO_ISTFT_EARLY_LOADS >= 2 && h == 512));
}
// Whether the quarter-hop iSTFT's transform loads its twiddles pinned to
// their passes (fft_smem.cuh, SPECTRO_TW_PIN): at n_fft 2048.
__host__ __device__ constexpr bool istft_tw_pin(int h) { return SPECTRO_TW_PIN && h == 1024; }
// Blocks per multiprocessor the register-FFT sizes' iSTFT kernel's registers are capped for.
__host__ __device__ constexpr int istft_min_blocks(int h, bool bnf, bool quarter, bool tiles, bool p8 = false) {
  return istft_r16(h, bnf, quarter, p8) ? (h == 512 ? SPECTRO_ISTFT_R16_BLOCKS_1024 : 2) // (121 registers: its next round's bins, istft_r16)
         : istft_early_loads(h, bnf, quarter, tiles, p8) ? 3
                                                         : 1024 / inverse_threads(h, bnf, quarter, p8);
}
// (at n_fft 1024 the 8-points kernel takes the 16-points one's frames per
// round: inverse_geometry picks the kernel before it balances the rounds
// over the kernel's block slots)
static_assert(inverse_frames_per_block(512, true, true) == inverse_frames_per_block(512, true, true, true),
              "n_fft 1024's two quarter-hop kernels on [frames][bins]");
// TILES: the quarter-hop kernel reads its rounds' spectra as tiles (tile_copy).
// SL: the spectrum read with streaming loads (ldg_spec; istft_geometry.stream_loads).
// P8: the 8-points quarter-hop kernel where a 16-points one exists (istft_r16's p8).
template <int H, int FPB, bool BNF, bool Q, bool TILES = false, bool SL = false, bool P8 = false>
__global__ void __launch_bounds__(inverse_threads(H, BNF, Q, P8), reg_fft_size(H) ? istft_min_blocks(H, BNF, Q, TILES, P8)
                                                      : p10_fft_size(H) ? SPECTRO_P10_ISTFT_MIN_BLOCKS
                                                                        : 1) istft_kernel(const float2 *__restrict__ spec, float *__restrict__ out, istft_geometry g,
                             pass_table pt, const float2 *__restrict__ tw, const float2 *__restrict__ rtw,
                             const float *__restrict__ window, const float *__restrict__ env_period,
                             const float *__restrict__ env_inv, const float *__restrict__ iwindow,
                             const __grid_constant__ spec_tiles tiles) {
  static_assert(!TILES || (Q && !BNF), "tiles: the quarter-hop kernel, [bins][frames] spectra");
  static_assert(!SL || (Q && BNF && !TILES), "streaming loads: the quarter-hop kernel on [frames][bins] spectra");
  static_assert(!P8 || (Q && BNF && H == 512), "the 8-points kernel beside the 16-points one: n_fft 1024");
  constexpr bool EARLY = istft_early_loads(H, BNF, Q, TILES, P8);
  constexpr bool layout_bnf = BNF;
  SPECTRO_DYNAMIC_SMEM(float2, smem);
  static_assert(FPB == inverse_frames_per_block(H, BNF, Q, P8), "the launch's frames per round");
  constexpr int BT = inverse_threads(H, BNF, Q, P8);
  const int h = H > 0 ? H : g.h, n = 2 * h, hop = g.hop, fpb = FPB > 0 ? FPB : g.fpb, F = h + 1,
            hp = Q ? istft_frame_stride(H, fpb, true, BNF, P8) : padded_frame(h, fpb); // (Q: H > 0)
  float2 *a = smem, *b = smem + fpb * hp;
  float *acc = reinterpret_cast<float *>(smem + 2 * fpb * hp); // span floats: the overlap-added samples
  const int64_t item = blockIdx.y;
  // own: acc holds padded positions [p0, p1) of the block's frames; else the
  // owned positions [p0, p1) and the frames touching them
  int64_t p0, p1, f_first, f_last;
  if (g.own) {
    f_first = own_first_frame(g, blockIdx.x);
    f_last = min(own_first_frame(g, (int64_t)blockIdx.x + 1), g.n_frames) - 1;
    p0 = f_first * hop;
    p1 = f_last * hop + n;
  } else {
    p0 = g.off + (int64_t)blockIdx.x * g.span;
    p1 = min(p0 + g.span, g.off + g.length);
    if (g.span_hops) {
      const int64_t x = (int64_t)blockIdx.x * g.span_hops;
      f_first = max((int64_t)0, x + g.c_first);
      f_last = min(min(x + g.c_last, g.c_end), g.n_frames - 1);
    } else {
      f_first = p0 - n + 1 <= 0 ? 0 : (p0 - n + 1 + hop - 1) / hop;
      f_last = min((p1 - 1) / hop, g.n_frames - 1);
    }
  }
  const float2 *sb = spec + item * (int64_t)F * g.n_frames;
  float *o = out + item * g.length;
  static_assert(!Q || reg_fft_size(H), "the quarter-hop kernel is for the register-FFT sizes");
  // Q (a quarter-hop call, istft_geometry.quarter): acc holds the carried
  // hops only, every sample is written in the rounds (quarter_hop_ola).
  // Its sample pairs m (positions p0 + 2m, p0 + 2m + 1) in [fast_lo,
  // fast_hi) have both samples in the output and in the envelope's periodic
  // part (every pair of an interior block)
  int fast_lo = 0, fast_hi = 0;
  if constexpr (Q) {
    const int64_t lo = max(max(g.off, (int64_t)n - 1), p0) - p0,
                  hi = min(min(g.off + g.length, g.n_frames * hop), p1) - p0;
    fast_lo = (int)((lo + 1) >> 1);
    fast_hi = hi > 0 ? (int)(hi >> 1) : 0;
  }
  const bool shared_head = blockIdx.x > 0, shared_tail = (int64_t)blockIdx.x + 1 < g.blocks;
  if (!Q)
    for (int i = threadIdx.x; i < g.span; i += BT) acc[i] = 0.f;
  if constexpr (Q) {
    // Rounds of FPB frames: the points of a round go into the buffer its
    // predecessor's transform did not end in (in), its transform ends in z;
    // one block barrier per round besides the transform's
    // R16 (istft_r16): 16 points a thread, r16_transform
    constexpr bool R16 = istft_r16(H, BNF, true, P8);
    constexpr int PP = inverse_points(H, BNF, true, P8);
    paired_points<H, FPB, BNF, PP> pp;
    const float2 *sbb = sb + (BNF ? f_first * F : f_first); // (the block's first frame)
    float2 *raw = nullptr;
    uint64_t *bar = nullptr;
    unsigned phase = 0;
    if constexpr (TILES) {
      raw = reinterpret_cast<float2 *>(reinterpret_cast<char *>(smem) + istft_tile_offset(H, FPB));
      bar = reinterpret_cast<uint64_t *>(reinterpret_cast<char *>(raw) +
                                         spec_tile_bytes(FPB, tiles.box_bins, tiles.loads));
      if (threadIdx.x == 0) {
        tile_barrier_init(bar);
        tile_copy<FPB>(tiles, raw, bar, f_first, (int)item);
      }
      __syncthreads();
      tile_wait(bar, phase);
      phase ^= 1;
      pp.load_tile(raw, (int)min((int64_t)FPB, f_last - f_first + 1));
    } else {
      pp.load(sbb, g.n_frames, 0, (int)min((int64_t)FPB, f_last - f_first + 1), SL);
    }
    // GA: a's pad (istft_pad2: a always holds the points; else a and b take turns)
    // (R16: unpadded, 0)
    constexpr int GA = R16 ? 0 : istft_pad2(H, true) ? 2 : 1;
    float2 *in = a;
    pp.template store<GA>(in, hp, rtw);
    // R16: r16_transform's first twiddle table (r16_tw1(H) values) copied
    // into shared memory after acc (Nsight: from global memory its first use
    // had drawn 10% of the kernel's stall samples, long scoreboard)
    [[maybe_unused]] float2 *t256 = reinterpret_cast<float2 *>(acc + 3 * (H / 2));
    if constexpr (R16)
      for (int i = threadIdx.x; i < r16_tw1(H); i += BT) t256[i] = __ldg(&tw[r16_tw_offset(H) + i]);
    constexpr int TPF = H / REG_P;
    constexpr bool R2 = !R16 && istft_defer_r2(H);
    // (R2: the last radix-2 pass's twiddles, w_b for b < h/2; R16: the last
    // radix-4 pass's, W^(j b) at [4 b + j])
    [[maybe_unused]] const float2 *tw2 = R2    ? tw + points_tw_offset<REG_P>(H, H / 2)
                                         : R16 ? tw + r16_tw_offset(H) + r16_tw1(H)
                                               : nullptr;
    const int f = reg_frame<H>(), j = reg_lane<H>();
    float2 *ob = reinterpret_cast<float2 *>(o + (p0 - g.off)); // (8-byte aligned; used from fast_lo on)
    // the rounds counted in 32 bits from the block's first frame (the
    // bounds, in 64 bits, were recomputed every round: about 60 of a
    // round's 900 instructions a warp at n_fft 2048, SASS)
    const int nf = (int)(f_last - f_first + 1); // (g.kf at most: own blocks)
    // bit r: round r (frames r FPB .. r FPB + FPB - 1 of the block) is whole
    // and, with SPECTRO_ISTFT_FAST_ROUNDS, every pair it finishes or carries
    // is fast (rel HP2 >= fast_lo, (rel + FPB + 3) HP2 <= fast_hi): the
    // compile-time overlap-add below.  One register across the rounds (the
    // compiler had recomputed fast_lo and fast_hi from 64-bit values in each).
    unsigned fast_rounds = 0;
    {
      constexpr int RP = FPB * (H / 4); // sample pairs a round advances
      const int top = fast_hi / (H / 4) - FPB - 3;
      int r_lo = SPECTRO_ISTFT_FAST_ROUNDS ? (fast_lo + RP - 1) / RP : 0,
          r_hi = min(SPECTRO_ISTFT_FAST_ROUNDS ? (top < 0 ? -1 : top / FPB) : nf, nf / FPB - 1);
      if (r_hi > 31) r_hi = 31;
      if (SPECTRO_ISTFT_OLA_STATIC && r_lo <= r_hi)
        fast_rounds = (r_hi == 31 ? ~0u : (2u << r_hi) - 1u) & ~((1u << r_lo) - 1u);
    }
    for (int rel = 0; rel < nf; rel += FPB) {
      const int64_t fb = f_first + rel;
      const int cnt = min(FPB, nf - rel);
      __syncthreads(); // in holds the round's points; the last round's overlap-add is done with its z
      if constexpr (TILES) // (raw was read before the barrier) the next round's tile, while this one runs
        if (threadIdx.x == 0 && rel + FPB < nf) tile_copy<FPB>(tiles, raw, bar, fb + FPB, (int)item);
      const bool more = rel + FPB < nf;
      const int next = more ? min(FPB, nf - rel - FPB) : 0; // the next round's frames
      float2 *z;
      if constexpr (R16) { // (ends with a block barrier; z holds u, r16_transform)
        if constexpr (EARLY) // (always: the next round's spectrum, in flight during the transform)
          if (more) pp.load(sbb, g.n_frames, rel + FPB, next, SL);
        z = r16_transform<H>(in, in == a ? b : a, hp, t256);
      } else {
        float2 v[REG_P];
        const float2 *inj = in + f * hp + PADH<H, GA>(j); // (padh_split)
#pragma unroll
        for (int i = 0; i < REG_P; ++i) v[i] = inj[PADH<H, GA>(i * TPF)];
        if constexpr (EARLY) // the next round's spectrum, in flight during this round's transform
          if (more) pp.load(sbb, g.n_frames, rel + FPB, next, SL);
        // (ends with a block barrier; R2: z holds u, stop_before_radix2)
        using Last = std::conditional_t<R2, stop_before_radix2, no_last_pass>;
        z = reg_passes<H, 1, Last, REG_P, istft_tw_pin(H), 1, GA>(v, in == a ? b : a, in, f * hp, j, tw, 1.f);
      }
      if (rel == 0) pdl_wait(); // (the edges are cleared before the first output write)
      constexpr int HP2 = H / 4, QS = quarter_hop_steps(H, FPB, PP);
      // bit q: the round's hop q is shared with a neighbouring block, added
      // atomically: the block's first three hops (rel + q < 3) where a block
      // precedes it, its last round's carried hops (q >= cnt) where one
      // follows (made once a round: per pair, the test had cost a dozen
      // instructions of each emit, SASS)
      unsigned atomic_hops = shared_head && rel < 3 ? (1u << (3 - rel)) - 1u : 0u;
      if (!more && shared_tail) atomic_hops |= ((1u << (cnt + 3)) - 1u) & ~((1u << max(cnt, 3 - rel)) - 1u);
      auto ola = [&](auto q0c, auto fullc, auto emit) {
        quarter_hop_ola<H, FPB, decltype(q0c)::value, decltype(fullc)::value, R16 ? 4 : R2 ? 2 : 0, PP>(
            z, hp, cnt, rel, !more, atomic_hops, reinterpret_cast<float2 *>(acc),
            reinterpret_cast<const float2 *>(iwindow), reinterpret_cast<const float2 *>(env_inv), tw2, emit);
      };
      // a pair in [fast_lo, fast_hi): scaled by the reciprocal envelope, stored (added on shared hops)
      auto fast_emit = [&](int m, float2 s, float2 ei, bool atomic) {
        const float2 v = make_float2(s.x * ei.x, s.y * ei.y);
        if (atomic) atomic_add_pair(ob + m, v);
        else ob[m] = v;
      };
      // A whole round whose pairs (rel HP2 .. (rel + FPB + 3) HP2) are all
      // fast: the thread's hops at compile time and the short emit above.
      // Other rounds (a short last round, the ends of the output) take the
      // run-time loop and the emit that handles every pair: kept out of the
      // compile-time copies, whose code Nsight had stalling on instruction
      // fetch (no_inst, a quarter of that stretch's samples at n_fft 1024;
      // the kernel's code is a third of what it was).  H100, graph replay,
      // same call (variants-14a, with the unpredicated loads of
      // paired_points::load): B8 T480k 46.7 -> 41.2 us, B4 T1.32M 61.4 ->
      // 55.0, n_fft 2048 91.5 -> 89.5 (the loads alone: 45.4, 59.4, 88.0).
      //
      // any pair: the fast ones as above, those at the first and last blocks' ends sample by sample
      auto full_emit = [&](int m, float2 s, float2 ei, bool atomic) {
        if (m >= fast_lo && m < fast_hi) return fast_emit(m, s, ei, atomic);
        write_sample(o, g, n, hop, p0 + 2 * m, (2 * m) % (H / 2), s.x, atomic, env_inv, env_period, window);
        write_sample(o, g, n, hop, p0 + 2 * m + 1, (2 * m + 1) % (H / 2), s.y, atomic, env_inv, env_period,
                     window);
      };
      if (rel / FPB < 32 && (fast_rounds >> (rel / FPB) & 1u)) {
        // (a round with no shared hop, every round but a block's first and
        // last: the plain stores without the atomic's branch, R16 only)
        auto plain_emit = [&](int m, float2 s, float2 ei, bool) { ob[m] = make_float2(s.x * ei.x, s.y * ei.y); };
        with_static_index<0, QS>((int)threadIdx.x / HP2, [&](auto q0c) {
          if constexpr (R16 && SPECTRO_ISTFT_FAST_ROUNDS) {
            if (atomic_hops == 0) ola(q0c, std::true_type{}, plain_emit);
            else ola(q0c, std::true_type{}, fast_emit);
          } else if constexpr (SPECTRO_ISTFT_FAST_ROUNDS) {
            ola(q0c, std::true_type{}, fast_emit);
          } else {
            ola(q0c, std::true_type{}, full_emit);
          }
        });
      } else {
        ola(std::integral_constant<int, -1>{}, std::false_type{}, full_emit);
      }
      if (more) { // the next round's points (loaded here unless EARLY)
        if constexpr (TILES) {
          tile_wait(bar, phase);
          phase ^= 1;
          pp.load_tile(raw, next);
        } else if constexpr (!EARLY) {
          pp.load(sbb, g.n_frames, rel + FPB, next, SL);
        }
        in = z == a ? b : a; // (nobody reads it: the transform is done, the overlap-add reads z; R2: a; R16: the other)
        pp.template store<GA>(in, hp, rtw);
      }
    }
    if (!shared_tail) // past the last frame (length beyond it): zeros
      for (int64_t q = p1 - g.off + threadIdx.x; q < g.length; q += BT) o[q] = 0.f;
    return;
  }
  // every frame's sample pairs line up with the block's (even hop, even
  // offset, even span): the overlap-add takes two samples per read
  const bool pairs = hop % 2 == 0 && (g.own || (g.off % 2 == 0 && g.span % 2 == 0));
  for (int64_t fb = f_first; fb <= f_last; fb += fpb) {
    __syncthreads(); // acc zeroed / previous batch consumed
    int cnt = (int)min((int64_t)fpb, f_last - fb + 1);
    // the round's spectra, each value read from memory once and in rows:
    // the register-FFT sizes' half-length transform points into a, the
    // other sizes' bins 0..h into b (free until the FFT's first pass)
    if constexpr (reg_fft_size(H)) { // (into a: the half-length transform's points, paired_points)
      paired_points<H, FPB, BNF> pp;
      pp.load(sb + (layout_bnf ? fb * F : fb), g.n_frames, 0, cnt, SL);
      pp.store(a, hp, rtw);
    } else for (int idx = threadIdx.x; idx < fpb * F; idx += BT) {
      int f, k;
      if (layout_bnf) {
        f = idx / F;
        k = idx - f * F;
      } else {
        k = idx / fpb;
        f = idx - k * fpb;
      }
      float2 x = make_float2(0.f, 0.f);
      if (f < cnt) x = layout_bnf ? __ldg(&sb[(fb + f) * F + k]) : __ldg(&sb[(int64_t)k * g.n_frames + fb + f]);
      b[f * hp + k] = x;
    }
    __syncthreads();
    float2 *z;
    if constexpr (reg_fft_size(H) || p10_fft_size(H)) {
      // the pre-processed points go straight into the first pass's registers
      // (8 points per thread, or 10 for n_fft 400's P10 FFT)
      constexpr int P = p10_fft_size(H) ? P10 : REG_P, TPF = H / P;
      const int f = reg_frame<H, P>(), j = reg_lane<H, P>();
      float2 v[P];
      if constexpr (reg_fft_size(H)) { // the points are in a
        const float2 *aj = a + f * hp + PADH<H>(j); // (padh_split)
#pragma unroll
        for (int i = 0; i < P; ++i) v[i] = aj[PADH<H>(i * TPF)];
        z = reg_passes<H, 1>(v, b, a, f * hp, j, tw, 1.f); // (the first pass writes b: a is still being read)
      } else {
#pragma unroll
        for (int i = 0; i < P; ++i) v[i] = inverse_point(b + f * hp, j + i * TPF, H, rtw);
        z = reg_passes<H, 1>(v, a, b, f * hp, j, tw, 1.f); // (the first pass writes a: b is still being read)
      }
    } else {
      for (int idx = threadIdx.x; idx < fpb * h; idx += BT) {
        const int f = idx / h, k = idx - f * h;
        a[f * hp + PADH<H>(k)] = inverse_point(b + f * hp, k, h, rtw);
      }
      __syncthreads();
      if constexpr (H > 0) z = fft_static<H, FPB, 1>(a, b, tw, 1.f);
      else z = fft_shared(a, b, h, fpb, pt, tw, 1.f);
    }
    // overlap-add: each owned sample sums its frames of this batch in order;
    // frame f's sample j is the real (j even) or imaginary part of z_{j/2}
    const int base = (int)(p0 - fb * hop); // sample i of this block is sample base + i of frame fb
    // only the samples this batch of frames reaches
    const int i_lo = (int)max((int64_t)0, fb * hop - p0);
    const int i_hi = (int)min(p1 - p0, (fb + cnt - 1) * hop + n - p0);
    if (pairs) { // samples 2m, 2m + 1 of the block are z_{m'} of every frame: one read per pair
      float2 *acc2 = reinterpret_cast<float2 *>(acc);
      const float2 *w2 = reinterpret_cast<const float2 *>(iwindow);
      for (int m = (i_lo >> 1) + threadIdx.x; 2 * m < i_hi; m += BT) {
        float2 s = acc2[m];
        int j = base + 2 * m;
#pragma unroll
        for (int f = 0; f < (FPB > 0 ? FPB : 8); ++f, j -= hop) {
          if (f < cnt && j >= 0 && j < n) {
            const float2 v = z[f * hp + PADH<H>(j >> 1)], w = __ldg(&w2[j >> 1]);
            s.x += v.x * w.x;
            s.y += v.y * w.y;
          }
        }
        acc2[m] = s;
      }
    } else {
      for (int i = i_lo + threadIdx.x; i < i_hi; i += BT) {
        float s = acc[i];
        int j = base + i;
#pragma unroll
        for (int f = 0; f < (FPB > 0 ? FPB : 8); ++f, j -= hop) {
          if (f < cnt && j >= 0 && j < n) {
            const float2 v = z[f * hp + PADH<H>(j >> 1)];
            const float w = __ldg(&iwindow[j]);
            s += ((j & 1) ? v.y : v.x) * w;
          }
        }
        acc[i] = s;
      }
    }
  }
  __syncthreads();
  pdl_wait(); // (the edges are cleared before the first output write)
  // divide by the window envelope (the inverse's 1 / (n forward_scale) is
  // in iwindow)
  if (g.own) {
    // acc[i] is padded position p0 + i, output sample p0 + i - off; p0 is a
    // multiple of hop, so p mod hop = i mod hop (stepped, not divided).
    // Shared with the previous block: i < n - hop; with the next: i >= (its
    // frames) hop (atomically added onto the zeros istft_zero_edges wrote)
    const int A = (int)(p1 - p0), head = shared_head ? n - hop : 0;
    const int tail = shared_tail ? (int)(f_last - f_first + 1) * hop : A;
    const int step = BT % hop;
    int r = (int)threadIdx.x % hop;
    for (int i = threadIdx.x; i < A; i += BT) {
      write_sample(o, g, n, hop, p0 + i, r, acc[i], i < head || i >= tail, env_inv, env_period, window);
      r += step;
      if (r >= hop) r -= hop;
    }
    if (!shared_tail) // past the last frame (length beyond it): zeros
      for (int64_t q = p1 - g.off + threadIdx.x; q < g.length; q += BT) o[q] = 0.f;
    return;
  }
  const int r0 = g.span_hops ? g.r0 : (int)(p0 % hop);
  if (p0 >= n - 1 && p1 <= g.n_frames * hop && p1 <= g.full) {
    // every owned sample in the periodic part of the envelope (the usual
    // block): r = p mod hop stepped instead of divided, no search for the
    // frames near the ends (6-7% off the n_fft 1024 iSTFT on an H100)
    const int step = BT % hop;
    int r = (r0 + (int)threadIdx.x) % hop;
    for (int i = threadIdx.x; i < (int)(p1 - p0); i += BT) {
      o[p0 + i - g.off] = r < n ? acc[i] * __ldg(&env_inv[r]) : 0.f; // (env_inv: 0 where the envelope is <= 1e-11)
      r += step;
      if (r >= hop) r -= hop;
    }
    return;
  }
  for (int i = threadIdx.x; i < (int)(p1 - p0); i += BT) {
    const int64_t p = p0 + i;
    float v = 0.f;
    if (p < g.full) {
      const float env = envelope(env_period, window, p, (r0 + i) % hop, n, hop, g.n_frames);
      v = env > 1e-11f ? acc[i] / env : 0.f;
    }
    o[p - g.off] = v;
  }
}

// Zeros the samples the own-frame iSTFT blocks share (atomically added):
// the n - hop padded positions from x kf hop for x = 1 .. blocks - 1 (grid:
// blocks - 1 by batch).
__global__ void istft_zero_edges(float *__restrict__ out, istft_geometry g) {
  pdl_launch_dependents(); // (the iSTFT kernel may start; it waits for this grid before writing)
  const int64_t p = own_first_frame(g, (int64_t)blockIdx.x + 1) * g.hop;
  float *o = out + (int64_t)blockIdx.y * g.length;
  for (int i = threadIdx.x; i < g.n - g.hop; i += blockDim.x) {
    const int64_t q = p + i - g.off;
    if (q >= 0 && q < g.length) o[q] = 0.f;
  }
}

// 1: quarter-hop calls overlap-add by hops (istft_geometry.quarter).
#ifndef SPECTRO_ISTFT_QUARTER
#define SPECTRO_ISTFT_QUARTER 1
#endif

// Whether an iSTFT launch of geometry g (n, hop, off, length set) writing
// to out takes the quarter-hop overlap-add (istft_geometry.quarter) when its
// blocks own frames (register-FFT sizes, hop = n / 4, even offset and
// length, 8-byte aligned output).
static inline bool istft_quarter_shape(const istft_geometry &g, const void *out) {
  return SPECTRO_ISTFT_QUARTER && reg_fft_size(g.h) && 4 * g.hop == g.n && g.off % 2 == 0 && g.length % 2 == 0 &&
         (uintptr_t)out % sizeof(float2) == 0;
}

// Dynamic shared memory of an iSTFT launch of geometry g (quarter set): the
// two frame buffers, then the quarter-hop kernel's three carried hops or
// the general kernel's span floats.
static inline size_t istft_smem_bytes(const istft_geometry &g) {
  if (g.tile_bytes) return (size_t)istft_tile_offset(g.h, g.fpb) + (size_t)g.tile_bytes + sizeof(uint64_t);
  // (bnf true, p8 = !r16: the 16-points kernel's stride exactly where g.r16 says)
  return sizeof(float2) * 2 * (size_t)g.fpb * istft_frame_stride(g.h, g.fpb, g.quarter != 0, true, g.r16 == 0) +
         sizeof(float) * (size_t)(g.quarter ? 3 * g.hop : g.span) + (g.r16 ? sizeof(float2) * (size_t)r16_tw1(g.h) : 0);
}

// Rounds of frames per own-frame iSTFT block (kf = rounds x frames per round);
// at n_fft 2048 with hop n_fft / 4, as many rounds as make
// SPECTRO_ISTFT_FRAMES_2048 frames.  H100, graph replay, same call
// (bench/results/experiments, variants-12c): 3 rounds of 4 frames at n_fft
// 2048 (B16 T441k) 105.7 -> 100.7 us; at n_fft 1024 within 1% on the large
// rows, +8% at B8 T160k; 1 round slower everywhere.  (2 frames per round at
// n_fft 2048: 8 frames a block -1%, 16 +1.5%, variants-14c.)
#ifndef SPECTRO_ISTFT_ROUNDS
#define SPECTRO_ISTFT_ROUNDS 2
#endif
#ifndef SPECTRO_ISTFT_FRAMES_2048
#define SPECTRO_ISTFT_FRAMES_2048 12
#endif
static_assert(SPECTRO_ISTFT_FRAMES_2048 % 4 == 0 && SPECTRO_ISTFT_FRAMES_2048 % SPECTRO_ISTFT_FPB_2048_BNF == 0,
              "whole rounds at n_fft 2048");

// Quarter-hop calls: the rounds spread over the blocks of one wave (the
// multiprocessors' slots at the kernel's launch bounds), kr or kr + 1 a
// block (istft_geometry.kr, kx; at most ISTFT_MAX_ROUNDS, else more waves,
// each grid filling 90% of its waves' slots), where that gives every block
// SPECTRO_ISTFT_BALANCE rounds or more (0: never); smaller calls keep
// SPECTRO_ISTFT_ROUNDS (n_fft 2048: SPECTRO_ISTFT_FRAMES_2048) a block.
// Block starts and edges are paid once a multiprocessor slot instead of
// once every few rounds, and no partial last wave idles multiprocessors.  H200, graph replay, same call
// (experiments, nineteenth session, call A: one wave against the uniform
// blocks): B4 T1.32M n_fft 1024 50.6 -> 47.7 us, B32 T160k 49.3 -> 47.5,
// n_fft 2048 B16 T441k 68.6 -> 67.9 ([bins][frames] memory 87.1 -> 81.5),
// B1 T1.32M 18.1 -> 17.5 (22.1 -> 19.7), B8 T480k 37.1 -> 37.2 (42.2 ->
// 41.2); at 2.4 rounds a block (B8 T160k) 16.4 -> 17.2, at 1.2 (B4 T160k)
// 11.2 -> 12.6: hence the threshold.  Many short clips (call E, T = 24000):
// B300 n_fft 1024 70.0 -> 68.0 us against the uniform blocks (without the
// 90% fill, one block an example: 86.0), B540 121.2 -> 118.0, B400 n_fft
// 2048 102.6 -> 102.2 ([bins][frames] memory 132.6 -> 139.0).
#ifndef SPECTRO_ISTFT_BALANCE
#define SPECTRO_ISTFT_BALANCE 3
#endif
// At n_fft 1024 the quarter-hop iSTFT on [frames][bins] takes the 16-points
// kernel (istft_r16: 128 threads a block) where the call has this many
// rounds of 4 frames or more per block slot (sms x 4), else the 8-points one
// (256 threads a block: with few rounds a block, twice the warps to hide
// latency with).  H200, graph replay, same call (experiments, twenty-third
// session, calls B and C), 16 points against 8: B4 T1.32M 39.1 against 46.1
// us (9.8 rounds a slot), B8 T480k 32.0 / 36.7 (7.1), B16 T160k 24.8 / 27.1
// (4.8); B8 T160k 16.9 / 16.1 (2.4), B4 T160k 12.1 / 11.4 (1.2), B1 T480k
// 10.4 / 9.3 (0.9).  Call G, the threshold at 2 against 3: B8 T160k 16.5 ->
// 17.2 us (the 16-points kernel); never the 16-points kernel: B8 T480k 31.2
// -> 36.2, B4 T1.32M 39.6 -> 46.9, B16 T160k 24.3 -> 27.2.
#ifndef SPECTRO_ISTFT_R16_ROUNDS
#define SPECTRO_ISTFT_R16_ROUNDS 3
#endif
#define ISTFT_MAX_ROUNDS 24 // (below 32: istft_kernel's fast_rounds mask)

#define ISTFT_SMEM_BYTES 65536 // opted in above the 48 KB default: more frames per FFT batch

// The iSTFT's launch geometry for n_fft n, hop, left padding off, n_frames
// frames, length output samples per item, batch items, on a device of sms
// multiprocessors (grid: (length + span - 1) / span by batch), for a
// [frames][bins] (bnf) or [bins][frames] spectrum, writing to out (sets
// quarter too).  waves (quarter-hop calls with own blocks): -1 as
// SPECTRO_ISTFT_BALANCE says, 0 uniform blocks, k > 0 rounds balanced over
// k waves or more, at most max_rounds (< 32) a block (the tests force each).
static inline istft_geometry inverse_geometry(int n, int hop, int64_t off, int64_t n_frames, int64_t length,
                                              int64_t batch, int sms, bool bnf, const void *out, int waves = -1,
                                              int max_rounds = ISTFT_MAX_ROUNDS) {
  istft_geometry g{};
  g.n = n;
  g.h = g.n / 2;
  g.hop = hop;
  g.bins = g.h + 1;
  g.n_frames = n_frames;
  g.length = length;
  g.off = off;
  g.full = (int64_t)n + (int64_t)hop * (n_frames - 1);
  auto floor_div = [](int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); };
  // Own frames: kf frames per block (whole rounds), at least n / hop - 1 so
  // that no sample has frames of three blocks; fewer rounds when the call
  // would not give every multiprocessor two blocks.  Calls too small for
  // two blocks per multiprocessor even so take the output-run blocks below
  // (more, shorter blocks; no edge-clearing launch).
  const bool quarter = istft_quarter_shape(g, out); // (with own blocks: the quarter-hop kernel)
  const int fpb_own = static_frames(g.h) ? inverse_frames_per_block(g.h, bnf, quarter) : 1;
  const int need = (g.n + g.hop - 1) / g.hop - 1;
  const int min_rounds = need <= fpb_own ? 1 : (need + fpb_own - 1) / fpb_own;
  auto own_blocks = [&](int r) { return batch * ((n_frames + (int64_t)r * fpb_own - 1) / ((int64_t)r * fpb_own)); };
  if (static_frames(g.h) && g.hop <= g.n && own_blocks(min_rounds) >= 2 * sms) {
    const int want = g.h == 1024 && 4 * g.hop == g.n ? SPECTRO_ISTFT_FRAMES_2048 / fpb_own : SPECTRO_ISTFT_ROUNDS;
    int rounds = want < min_rounds ? min_rounds : want;
    while (rounds > min_rounds && own_blocks(rounds) < 2 * sms) --rounds;
    g.own = 1;
    g.fpb = fpb_own;
    g.quarter = quarter;
    const int64_t R = (n_frames + fpb_own - 1) / fpb_own; // rounds of an example
    g.r16 = quarter && istft_r16(g.h, bnf, true);
    if (g.r16 && g.h == 512) // (n_fft 1024: by the call's rounds a block slot, SPECTRO_ISTFT_R16_ROUNDS)
      g.r16 = batch * R >= (int64_t)SPECTRO_ISTFT_R16_ROUNDS * sms * istft_min_blocks(g.h, bnf, true, false);
    int64_t x = (R + rounds - 1) / rounds;                 // blocks of an example
    g.kr = rounds;
    g.kx = 0;
    if (quarter) {
      const int64_t slots = (int64_t)sms * istft_min_blocks(g.h, bnf, true, false, !g.r16); // (the kernel's)
      if (max_rounds < 1 || max_rounds > 31) max_rounds = ISTFT_MAX_ROUNDS;
      const int64_t x_max = R / min_rounds > 1 ? R / min_rounds : 1, x_need = (R + max_rounds - 1) / max_rounds;
      int64_t xb = 0; // blocks of an example, balanced (0: the uniform blocks above)
      if (waves > 0) { // the fewest waves (from `waves` on) that keep a block's rounds within max_rounds
        const int64_t k_need = (x_need * batch + slots - 1) / slots, k = k_need > waves ? k_need : waves;
        xb = k * slots / batch; // (>= x_need >= 1)
        if (xb > x_max) xb = x_max;
      } else if (waves < 0 && SPECTRO_ISTFT_BALANCE > 0) {
        // the fewest waves whose grid fills 90% of its slots with blocks of
        // SPECTRO_ISTFT_BALANCE to max_rounds rounds (a batch near the slots'
        // count at one block an example would leave slots idle or a wave
        // nearly empty); none within 64 waves: the uniform blocks
        for (int64_t k = 1; k <= 64; ++k) {
          int64_t xk = k * slots / batch;
          if (xk > x_max) xk = x_max;
          if (xk < 1 || xk < x_need) continue;
          if (R / xk < SPECTRO_ISTFT_BALANCE) break; // (more waves only shorten the blocks)
          if (10 * batch * xk >= 9 * k * slots) {
            xb = xk;
            break;
          }
        }
      }
      if (xb) {
        x = xb;
        g.kr = (int)(R / x);
        g.kx = (int)(R % x); // (x < 2^31: cuda_stft_inverse refuses more blocks)
      }
    }
    g.blocks = x;
    g.kf = (g.kr + (g.kx > 0)) * fpb_own;
    g.span = (g.kf - 1) * g.hop + g.n;
    return g;
  }
  // Otherwise each block owns a run of samples: long enough that the frames
  // it shares with its neighbours (computed twice) stay a small part, short
  // enough to give every multiprocessor several blocks.
  if (static_frames(g.h)) {
    // The block transforms the frames touching its run fpb at a time: make
    // them whole rounds (run / hop + halo = rounds * fpb), the run about 8
    // hops or more (on an H200, 9-13 hops ran 10-25% faster than 5, 16, 29
    // or 61), fewer when the call would not give every multiprocessor two
    // blocks, and at most 6144 samples (shared memory).
    const int fpb = inverse_frames_per_block(g.h, bnf, false);
    const int halo = (g.n + g.hop - 1) / g.hop - 1 + (g.off % g.hop != 0);
    const int min_rounds = (1 + halo + fpb - 1) / fpb;
    int rounds = (8 + halo + fpb - 1) / fpb;
    if (rounds < min_rounds) rounds = min_rounds;
    auto hops = [&](int r) { return (int64_t)r * fpb - halo; };
    while (rounds > min_rounds && (hops(rounds) * g.hop > 6144 ||
                                   batch * ((length + hops(rounds) * g.hop - 1) / (hops(rounds) * g.hop)) < 2 * sms))
      --rounds;
    g.span = (int)(hops(rounds) * g.hop);
    g.fpb = fpb;
  } else {
    int64_t want = (batch * length + 4 * sms - 1) / (4 * sms);
    want = (want + g.hop - 1) / g.hop * g.hop;
    int64_t lo = g.hop * 4 > 512 ? g.hop * 4 : 512;
    g.span = (int)(want < lo ? lo : want > 4096 ? 4096 : want);
    g.fpb = frames_per_block(g.h, (int)(g.span * sizeof(float)), ISTFT_SMEM_BYTES);
  }
  g.span_hops = g.span % g.hop == 0 ? g.span / g.hop : 0;
  g.r0 = (int)(g.off % g.hop);
  g.c_first = -floor_div(-(g.off - g.n + 1), g.hop); // ceil((off - n + 1) / hop)
  g.c_last = floor_div(g.off + g.span - 1, g.hop);
  g.c_end = floor_div(g.off + length - 1, g.hop);
  g.blocks = (length + g.span - 1) / g.span;
  return g;
}

#endif
