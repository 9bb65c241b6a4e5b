// Prototype (sixteenth session): the n_fft 2048, hop 512 iSTFT of a
// [frames][bins] spectrum as a warp per frame (radix 32 x 32, as
// stft32.cuh), rounds of R32_WPB frames per block, the overlap-add in
// shared memory with 3 carried hops (two carry buffers in turn), the hops
// shared with the neighbouring blocks added atomically onto zeros
// (istft32_zero_edges first).  centre padding: padded position p is output
// sample p - 1024.  env_inv: 1 / envelope per padded position (host).
#pragma once
#include "stft32.cuh"

#ifndef R32_IWPB
#define R32_IWPB 4
#endif
#ifndef R32_IMINB
#define R32_IMINB 3
#endif
// R32_REGION (fft_r32.cuh): float2 per warp: the transpose, then the frame's 2048 samples

__global__ void istft32_zero_edges(float *out, int64_t T, int kf, int64_t n_frames) {
  // block boundary x + 1 (frame (x + 1) kf): padded positions [(x + 1) kf hop, + 3 hop)
  const int64_t item = blockIdx.y, p0 = (int64_t)(blockIdx.x + 1) * kf * 512;
  for (int q = threadIdx.x; q < 1536; q += blockDim.x) {
    const int64_t o = p0 + q - 1024;
    if (o >= 0 && o < T) out[item * T + o] = 0.f;
  }
}

__global__ void __launch_bounds__(32 * R32_IWPB, R32_IMINB)
    istft32_kernel(const float2 *__restrict__ spec, int64_t n_frames, float *__restrict__ out, int64_t T, int kf,
                   const float2 *__restrict__ tw32, const float2 *__restrict__ rtw, const float *__restrict__ iwin,
                   const float *__restrict__ env_inv) {
  SPECTRO_DYNAMIC_SMEM(float2, smem);
  constexpr int W = R32_IWPB, BT = 32 * W, HOP = 512;
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int64_t item = blockIdx.y, fb0 = (int64_t)blockIdx.x * kf;
  const int64_t fend = min(fb0 + kf, n_frames); // frames [fb0, fend)
  const bool head_shared = blockIdx.x > 0, tail_shared = fend < n_frames;
  float2 *region = smem + warp * R32_REGION;
  float *carry0 = reinterpret_cast<float *>(smem + W * R32_REGION), *carry1 = carry0 + 3 * HOP;
  const float2 *iw2 = reinterpret_cast<const float2 *>(iwin);
  float *o = out + item * T;
  int rnd = 0;
#pragma unroll 1
  for (int64_t f0 = fb0; f0 < fend; f0 += W, ++rnd) {
    const int cnt = (int)min((int64_t)W, fend - f0);
    const int64_t f = f0 + warp;
    if (warp < cnt) {
      const float2 *xf = spec + (item * n_frames + f) * 1025;
      float2 v[32];
#pragma unroll
      for (int i = 0; i < 32; ++i) {
        const int k = lane + 32 * i;
        float2 xa = __ldg(&xf[k]), xb = __ldg(&xf[1024 - k]);
        if (i == 0 && lane == 0) {
          xa.y = 0.f;
          xb.y = 0.f;
        }
        v[i] = inverse_pair(xa, xb, __ldg(&rtw[k]));
      }
      dft32(v, 1.f); // v[a] = Y[lane][a]
#pragma unroll
      for (int a = 1; a < 32; ++a) {
        const float2 w = __ldg(&tw32[a * 32 + lane]); // W^(lane a); conjugated
        v[a] = make_float2(v[a].x * w.x + v[a].y * w.y, v[a].y * w.x - v[a].x * w.y);
      }
#pragma unroll
      for (int a = 0; a < 32; ++a) region[lane * 33 + a] = v[a];
      r32_syncwarp();
#pragma unroll
      for (int l = 0; l < 32; ++l) v[l] = region[l * 33 + lane];
      r32_syncwarp();
      dft32(v, 1.f); // v[b] = z[lane + 32 b]: samples 2 m, 2 m + 1, m = lane + 32 b
#pragma unroll
      for (int b = 0; b < 32; ++b) {
        const float2 w = __ldg(&iw2[lane + 32 * b]);
        region[lane + 32 * b] = make_float2(v[b].x * w.x, v[b].y * w.y);
      }
    }
    __syncthreads(); // every frame of the round is in its region
    // pairs m of positions f0 hop + 2 m, + 1 (m < (W + 3) HOP / 2)
    const float *cin = rnd & 1 ? carry1 : carry0;
    float *cout = rnd & 1 ? carry0 : carry1;
    const int64_t pbase = f0 * HOP;
    const bool last_round = f0 + W >= fend;
#pragma unroll 2
    for (int m = threadIdx.x; m < (W + 3) * HOP / 2; m += BT) {
      const int q = 2 * m;
      if (q >= (cnt + 3) * HOP) break;
      float2 s = make_float2(0.f, 0.f);
      if (rnd > 0 && q < 3 * HOP) s = *reinterpret_cast<const float2 *>(cin + q);
#pragma unroll
      for (int w = 0; w < W; ++w) {
        const int r = q - w * HOP;
        if (w < cnt && r >= 0 && r < 2048) {
          const float2 z = reinterpret_cast<const float2 *>(smem + w * R32_REGION)[r >> 1];
          s.x += z.x;
          s.y += z.y;
        }
      }
      if (q >= cnt * HOP && !last_round) {
        *reinterpret_cast<float2 *>(cout + (q - cnt * HOP)) = s;
        continue;
      }
      // complete (or the block's last carried hops): emit
      const int64_t p = pbase + q, oi = p - 1024;
      if (oi < 0 || oi >= T) continue;
      const bool shared = (head_shared && p < fb0 * HOP + 3 * HOP) || (tail_shared && q >= cnt * HOP);
      const float2 e = *reinterpret_cast<const float2 *>(env_inv + p);
      const float2 y = make_float2(s.x * e.x, s.y * e.y);
      if (shared) {
        atomicAdd(o + oi, y.x);
        atomicAdd(o + oi + 1, y.y);
      } else {
        *reinterpret_cast<float2 *>(o + oi) = y;
      }
    }
    __syncthreads(); // the regions and the carry are read
  }
}
