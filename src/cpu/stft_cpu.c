/* CPU execution of the STFT plan: one frame at a time through the built-in
 * FFT.  (The fused, blocked, threaded pipeline is the CPU-speed issue.) */
#include "../stft_plan.h"

#include "../core/core.h"

#include <string.h>

#define REAL float
#define SUFFIX _f32
#define WINDOW window_f
#include "stft_cpu_impl.h"
#undef REAL
#undef SUFFIX
#undef WINDOW

#define REAL double
#define SUFFIX _f64
#define WINDOW window_d
#include "stft_cpu_impl.h"
#undef REAL
#undef SUFFIX
#undef WINDOW

/* One allocation for a call's scratch: frame buffer, spectrum, FFT scratch. */
static void *call_workspace(const spectro_stft_plan *plan, double **buf, double **spec, void **fft_scratch) {
  size_t nb = (size_t)(plan->n_fft + 8) * sizeof(double);
  size_t sb = (size_t)(2 * plan->bins + 8) * sizeof(double);
  nb = (nb + 63) & ~(size_t)63;
  sb = (sb + 63) & ~(size_t)63;
  char *ws = spectro_alloc(nb + sb + plan->fft->scratch_bytes);
  if (ws == NULL) return NULL;
  *buf = (double *)ws;
  *spec = (double *)(ws + nb);
  *fft_scratch = ws + nb + sb;
  return ws;
}

spectro_status cpu_stft_forward(const spectro_stft_plan *plan, const void *signal, spectro_dtype dtype,
                                int64_t batch, int64_t length, int64_t n_frames, void *out,
                                spectro_layout layout) {
  double *buf, *spec;
  void *scratch;
  void *ws = call_workspace(plan, &buf, &spec, &scratch);
  RETURN_IF(ws == NULL, SPECTRO_ERR_OUT_OF_MEMORY, "out of memory for STFT workspace (n_fft=%lld)",
            (long long)plan->n_fft);
  if (dtype == SPECTRO_FLOAT64)
    forward_f64(plan, signal, dtype, batch, length, n_frames, out, layout, buf, spec, scratch);
  else
    forward_f32(plan, signal, dtype, batch, length, n_frames, out, layout, (float *)buf,
                (float *)spec, scratch);
  spectro_free(ws);
  return SPECTRO_OK;
}

spectro_status cpu_stft_inverse(const spectro_stft_plan *plan, const void *spec, spectro_dtype dtype,
                                int64_t batch, int64_t n_frames, spectro_layout layout,
                                int64_t length, void *out) {
  double *buf, *frame;
  void *scratch;
  void *ws = call_workspace(plan, &frame, &buf, &scratch);
  RETURN_IF(ws == NULL, SPECTRO_ERR_OUT_OF_MEMORY, "out of memory for iSTFT workspace (n_fft=%lld)",
            (long long)plan->n_fft);
  if (dtype == SPECTRO_FLOAT64)
    inverse_f64(plan, spec, batch, n_frames, layout, length, out, buf, frame, scratch);
  else
    inverse_f32(plan, spec, batch, n_frames, layout, length, out, (float *)buf, (float *)frame,
                scratch);
  spectro_free(ws);
  return SPECTRO_OK;
}
