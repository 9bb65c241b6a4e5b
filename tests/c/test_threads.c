/* Several threads executing one plan at once get the same bits as one
 * thread (plans are immutable; scratch is per call). */
#include "test_util.h"

#include <pthread.h>
#include <string.h>

#define THREADS 6
#define B 3
#define T 20000

static spectro_stft_plan *plan;
static float signal[B * T];
static float expected_spec[B * 513 * 100 * 2];
static float expected_sig[B * T];
static int64_t frames;

typedef struct { int ok; } result;

static void *worker(void *arg) {
  result *r = arg;
  float *spec = malloc(sizeof expected_spec), *sig = malloc(sizeof expected_sig);
  r->ok = 1;
  for (int it = 0; it < 20; ++it) {
    if (spectro_stft_execute(plan, signal, SPECTRO_FLOAT32, B, T, spec, SPECTRO_LAYOUT_BFN) != SPECTRO_OK ||
        memcmp(spec, expected_spec, sizeof(float) * 2 * B * 513 * (size_t)frames) != 0)
      r->ok = 0;
    if (spectro_istft_execute(plan, spec, SPECTRO_FLOAT32, B, 513, frames, SPECTRO_LAYOUT_BFN, T, 0, sig) !=
            SPECTRO_OK ||
        memcmp(sig, expected_sig, sizeof expected_sig) != 0)
      r->ok = 0;
  }
  free(spec);
  free(sig);
  return NULL;
}

int main(void) {
  test_seed_from_time();
  int failures = 0;
  spectro_stft_config cfg;
  spectro_stft_config_init(&cfg, 1024, 256);
  CHECK_OK(spectro_stft_plan_create(&cfg, &plan));
  CHECK_OK(spectro_stft_frames(plan, T, &frames));
  CHECK(frames <= 100);
  for (int i = 0; i < B * T; ++i) signal[i] = (float)test_normal();
  CHECK_OK(spectro_stft_execute(plan, signal, SPECTRO_FLOAT32, B, T, expected_spec, SPECTRO_LAYOUT_BFN));
  CHECK_OK(spectro_istft_execute(plan, expected_spec, SPECTRO_FLOAT32, B, 513, frames, SPECTRO_LAYOUT_BFN,
                                 T, 0, expected_sig));
  pthread_t th[THREADS];
  result res[THREADS];
  for (int i = 0; i < THREADS; ++i) pthread_create(&th[i], NULL, worker, &res[i]);
  for (int i = 0; i < THREADS; ++i) {
    pthread_join(th[i], NULL);
    CHECK_MSG(res[i].ok, "thread %d saw different results", i);
  }
  spectro_stft_plan_destroy(plan);
  return test_report("threads", failures);
}
