/* Tiny test helpers shared by the C tests. */
#ifndef SPECTRO_TEST_UTIL_H
#define SPECTRO_TEST_UTIL_H

#include "spectro.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static uint64_t test_rng_state = 0x9E3779B97F4A7C15ull;

static inline uint64_t test_next(void) { /* splitmix64 */
  uint64_t z = (test_rng_state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static inline double test_uniform(void) { return ((test_next() >> 11) + 0.5) * (1.0 / 9007199254740992.0); }

static inline double test_normal(void) {
  double u1 = test_uniform(), u2 = test_uniform();
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Fresh inputs each run; the seed is printed so a failure can be replayed
 * with SPECTRO_TEST_SEED. */
static inline void test_seed_from_time(void) {
  const char *env = getenv("SPECTRO_TEST_SEED");
  uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL) ^ ((uint64_t)clock() << 20);
  test_rng_state = seed;
  printf("seed %llu (set SPECTRO_TEST_SEED to replay)\n", (unsigned long long)seed);
}

#define CHECK_MSG(cond, ...)                                                   \
  do {                                                                         \
    if (!(cond)) {                                                             \
      printf("FAIL %s:%d: ", __FILE__, __LINE__);                              \
      printf(__VA_ARGS__);                                                     \
      printf("\n");                                                            \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

#define CHECK(cond) CHECK_MSG(cond, "%s", #cond)

#define CHECK_OK(expr)                                                         \
  do {                                                                         \
    spectro_status st_ = (expr);                                               \
    CHECK_MSG(st_ == SPECTRO_OK, "%s -> %s: %s", #expr,                        \
              spectro_status_string(st_), spectro_last_error());               \
  } while (0)

static inline int test_report(const char *name, int failures) {
  printf("%s: %s (%d failure%s)\n", name, failures ? "FAILED" : "ok", failures,
         failures == 1 ? "" : "s");
  return failures ? 1 : 0;
}

#endif
