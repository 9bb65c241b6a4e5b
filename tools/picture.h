/* Spectrogram pictures: a colour-mapped panel per channel with time and
 * frequency axes, written as PNG through libpng. */
#ifndef SPECTRO_TOOLS_PICTURE_H
#define SPECTRO_TOOLS_PICTURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct picture {
  const float *values; /* [channels][rows][frames], display units (dB, or raw) */
  int64_t channels, rows, frames;
  double vmin, vmax; /* colour range; values outside are clipped */
  double frame_seconds, time_offset; /* centre of frame n: time_offset + n * frame_seconds */
  const double *row_hz;              /* [rows] centre frequency of each row; NULL: rows are indices */
  const char *row_label;             /* drawn above the vertical axis, e.g. "Hz" */
  const char *value_label;           /* drawn above the colour bar, e.g. "dB" */
} picture;

/* Returns 0, or -1 with a one-line reason in err. */
int picture_write_png(FILE *f, const picture *p, char *err, size_t cap);

#endif
