// Device benchmark of the radix-32 STFT prototype (B16 T441k n_fft 2048 hop 512; pre-padded signal):
// median of CUDA events, plus a float64 host check of a few frames.
#include "../../../../src/cuda/stft_kernels.cuh"
#include "stft32.cuh"
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <random>
#include <vector>
#define CK(x) do { cudaError_t e = (x); if (e != cudaSuccess) { printf("CUDA %s: %s\n", #x, cudaGetErrorString(e)); return 1; } } while (0)
int main(int argc, char **argv) {
  const int n = 2048, hop = 512, B = argc > 1 ? atoi(argv[1]) : 16, pipe = argc > 3 ? atoi(argv[3]) : 0;
  const int64_t T = argc > 2 ? atoll(argv[2]) : 441000, NF = 1 + T / hop, ld = T + n;
  std::mt19937_64 rng(1234);
  std::normal_distribution<float> nd;
  std::vector<float> x(B * ld);
  for (auto &v : x) v = nd(rng);
  std::vector<float> win(n);
  for (int i = 0; i < n; ++i) win[i] = (float)(0.5 - 0.5 * std::cos(2 * M_PI * i / n));
  std::vector<float2> tw(1024), rtw(1025);
  for (int a = 0; a < 32; ++a)
    for (int l = 0; l < 32; ++l) {
      const float2 w = unit_root_f((long)l * a, 1024);
      tw[a * 32 + l] = make_float2(w.x, -w.y);
    }
  for (int k = 0; k < 1024; ++k) { const float2 w = unit_root_f(k, 2048); rtw[k] = make_float2(w.x, -w.y); }
  float *dx, *dwin; float2 *dout, *dtw, *drtw;
  const size_t outn = (size_t)B * NF * 1025;
  CK(cudaMalloc(&dx, x.size() * 4)); CK(cudaMalloc(&dwin, n * 4)); CK(cudaMalloc(&dout, outn * 8));
  CK(cudaMalloc(&dtw, 1024 * 8)); CK(cudaMalloc(&drtw, 1025 * 8));
  CK(cudaMemcpy(dx, x.data(), x.size() * 4, cudaMemcpyHostToDevice));
  CK(cudaMemcpy(dwin, win.data(), n * 4, cudaMemcpyHostToDevice));
  CK(cudaMemcpy(dtw, tw.data(), 1024 * 8, cudaMemcpyHostToDevice));
  CK(cudaMemcpy(drtw, rtw.data(), 1025 * 8, cudaMemcpyHostToDevice));
  const int smem = pipe ? R32_WPB * (1024 + 32 * 33) * 8 : R32_WPB * 32 * 33 * 8;
  auto kern = pipe ? stft32p_kernel : stft32_kernel;
  CK(cudaFuncSetAttribute(kern, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
  const int per = pipe ? R32_WPB * R32_J : R32_WPB;
  dim3 grid((unsigned)((NF + per - 1) / per), B);
  auto run = [&] { kern<<<grid, 32 * R32_WPB, smem>>>(dx, ld, hop, NF, dout, dtw, dwin, drtw, 1.f); };
  for (int i = 0; i < 5; ++i) run();
  CK(cudaDeviceSynchronize());
  cudaEvent_t e0, e1; cudaEventCreate(&e0); cudaEventCreate(&e1);
  std::vector<float> ts;
  for (int r = 0; r < 60; ++r) {
    cudaEventRecord(e0); run(); cudaEventRecord(e1); cudaEventSynchronize(e1);
    float ms; cudaEventElapsedTime(&ms, e0, e1); ts.push_back(ms);
  }
  // graph of 20 launches
  cudaStream_t s; cudaStreamCreate(&s); cudaGraph_t g; cudaGraphExec_t ge;
  cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal);
  for (int i = 0; i < 20; ++i) kern<<<grid, 32 * R32_WPB, smem, s>>>(dx, ld, hop, NF, dout, dtw, dwin, drtw, 1.f);
  cudaStreamEndCapture(s, &g); CK(cudaGraphInstantiate(&ge, g, 0));
  std::vector<float> tg;
  for (int r = 0; r < 15; ++r) {
    cudaEventRecord(e0, s); cudaGraphLaunch(ge, s); cudaEventRecord(e1, s); cudaEventSynchronize(e1);
    float ms; cudaEventElapsedTime(&ms, e0, e1); tg.push_back(ms / 20);
  }
  CK(cudaGetLastError());
  std::sort(ts.begin(), ts.end()); std::sort(tg.begin(), tg.end());
  std::vector<float2> out(outn);
  CK(cudaMemcpy(out.data(), dout, outn * 8, cudaMemcpyDeviceToHost));
  double num = 0, den = 0;
  for (int b = 0; b < B; b += 5)
    for (int64_t t = 0; t < NF; t += NF / 7) {
      std::vector<std::complex<double>> a(n);
      for (int k = 0; k <= 1024; k += 37) {
        std::complex<double> acc = 0;
        for (int i = 0; i < n; ++i) acc += (double)x[b * ld + t * hop + i] * (double)win[i] * std::polar(1.0, -2 * M_PI * (double)((int64_t)i * k % n) / n);
        const float2 gv = out[((size_t)b * NF + t) * 1025 + k];
        num += std::norm(std::complex<double>(gv.x, gv.y) - acc); den += std::norm(acc);
      }
    }
  const double bytes = (double)B * NF * hop * 4 + (double)outn * 8;
  printf("r32 %s J %d WPB %d MINB %d B%d T%lld: eager median %.4f ms, graph %.4f ms, %.2f TB/s effective, rel err %.3g\n",
         pipe ? "pipe" : "plain", R32_J, R32_WPB, R32_MINB, B, (long long)T, ts[ts.size() / 2], tg[tg.size() / 2],
         bytes / (tg[tg.size() / 2] * 1e-3) / 1e12, std::sqrt(num / den));
  return 0;
}
