/* STFT / iSTFT against a float64 direct-DFT reference written here from the
 * framing rules of SPEC.md, for every rule, window, layout and dtype. */
#include "test_util.h"

#include <string.h>

typedef struct rule {
  int center;
  spectro_pad_mode pad;
  spectro_tail tail;
} rule;

static double win_value(spectro_window type, int periodic, int64_t wl, int64_t i) {
  if (wl == 1) return 1.0;
  double d = periodic ? (double)wl : (double)(wl - 1), x = 2.0 * M_PI * (double)i / d;
  switch (type) {
  case SPECTRO_WINDOW_HANN: return 0.5 - 0.5 * cos(x);
  case SPECTRO_WINDOW_HAMMING: return 0.54 - 0.46 * cos(x);
  case SPECTRO_WINDOW_BLACKMAN: return 0.42 - 0.5 * cos(x) + 0.08 * cos(2 * x);
  default: return 1.0;
  }
}

/* Explicitly padded copy of the signal, then frames, then a direct DFT. */
static double *reference_stft(const double *x, int64_t T, int64_t n, int64_t hop, int64_t wl,
                              spectro_window wt, int periodic, rule r, int normalized,
                              int64_t *frames_out) {
  int64_t pl = r.center ? n / 2 : 0, frames;
  if (!r.center) frames = 1 + (T - n) / hop;
  else if (r.tail == SPECTRO_TAIL_MINIMAL) frames = T / hop + (T % hop != 0), frames = frames < 1 ? 1 : frames;
  else frames = 1 + (T + 2 * pl - n) / hop;
  int64_t plen = (frames - 1) * hop + n;
  double *padded = calloc((size_t)plen, sizeof(double));
  for (int64_t p = 0; p < plen; ++p) {
    int64_t i = p - pl;
    if (i >= 0 && i < T) padded[p] = x[i];
    else if (r.center && r.pad == SPECTRO_PAD_REFLECT) padded[p] = x[i < 0 ? -i : 2 * (T - 1) - i];
  }
  double *w = calloc((size_t)n, sizeof(double));
  for (int64_t i = 0; i < wl; ++i) w[(n - wl) / 2 + i] = win_value(wt, periodic, wl, i);
  int64_t F = n / 2 + 1;
  double *out = malloc(sizeof(double) * 2 * (size_t)(F * frames));
  double sc = normalized ? 1.0 / sqrt((double)n) : 1.0;
  for (int64_t t = 0; t < frames; ++t)
    for (int64_t k = 0; k < F; ++k) {
      double re = 0, im = 0;
      for (int64_t j = 0; j < n; ++j) {
        double a = -2.0 * M_PI * (double)((k * j) % n) / (double)n;
        double v = padded[t * hop + j] * w[j];
        re += v * cos(a);
        im += v * sin(a);
      }
      out[2 * (k * frames + t)] = re * sc; /* bfn */
      out[2 * (k * frames + t) + 1] = im * sc;
    }
  free(padded);
  free(w);
  *frames_out = frames;
  return out;
}

static double rel_err(const double *ref, const float *f32, const double *f64, int64_t count) {
  double num = 0, den = 0;
  for (int64_t i = 0; i < count; ++i) {
    double g = f32 ? (double)f32[i] : f64[i];
    num += (g - ref[i]) * (g - ref[i]);
    den += ref[i] * ref[i];
  }
  return sqrt(num / (den > 0 ? den : 1));
}

static int check_config(int64_t n, int64_t hop, int64_t wl, spectro_window wt, int periodic, rule r,
                        int normalized, int64_t T, int64_t B) {
  int failures = 0;
  spectro_stft_config cfg;
  spectro_stft_config_init(&cfg, n, hop);
  cfg.win_length = wl;
  cfg.window = wt;
  cfg.periodic = periodic;
  cfg.center = r.center;
  cfg.center_pad_mode = r.pad;
  cfg.center_tail_pad = r.tail;
  cfg.normalized = normalized;
  spectro_stft_plan *plan = NULL;
  CHECK_OK(spectro_stft_plan_create(&cfg, &plan));
  if (!plan) return failures;
  int64_t frames = 0, F = n / 2 + 1;
  CHECK_OK(spectro_stft_frames(plan, T, &frames));
  double *x64 = malloc(sizeof(double) * (size_t)(B * T));
  float *x32 = malloc(sizeof(float) * (size_t)(B * T));
  int16_t *x16 = malloc(sizeof(int16_t) * (size_t)(B * T));
  for (int64_t i = 0; i < B * T; ++i) {
    x16[i] = (int16_t)(test_normal() * 6000);
    x32[i] = (float)test_normal();
    x64[i] = x32[i];
  }
  size_t cnt = (size_t)(2 * B * F * frames);
  float *o32 = malloc(sizeof(float) * cnt), *o32b = malloc(sizeof(float) * cnt);
  double *o64 = malloc(sizeof(double) * cnt);
  double *o16ref = malloc(sizeof(double) * (size_t)(B * T));
  CHECK_OK(spectro_stft_execute(plan, x32, SPECTRO_FLOAT32, B, T, o32, SPECTRO_LAYOUT_BFN));
  CHECK_OK(spectro_stft_execute(plan, x64, SPECTRO_FLOAT64, B, T, o64, SPECTRO_LAYOUT_BFN));
  CHECK_OK(spectro_stft_execute(plan, x32, SPECTRO_FLOAT32, B, T, o32b, SPECTRO_LAYOUT_BNF));
  for (int64_t b = 0; b < B; ++b) {
    int64_t rf = 0;
    double *ref = reference_stft(x64 + b * T, T, n, hop, wl, wt, periodic, r, normalized, &rf);
    CHECK_MSG(rf == frames, "frames %lld vs reference %lld", (long long)frames, (long long)rf);
    int64_t per = 2 * F * frames;
    double e32 = rel_err(ref, o32 + b * per, NULL, per);
    double e64 = rel_err(ref, NULL, o64 + b * per, per);
    /* bnf must be the transpose of bfn, exactly */
    int same = 1;
    for (int64_t k = 0; k < F && same; ++k)
      for (int64_t t = 0; t < frames; ++t) {
        const float *a = o32 + b * per + 2 * (k * frames + t), *c = o32b + b * per + 2 * (t * F + k);
        if (a[0] != c[0] || a[1] != c[1]) { same = 0; break; }
      }
    CHECK_MSG(e32 <= 1e-6, "stft f32 n=%lld hop=%lld wl=%lld win=%d per=%d center=%d pad=%d tail=%d "
              "norm=%d T=%lld: rel err %.3g", (long long)n, (long long)hop, (long long)wl, wt, periodic,
              r.center, r.pad, r.tail, normalized, (long long)T, e32);
    CHECK_MSG(e64 <= 1e-12, "stft f64 n=%lld T=%lld: rel err %.3g", (long long)n, (long long)T, e64);
    CHECK_MSG(same, "bnf is not the transpose of bfn (n=%lld)", (long long)n);
    free(ref);
    /* int16 input: scaled by 1/32768 */
    for (int64_t i = 0; i < T; ++i) o16ref[i] = x16[b * T + i] / 32768.0;
    ref = reference_stft(o16ref, T, n, hop, wl, wt, periodic, r, normalized, &rf);
    CHECK_OK(spectro_stft_execute(plan, x16 + b * T, SPECTRO_INT16, 1, T, o32, SPECTRO_LAYOUT_BFN));
    double e16 = rel_err(ref, o32, NULL, per);
    CHECK_MSG(e16 <= 1e-6, "stft int16 n=%lld: rel err %.3g", (long long)n, e16);
    free(ref);
  }
  /* round trip (only where the window covers every sample) */
  if (hop <= wl / 2 && wt != SPECTRO_WINDOW_RECT) {
    CHECK_OK(spectro_stft_execute(plan, x64, SPECTRO_FLOAT64, B, T, o64, SPECTRO_LAYOUT_BFN));
    double *y = malloc(sizeof(double) * (size_t)(B * T));
    /* center=False with a Hann window has a true gap at sample 0 (torch
     * raises there too, pytorch#91309): no validation, compare the interior */
    spectro_set_warning_handler(NULL, NULL);
    CHECK_OK(spectro_istft_execute(plan, o64, SPECTRO_FLOAT64, B, F, frames, SPECTRO_LAYOUT_BFN, T,
                                   r.center ? SPECTRO_ISTFT_VALIDATE : 0, y));
    spectro_reset_warning_handler();
    double num = 0, den = 0;
    int64_t lo = r.center ? 0 : n, hi = r.center ? T : T - n; /* center=False edges are uncovered */
    for (int64_t b = 0; b < B; ++b)
      for (int64_t i = lo; i < hi && i < T; ++i) {
        double d = y[b * T + i] - x64[b * T + i];
        num += d * d;
        den += x64[b * T + i] * x64[b * T + i];
      }
    double e = sqrt(num / (den > 0 ? den : 1));
    CHECK_MSG(e <= 1e-12, "round trip f64 n=%lld hop=%lld center=%d tail=%d: %.3g", (long long)n,
              (long long)hop, r.center, r.tail, e);
    free(y);
  }
  spectro_stft_plan_destroy(plan);
  free(x64); free(x32); free(x16); free(o32); free(o32b); free(o64); free(o16ref);
  return failures;
}

static int warnings_seen = 0;
static void count_warning(void *user, const char *msg) {
  (void)user;
  (void)msg;
  ++warnings_seen;
}

static int check_istft_lengths(void) {
  int failures = 0;
  /* natural length follows torch: hop*(N-1) (+1 for odd n_fft) with center */
  spectro_stft_config cfg;
  spectro_stft_plan *plan = NULL;
  int64_t len;
  spectro_stft_config_init(&cfg, 401, 100);
  CHECK_OK(spectro_stft_plan_create(&cfg, &plan));
  CHECK_OK(spectro_istft_natural_length(plan, 11, &len));
  CHECK(len == 1001);
  spectro_stft_plan_destroy(plan);
  cfg.n_fft = 400;
  cfg.win_length = 400;
  cfg.center = 0;
  CHECK_OK(spectro_stft_plan_create(&cfg, &plan));
  CHECK_OK(spectro_istft_natural_length(plan, 11, &len));
  CHECK(len == 1400);
  spectro_stft_plan_destroy(plan);

  /* cut and zero-fill: a longer length keeps the signal and zero-fills */
  spectro_stft_config_init(&cfg, 256, 64);
  CHECK_OK(spectro_stft_plan_create(&cfg, &plan));
  const int64_t T = 2000;
  int64_t frames;
  CHECK_OK(spectro_stft_frames(plan, T, &frames));
  double *x = malloc(sizeof(double) * T), *z = malloc(sizeof(double) * 2 * 129 * (size_t)frames);
  double *y = malloc(sizeof(double) * 3000);
  for (int64_t i = 0; i < T; ++i) x[i] = test_normal();
  CHECK_OK(spectro_stft_execute(plan, x, SPECTRO_FLOAT64, 1, T, z, SPECTRO_LAYOUT_BFN));
  CHECK_OK(spectro_istft_execute(plan, z, SPECTRO_FLOAT64, 1, 129, frames, SPECTRO_LAYOUT_BFN, 3000, 0, y));
  double maxe = 0;
  for (int64_t i = 0; i < T; ++i) maxe = fmax(maxe, fabs(y[i] - x[i]));
  CHECK_MSG(maxe < 1e-12, "long istft error %.3g", maxe);
  int tail_zero = 1;
  for (int64_t i = (frames - 1) * 64 + 128; i < 3000; ++i) tail_zero &= y[i] == 0.0;
  CHECK(tail_zero);
  CHECK_OK(spectro_istft_execute(plan, z, SPECTRO_FLOAT64, 1, 129, frames, SPECTRO_LAYOUT_BFN, 500, 0, y));
  maxe = 0;
  for (int64_t i = 0; i < 500; ++i) maxe = fmax(maxe, fabs(y[i] - x[i]));
  CHECK_MSG(maxe < 1e-12, "short istft error %.3g", maxe);
  spectro_stft_plan_destroy(plan);

  /* coverage gap: hop > win_length leaves holes */
  spectro_stft_config_init(&cfg, 256, 200);
  cfg.win_length = 128;
  CHECK_OK(spectro_stft_plan_create(&cfg, &plan));
  CHECK_OK(spectro_stft_frames(plan, T, &frames));
  CHECK_OK(spectro_stft_execute(plan, x, SPECTRO_FLOAT64, 1, T, z, SPECTRO_LAYOUT_BFN));
  spectro_status st = spectro_istft_execute(plan, z, SPECTRO_FLOAT64, 1, 129, frames, SPECTRO_LAYOUT_BFN,
                                            T, SPECTRO_ISTFT_VALIDATE, y);
  CHECK(st == SPECTRO_ERR_WINDOW_COVERAGE);
  CHECK(strstr(spectro_last_error(), "hop_length=200") != NULL);
  spectro_set_warning_handler(count_warning, NULL);
  warnings_seen = 0;
  for (int i = 0; i < 3; ++i)
    CHECK_OK(spectro_istft_execute(plan, z, SPECTRO_FLOAT64, 1, 129, frames, SPECTRO_LAYOUT_BFN, T, 0, y));
  CHECK_MSG(warnings_seen == 1, "warned %d times, expected once", warnings_seen);
  spectro_reset_warning_handler();
  spectro_stft_plan_destroy(plan);
  free(x); free(z); free(y);
  return failures;
}

int main(void) {
  test_seed_from_time();
  int failures = 0;
  const rule rules[] = {{1, SPECTRO_PAD_REFLECT, SPECTRO_TAIL_SYMMETRIC},
                        {1, SPECTRO_PAD_CONSTANT, SPECTRO_TAIL_SYMMETRIC},
                        {1, SPECTRO_PAD_CONSTANT, SPECTRO_TAIL_MINIMAL},
                        {0, SPECTRO_PAD_REFLECT, SPECTRO_TAIL_SYMMETRIC}};
  const int64_t sizes[][3] = {{256, 64, 256}, {400, 160, 400}, {511, 128, 511}, {512, 128, 300},
                              {1000, 250, 1000}, {64, 16, 64}, {1, 1, 1}, {7, 3, 5}};
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; ++s)
    for (size_t r = 0; r < 4; ++r) {
      int64_t n = sizes[s][0];
      int64_t T = n * 3 + (int64_t)(test_uniform() * n);
      failures += check_config(n, sizes[s][1], sizes[s][2], SPECTRO_WINDOW_HANN, 1, rules[r], 0, T, 2);
    }
  /* windows, symmetric windows, normalized, short signals */
  failures += check_config(256, 64, 256, SPECTRO_WINDOW_HAMMING, 0, rules[0], 1, 1000, 1);
  failures += check_config(256, 64, 200, SPECTRO_WINDOW_BLACKMAN, 1, rules[1], 0, 1000, 1);
  failures += check_config(256, 64, 256, SPECTRO_WINDOW_RECT, 1, rules[2], 1, 1000, 1);
  failures += check_config(256, 64, 256, SPECTRO_WINDOW_HANN, 1, rules[1], 0, 5, 1);
  failures += check_config(256, 64, 256, SPECTRO_WINDOW_HANN, 1, rules[2], 0, 5, 1);
  failures += check_config(256, 64, 256, SPECTRO_WINDOW_HANN, 1, rules[0], 0, 129, 1);
  failures += check_config(4410, 1024, 4410, SPECTRO_WINDOW_HANN, 1, rules[0], 0, 9000, 1);
  failures += check_istft_lengths();
  return test_report("stft", failures);
}
