// The CUDA register FFT (src/cuda/fft_smem.cuh) run on CPU threads through
// a host emulation of the CUDA it uses (shim/), against a double-precision
// DFT: the complex passes (as the iSTFT and the frontends use them) and the
// forward real transform with the last pass untangling in registers (as the
// STFT kernel), for every register-FFT size, on fresh random input each run.
// Checks the index maps, twiddle table, padding and last-pass grouping where
// CI can run them (it has no GPU); the GPU runs the same code in
// tests/python/test_cuda*.py.
#include "../../src/cuda/fft_smem.cuh"

#include "emu.h"

#include <cstdio>

static std::complex<double> root(long k, long n) { return std::polar(1.0, -2.0 * M_PI * (double)(k % n) / (double)n); }

template <int H> static int check(int fpb) {
  constexpr int TPF = H / REG_P;
  const int threads = fpb * TPF, hp = padded_frame(H, fpb);
  std::normal_distribution<double> nd;
  std::vector<float2> tw(reg_tw_offset(H, H) + 1), rtw(H);
  reg_fill_twiddles(H, tw.data());
  rtw = untangle_roots(H);

  // complex: frames of H random points straight into the first pass
  std::vector<float2> smem(2 * fpb * hp + 64), in(fpb * H);
  for (auto &v : in) v = make_float2((float)nd(rng), (float)nd(rng));
  float2 *z = nullptr;
  launch(1, 1, threads, 0, [&] {
    const int tid = threadIdx.x, f = reg_frame<H>(), j = reg_lane<H>();
    float2 v[REG_P];
    for (int i = 0; i < REG_P; ++i) v[i] = in[f * H + j + i * TPF];
    float2 *r = reg_passes<H, 1>(v, smem.data(), smem.data() + fpb * hp, f * hp, j, tw.data(), -1.f);
    if (tid == 0) z = r;
  });
  double err = 0, norm = 0;
  for (int f = 0; f < fpb; ++f)
    for (int k = 0; k < H; ++k) {
      std::complex<double> s = 0;
      for (int n = 0; n < H; ++n) s += std::complex<double>(in[f * H + n].x, in[f * H + n].y) * root((long)k * n, H);
      const float2 g = z[f * hp + PADH<H>(k)];
      err += std::norm(std::complex<double>(g.x, g.y) - s);
      norm += std::norm(s);
    }
  const double e_c = std::sqrt(err / norm);

  // real: frames of 2H samples read from a signal (window on load), the last
  // pass untangling bins 0..H in registers
  const int n = 2 * H;
  std::vector<float> x(fpb * n + 8);
  for (auto &v : x) v = (float)nd(rng);
  const std::vector<float> window = hann_window(n), fwin = forward_hann(n); // (the kernels' window: times 0.5)
  stft_geometry g{};
  g.n = n, g.h = H, g.hop = n, g.bins = H + 1, g.pad_left = 0, g.reflect = 0, g.fpb = fpb, g.pairs = 1;
  g.length = (int64_t)fpb * n, g.n_frames = fpb;
  std::vector<float2> bins((size_t)fpb * (H + 1), make_float2(NAN, NAN));
  std::fill(smem.begin(), smem.end(), make_float2(0.f, 0.f));
  launch(1, 1, threads, 0, [&] {
    const int f = reg_frame<H>(), j = reg_lane<H>();
    float2 v[REG_P];
    reg_load_frame<H, float>(x.data(), g, 0, fwin.data(), v);
    auto bin = [&](int k, float2 X) { bins[(size_t)f * (H + 1) + k] = X; };
    reg_passes_real<H>(v, smem.data(), smem.data() + fpb * hp, f * hp, j, tw.data(), rtw.data(), bin);
  });
  err = norm = 0;
  for (int f = 0; f < fpb; ++f)
    for (int k = 0; k <= H; ++k) {
      std::complex<double> s = 0;
      for (int m = 0; m < n; ++m) s += (double)x[f * n + m] * (double)window[m] * root((long)k * m, n);
      const float2 b = bins[(size_t)f * (H + 1) + k];
      err += std::norm(std::complex<double>(b.x, b.y) - s); // (NaN if a bin was never written)
      norm += std::norm(s);
    }
  const double e_r = std::sqrt(err / norm);
  const bool ok = e_c <= 1e-6 && e_r <= 1e-6;
  printf("%s h=%d (%d points/thread, %d frames): complex rel L2 %.2e, real rel L2 %.2e\n", ok ? "ok  " : "FAIL", H,
         REG_P, fpb, e_c, e_r);
  return ok ? 0 : 1;
}

int main() {
  int bad = 0;
  bad += check<256>(forward_frames_per_block(256));
  bad += check<512>(forward_frames_per_block(512));
  bad += check<1024>(forward_frames_per_block(1024));
  bad += check<2048>(forward_frames_per_block(2048));
  return bad ? 1 : 0;
}
