// The CUDA forward STFT kernel (src/cuda/stft_kernels.cuh) run on CPU threads
// through the host emulation in shim/ (one std::thread per CUDA thread, the
// blocks of the grid one after another), against a double-precision DFT of
// frames cut here by SPEC's framing rules: register-FFT sizes (and n_fft
// 400's P10 register FFT), both
// layouts, reflect / constant centre padding and center=False, odd lengths,
// a batch of two, fresh random input each run.  Covers the kernel's framing,
// window, FFT, untangle and [bins][frames] / [frames][bins] stores where CI
// can run them (no GPU); the GPU runs the same code in tests/python/test_cuda.py.
#include "../../src/cuda/stft_kernels.cuh"

#include "emu.h"

#include <cstdio>
#include <cstring>

// Runs the kernel on batch signals x of T samples each (n_fft 2H, hop n_fft
// / 4, Hann window); N gets the frame count.  center: 0 none, 1 reflect, 2
// constant (both symmetric: frames = 1 + T / hop).  RU: the kernel's
// untangle in registers (false: through shared memory, the launch's choice
// for n_fft 2048 bfn with sector-aligned rows).
// R32: n_fft 2048 [frames][bins] by the warp-per-frame kernel (stft_forward_r32_kernel).
// DIV = 2: forward_half_frames(H) frames a block (the autotune's half_frames).
// scale: the plan's forward scale (in the kernel's window, forward_window_table).
template <int H, bool BNF, bool RU = untangle_in_registers(H, BNF), bool R32 = false, int DIV = 1>
static std::vector<float2> run(const std::vector<float> &x, int batch, int64_t T, int center, int64_t &N,
                               double scale = 1.0) {
  constexpr int FPB = DIV == 2 ? forward_half_frames(H) : forward_frames_per_block(H), BT = forward_block_threads(H, FPB);
  static_assert(FPB > 0, "a frames-per-block choice of this size");
  const int n = 2 * H, hop = n / 4, F = H + 1;
  N = center ? 1 + T / hop : 1 + (T - n) / hop;
  const std::vector<float> window = forward_hann(n, scale);
  std::vector<float2> tw = kernel_twiddles<H>(), rtw = untangle_roots(H), out((size_t)batch * F * N, make_float2(NAN, NAN));
  stft_geometry g{};
  g.n = n, g.h = H, g.hop = hop, g.bins = F, g.pad_left = center ? n / 2 : 0, g.reflect = center == 1;
  g.length = T, g.n_frames = N, g.fpb = FPB;
  g.pairs = hop % 2 == 0 && g.pad_left % 2 == 0 && T % 2 == 0;
  const size_t smem = sizeof(float2) * 2 * FPB * stft_frame_stride(H, FPB);
  pass_table pt{};
  if constexpr (R32) {
    static_assert(H == 1024 && BNF, "the radix-32 kernel: n_fft 2048, [frames][bins]");
    std::vector<float2> tw32(1024);
    r32_fill_twiddles(tw32.data());
    launch((unsigned)((N + R32_WARPS - 1) / R32_WARPS), batch, 32 * R32_WARPS, r32_smem_bytes(), [&] {
      stft_forward_r32_kernel<float>(x.data(), out.data(), g, tw32.data(), rtw.data(), window.data());
    });
  } else {
    launch((unsigned)((N + FPB - 1) / FPB), batch, BT, smem, [&] {
      if constexpr (RU) // (the instance without unpaired loads where the launch knows g.pairs, as cuda_stft_forward)
        if (SPECTRO_STFT_PAIRS_SPLIT && g.pairs)
          return stft_forward_kernel<H, FPB, float, BNF, RU, true>(x.data(), out.data(), g, pt, tw.data(), rtw.data(),
                                                                   window.data());
      stft_forward_kernel<H, FPB, float, BNF, RU>(x.data(), out.data(), g, pt, tw.data(), rtw.data(), window.data());
    });
  }
  return out;
}

template <int H, bool BNF, bool RU = untangle_in_registers(H, BNF), bool R32 = false, int DIV = 1>
static int check(int center, int64_t T, double scale = 1.0) {
  const int n = 2 * H, hop = n / 4, F = H + 1, batch = 2;
  std::normal_distribution<double> nd;
  std::vector<float> x((size_t)batch * T);
  for (auto &v : x) v = (float)nd(rng);
  const std::vector<float> window = hann_window(n);
  int64_t N;
  const std::vector<float2> out = run<H, BNF, RU, R32, DIV>(x, batch, T, center, N, scale);
  const int pad_left = center ? n / 2 : 0;
  double err = 0, norm = 0;
  for (int b = 0; b < batch; ++b)
    for (int64_t t = 0; t < N; ++t) {
      std::vector<std::complex<double>> fr(n);
      for (int m = 0; m < n; ++m) {
        int64_t i = t * hop - pad_left + m;
        if (i < 0 || i >= T) {
          if (center != 1) { fr[m] = 0; continue; }
          i = i < 0 ? -i : 2 * (T - 1) - i;
        }
        fr[m] = x[b * T + i] * (double)window[m];
      }
      fft(fr);
      for (int k = 0; k <= H; ++k) {
        const std::complex<double> s = fr[k] * scale;
        const float2 o = BNF ? out[((size_t)b * N + t) * F + k] : out[((size_t)b * F + k) * N + t];
        err += std::norm(std::complex<double>(o.x, o.y) - s); // (NaN: a value never written)
        norm += std::norm(s);
      }
    }
  const double e = std::sqrt(err / norm);
  const bool ok = e <= 1e-6;
  printf("%s n_fft %d %s center=%s T=%lld (%lld frames%s%s%s): rel L2 %.2e\n", ok ? "ok  " : "FAIL", n,
         BNF ? "bnf" : "bfn", center == 0 ? "none" : center == 1 ? "reflect" : "constant", (long long)T, (long long)N,
         R32 ? ", warp per frame" : RU == untangle_in_registers(H, BNF) ? "" : ", untangle in shared memory",
         DIV == 2 ? ", half the frames a block" : "", scale != 1.0 ? ", scale 1/sqrt(n_fft)" : "", e);
  return ok ? 0 : 1;
}

// The [frames][bins] and [bins][frames] kernels (either untangle) give the
// same bits here: the last pass's derived twiddles and roots
// (reg_last_pass_real) equal the tables' entries (unit_root_f).  (On the GPU
// the compiler's fused multiply-adds could still differ between kernels;
// untangle_pair spells its own out, and test_cuda.py checks n_fft 1024's
// layouts bit for bit there.)
template <int H> static int same_bits(int center, int64_t T) {
  const int batch = 2, F = H + 1;
  std::normal_distribution<double> nd;
  std::vector<float> x((size_t)batch * T);
  for (auto &v : x) v = (float)nd(rng);
  int64_t N;
  const std::vector<float2> a = run<H, true>(x, batch, T, center, N), b = run<H, false, false>(x, batch, T, center, N);
  std::vector<float2> c = b;
  if constexpr (untangle_in_registers(H, false)) c = run<H, false, true>(x, batch, T, center, N);
  int64_t diff = 0;
  for (int i = 0; i < batch; ++i)
    for (int64_t t = 0; t < N; ++t)
      for (int k = 0; k < F; ++k) {
        const float2 u = a[((size_t)i * N + t) * F + k], v = b[((size_t)i * F + k) * N + t],
                     w = c[((size_t)i * F + k) * N + t];
        diff += memcmp(&u, &v, sizeof u) != 0 || memcmp(&u, &w, sizeof u) != 0;
      }
  printf("%s n_fft %d: [frames][bins] and [bins][frames] (both untangles) bit for bit, %lld of %lld differ\n",
         diff ? "FAIL" : "ok  ", 2 * H, (long long)diff, (long long)(batch * N * F));
  return diff ? 1 : 0;
}

int main() {
  int bad = 0;
  std::uniform_int_distribution<int> odd(0, 63);
  for (int c = 0; c < 3; ++c) {
    bad += check<256, false>(c, 3 * 512 + 2 * odd(rng) + 1);
    bad += check<256, true>(c, 3 * 512 + 2 * odd(rng));
    bad += check<512, false>(c, 5 * 1024 + 2 * odd(rng));
    bad += check<512, true>(c, 5 * 1024 + 2 * odd(rng) + 1);
    bad += check<1024, false>(c, 4 * 2048 + 2 * odd(rng) + 1);
    bad += check<1024, true>(c, 3 * 2048 + 2 * odd(rng));
    bad += check<1024, false, false>(c, 4 * 2048 + 2 * odd(rng)); // (n_fft 2048 bfn, aligned rows' choice)
    // n_fft 2048 bnf, a warp per frame (SPECTRO_STFT_R32, an autotune candidate; where sample pairs are aligned; here
    // the pair loads read the same values either way): frames past a block's 4, edge frames staged
    bad += check<1024, true, true, true>(c, 3 * 2048 + 2 * odd(rng));
    bad += check<1024, true, true, true>(c, 5 * 2048 + 2 * odd(rng) + 1);
    // [frames][bins] at half the frames a block (the autotune's half_frames; the
    // library takes it where sample pairs are aligned, even T here)
    bad += check<256, true, true, false, 2>(c, 3 * 512 + 2 * odd(rng));
    bad += check<512, true, true, false, 2>(c, 5 * 1024 + 2 * odd(rng));
    bad += check<1024, true, true, false, 2>(c, 3 * 2048 + 2 * odd(rng));
    bad += check<2048, true, true, false, 2>(c, 3 * 4096 + 2 * odd(rng));
  }
  // n_fft 400: the P10 register FFT (radix 10 10 2), 12 frames per block
  for (int c = 0; c < 3; ++c) {
    bad += check<200, false>(c, 7 * 400 + 2 * odd(rng) + 1);
    bad += check<200, true>(c, 6 * 400 + 2 * odd(rng));
  }
  bad += same_bits<512>(1, 5 * 1024 + 2 * odd(rng));
  bad += same_bits<1024>(0, 4 * 2048 + 2 * odd(rng));
  bad += same_bits<2048>(1, 3 * 4096 + 2 * odd(rng));
  bad += check<2048, false>(1, 3 * 4096 + 38);
  bad += check<2048, true>(0, 3 * 4096 + 7);
  // a normalized transform (scale 1 / sqrt(n_fft), in the kernels' window): every store path
  bad += check<512, true>(1, 5 * 1024 + 2 * odd(rng), 1.0 / std::sqrt(1024.0));
  bad += check<512, false>(2, 5 * 1024 + 2 * odd(rng) + 1, 1.0 / std::sqrt(1024.0));
  bad += check<1024, false, false>(1, 4 * 2048 + 2 * odd(rng), 1.0 / std::sqrt(2048.0));
  bad += check<1024, true, true, true>(1, 3 * 2048 + 2 * odd(rng), 1.0 / std::sqrt(2048.0));
  bad += check<200, true>(1, 6 * 400 + 2 * odd(rng), 1.0 / std::sqrt(400.0));
  bad += check<200, false>(0, 7 * 400 + 2 * odd(rng) + 1, 1.0 / std::sqrt(400.0));
  return bad ? 1 : 0;
}
