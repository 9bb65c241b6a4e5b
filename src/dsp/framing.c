/* Frame counts for every framing rule of SPEC.md (torch / librosa / madmom). */
#include "dsp.h"

#include "../core/core.h"

spectro_status framing_frames(const framing *fr, int64_t length, int64_t *n_frames) {
  RETURN_IF(length < 1 || length > INT64_MAX / 16, SPECTRO_ERR_SHAPE,
            "signal length must be in [1, 2^59] (got %lld)", (long long)length);
  if (!fr->center) {
    RETURN_IF(length < fr->n_fft, SPECTRO_ERR_SHAPE,
              "signal length %lld is shorter than n_fft=%lld with center=False",
              (long long)length, (long long)fr->n_fft);
    *n_frames = 1 + (length - fr->n_fft) / fr->hop;
    return SPECTRO_OK;
  }
  if (fr->tail == SPECTRO_TAIL_MINIMAL) {
    int64_t n = (length + fr->hop - 1) / fr->hop;
    *n_frames = n < 1 ? 1 : n;
    return SPECTRO_OK;
  }
  RETURN_IF(fr->pad_mode == SPECTRO_PAD_REFLECT && length <= fr->pad_left, SPECTRO_ERR_SHAPE,
            "center_pad_mode='reflect' needs signal length > n_fft//2 (got length=%lld, "
            "n_fft=%lld, pad=%lld); use center_pad_mode='constant' or a longer signal",
            (long long)length, (long long)fr->n_fft, (long long)fr->pad_left);
  *n_frames = 1 + (length + 2 * fr->pad_left - fr->n_fft) / fr->hop;
  return SPECTRO_OK;
}
