// The CUDA frontend kernel (src/cuda/frontend_kernels.cuh: STFT -> |X|^power
// -> sparse banded filterbank -> scale [-> DCT], one kernel) run on CPU
// threads through the host emulation in shim/, against a double-precision
// reference: random banded filterbanks (any bands, as users may pass),
// power 2 / 1, dB with the per-example maximum and the minima of tiles of
// 128 frames (top_db's first pass), linear, the fused DCT and the identity
// (spectrogram); register sizes, odd lengths, a batch of two.  Then the
// top_db second passes (the clip by tiles, the MFCC's DCT pass at 1 and 4
// coefficients per thread) against references made from their inputs.
#include "../../src/cuda/frontend_kernels.cuh"
#include "emu.h"

#include <cstdio>

enum { DB_MAX, LINEAR_POWER1, DB_DCT, IDENTITY_DB };

template <int H> static int check(int mode, int M, int64_t T) {
  constexpr int FPB = forward_frames_per_block(H), BT = forward_threads(H);
  const int n = 2 * H, hop = n / 4 - 17, F = H + 1, batch = 2, K = 13;
  const int64_t N = 1 + T / hop;
  std::normal_distribution<double> nd;
  std::uniform_real_distribution<double> ud(0.05, 1.0);
  std::vector<float> x((size_t)batch * T);
  for (auto &v : x) v = (float)nd(rng);
  const std::vector<float> window = hann_window(n), fwin = forward_hann(n); // (the kernel's window: times 0.5)
  // a banded filterbank: band m covers bins [start, start + count)
  std::vector<int4> bands(M);
  std::vector<float> weights;
  for (int m = 0; m < M; ++m) {
    if (mode == IDENTITY_DB) { // a spectrogram: band m is bin m (the kernel ignores the table)
      bands[m] = make_int4(m, 1, m, 0);
      weights.push_back(1.f);
      continue;
    }
    const int count = 1 + (int)(rng() % 48), start = (int)(rng() % (F - count + 1));
    bands[m] = make_int4(start, count, (int)weights.size(), 0);
    for (int j = 0; j < count; ++j) weights.push_back((float)ud(rng));
  }
  weights.push_back(0.f);
  std::vector<float> dct((size_t)K * M);
  for (auto &v : dct) v = (float)nd(rng);
  std::vector<float2> tw = kernel_twiddles<H>(), rtw = untangle_roots(H);
  stft_geometry g{};
  g.n = n, g.h = H, g.hop = hop, g.bins = F, g.pad_left = n / 2, g.reflect = 1, g.length = T, g.n_frames = N;
  g.fpb = FPB, g.pairs = hop % 2 == 0 && T % 2 == 0;
  frontend_geometry fg{};
  fg.rows = F, fg.bands = M, fg.identity = mode == IDENTITY_DB, fg.power_kind = mode == LINEAR_POWER1 ? 1 : 0;
  fg.power = mode == LINEAR_POWER1 ? 1.f : 2.f;
  fg.scale = mode == LINEAR_POWER1 ? SPECTRO_SCALE_LINEAR : SPECTRO_SCALE_DB;
  fg.db_mult = 10.f, fg.db_amin = 1e-10f, fg.db_offset = 0.f;
  const bool with_dct = mode == DB_DCT, tracked = mode == DB_MAX || mode == IDENTITY_DB;
  fg.n_dct = with_dct ? K : 0, fg.fused_dct = with_dct, fg.track_max = tracked;
  fg.group = 1;
  fg.n_weights = mode == IDENTITY_DB ? 0 : (int)weights.size() - 1; // (the table is copied to shared memory when it fits)
  const int rows_out = with_dct ? K : M;
  std::vector<float> out((size_t)batch * rows_out * N, NAN);
  std::vector<unsigned> maxes(batch, 0u);
  const int64_t nblk = (N + FPB - 1) / FPB, ntiles = (N + CLIP_TILE - 1) / CLIP_TILE;
  std::vector<unsigned> tile_min((size_t)batch * ntiles, 0u);
  const size_t smem = sizeof(float2) * 2 * FPB * padded_frame(H, FPB);
  pass_table pt{};
  launch((unsigned)nblk, batch, BT, smem, [&] {
    frontend_kernel<H, FPB, float>(x.data(), out.data(), g, fg, pt, tw.data(), rtw.data(), fwin.data(), bands.data(),
                                   weights.data(), dct.data(), maxes.data(), tracked ? tile_min.data() : nullptr);
  });
  double worst = 0, err = 0, norm = 0;
  bool ok = true;
  for (int b = 0; b < batch; ++b) {
    float item_max = -INFINITY;
    for (int64_t t = 0; t < N; ++t) {
      std::vector<std::complex<double>> fr(n);
      for (int m = 0; m < n; ++m) {
        int64_t i = t * hop - n / 2 + m;
        if (i < 0) i = -i;
        if (i >= T) i = 2 * (T - 1) - i;
        fr[m] = x[b * T + i] * (double)window[m];
      }
      fft(fr);
      std::vector<double> mel(M), scaled(M);
      double peak = -1e300;
      for (int m = 0; m < M; ++m) {
        double s = 0;
        for (int j = 0; j < bands[m].y; ++j) {
          const double a = std::abs(fr[bands[m].x + j]);
          s += weights[bands[m].z + j] * (mode == LINEAR_POWER1 ? a : a * a);
        }
        mel[m] = s;
        scaled[m] = mode == LINEAR_POWER1 ? s : 10.0 * std::log10(s > 1e-10 ? s : 1e-10);
        peak = std::max(peak, scaled[m]);
      }
      for (int r = 0; r < rows_out; ++r) {
        double ref = scaled[r];
        if (with_dct) {
          ref = 0;
          for (int m = 0; m < M; ++m) ref += dct[(size_t)r * M + m] * scaled[m];
        }
        const double got = out[((size_t)b * rows_out + r) * N + t];
        if (mode == DB_MAX || mode == IDENTITY_DB) { // dB: absolute, with float32's frame-relative error allowed far below the peak
          const double tol = 1e-3 + 1e-7 * 10 / std::log(10.0) * std::pow(10.0, std::min(peak - ref, 150.0) / 10);
          if (!(std::abs(got - ref) <= tol)) ok = false;
          worst = std::max(worst, std::abs(got - ref));
          item_max = std::max(item_max, (float)got);
        } else {
          err += (got - ref) * (got - ref);
          norm += ref * ref;
        }
      }
    }
    if (tracked && order_decode(maxes[b]) != item_max) ok = false;
    // each tile's minimum: the smallest band value of the blocks whose frames fall in it (a block
    // straddling two tiles counts in both)
    for (int64_t tile = 0; tracked && tile < ntiles; ++tile) {
      float mn = INFINITY;
      for (int64_t xb = tile * CLIP_TILE / FPB; xb < nblk && xb * FPB < (tile + 1) * CLIP_TILE; ++xb)
        for (int m = 0; m < M; ++m)
          for (int64_t t = xb * FPB; t < std::min(N, (xb + 1) * FPB); ++t) mn = std::min(mn, out[((size_t)b * M + m) * N + t]);
      if (order_decode(~tile_min[(size_t)b * ntiles + tile]) != mn) ok = false;
    }
  }
  const bool db = mode == DB_MAX || mode == IDENTITY_DB;
  const double e = db ? worst : std::sqrt(err / norm);
  if (!db && !(e <= 1e-5)) ok = false;
  const bool staged = shared_tables_offset<H>(fg, FPB, padded_frame(H, FPB)) >= 0;
  printf("%s n_fft %d hop %d %d bands (filterbank %s) %s: %s %.2e\n", ok ? "ok  " : "FAIL", n, hop, M,
         staged ? "in shared memory" : "read from memory",
         mode == DB_MAX          ? "dB + example max, tile minima"
         : mode == LINEAR_POWER1 ? "linear, power 1"
         : mode == DB_DCT        ? "dB + fused DCT"
                                 : "spectrogram (identity) dB + example max, tile minima",
         db ? "max abs dB error" : "rel L2", e);
  return ok ? 0 : 1;
}

// The MFCC second pass (top_db clip, then the DCT: dct_kernel, a thread per
// (frame, coefficient), or dct_tiles_kernel) of one example against a double
// reference; frames not a multiple of the block, NaN band values kept.
static int check_dct(bool tiles, int M, int K, int64_t N) {
  std::normal_distribution<double> nd;
  std::vector<float> mel((size_t)M * N), dct((size_t)K * M), out((size_t)K * N, NAN);
  float peak = -INFINITY;
  for (auto &v : mel) peak = std::max(peak, v = (float)(-40.0 + 15.0 * nd(rng)));
  for (auto &v : dct) v = (float)nd(rng);
  const int64_t nan_at = (int64_t)(rng() % (uint64_t)N); // frame with a NaN band: its coefficients are NaN
  mel[(size_t)(rng() % (uint64_t)M) * N + nan_at] = NAN;
  const double top_db = 30.0;
  const unsigned maxes[1] = {order_encode(peak)};
  if (tiles)
    launch((unsigned)((N + DCT_TF - 1) / DCT_TF), 1, 256, dct_tiles_smem(M, K), [&] {
      dct_tiles_kernel(mel.data(), out.data(), M, K, N, dct.data(), maxes, 1, 1, top_db);
    });
  else
    launch((unsigned)((N + 127) / 128), (unsigned)K, 128, 0, [&] {
      dct_kernel(mel.data(), out.data(), M, K, N, dct.data(), maxes, 1, 1, top_db);
    });
  const double floor_v = (double)(float)((double)peak - top_db);
  double err = 0, norm = 0;
  bool ok = true;
  for (int k = 0; k < K; ++k)
    for (int64_t t = 0; t < N; ++t) {
      const double got = out[(size_t)k * N + t];
      if (t == nan_at) {
        if (!std::isnan(got)) ok = false;
        continue;
      }
      double ref = 0;
      for (int m = 0; m < M; ++m) ref += (double)dct[(size_t)k * M + m] * std::max((double)mel[(size_t)m * N + t], floor_v);
      err += (got - ref) * (got - ref);
      norm += ref * ref;
    }
  const double e = std::sqrt(err / norm);
  // float32 sums of M terms: a rounding error growing like sqrt(M) ulps
  // (1100 bands gave 1.03e-06 once against a flat 1e-6; a wrong coefficient
  // or clip gives 1e-3 or more)
  const double tol = std::max(1e-6, 4.0 * std::sqrt((double)M) * std::ldexp(1.0, -24));
  ok = ok && e <= tol;
  printf("%s MFCC second pass (top_db clip + DCT, %s) %d bands -> %d coefficients, %lld frames: rel L2 %.2e\n",
         ok ? "ok  " : "FAIL", tiles ? "tiles in shared memory" : "a thread per value", M, K, (long long)N, e);
  return ok ? 0 : 1;
}

// The mel / filtered top_db pass by tiles (clip_tiles_kernel) on a batch of
// two (one group each): values below the floor in some tiles only, the
// tiles' true minima (as the frontend kernel leaves them: ~order_encode):
// every value must come out clipped; a tile whose minimum claims nothing
// below the floor (and one that no block wrote: 0) must be left alone.
static int check_clip_tiles(int M, int64_t N) {
  std::normal_distribution<double> nd;
  const int batch = 2;
  const int64_t ntiles = (N + CLIP_TILE - 1) / CLIP_TILE;
  std::vector<float> x((size_t)batch * M * N);
  const double top_db = 20.0;
  std::vector<unsigned> maxes(batch), tile_min((size_t)batch * ntiles);
  std::vector<float> floors(batch);
  std::vector<char> low((size_t)batch * ntiles);
  for (auto &c : low) c = rng() % 2;
  low[ntiles] = low[2 * ntiles - 1] = 1; // (item 1's first and last: the tiles marked below)
  for (int b = 0; b < batch; ++b) {
    float peak = -INFINITY;
    for (int64_t i = 0; i < (int64_t)M * N; ++i) peak = std::max(peak, x[b * M * N + i] = (float)(-30.0 + 10.0 * nd(rng)));
    maxes[b] = order_encode(peak);
    floors[b] = (float)((double)peak - top_db);
    for (int64_t tile = 0; tile < ntiles; ++tile) {
      float mn = INFINITY;
      for (int m = 0; m < M; ++m)
        for (int64_t t = tile * CLIP_TILE; t < std::min(N, (tile + 1) * CLIP_TILE); ++t) {
          float &v = x[((size_t)b * M + m) * N + t];
          if (!low[b * ntiles + tile] && v < floors[b]) v = floors[b];
          mn = std::min(mn, v);
        }
      tile_min[b * ntiles + tile] = ~order_encode(mn);
    }
  }
  // item 1: a tile with values below the floor whose minimum says otherwise, one marked unwritten
  std::vector<char> skip((size_t)batch * ntiles, 0);
  for (int64_t tile = 0, n = 0; tile < ntiles && n < 2; ++tile)
    if (low[ntiles + tile]) {
      tile_min[ntiles + tile] = n++ ? 0u : ~order_encode(floors[1] + 1.f);
      skip[ntiles + tile] = 1;
    }
  const std::vector<float> x0 = x;
  launch3((unsigned)ntiles, (unsigned)((M + CLIP_BANDS - 1) / CLIP_BANDS), batch, 256, 0, [&] {
    clip_tiles_kernel(x.data(), M, N, maxes.data(), 1, top_db, tile_min.data());
  });
  bool ok = true;
  int below = 0, left = 0;
  for (int b = 0; b < batch; ++b)
    for (int m = 0; m < M; ++m)
      for (int64_t t = 0; t < N; ++t) {
        const size_t i = ((size_t)b * M + m) * N + t;
        const bool done = !skip[b * ntiles + t / CLIP_TILE];
        const float want = done ? std::max(x0[i], floors[b]) : x0[i];
        below += done && x0[i] < floors[b];
        left += !done && x0[i] < floors[b];
        if (x[i] != want) ok = false;
      }
  printf("%s top_db clip by tiles: %d bands, %lld frames: %d values clipped, %d left as the tile minima say\n",
         ok ? "ok  " : "FAIL", M, (long long)N, below, left);
  return ok ? 0 : 1;
}

int main() {
  int bad = 0;
  bad += check_dct(false, 40, 13, 300 + rng() % 50);
  bad += check_dct(false, 96, 40, 128);
  bad += check_dct(false, 1100, 20, 140 + rng() % 50);
  bad += check_dct(true, 40, 13, 300 + rng() % 50);
  bad += check_dct(true, 96, 40, 128);
  bad += check_dct(true, 128, 20, 64 * (2 + rng() % 3) + 1 + rng() % 63);
  bad += check_clip_tiles(40, 1000 + rng() % 100);
  bad += check_clip_tiles(128, 300 + rng() % 50);
  for (int mode : {DB_MAX, LINEAR_POWER1, DB_DCT}) {
    bad += check<256>(mode, 40, 4000 + 2 * (rng() % 50) + 1);
    bad += check<512>(mode, 64, 6000 + 2 * (rng() % 50));
    bad += check<1024>(mode, 128, 9000 + 2 * (rng() % 50) + 1);
  }
  // n_fft 400 (the P10 register FFT, 12 frames per block): the MFCC front end's size
  for (int mode : {DB_MAX, LINEAR_POWER1, DB_DCT}) bad += check<200>(mode, 40, 3000 + 2 * (rng() % 50) + 1);
  // more bands than one pass of the block's threads covers; the identity (spectrogram)
  bad += check<256>(DB_MAX, 100, 3000 + 2 * (rng() % 50));
  bad += check<1024>(LINEAR_POWER1, 300, 5000 + 2 * (rng() % 50) + 1);
  bad += check<512>(IDENTITY_DB, 257, 4000 + 2 * (rng() % 50));
  return bad ? 1 : 0;
}
