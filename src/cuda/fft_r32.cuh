// The n_fft 2048 transform as a warp per frame (the "radix-32" kernels):
// the half-length complex FFT of 1024 = 32 x 32 points with 32 points per
// lane, one DFT-32 in registers, twiddles, one transpose through shared
// memory (the only exchange: no block barrier), a second DFT-32.  Against
// the register FFT of fft_smem.cuh (8 points per thread, 128 threads a
// frame, three exchanges) it executes about a third fewer instructions
// (2112 against 3113 warp instructions a frame for the STFT, SASS), but
// needs 168 registers a thread: 3 blocks of 4 warps per multiprocessor.
// So it is one of the autotune's candidates at n_fft 2048 [frames][bins]
// (SPECTRO_STFT_R32 compiles it; tune_cuda.cuh) rather than the default:
// on an H200, same call, B16 T441k, it took 65.9 us against the register
// FFT's 62.9, at 17.5% of peak warps active against 67.5 (Nsight Compute;
// bench/results/experiments, seventeenth session).
// Included by stft_kernels.cuh; device code only.
#pragma once
#include "fft_smem.cuh"

// cos, sin of 2 pi e / 32 (e mod 32), exact zeros at the quarter turns
__host__ __device__ __forceinline__ float2 w32_root(int e) {
  constexpr float c[32] = {1.000000000e+00f, 9.807852804e-01f, 9.238795325e-01f, 8.314696123e-01f, 7.071067812e-01f, 5.555702330e-01f, 3.826834324e-01f, 1.950903220e-01f, 0.000000000e+00f, -1.950903220e-01f, -3.826834324e-01f, -5.555702330e-01f, -7.071067812e-01f, -8.314696123e-01f, -9.238795325e-01f, -9.807852804e-01f, -1.000000000e+00f, -9.807852804e-01f, -9.238795325e-01f, -8.314696123e-01f, -7.071067812e-01f, -5.555702330e-01f, -3.826834324e-01f, -1.950903220e-01f, 0.000000000e+00f, 1.950903220e-01f, 3.826834324e-01f, 5.555702330e-01f, 7.071067812e-01f, 8.314696123e-01f, 9.238795325e-01f, 9.807852804e-01f};
  constexpr float s[32] = {0.000000000e+00f, 1.950903220e-01f, 3.826834324e-01f, 5.555702330e-01f, 7.071067812e-01f, 8.314696123e-01f, 9.238795325e-01f, 9.807852804e-01f, 1.000000000e+00f, 9.807852804e-01f, 9.238795325e-01f, 8.314696123e-01f, 7.071067812e-01f, 5.555702330e-01f, 3.826834324e-01f, 1.950903220e-01f, 0.000000000e+00f, -1.950903220e-01f, -3.826834324e-01f, -5.555702330e-01f, -7.071067812e-01f, -8.314696123e-01f, -9.238795325e-01f, -9.807852804e-01f, -1.000000000e+00f, -9.807852804e-01f, -9.238795325e-01f, -8.314696123e-01f, -7.071067812e-01f, -5.555702330e-01f, -3.826834324e-01f, -1.950903220e-01f};
  return make_float2(c[e & 31], s[e & 31]);
}

// In-place natural-order DFT-32 of x, sign s (-1 forward): 4 DFT-8s over
// x[j + 4 q] (butterfly<8>), twiddles w32^(j m) (constants), 8 DFT-4s.
__device__ __forceinline__ void dft32(float2 (&x)[32], float s) {
  float2 y[4][8];
#pragma unroll
  for (int j = 0; j < 4; ++j) {
#pragma unroll
    for (int q = 0; q < 8; ++q) y[j][q] = x[j + 4 * q];
    butterfly<8>(y[j], s);
  }
#pragma unroll
  for (int j = 1; j < 4; ++j)
#pragma unroll
    for (int m = 1; m < 8; ++m) {
      const int e = j * m;
      const float2 v = y[j][m];
      if (e == 8) { // s i
        y[j][m] = make_float2(-s * v.y, s * v.x);
        continue;
      }
      y[j][m] = twiddle_mul(v, w32_root(e), s);
    }
#pragma unroll
  for (int m = 0; m < 8; ++m) {
    float2 u[4] = {y[0][m], y[1][m], y[2][m], y[3][m]};
    butterfly<4>(u, s);
#pragma unroll
    for (int r = 0; r < 4; ++r) x[m + 8 * r] = u[r];
  }
}

// The warp's lanes meet (shared-memory exchange inside a warp)
__device__ __forceinline__ void warp_sync() {
#if defined(__CUDACC__)
  __syncwarp();
#else // (tests/cuda_host: the warp's barrier)
  emu_warp_barriers[threadIdx.x >> 5]->arrive_and_wait();
#endif
}

// Frames per block of the radix-32 kernels (a warp each) and their
// register cap: 4 warps at 3 blocks per multiprocessor (168 registers, no
// spills).  H200, prototype, same call: 55.6 us; 2 warps at 6 blocks 55.6;
// 4 at 4 (128 registers, spills) 58.7; 8 at 1 64.3; 1 at 12 56.7.  (Each
// warp taking several frames with the next one's samples copied into
// shared memory during this one's transform: 59-86 us.)
constexpr int R32_WARPS = 4, R32_MIN_BLOCKS = 3;
// Shared memory of a radix-32 block: a 32 x 33 float2 transpose per warp.
constexpr int R32_REGION = 32 * 33;
__host__ __device__ constexpr size_t r32_smem_bytes() { return sizeof(float2) * R32_WARPS * R32_REGION; }

// The middle of the 1024-point transform for lane `lane` of a warp, v
// holding points lane + 32 i (i < 32) of the frame: the first DFT-32,
// twiddles W1024^(lane a) (tw32[a 32 + lane], conjugated for s = 1), the
// transpose through the warp's region, the second DFT-32.  Returns with
// v[b] = Z[lane + 32 b]; the region is free again.
__device__ __forceinline__ void r32_transform(float2 (&v)[32], float2 *region, int lane,
                                              const float2 *__restrict__ tw32, float s) {
  dft32(v, s);
#pragma unroll
  for (int a = 1; a < 32; ++a) {
    v[a] = twiddle_mul(v[a], __ldg(&tw32[a * 32 + lane]), -s); // (the table holds the forward roots)
  }
#pragma unroll
  for (int a = 0; a < 32; ++a) region[lane * 33 + a] = v[a];
  warp_sync();
#pragma unroll
  for (int l = 0; l < 32; ++l) v[l] = region[l * 33 + lane];
  warp_sync(); // (every lane has read its column)
  dft32(v, s);
}

// The table tw32 (1024 float2): tw32[a 32 + l] = e^(-2 pi i l a / 1024).
inline void r32_fill_twiddles(float2 *t) {
  for (int a = 0; a < 32; ++a)
    for (int l = 0; l < 32; ++l) {
      const float2 w = unit_root_f((long)l * a, 1024);
      t[a * 32 + l] = make_float2(w.x, -w.y);
    }
}
