// CUDA execution of STFT plans: one kernel per direction, with the FFT done
// by our own code: in registers for n_fft 512..4096 (powers of two), by
// mixed-radix Stockham passes in shared memory for the other sizes the
// kernels cover (n_fft even, n_fft / 2 made of 2, 3, 5, n_fft <= 4096); any
// other size goes through cuFFT (fft_fallback.cu).
//
// Forward: a block takes FPB consecutive frames of one signal, reads them
// straight from the signal (padding by index, window on load, half-length
// complex packing of the real input), transforms them, untangles the real
// spectrum and writes it once.  The signal is read once and only the
// spectrum is written.
//
// Inverse (stft_kernels.cuh, istft_geometry): in calls large enough, a block
// owns a run of frames, FPB at a time (rounds), overlap-adds them in shared
// memory and divides by the window envelope (a reciprocal table of its
// periodic part); the n_fft - hop samples it shares with each neighbouring
// block are added atomically onto zeros written first (istft_zero_edges), so
// the result does not depend on the order.  With hop = n_fft / 4 the
// quarter-hop kernel overlap-adds by hops in registers and writes as the
// rounds go; on [bins][frames] spectra it reads each round as one tile of
// bulk tensor copies (TMA) issued while the round before it is transformed.
// Small calls and hops above n_fft: a block owns a run of output samples and
// transforms every frame touching it (those shared with a neighbour twice):
// no atomics.
//
// Twiddles (computed in double for the GPU's pass order) and the window are
// copied to the device once per plan and device.
#include "fft_smem.cuh"

#include <math.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

extern "C" {
#include "stft_cuda.h"
}
#include "fft_fallback.h"

#include <cudaTypedefs.h> // PFN_cuTensorMapEncodeTiled
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "stft_kernels.cuh"
#include "tune_cuda.cuh"

// ---------------------------------------------------------------- host side

spectro_status cuda_error_status(cudaError_t e, const char *what) {
  (void)cudaGetLastError(); // reported here: a non-sticky error must not fail the next call's launch check
  return spectro_error(SPECTRO_ERR_DEVICE, "CUDA error in %s: %s (%s)", what, cudaGetErrorString(e),
                       cudaGetErrorName(e));
}

// (kernel, device) pairs whose opt-in is set: the attribute calls cost
// microseconds, and every launch above 48 KB asks.
#define SMEM_DONE_SLOTS 256
static pthread_mutex_t smem_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
  const void *kernel;
  int device;
  size_t dynamic_max;
} smem_done[SMEM_DONE_SLOTS];
static int smem_done_count;

cudaError_t cuda_allow_smem(const void *kernel, size_t smem) {
  if (smem <= 48 * 1024) return cudaSuccess;
  int device = 0, optin = 0, found = 0;
  size_t dynamic_max = 0;
  cudaError_t e = cudaGetDevice(&device);
  if (e != cudaSuccess) return e;
  pthread_mutex_lock(&smem_lock);
  for (int i = 0; i < smem_done_count && !found; ++i)
    if (smem_done[i].kernel == kernel && smem_done[i].device == device) {
      found = 1;
      dynamic_max = smem_done[i].dynamic_max;
    }
  pthread_mutex_unlock(&smem_lock);
  if (found) return dynamic_max < smem ? cudaErrorInvalidValue : cudaSuccess;
  // Every caller sets the device's opt-in maximum (less the kernel's static
  // shared memory, which that limit counts too), never its own size: the
  // attribute is per function and process-wide, so differing values from
  // concurrent calls would race.
  cudaFuncAttributes fa;
  e = cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, device);
  if (e == cudaSuccess) e = cudaFuncGetAttributes(&fa, kernel);
  if (e != cudaSuccess) return e;
  dynamic_max = (size_t)optin > fa.sharedSizeBytes ? (size_t)optin - fa.sharedSizeBytes : 0;
  if (dynamic_max < smem) return cudaErrorInvalidValue;
  e = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)dynamic_max);
  if (e != cudaSuccess) return e;
  pthread_mutex_lock(&smem_lock);
  if (smem_done_count < SMEM_DONE_SLOTS) {
    smem_done[smem_done_count].kernel = kernel;
    smem_done[smem_done_count].device = device;
    smem_done[smem_done_count].dynamic_max = dynamic_max;
    ++smem_done_count;
  }
  pthread_mutex_unlock(&smem_lock);
  return cudaSuccess;
}

extern "C" int spectro_cuda_supported_size(const spectro_stft_plan *plan) {
  const int64_t n = plan->n_fft;
  if (n % 2 != 0 || n < 4 || n > 4096) return 0;
  const cfft *half = plan->fft->half;
  if (half->nfactors == 0) return 0;
  for (int f = 0; f < half->nfactors; ++f)
    if (half->factors[f] > 5) return 0;
  return half->nfactors <= MAX_PASSES;
}

// Frees a plan's device tables (on the current device) and the record.
static void free_plan_data(cuda_plan_data *d) {
  cudaFree(d->tw);
  cudaFree(d->rtw);
  cudaFree(d->tw32);
  cudaFree(d->window);
  cudaFree(d->fwindow);
  cudaFree(d->iwindow);
  cudaFree(d->env_period);
  cudaFree(d->env_inv);
  cuda_fft_release(d);
  pthread_mutex_destroy(&d->fft_lock);
  pthread_mutex_destroy(&d->tune_lock);
  spectro_free(d);
}

spectro_status cuda_plan_tables(const spectro_stft_plan *cplan, cuda_plan_data **out) {
  spectro_stft_plan *plan = (spectro_stft_plan *)cplan;
  int device = 0;
  CUDA_TRY(cudaGetDevice(&device), "cudaGetDevice");
  RETURN_IF(device < 0 || device >= SPECTRO_MAX_DEVICES, SPECTRO_ERR_DEVICE, "device %d is beyond the %d supported",
            device, SPECTRO_MAX_DEVICES);
  cuda_plan_data *d = device_tables_find<cuda_plan_data>(&plan->lock, plan->cuda, device);
  if (d) {
    *out = d;
    return SPECTRO_OK;
  }
  const int fused = spectro_cuda_supported_size(plan);
  const int64_t h = fused ? plan->fft->half->n : 0;
  // Passes: radix 8 first, then 4, 2, 5, 3 (next_radix(), the order the
  // compile-time kernels unroll): fewer passes through shared memory than
  // the CPU's radix-4 order.
  pass_table pt = {};
  for (int64_t rem = h; rem > 1;) {
    int ip = next_radix((int)rem);
    pt.ip[pt.count++] = ip;
    rem /= ip;
  }
  size_t ntw = 0;
  int64_t l1 = 1;
  for (int f = 0; f < pt.count; ++f) {
    int64_t ip = pt.ip[f], ido = h / (l1 * ip);
    pt.tw_offset[f] = (int)ntw;
    ntw += (size_t)((ip - 1) * (ido - 1));
    l1 *= ip;
  }
  const int reg = reg_fft_size((int)h), p10 = p10_fft_size((int)h);
  if (reg) ntw = (size_t)reg_tw_total((int)h); // the register FFT's table instead
  if (p10) ntw = (size_t)p10_tw_offset((int)h, (int)h);
  // twiddles in double, stored as float2: cos/sin(2 pi m l1 i / h) for the
  // Stockham passes; for the register FFT, one row of powers per pass and
  // butterfly (points_fill_twiddles, fft_smem.cuh)
  float2 *host_tw = (float2 *)spectro_alloc_array(ntw + 1, sizeof(float2));
  RETURN_IF(host_tw == NULL, SPECTRO_ERR_OUT_OF_MEMORY, "out of memory for CUDA twiddles");
  if (reg) reg_fill_all_twiddles((int)h, host_tw);
  if (p10) p10_fill_twiddles((int)h, host_tw);
  l1 = 1;
  for (int f = 0; f < pt.count && !reg && !p10; ++f) {
    int64_t ip = pt.ip[f], ido = h / (l1 * ip);
    for (int64_t m = 1; m < ip; ++m)
      for (int64_t i = 1; i < ido; ++i) {
        double a = 2.0 * M_PI * (double)((m * l1 * i) % h) / (double)h;
        host_tw[pt.tw_offset[f] + (m - 1) * (ido - 1) + (i - 1)] = make_float2((float)cos(a), (float)sin(a));
      }
    l1 *= ip;
  }
  d = (cuda_plan_data *)spectro_alloc(sizeof *d);
  if (d == NULL) spectro_free(host_tw);
  RETURN_IF(d == NULL, SPECTRO_ERR_OUT_OF_MEMORY, "out of memory for CUDA plan data");
  memset(d, 0, sizeof *d);
  d->device = device;
  if (cudaDeviceGetAttribute(&d->sms, cudaDevAttrMultiProcessorCount, device) != cudaSuccess) d->sms = 132;
  if (cudaDeviceGetAttribute(&d->sm_smem, cudaDevAttrMaxSharedMemoryPerMultiprocessor, device) != cudaSuccess)
    d->sm_smem = 0;
  if (cudaDeviceGetAttribute(&d->l2_bytes, cudaDevAttrL2CacheSize, device) != cudaSuccess) d->l2_bytes = 0;
  // The dependent launches (the STFT kernel after whatever precedes it, the
  // iSTFT kernel after its edge clearing; SPECTRO_STFT_PDL and
  // SPECTRO_ISTFT_PDL pick them at build time) where the kernels hold their
  // waits: code from compute_90 PTX or newer (a build for older
  // architectures only, run on this device, would not wait), and a driver
  // of CUDA 12.3 or newer (programmatic edges in captured graphs);
  // SPECTRO_CUDA_PDL=0 turns them off (e.g. for graph capture on drivers
  // that still refuse such launches)
  {
    cudaFuncAttributes fa;
    int driver = 0;
    const char *env = getenv("SPECTRO_CUDA_PDL");
    d->pdl = !(env && strcmp(env, "0") == 0) && cudaDriverGetVersion(&driver) == cudaSuccess && driver >= 12030 &&
             cudaFuncGetAttributes(&fa, (const void *)istft_zero_edges) == cudaSuccess && fa.ptxVersion >= 90;
  }
  (void)cudaGetLastError();
  d->fused = fused;
  d->pt = pt;
  if (pthread_mutex_init(&d->fft_lock, NULL) != 0) {
    spectro_free(host_tw);
    spectro_free(d);
    return spectro_error(SPECTRO_ERR_INTERNAL, "could not create the CUDA plan's lock");
  }
  if (pthread_mutex_init(&d->tune_lock, NULL) != 0) {
    pthread_mutex_destroy(&d->fft_lock);
    spectro_free(host_tw);
    spectro_free(d);
    return spectro_error(SPECTRO_ERR_INTERNAL, "could not create the CUDA plan's autotune lock");
  }
  host_tw[ntw] = make_float2(0.f, 0.f); // (the table's spare slot: a table of none still gets one)
  cudaError_t e = upload(cudaSuccess, &d->tw, host_tw, sizeof(float2) * (ntw + 1));
  spectro_free(host_tw);
  // the untangle roots rtw[k] = e^(-2 pi i k / n_fft), k < h (the CPU plan's
  // rtw_f to float rounding, but with the eighth-turn symmetries exact:
  // unit_root_f), and a spare slot
  float2 *host_rtw = (float2 *)spectro_alloc_array((size_t)h + 1, sizeof(float2));
  if (host_rtw == NULL && e == cudaSuccess) e = cudaErrorMemoryAllocation;
  for (int64_t k = 0; host_rtw && k <= h; ++k) {
    const float2 w = k < h ? unit_root_f((long)k, (long)plan->n_fft) : make_float2(0.f, 0.f);
    host_rtw[k] = make_float2(w.x, -w.y);
  }
  e = upload(e, &d->rtw, host_rtw, sizeof(float2) * (size_t)(h + 1));
  spectro_free(host_rtw);
  if (SPECTRO_STFT_R32 && h == 1024) { // the radix-32 kernel's twiddles (fft_r32.cuh; an autotune candidate)
    float2 *host_tw32 = (float2 *)spectro_alloc_array(1024, sizeof(float2));
    if (host_tw32 == NULL && e == cudaSuccess) e = cudaErrorMemoryAllocation;
    if (host_tw32) r32_fill_twiddles(host_tw32);
    e = upload(e, &d->tw32, host_tw32, sizeof(float2) * 1024);
    spectro_free(host_tw32);
  }
  e = upload(e, &d->window, plan->window_f, sizeof(float) * (size_t)plan->n_fft);
  // the forward kernels' window: times 0.5 forward_scale (forward_window_table)
  float *fwin = (float *)spectro_alloc_array((size_t)plan->n_fft, sizeof(float));
  if (fwin == NULL && e == cudaSuccess) e = cudaErrorMemoryAllocation;
  if (fwin) forward_window_table(plan->window_d, plan->n_fft, plan->forward_scale, fwin);
  e = upload(e, &d->fwindow, fwin, sizeof(float) * (size_t)plan->n_fft);
  spectro_free(fwin);
  // the iSTFT's overlap-add window: the window times 1 / (n_fft forward_scale)
  float *iwin = (float *)spectro_alloc_array((size_t)plan->n_fft, sizeof(float));
  if (iwin == NULL && e == cudaSuccess) e = cudaErrorMemoryAllocation;
  const double iscale = 1.0 / ((double)plan->n_fft * plan->forward_scale);
  for (int64_t i = 0; iwin && i < plan->n_fft; ++i) iwin[i] = (float)(plan->window_d[i] * iscale);
  e = upload(e, &d->iwindow, iwin, sizeof(float) * (size_t)plan->n_fft);
  spectro_free(iwin);
  // the plan's periodic envelope (iSTFT): min(hop, n_fft) values, and its reciprocal
  const size_t period = (size_t)(plan->hop < plan->n_fft ? plan->hop : plan->n_fft);
  e = upload(e, &d->env_period, plan->window_sq_period_f, sizeof(float) * period);
  float *inv = (float *)spectro_alloc_array(period, sizeof(float));
  if (inv == NULL && e == cudaSuccess) e = cudaErrorMemoryAllocation;
  for (size_t r = 0; inv && r < period; ++r) {
    const float env = plan->window_sq_period_f[r];
    inv[r] = env > 1e-11f ? (float)(1.0 / (double)env) : 0.f;
  }
  e = upload(e, &d->env_inv, inv, sizeof(float) * period);
  spectro_free(inv);
  if (e != cudaSuccess) {
    free_plan_data(d);
    return cuda_error_status(e, "uploading the plan");
  }
  *out = device_tables_publish(&plan->lock, plan->cuda, device, d, free_plan_data);
  return SPECTRO_OK;
}

extern "C" void cuda_release_plan(spectro_stft_plan *plan) {
  device_tables_release<cuda_plan_data>(plan->cuda, free_plan_data);
}


// Launches kernel on s, as a programmatic dependent launch of the kernel
// before it in the stream when pdl (the kernel must hold its wait).
template <class... Params, class... Args>
static cudaError_t launch_pdl(void (*kernel)(Params...), dim3 grid, dim3 block, size_t smem, cudaStream_t s, bool pdl,
                              Args... args) {
  cudaLaunchConfig_t cfg = {};
  cudaLaunchAttribute attr[1] = {};
  attr[0].id = cudaLaunchAttributeProgrammaticStreamSerialization;
  attr[0].val.programmaticStreamSerializationAllowed = 1;
  cfg.gridDim = grid;
  cfg.blockDim = block;
  cfg.dynamicSmemBytes = smem;
  cfg.stream = s;
  cfg.attrs = attr;
  cfg.numAttrs = pdl ? 1 : 0;
  return cudaLaunchKernelEx(&cfg, kernel, static_cast<Params>(args)...);
}

// The variant of this thread's last call (spectro_cuda_last_variant).
static __thread const char *last_variant = "";
extern "C" const char *cuda_last_variant(void) { return last_variant; }

// floor(log2(x)) for x >= 1 (0 for less): the autotune's size class of a call.
static int size_class(double x) {
  int k = 0;
  while (x >= 2.0 && k < 62) x *= 0.5, ++k;
  return k;
}

static const char *dtype_tag(spectro_dtype dtype) {
  return dtype == SPECTRO_FLOAT16 ? "f16" : dtype == SPECTRO_BFLOAT16 ? "bf16" : dtype == SPECTRO_INT16 ? "i16" : "f32";
}

// The id of the variant a call takes among c: the autotune's choice where
// there is one (run(id) enqueues the call as that variant), noted for
// spectro_cuda_last_variant.  op: 1 STFT, 2 iSTFT; work: frames of the call
// (batch x frames; its power-of-two class is part of the configuration).
template <class Run>
static int take_variant(cuda_plan_data *d, const tune_candidates &c, cudaStream_t s, Run &run, int op, int n, int hop,
                        bool bnf, spectro_dtype dtype, double work) {
  int i = 0;
  if (c.n > 1) {
    const int w = size_class(work);
    char what[96];
    snprintf(what, sizeof what, "%s|n_fft=%d|hop=%d|%s|%s%sw%d", op == 1 ? "stft" : "istft", n, hop,
             bnf ? "bnf" : "bfn", op == 1 ? dtype_tag(dtype) : "", op == 1 ? "|" : "", w);
    const uint64_t sig = (uint64_t)op | (uint64_t)bnf << 2 | (uint64_t)dtype << 3 | (uint64_t)w << 8;
    i = cuda_tune_choose(d, sig, what, c, s, [&](int k) { return run(c.v[k].id); });
  }
  last_variant = c.v[i].name;
  return c.v[i].id;
}

// The STFT's launch variants (the autotune's candidates, tune_cuda.cuh).
enum {
  FWD_BASE,  // stft_forward_kernel at forward_frames_per_block(h), the untangle untangle_in_registers names
             // (n_fft 2048 [bins][frames] with sector-aligned rows: through shared memory, bfn_rows_aligned)
  FWD_HALF,  // [frames][bins], register sizes, aligned sample pairs: forward_half_frames(h) frames a block
  FWD_R32,   // n_fft 2048 [frames][bins], aligned sample pairs: a warp per frame (stft_forward_r32_kernel)
  FWD_RU     // n_fft 2048 [bins][frames], aligned rows: the register untangle after all
};

// The candidates of a forward call (variant 0 the heuristics' choice).
static tune_candidates forward_candidates(const cuda_plan_data *d, const stft_geometry &g, bool bnf, bool aligned) {
  tune_candidates c = {};
  c.add(g.h == 1024 && !bnf && aligned ? "smem_untangle" : "base", FWD_BASE);
  if (bnf && forward_half_frames(g.h) && g.pairs) c.add("half_frames", FWD_HALF);
  if (SPECTRO_STFT_R32 && g.h == 1024 && bnf && g.pairs && d->tw32 != NULL) c.add("r32", FWD_R32);
  if (g.h == 1024 && !bnf && aligned) c.add("reg_untangle", FWD_RU);
  return c;
}


extern "C" spectro_status cuda_stft_forward(const spectro_stft_plan *plan, const void *signal, spectro_dtype dtype,
                                            int64_t batch,
                                            int64_t length, int64_t n_frames, void *out, spectro_layout layout,
                                            void *stream) {
  (void)cudaGetLastError(); // a stale non-sticky error from earlier work must not fail our launch checks
  cuda_plan_data *d;
  spectro_status st = cuda_plan_tables(plan, &d);
  if (st != SPECTRO_OK) return st;
  if (!d->fused) {
    last_variant = "cufft";
    return cuda_fft_stft(plan, d, signal, dtype, batch, length, n_frames, out, layout, (cudaStream_t)stream);
  }
  const stft_geometry g0 = forward_geometry(plan, signal, sample_bytes(dtype), length, n_frames);
  RETURN_IF(batch > 65535, SPECTRO_ERR_UNSUPPORTED, "CUDA STFT supports batch <= 65535 (got %lld)", (long long)batch);
  const bool bnf_out = layout == SPECTRO_LAYOUT_BNF, aligned = bfn_rows_aligned(n_frames, out);
  cudaStream_t s = (cudaStream_t)stream;
  const bool pdl = SPECTRO_STFT_PDL && d->pdl;
  // enqueues the call as variant v
  auto run = [&](int v) -> cudaError_t {
    stft_geometry g = g0;
    if (v == FWD_HALF) g.fpb = forward_half_frames(g.h);
    const unsigned blocks = (unsigned)((n_frames + g.fpb - 1) / g.fpb);
    const size_t smem = sizeof(float2) * 2 * (size_t)g.fpb * stft_frame_stride(g.h, g.fpb);
    cudaError_t e = cudaSuccess;
    launch_by_dtype(dtype, [&](auto sample) {
      using T = decltype(sample);
      launch_by_size(g.h, [&](auto size) {
        constexpr int H = decltype(size)::value;
        launch_by_layout(bnf_out, [&](auto bnf) {
          constexpr bool BNF = decltype(bnf)::value;
          constexpr int FPB = forward_frames_per_block(H);
          constexpr bool RU = untangle_in_registers(H, BNF);
          auto kernel = stft_forward_kernel<H, FPB, T, BNF>;
          if constexpr (SPECTRO_STFT_PAIRS_SPLIT && RU) // (g.pairs known: no unpaired loads)
            if (g.pairs) kernel = stft_forward_kernel<H, FPB, T, BNF, true, true>;
          int threads = forward_threads(H);
          if constexpr (H == 1024 && BNF && SPECTRO_STFT_R32)
            if (v == FWD_R32) { // (a warp per frame)
              auto k32 = stft_forward_r32_kernel<T>;
              e = cuda_allow_smem((const void *)k32, r32_smem_bytes());
              if (e == cudaSuccess)
                e = launch_pdl(k32, dim3((unsigned)((n_frames + R32_WARPS - 1) / R32_WARPS), (unsigned)batch),
                               dim3(32 * R32_WARPS), r32_smem_bytes(), s, pdl, (const T *)signal, (float2 *)out, g,
                               (const float2 *)d->tw32, (const float2 *)d->rtw, (const float *)d->fwindow);
              return;
            }
          if constexpr (BNF && forward_half_frames(H) > 0)
            if (v == FWD_HALF) { // (g.pairs: forward_candidates)
              kernel = stft_forward_kernel<H, forward_half_frames(H), T, true, true, true>;
              threads = forward_block_threads(H, forward_half_frames(H));
            }
          if constexpr (H == 1024 && !BNF) // (n_fft 2048: the shared-memory untangle where rows are aligned)
            if (aligned && v != FWD_RU) kernel = stft_forward_kernel<H, FPB, T, false, false>;
          e = cuda_allow_smem((const void *)kernel, smem);
          if (e == cudaSuccess)
            e = launch_pdl(kernel, dim3(blocks, (unsigned)batch), dim3(threads), smem, s, pdl, (const T *)signal,
                           (float2 *)out, g, d->pt, (const float2 *)d->tw, (const float2 *)d->rtw,
                           (const float *)d->fwindow);
        });
      });
    });
    return e;
  };
  const tune_candidates c = forward_candidates(d, g0, bnf_out, aligned);
  const cudaError_t e = run(take_variant(d, c, s, run, 1, g0.n, g0.hop, bnf_out, dtype, (double)batch * n_frames));
  CUDA_TRY(e, "the STFT kernel launch (shared memory opt-in, launch)");
  CUDA_TRY(cudaGetLastError(), "the STFT kernel launch");
  return SPECTRO_OK;
}

// 1: quarter-hop iSTFT calls on [bins][frames] spectra read their rounds as
// bulk tensor copies (spec_tiles, stft_kernels.cuh) where the spectrum allows.
#ifndef SPECTRO_ISTFT_TILES
#define SPECTRO_ISTFT_TILES 1
#endif

// The driver's cuTensorMapEncodeTiled (through the runtime: no -lcuda), or
// NULL where the driver lacks it.
static PFN_cuTensorMapEncodeTiled_v12000 tensor_map_encoder(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  static PFN_cuTensorMapEncodeTiled_v12000 fn;
  pthread_once(&once, [] {
    void *p = NULL;
    cudaDriverEntryPointQueryResult q;
    if (cudaGetDriverEntryPointByVersion("cuTensorMapEncodeTiled", &p, 12000, cudaEnableDefault, &q) == cudaSuccess &&
        q == cudaDriverEntryPointSuccess)
      fn = (PFN_cuTensorMapEncodeTiled_v12000)p;
    else
      (void)cudaGetLastError();
  });
  return fn;
}

// Describes a [batch][bins][frames] spectrum for the quarter-hop kernel's
// tile copies (sets g.tile_bytes); leaves them off (returns 0) where the copy
// engine cannot take it (odd frame counts: rows must be 16-byte multiples;
// unaligned base) or where the tile would cost blocks per multiprocessor.
static int describe_tiles(istft_geometry &g, spec_tiles &t, const void *spec, bool bnf, int64_t batch, int sm_smem) {
  memset(&t, 0, sizeof t);
  if (!SPECTRO_ISTFT_TILES || bnf || !g.quarter || g.h > 1024 || g.n_frames % 2 != 0 || (uintptr_t)spec % 16 != 0)
    return 0;
  const int fpb = g.fpb, bins = g.bins, box = spec_tile_box_bins(bins, fpb), loads = spec_tile_loads(bins, box);
  istft_geometry tiled = g;
  tiled.tile_bytes = spec_tile_bytes(fpb, box, loads);
  const int per_sm = 1024 / inverse_threads(g.h, false, true);
  if ((size_t)per_sm * (istft_smem_bytes(tiled) + 1024) > (size_t)sm_smem) return 0; // (1 KB: the system's per block)
  PFN_cuTensorMapEncodeTiled_v12000 encode = tensor_map_encoder();
  if (encode == NULL) return 0;
  const cuuint64_t dims[3] = {(cuuint64_t)g.n_frames, (cuuint64_t)bins, (cuuint64_t)batch};
  const cuuint64_t strides[2] = {(cuuint64_t)g.n_frames * sizeof(float2), (cuuint64_t)g.n_frames * bins * sizeof(float2)};
  const cuuint32_t box_dims[3] = {(cuuint32_t)fpb, (cuuint32_t)box, 1}, elem[3] = {1, 1, 1};
  if (encode(&t.map, CU_TENSOR_MAP_DATA_TYPE_UINT64, 3, (void *)spec, dims, strides, box_dims, elem,
             CU_TENSOR_MAP_INTERLEAVE_NONE, CU_TENSOR_MAP_SWIZZLE_NONE,
             CU_TENSOR_MAP_L2_PROMOTION_NONE, // (256-byte promotion: within +-2%, not consistent)
             CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE) != CUDA_SUCCESS)
    return 0;
  t.base = (const float2 *)spec;
  t.n_frames = g.n_frames;
  t.bins = bins;
  t.box_bins = box;
  t.loads = loads;
  g.tile_bytes = tiled.tile_bytes;
  return 1;
}

// The iSTFT's launch variants (the autotune's candidates, tune_cuda.cuh).
enum {
  INV_BASE,   // the launch heuristics' kernel (streaming loads by the call's size against L2; tiles where describable)
  INV_SL,     // the quarter-hop kernel on [frames][bins] with streaming spectrum loads
  INV_CACHED, // ... without
  INV_PLAIN   // the quarter-hop kernel on [bins][frames] without tiles
};

extern "C" spectro_status cuda_stft_inverse(const spectro_stft_plan *plan, const void *spec, int64_t batch,
                                            int64_t n_frames, spectro_layout layout, int64_t length, float *out,
                                            void *stream) {
  (void)cudaGetLastError(); // a stale non-sticky error from earlier work must not fail our launch checks
  cuda_plan_data *d;
  spectro_status st = cuda_plan_tables(plan, &d);
  if (st != SPECTRO_OK) return st;
  if (!d->fused) {
    last_variant = "cufft";
    return cuda_fft_istft(plan, d, spec, batch, n_frames, layout, length, out, (cudaStream_t)stream);
  }
  istft_geometry g =
      inverse_geometry((int)plan->n_fft, (int)plan->hop, plan->fr.pad_left, n_frames, length, batch, d->sms,
                       layout == SPECTRO_LAYOUT_BNF, out);
  RETURN_IF(batch > 65535, SPECTRO_ERR_UNSUPPORTED, "CUDA iSTFT supports batch <= 65535 (got %lld)", (long long)batch);
  RETURN_IF(g.blocks > INT32_MAX, SPECTRO_ERR_UNSUPPORTED, "CUDA iSTFT: too many frames (%lld)", (long long)n_frames);
  if (batch == 0 || length == 0) return SPECTRO_OK;
  // streaming spectrum loads where nothing of this call would stay in L2
  // for the next (ldg_spec)
  const double call_bytes = (double)batch * (double)n_frames * (double)plan->bins * sizeof(float2) +
                            (double)batch * (double)length * sizeof(float);
  g.stream_loads = SPECTRO_ISTFT_STREAM_LOADS && d->l2_bytes > 0 && call_bytes > (double)d->l2_bytes;
  spec_tiles tiles;
  const bool bnf_in = layout == SPECTRO_LAYOUT_BNF;
  describe_tiles(g, tiles, spec, bnf_in, batch, d->sm_smem);
  cudaStream_t s = (cudaStream_t)stream;
  dim3 grid((unsigned)g.blocks, (unsigned)batch);
  // enqueues the call as variant v (INV_*): the edge clearing and the kernel
  auto run = [&](int v) -> cudaError_t {
    istft_geometry gv = g;
    if (v == INV_SL || v == INV_CACHED) gv.stream_loads = v == INV_SL;
    if (v == INV_PLAIN) gv.tile_bytes = 0;
    const size_t smem = istft_smem_bytes(gv);
    if (gv.own && gv.blocks > 1) { // (an ordinary launch: the iSTFT kernel reads the spectrum before its wait)
      istft_zero_edges<<<dim3((unsigned)(gv.blocks - 1), (unsigned)batch), 256, 0, s>>>(out, gv);
      const cudaError_t ez = cudaGetLastError();
      if (ez != cudaSuccess) return ez;
    }
    cudaError_t attr = cudaSuccess;
    launch_by_size(gv.h, [&](auto size) {
      constexpr int H = decltype(size)::value;
      launch_by_layout(bnf_in, [&](auto bnf) {
        constexpr bool BNF = decltype(bnf)::value;
        auto kernel = istft_kernel<H, inverse_frames_per_block(H, BNF, false), BNF, false>;
        if constexpr (reg_fft_size(H)) {
          if (gv.quarter) kernel = istft_kernel<H, inverse_frames_per_block(H, BNF, true), BNF, true>;
          if constexpr (BNF)
            if (gv.quarter && gv.stream_loads)
              kernel = istft_kernel<H, inverse_frames_per_block(H, true, true), true, true, false, true>;
          if constexpr (BNF && H == 512) // (n_fft 1024: the 8-points kernel where the geometry says, istft_geometry.r16)
            if (gv.quarter && !gv.r16)
              kernel = gv.stream_loads ? istft_kernel<H, inverse_frames_per_block(H, true, true, true), true, true, false, true, true>
                                       : istft_kernel<H, inverse_frames_per_block(H, true, true, true), true, true, false, false, true>;
          if constexpr (!BNF && H <= 1024) // (n_fft 4096's tile would cost a block per multiprocessor)
            if (gv.tile_bytes) kernel = istft_kernel<H, inverse_frames_per_block(H, false, true), false, true, true>;
        }
        attr = cuda_allow_smem((const void *)kernel, smem);
        if (attr == cudaSuccess) {
          // after istft_zero_edges: a programmatic dependent launch (SPECTRO_ISTFT_PDL)
          attr = launch_pdl(kernel, grid, dim3((unsigned)inverse_threads(H, BNF, gv.quarter, gv.r16 == 0)), smem, s,
                            SPECTRO_ISTFT_PDL && d->pdl && gv.own && gv.blocks > 1, (const float2 *)spec, out, gv,
                            d->pt, (const float2 *)d->tw, (const float2 *)d->rtw, (const float *)d->window,
                            (const float *)d->env_period, (const float *)d->env_inv, (const float *)d->iwindow, tiles);
        }
      });
    });
    return attr;
  };
  // the candidates (variant 0 the heuristics' choice, named for what it is
  // where there is a choice): the quarter-hop kernel's spectrum reads,
  // streaming or cached ([frames][bins]), by tiles or plain loads ([bins][frames]
  // where tiles can be described)
  tune_candidates c = {};
  const bool sl_choice = reg_fft_size(g.h) && g.own && g.quarter && bnf_in;
  c.add(sl_choice ? (g.stream_loads ? "stream_loads" : "cached_loads") : g.tile_bytes ? "tiles" : "base", INV_BASE);
  if (sl_choice) c.add(g.stream_loads ? "cached_loads" : "stream_loads", g.stream_loads ? INV_CACHED : INV_SL);
  if (g.tile_bytes) c.add("plain_loads", INV_PLAIN);
  const cudaError_t attr =
      run(take_variant(d, c, s, run, 2, g.n, g.hop, bnf_in, SPECTRO_FLOAT32, (double)batch * n_frames));
  CUDA_TRY(attr, "the iSTFT kernel launch (shared memory opt-in, launch)");
  CUDA_TRY(cudaGetLastError(), "the iSTFT kernel launch");
  return SPECTRO_OK;
}
