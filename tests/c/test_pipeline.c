#define _POSIX_C_SOURCE 200809L
/* The CPU pipeline's promises: bit-identical results for any thread count;
 * every SIMD variant agrees with the others and with the one-frame scalar
 * path; no allocation once a plan has seen a shape. */
#include "test_util.h"

#include <stdlib.h>
#include <string.h>

static size_t allocations;
static void *counting_alloc(void *opaque, size_t size) {
  (void)opaque;
  ++allocations;
  return malloc(size);
}
static void counting_free(void *opaque, void *p) {
  (void)opaque;
  free(p);
}

typedef struct run {
  float *spec, *sig;
  double *spec64, *sig64;
} run;

static void compute(spectro_stft_plan *plan, const float *x, const double *x64, int64_t B, int64_t T,
                    int64_t frames, spectro_layout layout, run *r, int *failures_p) {
  int failures = 0;
  int64_t F = spectro_stft_bins(plan);
  CHECK_OK(spectro_stft_execute(plan, x, SPECTRO_FLOAT32, B, T, r->spec, layout));
  CHECK_OK(spectro_istft_execute(plan, r->spec, SPECTRO_FLOAT32, B, F, frames, layout, T, 0, r->sig));
  CHECK_OK(spectro_stft_execute(plan, x64, SPECTRO_FLOAT64, B, T, r->spec64, layout));
  CHECK_OK(spectro_istft_execute(plan, r->spec64, SPECTRO_FLOAT64, B, F, frames, layout, T, 0, r->sig64));
  *failures_p += failures;
}

static double rel(const float *a, const float *b, size_t n) {
  double num = 0, den = 0;
  for (size_t i = 0; i < n; ++i) {
    num += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    den += (double)b[i] * b[i];
  }
  return sqrt(num / (den > 0 ? den : 1));
}

static int check(int64_t n, int64_t hop, int64_t B, int64_t T, spectro_layout layout, spectro_window window) {
  int failures = 0;
  spectro_stft_config cfg;
  spectro_stft_config_init(&cfg, n, hop);
  cfg.window = window;
  spectro_stft_plan *plan = NULL;
  CHECK_OK(spectro_stft_plan_create(&cfg, &plan));
  int64_t frames, F = n / 2 + 1;
  CHECK_OK(spectro_stft_frames(plan, T, &frames));
  size_t ns = (size_t)(2 * B * F * frames), nx = (size_t)(B * T);
  float *x = malloc(sizeof(float) * nx);
  double *x64 = malloc(sizeof(double) * nx);
  for (size_t i = 0; i < nx; ++i) x64[i] = x[i] = (float)test_normal();
  run r[4];
  for (int i = 0; i < 4; ++i) {
    r[i].spec = malloc(sizeof(float) * ns);
    r[i].sig = malloc(sizeof(float) * nx);
    r[i].spec64 = malloc(sizeof(double) * ns);
    r[i].sig64 = malloc(sizeof(double) * nx);
  }
  /* thread counts 1, 2, 3: the same bits */
  const int threads[3] = {1, 2, 3};
  for (int i = 0; i < 3; ++i) {
    spectro_set_num_threads(threads[i]);
    compute(plan, x, x64, B, T, frames, layout, &r[i], &failures);
  }
  spectro_set_num_threads(0);
  for (int i = 1; i < 3; ++i) {
    CHECK_MSG(!memcmp(r[0].spec, r[i].spec, sizeof(float) * ns), "n=%lld: spectrum differs with %d threads",
              (long long)n, threads[i]);
    CHECK_MSG(!memcmp(r[0].sig, r[i].sig, sizeof(float) * nx), "n=%lld: istft differs with %d threads",
              (long long)n, threads[i]);
    CHECK_MSG(!memcmp(r[0].spec64, r[i].spec64, sizeof(double) * ns), "n=%lld: f64 spectrum differs (%d threads)",
              (long long)n, threads[i]);
    CHECK_MSG(!memcmp(r[0].sig64, r[i].sig64, sizeof(double) * nx), "n=%lld: f64 istft differs (%d threads)",
              (long long)n, threads[i]);
  }
  /* steady state: no allocation for a shape the plan has seen */
  spectro_allocator hooks = {counting_alloc, counting_free, NULL};
  spectro_set_allocator(&hooks);
  allocations = 0;
  for (int i = 0; i < 3; ++i) compute(plan, x, x64, B, T, frames, layout, &r[3], &failures);
  CHECK_MSG(allocations == 0, "n=%lld: %zu allocations in steady state", (long long)n, allocations);
  spectro_set_allocator(NULL);
  spectro_stft_plan_destroy(plan);

  /* every SIMD variant against the one-frame scalar path */
  const char *variants[] = {"scalar", "generic", "avx2", "avx512"};
  for (int v = 1; v < 4; ++v) {
    setenv("SPECTRO_SIMD", variants[0], 1);
    spectro_stft_plan *ps = NULL, *pv = NULL;
    CHECK_OK(spectro_stft_plan_create(&cfg, &ps));
    setenv("SPECTRO_SIMD", variants[v], 1);
    CHECK_OK(spectro_stft_plan_create(&cfg, &pv));
    unsetenv("SPECTRO_SIMD");
    compute(ps, x, x64, B, T, frames, layout, &r[0], &failures);
    compute(pv, x, x64, B, T, frames, layout, &r[1], &failures);
    double es = rel(r[1].spec, r[0].spec, ns), ey = rel(r[1].sig, r[0].sig, nx);
    CHECK_MSG(es <= 1e-6 && ey <= 1e-6, "n=%lld %s vs scalar: spectrum %.3g, istft %.3g", (long long)n,
              variants[v], es, ey);
    spectro_stft_plan_destroy(ps);
    spectro_stft_plan_destroy(pv);
  }
  for (int i = 0; i < 4; ++i) {
    free(r[i].spec); free(r[i].sig); free(r[i].spec64); free(r[i].sig64);
  }
  free(x);
  free(x64);
  return failures;
}

int main(void) {
  test_seed_from_time();
  int failures = 0;
  spectro_set_warning_handler(NULL, NULL);
  const spectro_window hann = SPECTRO_WINDOW_HANN;
  failures += check(1024, 256, 3, 40000, SPECTRO_LAYOUT_BFN, hann);
  failures += check(1024, 256, 2, 30011, SPECTRO_LAYOUT_BNF, hann);
  failures += check(400, 160, 2, 16000, SPECTRO_LAYOUT_BFN, hann);
  failures += check(2048, 441, 1, 44100, SPECTRO_LAYOUT_BNF, hann);
  failures += check(1323, 441, 1, 30000, SPECTRO_LAYOUT_BFN, hann); /* odd n_fft */
  /* hop = n_fft: no tails (a Hann envelope would be ill-conditioned here) */
  failures += check(512, 512, 2, 9000, SPECTRO_LAYOUT_BFN, SPECTRO_WINDOW_RECT);
  failures += check(64, 4, 2, 3000, SPECTRO_LAYOUT_BNF, hann);          /* many frames per sample */
  failures += check(2 * 1009, 500, 1, 20000, SPECTRO_LAYOUT_BFN, hann); /* Bluestein half size */
  failures += check(1021, 255, 2, 20011, SPECTRO_LAYOUT_BNF, hann);     /* odd Bluestein: frames paired in lanes */
  failures += check(397, 100, 3, 4001, SPECTRO_LAYOUT_BFN, hann);       /* ... an odd frame count */
  return test_report("pipeline", failures);
}
