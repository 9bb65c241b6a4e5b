/* The STFT of a WAV file: shape, energy, round-trip error.
 *   stft_demo [file.wav] [n_fft] [hop]
 * Reads 16-bit PCM or 32-bit float WAV (the CLI will read every format
 * through libsndfile); multi-channel files become a batch. */
#include "spectro.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t rd32(const unsigned char *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t rd16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* Returns channel-major float samples [channels][frames] or NULL. */
static float *read_wav(const char *path, int *channels, int64_t *frames, int *rate) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "stft_demo: cannot open %s\n", path);
    return NULL;
  }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *data = malloc((size_t)size);
  if (!data || fread(data, 1, (size_t)size, f) != (size_t)size || size < 12 || memcmp(data, "RIFF", 4) ||
      memcmp(data + 8, "WAVE", 4)) {
    fprintf(stderr, "stft_demo: %s is not a RIFF/WAVE file\n", path);
    fclose(f);
    free(data);
    return NULL;
  }
  fclose(f);
  int fmt = 0, bits = 0;
  const unsigned char *pcm = NULL;
  uint32_t pcm_bytes = 0;
  for (long pos = 12; pos + 8 <= size;) {
    uint32_t len = rd32(data + pos + 4);
    if (pos + 8 + (long)len > size) len = (uint32_t)(size - pos - 8);
    if (!memcmp(data + pos, "fmt ", 4) && len >= 16) {
      fmt = rd16(data + pos + 8);
      *channels = rd16(data + pos + 10);
      *rate = (int)rd32(data + pos + 12);
      bits = rd16(data + pos + 22);
    } else if (!memcmp(data + pos, "data", 4)) {
      pcm = data + pos + 8;
      pcm_bytes = len;
    }
    pos += 8 + len + (len & 1);
  }
  if (!pcm || *channels < 1 || !((fmt == 1 && bits == 16) || (fmt == 3 && bits == 32))) {
    fprintf(stderr, "stft_demo: %s: only 16-bit PCM or 32-bit float WAV here\n", path);
    free(data);
    return NULL;
  }
  int bytes = bits / 8;
  *frames = pcm_bytes / (uint32_t)(bytes * *channels);
  float *out = malloc(sizeof(float) * (size_t)(*frames * *channels));
  for (int64_t i = 0; i < *frames; ++i)
    for (int c = 0; c < *channels; ++c) {
      const unsigned char *p = pcm + (i * *channels + c) * bytes;
      float v;
      if (fmt == 1) v = (int16_t)rd16(p) / 32768.0f;
      else memcpy(&v, p, 4);
      out[c * *frames + i] = v;
    }
  free(data);
  return out;
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "examples/data/pluck.wav";
  int64_t n_fft = argc > 2 ? atoll(argv[2]) : 2048, hop = argc > 3 ? atoll(argv[3]) : 512;
  int channels = 0, rate = 0;
  int64_t T = 0;
  float *x = read_wav(path, &channels, &T, &rate);
  if (!x) return 1;

  spectro_stft_config cfg;
  spectro_stft_config_init(&cfg, n_fft, hop);
  spectro_stft_plan *plan = NULL;
  int64_t frames = 0;
  if (spectro_stft_plan_create(&cfg, &plan) != SPECTRO_OK || spectro_stft_frames(plan, T, &frames) != SPECTRO_OK) {
    fprintf(stderr, "stft_demo: %s\n", spectro_last_error());
    spectro_stft_plan_destroy(plan);
    free(x);
    return 1;
  }
  int64_t F = spectro_stft_bins(plan);
  float *spec = malloc(sizeof(float) * 2 * (size_t)(channels * F * frames));
  float *y = malloc(sizeof(float) * (size_t)(channels * T));
  spectro_status st = spectro_stft_execute(plan, x, SPECTRO_FLOAT32, channels, T, spec, SPECTRO_LAYOUT_BFN);
  if (st == SPECTRO_OK)
    st = spectro_istft_execute(plan, spec, SPECTRO_FLOAT32, channels, F, frames, SPECTRO_LAYOUT_BFN, T,
                               SPECTRO_ISTFT_VALIDATE, y);
  if (st != SPECTRO_OK) {
    fprintf(stderr, "stft_demo: %s\n", spectro_last_error());
    return 1;
  }
  double energy = 0, sig = 0, err = 0, maxerr = 0;
  for (int64_t i = 0; i < channels * F * frames; ++i)
    energy += (double)spec[2 * i] * spec[2 * i] + (double)spec[2 * i + 1] * spec[2 * i + 1];
  int64_t peak_bin = 0;
  double peak = -1;
  for (int64_t k = 0; k < F; ++k) {
    double s = 0;
    for (int64_t t = 0; t < frames; ++t) {
      const float *z = spec + 2 * (k * frames + t);
      s += (double)z[0] * z[0] + (double)z[1] * z[1];
    }
    if (s > peak) peak = s, peak_bin = k;
  }
  for (int64_t i = 0; i < channels * T; ++i) {
    double d = (double)y[i] - x[i];
    err += d * d;
    sig += (double)x[i] * x[i];
    if (fabs(d) > maxerr) maxerr = fabs(d);
  }
  printf("spectro %s: STFT of %s\n", spectro_version(), path);
  printf("  audio      %d channel(s), %lld samples, %d Hz (%.2f s)\n", channels, (long long)T, rate,
         (double)T / rate);
  printf("  plan       n_fft=%lld hop=%lld periodic hann, center reflect\n", (long long)n_fft, (long long)hop);
  printf("  spectrum   [%d, %lld, %lld] complex64 (batch, bins, frames)\n", channels, (long long)F,
         (long long)frames);
  printf("  energy     %.6g (sum |X|^2); strongest bin %lld = %.1f Hz\n", energy, (long long)peak_bin,
         (double)peak_bin * rate / n_fft);
  printf("  round trip relative L2 error %.3g, max abs error %.3g\n", sqrt(err / sig), maxerr);
  free(spec);
  free(y);
  free(x);
  spectro_stft_plan_destroy(plan);
  return 0;
}
