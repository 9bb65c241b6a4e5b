// The CUDA iSTFT kernel (src/cuda/stft_kernels.cuh, with the launch geometry
// the library computes) run on CPU threads through the host emulation in
// shim/, against a double-precision inverse: each frame's inverse real DFT,
// windowed, overlap-added, divided by the window envelope (0 where it is <=
// 1e-11), trimmed to the requested length.  Register-FFT sizes, both
// layouts, with and without centre padding, even and odd hops (the paired
// and the per-sample overlap-add), hops above n_fft, natural / shorter /
// longer lengths, frames owned by blocks (edges added atomically onto zeros)
// and output runs owned by blocks (the hop > n_fft case), the quarter-hop
// overlap-add (hop = n_fft / 4, own blocks),
// random spectra (imaginary DC / Nyquist parts ignored), a batch of two.
#include "../../src/cuda/stft_kernels.cuh"
#include "emu.h"

#include <cstdio>

// tiles: a quarter-hop call on a [bins][frames] spectrum reads its rounds as
// tiles (the copy engine's path, emulated by tile_copy).  waves, max_rounds:
// inverse_geometry's (-1: the library's choice; 0 uniform blocks; k > 0
// rounds balanced over k waves or more, at most max_rounds a block)
template <int H, bool BNF>
static int check(int hop, bool center, int64_t n_frames, int64_t length_delta, int sms, bool tiles = false,
                 int waves = -1, int max_rounds = ISTFT_MAX_ROUNDS) {
  [[maybe_unused]] constexpr int FPB = inverse_frames_per_block(H, BNF, false),
                                FPBQ = inverse_frames_per_block(H, BNF, true),
                                FPBT = inverse_frames_per_block(H, false, true);
  const int n = 2 * H, F = H + 1, batch = 2;
  const int64_t off = center ? n / 2 : 0, full = n + (int64_t)hop * (n_frames - 1);
  const int64_t length = full - 2 * off + length_delta;
  std::normal_distribution<double> nd;
  std::vector<float2> spec((size_t)batch * F * n_frames);
  for (auto &v : spec) v = make_float2((float)nd(rng), (float)nd(rng));
  const std::vector<double> wd = hann_window_d(n);
  std::vector<float> window = hann_window(n), iwindow(n), out((size_t)batch * length, NAN);
  for (int i = 0; i < n; ++i) iwindow[i] = (float)(wd[i] / n);
  const int period = hop < n ? hop : n;
  std::vector<float> env_period(period), env_inv(period);
  for (int r = 0; r < period; ++r) {
    double e = 0;
    for (int j = r; j < n; j += hop) e += (double)window[j] * window[j];
    env_period[r] = (float)e;
    env_inv[r] = env_period[r] > 1e-11f ? (float)(1.0 / (double)env_period[r]) : 0.f;
  }
  std::vector<float2> tw = kernel_twiddles<H>(), rtw = untangle_roots(H);
  istft_geometry g = inverse_geometry(n, hop, off, n_frames, length, batch, sms, BNF, out.data(), waves, max_rounds);
  spec_tiles t{};
  if (tiles && g.quarter && !BNF) { // (as describe_tiles, stft_cuda.cu, less the copy engine's map)
    t.base = spec.data();
    t.n_frames = n_frames;
    t.bins = F;
    t.box_bins = spec_tile_box_bins(F, FPBT);
    t.loads = spec_tile_loads(F, t.box_bins);
    g.tile_bytes = spec_tile_bytes(FPBT, t.box_bins, t.loads);
  }
  if (tiles && !g.tile_bytes) {
    printf("FAIL n_fft %d hop %d: the case was meant for the tiles path\n", n, hop);
    return 1;
  }
  const size_t smem = istft_smem_bytes(g);
  pass_table pt{};
  // as cuda_stft_inverse: the shared edges cleared first (own frames), then the kernel
  if (g.own && g.blocks > 1)
    launch((unsigned)(g.blocks - 1), batch, 256, 0, [&] { istft_zero_edges(out.data(), g); });
  const int BT = inverse_threads(H, BNF, g.quarter, g.r16 == 0);
  launch((unsigned)g.blocks, batch, BT, smem, [&] {
    if constexpr (reg_fft_size(H)) {
      if constexpr (!BNF)
        if (g.tile_bytes) {
          istft_kernel<H, FPBT, false, true, true>(spec.data(), out.data(), g, pt, tw.data(), rtw.data(),
                                                  window.data(), env_period.data(), env_inv.data(), iwindow.data(), t);
          return;
        }
      if constexpr (BNF && H == 512) // (n_fft 1024: the 8-points kernel where the geometry says)
        if (g.quarter && !g.r16) {
          istft_kernel<H, FPBQ, true, true, false, false, true>(spec.data(), out.data(), g, pt, tw.data(), rtw.data(),
                                                                window.data(), env_period.data(), env_inv.data(),
                                                                iwindow.data(), t);
          return;
        }
      if (g.quarter) {
        istft_kernel<H, FPBQ, BNF, true>(spec.data(), out.data(), g, pt, tw.data(), rtw.data(), window.data(),
                                        env_period.data(), env_inv.data(), iwindow.data(), t);
        return;
      }
    }
    istft_kernel<H, FPB, BNF, false>(spec.data(), out.data(), g, pt, tw.data(), rtw.data(), window.data(),
                                     env_period.data(), env_inv.data(), iwindow.data(), t);
  });
  double err = 0, norm = 0;
  for (int b = 0; b < batch; ++b) {
    std::vector<double> y(full, 0.0), env(full, 0.0);
    for (int64_t t = 0; t < n_frames; ++t) {
      std::vector<std::complex<double>> X(n);
      for (int k = 0; k <= H; ++k) {
        const float2 v = BNF ? spec[((size_t)b * n_frames + t) * F + k] : spec[((size_t)b * F + k) * n_frames + t];
        X[k] = {v.x, (k == 0 || k == H) ? 0.0 : v.y};
      }
      for (int k = 1; k < H; ++k) X[n - k] = std::conj(X[k]);
      fft(X, +1);
      for (int m = 0; m < n; ++m) {
        y[t * hop + m] += X[m].real() / n * window[m];
        env[t * hop + m] += (double)window[m] * window[m];
      }
    }
    for (int64_t i = 0; i < length; ++i) {
      const int64_t p = off + i;
      const double ref = p < full && env[p] > 1e-11 ? y[p] / env[p] : 0.0;
      const double got = out[(size_t)b * length + i]; // (NaN: a sample never written)
      err += (got - ref) * (got - ref);
      norm += ref * ref;
    }
  }
  const double e = std::sqrt(err / norm);
  const bool ok = e <= 1e-6;
  char shape[128];
  if (g.own)
    snprintf(shape, sizeof shape, "%d frames per block (%d rounds, %d blocks one more), %lld blocks%s", g.kf, g.kr,
             g.kx, (long long)g.blocks,
             g.quarter ? (g.tile_bytes ? ", quarter-hop, tiles" : g.r16 ? ", quarter-hop, 16 points" : ", quarter-hop") : "");
  else snprintf(shape, sizeof shape, "span %d", g.span);
  printf("%s n_fft %d hop %d %s center=%d frames %lld length %lld (%s, %s overlap-add): rel L2 %.2e\n",
         ok ? "ok  " : "FAIL", n, hop, BNF ? "bnf" : "bfn", (int)center, (long long)n_frames, (long long)length, shape,
         hop % 2 == 0 && (g.own || (g.off % 2 == 0 && g.span % 2 == 0)) ? "paired" : "per-sample", e);
  return ok ? 0 : 1;
}

int main() {
  int bad = 0;
  std::uniform_int_distribution<int> d(0, 40);
  // sms small and large: spans from the "enough blocks" rule and the long default
  bad += check<256, false>(128, true, 40 + d(rng), 0, 132);
  bad += check<256, true>(128, false, 33 + d(rng), -37, 4);
  bad += check<512, false>(256, true, 30 + d(rng), 500, 132);
  bad += check<512, true>(256, true, 30 + d(rng), -(d(rng) + 1), 2);
  bad += check<512, false>(255, false, 25 + d(rng), 0, 132);
  bad += check<1024, false>(512, true, 20 + d(rng), 0, 132);
  bad += check<1024, true>(441, true, 20 + d(rng), 111, 3);
  // n_fft 400: the P10 register FFT, 12 frames per round; both block kinds
  bad += check<200, false>(100, true, 60 + d(rng), 0, 2);
  bad += check<200, true>(160, false, 50 + d(rng), 33, 2);
  bad += check<200, false>(160, true, 30 + d(rng), -5, 132);
  bad += check<200, true>(101, true, 40 + d(rng), 0, 132);
  bad += check<2048, false>(1024, true, 12 + d(rng) / 4, -1, 132);
  bad += check<2048, true>(1024, false, 12 + d(rng) / 4, 0, 1);
  // hop = n_fft / 4 with own blocks: the quarter-hop kernel (interior
  // blocks by pairs, the first and last blocks' ends sample by sample); an
  // odd length keeps the general kernel
  bad += check<512, false>(256, true, 60 + d(rng), 0, 2);
  bad += check<512, false>(256, true, 60 + d(rng), -(2 * d(rng) + 2), 2);
  bad += check<512, true>(256, false, 60 + d(rng), -1, 2);
  bad += check<1024, false>(512, true, 40 + d(rng), -(2 * d(rng) + 512), 2);
  bad += check<256, false>(128, true, 60 + d(rng), 2 * d(rng), 4);
  bad += check<512, true>(256, false, 60 + d(rng), 2 * d(rng), 2);
  bad += check<512, false>(256, true, 9 * 8 + 1, 0, 2); // (a last block of one frame)
  bad += check<1024, true>(512, true, 6 * 4 + 2, 0, 1); // (two frames)
  // [frames][bins] quarter-hop at the other register sizes, n_fft 512 to 4096
  bad += check<256, true>(128, true, 60 + d(rng), 0, 4);
  bad += check<1024, true>(512, true, 40 + d(rng), -(2 * d(rng) + 512), 2);
  bad += check<1024, true>(512, false, 9 * 8 + 1, 2 * d(rng), 2); // (a last block of one frame)
  bad += check<1024, true>(512, true, 12 * 2 + 3, 0, 1);            // (a last block of a round of 2 and one of 1)
  bad += check<2048, true>(1024, true, 30 + d(rng), 0, 2);
  // blocks of one round (kf = the round's frames: sms large for the
  // frames): its first round is also its last, with shared hops at both ends
  bad += check<512, true>(256, true, 13 + d(rng) % 12, 0, 4);
  bad += check<512, false>(256, false, 20, 0, 4);
  bad += check<256, true>(128, true, 25 + d(rng) % 24, 0, 4);
  // the same reading its rounds as tiles ([bins][frames] spectra): frames
  // past the spectrum's end zero in the last tile, lengths past and short
  bad += check<512, false>(256, true, 60 + d(rng), 2 * d(rng), 2, true);
  bad += check<512, false>(256, false, 9 * 8 + 1, -(2 * d(rng) + 2), 2, true); // (a last block of one frame)
  bad += check<1024, false>(512, true, 40 + d(rng), -(2 * d(rng) + 512), 2, true);
  bad += check<1024, false>(512, true, 6 * 4 + 3, 0, 1, true); // (three frames)
  bad += check<256, false>(128, true, 60 + d(rng), 0, 4, true);
  // quarter-hop blocks: uniform (0), rounds balanced over one wave or more
  // (kr or kr + 1 rounds a block), and over more waves than asked where a
  // block would exceed max_rounds
  for (const int w : {0, 1, 2}) {
    for (const int mr : {ISTFT_MAX_ROUNDS, 3}) {
      if (w == 0 && mr != ISTFT_MAX_ROUNDS) continue;
      bad += check<1024, true>(512, true, 40 + d(rng), 0, 1 + d(rng) % 3, false, w, mr);
      bad += check<1024, false>(512, true, 40 + d(rng), -(2 * d(rng)), 1 + d(rng) % 3, false, w, mr);
      bad += check<1024, false>(512, true, 40 + d(rng), 2 * d(rng), 1, true, w, mr);
      bad += check<512, true>(256, true, 50 + d(rng), 0, 1 + d(rng) % 4, false, w, mr);
      bad += check<512, false>(256, false, 50 + d(rng), 2 * d(rng), 2, true, w, mr);
      bad += check<256, true>(128, true, 60 + d(rng), 0, 3, false, w, mr);
    }
  }
  // hop > n_fft (gaps between frames): blocks own output runs instead of frames
  bad += check<256, false>(600, true, 10 + d(rng), 0, 132);
  bad += check<256, true>(601, false, 10 + d(rng), 77, 132);
  return bad ? 1 : 0;
}
