/* spectro's C STFT / iSTFT next to a plain FFTW STFT, in one process.
 *
 *   fftw_stft [--quick] [--reps N] [--seed S] [--row B,T,n_fft[,hop]]...
 *
 * For every row of the benchmark matrix (bench/README.md,
 * /work/shared/BENCHMARKS.md) it times, interleaved repetition by repetition:
 *   spectro_stft   spectro_stft_execute: periodic Hann, reflect centre, [B][F][N]
 *   fftw_stft      the loop a C programmer would write with FFTW: reflect pad,
 *                  cut 64 frames at a time into a windowed buffer, one
 *                  fftwf_plan_many_dft_r2c (FFTW_MEASURE, one thread), copy
 *                  the 64 spectra into [B][F][N]
 *   spectro_istft  spectro_istft_execute of spectro's spectrum, length = T
 * and prints one JSON object per row on stdout (medians in milliseconds;
 * ratio_fftw_over_spectro > 1 means spectro's STFT is faster).  Progress and
 * warnings go to stderr.  It also checks that the two spectra agree
 * (relative L2 < 1e-5) and that the iSTFT gives the signal back.
 *
 * FFTW is a benchmark baseline only: this program links it, the library never
 * does.  Build (bench/bench_stft.py does this):
 *   gcc -O3 -march=native -Iinclude bench/fftw_stft.c build/libspectro.a \
 *       -lfftw3f -lm -lpthread -o build/fftw_stft
 */
#define _POSIX_C_SOURCE 200809L
#include "spectro.h"

#include <fftw3.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FFTW_CHUNK 64 /* frames per FFTW batch */
#define AGREE_TOL 1e-5

typedef struct row {
  int64_t batch, length, n_fft, hop;
} row;

/* The STFT / iSTFT matrix of BENCHMARKS.md; hop = n_fft / 4. */
static const row MATRIX[] = {
    {1, 16000, 512, 128},     {4, 160000, 1024, 256}, {8, 160000, 1024, 256},
    {4, 1323000, 1024, 256},  {8, 480000, 1024, 256}, {16, 441000, 2048, 512},
};
#define MATRIX_ROWS ((int)(sizeof MATRIX / sizeof MATRIX[0]))
/* --quick: B1 T16k n512 and B4 T160k n1024. */
static const int QUICK_ROWS[] = {0, 1};

/* ------------------------------------------------------------ helpers */

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Median of n values (sorts them). */
static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* xorshift64* and Box-Muller: unit-normal float32 samples. */
static uint64_t rng_state;
static double uniform01(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return ((rng_state * 0x2545F4914F6CDD1DULL) >> 11) * (1.0 / 9007199254740992.0);
}
static void fill_normal(float *x, size_t n) {
  for (size_t i = 0; i < n; i += 2) {
    double u1 = uniform01(), u2 = uniform01();
    if (u1 < 1e-300) u1 = 1e-300;
    double r = sqrt(-2.0 * log(u1)), t = 6.283185307179586 * u2;
    x[i] = (float)(r * cos(t));
    if (i + 1 < n) x[i + 1] = (float)(r * sin(t));
  }
}

/* ||a - b|| / ||b|| over n floats, in double. */
static double rel_l2(const float *a, const float *b, size_t n) {
  double num = 0, den = 0;
  for (size_t i = 0; i < n; ++i) {
    double d = (double)a[i] - (double)b[i];
    num += d * d;
    den += (double)b[i] * (double)b[i];
  }
  return den > 0 ? sqrt(num / den) : sqrt(num);
}

/* "B4 T160k n1024" (T in thousands when it is a whole thousand or large). */
static void config_name(const row *r, char *buf, size_t size) {
  char t[32];
  if (r->length >= 1000000)
    snprintf(t, sizeof t, "%.3gM", (double)r->length / 1e6);
  else if (r->length % 1000 == 0)
    snprintf(t, sizeof t, "%lldk", (long long)(r->length / 1000));
  else
    snprintf(t, sizeof t, "%lld", (long long)r->length);
  if (r->hop * 4 == r->n_fft)
    snprintf(buf, size, "B%lld T%s n%lld", (long long)r->batch, t, (long long)r->n_fft);
  else
    snprintf(buf, size, "B%lld T%s n%lld h%lld", (long long)r->batch, t, (long long)r->n_fft,
             (long long)r->hop);
}

/* ------------------------------------------------------------ FFTW baseline */

typedef struct fftw_stft {
  int64_t n_fft, hop, bins, frames, length, pad;
  float *window;      /* n_fft, periodic Hann */
  float *padded;      /* length + 2 * pad: one reflect-padded signal */
  float *frames_buf;  /* FFTW_CHUNK * n_fft windowed frames */
  fftwf_complex *spec_buf; /* FFTW_CHUNK * bins spectra */
  fftwf_plan full;    /* FFTW_CHUNK frames */
  fftwf_plan tail;    /* frames % FFTW_CHUNK frames, or NULL */
} fftw_stft;

static fftwf_plan plan_chunk(fftw_stft *s, int howmany) {
  int n = (int)s->n_fft;
  return fftwf_plan_many_dft_r2c(1, &n, howmany, s->frames_buf, NULL, 1, n, s->spec_buf, NULL, 1,
                                 (int)s->bins, FFTW_MEASURE);
}

/* Plans are made before any data is in the buffers: FFTW_MEASURE scribbles
 * on them. */
static int fftw_stft_init(fftw_stft *s, int64_t n_fft, int64_t hop, int64_t length) {
  memset(s, 0, sizeof *s);
  s->n_fft = n_fft;
  s->hop = hop;
  s->bins = n_fft / 2 + 1;
  s->pad = n_fft / 2;
  s->length = length;
  s->frames = 1 + (length + 2 * s->pad - n_fft) / hop;
  s->window = fftwf_malloc(sizeof(float) * (size_t)n_fft);
  s->padded = fftwf_malloc(sizeof(float) * (size_t)(length + 2 * s->pad));
  s->frames_buf = fftwf_malloc(sizeof(float) * (size_t)(FFTW_CHUNK * n_fft));
  s->spec_buf = fftwf_malloc(sizeof(fftwf_complex) * (size_t)(FFTW_CHUNK * s->bins));
  if (!s->window || !s->padded || !s->frames_buf || !s->spec_buf) return -1;
  for (int64_t k = 0; k < n_fft; ++k)
    s->window[k] = (float)(0.5 - 0.5 * cos(6.283185307179586 * (double)k / (double)n_fft));
  s->full = plan_chunk(s, FFTW_CHUNK);
  int rem = (int)(s->frames % FFTW_CHUNK);
  s->tail = rem ? plan_chunk(s, rem) : NULL;
  return s->full && (!rem || s->tail) ? 0 : -1;
}

static void fftw_stft_free(fftw_stft *s) {
  if (s->full) fftwf_destroy_plan(s->full);
  if (s->tail) fftwf_destroy_plan(s->tail);
  fftwf_free(s->window);
  fftwf_free(s->padded);
  fftwf_free(s->frames_buf);
  fftwf_free(s->spec_buf);
}

/* STFT of `batch` signals into out[b][f][n] (interleaved complex64). */
static void fftw_stft_run(fftw_stft *s, const float *x, int64_t batch, fftwf_complex *out) {
  const int64_t T = s->length, pad = s->pad, n_fft = s->n_fft, bins = s->bins, N = s->frames;
  for (int64_t b = 0; b < batch; ++b) {
    const float *sig = x + b * T;
    float *p = s->padded;
    /* Reflect padding (no edge repeat), like numpy 'reflect' / torch. */
    for (int64_t i = 0; i < pad; ++i) p[i] = sig[pad - i];
    memcpy(p + pad, sig, sizeof(float) * (size_t)T);
    for (int64_t i = 0; i < pad; ++i) p[pad + T + i] = sig[T - 2 - i];
    fftwf_complex *ob = out + b * bins * N;
    for (int64_t n0 = 0; n0 < N; n0 += FFTW_CHUNK) {
      int64_t cnt = N - n0 < FFTW_CHUNK ? N - n0 : FFTW_CHUNK;
      /* Cut and window cnt frames. */
      for (int64_t j = 0; j < cnt; ++j) {
        const float *src = p + (n0 + j) * s->hop;
        float *dst = s->frames_buf + j * n_fft;
        for (int64_t k = 0; k < n_fft; ++k) dst[k] = src[k] * s->window[k];
      }
      fftwf_execute(cnt == FFTW_CHUNK ? s->full : s->tail);
      /* [cnt][F] -> out[F][N] columns n0..n0+cnt. */
      for (int64_t f = 0; f < bins; ++f) {
        fftwf_complex *dst = ob + f * N + n0;
        for (int64_t j = 0; j < cnt; ++j) {
          dst[j][0] = s->spec_buf[j * bins + f][0];
          dst[j][1] = s->spec_buf[j * bins + f][1];
        }
      }
    }
  }
}

/* ------------------------------------------------------------ one row */

static int check(spectro_status st, const char *what) {
  if (st == SPECTRO_OK) return 0;
  fprintf(stderr, "fftw_stft: %s failed: %s (%s)\n", what, spectro_status_string(st),
          spectro_last_error());
  return -1;
}

/* Repetitions: a fixed count scaled down for big rows (samples = B * T). */
static int default_reps(const row *r, int quick) {
  double samples = (double)r->batch * (double)r->length;
  if (samples <= 1e5) return quick ? 30 : 100;
  if (samples <= 1e6) return quick ? 7 : 25;
  if (samples <= 4e6) return quick ? 5 : 11;
  return quick ? 3 : 7;
}

static int bench_row(const row *r, int quick, int reps_override) {
  const int64_t B = r->batch, T = r->length;
  char name[64];
  config_name(r, name, sizeof name);

  spectro_stft_config cfg;
  spectro_stft_config_init(&cfg, r->n_fft, r->hop); /* periodic Hann, reflect, symmetric */
  cfg.window = SPECTRO_WINDOW_HANN;
  cfg.periodic = 1;
  cfg.center = 1;
  cfg.center_pad_mode = SPECTRO_PAD_REFLECT;
  spectro_stft_plan *plan = NULL;
  if (check(spectro_stft_plan_create(&cfg, &plan), "spectro_stft_plan_create")) return -1;
  int64_t F = spectro_stft_bins(plan), N = 0;
  if (check(spectro_stft_frames(plan, T, &N), "spectro_stft_frames")) {
    spectro_stft_plan_destroy(plan);
    return -1;
  }

  fftw_stft fs;
  double t_plan = now_ms();
  if (fftw_stft_init(&fs, r->n_fft, r->hop, T) != 0 || fs.frames != N || fs.bins != F) {
    fprintf(stderr, "fftw_stft: FFTW set-up failed for %s\n", name);
    fftw_stft_free(&fs);
    spectro_stft_plan_destroy(plan);
    return -1;
  }
  t_plan = now_ms() - t_plan;

  size_t n_sig = (size_t)(B * T), n_spec = (size_t)(B * F * N);
  float *x = fftwf_malloc(sizeof(float) * n_sig);
  float *y = fftwf_malloc(sizeof(float) * n_sig);
  float *z_spectro = fftwf_malloc(sizeof(float) * 2 * n_spec);
  fftwf_complex *z_fftw = fftwf_malloc(sizeof(fftwf_complex) * n_spec);
  int reps = reps_override > 0 ? reps_override : default_reps(r, quick);
  double *t_st = malloc(sizeof(double) * (size_t)reps);
  double *t_fw = malloc(sizeof(double) * (size_t)reps);
  double *t_is = malloc(sizeof(double) * (size_t)reps);
  double *t_st_mt = malloc(sizeof(double) * (size_t)reps);
  double *t_is_mt = malloc(sizeof(double) * (size_t)reps);
  int rc = -1;
  if (!x || !y || !z_spectro || !z_fftw || !t_st || !t_fw || !t_is || !t_st_mt || !t_is_mt) {
    fprintf(stderr, "fftw_stft: out of memory for %s\n", name);
    goto done;
  }
  fill_normal(x, n_sig);

  /* Warm-up (page faults, caches, lazily built tables) and correctness. */
  int warm = B * T > 4000000 ? 1 : 2;
  for (int w = 0; w < warm; ++w) {
    if (check(spectro_stft_execute(plan, x, SPECTRO_FLOAT32, B, T, z_spectro, SPECTRO_LAYOUT_BFN),
              "spectro_stft_execute"))
      goto done;
    fftw_stft_run(&fs, x, B, z_fftw);
    if (check(spectro_istft_execute(plan, z_spectro, SPECTRO_FLOAT32, B, F, N, SPECTRO_LAYOUT_BFN,
                                    T, 0, y),
              "spectro_istft_execute"))
      goto done;
  }
  double err = rel_l2(z_spectro, (const float *)z_fftw, 2 * n_spec);
  double err_rt = rel_l2(y, x, n_sig);
  if (!(err < AGREE_TOL))
    fprintf(stderr, "fftw_stft: WARNING: %s: spectro and FFTW spectra differ, relative L2 %.3g >= %g\n",
            name, err, AGREE_TOL);
  if (!(err_rt < AGREE_TOL))
    fprintf(stderr, "fftw_stft: WARNING: %s: spectro iSTFT(STFT(x)) differs from x, relative L2 %.3g\n",
            name, err_rt);

  /* Timed repetitions, interleaved; the starting operation rotates so no
   * one of them always runs right after another's cache footprint.  spectro
   * runs on one thread (ops 0, 2: the FFTW comparison) and on all threads
   * (ops 3, 4). */
  const int all_threads = spectro_get_num_threads();
  for (int rep = 0; rep < reps; ++rep) {
    for (int k = 0; k < 5; ++k) {
      int op = (rep + k) % 5;
      spectro_set_num_threads(op >= 3 ? all_threads : 1);
      double t0 = now_ms();
      spectro_status st = SPECTRO_OK;
      if (op == 0 || op == 3)
        st = spectro_stft_execute(plan, x, SPECTRO_FLOAT32, B, T, z_spectro, SPECTRO_LAYOUT_BFN);
      else if (op == 1)
        fftw_stft_run(&fs, x, B, z_fftw);
      else
        st = spectro_istft_execute(plan, z_spectro, SPECTRO_FLOAT32, B, F, N, SPECTRO_LAYOUT_BFN, T,
                                   0, y);
      double dt = now_ms() - t0;
      if (check(st, (op == 0 || op == 3) ? "spectro_stft_execute" : "spectro_istft_execute")) goto done;
      double *slot[5] = {t_st, t_fw, t_is, t_st_mt, t_is_mt};
      slot[op][rep] = dt;
    }
  }
  spectro_set_num_threads(all_threads);
  double m_st = median(t_st, reps), m_fw = median(t_fw, reps), m_is = median(t_is, reps);
  double m_st_mt = median(t_st_mt, reps), m_is_mt = median(t_is_mt, reps);
  printf("{\"config\": \"%s\", \"batch\": %lld, \"length\": %lld, \"n_fft\": %lld, \"hop\": %lld, "
         "\"bins\": %lld, \"frames\": %lld, \"reps\": %d, "
         "\"spectro_stft_ms\": %.6g, \"fftw_stft_ms\": %.6g, \"spectro_istft_ms\": %.6g, "
         "\"threads_mt\": %d, \"spectro_stft_mt_ms\": %.6g, \"spectro_istft_mt_ms\": %.6g, "
         "\"ratio_fftw_over_spectro\": %.4g, \"ratio_fftw_over_spectro_mt\": %.4g, "
         "\"stft_rel_l2_vs_fftw\": %.3g, \"agree\": %s, "
         "\"istft_roundtrip_rel_l2\": %.3g, \"fftw_plan_ms\": %.4g, \"fftw_version\": \"%s\", "
         "\"spectro_kernels\": \"%s\"}\n",
         name, (long long)B, (long long)T, (long long)r->n_fft, (long long)r->hop, (long long)F,
         (long long)N, reps, m_st, m_fw, m_is, all_threads, m_st_mt, m_is_mt, m_fw / m_st, m_fw / m_st_mt, err,
         err < AGREE_TOL ? "true" : "false", err_rt, t_plan, fftwf_version, spectro_stft_plan_kernels(plan));
  fflush(stdout);
  rc = 0;

done:
  free(t_st);
  free(t_fw);
  free(t_is);
  free(t_st_mt);
  free(t_is_mt);
  fftwf_free(x);
  fftwf_free(y);
  fftwf_free(z_spectro);
  fftwf_free(z_fftw);
  fftw_stft_free(&fs);
  spectro_stft_plan_destroy(plan);
  return rc;
}

/* ------------------------------------------------------------ main */

static void usage(void) {
  fprintf(stderr,
          "usage: fftw_stft [--quick] [--reps N] [--seed S] [--row B,T,n_fft[,hop]]...\n"
          "  --quick   rows B1 T16k n512 and B4 T160k n1024, fewer repetitions\n"
          "  --reps N  repetitions per row (default: by row size)\n"
          "  --seed S  random seed (default: from the clock; printed to stderr)\n"
          "  --row     a custom row instead of the matrix (repeatable; hop defaults to n_fft/4)\n");
}

int main(int argc, char **argv) {
  int quick = 0, reps = 0, n_custom = 0;
  row custom[32];
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t seed = (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec;

  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--quick")) {
      quick = 1;
    } else if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
      reps = atoi(argv[++i]);
    } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
      seed = strtoull(argv[++i], NULL, 10);
    } else if (!strcmp(argv[i], "--row") && i + 1 < argc && n_custom < 32) {
      long long b = 0, t = 0, n = 0, h = 0;
      int got = sscanf(argv[++i], "%lld,%lld,%lld,%lld", &b, &t, &n, &h);
      if (got < 3 || b < 1 || n < 2 || t <= n / 2) {
        fprintf(stderr, "fftw_stft: bad --row %s (want B,T,n_fft[,hop], T > n_fft/2)\n", argv[i]);
        return 2;
      }
      if (got < 4) h = n / 4 > 0 ? n / 4 : 1;
      custom[n_custom++] = (row){b, t, n, h};
    } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      usage();
      return 0;
    } else {
      usage();
      return 2;
    }
  }
  rng_state = seed ? seed : 0x9E3779B97F4A7C15ULL;
  fprintf(stderr, "fftw_stft: spectro %s, FFTW %s, seed %llu\n", spectro_version(), fftwf_version,
          (unsigned long long)seed);

  int failures = 0;
  if (n_custom) {
    for (int i = 0; i < n_custom; ++i) failures += bench_row(&custom[i], quick, reps) != 0;
  } else if (quick) {
    for (size_t i = 0; i < sizeof QUICK_ROWS / sizeof QUICK_ROWS[0]; ++i)
      failures += bench_row(&MATRIX[QUICK_ROWS[i]], quick, reps) != 0;
  } else {
    for (int i = 0; i < MATRIX_ROWS; ++i) failures += bench_row(&MATRIX[i], quick, reps) != 0;
  }
  fftwf_cleanup();
  return failures ? 1 : 0;
}
