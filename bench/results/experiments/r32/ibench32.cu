// Device benchmark of the radix-32 iSTFT prototype (B16 T441k n_fft 2048 hop 512, [frames][bins]):
// edge-clearing kernel + iSTFT kernel, medians of CUDA events (eager pair and graph of 20 pairs), float64 check.
#include "../../../../src/cuda/stft_kernels.cuh"
#include "istft32.cuh"
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <random>
#include <vector>
#define CK(x) do { cudaError_t e = (x); if (e != cudaSuccess) { printf("CUDA %s: %s\n", #x, cudaGetErrorString(e)); return 1; } } while (0)
int main(int argc, char **argv) {
  const int n = 2048, hop = 512, B = argc > 1 ? atoi(argv[1]) : 16, kf = argc > 3 ? atoi(argv[3]) : 12;
  const int64_t T = argc > 2 ? atoll(argv[2]) : 441000, NF = 1 + T / hop, P = (NF - 1) * hop + n;
  std::mt19937_64 rng(99);
  std::normal_distribution<float> nd;
  std::vector<float2> spec((size_t)B * NF * 1025);
  for (auto &v : spec) v = make_float2(nd(rng), nd(rng));
  std::vector<float> win(n), iwin(n);
  for (int i = 0; i < n; ++i) { win[i] = (float)(0.5 - 0.5 * std::cos(2 * M_PI * i / n)); iwin[i] = win[i] / 2048.f; }
  std::vector<float2> tw(1024), rtw(1025);
  for (int a = 0; a < 32; ++a)
    for (int l = 0; l < 32; ++l) { const float2 w = unit_root_f((long)l * a, 1024); tw[a * 32 + l] = make_float2(w.x, -w.y); }
  for (int k = 0; k < 1024; ++k) { const float2 w = unit_root_f(k, 2048); rtw[k] = make_float2(w.x, -w.y); }
  std::vector<double> env(P, 0.0);
  for (int64_t f = 0; f < NF; ++f) for (int i = 0; i < n; ++i) env[f * hop + i] += (double)win[i] * win[i];
  std::vector<float> env_inv(P);
  for (int64_t p = 0; p < P; ++p) env_inv[p] = env[p] > 1e-11 ? (float)(1.0 / env[p]) : 0.f;
  float2 *dspec, *dtw, *drtw; float *dout, *diwin, *denv;
  CK(cudaMalloc(&dspec, spec.size() * 8)); CK(cudaMalloc(&dout, (size_t)B * T * 4)); CK(cudaMalloc(&dtw, 1024 * 8));
  CK(cudaMalloc(&drtw, 1025 * 8)); CK(cudaMalloc(&diwin, n * 4)); CK(cudaMalloc(&denv, P * 4));
  CK(cudaMemcpy(dspec, spec.data(), spec.size() * 8, cudaMemcpyHostToDevice));
  CK(cudaMemcpy(dtw, tw.data(), 1024 * 8, cudaMemcpyHostToDevice)); CK(cudaMemcpy(drtw, rtw.data(), 1025 * 8, cudaMemcpyHostToDevice));
  CK(cudaMemcpy(diwin, iwin.data(), n * 4, cudaMemcpyHostToDevice)); CK(cudaMemcpy(denv, env_inv.data(), P * 4, cudaMemcpyHostToDevice));
  CK(cudaMemset(dout, 0xff, (size_t)B * T * 4)); // NaN: every sample must be written
  const int smem = (R32_IWPB * R32_REGION + 3 * 512) * 8;
  CK(cudaFuncSetAttribute(istft32_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
  const int64_t blocks = (NF + kf - 1) / kf;
  auto run = [&](cudaStream_t s) {
    if (blocks > 1) istft32_zero_edges<<<dim3((unsigned)(blocks - 1), B), 256, 0, s>>>(dout, T, kf, NF);
    istft32_kernel<<<dim3((unsigned)blocks, B), 32 * R32_IWPB, smem, s>>>(dspec, NF, dout, T, kf, dtw, drtw, diwin, denv);
  };
  run(0);
  CK(cudaDeviceSynchronize());
  std::vector<float> out((size_t)B * T);
  CK(cudaMemcpy(out.data(), dout, out.size() * 4, cudaMemcpyDeviceToHost));
  for (int i = 0; i < 4; ++i) run(0);
  cudaEvent_t e0, e1; cudaEventCreate(&e0); cudaEventCreate(&e1);
  std::vector<float> ts;
  for (int r = 0; r < 60; ++r) {
    cudaEventRecord(e0); run(0); cudaEventRecord(e1); cudaEventSynchronize(e1);
    float ms; cudaEventElapsedTime(&ms, e0, e1); ts.push_back(ms);
  }
  cudaStream_t s; cudaStreamCreate(&s); cudaGraph_t g; cudaGraphExec_t ge;
  cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal);
  for (int i = 0; i < 20; ++i) run(s);
  cudaStreamEndCapture(s, &g); CK(cudaGraphInstantiate(&ge, g, 0));
  std::vector<float> tg;
  for (int r = 0; r < 15; ++r) {
    cudaEventRecord(e0, s); cudaGraphLaunch(ge, s); cudaEventRecord(e1, s); cudaEventSynchronize(e1);
    float ms; cudaEventElapsedTime(&ms, e0, e1); tg.push_back(ms / 20);
  }
  CK(cudaGetLastError());
  std::sort(ts.begin(), ts.end()); std::sort(tg.begin(), tg.end());
  // float64 check: a few frames' worth of output at several places
  double num = 0, den = 0; int nan = 0;
  for (size_t i = 0; i < out.size(); ++i) if (std::isnan(out[i])) ++nan;
  for (int b = 0; b < B; b += 7)
    for (int64_t t0 : {(int64_t)0, T / 3, T - 3000}) {
      for (int64_t t = t0; t < t0 + 3000 && t < T; t += 3) {
        const int64_t p = t + 1024;
        double y = 0;
        for (int64_t f = std::max<int64_t>(0, (p - n) / hop); f <= p / hop && f < NF; ++f) {
          const int64_t i = p - f * hop;
          if (i < 0 || i >= n) continue;
          double acc = 0;
          for (int k = 0; k <= 1024; ++k) {
            const float2 x = spec[((size_t)b * NF + f) * 1025 + k];
            const double ang = 2 * M_PI * (double)((int64_t)k * i % n) / n;
            const double c = (k == 0 || k == 1024) ? 1.0 : 2.0;
            acc += c * (x.x * std::cos(ang) - ((k == 0 || k == 1024) ? 0.0 : x.y) * std::sin(ang));
          }
          y += acc / n * win[i];
        }
        const double r = env[p] > 1e-11 ? y / env[p] : 0.0, gv = out[(size_t)b * T + t];
        num += (gv - r) * (gv - r); den += r * r;
      }
    }
  const double bytes = (double)spec.size() * 8 + (double)B * T * 4;
  printf("i32 kf %d WPB %d MINB %d B%d T%lld: eager median %.4f ms, graph %.4f ms, %.2f TB/s effective, rel err %.3g, NaN %d\n",
         kf, R32_IWPB, R32_IMINB, B, (long long)T, ts[ts.size() / 2], tg[tg.size() / 2], bytes / (tg[tg.size() / 2] * 1e-3) / 1e12,
         std::sqrt(num / den), nan);
  return 0;
}
