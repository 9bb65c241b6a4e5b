// CUDA execution of frontend plans: signal in, features out.
//
// The frontend kernel is the forward STFT kernel with its "store the
// spectrum" step replaced: each block untangles its frames' spectra into
// |X|^power in shared memory, projects them on the sparse banded filterbank,
// scales (log / dB / log10(x+1)) and writes only the band values.  MFCC
// without top_db also applies the DCT + lifter in the same block, so only
// the coefficients reach global memory.
//
// top_db needs the maximum of a whole example (or of a packed group of
// examples): the kernel folds each block's maximum into one word per group
// with an atomic max on an order-preserving integer encoding (max is
// order-independent, so the result is deterministic), and a light second
// kernel clips (mel / filtered) or clips and applies the DCT (MFCC).  No
// host synchronisation anywhere: the sequence is graph-capturable.  With
// the own-FFT kernel (mel / filtered), each block also folds the smallest
// value it wrote into its tiles of 128 frames, and the clip kernel rewrites
// only the tiles where some value lies below max - top_db (the others are
// final as written: on a noise input, none).
#include "fft_fallback.h"

#include <math.h>

extern "C" {
#include "../frontend.h"
#include "frontend_cuda.h"
}

#include "frontend_kernels.cuh"

// ---------------------------------------------------------------- host side

struct cuda_frontend_data {
  int device;
  int4 *bands_tab;
  float *weights, *dct;
};

static void free_frontend_data(cuda_frontend_data *d) {
  cudaFree(d->bands_tab);
  cudaFree(d->weights);
  cudaFree(d->dct);
  spectro_free(d);
}

static spectro_status frontend_tables(const spectro_frontend_plan *cplan, int device, cuda_frontend_data **out) {
  spectro_frontend_plan *plan = (spectro_frontend_plan *)cplan;
  cuda_frontend_data *d = device_tables_find<cuda_frontend_data>(&plan->lock, plan->cuda, device);
  if (d) {
    *out = d;
    return SPECTRO_OK;
  }
  const frontend_spec *fs = &plan->spec;
  const int64_t M = fs->bands, K = plan->config.n_dct;
  int64_t total = 0;
  if (!fs->identity) total = fs->offset[M - 1] + fs->count[M - 1];
  RETURN_IF(total > INT32_MAX || M > INT32_MAX, SPECTRO_ERR_UNSUPPORTED,
            "the CUDA frontend supports filterbanks of < 2^31 weights (got %lld)", (long long)total);
  int4 *h_tab = NULL;
  float *h_w = NULL, *h_dct = NULL;
  if (!fs->identity) {
    h_tab = (int4 *)spectro_alloc_array((size_t)M, sizeof(int4));
    h_w = (float *)spectro_alloc_array((size_t)total + 1, sizeof(float));
  }
  if (K > 0) h_dct = (float *)spectro_alloc_array((size_t)(K * M), sizeof(float));
  d = (cuda_frontend_data *)spectro_alloc(sizeof *d);
  if (d) *d = cuda_frontend_data{device, NULL, NULL, NULL};
  if (!d || (!fs->identity && (!h_tab || !h_w)) || (K > 0 && !h_dct)) {
    spectro_free(h_tab);
    spectro_free(h_w);
    spectro_free(h_dct);
    spectro_free(d);
    return spectro_error(SPECTRO_ERR_OUT_OF_MEMORY, "out of memory for the CUDA frontend tables");
  }
  if (!fs->identity) {
    for (int64_t m = 0; m < M; ++m) h_tab[m] = make_int4((int)fs->start[m], (int)fs->count[m], (int)fs->offset[m], 0);
    for (int64_t i = 0; i < total; ++i) h_w[i] = fs->wf[i];
    h_w[total] = 0.f; // (a spare slot: the table is never empty)
  }
  for (int64_t i = 0; i < K * M; ++i) h_dct[i] = (float)plan->dct[i];
  cudaError_t e = cudaSuccess;
  if (!fs->identity) {
    e = upload(e, &d->bands_tab, h_tab, sizeof(int4) * (size_t)M);
    e = upload(e, &d->weights, h_w, sizeof(float) * (size_t)(total + 1));
  }
  if (K > 0) e = upload(e, &d->dct, h_dct, sizeof(float) * (size_t)(K * M));
  spectro_free(h_tab);
  spectro_free(h_w);
  spectro_free(h_dct);
  if (e != cudaSuccess) {
    free_frontend_data(d);
    return cuda_error_status(e, "uploading the frontend tables");
  }
  *out = device_tables_publish(&plan->lock, plan->cuda, device, d, free_frontend_data);
  return SPECTRO_OK;
}

extern "C" void cuda_release_frontend(spectro_frontend_plan *plan) {
  device_tables_release<cuda_frontend_data>(plan->cuda, free_frontend_data);
}

#define WS_ALIGN 256

// The MFCC DCT pass by tiles of frames in shared memory (dct_tiles_kernel)
// where they fit in 48 KB, else a thread per (frame, coefficient).
#ifndef SPECTRO_DCT_TILES
#define SPECTRO_DCT_TILES 1
#endif
// The mel / filtered top_db pass by tiles (skipping tiles with nothing to
// clip) rather than over every value.
#ifndef SPECTRO_CLIP_TILES
#define SPECTRO_CLIP_TILES 1
#endif

// How a call runs and where its workspace parts lie (byte offsets): the
// top_db maxima (one word per group) followed by the tiles' minima (own-FFT
// kernel, mel / filtered with top_db: one word per tile of CLIP_TILE frames;
// cleared with the maxima), then the band values for the MFCC's DCT pass
// (when the DCT does not run in the kernel: top_db, or too many bands).
struct frontend_run {
  int clip;          // top_db
  int tiles;         // the top_db pass by tiles (tile minima)
  int dct_in_kernel; // the kernel applies the DCT (no top_db; the frame's bands fit its free shared buffer)
  int64_t ntiles;    // tiles per example
  size_t keys_words, bands_at, bytes;
};

static frontend_run plan_run(const spectro_frontend_plan *plan, int64_t batch, int64_t n_frames, int64_t group) {
  frontend_run r{};
  const int h = (int)(plan->stft->n_fft / 2);
  const int64_t K = plan->config.n_dct;
  r.clip = !isnan(plan->top_db);
  r.tiles = r.clip && K == 0 && spectro_cuda_supported_size(plan->stft) && SPECTRO_CLIP_TILES;
  // (padded_frame(h, 16): the smallest frame stride; the cuFFT path's block holds the bands too)
  r.dct_in_kernel = K > 0 && !r.clip && plan->spec.bands <= 2 * (int64_t)padded_frame(h, 16);
  r.ntiles = (n_frames + CLIP_TILE - 1) / CLIP_TILE;
  if (r.clip) r.keys_words = (size_t)(batch / group) + (r.tiles ? (size_t)(batch * r.ntiles) : 0);
  r.bytes = (r.keys_words * sizeof(unsigned) + WS_ALIGN - 1) / WS_ALIGN * WS_ALIGN;
  r.bands_at = r.bytes;
  if (K > 0 && !r.dct_in_kernel) r.bytes += (size_t)(batch * plan->spec.bands * n_frames) * sizeof(float);
  return r;
}

extern "C" size_t cuda_frontend_workspace(const spectro_frontend_plan *plan, int64_t batch, int64_t n_frames,
                                          int64_t group) {
  return plan_run(plan, batch, n_frames, group).bytes;
}

// Sizes the own FFT does not cover: cuFFT spectra in chunks of frames, then
// the same power / projection / scaling (/ DCT) per block of frames.
static spectro_status fallback_features(const spectro_frontend_plan *plan, cuda_plan_data *d,
                                        const cuda_frontend_data *fd, const frontend_geometry &fg, const void *signal,
                                        spectro_dtype dtype, int64_t batch, int64_t length, int64_t n_frames,
                                        float *dest, unsigned *maxes, cudaStream_t s) {
  const int64_t total = batch * n_frames;
  const int F = (int)(plan->stft->n_fft / 2 + 1);
  const size_t per_frame = sizeof(float) * (size_t)(fg.rows + fg.bands);
  int fpb = (int)(48 * 1024 / per_frame);
  fpb = fpb < 1 ? 1 : fpb > 8 ? 8 : fpb;
  const size_t smem = per_frame * (size_t)fpb;
  RETURN_IF(smem > 200 * 1024, SPECTRO_ERR_UNSUPPORTED,
            "the CUDA frontends need n_fft // 2 + 1 + bands <= 51200 (got n_fft=%lld with %d bands)",
            (long long)plan->stft->n_fft, fg.bands);
  CUDA_TRY(cuda_allow_smem((const void *)spectrum_frontend_kernel, smem), "raising the frontend kernel's shared memory");
  return fft_forward_chunks(plan->stft, d, signal, dtype, length, n_frames, total, s,
                            "the frontend kernel launch (cuFFT path)", [&](const fft_run &run, int64_t c0, int64_t cnt) {
                              spectrum_frontend_kernel<<<(unsigned)((cnt + fpb - 1) / fpb), THREADS, smem, s>>>(
                                  run.spec, dest, c0, cnt, n_frames, F, fg, fd->bands_tab, fd->weights, fd->dct,
                                  maxes, fpb);
                            });
}

extern "C" spectro_status cuda_frontend_execute(const spectro_frontend_plan *plan, const void *signal,
                                                spectro_dtype dtype, int64_t batch,
                                                int64_t length, int64_t n_frames, int64_t group, float *out,
                                                void *workspace, void *stream) {
  (void)cudaGetLastError(); // a stale non-sticky error from earlier work must not fail our launch checks
  cuda_plan_data *d;
  spectro_status st = cuda_plan_tables(plan->stft, &d);
  if (st != SPECTRO_OK) return st;
  cuda_frontend_data *fd;
  st = frontend_tables(plan, d->device, &fd);
  if (st != SPECTRO_OK) return st;
  RETURN_IF(batch > 65535, SPECTRO_ERR_UNSUPPORTED, "the CUDA frontend supports batch <= 65535 (got %lld)",
            (long long)batch);
  const frontend_spec *fs = &plan->spec;
  const int64_t K = plan->config.n_dct;
  RETURN_IF(K > 65535, SPECTRO_ERR_UNSUPPORTED, "the CUDA MFCC supports n_mfcc <= 65535 (got %lld)", (long long)K);
  stft_geometry g = forward_geometry(plan->stft, signal, sample_bytes(dtype), length, n_frames);
  frontend_geometry fg;
  fg.rows = (int)fs->rows;
  fg.bands = (int)fs->bands;
  fg.n_weights = fs->identity ? 0 : (int)(fs->offset[fs->bands - 1] + fs->count[fs->bands - 1]);
  fg.identity = fs->identity;
  fg.power_kind = fs->power_kind;
  fg.power = (float)fs->power;
  fg.scale = fs->scale;
  fg.log_mode = fs->log_mode;
  fg.log_amin = (float)fs->log_amin;
  fg.log_scale = (float)fs->log_scale;
  fg.db_mult = (float)fs->db_mult;
  fg.db_amin = (float)fs->db_amin;
  fg.db_offset = (float)fs->db_offset;
  const frontend_run run = plan_run(plan, batch, n_frames, group);
  fg.n_dct = (int)K;
  fg.fused_dct = run.dct_in_kernel;
  const int clip = run.clip;
  fg.track_max = clip;
  fg.group = (int)group;
  const int mfcc_pass = K > 0 && !fg.fused_dct;
  char *ws = (char *)workspace;
  cudaStream_t s = (cudaStream_t)stream;
  unsigned *maxes = clip ? (unsigned *)ws : NULL;
  unsigned *tile_min = run.tiles ? maxes + batch / group : NULL;
  if (clip) CUDA_TRY(cudaMemsetAsync(maxes, 0, run.keys_words * sizeof(unsigned), s), "clearing the top_db maxima");
  float *dest = mfcc_pass ? (float *)(ws + run.bands_at) : out; // band values, or scratch for the MFCC pass
  if (d->fused) {
    dim3 grid((unsigned)((n_frames + g.fpb - 1) / g.fpb), (unsigned)batch);
    size_t smem = sizeof(float2) * 2 * (size_t)g.fpb * padded_frame(g.h, g.fpb);
    cudaError_t attr = cudaSuccess;
    launch_by_dtype(dtype, [&](auto sample) {
      using T = decltype(sample);
      launch_by_size(g.h, [&](auto size) {
        constexpr int H = decltype(size)::value;
        auto kernel = frontend_kernel<H, forward_frames_per_block(H), T>;
        attr = cuda_allow_smem((const void *)kernel, smem);
        if (attr == cudaSuccess)
          kernel<<<grid, forward_threads(H), smem, s>>>((const T *)signal, dest, g, fg, d->pt, d->tw, d->rtw, d->fwindow,
                                             fd->bands_tab, fd->weights, fd->dct, maxes, tile_min);
      });
    });
    CUDA_TRY(attr, "raising the frontend kernel's shared memory");
    CUDA_TRY(cudaGetLastError(), "the frontend kernel launch");
  } else {
    st = fallback_features(plan, d, fd, fg, signal, dtype, batch, length, n_frames, dest, maxes, s);
    if (st != SPECTRO_OK) return st;
  }
  if (mfcc_pass) {
    const size_t tsm = dct_tiles_smem(fg.bands, (int)K);
    if (SPECTRO_DCT_TILES && tsm <= 48 * 1024)
      dct_tiles_kernel<<<dim3((unsigned)((n_frames + DCT_TF - 1) / DCT_TF), (unsigned)batch), 256, tsm, s>>>(
          dest, out, fg.bands, (int)K, n_frames, fd->dct, maxes, (int)group, clip, plan->top_db);
    else
      dct_kernel<<<dim3((unsigned)((n_frames + 127) / 128), (unsigned)K, (unsigned)batch), 128, 0, s>>>(
          dest, out, fg.bands, (int)K, n_frames, fd->dct, maxes, (int)group, clip, plan->top_db);
    CUDA_TRY(cudaGetLastError(), "the MFCC DCT kernel launch");
  } else if (run.tiles) {
    clip_tiles_kernel<<<dim3((unsigned)run.ntiles, (unsigned)((fg.bands + CLIP_BANDS - 1) / CLIP_BANDS), (unsigned)batch),
                        256, 0, s>>>(out, fg.bands, n_frames, maxes, (int)group, plan->top_db, tile_min);
    CUDA_TRY(cudaGetLastError(), "the top_db clip kernel launch");
  } else if (clip) {
    const int64_t per_item = fs->bands * n_frames;
    int64_t chunks = (per_item / 4 + 255) / 256;
    if (chunks < 1) chunks = 1;
    if (chunks > 2048) chunks = 2048;
    clip_kernel<<<dim3((unsigned)chunks, (unsigned)batch), 256, 0, s>>>(out, per_item, maxes, (int)group, plan->top_db);
    CUDA_TRY(cudaGetLastError(), "the top_db clip kernel launch");
  }
  return SPECTRO_OK;
}
