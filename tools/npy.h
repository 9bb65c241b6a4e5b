/* Array writers: numpy .npy (format 1.0), .npz (a stored zip of .npy
 * members) and CSV.  Each writes to an open stream and returns 0, or -1
 * with errno set. */
#ifndef SPECTRO_TOOLS_NPY_H
#define SPECTRO_TOOLS_NPY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define NPY_MAX_DIMS 4

typedef struct npy_array {
  const char *name; /* npz member name, without ".npy" */
  const char *type; /* numpy type code without byte order: "f4", "c8", "f8", "i8" */
  int ndim;         /* 0 (a scalar) .. NPY_MAX_DIMS */
  int64_t shape[NPY_MAX_DIMS];
  const void *data; /* C order, host byte order */
  size_t nbytes;
} npy_array;

int npy_write(FILE *f, const npy_array *a);
int npz_write(FILE *f, const npy_array *arrays, int count);

/* A [channels][rows][frames] float32 array as one CSV row per frame:
 * channel, frame, time (seconds), then the rows as columns named
 * <prefix>_<i> (or re_<i>, im_<i> for interleaved complex values). */
typedef struct csv_table {
  const char *prefix;
  int complex_values;
  const float *data;
  int64_t channels, rows, frames;
  double frame_seconds, time_offset; /* time of frame n: time_offset + n * frame_seconds */
} csv_table;

int csv_write(FILE *f, const csv_table *t);

#endif
