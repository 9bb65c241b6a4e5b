/* Command-line options of the spectro tool: one struct for every
 * subcommand, filled from per-command defaults (the Python classes'
 * defaults) and then from the flags. */
#ifndef SPECTRO_TOOLS_OPTIONS_H
#define SPECTRO_TOOLS_OPTIONS_H

#include <spectro.h>

#include <stdint.h>
#include <stdio.h>

typedef enum cli_command { CMD_INFO, CMD_MEL, CMD_LOGMEL, CMD_MFCC, CMD_STFT, CMD_COUNT } cli_command;

typedef enum out_format { FMT_NONE = 0, FMT_NPY, FMT_NPZ, FMT_CSV, FMT_PNG } out_format;

/* How channels share the top_db maximum (the Python classes' `mode`). */
typedef enum group_mode { GROUP_PER_EXAMPLE = 0, GROUP_PACKED = 1 } group_mode;

/* Library parameters, named after the Python keywords.  Integers left at 0
 * and doubles left at NaN mean the Python default None. */
typedef struct feature_params {
  int64_t n_fft, hop_length, win_length;
  int window_fn; /* spectro_window */
  int periodic, center, normalized;
  int center_pad_mode; /* spectro_pad_mode */
  int center_tail_pad; /* spectro_tail */
  int64_t n_mels;
  double f_min, f_max; /* f_max NaN: sample_rate // 2 */
  double power;
  int norm;      /* spectro_mel_norm */
  int mel_scale; /* spectro_mel_scale */
  int freq_grid; /* spectro_freq_grid */
  double top_db; /* NaN: None */
  int output_scale; /* spectro_scale (linear, log, db) */
  int log_mode;     /* spectro_log_mode */
  double log_amin, log_scale;
  int mode; /* group_mode */
  int64_t n_mfcc;
  double lifter;
  int dct_norm; /* 1: ortho, 0: None */
} feature_params;

typedef struct cli_options {
  cli_command cmd;
  feature_params fp;
  double sample_rate;   /* --sr; 0: the file's own rate */
  int mono;             /* mix channels down instead of batching them */
  int resample_quality; /* SOXR_VHQ or SOXR_HQ */
  const char *output;   /* -o: a file, or a directory in folder mode */
  const char *png;      /* --png: a picture file, or a directory in folder mode */
  out_format format;    /* --format (FMT_NONE: from -o's extension, else npy) */
  int jobs, threads;    /* threads 0: library default (divided among jobs) */
  int shard_index, shard_count;
  int quiet;
  int device_cuda;
  const char **inputs;
  int n_inputs;
} cli_options;

/* Parse argv (argv[1] is the subcommand).  Returns 0 to run, 1 when help or
 * the version was printed (exit 0), 2 after printing one error line (exit 2). */
int options_parse(int argc, char **argv, cli_options *opt);
void options_free(cli_options *opt);
void options_print_usage(FILE *f);

const char *command_name(cli_command cmd);
/* "npy", "npz", "csv", "png"; format_from_path returns FMT_NONE for others. */
const char *format_extension(out_format fmt);
out_format format_from_path(const char *path);

#endif
