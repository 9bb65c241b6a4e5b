// Host-emulated check of the radix-32 iSTFT prototype against a float64 iSTFT of random spectra.
#include "../../../../src/cuda/stft_kernels.cuh"
#include "../../../../tests/cuda_host/emu.h"
#include "istft32.cuh"
#include <cstdio>
#include <cstring>
int main(int argc, char **argv) {
  const int n = 2048, hop = 512, B = 2;
  const int kf = argc > 1 ? atoi(argv[1]) : 8;
  const int64_t NF = argc > 2 ? atoll(argv[2]) : 23, T = (NF - 1) * hop - (argc > 3 ? atoi(argv[3]) : 0);
  std::normal_distribution<double> nd;
  std::vector<float2> spec((size_t)B * NF * 1025);
  for (auto &v : spec) v = make_float2((float)nd(rng), (float)nd(rng));
  std::vector<float> win = hann_window(n), iwin(n);
  for (int i = 0; i < n; ++i) iwin[i] = win[i] / 2048.f;
  std::vector<float2> tw(1024), rtw = untangle_roots(1024);
  for (int a = 0; a < 32; ++a)
    for (int l = 0; l < 32; ++l) {
      const float2 w = unit_root_f((long)l * a, 1024);
      tw[a * 32 + l] = make_float2(w.x, -w.y);
    }
  const int64_t P = (NF - 1) * hop + n;
  std::vector<double> env(P, 0.0);
  for (int64_t f = 0; f < NF; ++f)
    for (int i = 0; i < n; ++i) env[f * hop + i] += (double)win[i] * win[i];
  std::vector<float> env_inv(P);
  for (int64_t p = 0; p < P; ++p) env_inv[p] = env[p] > 1e-11 ? (float)(1.0 / env[p]) : 0.f;
  std::vector<float> out((size_t)B * T, NAN);
  const int64_t blocks = (NF + kf - 1) / kf;
  if (blocks > 1) launch((unsigned)(blocks - 1), B, 256, 0, [&] { istft32_zero_edges(out.data(), T, kf, NF); });
  launch((unsigned)blocks, B, 32 * R32_IWPB, (R32_IWPB * R32_REGION + 3 * 512) * 8, [&] {
    istft32_kernel(spec.data(), NF, out.data(), T, kf, tw.data(), rtw.data(), iwin.data(), env_inv.data());
  });
  double num = 0, den = 0;
  int nan = 0;
  for (int b = 0; b < B; ++b) {
    std::vector<double> y(P, 0.0);
    for (int64_t f = 0; f < NF; ++f) {
      // irfft of bins 0..1024 (DC, Nyquist real) in double
      std::vector<std::complex<double>> a(n);
      for (int k = 0; k <= 1024; ++k) {
        const float2 x = spec[((size_t)b * NF + f) * 1025 + k];
        std::complex<double> c(x.x, (k == 0 || k == 1024) ? 0.0 : x.y);
        a[k] = c;
        if (k > 0 && k < 1024) a[n - k] = std::conj(c);
      }
      fft(a, 1);
      for (int i = 0; i < n; ++i) y[f * hop + i] += a[i].real() / n * win[i];
    }
    for (int64_t t = 0; t < T; ++t) {
      const double r = env[t + 1024] > 1e-11 ? y[t + 1024] / env[t + 1024] : 0.0;
      const float g = out[(size_t)b * T + t];
      if (std::isnan(g)) ++nan;
      num += (g - r) * (g - r);
      den += r * r;
    }
  }
  printf("radix-32 iSTFT prototype kf %d NF %lld T %lld: relative L2 %.3g, NaN %d\n", kf, (long long)NF, (long long)T,
         std::sqrt(num / den), nan);
  return std::sqrt(num / den) < 1e-6 && nan == 0 ? 0 : 1;
}
