/* Autotune: a choice is measured once per configuration, persisted to the
 * JSON cache, and reused; SPECTRO_AUTOTUNE=0 skips measuring. */
#define _POSIX_C_SOURCE 200809L
#include "test_util.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
  int failures = 0;
  char path[256];
  snprintf(path, sizeof path, "/tmp/spectro-autotune-test-%ld.json", (long)getpid());
  setenv("SPECTRO_AUTOTUNE_CACHE_PATH", path, 1);
  unsetenv("SPECTRO_SIMD");
  unsetenv("SPECTRO_AUTOTUNE");
  spectro_reset_cache_stats();
  spectro_stft_config cfg;
  spectro_stft_config_init(&cfg, 768, 192);
  spectro_stft_plan *plan = NULL;
  CHECK_OK(spectro_stft_plan_create(&cfg, &plan));
  const char *chosen = spectro_stft_plan_kernels(plan);
  long long hits, misses, measured;
  spectro_cache_stats(&hits, &misses, &measured);
  int multi = measured > 0; /* x86 with several SIMD variants */
  printf("chosen %s, measurements %lld\n", chosen, measured);
  if (multi) {
    FILE *f = fopen(path, "r");
    CHECK_MSG(f != NULL, "cache file %s was not written", path);
    if (f) {
      char text[4096] = {0};
      size_t got = fread(text, 1, sizeof text - 1, f);
      (void)got;
      fclose(f);
      CHECK_MSG(strstr(text, "n_fft=768") && strstr(text, chosen), "cache lacks the entry: %s", text);
    }
  }
  spectro_stft_plan_destroy(plan);
  CHECK_OK(spectro_stft_plan_create(&cfg, &plan));
  long long hits2, misses2, measured2;
  spectro_cache_stats(&hits2, &misses2, &measured2);
  CHECK_MSG(measured2 == measured, "measured again (%lld -> %lld)", measured, measured2);
  if (multi) CHECK_MSG(hits2 == hits + 1, "no cache hit (%lld -> %lld)", hits, hits2);
  CHECK(strcmp(spectro_stft_plan_kernels(plan), chosen) == 0);
  spectro_stft_plan_destroy(plan);
  setenv("SPECTRO_AUTOTUNE", "0", 1);
  spectro_stft_config_init(&cfg, 640, 160);
  CHECK_OK(spectro_stft_plan_create(&cfg, &plan));
  spectro_cache_stats(NULL, NULL, &measured2);
  CHECK_MSG(measured2 == measured, "SPECTRO_AUTOTUNE=0 still measured");
  spectro_stft_plan_destroy(plan);
  setenv("SPECTRO_SIMD", "generic", 1);
  CHECK_OK(spectro_stft_plan_create(&cfg, &plan));
  CHECK(strcmp(spectro_stft_plan_kernels(plan), "generic") == 0);
  spectro_stft_plan_destroy(plan);
  spectro_stft_config_init(&cfg, 2 * 1009, 500);
  CHECK_OK(spectro_stft_plan_create(&cfg, &plan));
  CHECK(strcmp(spectro_stft_plan_kernels(plan), "generic") == 0); /* Bluestein sizes: the lane kernels too */
  spectro_stft_plan_destroy(plan);
  unlink(path);
  return test_report("autotune", failures);
}
