// The shared-memory FFT of the CUDA kernels (STFT, iSTFT, frontends) and
// the host-side helpers they share.  Included by the .cu files only.
#ifndef SPECTRO_CUDA_FFT_SMEM_CUH
#define SPECTRO_CUDA_FFT_SMEM_CUH

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <math.h>
#include <type_traits>

#include <stdint.h>

extern "C" {
#include "../core/core.h"
#include "../stft_plan.h"
}

// A kernel's dynamic shared memory, 128-byte aligned (the copy engine's
// tiles need it; the host emulation in tests/cuda_host gives each emulated
// block its own).
#ifndef SPECTRO_DYNAMIC_SMEM
#define SPECTRO_DYNAMIC_SMEM(T, name) extern __shared__ __align__(128) T name[]
#endif

#define MAX_PASSES 24
#define THREADS 256 // threads per block, a compile-time stride for every loop
#define SMEM_BYTES 40960 // per block: two ping-pong frame buffers (forward)

struct pass_table {
  int count;
  int ip[MAX_PASSES];
  int tw_offset[MAX_PASSES]; // float2 units into the twiddle table
};

struct stft_geometry {
  int n, h, hop, bins, pad_left, reflect, fpb;
  int pairs; // 1: every interior frame starts on an even sample of an 8-byte aligned signal (float2 loads)
  int64_t length, n_frames; // (the plan's forward scale is in the kernels' window: forward_window_table)
};

// The radix of the next Stockham pass for `rem` points still to split.
// Powers of two: radix 16 and 8 in the fewest passes (1024 = 16 8 8, 2048 =
// 16 16 8, 256 = 16 16, 512 = 8 8 8); then 4, 2, 5, 3.  The host builds the
// twiddle table with the same rule.
__host__ __device__ constexpr int log2_exact(int n) { return n == 1 ? 0 : 1 + log2_exact(n / 2); }
__host__ __device__ constexpr int next_radix(int rem) {
  return (rem & (rem - 1)) == 0 && rem >= 16 ? (log2_exact(rem) % 3 == 0 ? 8 : 16)
         : rem % 8 == 0                      ? 8
         : rem % 4 == 0                      ? 4
         : rem % 2 == 0                      ? 2
         : rem % 5 == 0                      ? 5
                                             : 3;
}

// ---------------------------------------------------------------- FFT passes

// Shared-memory index with one pad slot per 8 complex values: the Stockham
// passes read and write with power-of-two strides, which without padding
// land many threads of a warp in the same bank (16-way at stride 8).
__device__ __forceinline__ int PAD(int a) { return a + (a >> 3); }

// The register FFT (below) covers h = 256 .. 2048, powers of two (n_fft 512
// .. 4096): each thread keeps REG_P points in registers, every pass is a
// radix-REG_P (last: the rest) butterfly in registers, and shared memory is
// only the exchange between passes.
constexpr int REG_P = 8; // (the last pass's grouping, reg_last_pass_real, assumes 8)
__host__ __device__ constexpr bool reg_fft_size(int h) { return h >= 256 && h <= 2048 && (h & (h - 1)) == 0; }
// h = 200 (n_fft 400) has a register FFT of its own, P10 points per thread
// (reg_passes with 10-point arrays; written to Stockham-padded frames).
constexpr int P10 = 10;
__host__ __device__ constexpr bool p10_fft_size(int h) { return h == 200; }
// Blocks per multiprocessor the P10 sizes' forward kernels are register-capped for.
#ifndef SPECTRO_P10_MIN_BLOCKS
#define SPECTRO_P10_MIN_BLOCKS 5
#endif
// Frames per block of the P10 sizes' forward kernels (20 threads each).
#ifndef SPECTRO_P10_FRAMES
#define SPECTRO_P10_FRAMES 12
#endif

// Frames per block of the sizes compiled with h known at compile time: the
// register-FFT sizes (THREADS / (h / REG_P): every thread busy), the other
// powers of two 32 .. 2048 and 200, 500 (n_fft 400 and 1000); 0 for other
// sizes, whose frames per block come at run time.
__host__ __device__ constexpr int static_frames(int h) {
  return reg_fft_size(h) ? THREADS / (h / REG_P)
         : ((h >= 32 && h <= 2048 && (h & (h - 1)) == 0) || h == 200 || h == 500)
             ? (h <= 256 ? 8 : h <= 512 ? 4 : h <= 1024 ? 2 : 1)
             : 0;
}

// Shared-memory index of point a of a frame of the size-H kernels: one pad
// slot per 16 values for the register FFT (its passes are then free of bank
// conflicts but one), per 8 for the Stockham passes (H = 0: run time).
// G pad slots per 16 values (G = 2: the buffer that only a transform's second
// pass writes, stft_pad2 and istft_pad2, stft_kernels.cuh).
template <int H, int G = 1> __device__ __forceinline__ int PADH(int a) {
  if constexpr (reg_fft_size(H)) return a + G * (a >> 4);
  else return a + (a >> 3);
}
// PADH<H>(a + c) = PADH<H>(a) + PADH<H>(c) at the register-FFT sizes where
// a mod 16 + c mod 16 < 16: c a multiple of 16, or a pass's output rows r NS
// from its base (reg_pass: base mod 16 = m < NS for NS < 16, NS R >= 16, or
// 0 / 8 for NS = 1, R = 8).  The kernels then address a thread's points as
// one pointer and constant offsets (immediates): written as PADH(a + c),
// each took four or five integer instructions (n_fft 2048 iSTFT, SASS).
template <int H> __host__ __device__ constexpr bool padh_split() { return reg_fft_size(H); }
// Frame stride in the shared buffers of a block of fpb frames, padded.
// Register-FFT sizes: congruent to 16 / fpb mod 16, so the loops that take
// the same bin of consecutive frames hit distinct banks; g pad slots per 16
// values (PADH's G: room for the widest buffer of the block).
__host__ __device__ constexpr int padded_frame(int h, int fpb, int g = 1) {
  return reg_fft_size(h) ? h + g * (h >> 4) + 16 / fpb : h + (h >> 3) + 1;
}

// Frames per block of the forward STFT kernel: as static_frames(), but at
// least 4 at the register-FFT sizes (512 threads for h = 1024 and 2048), so
// a block's rows of a [bins][frames] spectrum are 32 bytes or more: with
// 16-byte rows (n_fft 2048 at 256 threads) the kernel ran 1.75x slower on an
// H200, each row costing a memory transaction of its own.  (For
// [frames][bins] output at n_fft 2048, 2 frames were 2.4% faster with plain
// stores, variants-15b, and the same with streaming stores, variants-15c.)
__host__ __device__ constexpr int forward_frames_per_block(int h) {
  return p10_fft_size(h)                          ? SPECTRO_P10_FRAMES
         : !reg_fft_size(h) || static_frames(h) >= 4 ? static_frames(h)
         : 512 / (h / REG_P) < 4                   ? 512 / (h / REG_P)
                                                   : 4;
}
// Threads of a forward block of fpb frames (the register-FFT sizes: h /
// REG_P per frame); forward_threads: at forward_frames_per_block(h).
__host__ __device__ constexpr int forward_block_threads(int h, int fpb) {
  return reg_fft_size(h) ? fpb * (h / REG_P) : p10_fft_size(h) ? fpb * (h / P10) : THREADS;
}
__host__ __device__ constexpr int forward_threads(int h) {
  return forward_block_threads(h, forward_frames_per_block(h));
}
// The STFT's second frames-per-block choice for the autotune (tune_cuda.cuh):
// half the frames of forward_frames_per_block(h), where the kernel
// untangles in registers to [frames][bins] rows (no row-width constraint);
// 0 where there is none.  (H200, n_fft 2048 [frames][bins]: 2 frames were
// 2.4% faster than 4 with plain stores, variants-15b.)
__host__ __device__ constexpr int forward_half_frames(int h) {
  return reg_fft_size(h) && forward_frames_per_block(h) >= 2 ? forward_frames_per_block(h) / 2 : 0;
}


// One Stockham pass of radix ip over FPB frames of h points in shared memory
// (pocketfft's indexing, as in cfft_impl.h):
//   in  cc[i + ido (j + ip k)], out ch[i + ido (k + l1 m)] = DFT(x)[m] w^(m l1 i)
template <int IP>
__device__ __forceinline__ void butterfly(float2 *x, float s) {
  if (IP == 2) {
    float2 a = x[0], b = x[1];
    x[0] = make_float2(a.x + b.x, a.y + b.y);
    x[1] = make_float2(a.x - b.x, a.y - b.y);
  } else if (IP == 4) {
    float2 t0 = make_float2(x[0].x + x[2].x, x[0].y + x[2].y), t1 = make_float2(x[0].x - x[2].x, x[0].y - x[2].y);
    float2 t2 = make_float2(x[1].x + x[3].x, x[1].y + x[3].y), t3 = make_float2(x[1].x - x[3].x, x[1].y - x[3].y);
    float2 u = make_float2(-s * t3.y, s * t3.x);
    x[0] = make_float2(t0.x + t2.x, t0.y + t2.y);
    x[2] = make_float2(t0.x - t2.x, t0.y - t2.y);
    x[1] = make_float2(t1.x + u.x, t1.y + u.y);
    x[3] = make_float2(t1.x - u.x, t1.y - u.y);
  } else if (IP == 3) {
    const float c3 = -0.5f, s3 = 0.86602540378443864676f * s;
    float2 t = make_float2(x[1].x + x[2].x, x[1].y + x[2].y), d = make_float2(x[1].x - x[2].x, x[1].y - x[2].y);
    float2 a = make_float2(x[0].x + c3 * t.x, x[0].y + c3 * t.y);
    x[0] = make_float2(x[0].x + t.x, x[0].y + t.y);
    x[1] = make_float2(a.x - s3 * d.y, a.y + s3 * d.x);
    x[2] = make_float2(a.x + s3 * d.y, a.y - s3 * d.x);
  } else if (IP == 8) {
    // two DFT4s (even / odd inputs) joined by w8^m
    float2 e[4] = {x[0], x[2], x[4], x[6]}, o[4] = {x[1], x[3], x[5], x[7]};
    butterfly<4>(e, s);
    butterfly<4>(o, s);
    const float c = 0.70710678118654752440f;
    float2 w1 = make_float2(c * (o[1].x - s * o[1].y), c * (o[1].y + s * o[1].x)); // (c + s c i) o1
    float2 w2 = make_float2(-s * o[2].y, s * o[2].x);                               // (s i) o2
    float2 w3 = make_float2(c * (-o[3].x - s * o[3].y), c * (-o[3].y + s * o[3].x)); // (-c + s c i) o3
    x[0] = make_float2(e[0].x + o[0].x, e[0].y + o[0].y);
    x[4] = make_float2(e[0].x - o[0].x, e[0].y - o[0].y);
    x[1] = make_float2(e[1].x + w1.x, e[1].y + w1.y);
    x[5] = make_float2(e[1].x - w1.x, e[1].y - w1.y);
    x[2] = make_float2(e[2].x + w2.x, e[2].y + w2.y);
    x[6] = make_float2(e[2].x - w2.x, e[2].y - w2.y);
    x[3] = make_float2(e[3].x + w3.x, e[3].y + w3.y);
    x[7] = make_float2(e[3].x - w3.x, e[3].y - w3.y);
  } else if (IP == 16) {
    // four DFT4s over x[j + 4 q] (q = 0..3), twiddles w16^(j m), four DFT4s
    float2 y[4][4];
#pragma unroll
    for (int j = 0; j < 4; ++j) {
#pragma unroll
      for (int q = 0; q < 4; ++q) y[j][q] = x[j + 4 * q];
      butterfly<4>(y[j], s);
    }
    const float c1 = 0.92387953251128675613f, s1 = 0.38268343236508977173f, c2 = 0.70710678118654752440f;
    // w16^e = cos(2 pi e / 16) + s i sin(2 pi e / 16), e = j m for j, m in 1..3
    const float2 tw16[10] = {make_float2(1.f, 0.f), make_float2(c1, s * s1), make_float2(c2, s * c2),
                             make_float2(s1, s * c1), make_float2(0.f, s), make_float2(-s1, s * c1),
                             make_float2(-c2, s * c2), make_float2(-c1, s * s1), make_float2(-1.f, 0.f),
                             make_float2(-c1, -s * s1)};
#pragma unroll
    for (int j = 1; j < 4; ++j)
#pragma unroll
      for (int m = 1; m < 4; ++m) {
        const float2 w = tw16[j * m], v = y[j][m];
        y[j][m] = make_float2(v.x * w.x - v.y * w.y, v.x * w.y + v.y * w.x);
      }
#pragma unroll
    for (int m = 0; m < 4; ++m) {
      float2 u[4] = {y[0][m], y[1][m], y[2][m], y[3][m]};
      butterfly<4>(u, s);
#pragma unroll
      for (int r = 0; r < 4; ++r) x[m + 4 * r] = u[r];
    }
  } else if (IP == 10) {
    // two DFT5s (even / odd inputs) joined by w10^m
    float2 e[5] = {x[0], x[2], x[4], x[6], x[8]}, o[5] = {x[1], x[3], x[5], x[7], x[9]};
    butterfly<5>(e, s);
    butterfly<5>(o, s);
    const float c1 = 0.80901699437494742410f, s1 = 0.58778525229247312917f, c2 = 0.30901699437494742410f,
                s2 = 0.95105651629515357212f;
    const float2 w[5] = {make_float2(1.f, 0.f), make_float2(c1, s * s1), make_float2(c2, s * s2),
                         make_float2(-c2, s * s2), make_float2(-c1, s * s1)};
#pragma unroll
    for (int m = 0; m < 5; ++m) {
      const float2 t = m ? make_float2(o[m].x * w[m].x - o[m].y * w[m].y, o[m].x * w[m].y + o[m].y * w[m].x) : o[0];
      x[m] = make_float2(e[m].x + t.x, e[m].y + t.y);
      x[m + 5] = make_float2(e[m].x - t.x, e[m].y - t.y);
    }
  } else { // 5
    const float c51 = 0.30901699437494742410f, s51 = 0.95105651629515357212f * s;
    const float c52 = -0.80901699437494742410f, s52 = 0.58778525229247312917f * s;
    float2 t1 = make_float2(x[1].x + x[4].x, x[1].y + x[4].y), t4 = make_float2(x[1].x - x[4].x, x[1].y - x[4].y);
    float2 t2 = make_float2(x[2].x + x[3].x, x[2].y + x[3].y), t3 = make_float2(x[2].x - x[3].x, x[2].y - x[3].y);
    float2 x0 = x[0];
    float2 a1 = make_float2(x0.x + c51 * t1.x + c52 * t2.x, x0.y + c51 * t1.y + c52 * t2.y);
    float2 a2 = make_float2(x0.x + c52 * t1.x + c51 * t2.x, x0.y + c52 * t1.y + c51 * t2.y);
    float2 b1 = make_float2(-(s51 * t4.y + s52 * t3.y), s51 * t4.x + s52 * t3.x);
    float2 b2 = make_float2(-(s52 * t4.y - s51 * t3.y), s52 * t4.x - s51 * t3.x);
    x[0] = make_float2(x0.x + t1.x + t2.x, x0.y + t1.y + t2.y);
    x[1] = make_float2(a1.x + b1.x, a1.y + b1.y);
    x[4] = make_float2(a1.x - b1.x, a1.y - b1.y);
    x[2] = make_float2(a2.x + b2.x, a2.y + b2.y);
    x[3] = make_float2(a2.x - b2.x, a2.y - b2.y);
  }
}

// Butterfly (i, k) of a pass, shared by the run-time and compile-time
// passes (inlined, so compile-time sizes fold into shifts).
template <int IP>
__device__ __forceinline__ void pass_butterfly(const float2 *c, float2 *o, int i, int k, int ido, int l1,
                                               const float2 *tw, float s) {
  float2 x[IP];
#pragma unroll
  for (int j = 0; j < IP; ++j) x[j] = c[PAD(i + ido * (j + IP * k))];
  butterfly<IP>(x, s);
  o[PAD(i + ido * k)] = x[0];
#pragma unroll
  for (int m = 1; m < IP; ++m) {
    float2 y = x[m];
    if (ido > 1 && i > 0) {
      float2 w = __ldg(&tw[(m - 1) * (ido - 1) + (i - 1)]);
      w.y *= s;
      y = make_float2(x[m].x * w.x - x[m].y * w.y, x[m].x * w.y + x[m].y * w.x);
    }
    o[PAD(i + ido * (k + l1 * m))] = y;
  }
}

template <int IP>
__device__ void stockham_pass(const float2 *cc, float2 *ch, int h, int fpb, int ido, int l1, const float2 *tw,
                              float s) {
  const int per_frame = h / IP, hp = padded_frame(h, fpb);
  for (int idx = threadIdx.x; idx < fpb * per_frame; idx += THREADS) {
    int f = idx / per_frame, r = idx - f * per_frame;
    int k = r / ido, i = r - k * ido;
    pass_butterfly<IP>(cc + f * hp, ch + f * hp, i, k, ido, l1, tw, s);
  }
}

// The same pass with every size known at compile time (powers of two):
// index arithmetic becomes shifts and masks.
template <int IP, int IDO, int L1, int H, int FPB>
__device__ __forceinline__ void stockham_pass_c(const float2 *cc, float2 *ch, const float2 *tw, float s) {
  constexpr int per_frame = H / IP, HP = H + (H >> 3) + 1;
  for (int idx = threadIdx.x; idx < FPB * per_frame; idx += THREADS) {
    int f = idx / per_frame, r = idx % per_frame;
    pass_butterfly<IP>(cc + f * HP, ch + f * HP, r % IDO, r / IDO, IDO, L1, tw, s);
  }
}

// All passes for h = H known at compile time, radix order next_radix().
template <int H, int FPB, int L1>
__device__ float2 *fft_static(float2 *a, float2 *b, const float2 *tw, float s) {
  if constexpr (L1 >= H) {
    return a;
  } else {
    constexpr int IP = next_radix(H / L1);
    constexpr int IDO = H / (L1 * IP);
    stockham_pass_c<IP, IDO, L1, H, FPB>(a, b, tw, s);
    __syncthreads();
    return fft_static<H, FPB, L1 * IP>(b, a, tw + (IP - 1) * (IDO - 1), s);
  }
}

// Runs every pass; returns the buffer that holds the result.
static __device__ float2 *fft_shared(float2 *a, float2 *b, int h, int fpb, const pass_table &pt, const float2 *tw, float s) {
  int l1 = 1;
  for (int p = 0; p < pt.count; ++p) {
    int ip = pt.ip[p], ido = h / (l1 * ip);
    const float2 *t = tw + pt.tw_offset[p];
    switch (ip) {
    case 2: stockham_pass<2>(a, b, h, fpb, ido, l1, t, s); break;
    case 3: stockham_pass<3>(a, b, h, fpb, ido, l1, t, s); break;
    case 4: stockham_pass<4>(a, b, h, fpb, ido, l1, t, s); break;
    case 8: stockham_pass<8>(a, b, h, fpb, ido, l1, t, s); break;
    case 16: stockham_pass<16>(a, b, h, fpb, ido, l1, t, s); break;
    default: stockham_pass<5>(a, b, h, fpb, ido, l1, t, s); break;
    }
    __syncthreads();
    float2 *x = a;
    a = b;
    b = x;
    l1 *= ip;
  }
  return a;
}

// ---------------------------------------------------------------- register FFT
//
// Stockham autosort in the form of Govindaraju et al. (SC'08): a pass of
// radix R after NS points already combined does, for butterfly b < h / R,
//   x_r = in[b + r h / R] * w^(r (b mod NS)),  w = e^(s 2 pi i / (NS R)),
//   X = DFT_R(x),  out[(b - b mod NS) R + b mod NS + r NS] = X_r.
// Thread j of a frame owns butterflies b = j + q h / REG_P (q < REG_P / R),
// so it reads points j + i h / REG_P (i < REG_P) in every pass: coalesced
// from global memory in the first pass, and consecutive in shared memory
// after it.  The output is in natural order.

// Radix of the pass of a register FFT with P points per thread for `rem`
// points still to combine.
template <int P> __host__ __device__ constexpr int points_radix(int rem) { return rem % P == 0 ? P : rem; }
// The register FFT's twiddle table: one row per pass (ns, R) with ns > 1
// and butterfly m < ns, read with one load per butterfly: (w^2m, w^3m) for R
// >= 4 (w^m = w^3m conj(w^2m), higher powers as products), (w^m, w^2m) for R
// = 3 (16 bytes), w^m alone for R = 2 (8 bytes; only ever the last pass, and
// ns is even, so rows stay 16-byte aligned); w = exp(2 pi i / (ns R)).
// Before (sixth / seventh sessions): rows of all R powers, two 16-byte loads
// per butterfly, 8 to 16 cache lines a warp: the rows as they are made
// STFT B4 T1.32M 12%, mel-dB 10% and iSTFT 5-7% faster on an H100
// (bench/results/experiments/README.md, eighth session).
__host__ __device__ constexpr int tw_row(int R) { return R == 2 ? 1 : 2; }
// Entries (float2) of the rows of the passes before the one after ns points.
template <int P> __host__ __device__ constexpr int points_tw_offset(int h, int ns) {
  int off = 0;
  for (int n = 1; n < ns; n *= points_radix<P>(h / n))
    if (n > 1) off += n * tw_row(points_radix<P>(h / n));
  return off;
}
// e^(2 pi i k / N) in float (computed in double) with the symmetries of the
// eighth turns exact where 8 divides N: each value is computed in the first
// octant and reflected or rotated by sign changes and swaps, so a table
// holds t[N/4 - k] = (t[k].y, t[k].x), t[k + N/4] = (-t[k].y, t[k].x),
// t[N/2 - k] = (-t[k].x, t[k].y) to the bit.  The kernels derive some
// values from others that way (reg_last_pass_real): the same values as
// the tables', so every kernel gives the same bits.
inline float2 unit_root_f(long k, long N) {
  const double tau = 2.0 * 3.14159265358979323846;
  k %= N;
  if (k < 0) k += N;
  if (N % 8 != 0) return make_float2((float)cos(tau * (double)k / (double)N), (float)sin(tau * (double)k / (double)N));
  const long q = N / 4, quad = k / q, r = k - quad * q;
  float c, s;
  if (2 * r < q) {
    c = (float)cos(tau * (double)r / (double)N);
    s = (float)sin(tau * (double)r / (double)N);
  } else if (2 * r > q) {
    c = (float)sin(tau * (double)(q - r) / (double)N);
    s = (float)cos(tau * (double)(q - r) / (double)N);
  } else {
    c = s = (float)(0.5 * sqrt(2.0));
  }
  for (long t = 0; t < quad; ++t) { // a quarter turn: (c, s) -> (-s, c)
    const float u = c;
    c = -s;
    s = u;
  }
  return make_float2(c, s);
}
// The table for h points (points_tw_offset(h, h) values, unit_root_f): the
// row of pass (ns, R), butterfly m at [m tw_row(R)].
template <int P> inline void points_fill_twiddles(int h, float2 *t) {
  for (long ns = 1; ns < h; ns *= points_radix<P>((int)(h / ns))) {
    const long R = points_radix<P>((int)(h / ns));
    if (ns == 1) continue;
    float2 *p = t + points_tw_offset<P>(h, (int)ns);
    const long W = tw_row((int)R);
    for (long m = 0; m < ns; ++m)
      for (long c = 0; c < W; ++c) {
        const long r = R >= 4 ? 2 + c : 1 + c; // the powers the row keeps
        p[m * W + c] = unit_root_f((r * m) % (ns * R), ns * R);
      }
  }
}
// The same for REG_P points per thread.
__host__ __device__ constexpr int reg_radix(int rem) { return points_radix<REG_P>(rem); }
__host__ __device__ constexpr int reg_tw_offset(int h, int ns) { return points_tw_offset<REG_P>(h, ns); }
inline void reg_fill_twiddles(int h, float2 *t) { points_fill_twiddles<REG_P>(h, t); }
// The 16-points quarter-hop iSTFT transform's tables (h = 1024 and 512,
// stft_kernels.cuh's istft_r16 and r16_transform), after the register FFT's
// and 16-byte aligned: W(h/4)^(n1 b) (n1 < N1 = h / 64, b < 16) at 2 N1 (b
// / 2) + 2 n1 + b % 2 (the threads of a row read it as float4s, one for
// each b / 2), then W(h)^(j b) (row b < h / 4, j < 4).  reg_tw_total: the
// whole table's values.
__host__ __device__ constexpr int r16_tw_offset(int h) { return (reg_tw_offset(h, h) + 1) & ~1; }
__host__ __device__ constexpr bool r16_size(int h) { return h == 1024 || h == 512; }
// (the first table's values: N1 = h / 64 rows of 16 powers of W(h/4))
__host__ __device__ constexpr int r16_tw1(int h) { return (h / 64) * 16; }
__host__ __device__ constexpr int reg_tw_total(int h) {
  return r16_size(h) ? r16_tw_offset(h) + r16_tw1(h) + (h / 4) * 4 : reg_tw_offset(h, h);
}
inline void reg_fill_all_twiddles(int h, float2 *t) {
  reg_fill_twiddles(h, t);
  if (!r16_size(h)) return;
  for (int i = reg_tw_offset(h, h); i < r16_tw_offset(h); ++i) t[i] = make_float2(0.f, 0.f);
  float2 *r = t + r16_tw_offset(h);
  const long N1 = h / 64;
  for (long n1 = 0; n1 < N1; ++n1)
    for (long b = 0; b < 16; ++b) r[2 * N1 * (b / 2) + 2 * n1 + b % 2] = unit_root_f(n1 * b, h / 4);
  r += r16_tw1(h);
  for (long b = 0; b < h / 4; ++b)
    for (long j = 0; j < 4; ++j) r[4 * b + j] = unit_root_f(j * b, h);
}

// Barrier of the TPF threads of this thread's frame (threadIdx.x / TPF;
// named barrier 1 + frame): enough between passes of the register FFT, whose
// threads only touch their own frame, so a block's frames no longer wait for
// each other (STFT B8 T480k a further 4-5% on an H100, the frontends the same
// within noise).  Whole warps only (not n_fft 400's 20 threads a frame): a
// block barrier otherwise, and off the GPU (tests/cuda_host).
template <int TPF> __device__ __forceinline__ void frame_sync() {
#if defined(__CUDA_ARCH__)
  if constexpr (TPF % 32 == 0) {
    asm volatile("bar.sync %0, %1;" ::"r"(1 + (int)threadIdx.x / TPF), "r"(TPF) : "memory");
    return;
  }
#endif
  __syncthreads();
}

// Twiddle loads pinned to their pass (tw_load<true>, the passes' PIN): an
// ordinary (weak, L1-cached) load, which ptxas does not move across the
// frame and block barriers; the read-only loads of __ldg (ld.global.nc) it
// may hoist, and did, even behind an empty volatile asm on the address.
// SPECTRO_TW_PIN 1: the n_fft 2048 quarter-hop iSTFT pins them
// (istft_tw_pin).  With constant-offset addressing (padh_split) its second
// and third passes' rows were loaded at the top of the round loop, behind
// the previous round's output stores, and their first use drew 12% of the
// kernel's stall samples at one instruction (long scoreboard; Nsight, H200,
// call 18c).  H200, graph replay, same call (variants-18d, pinned in every
// register FFT against none): that iSTFT 70.7 -> 68.7 us, but the n_fft
// 2048 STFT 59.0 -> 60.1, the n_fft 400 iSTFT 85.1 -> 87.2, the n_fft 1024
// iSTFT rows +1%: the others keep __ldg.
#ifndef SPECTRO_TW_PIN
#define SPECTRO_TW_PIN 1
#endif
template <bool PIN, class V> __device__ __forceinline__ V tw_load(const V *p) {
#if defined(__CUDA_ARCH__)
  if constexpr (PIN) {
    V v;
    if constexpr (sizeof(V) == 16) {
      asm volatile("ld.global.v4.f32 {%0, %1, %2, %3}, [%4];"
                   : "=f"(v.x), "=f"(v.y), "=f"(v.z), "=f"(v.w)
                   : "l"(p));
    } else {
      asm volatile("ld.global.v2.f32 {%0, %1}, [%2];" : "=f"(v.x), "=f"(v.y) : "l"(p));
    }
    return v;
  }
#endif
  return __ldg(p);
}
// y w (s = 1) or y conj(w) (s = -1).
__device__ __forceinline__ float2 twiddle_mul(float2 y, float2 w, float s) {
  return make_float2(y.x * w.x - s * y.y * w.y, s * y.x * w.y + y.y * w.x);
}
// x_r *= w^(r m) (r = 1 .. R-1, direction s) from the row t of the
// table (tw_row): one load, the powers past the row's as products
// w^(r/2) w^(r - r/2) (two or three deep: the error stays a few ulp).
template <int R, bool PIN = false>
__device__ __forceinline__ void twiddle_row(float2 (&x)[R], const float2 *__restrict__ t, float s) {
  float2 w[R];
  if constexpr (R == 2) {
    w[1] = tw_load<PIN>(t);
  } else {
    const float4 q4 = tw_load<PIN>(reinterpret_cast<const float4 *>(t));
    if constexpr (R >= 4) {
      w[2] = make_float2(q4.x, q4.y);
      w[3] = make_float2(q4.z, q4.w);
      w[1] = make_float2(w[3].x * w[2].x + w[3].y * w[2].y, w[3].y * w[2].x - w[3].x * w[2].y); // w^3 conj(w^2)
    } else { // R = 3
      w[1] = make_float2(q4.x, q4.y);
      w[2] = make_float2(q4.z, q4.w);
    }
  }
#pragma unroll
  for (int r = 4; r < R; ++r) {
    const float2 u = w[r >> 1], v2 = w[r - (r >> 1)];
    w[r] = make_float2(u.x * v2.x - u.y * v2.y, u.x * v2.y + u.y * v2.x);
  }
#pragma unroll
  for (int r = 1; r < R; ++r) x[r] = twiddle_mul(x[r], w[r], s);
}

// Multiplies x_r (r = 1 .. R-1) by w^(r m), m the butterfly's index mod NS,
// from the table of the register FFT with P points per thread (direction s).
template <int H, int NS, int R, int P = REG_P, bool PIN = false>
__device__ __forceinline__ void reg_twiddle(float2 (&x)[R], int m, const float2 *__restrict__ tw, float s) {
  twiddle_row<R, PIN>(x, tw + points_tw_offset<P>(H, NS) + m * tw_row(R), s);
}

// One pass (the one after NS points are combined) for thread j: its
// butterflies from v (the thread's points j + i h / P of the pass input),
// written into the frame d.  P points per thread: REG_P, or P10 for h = 200.
// GD: d's pad (PADH's G).
template <int H, int NS, int P, bool PIN = false, int GD = 1>
__device__ __forceinline__ void reg_pass(const float2 (&v)[P], float2 *d, int j, const float2 *__restrict__ tw,
                                         float s) {
  constexpr int R = points_radix<P>(H / NS), TPF = H / P, Q = P / R;
  static_assert(R * Q == P, "every pass's radix divides the points per thread");
#pragma unroll
  for (int q = 0; q < Q; ++q) {
    const int bf = j + q * TPF;
    // m = bf mod NS, written as masks for the powers of two (their kernels' code as before)
    const int m = (NS & (NS - 1)) == 0 ? bf & (NS - 1) : (int)((unsigned)bf % NS);
    float2 x[R];
#pragma unroll
    for (int r = 0; r < R; ++r) x[r] = v[q + r * Q];
    if constexpr (NS > 1) reg_twiddle<H, NS, R, P, PIN>(x, m, tw, s);
    butterfly<R>(x, s);
    const int base = ((NS & (NS - 1)) == 0 ? bf & ~(NS - 1) : bf - m) * R + m;
    if constexpr (padh_split<H>()) { // one address and constant offsets
      float2 *db = d + PADH<H, GD>(base);
#pragma unroll
      for (int r = 0; r < R; ++r) db[PADH<H, GD>(r * NS)] = x[r];
    } else {
#pragma unroll
      for (int r = 0; r < R; ++r) d[PADH<H, GD>(base + r * NS)] = x[r];
    }
  }
}

// The passes from the one after NS points on.  v holds the thread's points
// j + i h / P of the pass input; every pass writes into dst (then swaps
// with other) at frame offset fo, with a barrier of the frame's threads after
// each (frame_sync) and a block barrier after the last; a last radix-2 pass
// after a radix-P one runs with it (reg_pass_shfl_radix2).  Returns the
// buffer holding the transform (the other one is free).
// LAST: no_last_pass runs every pass; otherwise the pass that would be the
// last is last(std::integral_constant<int, NS>, d, std::integral_constant<int,
// G>), d its input (in shared memory, synchronised; G its pad, PADH's), and
// the buffer returned is the other one (free).
struct no_last_pass {};
// LAST = stop_before_radix2: where the last pass would be radix 2 (h = 1024
// with 8 points per thread: 8 8 8 2), it is left out; the buffer returned
// holds u, the transform before it, after a block barrier.  Point b and b +
// h/2 of the transform are u_b + w_b u_(b + h/2) and u_b - w_b u_(b + h/2)
// (w_b the pass's twiddle, b < h/2): the quarter-hop iSTFT does that pass
// in its overlap-add (quarter_hop_ola's R2), where each thread reads both
// points of its butterflies anyway.
struct stop_before_radix2 {};

// The last two passes in one when they are radix P then radix 2 (h = 1024
// with 8 points per thread: 8 8 8 2; h = 200 with 10: 10 10 2), NS points
// combined before them: the radix-2 partners (positions p and p + h/2) are
// outputs of butterflies bf and bf + NS (NS = h / 2P, half the frame's
// threads), so thread j takes butterfly bf = m + NS hi, m < NS, with its
// partner on lane j ^ 16 (hi = bit 4 of j; frames of whole warps) or j ^ 1
// (hi = bit 0; n_fft 400's 20-thread frames, pairs never split by a warp);
// the two exchange half their P outputs by shuffles and each takes P / 2
// radix-2 butterflies, rows r = i + hi P/2 (i < P/2): one shared-memory
// round trip and one frame barrier fewer.  The arithmetic is the two
// passes' own (twiddle_row, butterfly), so results are as before.
#ifndef SPECTRO_SHFL_RADIX2
#define SPECTRO_SHFL_RADIX2 1
#endif
template <int H, int P> __host__ __device__ constexpr bool shfl_radix2_at(int ns) {
  return SPECTRO_SHFL_RADIX2 && ns > 1 && P % 2 == 0 && points_radix<P>(H / ns) == P && 2 * ns * P == H;
}
template <int H, int NS, int P, bool PIN = false>
__device__ __forceinline__ void reg_pass_shfl_radix2(const float2 *src, float2 *d, int j, const float2 *__restrict__ tw,
                                                     float s) {
  constexpr int TPF = H / P, HALF = P / 2;
  static_assert(2 * NS * P == H && 2 * NS == TPF, "radix P then radix 2 after NS points");
  constexpr bool warp_frames = TPF % 32 == 0;
  const int hi = warp_frames ? (j >> 4) & 1 : j & 1;
  const int m = warp_frames ? (j & 15) + 16 * (j >> 5) : j >> 1; // butterfly m + hi NS, m < NS
  constexpr int lane_xor = warp_frames ? 16 : 1;
  float2 x[P];
  if constexpr (padh_split<H>()) { // (m + hi NS < TPF, a multiple of 16)
    const float2 *sp = src + PADH<H>(m + hi * NS);
#pragma unroll
    for (int r = 0; r < P; ++r) x[r] = sp[PADH<H>(r * TPF)];
  } else {
#pragma unroll
    for (int r = 0; r < P; ++r) x[r] = src[PADH<H>(m + hi * NS + r * TPF)];
  }
  reg_twiddle<H, NS, P, P, PIN>(x, m, tw, s);
  butterfly<P>(x, s);
  // x[r] is position hi h/2 + m + r NS; the lower lane keeps rows r < P/2,
  // the upper rows r >= P/2, each swapping the other half with its partner
  unsigned mask = 0xffffffffu;
  if constexpr (!warp_frames) { // (a block's last warp may be partial)
    const int lanes = min(32, (int)(blockDim.x - (threadIdx.x & ~31u)));
    if (lanes < 32) mask = (1u << lanes) - 1u;
  }
  // radix-2 butterfly b = b0 + i NS, b0 = m + hi (P/2) NS: positions b, b + h/2
  const int b0 = m + hi * HALF * NS;
  const float2 *t = tw + points_tw_offset<P>(H, NS * P) + b0 * tw_row(2);
  float2 *db = d + (padh_split<H>() ? PADH<H>(b0) : 0);
#pragma unroll
  for (int i = 0; i < HALF; ++i) {
    const float2 send = hi ? x[i] : x[HALF + i];
    const float2 got = make_float2(__shfl_xor_sync(mask, send.x, lane_xor), __shfl_xor_sync(mask, send.y, lane_xor));
    float2 y[2] = {hi ? got : x[i], hi ? x[HALF + i] : got};
    twiddle_row<2, PIN>(y, t + i * NS * tw_row(2), s);
    butterfly<2>(y, s);
    if constexpr (padh_split<H>()) { // (NS a multiple of 16)
      db[PADH<H>(i * NS)] = y[0];
      db[PADH<H>(i * NS + H / 2)] = y[1];
    } else {
      const int b = b0 + i * NS;
      d[PADH<H>(b)] = y[0];
      d[PADH<H>(b + H / 2)] = y[1];
    }
  }
}

// GD, GO: the pads (PADH's G) of dst and other; the last pass's input and a
// transform handed to the caller (but for stop_before_radix2's) keep PADH's
// one slot in 16 (static_asserts below), as does the shuffled pass.
template <int H, int NS, class Last = no_last_pass, int P, bool PIN = false, int GD = 1, int GO = 1>
__device__ __forceinline__ float2 *reg_passes(float2 (&v)[P], float2 *dst, float2 *other, int fo, int j,
                                              const float2 *__restrict__ tw, float s, Last last = {}) {
  constexpr int R = points_radix<P>(H / NS), TPF = H / P, NS2 = NS * R;
  constexpr bool plain = std::is_same<Last, no_last_pass>::value,
                 stop2 = std::is_same<Last, stop_before_radix2>::value;
  static_assert(!stop2 || NS2 < H, "stop_before_radix2: the transform's last pass must be radix 2");
  float2 *d = dst + fo;
  reg_pass<H, NS, P, PIN, GD>(v, d, j, tw, s);
  if constexpr ((plain && NS2 >= H) || (stop2 && 2 * NS2 == H)) {
    static_assert(GD == 1 || stop2, "the caller reads the transform with PADH's one slot in 16");
    __syncthreads(); // the caller reads across frames
    return dst;
  } else {
    frame_sync<TPF>();
    if constexpr (!plain && !stop2 && NS2 * points_radix<P>(H / NS2) >= H) {
      last(std::integral_constant<int, NS2>{}, d, std::integral_constant<int, GD>{}); // (d's pad)
      return other;
    } else if constexpr (plain && shfl_radix2_at<H, P>(NS2)) {
      static_assert(GD == 1 && GO == 1, "the shuffled pass: PADH's one slot in 16");
      reg_pass_shfl_radix2<H, NS2, P, PIN>(d, other + fo, j, tw, s);
      __syncthreads(); // the caller reads across frames
      return other;
    } else {
      if constexpr (padh_split<H>()) { // (TPF a multiple of 16)
        const float2 *dj = d + PADH<H, GD>(j);
#pragma unroll
        for (int i = 0; i < P; ++i) v[i] = dj[PADH<H, GD>(i * TPF)];
      } else {
#pragma unroll
        for (int i = 0; i < P; ++i) v[i] = d[PADH<H, GD>(j + i * TPF)];
      }
      return reg_passes<H, NS2, Last, P, PIN, GO, GD>(v, other, dst, fo, j, tw, s, last);
    }
  }
}

// The untangle roots rtw[k] = e^(-i pi k / h) (k < h) of the bins the last
// pass pairs, from one another: rtw[h - k] = -conj(rtw[k]) and rtw[k + h/2]
// = -i rtw[k] (sign changes and swaps: the same bits the table holds, which
// unit_root_f makes exactly symmetric), so a thread loads one root per pair
// of rows instead of one per bin.
__device__ __forceinline__ float2 rtw_mirror(float2 w) { return make_float2(-w.x, w.y); }
__device__ __forceinline__ float2 rtw_plus_half(float2 w) { return make_float2(w.y, -w.x); }

// The forward kernels (STFT, frontends) take the window times 0.5 times the
// plan's forward scale (forward_window_table, cuda_plan_data.fwindow): the
// transform is linear, so their spectra come out scaled, and the untangle's
// halves and the scale cost no multiplies per bin (6 a bin: about 7% of the
// n_fft 2048 STFT's instructions).  Halving is exact, so with the default
// scale (1, or any power of two) the bits are those of the unfolded
// arithmetic; other scales round once in the table instead of once a bin.
// DC and Nyquist, which have no halves (Z_0's sum and difference), are
// doubled back (untangle_dc).  H200, graph replay, same calls, autotune off
// (bench/results/experiments, nineteenth session, calls B and C): B8 T480k
// 30.0 -> 29.4 us, B4 T1.32M 42.5 -> 41.3, B32 T160k 40.7 -> 39.8; n_fft 2048
// with half the frames a block (the autotune's pick there) 57.8 -> 57.3,
// but its built-in 4 frames 58.9 -> 60.0 (the compiler moved part of the
// untangle into branches around the `if (live)` stores; one predicated
// store, which kept it straight-line, was slower still: 61.6).
static inline void forward_window_table(const double *window, int64_t n, double scale, float *out) {
  for (int64_t i = 0; i < n; ++i) out[i] = (float)(window[i] * 0.5 * scale);
}
// Bins 0 and h from Z_0 (forward_window_table's halved window: doubled).
__device__ __forceinline__ float2 untangle_dc(float2 z0, bool nyquist) {
  return make_float2(2.f * (nyquist ? z0.x - z0.y : z0.x + z0.y), 0.f);
}

// Bin of the real spectrum from Z_k (za) and Z_{h-k} (zb) of the
// half-length transform of a frame windowed by forward_window_table (its
// 0.5 is the formula's: X_k = (Z_k + conj Z_{h-k}) / 2 - i W^k (Z_k - conj
// Z_{h-k}) / 2), w = rtw[k] (as untangle_at).  The products and
// fused multiply-adds are spelled out: left to the compiler, which product
// it fuses depends on the kernel around it (with a root derived by a sign
// change it chose differently), and the [frames][bins] and [bins][frames]
// kernels would differ in the last bit.
__device__ __forceinline__ float2 untangle_pair(float2 za, float2 zb, float2 w) {
  const float er = za.x + zb.x, ei = za.y - zb.y, dr = za.x - zb.x, di = za.y + zb.y;
  return make_float2(er + __fmaf_rn(w.x, di, __fmul_rn(w.y, dr)), ei + __fmaf_rn(w.y, di, -__fmul_rn(w.x, dr)));
}

// The last pass of a forward real transform (NS points combined, radix R =
// H / NS), taken per group of butterflies closed under b -> NS - b, so that
// a thread holds Z_k and Z_{H-k} together and untangles the real spectrum
// in registers: bin(k, X_k) for every bin k = 0 .. H of the frame, once.
// Thread j (< NS / G) takes G = max(REG_P / R, 2) butterflies: {j, NS - j}
// (and {NS/2 - j, NS/2 + j} when G = 4); thread 0 the self-paired 0 and
// NS/2 (and NS/4, 3 NS/4).  With REG_P / R = 1 half the threads idle, but
// see reg_last_pass_real_shfl.
//
// Where that would idle half the threads (radix REG_P after NS = 64 points:
// h = 512, n_fft 1024; SPECTRO_LAST_PASS_SHFL) every thread takes one
// butterfly b instead, placed so that its partner NS - b is in the same
// warp (warp 0: 0..15, 32, 49..63; warp 1: 16..31, 33..48), gets the
// partner's outputs by shuffles and untangles its own R bins b + NS r (b =
// 0 also bin H, b = 0 and NS / 2 pair with themselves).
#ifndef SPECTRO_LAST_PASS_SHFL
#define SPECTRO_LAST_PASS_SHFL 1
#endif
template <int H, int NS, int G, class Bin>
__device__ __forceinline__ void reg_last_pass_real_shfl(const float2 *src, int j, const float2 *__restrict__ tw,
                                                        const float2 *__restrict__ rtw, Bin &bin) {
  constexpr int R = H / NS;
  static_assert(NS == 64 && H / REG_P == NS, "one butterfly per thread, frames of two warps");
  const int l = j & 31;
  int b, p; // butterfly, partner's lane
  if (j < 32) {
    b = l < 16 ? l : l == 16 ? NS / 2 : NS / 2 + l;
    p = (32 - l) & 31;
  } else {
    b = l < 16 ? 16 + l : NS - l;
    p = l ^ 16;
  }
  float2 P[R], Pn[R];
#pragma unroll
  for (int r = 0; r < R; ++r) P[r] = src[PADH<H, G>(b) + PADH<H, G>(r * NS)]; // (padh_split: NS = 64)
  reg_twiddle<H, NS, R>(P, b, tw, -1.f);
  butterfly<R>(P, -1.f);
#pragma unroll
  for (int r = 0; r < R; ++r)
    Pn[r] = make_float2(__shfl_sync(0xffffffffu, P[r].x, p), __shfl_sync(0xffffffffu, P[r].y, p));
  float2 w[R]; // rtw[b + NS r]
#pragma unroll
  for (int r = 0; r < R; ++r) w[r] = r < R / 2 ? __ldg(&rtw[b + NS * r]) : rtw_plus_half(w[r >= R / 2 ? r - R / 2 : 0]);
  if (b == 0) { // Z_{H - NS r} is output R - r of butterfly 0
    const float2 z0 = P[0];
    bin(0, untangle_dc(z0, false));
    bin(H, untangle_dc(z0, true));
#pragma unroll
    for (int r = 1; r < R; ++r) bin(NS * r, untangle_pair(P[r], P[R - r], w[r]));
    return;
  }
  // Z_{H - k} for k = b + NS r is output R - 1 - r of butterfly NS - b (b = NS / 2, lane 16 of
  // warp 0, is its own partner lane: Pn = P)
#pragma unroll
  for (int r = 0; r < R; ++r) bin(b + NS * r, untangle_pair(P[r], Pn[R - 1 - r], w[r]));
}

// DERIVE: twiddles and roots derived from one another as above (else each
// loaded: the n_fft 2048 [bins][frames] kernel, which stages its bins in
// shared memory, ran 6% slower deriving them; the values are the same).
// GP: src's pad (PADH's G).
template <int H, int NS, bool DERIVE, int GP = 1, class Bin>
__device__ __forceinline__ void reg_last_pass_real(const float2 *src, int j, const float2 *__restrict__ tw,
                                                   const float2 *__restrict__ rtw, Bin &bin) {
  constexpr int R = H / NS, Q = REG_P / R, G = Q < 2 ? 2 : Q, A = NS / G;
  static_assert(R >= 2 && R * NS == H && (G == 2 || G == 4), "last-pass grouping");
  static_assert(padh_split<H>() && NS % 16 == 0, "the points as one address and constant offsets");
  if constexpr (SPECTRO_LAST_PASS_SHFL && Q == 1 && NS == 64 && H / REG_P == NS) {
    reg_last_pass_real_shfl<H, NS, GP>(src, j, tw, rtw, bin);
    return;
  }
  if (j >= A) return;
  int bs[G];
  bs[0] = j;
  bs[1] = j ? NS - j : NS / 2;
  if constexpr (G == 4) {
    bs[2] = j ? NS / 2 - j : NS / 4;
    bs[3] = j ? NS / 2 + j : 3 * NS / 4;
  }
  float2 X[G][R];
  // radix 2 (h = 1024): the twiddles t[m] = e^(2 pi i m / h) of butterflies
  // NS - j, NS/2 - j, NS/2 + j are t[j] reflected (one load); thread 0's
  // 0, NS/2, NS/4, 3 NS/4 are 1, i, (1 + i) / sqrt 2, i (1 + i) / sqrt 2
  // (the float of sqrt(1/2) the table holds)
  constexpr bool derive_tw = DERIVE && G == 4 && R == 2;
  float2 tg[G];
  if constexpr (derive_tw) {
    const float2 a = __ldg(tw + points_tw_offset<REG_P>(H, NS) + j), c = make_float2(0.70710678f, 0.70710678f);
    tg[0] = a;
    tg[1] = j ? make_float2(-a.x, a.y) : make_float2(-a.y, a.x);
    tg[2] = j ? make_float2(a.y, a.x) : c;
    tg[3] = j ? make_float2(-a.y, a.x) : make_float2(-c.y, c.x);
  }
#pragma unroll
  for (int g = 0; g < G; ++g) {
#pragma unroll
    for (int r = 0; r < R; ++r) X[g][r] = src[PADH<H, GP>(bs[g]) + PADH<H, GP>(r * NS)]; // (padh_split: NS >= 64)
    if constexpr (derive_tw) X[g][1] = twiddle_mul(X[g][1], tg[g], -1.f);
    else reg_twiddle<H, NS, R>(X[g], bs[g], tw, -1.f);
    butterfly<R>(X[g], -1.f);
  }
  // butterfly b's output r is Z_{b + NS r}; Z_{H - k} is output R - 1 - r of
  // butterfly NS - b (output R - r of butterfly 0 for b = 0)
  auto pair = [&](const float2 (&P)[R], const float2 (&Pn)[R], int b) {
    float2 w[R]; // rtw[b + NS r]
#pragma unroll
    for (int r = 0; r < R; ++r) {
      const int k = b + NS * r;
      w[r] = r < R / 2 || !DERIVE ? __ldg(&rtw[k]) : rtw_plus_half(w[r >= R / 2 ? r - R / 2 : 0]);
      bin(k, untangle_pair(P[r], Pn[R - 1 - r], w[r]));
      bin(H - k, untangle_pair(Pn[R - 1 - r], P[r], DERIVE ? rtw_mirror(w[r]) : __ldg(&rtw[H - k])));
    }
  };
  if (j) {
    pair(X[0], X[1], bs[0]);
  } else {
    const float2 z0 = X[0][0];
    bin(0, untangle_dc(z0, false));
    bin(H, untangle_dc(z0, true));
#pragma unroll
    for (int r = 1; 2 * r <= R; ++r) {
      const int k = NS * r;
      const float2 w = __ldg(&rtw[k]);
      bin(k, untangle_pair(X[0][r], X[0][R - r], w));
      if (2 * r < R) bin(H - k, untangle_pair(X[0][R - r], X[0][r], DERIVE ? rtw_mirror(w) : __ldg(&rtw[H - k])));
    }
#pragma unroll
    for (int r = 0; 2 * r < R; ++r) {
      const int k = NS / 2 + NS * r;
      const float2 w = __ldg(&rtw[k]);
      bin(k, untangle_pair(X[1][r], X[1][R - 1 - r], w));
      bin(H - k, untangle_pair(X[1][R - 1 - r], X[1][r], DERIVE ? rtw_mirror(w) : __ldg(&rtw[H - k])));
    }
  }
  if constexpr (G == 4) pair(X[2], X[3], bs[2]);
}

// The passes of a forward real transform from the one after NS points on,
// the last one untangling in registers (reg_last_pass_real).  Returns the
// buffer free for bin() to stage into (the other one held the last pass's
// input and is free once the caller has synchronised).
// GO: other's pad (PADH's G; other than 1 where the passes leave the last
// one's input in dst: stft_pad2).
template <int H, bool DERIVE = true, int GO = 1, class Bin>
__device__ __forceinline__ float2 *reg_passes_real(float2 (&v)[REG_P], float2 *dst, float2 *other, int fo, int j,
                                                   const float2 *__restrict__ tw, const float2 *__restrict__ rtw,
                                                   Bin &bin) {
  auto last = [&](auto ns, const float2 *d, auto gd) {
    reg_last_pass_real<H, decltype(ns)::value, DERIVE, decltype(gd)::value>(d, j, tw, rtw, bin);
  };
  return reg_passes<H, 1, decltype(last), REG_P, false, 1, GO>(v, dst, other, fo, j, tw, -1.f, last);
}

// ---------------------------------------------------------------- register FFT, 10 points per thread
//
// The forward transform of h = 200 (n_fft 400, the speech front ends'
// size): the register FFT above (reg_passes) with 10 points per thread (20
// threads per frame): passes of radix 10, 10, 2 (the last two in one,
// reg_pass_shfl_radix2: one shared-memory exchange), the result written to shared memory in natural order
// (Stockham padding, PADH<200> = PAD) for the callers' untangle loops.  The Stockham
// passes it replaces (8, 5, 5) left a quarter of the block idle in the
// radix-5 passes and spent a quarter of the kernel's instructions on index
// arithmetic.  The iSTFT runs it too (inverse direction).
__host__ __device__ constexpr int p10_tw_offset(int h, int ns) { return points_tw_offset<P10>(h, ns); }
inline void p10_fill_twiddles(int h, float2 *t) { points_fill_twiddles<P10>(h, t); }

// Passes of the register FFT of h points.
__host__ __device__ constexpr int reg_pass_count(int h) {
  int c = 0;
  for (int n = 1; n < h; n *= reg_radix(h / n)) ++c;
  return c;
}
// Of the buffers a and b of reg_passes_real(v, b, a, ...), the one its last
// pass does not read: bin() may write it while that pass runs.
template <int H> __device__ __forceinline__ float2 *reg_real_free(float2 *a, float2 *b) {
  return reg_pass_count(H) % 2 == 0 ? a : b;
}

// Thread (frame, point) of the register FFT (P points per thread): frame
// threadIdx.x / (H / P).
template <int H, int P = REG_P> __device__ __forceinline__ int reg_frame() { return threadIdx.x / (H / P); }
template <int H, int P = REG_P> __device__ __forceinline__ int reg_lane() { return threadIdx.x % (H / P); }

// ---------------------------------------------------------------- forward

// Input samples: float32, float16, bfloat16 or int16 PCM (scaled by
// 1/32768), converted to float32 on load.  sample_pair<T> is the 2-vector
// type read when a frame's sample pairs are aligned.
template <class T> struct sample_traits;
template <> struct sample_traits<float> {
  using pair = float2;
  static __device__ __forceinline__ float f(float v) { return v; }
  static __device__ __forceinline__ float2 f2(pair v) { return v; }
};
template <> struct sample_traits<__half> {
  using pair = __half2;
  static __device__ __forceinline__ float f(__half v) { return __half2float(v); }
  static __device__ __forceinline__ float2 f2(pair v) { return __half22float2(v); }
};
template <> struct sample_traits<__nv_bfloat16> {
  using pair = __nv_bfloat162;
  static __device__ __forceinline__ float f(__nv_bfloat16 v) { return __bfloat162float(v); }
  static __device__ __forceinline__ float2 f2(pair v) { return __bfloat1622float2(v); }
};
template <> struct sample_traits<int16_t> {
  using pair = short2;
  static __device__ __forceinline__ float f(int16_t v) { return (float)v * (1.f / 32768.f); }
  static __device__ __forceinline__ float2 f2(pair v) {
    return make_float2((float)v.x * (1.f / 32768.f), (float)v.y * (1.f / 32768.f));
  }
};

template <class T>
__device__ __forceinline__ float load_sample(const T *x, int64_t i, int64_t length, int reflect) {
  if (i < 0 || i >= length) {
    if (!reflect) return 0.f;
    if (i < 0) i = -i;
    if (i >= length) i = 2 * (length - 1) - i;
  }
  return sample_traits<T>::f(x[i]);
}

// Complex point k of frame t: samples 2k and 2k + 1, padded by index and
// windowed (w = window[2k], window[2k + 1]); zero beyond the last frame.
template <class T>
__device__ __forceinline__ float2 frame_point(const T *__restrict__ x, const stft_geometry &g, int64_t t, int k,
                                              int h, float2 w) {
  if (t >= g.n_frames) return make_float2(0.f, 0.f);
  const int64_t start = t * g.hop - g.pad_left, p = start + 2 * k;
  if (start >= 0 && start + 2 * h <= g.length) { // the whole frame is inside: no padding rule
    if (g.pairs) {
      const float2 s2 =
          sample_traits<T>::f2(*reinterpret_cast<const typename sample_traits<T>::pair *>(x + p));
      return make_float2(s2.x * w.x, s2.y * w.y);
    }
    return make_float2(sample_traits<T>::f(x[p]) * w.x, sample_traits<T>::f(x[p + 1]) * w.y);
  }
  return make_float2(load_sample(x, p, g.length, g.reflect) * w.x, load_sample(x, p + 1, g.length, g.reflect) * w.y);
}

// Thread (f, j) = (threadIdx.x / (H / P), threadIdx.x mod (H / P)) of a
// register-FFT block (P points per thread): points j + i H / P of frame
// t0 + f (padding by index, window on load), straight into the first pass's
// registers.
// PAIRS: the launch knows g.pairs is set (a kernel instance without the
// unpaired loads, which the compiler otherwise issues predicated off next
// to the paired ones: 16 of a thread's 33 loads at n_fft 2048).
template <int H, class T, int P = REG_P, bool PAIRS = false>
__device__ __forceinline__ void reg_load_frame(const T *__restrict__ x, const stft_geometry &g, int64_t t0,
                                               const float *__restrict__ window, float2 (&v)[P]) {
  constexpr int TPF = H / P;
  const int f = reg_frame<H, P>(), j = reg_lane<H, P>(); // (written so, the P = REG_P kernels' code is as before)
  const int64_t t = t0 + f, start = t * g.hop - g.pad_left;
  const float2 *w2 = reinterpret_cast<const float2 *>(window);
  if (t < g.n_frames && start >= 0 && start + 2 * H <= g.length) { // inside the signal: plain loads
    const T *p = x + start;
    if (PAIRS || g.pairs) {
      using pair = typename sample_traits<T>::pair;
#pragma unroll
      for (int i = 0; i < P; ++i) v[i] = sample_traits<T>::f2(*reinterpret_cast<const pair *>(p + 2 * (j + i * TPF)));
    } else {
#pragma unroll
      for (int i = 0; i < P; ++i) {
        const int k = j + i * TPF;
        v[i] = make_float2(sample_traits<T>::f(p[2 * k]), sample_traits<T>::f(p[2 * k + 1]));
      }
    }
#pragma unroll
    for (int i = 0; i < P; ++i) {
      const float2 w = __ldg(w2 + j + i * TPF);
      v[i] = make_float2(v[i].x * w.x, v[i].y * w.y);
    }
  } else {
#pragma unroll
    for (int i = 0; i < P; ++i) v[i] = frame_point(x, g, t, j + i * TPF, H, __ldg(w2 + j + i * TPF));
  }
}

// Loads frames t0 .. t0 + fpb - 1 of one signal (padding by index, window
// on load, sample pairs packed as complex points) and transforms them;
// returns the buffer that holds the spectra (a or b; frame f's point k at
// f * padded_frame(h, fpb) + PADH<H>(k)); the other buffer is free.  The
// register-FFT sizes take FPB * h / REG_P threads (h = 200: FPB * h / P10),
// the others THREADS.
template <int H, int FPB, class T>
__device__ __forceinline__ float2 *forward_frames(const T *__restrict__ x, float2 *a, float2 *b,
                                                  const stft_geometry &g, int64_t t0, const pass_table &pt,
                                                  const float2 *__restrict__ tw, const float *__restrict__ window) {
  const int h = H > 0 ? H : g.h, fpb = FPB > 0 ? FPB : g.fpb, hp = padded_frame(h, fpb);
  if constexpr (reg_fft_size(H)) {
    float2 v[REG_P];
    reg_load_frame<H, T>(x, g, t0, window, v);
    return reg_passes<H, 1>(v, b, a, reg_frame<H>() * padded_frame(H, FPB), reg_lane<H>(), tw, -1.f);
  } else if constexpr (p10_fft_size(H)) {
    float2 v[P10];
    reg_load_frame<H, T, P10>(x, g, t0, window, v);
    return reg_passes<H, 1>(v, b, a, reg_frame<H, P10>() * padded_frame(H, FPB), reg_lane<H, P10>(), tw, -1.f);
  } else {
    for (int idx = threadIdx.x; idx < fpb * h; idx += THREADS) {
      const int f = idx / h, k = idx - f * h;
      a[f * hp + PAD(k)] = frame_point(x, g, t0 + f, k, h, __ldg(reinterpret_cast<const float2 *>(window) + k));
    }
    __syncthreads();
    if constexpr (H > 0) return fft_static<H, FPB, 1>(a, b, tw, -1.f);
    else return fft_shared(a, b, h, fpb, pt, tw, -1.f);
  }
}

// Bin k (0..h) of the real spectrum from the half-length complex transform
// zf of one frame; pa = PADH<H>(k), pb = PADH<H>(h - k), w = rtw[k] (any value for
// k = 0 or h).  Callers hoist pa, pb and w out of their loop over frames.
__device__ __forceinline__ float2 untangle_at(const float2 *zf, int k, int h, int pa, int pb, float2 w) {
  if (k == 0 || k == h) return untangle_dc(zf[0], k == h);
  return untangle_pair(zf[pa], zf[pb], w);
}

// Window envelope sum_f w^2[p - f hop] at padded position p (iSTFT).
__device__ __forceinline__ float envelope_at(const float *window, int64_t p, int n, int hop, int64_t n_frames) {
  int64_t f_hi = p / hop;
  if (f_hi > n_frames - 1) f_hi = n_frames - 1;
  int64_t f_lo = p - n + 1 <= 0 ? 0 : (p - n + 1 + hop - 1) / hop;
  float env = 0.f;
  for (int64_t f = f_lo; f <= f_hi; ++f) {
    float w = __ldg(&window[p - f * hop]);
    env += w * w;
  }
  return env;
}

// The window envelope at padded position p, r = p mod hop: where every frame
// that could touch p exists (n - 1 <= p < n_frames hop), the plan's periodic
// table (plan->window_sq_period_f, min(hop, n) entries: none past n, as the
// CPU backend); near the ends, summed by envelope_at.
__device__ __forceinline__ float envelope(const float *__restrict__ env_period, const float *window, int64_t p, int r,
                                          int n, int hop, int64_t n_frames) {
  if (p >= n - 1 && p < n_frames * hop) return r < n ? __ldg(&env_period[r]) : 0.f;
  return envelope_at(window, p, n, hop, n_frames);
}

// ---------------------------------------------------------------- host side

// A plan's tables on one device.
#define FFT_SLOTS 24 // cuFFT plans per direction: batches 1, 2, 4, ... 2^23 frames

#define TUNE_MEMO 32 // (configurations remembered per plan; more go to the autotune cache each call)
struct cuda_plan_data {
  int device;
  int sms, sm_smem; // the device's multiprocessors and shared memory per multiprocessor (bytes; 0: unknown)
  int l2_bytes;     // the device's L2 cache (bytes; 0: unknown)
  int pdl;          // programmatic dependent launches on (STFT, iSTFT; cuda_plan_tables)
  int fused; // the own-FFT kernels cover this size; else cuFFT (src/cuda/fft_fallback.cu)
  float2 *tw, *rtw;
  float2 *tw32; // n_fft 2048 with SPECTRO_STFT_R32: the radix-32 kernels' twiddles (fft_r32.cuh); else NULL
  float *window;     // the plan's window (the cuFFT path, the iSTFT's envelope ends)
  float *fwindow;    // the forward kernels': window 0.5 forward_scale (forward_window_table)
  float *iwindow;    // iSTFT: window / (n_fft forward_scale), the overlap-add's scaled window
  float *env_period; // iSTFT: the plan's window_sq_period_f (sum of w^2 over j = r mod hop), min(hop, n_fft) values
  float *env_inv;    // 1 / env_period (0 where env_period <= 1e-11), min(hop, n_fft) values
  pass_table pt;
  pthread_mutex_t fft_lock; // guards the cuFFT handles: stream and work area are set per call
  int fft_made[2][FFT_SLOTS];
  int fft_handle[2][FFT_SLOTS]; // cufftHandle
  size_t fft_ws[2][FFT_SLOTS];
  // the autotune's choices for this plan's calls (tune_cuda.cuh)
  char gpu_id[64]; // (cuda_gpu_id, made on the first choice; "" before)
  pthread_mutex_t tune_lock;
  int tune_count;
  uint64_t tune_sig[TUNE_MEMO];
  int tune_choice[TUNE_MEMO];
};

// Whether the own-FFT kernels cover plan's n_fft (else the cuFFT fallback).
extern "C" int spectro_cuda_supported_size(const spectro_stft_plan *plan);

// The status for a CUDA error (clears the runtime's last-error state).
spectro_status cuda_error_status(cudaError_t e, const char *what);
// Lets `kernel` launch with `smem` bytes of dynamic shared memory (> 48 KB
// needs the opt-in; set to the device maximum, the same for every caller).
cudaError_t cuda_allow_smem(const void *kernel, size_t smem);
// A device copy of `bytes` bytes of host at *dev (cudaMalloc + cudaMemcpy),
// unless e already holds an error, which is returned unchanged: a run of
// uploads stops at the first failure.  *dev is set only once allocated, so
// the caller frees exactly what was (fields start NULL).
template <class X> static inline cudaError_t upload(cudaError_t e, X **dev, const void *host, size_t bytes) {
  if (e != cudaSuccess) return e;
  X *p = NULL;
  e = cudaMalloc(&p, bytes);
  if (e != cudaSuccess) return e;
  *dev = p;
  return cudaMemcpy(p, host, bytes, cudaMemcpyHostToDevice);
}

#define CUDA_TRY(expr, what)                                                                        \
  do {                                                                                              \
    cudaError_t e_ = (expr);                                                                        \
    if (e_ != cudaSuccess) return cuda_error_status(e_, what);                                      \
  } while (0)

// Per-device tables of a plan (STFT or frontend): slots[device] holds a
// D * (with an int `device` field) made on first use.  device_tables_find
// reads a slot under the plan's lock; device_tables_publish stores a freshly
// made d unless another thread got there first, in which case d is freed
// with free_d and the winner returned; device_tables_release frees every
// slot on its own device.
template <class D>
static inline D *device_tables_find(pthread_mutex_t *lock, void *const *slots, int device) {
  pthread_mutex_lock(lock);
  D *d = (D *)slots[device];
  pthread_mutex_unlock(lock);
  return d;
}

template <class D, class Free>
static inline D *device_tables_publish(pthread_mutex_t *lock, void **slots, int device, D *d, Free free_d) {
  pthread_mutex_lock(lock);
  if (slots[device] == NULL) {
    slots[device] = d;
  } else {
    free_d(d);
    d = (D *)slots[device];
  }
  pthread_mutex_unlock(lock);
  return d;
}

template <class D, class Free>
static inline void device_tables_release(void **slots, Free free_d) {
  for (int i = 0; i < SPECTRO_MAX_DEVICES; ++i) {
    D *d = (D *)slots[i];
    if (!d) continue;
    int current = 0;
    cudaGetDevice(&current);
    cudaSetDevice(d->device);
    free_d(d);
    cudaSetDevice(current);
    slots[i] = NULL;
  }
}

// The STFT plan's tables on the current device, uploaded on first use.
spectro_status cuda_plan_tables(const spectro_stft_plan *plan, cuda_plan_data **out);


// Calls launch(std::integral_constant<int, H>) with H = h for the sizes
// compiled with h known (static_frames(h) > 0), H = 0 (the run-time
// kernels) otherwise.
template <class Launch>
static void launch_by_size(int h, Launch launch) {
  switch (h) {
  case 32: launch(std::integral_constant<int, 32>{}); break;
  case 64: launch(std::integral_constant<int, 64>{}); break;
  case 128: launch(std::integral_constant<int, 128>{}); break;
  case 256: launch(std::integral_constant<int, 256>{}); break;
  case 512: launch(std::integral_constant<int, 512>{}); break;
  case 1024: launch(std::integral_constant<int, 1024>{}); break;
  case 2048: launch(std::integral_constant<int, 2048>{}); break;
  case 200: launch(std::integral_constant<int, 200>{}); break;
  case 500: launch(std::integral_constant<int, 500>{}); break;
  default: launch(std::integral_constant<int, 0>{}); break;
  }
}

// Calls launch(std::true_type{}) for the [frames][bins] layout (bnf),
// launch(std::false_type{}) for [bins][frames].
template <class Launch>
static void launch_by_layout(bool bnf, Launch launch) {
  if (bnf) launch(std::true_type{});
  else launch(std::false_type{});
}

// Calls launch(T{}) with the sample type of dtype (float32, float16,
// bfloat16, int16); the caller validated dtype.
template <class Launch>
static void launch_by_dtype(spectro_dtype dtype, Launch launch) {
  switch (dtype) {
  case SPECTRO_FLOAT16: launch(__half{}); break;
  case SPECTRO_BFLOAT16: launch(__nv_bfloat16{}); break;
  case SPECTRO_INT16: launch(int16_t{}); break;
  default: launch(float{}); break;
  }
}

static inline size_t sample_bytes(spectro_dtype dtype) {
  return dtype == SPECTRO_FLOAT32 ? 4 : 2;
}

// Frames per block that fit two padded frame buffers plus extra_bytes in budget.
static inline int frames_per_block(int h, int extra_bytes, int budget) {
  int fpb = (budget - extra_bytes) / (int)(2 * sizeof(float2) * padded_frame(h, 1)); // (sizes without a register FFT)
  if (fpb > 8) fpb = 8;
  return fpb < 1 ? 1 : fpb;
}

// The forward geometry of a plan for one call.
static inline stft_geometry forward_geometry(const spectro_stft_plan *plan, const void *signal, size_t sample_bytes,
                                             int64_t length, int64_t n_frames) {
  stft_geometry g;
  g.n = (int)plan->n_fft;
  g.h = g.n / 2;
  g.hop = (int)plan->hop;
  g.bins = (int)plan->bins;
  g.pad_left = (int)plan->fr.pad_left;
  g.reflect = plan->fr.center && plan->fr.pad_mode == SPECTRO_PAD_REFLECT;
  g.length = length;
  g.n_frames = n_frames;
  g.fpb = forward_frames_per_block(g.h) ? forward_frames_per_block(g.h) : frames_per_block(g.h, 0, SMEM_BYTES);
  g.pairs = g.hop % 2 == 0 && g.pad_left % 2 == 0 && length % 2 == 0 && ((uintptr_t)signal % (2 * sample_bytes)) == 0;
  return g;
}

#endif
