/* spectro: the command-line tool.
 *
 *   spectro info song.flac
 *   spectro mel song.flac -o song.mel.npy --sr 22050 --n-mels 128 --png song.png
 *   spectro mfcc speech.wav -o speech.mfcc.csv
 *   spectro stft a.wav --n-fft 2048 --hop 512 -o a.npz
 *
 * This file runs the subcommands: it decides where every output goes, then
 * hands each input file to the worker pool (batch.c), which decodes it
 * (audio_io.c), computes (features.c) and writes (output.c). */
#include "audio_io.h"
#include "batch.h"
#include "device.h"
#include "features.h"
#include "options.h"
#include "output.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_FILES_FAILED 1
#define EXIT_USAGE 2

typedef struct run_context {
  const cli_options *opt;
  feature_engine *engine;
  out_format format; /* of item->output */
  int make_dirs;
} run_context;

/* ---------------------------------------------------------------- naming */

/* `path` without its extension (a leading dot is not one). */
static char *strip_extension(const char *path) {
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  const char *dot = strrchr(base, '.');
  size_t n = (dot && dot > base) ? (size_t)(dot - path) : strlen(path);
  char *s = malloc(n + 1);
  if (s) {
    memcpy(s, path, n);
    s[n] = '\0';
  }
  return s;
}

/* dir/rel-without-extension.ext, or input-without-extension.tag.ext when dir is NULL. */
static char *output_name(const char *dir, const batch_item *it, const char *tag, const char *ext) {
  char *stem = strip_extension(dir ? it->rel : it->input);
  if (stem == NULL) return NULL;
  size_t n = (dir ? strlen(dir) : 0) + strlen(stem) + strlen(tag) + strlen(ext) + 4;
  char *s = malloc(n);
  if (s) {
    if (dir) snprintf(s, n, "%s%s%s.%s", dir, dir[0] && dir[strlen(dir) - 1] != '/' ? "/" : "", stem, ext);
    else snprintf(s, n, "%s.%s.%s", stem, tag, ext);
  }
  free(stem);
  return s;
}

static int is_existing_non_directory(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && !S_ISDIR(st.st_mode);
}


static int is_directory(const char *path) {
  struct stat st;
  return path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Single input: -o is the file (its extension tells the format). */
static int single_destinations(const cli_options *opt, batch_item *it, out_format *fmt) {
  const char *cmd = command_name(opt->cmd);
  if (opt->output) {
    *fmt = format_from_path(opt->output);
    if (*fmt != FMT_NONE && opt->format != FMT_NONE && *fmt != opt->format) {
      fprintf(stderr, "spectro %s: --format %s: disagrees with -o '%s'\n", cmd, format_extension(opt->format),
              opt->output);
      return -1;
    }
    if (*fmt == FMT_NONE) *fmt = opt->format;
    if (*fmt == FMT_NONE) {
      fprintf(stderr, "spectro %s: -o: cannot tell the output format of '%s' (use .npy, .npz, .csv or .png, or --format)\n",
              cmd, opt->output);
      return -1;
    }
    it->output = strdup(opt->output);
  } else if (opt->png == NULL) { /* nothing asked for: an array next to the input */
    *fmt = opt->format ? opt->format : FMT_NPY;
    it->output = output_name(NULL, it, cmd, format_extension(*fmt));
  }
  if (opt->png) it->png = strdup(opt->png);
  return 0;
}

/* Folder mode: -o and --png are directories mirroring the inputs. */
static int folder_destinations(const cli_options *opt, batch_list *list, out_format *fmt) {
  const char *cmd = command_name(opt->cmd);
  const char *dirs[2] = {opt->output, opt->png};
  const char *names[2] = {"-o", "--png"};
  for (int k = 0; k < 2; ++k) {
    /* "out.npy" for many inputs is a mistake, not a wish for a folder of that name */
    int looks_like_file = dirs[k] && format_from_path(dirs[k]) != FMT_NONE && !is_directory(dirs[k]);
    if (dirs[k] && (is_existing_non_directory(dirs[k]) || looks_like_file)) {
      fprintf(stderr, "spectro %s: %s: '%s' is not a directory (with several inputs or a folder, %s names a directory)\n",
              cmd, names[k], dirs[k], names[k]);
      return -1;
    }
  }
  *fmt = opt->format ? opt->format : FMT_NPY;
  for (size_t i = 0; i < list->count; ++i) {
    batch_item *it = &list->items[i];
    if (opt->output || opt->png == NULL) it->output = output_name(opt->output, it, cmd, format_extension(*fmt));
    if (opt->png) it->png = output_name(opt->png, it, cmd, "png");
  }
  return 0;
}

static int by_output(const void *a, const void *b) {
  const batch_item *x = *(batch_item *const *)a, *y = *(batch_item *const *)b;
  return strcmp(x->output ? x->output : x->png, y->output ? y->output : y->png);
}

/* Two inputs that map to one output (a.wav and a.flac in one folder) would
 * silently overwrite each other: the later one in sorted order fails. */
static void mark_collisions(batch_list *list) {
  batch_item **order = malloc(list->count * sizeof *order);
  if (order == NULL) return;
  size_t n = 0;
  for (size_t i = 0; i < list->count; ++i)
    if (list->items[i].output || list->items[i].png) order[n++] = &list->items[i];
  qsort(order, n, sizeof *order, by_output);
  for (size_t i = 1; i < n; ++i) {
    if (by_output(&order[i - 1], &order[i]) != 0) continue;
    batch_item *later = strcmp(order[i - 1]->input, order[i]->input) < 0 ? order[i] : order[i - 1];
    batch_item *first = later == order[i] ? order[i - 1] : order[i];
    char msg[1024];
    snprintf(msg, sizeof msg, "output %s would overwrite the output of %s", later->output ? later->output : later->png,
             first->input);
    if (later->error == NULL) later->error = strdup(msg);
  }
  free(order);
}

/* ---------------------------------------------------------------- work */

static int process_file(void *ctx, batch_item *it, char *err, size_t cap) {
  const run_context *rc = ctx;
  const cli_options *opt = rc->opt;
  audio_buffer a;
  if (audio_read(it->input, &a, err, cap) != 0) return -1;
  it->audio_seconds = (double)a.frames / a.sample_rate;
  if (opt->mono) audio_mix_to_mono(&a);
  int failed = opt->sample_rate > 0 &&
               audio_resample(&a, opt->sample_rate, (unsigned long)opt->resample_quality, err, cap) != 0;
  feature_output o;
  if (!failed) failed = feature_compute(rc->engine, &a, &o, err, cap) != 0;
  audio_free(&a);
  if (failed) return -1;
  output_request req = {it->output, rc->format, it->png, rc->make_dirs};
  int status = output_write(opt, &o, &req, err, cap);
  feature_output_free(&o);
  return status;
}

/* --threads, or the CPUs shared out among the parallel files. */
static int configure_threads(const cli_options *opt) {
  int n = opt->threads;
  if (n == 0 && opt->jobs > 1) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    n = cpus > opt->jobs ? (int)(cpus / opt->jobs) : 1;
  }
  if (n > 0 && spectro_set_num_threads(n) != SPECTRO_OK) {
    fprintf(stderr, "spectro %s: --threads: %s\n", command_name(opt->cmd), spectro_last_error());
    return -1;
  }
  return 0;
}

/* The plan is made before any file is read, so bad combinations of flags
 * are usage errors rather than one failure per file.  Without --sr the
 * check runs at a nominal rate high enough for --f-min / --f-max; only the
 * Nyquist limit of each file's own rate is left to the files. */
static int check_parameters(const cli_options *opt, feature_engine *engine) {
  double rate = opt->sample_rate;
  if (rate <= 0) {
    rate = 48000.0;
    if (!isnan(opt->fp.f_max) && 2 * opt->fp.f_max > rate) rate = 2 * ceil(opt->fp.f_max);
    if (2 * (opt->fp.f_min + 1) > rate) rate = 2 * (ceil(opt->fp.f_min) + 1);
  }
  char err[512];
  if (feature_engine_prepare(engine, rate, err, sizeof err) != 0) {
    fprintf(stderr, "spectro %s: invalid parameters: %s\n", command_name(opt->cmd), err);
    return -1;
  }
  if (opt->device_cuda && device_check(err, sizeof err) != 0) {
    fprintf(stderr, "spectro %s: --device cuda: %s\n", command_name(opt->cmd), err);
    return -1;
  }
  return 0;
}

static void print_summary(const batch_report *r) {
  fprintf(stderr, "spectro: %zu files: %zu ok, %zu failed; %.1f s of audio in %.2f s (%.1f audio s/s)\n",
          r->ok + r->failed, r->ok, r->failed, r->audio_seconds, r->wall_seconds,
          r->wall_seconds > 0 ? r->audio_seconds / r->wall_seconds : 0.0);
}

static int run_features(const cli_options *opt, batch_list *list) {
  if (is_directory(opt->output)) list->folder_mode = 1; /* -o an existing directory: mirror names into it */
  run_context ctx = {opt, NULL, FMT_NONE, list->folder_mode};
  int bad = list->folder_mode ? folder_destinations(opt, list, &ctx.format)
                              : (list->count ? single_destinations(opt, &list->items[0], &ctx.format) : 0);
  if (bad || configure_threads(opt) != 0) return EXIT_USAGE;
  mark_collisions(list);
  ctx.engine = feature_engine_create(opt);
  if (ctx.engine == NULL || check_parameters(opt, ctx.engine) != 0) {
    if (ctx.engine == NULL) fprintf(stderr, "spectro: out of memory\n");
    feature_engine_destroy(ctx.engine);
    return EXIT_USAGE;
  }
  output_init();
  batch_report report;
  int verbose = !opt->quiet && list->folder_mode;
  batch_run(list, opt->jobs, verbose, process_file, &ctx, &report);
  if (verbose) print_summary(&report);
  feature_engine_destroy(ctx.engine);
  return report.failed || list->collect_failed ? EXIT_FILES_FAILED : EXIT_SUCCESS;
}

/* ---------------------------------------------------------------- info */

static void print_info(const char *path, const audio_info *in) {
  printf("%s: %s, %s, %d channel%s, %d Hz", path, in->format, in->subtype, in->channels, in->channels == 1 ? "" : "s",
         in->sample_rate);
  if (in->frames >= 0)
    printf(", %lld frames, %.3f s\n", (long long)in->frames, (double)in->frames / in->sample_rate);
  else printf(", length unknown\n");
}

static int run_info(const batch_list *list) {
  int failed = list->collect_failed;
  for (size_t i = 0; i < list->count; ++i) {
    audio_info in;
    char err[512];
    if (audio_probe(list->items[i].input, &in, err, sizeof err) != 0) {
      fflush(stdout);
      fprintf(stderr, "spectro: %s: %s\n", list->items[i].input, err);
      failed = 1;
      continue;
    }
    print_info(list->items[i].input, &in);
  }
  return failed ? EXIT_FILES_FAILED : EXIT_SUCCESS;
}

int main(int argc, char **argv) {
  cli_options opt;
  int rc = options_parse(argc, argv, &opt);
  if (rc != 0) {
    options_free(&opt);
    return rc == 1 ? EXIT_SUCCESS : EXIT_USAGE;
  }
  batch_list list;
  if (batch_collect(opt.inputs, opt.n_inputs, &list) != 0) {
    fprintf(stderr, "spectro: out of memory listing the inputs\n");
    batch_free(&list);
    options_free(&opt);
    return EXIT_FILES_FAILED;
  }
  batch_select_shard(&list, opt.shard_index, opt.shard_count);
  rc = opt.cmd == CMD_INFO ? run_info(&list) : run_features(&opt, &list);
  batch_free(&list);
  options_free(&opt);
  return rc;
}
