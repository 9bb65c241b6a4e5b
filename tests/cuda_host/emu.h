// Shared by the host-emulation tests: the emulated CUDA state, a grid
// launcher (every block in turn, a std::thread per CUDA thread), a random
// generator seeded fresh each run, and a double FFT for the references.
#pragma once
#include <algorithm>
#include <barrier>
#include <complex>
#include <memory>
#include <random>
#include <thread>
#include <vector>

thread_local emu_dim3 threadIdx, blockIdx, gridDim, blockDim;
std::barrier<> *emu_barrier;
std::atomic<int> emu_or_flag;
void *emu_smem;
float *emu_shfl_slots;
std::barrier<> **emu_warp_barriers;

static std::mt19937_64 rng{std::random_device{}()};

// kernel() as a grid of gx by gy by gz blocks of `threads` threads with
// `smem` bytes of dynamic shared memory.  The blocks run one at a time in a
// random order, fresh each launch (a GPU gives no order either): a result
// that depends on it, such as a plain store where neighbouring blocks must
// add atomically, then fails some runs instead of none.
template <class Kernel>
static void launch3(unsigned gx, unsigned gy, unsigned gz, int threads, size_t smem, Kernel kernel) {
  std::vector<double> buf(smem / sizeof(double) + 16);
  emu_smem = buf.data();
  std::vector<emu_dim3> order;
  for (unsigned bz = 0; bz < gz; ++bz)
    for (unsigned by = 0; by < gy; ++by)
      for (unsigned bx = 0; bx < gx; ++bx) order.push_back({bx, by, bz});
  std::shuffle(order.begin(), order.end(), rng);
  for (const emu_dim3 blk : order) {
    const unsigned bx = blk.x, by = blk.y, bz = blk.z;
    std::barrier<> bar(threads);
    emu_barrier = &bar;
    std::vector<float> slots(threads);
    std::vector<std::unique_ptr<std::barrier<>>> warps;
    std::vector<std::barrier<> *> warp_ptrs;
    for (int w = 0; w < (threads + 31) / 32; ++w) {
      warps.push_back(std::make_unique<std::barrier<>>(threads - 32 * w < 32 ? threads - 32 * w : 32));
      warp_ptrs.push_back(warps.back().get());
    }
    emu_shfl_slots = slots.data();
    emu_warp_barriers = warp_ptrs.data();
    std::vector<std::thread> ts;
    for (int tid = 0; tid < threads; ++tid)
      ts.emplace_back([&, tid] {
        threadIdx = {(unsigned)tid, 0, 0};
        blockIdx = {bx, by, bz};
        gridDim = {gx, gy, gz};
        blockDim = {(unsigned)threads, 1, 1};
        kernel();
      });
    for (auto &t : ts) t.join();
  }
}
// The same, gx by gy blocks.
template <class Kernel> static void launch(unsigned gx, unsigned gy, int threads, size_t smem, Kernel kernel) {
  launch3(gx, gy, 1, threads, smem, kernel);
}

// in-place FFT in double, sign -1 forward: radix 2 for powers of two, a
// plain DFT (angles reduced exactly mod n) for other sizes
[[maybe_unused]] static void fft(std::vector<std::complex<double>> &a, int sign = -1) {
  const size_t n = a.size();
  if (n & (n - 1)) {
    std::vector<std::complex<double>> o(n);
    for (size_t k = 0; k < n; ++k)
      for (size_t j = 0; j < n; ++j) o[k] += a[j] * std::polar(1.0, sign * 2.0 * M_PI * (double)(j * k % n) / (double)n);
    a = o;
    return;
  }
  for (size_t i = 1, j = 0; i < n; ++i) {
    size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(a[i], a[j]);
  }
  for (size_t len = 2; len <= n; len <<= 1)
    for (size_t i = 0; i < n; i += len)
      for (size_t k = 0; k < len / 2; ++k) {
        const std::complex<double> w = std::polar(1.0, sign * 2.0 * M_PI * (double)k / (double)len);
        const std::complex<double> u = a[i + k], v = a[i + k + len / 2] * w;
        a[i + k] = u + v;
        a[i + k + len / 2] = u - v;
      }
}

// the periodic Hann window of n points, in double (the plan's window_d)
static std::vector<double> hann_window_d(int n) {
  std::vector<double> w(n);
  for (int i = 0; i < n; ++i) w[i] = 0.5 - 0.5 * std::cos(2 * M_PI * i / n);
  return w;
}

// the same in float32 (the plan's window_f)
[[maybe_unused]] static std::vector<float> hann_window(int n) {
  const std::vector<double> wd = hann_window_d(n);
  return std::vector<float>(wd.begin(), wd.end());
}

// the forward kernels' window as the device gets it (cuda_plan_tables'
// fwindow): the periodic Hann window times 0.5 scale (forward_window_table)
[[maybe_unused]] static std::vector<float> forward_hann(int n, double scale = 1.0) {
  const std::vector<double> wd = hann_window_d(n);
  std::vector<float> w(n);
  forward_window_table(wd.data(), n, scale, w.data());
  return w;
}

// the real transform's untangling roots as the device gets them (cuda_plan_tables):
// (cos, -sin)(2 pi k / 2h) by unit_root_f, and a spare slot
static std::vector<float2> untangle_roots(int h) {
  std::vector<float2> r(h + 1, make_float2(0.f, 0.f));
  for (int k = 0; k < h; ++k) {
    const float2 w = unit_root_f(k, 2 * h);
    r[k] = make_float2(w.x, -w.y);
  }
  return r;
}

// The kernels' twiddle table for half-size H (the plan's d->tw): the
// register FFT's, or the P10 register FFT's for h = 200.
template <int H> static std::vector<float2> kernel_twiddles() {
  if constexpr (p10_fft_size(H)) {
    std::vector<float2> t(p10_tw_offset(H, H) + 1);
    p10_fill_twiddles(H, t.data());
    return t;
  } else {
    std::vector<float2> t(reg_tw_total(H) + 1);
    reg_fill_all_twiddles(H, t.data());
    return t;
  }
}
