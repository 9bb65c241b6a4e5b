/* Signal-processing building blocks shared by every frontend: windows and
 * the framing/padding rules. */
#ifndef SPECTRO_DSP_H
#define SPECTRO_DSP_H

#include "spectro.h"

#include <stdint.h>
#include <string.h>

/* Fill out[0..length) with a named window (torch/scipy formulas, double
 * precision).  periodic = 1 gives the DFT-even window of length `length`
 * (the symmetric window of length+1 without its last sample). */
void window_fill(spectro_window type, int periodic, int64_t length, double *out);

/* Framing of one signal under a plan's rule. */
typedef struct framing {
  int64_t n_fft, hop;
  int64_t pad_left;   /* samples of padding before the signal */
  int center;
  spectro_pad_mode pad_mode;
  spectro_tail tail;
} framing;

/* Frames for a signal of `length` samples; SPECTRO_OK or a status with the
 * detail message naming the sizes. */
spectro_status framing_frames(const framing *fr, int64_t length, int64_t *n_frames);

/* Index of the signal sample read at padded position `pos - pad_left` under
 * reflect padding, valid for length > pad_left. */
static inline int64_t reflect_index(int64_t i, int64_t length) {
  if (i < 0) i = -i;
  if (i >= length) i = 2 * (length - 1) - i;
  return i;
}

#endif
