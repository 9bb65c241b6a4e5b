/* Writing the arrays and pictures of one input file (see output.h). */
#include "output.h"

#include "npy.h"
#include "picture.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_OUTPUTS 2

static mode_t file_mode = 0644;

void output_init(void) {
  mode_t mask = umask(0);
  umask(mask);
  file_mode = 0666 & ~mask; /* what fopen would have given; mkstemp gives 0600 */
}

/* mkdir -p of the directory part of `path`. */
static int make_parent_dirs(const char *path) {
  char buf[4096];
  if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
    errno = ENAMETOOLONG;
    return -1;
  }
  for (char *p = buf + 1; *p; ++p) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
    *p = '/';
  }
  return 0;
}

typedef struct pending {
  const char *final_path;
  char temp_path[4200];
  FILE *f;
} pending;

/* A hidden temporary next to the destination: rename() within one
 * directory is atomic and never crosses file systems. */
static int open_temp(pending *p, const char *path, int make_dirs) {
  if (make_dirs && make_parent_dirs(path) != 0) return -1;
  const char *slash = strrchr(path, '/');
  int dir_len = slash ? (int)(slash - path + 1) : 0;
  if (snprintf(p->temp_path, sizeof p->temp_path, "%.*s.%s.tmp.XXXXXX", dir_len, path, path + dir_len) >=
      (int)sizeof p->temp_path) {
    errno = ENAMETOOLONG;
    return -1;
  }
  int fd = mkstemp(p->temp_path);
  if (fd < 0) return -1;
  p->final_path = path;
  p->f = fdopen(fd, "wb");
  if (p->f == NULL || fchmod(fd, file_mode) != 0) {
    int saved = errno;
    if (p->f) fclose(p->f);
    else close(fd);
    unlink(p->temp_path);
    errno = saved;
    return -1;
  }
  return 0;
}

static int write_picture(FILE *f, const cli_options *opt, const feature_output *o, char *err, size_t cap) {
  picture pic;
  if (feature_picture(opt, o, &pic, err, cap) != 0) return -1;
  int rc = picture_write_png(f, &pic, err, cap);
  feature_picture_free(&pic);
  return rc;
}

static int write_arrays(FILE *f, out_format fmt, const cli_options *opt, const feature_output *o) {
  const char *name = feature_array_name(opt->cmd);
  size_t count = (size_t)(o->channels * o->rows * o->frames) * (o->complex_values ? 2 : 1);
  npy_array main = {name, o->complex_values ? "c8" : "f4", 3, {o->channels, o->rows, o->frames, 0}, o->data,
                    count * sizeof(float)};
  if (fmt == FMT_NPY) return npy_write(f, &main);
  if (fmt == FMT_NPZ) {
    double rate = o->sample_rate;
    int64_t hop = o->hop_length;
    npy_array all[3] = {main, {"sample_rate", "f8", 0, {0}, &rate, sizeof rate},
                        {"hop_length", "i8", 0, {0}, &hop, sizeof hop}};
    return npz_write(f, all, 3);
  }
  csv_table t = {name, o->complex_values, o->data, o->channels, o->rows, o->frames,
                 (double)o->hop_length / o->sample_rate, o->time_offset};
  return csv_write(f, &t);
}

/* Fills one temporary file; returns 0 or -1 with err naming the output. */
static int fill(pending *p, out_format fmt, const cli_options *opt, const feature_output *o, char *err, size_t cap) {
  char reason[256] = "";
  int rc = fmt == FMT_PNG ? write_picture(p->f, opt, o, reason, sizeof reason) : write_arrays(p->f, fmt, opt, o);
  if (rc != 0 && fmt != FMT_PNG) snprintf(reason, sizeof reason, "%s", strerror(errno));
  if (fclose(p->f) != 0 && rc == 0) {
    snprintf(reason, sizeof reason, "%s", strerror(errno));
    rc = -1;
  }
  p->f = NULL;
  if (rc != 0) snprintf(err, cap, "cannot write %s: %s", p->final_path, reason);
  return rc;
}

static void discard(pending *ps, int n) {
  for (int i = 0; i < n; ++i) {
    if (ps[i].f) fclose(ps[i].f);
    unlink(ps[i].temp_path);
  }
}

int output_write(const cli_options *opt, const feature_output *o, const output_request *req, char *err, size_t cap) {
  pending ps[MAX_OUTPUTS];
  const char *paths[MAX_OUTPUTS] = {req->path, req->png};
  out_format fmts[MAX_OUTPUTS] = {req->format, FMT_PNG};
  int n = 0;
  for (int i = 0; i < MAX_OUTPUTS; ++i) {
    if (paths[i] == NULL) continue;
    memset(&ps[n], 0, sizeof ps[n]);
    if (open_temp(&ps[n], paths[i], req->make_dirs) != 0) {
      snprintf(err, cap, "cannot create %s: %s", paths[i], strerror(errno));
      discard(ps, n);
      return -1;
    }
    ++n;
    if (fill(&ps[n - 1], fmts[i], opt, o, err, cap) != 0) {
      discard(ps, n);
      return -1;
    }
  }
  for (int i = 0; i < n; ++i)
    if (rename(ps[i].temp_path, ps[i].final_path) != 0) {
      snprintf(err, cap, "cannot create %s: %s", ps[i].final_path, strerror(errno));
      for (int k = 0; k < i; ++k) unlink(ps[k].final_path); /* all of a file's outputs, or none */
      discard(ps + i, n - i);
      return -1;
    }
  return 0;
}
