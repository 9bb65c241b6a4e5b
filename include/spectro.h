/*
 * spectro: fast, exact audio spectral frontends.  Public C API.
 *
 * Plans are made once for fixed parameters and executed many times.
 *
 * Thread rule: a plan is immutable after spectro_*_plan_create() returns.
 * Any number of threads may call spectro_*_execute() on the same plan at the
 * same time; every call brings its own scratch memory.  (The plan's internal
 * window-coverage cache is guarded by a lock.)  Destroying a plan while another
 * thread executes it is the caller's bug.
 *
 * Errors: every function that can fail returns a spectro_status.  On failure a
 * thread-local message naming the offending parameter and its value is
 * available from spectro_last_error().  The library never aborts, asserts or
 * exits on user input.
 *
 * Copyright (c) 2026 the spectro authors.  MIT licence.
 */
#ifndef SPECTRO_H
#define SPECTRO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SPECTRO_VERSION_MAJOR 0
#define SPECTRO_VERSION_MINOR 1
#define SPECTRO_VERSION_PATCH 0
#define SPECTRO_VERSION_STRING "0.1.0"
#define SPECTRO_VERSION_NUMBER                                                 \
  (SPECTRO_VERSION_MAJOR * 10000 + SPECTRO_VERSION_MINOR * 100 + SPECTRO_VERSION_PATCH)

#if defined(_WIN32) && defined(SPECTRO_SHARED_BUILD)
#define SPECTRO_API __declspec(dllexport)
#elif defined(__GNUC__)
#define SPECTRO_API __attribute__((visibility("default")))
#else
#define SPECTRO_API
#endif

/* ---------------------------------------------------------------- status */

/* Values are fixed forever; new codes are only appended. */
typedef enum spectro_status {
  SPECTRO_OK = 0,
  SPECTRO_ERR_INVALID_ARGUMENT = 1, /* a parameter value is out of range */
  SPECTRO_ERR_SHAPE = 2,            /* array sizes do not fit the plan */
  SPECTRO_ERR_DTYPE = 3,            /* unsupported element type */
  SPECTRO_ERR_OUT_OF_MEMORY = 4,
  SPECTRO_ERR_WINDOW_COVERAGE = 5,  /* iSTFT envelope gap with validation on */
  SPECTRO_ERR_UNSUPPORTED = 6,      /* valid request this build cannot serve */
  SPECTRO_ERR_DEVICE = 7,           /* accelerator error (CUDA builds) */
  SPECTRO_ERR_INTERNAL = 8
} spectro_status;

SPECTRO_API const char *spectro_status_string(spectro_status status);

/* Detail of the last failure on the calling thread ("" if none).  The
 * pointer stays valid until the next spectro call on this thread. */
SPECTRO_API const char *spectro_last_error(void);

SPECTRO_API const char *spectro_version(void);
SPECTRO_API int spectro_version_number(void);

/* ---------------------------------------------------------------- memory */

/* Allocation hooks.  alloc returns memory (any alignment; spectro aligns
 * to 64 bytes itself) or NULL; spectro checks every allocation.  Memory is
 * freed with the hooks that allocated it, so plans made under other hooks
 * stay valid.  Set hooks while no spectro call is running (the setter is not
 * synchronised with executions).  Execution allocates only when a plan sees
 * a larger shape than before (workspaces are pooled per plan).  Passing
 * NULL for alloc/free restores malloc. */
typedef struct spectro_allocator {
  void *(*alloc)(void *opaque, size_t size);
  void (*free)(void *opaque, void *ptr);
  void *opaque;
} spectro_allocator;

SPECTRO_API void spectro_set_allocator(const spectro_allocator *allocator);

/* Warnings that are not errors (e.g. an iSTFT window-coverage gap when
 * validation is off) go to this handler, once per plan and configuration,
 * on the thread that executes.  The default handler writes one line to
 * stderr; NULL silences warnings.  Like the allocator, set it while no call
 * is running.  (The Python module installs its own handler at import.) */
typedef void (*spectro_warning_fn)(void *user, const char *message);
SPECTRO_API void spectro_set_warning_handler(spectro_warning_fn fn, void *user);
SPECTRO_API void spectro_reset_warning_handler(void);

/* ---------------------------------------------------------------- threads */

/* Threads the library uses for one call (the caller's thread included).
 * Default: SPECTRO_NUM_THREADS, else the number of online CPUs.  0 restores
 * the default.  Results are bit-identical for any thread count. */
SPECTRO_API spectro_status spectro_set_num_threads(int num_threads);
SPECTRO_API int spectro_get_num_threads(void);

/* ---------------------------------------------------------------- autotune */

/* Plan creation may measure implementation choices (on the CPU: the SIMD
 * kernel variant for the plan's n_fft) once per machine and configuration and
 * keep the winner in a JSON cache.  SPECTRO_AUTOTUNE=0 disables measuring
 * (the default choice is used), SPECTRO_AUTOTUNE_PERSIST=0 keeps results in
 * memory only, SPECTRO_AUTOTUNE_CACHE_PATH names the file (default
 * $XDG_CACHE_HOME/spectro/autotune.json).  SPECTRO_SIMD=scalar|generic|avx2|
 * avx512 forces a variant.  Counters since start (or the last reset): */
SPECTRO_API void spectro_cache_stats(long long *autotune_hits, long long *autotune_misses,
                                     long long *autotune_measurements);
SPECTRO_API void spectro_reset_cache_stats(void);

/* ---------------------------------------------------------------- enums */

typedef enum spectro_dtype {
  SPECTRO_FLOAT32 = 0, /* real float; spectra are interleaved complex64 */
  SPECTRO_FLOAT64 = 1, /* real double; spectra are interleaved complex128 */
  SPECTRO_INT16 = 2,   /* PCM input only, scaled by 1/32768, computed in float32 */
  SPECTRO_FLOAT16 = 3, /* IEEE half input, CUDA entry points only, computed in float32 */
  SPECTRO_BFLOAT16 = 4 /* bfloat16 input, CUDA entry points only, computed in float32 */
} spectro_dtype;

typedef enum spectro_window {
  SPECTRO_WINDOW_HANN = 0,
  SPECTRO_WINDOW_HAMMING = 1,
  SPECTRO_WINDOW_BLACKMAN = 2,
  SPECTRO_WINDOW_RECT = 3, /* "ones" */
  SPECTRO_WINDOW_CUSTOM = 4
} spectro_window;

typedef enum spectro_pad_mode {
  SPECTRO_PAD_REFLECT = 0, /* torch default; needs length > n_fft/2 */
  SPECTRO_PAD_CONSTANT = 1 /* zeros; librosa >= 0.10 default */
} spectro_pad_mode;

typedef enum spectro_tail {
  SPECTRO_TAIL_SYMMETRIC = 0, /* pad n_fft/2 on both sides */
  SPECTRO_TAIL_MINIMAL = 1    /* madmom: frames = max(1, ceil(T / hop)) */
} spectro_tail;

/* Spectrum layout.  BFN: [batch][bin][frame] (torch / librosa order).
 * BNF: [batch][frame][bin]. */
typedef enum spectro_layout { SPECTRO_LAYOUT_BFN = 0, SPECTRO_LAYOUT_BNF = 1 } spectro_layout;

/* ---------------------------------------------------------------- STFT */

typedef struct spectro_stft_config {
  int64_t n_fft;      /* >= 1, any size (not only powers of two) */
  int64_t hop_length; /* >= 1 */
  int64_t win_length; /* 1..n_fft; a shorter window is zero-padded, centred */
  spectro_window window;
  int periodic; /* 1: periodic (DFT-even) window, 0: symmetric */
  /* SPECTRO_WINDOW_CUSTOM: win_length or n_fft values, copied at plan
   * creation.  A window of win_length values is centred like the built-ins. */
  const double *custom_window;
  int64_t custom_window_length;
  int center;                       /* 1: pad by n_fft/2 (see pad_mode/tail) */
  spectro_pad_mode center_pad_mode; /* used when center = 1 */
  spectro_tail center_tail_pad;     /* used when center = 1 */
  int normalized;                   /* 1: scale forward by 1/sqrt(n_fft), undo on inverse */
} spectro_stft_config;

/* Defaults: win_length = n_fft, periodic Hann, center reflect symmetric,
 * not normalized (torch.stft's defaults). */
SPECTRO_API void spectro_stft_config_init(spectro_stft_config *config, int64_t n_fft,
                                          int64_t hop_length);

typedef struct spectro_stft_plan spectro_stft_plan;

SPECTRO_API spectro_status spectro_stft_plan_create(const spectro_stft_config *config,
                                                    spectro_stft_plan **plan);
/* Accepts NULL. */
SPECTRO_API void spectro_stft_plan_destroy(spectro_stft_plan *plan);

/* Name of the kernel variant a plan executes with ("avx512", "avx2",
 * "generic", or "scalar" for sizes that need Bluestein). */
SPECTRO_API const char *spectro_stft_plan_kernels(const spectro_stft_plan *plan);

/* Number of one-sided bins, n_fft / 2 + 1. */
SPECTRO_API int64_t spectro_stft_bins(const spectro_stft_plan *plan);

/* Number of frames for a signal of `length` samples.  Fails (and names the
 * sizes) when the framing rule cannot serve that length, e.g. reflect padding
 * with length <= n_fft / 2 or center = 0 with length < n_fft. */
SPECTRO_API spectro_status spectro_stft_frames(const spectro_stft_plan *plan, int64_t length,
                                               int64_t *n_frames);

/* Forward STFT of `batch` signals of `length` samples, stored contiguously
 * (signal b starts at b * length).  signal_dtype FLOAT32 or INT16 produce
 * complex64 output; FLOAT64 produces complex128.  `out` holds
 * batch * bins * frames complex values in `layout`; real and imaginary parts
 * interleaved.  signal and out must not overlap.  No output is written on
 * failure. */
SPECTRO_API spectro_status spectro_stft_execute(const spectro_stft_plan *plan,
                                                const void *signal, spectro_dtype signal_dtype,
                                                int64_t batch, int64_t length, void *out,
                                                spectro_layout layout);

/* iSTFT flags. */
#define SPECTRO_ISTFT_VALIDATE 1u /* fail with SPECTRO_ERR_WINDOW_COVERAGE on a gap */

/* Output length of the inverse when no explicit length is asked for
 * (torch.istft's rule).  Fails for center_tail_pad = minimal, whose inverse
 * needs an explicit length. */
SPECTRO_API spectro_status spectro_istft_natural_length(const spectro_stft_plan *plan,
                                                        int64_t n_frames, int64_t *length);

/* Inverse STFT.  spec holds batch * n_bins * n_frames complex values
 * (complex64 for FLOAT32, complex128 for FLOAT64) in `layout`; n_bins must be
 * spectro_stft_bins(plan).  The imaginary parts of the DC bin (and of the
 * Nyquist bin for even n_fft) are ignored.  `length` < 0 asks for the natural
 * length; otherwise the result is cut or zero-filled to `length`.  `out` holds
 * batch * length real values of the same precision.
 *
 * Each frame is inverse-transformed, multiplied by the window and
 * overlap-added; the sum is divided by the summed squared window where that
 * exceeds 1e-11 and set to 0 elsewhere.  Whether a configuration has such a
 * gap is decided once per (plan, n_frames, length) and cached.  With
 * SPECTRO_ISTFT_VALIDATE a gap fails the call before anything is written;
 * without it the call succeeds and a warning is emitted once. */
SPECTRO_API spectro_status spectro_istft_execute(const spectro_stft_plan *plan, const void *spec,
                                                 spectro_dtype dtype, int64_t batch,
                                                 int64_t n_bins, int64_t n_frames,
                                                 spectro_layout layout, int64_t length,
                                                 unsigned flags, void *out);

/* ---------------------------------------------------------------- CUDA */

/* 1 when this build has the CUDA backend (it may still find no device). */
SPECTRO_API int spectro_cuda_available(void);

/* The same transforms on device memory of the current CUDA device, queued
 * on `cuda_stream` (a cudaStream_t; NULL for the default stream); the call
 * returns without waiting.  Signals float32, float16, bfloat16 or int16 (converted
 * to float32 on load), spectra complex64.  Any n_fft: even n_fft <= 4096 whose
 * half has the factors 2, 3 and 5 run in spectro's fused kernels; other sizes
 * take cuFFT in chunks of frames (buffers from cudaMallocAsync on the stream;
 * the iSTFT's overlap-add then uses float atomics, so its last bit may vary
 * between runs).  The window-coverage verdict comes from the plan's host-side
 * cache: no device-to-host synchronisation, except once per configuration
 * (n_fft, hop, layout, dtype, size class) and GPU: there the call first times
 * the launch variants compiled for it (frames per block, kernel forms) on its
 * own buffers and stream, waits for them, and keeps the fastest in the
 * autotune cache (SPECTRO_AUTOTUNE=0: no timing, the built-in choice); never
 * while the stream is being captured (a capture without a choice on record
 * takes the built-in one).  Variants agree to float32 rounding, not always
 * bit for bit.  Safe to call while capturing a
 * CUDA graph once the plan has run on that device (on the cuFFT path: with a
 * batch x frames of the same power-of-two class, whose cuFFT plan is made on
 * first use; during capture a missing plan returns SPECTRO_ERR_UNSUPPORTED). */
SPECTRO_API spectro_status spectro_stft_execute_cuda(const spectro_stft_plan *plan, const void *signal,
                                                     spectro_dtype signal_dtype, int64_t batch, int64_t length,
                                                     void *out, spectro_layout layout, void *cuda_stream);
SPECTRO_API spectro_status spectro_istft_execute_cuda(const spectro_stft_plan *plan, const void *spec,
                                                      spectro_dtype dtype, int64_t batch, int64_t n_bins,
                                                      int64_t n_frames, spectro_layout layout, int64_t length,
                                                      unsigned flags, void *out, void *cuda_stream);

/* The launch variant the calling thread's last CUDA STFT or iSTFT call took
 * ("base", "half_frames", "r32", "smem_untangle", "reg_untangle",
 * "stream_loads", "cached_loads", "tiles", "plain_loads"; "cufft" for sizes outside
 * the fused kernels; "" before any, or without CUDA): for diagnostics and
 * tests.  SPECTRO_CUDA_VARIANT=name makes calls take that variant wherever
 * it is one of theirs. */
SPECTRO_API const char *spectro_cuda_last_variant(void);

/* The plan's analysis window as n_fft doubles (zero-padded, centred). */
SPECTRO_API spectro_status spectro_stft_window(const spectro_stft_plan *plan, double *out,
                                               int64_t out_length);

/* ---------------------------------------------------------------- filterbanks */

typedef enum spectro_mel_scale { SPECTRO_MEL_HTK = 0, SPECTRO_MEL_SLANEY = 1 } spectro_mel_scale;
typedef enum spectro_mel_norm { SPECTRO_MEL_NORM_NONE = 0, SPECTRO_MEL_NORM_SLANEY = 1 } spectro_mel_norm;
/* Frequencies of the n_freqs STFT bins: torchaudio uses linspace(0, sr // 2,
 * n_freqs) (integer Nyquist), librosa linspace(0, sr / 2, n_freqs). */
typedef enum spectro_freq_grid {
  SPECTRO_FREQ_GRID_TORCHAUDIO = 0,
  SPECTRO_FREQ_GRID_LIBROSA = 1
} spectro_freq_grid;

/* Triangular mel filterbank, [n_freqs][n_mels] row-major (spectrum @ fb),
 * computed in double with torchaudio's melscale_fbanks / librosa's
 * filters.mel formulas.  Needs 0 <= f_min < f_max <= sample_rate / 2. */
SPECTRO_API spectro_status spectro_mel_filterbank(int64_t n_freqs, double sample_rate, int64_t n_mels,
                                                  double f_min, double f_max, spectro_mel_scale scale,
                                                  spectro_mel_norm norm, spectro_freq_grid grid, double *out);

/* DCT-II basis [n_mfcc][n_mels]: cos(pi / n_mels * (n + 0.5) * k), times 2
 * (ortho = 0) or orthonormal (ortho = 1), as torchaudio's create_dct. */
SPECTRO_API spectro_status spectro_dct_matrix(int64_t n_mfcc, int64_t n_mels, int ortho, double *out);

/* madmom's LogarithmicFilterbank: triangular filters on log-spaced centres
 * (bands_per_octave per octave, anchored at f_ref, or at f_min when f_ref <=
 * 0), snapped to FFT bins, optionally de-duplicated (unique_bins) and
 * normalised to unit area (norm_filters).  The bin grid is madmom's
 * fftfreq(2 n_freqs)[:n_freqs] (no Nyquist bin) or, with include_nyquist,
 * rfftfreq(2 (n_freqs - 1)).  Writes [n_freqs][n_bands] to out when out is
 * not NULL and out_capacity >= n_freqs * n_bands; always sets *n_bands. */
SPECTRO_API spectro_status spectro_log_triangular_filterbank(int64_t n_freqs, double sample_rate,
                                                             double bands_per_octave, double f_min,
                                                             double f_max, double f_ref, int norm_filters,
                                                             int unique_bins, int include_nyquist,
                                                             double *out, int64_t out_capacity,
                                                             int64_t *n_bands);

/* ---------------------------------------------------------------- frontends */

typedef enum spectro_scale {
  SPECTRO_SCALE_LINEAR = 0,
  SPECTRO_SCALE_LOG = 1,           /* natural log, see spectro_log_mode */
  SPECTRO_SCALE_DB = 2,            /* mult * log10(max(x, amin)) - mult * log10(max(amin, ref)) */
  SPECTRO_SCALE_LOG10_PLUS_ONE = 3 /* log10(x + 1), madmom's filtered spectrogram */
} spectro_scale;

typedef enum spectro_log_mode {
  SPECTRO_LOG_CLAMP = 0, /* log(max(x, log_amin)) */
  SPECTRO_LOG_ADD = 1,   /* log(x + log_amin) */
  SPECTRO_LOG_LOG1P = 2  /* log1p(log_scale * x) */
} spectro_log_mode;

/* A frontend: STFT -> |X|^power -> filterbank projection -> scaling
 * [-> DCT-II -> lifter], fused per block of frames: the complex spectrum is
 * never written out. */
typedef struct spectro_frontend_config {
  spectro_stft_config stft;
  double power; /* > 0: 2 power, 1 magnitude */
  /* [filterbank_rows][n_bands] row-major, copied at plan creation (kept as
   * sparse bands).  filterbank_rows is n_fft/2+1, or n_fft/2 to drop the
   * Nyquist bin.  NULL: no projection (the bands are the STFT bins). */
  const double *filterbank;
  int64_t filterbank_rows, n_bands;
  spectro_scale scale;
  spectro_log_mode log_mode;
  double log_amin, log_scale;
  double db_multiplier; /* 10 (power) or 20 (amplitude) */
  double db_amin, db_ref;
  double top_db; /* >= 0 clips to (max - top_db); < 0 or NaN: no clipping */
  /* MFCC: n_dct > 0 applies a DCT-II (n_dct x n_bands) after dB scaling,
   * then the lifter 1 + (lifter / 2) sin(pi (k + 1) / lifter) when lifter > 0. */
  int64_t n_dct;
  int dct_ortho;
  double lifter;
} spectro_frontend_config;

/* Defaults: the STFT defaults, power 2, no filterbank, linear scale,
 * log_amin 1e-5, log_scale 1, dB multiplier 10, db_amin 1e-10, db_ref 1,
 * no top_db, no DCT (ortho when enabled). */
SPECTRO_API void spectro_frontend_config_init(spectro_frontend_config *config, int64_t n_fft,
                                              int64_t hop_length);

typedef struct spectro_frontend_plan spectro_frontend_plan;

SPECTRO_API spectro_status spectro_frontend_plan_create(const spectro_frontend_config *config,
                                                        spectro_frontend_plan **plan);
SPECTRO_API void spectro_frontend_plan_destroy(spectro_frontend_plan *plan);
/* Output features per frame: n_dct if set, else n_bands (or the bins). */
SPECTRO_API int64_t spectro_frontend_features(const spectro_frontend_plan *plan);
SPECTRO_API spectro_status spectro_frontend_frames(const spectro_frontend_plan *plan, int64_t length,
                                                   int64_t *n_frames);

/* Features of `batch` signals: out is [batch][features][frames], float32
 * (float64 for FLOAT64 input).  top_db_group: how many consecutive batch
 * items share one maximum for top_db clipping: 1 clips each example on its
 * own (mlx_native / per_example); batch takes one maximum over everything
 * (torchaudio's packed rule for 3-D input; for [B, C, ...] input use C).  It
 * must divide batch.  Same thread rule as the STFT. */
SPECTRO_API spectro_status spectro_frontend_execute(const spectro_frontend_plan *plan, const void *signal,
                                                    spectro_dtype signal_dtype, int64_t batch, int64_t length,
                                                    int64_t top_db_group, void *out);

/* The same frontends on device memory of the current CUDA device (float32,
 * float16, bfloat16 or int16 signals, float32 features, any n_fft as
 * spectro_stft_execute_cuda), queued on `cuda_stream` (a cudaStream_t; NULL:
 * the default stream); the call returns without waiting.  Some calls need
 * device scratch (top_db maxima; the MFCC second pass with top_db or with
 * many bands): always ask spectro_frontend_workspace_cuda how many bytes (0
 * when none) and pass that much device memory as `workspace` (overwritten;
 * 256-byte aligned).  No host synchronisation: safe to capture in a CUDA
 * graph once the plan has run on that device with this batch and length
 * (sizes on the cuFFT path make a cuFFT plan per size class of
 * batch x frames on first use, and refuse to do so during capture). */
SPECTRO_API spectro_status spectro_frontend_workspace_cuda(const spectro_frontend_plan *plan, int64_t batch,
                                                           int64_t length, int64_t top_db_group,
                                                           size_t *bytes);
SPECTRO_API spectro_status spectro_frontend_execute_cuda(const spectro_frontend_plan *plan,
                                                         const void *signal, spectro_dtype signal_dtype,
                                                         int64_t batch, int64_t length,
                                                         int64_t top_db_group, void *out, void *workspace,
                                                         size_t workspace_bytes, void *cuda_stream);

/* ---------------------------------------------------------------- FFT */

/* The built-in FFT, exposed for tests and for callers who need a plain
 * transform.  Forward is exp(-2 pi i j k / n), unscaled; inverse is
 * exp(+2 pi i j k / n), unscaled. */
typedef struct spectro_fft_plan spectro_fft_plan;

SPECTRO_API spectro_status spectro_fft_plan_create(int64_t n, spectro_fft_plan **plan);
SPECTRO_API void spectro_fft_plan_destroy(spectro_fft_plan *plan);
/* Complex transforms, in place on n interleaved complex values.  sign = -1
 * forward, +1 inverse. */
SPECTRO_API spectro_status spectro_fft_c2c_f32(const spectro_fft_plan *plan, float *data, int sign);
SPECTRO_API spectro_status spectro_fft_c2c_f64(const spectro_fft_plan *plan, double *data,
                                               int sign);
/* Real forward: n reals in, n/2+1 complex out (interleaved).  Real inverse:
 * n/2+1 complex in, n reals out (imaginary parts of DC and, for even n,
 * Nyquist are ignored).  in and out must not overlap. */
SPECTRO_API spectro_status spectro_fft_r2c_f32(const spectro_fft_plan *plan, const float *in,
                                               float *out);
SPECTRO_API spectro_status spectro_fft_r2c_f64(const spectro_fft_plan *plan, const double *in,
                                               double *out);
SPECTRO_API spectro_status spectro_fft_c2r_f32(const spectro_fft_plan *plan, const float *in,
                                               float *out);
SPECTRO_API spectro_status spectro_fft_c2r_f64(const spectro_fft_plan *plan, const double *in,
                                               double *out);

#ifdef __cplusplus
}
#endif
#endif /* SPECTRO_H */
