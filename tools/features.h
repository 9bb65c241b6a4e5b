/* From audio to arrays: builds the library plans for the chosen subcommand
 * (cached per sample rate, shared by all workers: plans are immutable and
 * may be executed by many threads at once) and runs them. */
#ifndef SPECTRO_TOOLS_FEATURES_H
#define SPECTRO_TOOLS_FEATURES_H

#include "audio_io.h"
#include "options.h"
#include "picture.h"

typedef struct feature_output {
  float *data; /* [channels][rows][frames]; STFT: interleaved complex64 */
  int complex_values;
  int64_t channels, rows, frames;
  double sample_rate;
  int64_t hop_length;
  double time_offset; /* seconds from the start of the audio to the centre of frame 0 */
} feature_output;

typedef struct feature_engine feature_engine;

feature_engine *feature_engine_create(const cli_options *opt);
void feature_engine_destroy(feature_engine *e);

/* Makes (and caches) the plan for `rate`: the early check of the flags
 * against the library.  Returns 0, or -1 with the library's message. */
int feature_engine_prepare(feature_engine *e, double rate, char *err, size_t cap);

int feature_compute(feature_engine *e, const audio_buffer *a, feature_output *out, char *err, size_t cap);
void feature_output_free(feature_output *o);

/* A library failure into err: the status and the library's message. */
void library_error(char *err, size_t cap, spectro_status st);

/* "mel", "logmel", "mfcc" or "stft": the npz member and CSV column name. */
const char *feature_array_name(cli_command cmd);

/* Display values for a picture (dB where that makes sense).  Fills *pic;
 * free the arrays it points to with feature_picture_free. */
int feature_picture(const cli_options *opt, const feature_output *o, picture *pic, char *err, size_t cap);
void feature_picture_free(picture *pic);

#endif
