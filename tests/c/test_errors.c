/* Every invalid parameter gets its status and a message naming it; the
 * allocation hooks see every allocation; failing allocations are reported,
 * never crash. */
#define _POSIX_C_SOURCE 200809L
#include "test_util.h"

#include <stdlib.h>
#include <string.h>

#define EXPECT_ERR(expr, status, needle)                                                  \
  do {                                                                                    \
    spectro_status st_ = (expr);                                                          \
    CHECK_MSG(st_ == (status), "%s -> %s, expected %s", #expr, spectro_status_string(st_), \
              spectro_status_string(status));                                             \
    CHECK_MSG(strstr(spectro_last_error(), needle) != NULL, "%s: message '%s' lacks '%s'", \
              #expr, spectro_last_error(), needle);                                       \
  } while (0)

static spectro_status make(spectro_stft_config *cfg) {
  spectro_stft_plan *plan = (spectro_stft_plan *)cfg; /* poisoned: must be reset to NULL */
  spectro_status st = spectro_stft_plan_create(cfg, &plan);
  if (st != SPECTRO_OK) {
    if (plan != NULL) return SPECTRO_ERR_INTERNAL;
  }
  spectro_stft_plan_destroy(plan);
  return st;
}

static size_t live_allocs, total_allocs;
static int fail_after = -1;
static void *counting_alloc(void *opaque, size_t size) {
  (void)opaque;
  if (fail_after >= 0 && (int)total_allocs >= fail_after) return NULL;
  ++total_allocs;
  ++live_allocs;
  return malloc(size);
}
static void counting_free(void *opaque, void *p) {
  (void)opaque;
  --live_allocs;
  free(p);
}

int main(void) {
  int failures = 0;
  spectro_stft_config cfg;
  spectro_stft_config_init(&cfg, 0, 128);
  EXPECT_ERR(make(&cfg), SPECTRO_ERR_INVALID_ARGUMENT, "n_fft");
  spectro_stft_config_init(&cfg, -4, 128);
  EXPECT_ERR(make(&cfg), SPECTRO_ERR_INVALID_ARGUMENT, "got -4");
  spectro_stft_config_init(&cfg, 512, 0);
  EXPECT_ERR(make(&cfg), SPECTRO_ERR_INVALID_ARGUMENT, "hop_length");
  spectro_stft_config_init(&cfg, 512, 128);
  cfg.win_length = 600;
  EXPECT_ERR(make(&cfg), SPECTRO_ERR_INVALID_ARGUMENT, "win_length=600");
  spectro_stft_config_init(&cfg, 512, 128);
  cfg.center_tail_pad = SPECTRO_TAIL_MINIMAL;
  EXPECT_ERR(make(&cfg), SPECTRO_ERR_INVALID_ARGUMENT, "center_tail_pad");
  spectro_stft_config_init(&cfg, 512, 128);
  cfg.center_pad_mode = (spectro_pad_mode)7;
  EXPECT_ERR(make(&cfg), SPECTRO_ERR_INVALID_ARGUMENT, "center_pad_mode");
  spectro_stft_config_init(&cfg, 512, 128);
  cfg.window = (spectro_window)9;
  EXPECT_ERR(make(&cfg), SPECTRO_ERR_INVALID_ARGUMENT, "window");
  spectro_stft_config_init(&cfg, 512, 128);
  cfg.window = SPECTRO_WINDOW_CUSTOM;
  EXPECT_ERR(make(&cfg), SPECTRO_ERR_INVALID_ARGUMENT, "custom_window");
  double w[300];
  for (int i = 0; i < 300; ++i) w[i] = 1.0;
  cfg.custom_window = w;
  cfg.custom_window_length = 300;
  EXPECT_ERR(make(&cfg), SPECTRO_ERR_INVALID_ARGUMENT, "got 300");
  w[3] = NAN;
  cfg.win_length = 300;
  EXPECT_ERR(make(&cfg), SPECTRO_ERR_INVALID_ARGUMENT, "window[3]");
  EXPECT_ERR(spectro_stft_plan_create(NULL, NULL), SPECTRO_ERR_INVALID_ARGUMENT, "NULL");

  spectro_stft_plan *plan = NULL;
  spectro_stft_config_init(&cfg, 512, 128);
  CHECK_OK(spectro_stft_plan_create(&cfg, &plan));
  float x[1000] = {0}, out[2 * 257 * 20];
  int64_t frames;
  EXPECT_ERR(spectro_stft_frames(plan, 256, &frames), SPECTRO_ERR_SHAPE, "length=256");
  EXPECT_ERR(spectro_stft_execute(plan, x, SPECTRO_FLOAT32, 1, 200, out, SPECTRO_LAYOUT_BFN),
             SPECTRO_ERR_SHAPE, "center_pad_mode='reflect'");
  EXPECT_ERR(spectro_stft_execute(plan, x, SPECTRO_FLOAT32, 1, 1000, out, (spectro_layout)5),
             SPECTRO_ERR_INVALID_ARGUMENT, "layout");
  EXPECT_ERR(spectro_stft_execute(plan, x, (spectro_dtype)9, 1, 1000, out, SPECTRO_LAYOUT_BFN),
             SPECTRO_ERR_DTYPE, "dtype");
  EXPECT_ERR(spectro_stft_execute(plan, x, SPECTRO_FLOAT32, -1, 1000, out, SPECTRO_LAYOUT_BFN),
             SPECTRO_ERR_SHAPE, "batch");
  EXPECT_ERR(spectro_stft_execute(plan, NULL, SPECTRO_FLOAT32, 1, 1000, out, SPECTRO_LAYOUT_BFN),
             SPECTRO_ERR_INVALID_ARGUMENT, "NULL");
  EXPECT_ERR(spectro_stft_execute(plan, x, SPECTRO_FLOAT32, 1, INT64_MAX / 2, out, SPECTRO_LAYOUT_BFN),
             SPECTRO_ERR_SHAPE, "signal length");
  EXPECT_ERR(spectro_stft_execute(plan, x, SPECTRO_FLOAT32, INT64_MAX / 4, 1000, out, SPECTRO_LAYOUT_BFN),
             SPECTRO_ERR_SHAPE, "too large");
  int64_t natural;
  EXPECT_ERR(spectro_istft_natural_length(plan, INT64_MAX / 4, &natural), SPECTRO_ERR_SHAPE, "n_frames");
  CHECK_OK(spectro_stft_frames(plan, 1000, &frames));
  EXPECT_ERR(spectro_istft_execute(plan, out, SPECTRO_FLOAT32, 1, 256, frames, SPECTRO_LAYOUT_BFN, -1, 0, x),
             SPECTRO_ERR_SHAPE, "256 frequency bins");
  EXPECT_ERR(spectro_istft_execute(plan, out, SPECTRO_INT16, 1, 257, frames, SPECTRO_LAYOUT_BFN, -1, 0, x),
             SPECTRO_ERR_DTYPE, "dtype");
  EXPECT_ERR(spectro_istft_execute(plan, out, SPECTRO_FLOAT32, 1, 257, 0, SPECTRO_LAYOUT_BFN, -1, 0, x),
             SPECTRO_ERR_SHAPE, "n_frames");
  EXPECT_ERR(spectro_istft_execute(plan, out, SPECTRO_FLOAT32, 1, 257, frames, SPECTRO_LAYOUT_BFN, -1, 8, x),
             SPECTRO_ERR_INVALID_ARGUMENT, "flags");
  spectro_stft_plan_destroy(plan);
  cfg.center_pad_mode = SPECTRO_PAD_CONSTANT;
  cfg.center_tail_pad = SPECTRO_TAIL_MINIMAL;
  CHECK_OK(spectro_stft_plan_create(&cfg, &plan));
  int64_t len;
  EXPECT_ERR(spectro_istft_natural_length(plan, 5, &len), SPECTRO_ERR_INVALID_ARGUMENT, "length is required");
  EXPECT_ERR(spectro_istft_execute(plan, out, SPECTRO_FLOAT32, 1, 257, 5, SPECTRO_LAYOUT_BFN, -1, 0, x),
             SPECTRO_ERR_INVALID_ARGUMENT, "center_tail_pad='minimal'");
  spectro_stft_plan_destroy(plan);
  spectro_stft_config_init(&cfg, 512, 128);
  cfg.center = 0;
  CHECK_OK(spectro_stft_plan_create(&cfg, &plan));
  EXPECT_ERR(spectro_stft_frames(plan, 511, &frames), SPECTRO_ERR_SHAPE, "center=False");
  spectro_stft_plan_destroy(plan);
  /* a hop far beyond n_fft: plan memory does not grow with it */
  spectro_stft_config_init(&cfg, 512, (int64_t)1 << 40);
  size_t before = total_allocs;
  CHECK_OK(spectro_stft_plan_create(&cfg, &plan));
  (void)before;
  spectro_stft_plan_destroy(plan);
  /* validation refuses hop_length > win_length like torch.istft */
  spectro_stft_config_init(&cfg, 8, 12);
  CHECK_OK(spectro_stft_plan_create(&cfg, &plan));
  EXPECT_ERR(spectro_istft_execute(plan, out, SPECTRO_FLOAT32, 1, 5, 1, SPECTRO_LAYOUT_BFN, 4,
                                   SPECTRO_ISTFT_VALIDATE, x),
             SPECTRO_ERR_WINDOW_COVERAGE, "hop_length=12 > win_length=8");
  spectro_stft_plan_destroy(plan);
  /* one frame of n_fft=8 has no samples left after removing the padding */
  spectro_stft_config_init(&cfg, 8, 4);
  cfg.center_pad_mode = SPECTRO_PAD_CONSTANT;
  CHECK_OK(spectro_stft_plan_create(&cfg, &plan));
  EXPECT_ERR(spectro_istft_natural_length(plan, 1, &natural), SPECTRO_ERR_SHAPE, "explicit length");
  spectro_stft_plan_destroy(plan);
  spectro_stft_plan_destroy(NULL);
  spectro_fft_plan_destroy(NULL);
  EXPECT_ERR(spectro_set_num_threads(-1), SPECTRO_ERR_INVALID_ARGUMENT, "num_threads");

  /* hooks see every allocation, and all of it is returned */
  spectro_allocator hooks = {counting_alloc, counting_free, NULL};
  spectro_set_allocator(&hooks);
  spectro_stft_config_init(&cfg, 1323, 441); /* Bluestein-free odd size */
  CHECK_OK(spectro_stft_plan_create(&cfg, &plan));
  CHECK(total_allocs > 0);
  CHECK_OK(spectro_stft_execute(plan, x, SPECTRO_FLOAT32, 1, 1000, out, SPECTRO_LAYOUT_BFN));
  spectro_stft_plan_destroy(plan);
  CHECK_MSG(live_allocs == 0, "%zu allocations leaked", live_allocs);
  /* every allocation failing in turn gives OUT_OF_MEMORY, never a crash
   * (the plan's own allocations: the kernel autotune's timing buffers may
   * fail without failing the plan, it then keeps its first candidate) */
  setenv("SPECTRO_AUTOTUNE", "0", 1);
  spectro_stft_config_init(&cfg, 1009 * 2, 256); /* needs Bluestein: more allocations */
  size_t needed;
  total_allocs = 0;
  CHECK_OK(spectro_stft_plan_create(&cfg, &plan));
  spectro_stft_plan_destroy(plan);
  needed = total_allocs;
  for (size_t k = 0; k < needed; ++k) {
    total_allocs = 0;
    fail_after = (int)k;
    plan = NULL;
    spectro_status st = spectro_stft_plan_create(&cfg, &plan);
    CHECK_MSG(st == SPECTRO_ERR_OUT_OF_MEMORY && plan == NULL, "failing allocation %zu -> %s", k,
              spectro_status_string(st));
    spectro_stft_plan_destroy(plan);
  }
  fail_after = -1;
  unsetenv("SPECTRO_AUTOTUNE");
  CHECK_MSG(live_allocs == 0, "%zu allocations leaked on failure paths", live_allocs);
  spectro_set_allocator(NULL);

  /* half-precision signals are CUDA-only: the CPU entry points say so */
  {
    spectro_stft_config sc;
    spectro_stft_config_init(&sc, 512, 128);
    spectro_stft_plan *sp = NULL;
    CHECK_OK(spectro_stft_plan_create(&sc, &sp));
    float sig[4096], spec_out[2 * 257 * 40];
    memset(sig, 0, sizeof sig);
    EXPECT_ERR(spectro_stft_execute(sp, sig, SPECTRO_FLOAT16, 1, 2048, spec_out, SPECTRO_LAYOUT_BFN),
               SPECTRO_ERR_DTYPE, "CUDA entry points only");
    EXPECT_ERR(spectro_stft_execute(sp, sig, SPECTRO_BFLOAT16, 1, 2048, spec_out, SPECTRO_LAYOUT_BFN),
               SPECTRO_ERR_DTYPE, "CUDA entry points only");
    EXPECT_ERR(spectro_stft_execute(sp, sig, (spectro_dtype)9, 1, 2048, spec_out, SPECTRO_LAYOUT_BFN),
               SPECTRO_ERR_DTYPE, "got 9");
    spectro_stft_plan_destroy(sp);
  }

  /* CUDA frontend entry points: every check that comes before the device */
  {
    spectro_frontend_config fc;
    spectro_frontend_config_init(&fc, 512, 128);
    fc.scale = SPECTRO_SCALE_DB;
    fc.top_db = 80.0;
    spectro_frontend_plan *fp = NULL;
    CHECK_OK(spectro_frontend_plan_create(&fc, &fp));
    size_t bytes = 1;
    float dummy[4];
    EXPECT_ERR(spectro_frontend_workspace_cuda(fp, 2, 4000, 1, NULL), SPECTRO_ERR_INVALID_ARGUMENT, "bytes");
    EXPECT_ERR(spectro_frontend_execute(fp, dummy, SPECTRO_BFLOAT16, 1, 4000, 1, dummy), SPECTRO_ERR_DTYPE,
               "CUDA entry points only");
    if (spectro_cuda_available()) {
      EXPECT_ERR(spectro_frontend_workspace_cuda(fp, 3, 4000, 2, &bytes), SPECTRO_ERR_INVALID_ARGUMENT,
                 "top_db_group");
      CHECK_OK(spectro_frontend_workspace_cuda(fp, 3, 4000, 3, &bytes));
      CHECK(bytes >= sizeof(unsigned)); /* one maximum for the packed group */
      EXPECT_ERR(spectro_frontend_execute_cuda(fp, NULL, SPECTRO_FLOAT32, 3, 4000, 3, dummy, NULL, bytes, NULL),
                 SPECTRO_ERR_INVALID_ARGUMENT, "signal or out");
      EXPECT_ERR(spectro_frontend_execute_cuda(fp, dummy, SPECTRO_FLOAT64, 3, 4000, 3, dummy, dummy, bytes, NULL),
                 SPECTRO_ERR_UNSUPPORTED, "float32");
      EXPECT_ERR(spectro_frontend_execute_cuda(fp, dummy, SPECTRO_FLOAT32, 3, 4000, 3, dummy, NULL, 0, NULL),
                 SPECTRO_ERR_INVALID_ARGUMENT, "workspace must be >=");
      EXPECT_ERR(spectro_frontend_execute_cuda(fp, dummy, SPECTRO_FLOAT32, 3, 4000, 1, dummy, (void *)(uintptr_t)256,
                                               1, NULL),
                 SPECTRO_ERR_INVALID_ARGUMENT, "workspace must be >=");
      EXPECT_ERR(spectro_frontend_execute_cuda(fp, dummy, SPECTRO_FLOAT32, 3, 4000, 3, dummy, (void *)(uintptr_t)260,
                                               bytes, NULL),
                 SPECTRO_ERR_INVALID_ARGUMENT, "256-byte aligned");
      EXPECT_ERR(spectro_frontend_execute_cuda(fp, dummy, SPECTRO_FLOAT32, -1, 4000, 1, dummy, dummy, 1, NULL),
                 SPECTRO_ERR_SHAPE, "batch");
      spectro_frontend_plan *odd = NULL;
      spectro_frontend_config_init(&fc, 441, 110);
      CHECK_OK(spectro_frontend_plan_create(&fc, &odd));
      CHECK_OK(spectro_frontend_workspace_cuda(odd, 1, 4000, 1, &bytes)); /* odd sizes take the cuFFT path */
      CHECK(bytes == 0); /* no top_db, no MFCC: no scratch */
      spectro_frontend_plan_destroy(odd);
    } else {
      EXPECT_ERR(spectro_frontend_workspace_cuda(fp, 3, 4000, 3, &bytes), SPECTRO_ERR_UNSUPPORTED, "CUDA");
      EXPECT_ERR(spectro_frontend_execute_cuda(fp, dummy, SPECTRO_FLOAT32, 3, 4000, 3, dummy, dummy, 4, NULL),
                 SPECTRO_ERR_UNSUPPORTED, "CUDA");
    }
    spectro_frontend_plan_destroy(fp);
  }

  CHECK(strcmp(spectro_version(), SPECTRO_VERSION_STRING) == 0);
  CHECK(spectro_version_number() == SPECTRO_VERSION_NUMBER);
  CHECK(strcmp(spectro_status_string(SPECTRO_ERR_SHAPE), "shape mismatch") == 0);
  return test_report("errors", failures);
}
