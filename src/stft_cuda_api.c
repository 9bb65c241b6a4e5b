/* Public CUDA entry points: the CPU path's validation, then the CUDA
 * backend when it was built, else SPECTRO_ERR_UNSUPPORTED. */
#include "stft_plan.h"

#include "core/core.h"
#include "cuda/stft_cuda.h"

int spectro_cuda_available(void) {
#if defined(SPECTRO_HAVE_CUDA)
  return 1;
#else
  return 0;
#endif
}

const char *spectro_cuda_last_variant(void) {
#if defined(SPECTRO_HAVE_CUDA)
  return cuda_last_variant();
#else
  return "";
#endif
}

spectro_status spectro_stft_execute_cuda(const spectro_stft_plan *plan, const void *signal, spectro_dtype dtype,
                                         int64_t batch, int64_t length, void *out, spectro_layout layout,
                                         void *stream) {
  int64_t n_frames;
  spectro_status st = stft_check_forward(plan, dtype, batch, length, layout, &n_frames);
  if (st != SPECTRO_OK) return st;
#if defined(SPECTRO_HAVE_CUDA)
  RETURN_IF(dtype == SPECTRO_FLOAT64, SPECTRO_ERR_UNSUPPORTED,
            "the CUDA STFT takes float32, float16, bfloat16 or int16 signals (got float64)");
  if (batch == 0) return SPECTRO_OK;
  RETURN_IF(signal == NULL || out == NULL, SPECTRO_ERR_INVALID_ARGUMENT, "signal or out is NULL");
  return cuda_stft_forward(plan, signal, dtype, batch, length, n_frames, out, layout, stream);
#else
  (void)signal, (void)out, (void)stream;
  return spectro_error(SPECTRO_ERR_UNSUPPORTED, "spectro was built without the CUDA backend (SPECTRO_CUDA=OFF)");
#endif
}

spectro_status spectro_istft_execute_cuda(const spectro_stft_plan *plan, const void *spec, spectro_dtype dtype,
                                          int64_t batch, int64_t n_bins, int64_t n_frames, spectro_layout layout,
                                          int64_t length, unsigned flags, void *out, void *stream) {
#if defined(SPECTRO_HAVE_CUDA)
  spectro_status st = stft_check_inverse(plan, dtype, batch, n_bins, n_frames, layout, &length, flags);
  if (st != SPECTRO_OK || batch == 0 || length == 0) return st;
  RETURN_IF(dtype != SPECTRO_FLOAT32, SPECTRO_ERR_UNSUPPORTED, "the CUDA iSTFT takes complex64 spectra (got dtype %d)",
            (int)dtype);
  RETURN_IF(spec == NULL || out == NULL, SPECTRO_ERR_INVALID_ARGUMENT, "spec or out is NULL");
  return cuda_stft_inverse(plan, spec, batch, n_frames, layout, length, out, stream);
#else
  (void)plan, (void)spec, (void)dtype, (void)batch, (void)n_bins, (void)n_frames, (void)layout, (void)length;
  (void)flags, (void)out, (void)stream;
  return spectro_error(SPECTRO_ERR_UNSUPPORTED, "spectro was built without the CUDA backend (SPECTRO_CUDA=OFF)");
#endif
}
