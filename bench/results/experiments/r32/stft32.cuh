// Prototype (sixteenth session): the n_fft 2048 STFT as a warp per frame,
// 32 points per lane, 1024 = 32 x 32: one DFT-32 in registers, twiddles,
// a transpose through shared memory (the only exchange), a second DFT-32,
// the real untangle with the mirror bins by shuffles; [frames][bins] out.
#pragma once
#include "cuda/stft_kernels.cuh" // (fft_r32.cuh)

#ifndef R32_WPB
#define R32_WPB 4
#endif
#ifndef R32_MINB
#define R32_MINB 4
#endif

// (dft32 and warp_sync: src/cuda/fft_r32.cuh, where this prototype's DFT-32 landed)
__device__ __forceinline__ void r32_syncwarp() { warp_sync(); }

// xp: pre-padded signals (row stride ld samples, frame t at t hop), n_frames
// frames each; out [batch][n_frames][1025]; tw32[a * 32 + l] = W1024^(l a);
// win: 2048 samples; rtw[k] = e^(-i pi k / 1024).
__global__ void __launch_bounds__(32 * R32_WPB, R32_MINB)
    stft32_kernel(const float *__restrict__ xp, int64_t ld, int hop, int64_t n_frames, float2 *__restrict__ out,
                  const float2 *__restrict__ tw32, const float *__restrict__ win, const float2 *__restrict__ rtw,
                  float scale) {
  SPECTRO_DYNAMIC_SMEM(float2, smem);
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int64_t t = (int64_t)blockIdx.x * R32_WPB + warp;
  if (t >= n_frames) return;
  const int64_t item = blockIdx.y;
  const float2 *x2 = reinterpret_cast<const float2 *>(xp + item * ld + t * hop);
  const float2 *w2 = reinterpret_cast<const float2 *>(win);
  float2 v[32];
#pragma unroll
  for (int i = 0; i < 32; ++i) v[i] = __ldg(&x2[lane + 32 * i]);
#pragma unroll
  for (int i = 0; i < 32; ++i) {
    const float2 w = __ldg(&w2[lane + 32 * i]);
    v[i] = make_float2(v[i].x * w.x, v[i].y * w.y);
  }
  dft32(v, -1.f); // v[a] = Y[lane][a]
#pragma unroll
  for (int a = 1; a < 32; ++a) {
    const float2 w = __ldg(&tw32[a * 32 + lane]);
    v[a] = make_float2(v[a].x * w.x - v[a].y * w.y, v[a].x * w.y + v[a].y * w.x);
  }
  float2 *s = smem + warp * (32 * 33);
#pragma unroll
  for (int a = 0; a < 32; ++a) s[lane * 33 + a] = v[a];
  r32_syncwarp();
#pragma unroll
  for (int l = 0; l < 32; ++l) v[l] = s[l * 33 + lane];
  dft32(v, -1.f); // v[b] = Z[lane + 32 b]
  float2 *of = out + (item * n_frames + t) * 1025;
  const int src = (32 - lane) & 31;
  const float hs = 0.5f * scale;
#pragma unroll
  for (int b = 0; b < 32; ++b) {
    float2 zb = make_float2(__shfl_sync(0xffffffffu, v[31 - b].x, src), __shfl_sync(0xffffffffu, v[31 - b].y, src));
    if (lane == 0) zb = v[(32 - b) & 31];
    const int k = lane + 32 * b;
    const float2 za = v[b], w = __ldg(&rtw[k]);
    // X_k = (hs) (E + w D) with E = za + conj zb, D = -i (za - conj zb) (untangle_pair, 0.5 scale folded)
    const float er = za.x + zb.x, ei = za.y - zb.y, dr = za.x - zb.x, di = za.y + zb.y;
    const float xr = __fmaf_rn(w.y, dr, __fmaf_rn(w.x, di, er)), xi = __fmaf_rn(-w.x, dr, __fmaf_rn(w.y, di, ei));
    __stcs(&of[k], make_float2(xr * hs, xi * hs));
  }
  if (lane == 0) __stcs(&of[1024], make_float2((v[0].x - v[0].y) * scale, 0.f));
}

// The same with each warp taking R32_J frames in turn (t = first + warp +
// WPB j), the next frame's samples copied into the warp's staging buffer in
// shared memory (cp.async, 16 bytes a lane) while this one transforms.
// Shared memory per warp: 2048 floats of staging + the 32 x 33 transpose.
#ifndef R32_J
#define R32_J 4
#endif
__device__ __forceinline__ void r32_copy16(float *dst, const float *src) {
#if defined(__CUDA_ARCH__)
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" ::"r"((unsigned)__cvta_generic_to_shared(dst)), "l"(src)
               : "memory");
#else
  memcpy(dst, src, 16);
#endif
}
__device__ __forceinline__ void r32_copy_commit() {
#if defined(__CUDA_ARCH__)
  asm volatile("cp.async.commit_group;" ::: "memory");
#endif
}
__device__ __forceinline__ void r32_copy_wait() {
#if defined(__CUDA_ARCH__)
  asm volatile("cp.async.wait_group 0;" ::: "memory");
#endif
}
__global__ void __launch_bounds__(32 * R32_WPB, R32_MINB)
    stft32p_kernel(const float *__restrict__ xp, int64_t ld, int hop, int64_t n_frames, float2 *__restrict__ out,
                   const float2 *__restrict__ tw32, const float *__restrict__ win, const float2 *__restrict__ rtw,
                   float scale) {
  SPECTRO_DYNAMIC_SMEM(float2, smem);
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int64_t item = blockIdx.y, first = (int64_t)blockIdx.x * R32_WPB * R32_J + warp;
  if (first >= n_frames) return;
  float *stage = reinterpret_cast<float *>(smem + warp * (1024 + 32 * 33));
  float2 *s = smem + warp * (1024 + 32 * 33) + 1024;
  const float *xrow = xp + item * ld;
  auto prefetch = [&](int64_t t) {
    const float *src = xrow + t * hop;
#pragma unroll
    for (int j = 0; j < 16; ++j) r32_copy16(stage + 4 * (lane + 32 * j), src + 4 * (lane + 32 * j));
    r32_copy_commit();
  };
  prefetch(first);
  const float2 *w2 = reinterpret_cast<const float2 *>(win);
  const int src = (32 - lane) & 31;
  const float hs = 0.5f * scale;
#pragma unroll 1
  for (int jf = 0; jf < R32_J; ++jf) {
    const int64_t t = first + (int64_t)jf * R32_WPB;
    if (t >= n_frames) break;
    r32_copy_wait();
    r32_syncwarp();
    float2 v[32];
    const float2 *st2 = reinterpret_cast<const float2 *>(stage);
#pragma unroll
    for (int i = 0; i < 32; ++i) v[i] = st2[lane + 32 * i];
    r32_syncwarp(); // (every lane has read the stage)
    if (jf + 1 < R32_J && t + R32_WPB < n_frames) prefetch(t + R32_WPB);
#pragma unroll
    for (int i = 0; i < 32; ++i) {
      const float2 w = __ldg(&w2[lane + 32 * i]);
      v[i] = make_float2(v[i].x * w.x, v[i].y * w.y);
    }
    dft32(v, -1.f);
#pragma unroll
    for (int a = 1; a < 32; ++a) {
      const float2 w = __ldg(&tw32[a * 32 + lane]);
      v[a] = make_float2(v[a].x * w.x - v[a].y * w.y, v[a].x * w.y + v[a].y * w.x);
    }
#pragma unroll
    for (int a = 0; a < 32; ++a) s[lane * 33 + a] = v[a];
    r32_syncwarp();
#pragma unroll
    for (int l = 0; l < 32; ++l) v[l] = s[l * 33 + lane];
    r32_syncwarp(); // (the transpose buffer is free for the next frame)
    dft32(v, -1.f);
    float2 *of = out + (item * n_frames + t) * 1025;
#pragma unroll
    for (int b = 0; b < 32; ++b) {
      float2 zb = make_float2(__shfl_sync(0xffffffffu, v[31 - b].x, src), __shfl_sync(0xffffffffu, v[31 - b].y, src));
      if (lane == 0) zb = v[(32 - b) & 31];
      const int k = lane + 32 * b;
      const float2 za = v[b], w = __ldg(&rtw[k]);
      const float er = za.x + zb.x, ei = za.y - zb.y, dr = za.x - zb.x, di = za.y + zb.y;
      const float xr = __fmaf_rn(w.y, dr, __fmaf_rn(w.x, di, er)), xi = __fmaf_rn(-w.x, dr, __fmaf_rn(w.y, di, ei));
      __stcs(&of[k], make_float2(xr * hs, xi * hs));
    }
    if (lane == 0) __stcs(&of[1024], make_float2((v[0].x - v[0].y) * scale, 0.f));
  }
}
