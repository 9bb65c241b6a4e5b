// Host-emulated check of the radix-32 warp-per-frame STFT prototype against a double FFT.
#include "../../../../src/cuda/stft_kernels.cuh"
#include "../../../../tests/cuda_host/emu.h"
#include "stft32.cuh"
#include <cstdio>
#include <cstring>
static int check(bool pipe) {
  const int n = 2048, hop = 512, B = 2, NF = 19;
  const int64_t ld = (int64_t)(NF - 1) * hop + n + 8; // (row stride: any even)
  std::normal_distribution<double> nd;
  std::vector<float> x(B * ld);
  for (auto &v : x) v = (float)nd(rng);
  std::vector<float> win = hann_window(n);
  std::vector<float2> tw(1024), rtw = untangle_roots(1024);
  for (int a = 0; a < 32; ++a)
    for (int l = 0; l < 32; ++l) {
      const float2 w = unit_root_f((long)l * a, 1024);
      tw[a * 32 + l] = make_float2(w.x, -w.y);
    }
  std::vector<float2> out((size_t)B * NF * 1025, make_float2(NAN, NAN));
  const float scale = 0.5f;
  if (pipe)
    launch((NF + R32_WPB * R32_J - 1) / (R32_WPB * R32_J), B, 32 * R32_WPB, R32_WPB * (1024 + 32 * 33) * 8,
           [&] { stft32p_kernel(x.data(), ld, hop, NF, out.data(), tw.data(), win.data(), rtw.data(), scale); });
  else
    launch((NF + R32_WPB - 1) / R32_WPB, B, 32 * R32_WPB, R32_WPB * 32 * 33 * 8,
           [&] { stft32_kernel(x.data(), ld, hop, NF, out.data(), tw.data(), win.data(), rtw.data(), scale); });
  double num = 0, den = 0, worst = 0;
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < NF; ++t) {
      std::vector<std::complex<double>> a(n);
      for (int i = 0; i < n; ++i) a[i] = (double)x[b * ld + (int64_t)t * hop + i] * (double)win[i];
      fft(a);
      double fn = 0, fd = 0;
      for (int k = 0; k <= 1024; ++k) {
        const float2 g = out[((size_t)b * NF + t) * 1025 + k];
        const std::complex<double> r = a[k] * (double)scale;
        fn += std::norm(std::complex<double>(g.x, g.y) - r);
        fd += std::norm(r);
      }
      num += fn;
      den += fd;
      worst = std::max(worst, std::sqrt(fn / fd));
      if (std::sqrt(fn / fd) > 1e-5) printf("  b %d t %d err %.3g\n", b, t, std::sqrt(fn / fd));
    }
  printf("radix-32 STFT prototype (%s):", pipe ? "pipelined" : "plain"); printf(" relative L2 %.3g, worst frame %.3g\n", std::sqrt(num / den), worst);
  return std::sqrt(num / den) < 1e-6 && worst < 2e-6 ? 0 : 1;
}
int main() { return check(false) | check(true); }
