/* Decoding through libsndfile and resampling through libsoxr.  Samples are
 * read with sf_readf_float, the call python-soundfile uses for
 * dtype='float32', so integer formats are scaled exactly as there (by
 * 1/2^(bits-1)) and float formats pass through unchanged. */
#include "audio_io.h"

#include <errno.h>
#include <sndfile.h>
#include <soxr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define READ_CHUNK 65536

/* libsndfile messages sometimes end in a newline or a full stop; the tool
 * prints one line per error. */
static void copy_message(char *err, size_t cap, const char *prefix, const char *msg) {
  snprintf(err, cap, "%s%s", prefix, msg);
  for (char *p = err; *p; ++p)
    if (*p == '\n' || *p == '\r') *p = ' ';
  size_t n = strlen(err);
  while (n > 0 && (err[n - 1] == ' ' || err[n - 1] == '.')) err[--n] = '\0';
}

/* A clear reason for paths that are not there or not files, before
 * libsndfile words it less clearly. */
static int check_path(const char *path, char *err, size_t cap) {
  struct stat st;
  if (stat(path, &st) != 0) {
    copy_message(err, cap, "cannot open: ", strerror(errno));
    return -1;
  }
  if (S_ISDIR(st.st_mode)) {
    copy_message(err, cap, "cannot open: ", "is a directory");
    return -1;
  }
  if (st.st_size == 0) {
    copy_message(err, cap, "cannot decode: ", "empty file (0 bytes)");
    return -1;
  }
  return 0;
}

static SNDFILE *open_sound(const char *path, SF_INFO *info, char *err, size_t cap) {
  if (check_path(path, err, cap) != 0) return NULL;
  memset(info, 0, sizeof *info);
  SNDFILE *f = sf_open(path, SFM_READ, info);
  if (f == NULL) {
    copy_message(err, cap, "cannot decode: ", sf_strerror(NULL));
    return NULL;
  }
  if (info->channels < 1 || info->samplerate < 1) {
    copy_message(err, cap, "cannot decode: ", "no channels or no sample rate in the header");
    sf_close(f);
    return NULL;
  }
  return f;
}

static void format_name(int format, int command, char *out, size_t cap) {
  SF_FORMAT_INFO fi = {.format = format};
  if (sf_command(NULL, command, &fi, sizeof fi) == 0 && fi.name) snprintf(out, cap, "%s", fi.name);
  else snprintf(out, cap, "0x%x", format);
}

int audio_probe(const char *path, audio_info *info, char *err, size_t cap) {
  SF_INFO sfi;
  SNDFILE *f = open_sound(path, &sfi, err, cap);
  if (f == NULL) return -1;
  info->channels = sfi.channels;
  info->sample_rate = sfi.samplerate;
  info->frames = (sfi.frames > 0 && sfi.frames < SF_COUNT_MAX) ? (int64_t)sfi.frames : -1;
  format_name(sfi.format & SF_FORMAT_TYPEMASK, SFC_GET_FORMAT_INFO, info->format, sizeof info->format);
  format_name(sfi.format & SF_FORMAT_SUBMASK, SFC_GET_FORMAT_INFO, info->subtype, sizeof info->subtype);
  sf_close(f);
  return 0;
}

/* Interleaved samples of the whole file; the frame count in the header is
 * only a hint (MP3 and truncated files disagree with it). */
static float *read_interleaved(SNDFILE *f, const SF_INFO *info, int64_t *frames, char *err, size_t cap) {
  size_t ch = (size_t)info->channels;
  size_t capacity = (info->frames > 0 && info->frames < ((sf_count_t)1 << 34)) ? (size_t)info->frames + 1 : READ_CHUNK;
  size_t used = 0;
  float *buf = malloc(capacity * ch * sizeof *buf);
  for (;;) {
    if (buf != NULL && used == capacity) {
      float *grown = realloc(buf, (capacity * 2) * ch * sizeof *buf);
      if (grown == NULL) free(buf);
      buf = grown;
      capacity *= 2;
    }
    if (buf == NULL) {
      copy_message(err, cap, "", "out of memory reading the audio");
      return NULL;
    }
    sf_count_t want = (sf_count_t)(capacity - used);
    sf_count_t got = sf_readf_float(f, buf + used * ch, want);
    if (got <= 0) break;
    used += (size_t)got;
  }
  if (sf_error(f) != SF_ERR_NO_ERROR) {
    copy_message(err, cap, "cannot decode: ", sf_strerror(f));
    free(buf);
    return NULL;
  }
  *frames = (int64_t)used;
  return buf;
}

int audio_read(const char *path, audio_buffer *out, char *err, size_t cap) {
  memset(out, 0, sizeof *out);
  SF_INFO info;
  SNDFILE *f = open_sound(path, &info, err, cap);
  if (f == NULL) return -1;
  int64_t frames = 0;
  float *inter = read_interleaved(f, &info, &frames, err, cap);
  sf_close(f);
  if (inter == NULL) return -1;
  if (frames == 0) {
    free(inter);
    copy_message(err, cap, "", "no audio samples (0 frames)");
    return -1;
  }
  int ch = info.channels;
  float *planar = malloc((size_t)frames * (size_t)ch * sizeof *planar);
  if (planar == NULL) {
    free(inter);
    copy_message(err, cap, "", "out of memory reading the audio");
    return -1;
  }
  size_t n = (size_t)frames;
  for (size_t c = 0; c < (size_t)ch; ++c)
    for (size_t t = 0; t < n; ++t) planar[c * n + t] = inter[t * (size_t)ch + c];
  free(inter);
  out->samples = planar;
  out->channels = ch;
  out->frames = frames;
  out->sample_rate = info.samplerate;
  return 0;
}

/* The mean over channels, summed in channel order and divided once, the
 * way numpy's x.mean(axis=0) does it for float32 [channels, frames]. */
void audio_mix_to_mono(audio_buffer *a) {
  if (a->channels <= 1) return;
  float *s = a->samples;
  for (int64_t t = 0; t < a->frames; ++t) {
    float acc = s[t];
    for (int c = 1; c < a->channels; ++c) acc += s[(size_t)c * (size_t)a->frames + (size_t)t];
    s[t] = acc / (float)a->channels;
  }
  a->channels = 1;
}

int audio_resample(audio_buffer *a, double rate, unsigned long quality, char *err, size_t cap) {
  if (rate == a->sample_rate) return 0;
  double out_len = (double)a->frames * rate / a->sample_rate;
  size_t olen = (size_t)(out_len + 0.5);
  if (olen == 0) {
    copy_message(err, cap, "", "too short to resample (0 frames at the new rate)");
    return -1;
  }
  int ch = a->channels;
  float *out = malloc(olen * (size_t)ch * sizeof *out);
  const float **in_ptrs = malloc((size_t)ch * sizeof *in_ptrs);
  float **out_ptrs = malloc((size_t)ch * sizeof *out_ptrs);
  if (out == NULL || in_ptrs == NULL || out_ptrs == NULL) {
    free(out);
    free(in_ptrs);
    free(out_ptrs);
    copy_message(err, cap, "", "out of memory resampling");
    return -1;
  }
  for (int c = 0; c < ch; ++c) {
    in_ptrs[c] = a->samples + (size_t)c * (size_t)a->frames;
    out_ptrs[c] = out + (size_t)c * olen;
  }
  /* split (channel-major) float32 in and out: no interleaving copies */
  soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_S, SOXR_FLOAT32_S);
  soxr_quality_spec_t q = soxr_quality_spec(quality, 0);
  size_t odone = 0;
  soxr_error_t e = soxr_oneshot(a->sample_rate, rate, (unsigned)ch, in_ptrs, (size_t)a->frames, NULL, out_ptrs, olen,
                                &odone, &io, &q, NULL);
  free(in_ptrs);
  free(out_ptrs);
  if (e != NULL || odone == 0) {
    free(out);
    copy_message(err, cap, "resampling failed: ", e ? e : "no output");
    return -1;
  }
  if (odone < olen) /* keep channel-major packing for the shorter length */
    for (int c = 1; c < ch; ++c) memmove(out + (size_t)c * odone, out + (size_t)c * olen, odone * sizeof *out);
  free(a->samples);
  a->samples = out;
  a->frames = (int64_t)odone;
  a->sample_rate = rate;
  return 0;
}

void audio_free(audio_buffer *a) {
  free(a->samples);
  memset(a, 0, sizeof *a);
}

int audio_has_extension(const char *path) {
  static const char *const exts[] = {"wav", "wave", "flac", "ogg", "oga", "opus", "mp3", "aif", "aiff",
                                     "aifc", "au", "snd", "caf", "w64", "rf64", "voc", NULL};
  const char *dot = strrchr(path, '.');
  const char *slash = strrchr(path, '/');
  if (dot == NULL || (slash && dot < slash)) return 0;
  for (int i = 0; exts[i]; ++i)
    if (strcasecmp(dot + 1, exts[i]) == 0) return 1;
  return 0;
}
