/* Audio in: any file libsndfile decodes, to float32 channel-major buffers;
 * mix-down and resampling (libsoxr). */
#ifndef SPECTRO_TOOLS_AUDIO_IO_H
#define SPECTRO_TOOLS_AUDIO_IO_H

#include <stddef.h>
#include <stdint.h>

typedef struct audio_buffer {
  float *samples; /* [channels][frames]: channel c starts at c * frames */
  int channels;
  int64_t frames;
  double sample_rate;
} audio_buffer;

typedef struct audio_info {
  int channels;
  int64_t frames; /* -1 when the container does not say */
  int sample_rate;
  char format[64], subtype[64];
} audio_info;

/* Each returns 0, or -1 with a one-line reason in err. */
int audio_probe(const char *path, audio_info *info, char *err, size_t cap);
int audio_read(const char *path, audio_buffer *out, char *err, size_t cap);
int audio_resample(audio_buffer *a, double rate, unsigned long quality, char *err, size_t cap);
void audio_mix_to_mono(audio_buffer *a);
void audio_free(audio_buffer *a);

/* Whether a file name looks like audio (used when searching directories). */
int audio_has_extension(const char *path);

#endif
