/* Flag parsing and --help for every subcommand.  One table describes every
 * flag (name as the Python keyword with '-' for '_', which subcommands take
 * it, where it is stored, its range); parsing, validation and the help text
 * are all driven by it, so a flag cannot be documented one way and parsed
 * another. */
#include "options.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <soxr.h>

#define BIT(c) (1u << (c))
#define C_INFO BIT(CMD_INFO)
#define C_MEL (BIT(CMD_MEL) | BIT(CMD_LOGMEL))
#define C_MELS (C_MEL | BIT(CMD_MFCC))
#define C_FEAT (C_MELS | BIT(CMD_STFT))
#define C_ALL (C_FEAT | C_INFO)

typedef enum flag_kind { K_I64, K_INT, K_F64, K_F64_NONE, K_CHOICE, K_BOOL, K_STR, K_SHARD } flag_kind;

typedef struct choice {
  const char *name;
  int value;
} choice;

typedef struct flag_spec {
  const char *name;  /* without the leading "--" */
  const char *alias; /* a second long spelling, or NULL */
  char short_name;   /* one-letter form, or 0 */
  unsigned commands; /* which subcommands accept it */
  flag_kind kind;
  size_t offset; /* of the field in cli_options */
  double min;    /* numbers: lower bound (NaN: none) */
  int min_exclusive;
  const choice *choices; /* K_CHOICE, NULL-terminated */
  const char *metavar;
  const char *help;
  const char *none_text; /* shown as the default when the value means None */
} flag_spec;

#define OPT(field) offsetof(cli_options, field)
#define FP(field) (offsetof(cli_options, fp) + offsetof(feature_params, field))

static const choice windows[] = {{"hann", SPECTRO_WINDOW_HANN},   {"hamming", SPECTRO_WINDOW_HAMMING},
                                 {"blackman", SPECTRO_WINDOW_BLACKMAN}, {"rect", SPECTRO_WINDOW_RECT},
                                 {"ones", SPECTRO_WINDOW_RECT},   {"boxcar", SPECTRO_WINDOW_RECT},
                                 {NULL, 0}};
static const choice pad_modes[] = {{"reflect", SPECTRO_PAD_REFLECT}, {"constant", SPECTRO_PAD_CONSTANT}, {NULL, 0}};
static const choice tails[] = {{"symmetric", SPECTRO_TAIL_SYMMETRIC}, {"minimal", SPECTRO_TAIL_MINIMAL}, {NULL, 0}};
static const choice mel_norms[] = {{"none", SPECTRO_MEL_NORM_NONE}, {"slaney", SPECTRO_MEL_NORM_SLANEY}, {NULL, 0}};
static const choice mel_scales[] = {{"htk", SPECTRO_MEL_HTK}, {"slaney", SPECTRO_MEL_SLANEY}, {NULL, 0}};
static const choice grids[] = {{"torchaudio", SPECTRO_FREQ_GRID_TORCHAUDIO}, {"librosa", SPECTRO_FREQ_GRID_LIBROSA},
                               {NULL, 0}};
static const choice scales[] = {{"linear", SPECTRO_SCALE_LINEAR}, {"log", SPECTRO_SCALE_LOG}, {"db", SPECTRO_SCALE_DB},
                                {NULL, 0}};
static const choice log_modes[] = {{"clamp", SPECTRO_LOG_CLAMP}, {"add", SPECTRO_LOG_ADD}, {"log1p", SPECTRO_LOG_LOG1P},
                                   {NULL, 0}};
/* per_example and default are the Python aliases of mlx_native. */
static const choice modes[] = {{"mlx_native", GROUP_PER_EXAMPLE},
                               {"torchaudio_compat", GROUP_PACKED},
                               {"per_example", GROUP_PER_EXAMPLE},
                               {"default", GROUP_PER_EXAMPLE},
                               {NULL, 0}};
static const choice dct_norms[] = {{"ortho", 1}, {"none", 0}, {NULL, 0}};
static const choice devices[] = {{"cpu", 0}, {"cuda", 1}, {NULL, 0}};
static const choice formats[] = {{"npy", FMT_NPY}, {"npz", FMT_NPZ}, {"csv", FMT_CSV}, {"png", FMT_PNG}, {NULL, 0}};
static const choice qualities[] = {{"vhq", SOXR_VHQ}, {"hq", SOXR_HQ}, {NULL, 0}};

/* clang-format off */
static const flag_spec flags[] = {
  /* input, output, running */
  {"output", NULL, 'o', C_FEAT, K_STR, OPT(output), NAN, 0, NULL, "PATH",
   "output file (.npy .npz .csv .png); a directory when several inputs or a folder are given",
   "<input>.<command>.npy next to the input"},
  {"png", NULL, 0, C_FEAT, K_STR, OPT(png), NAN, 0, NULL, "PATH",
   "also draw a spectrogram picture (a directory in folder mode)", "none"},
  {"format", NULL, 0, C_FEAT, K_CHOICE, OPT(format), NAN, 0, formats, "FMT",
   "output format when -o does not tell it (folder mode, or no -o)", "from -o, else npy"},
  {"sample-rate", "sr", 0, C_FEAT, K_F64, OPT(sample_rate), 0, 1, NULL, "HZ",
   "resample to this rate (libsoxr) before analysis", "the file's rate"},
  {"mono", NULL, 0, C_FEAT, K_BOOL, OPT(mono), NAN, 0, NULL, NULL,
   "mix channels down (mean); otherwise channels are the batch axis", NULL},
  {"resample-quality", NULL, 0, C_FEAT, K_CHOICE, OPT(resample_quality), NAN, 0, qualities, "Q",
   "libsoxr quality recipe", NULL},
  {"jobs", NULL, 'j', C_FEAT, K_INT, OPT(jobs), 1, 0, NULL, "N", "files processed in parallel", NULL},
  {"shard", NULL, 0, C_ALL, K_SHARD, 0, NAN, 0, NULL, "I/N",
   "process only files whose index in the sorted list % N == I", "all files"},
  {"threads", NULL, 0, C_FEAT, K_INT, OPT(threads), 0, 0, NULL, "N",
   "library threads per call (spectro_set_num_threads; 0: CPUs / jobs)", NULL},
  {"device", NULL, 0, C_FEAT, K_CHOICE, OPT(device_cuda), NAN, 0, devices, "DEV",
   "compute device (cuda: the first visible GPU, CUDA_VISIBLE_DEVICES picks it)", NULL},
  {"quiet", NULL, 'q', C_FEAT, K_BOOL, OPT(quiet), NAN, 0, NULL, NULL,
   "no progress, log or summary lines (errors are still printed)", NULL},
  /* STFT framing: SpectralTransform / the frontends' keywords */
  {"n-fft", NULL, 0, C_FEAT, K_I64, FP(n_fft), 1, 0, NULL, "N", "FFT size", NULL},
  {"hop-length", "hop", 0, C_FEAT, K_I64, FP(hop_length), 1, 0, NULL, "N", "hop between frames, in samples",
   "win_length // 4"},
  {"win-length", NULL, 0, C_FEAT, K_I64, FP(win_length), 1, 0, NULL, "N", "window length (<= n_fft)", "n_fft"},
  {"window-fn", "window", 0, C_FEAT, K_CHOICE, FP(window_fn), NAN, 0, windows, "NAME", "analysis window", NULL},
  {"periodic", NULL, 0, C_FEAT, K_BOOL, FP(periodic), NAN, 0, NULL, NULL, "periodic (DFT-even) window", NULL},
  {"center", NULL, 0, C_FEAT, K_BOOL, FP(center), NAN, 0, NULL, NULL, "pad by n_fft/2 so frames are centred", NULL},
  {"center-pad-mode", NULL, 0, C_FEAT, K_CHOICE, FP(center_pad_mode), NAN, 0, pad_modes, "MODE",
   "padding used by --center", NULL},
  {"center-tail-pad", NULL, 0, C_FEAT, K_CHOICE, FP(center_tail_pad), NAN, 0, tails, "MODE",
   "tail rule used by --center (minimal: madmom's frame count)", NULL},
  {"normalized", NULL, 0, C_MEL | BIT(CMD_STFT), K_BOOL, FP(normalized), NAN, 0, NULL, NULL,
   "scale the STFT by 1/sqrt(n_fft)", NULL},
  /* mel filterbank and scaling: MelSpectrogramTransform / MFCCTransform */
  {"n-mels", NULL, 0, C_MELS, K_I64, FP(n_mels), 1, 0, NULL, "N", "mel bands", NULL},
  {"f-min", NULL, 0, C_MELS, K_F64, FP(f_min), 0, 0, NULL, "HZ", "lowest filterbank frequency", NULL},
  {"f-max", NULL, 0, C_MELS, K_F64_NONE, FP(f_max), 0, 1, NULL, "HZ", "highest filterbank frequency",
   "sample_rate // 2"},
  {"power", NULL, 0, C_MELS, K_F64, FP(power), 0, 1, NULL, "P", "exponent of |STFT| (2: power, 1: magnitude)",
   NULL},
  {"norm", NULL, 0, C_MELS, K_CHOICE, FP(norm), NAN, 0, mel_norms, "NORM", "filterbank normalisation", NULL},
  {"mel-scale", NULL, 0, C_MELS, K_CHOICE, FP(mel_scale), NAN, 0, mel_scales, "SCALE", "mel formula", NULL},
  {"freq-grid", NULL, 0, C_MELS, K_CHOICE, FP(freq_grid), NAN, 0, grids, "GRID",
   "STFT bin frequencies (they differ only for odd rates)", NULL},
  {"top-db", NULL, 0, C_MELS, K_F64_NONE, FP(top_db), 0, 0, NULL, "DB",
   "clip dB values below max - top_db ('none': no clipping)", "none"},
  {"mode", NULL, 0, C_MELS, K_CHOICE, FP(mode), NAN, 0, modes, "MODE",
   "top_db maximum per channel (mlx_native) or over all channels (torchaudio_compat)", NULL},
  {"output-scale", NULL, 0, BIT(CMD_MEL), K_CHOICE, FP(output_scale), NAN, 0, scales, "SCALE",
   "linear, natural log (see --log-mode) or dB", NULL},
  {"log-amin", NULL, 0, C_MEL, K_F64, FP(log_amin), NAN, 0, NULL, "X", "floor (clamp) or offset (add) of the log",
   NULL},
  {"log-mode", NULL, 0, C_MEL, K_CHOICE, FP(log_mode), NAN, 0, log_modes, "MODE",
   "clamp: log(max(x, amin)), add: log(x + amin), log1p: log1p(scale x)", NULL},
  {"log-scale", NULL, 0, C_MEL, K_F64, FP(log_scale), NAN, 0, NULL, "X", "scale inside log1p", NULL},
  /* MFCC */
  {"n-mfcc", NULL, 0, BIT(CMD_MFCC), K_I64, FP(n_mfcc), 1, 0, NULL, "N", "coefficients (<= n_mels)", NULL},
  {"lifter", NULL, 0, BIT(CMD_MFCC), K_F64, FP(lifter), 0, 0, NULL, "L", "cepstral lifter (0: none)", NULL},
  {"dct-norm", NULL, 0, BIT(CMD_MFCC), K_CHOICE, FP(dct_norm), NAN, 0, dct_norms, "NORM", "DCT-II normalisation",
   NULL},
};
/* clang-format on */
#define N_FLAGS (sizeof flags / sizeof flags[0])
#define HELP_WIDTH 100

static const char *const command_names[CMD_COUNT] = {"info", "mel", "logmel", "mfcc", "stft"};
static const char *const command_summaries[CMD_COUNT] = {
    "print format, channels, rate and duration of audio files",
    "mel spectrogram (MelSpectrogramTransform; dB by default)",
    "natural-log mel spectrogram (LogMelSpectrogramTransform)",
    "MFCC (MFCCTransform; librosa-style defaults)",
    "complex STFT, complex64 [channels, bins, frames] (SpectralTransform)",
};

const char *command_name(cli_command cmd) { return cmd < CMD_COUNT ? command_names[cmd] : "?"; }

const char *format_extension(out_format fmt) {
  switch (fmt) {
  case FMT_NPY: return "npy";
  case FMT_NPZ: return "npz";
  case FMT_CSV: return "csv";
  case FMT_PNG: return "png";
  default: return "";
  }
}

out_format format_from_path(const char *path) {
  const char *dot = strrchr(path, '.');
  const char *slash = strrchr(path, '/');
  if (dot == NULL || (slash && dot < slash)) return FMT_NONE;
  for (const choice *c = formats; c->name; ++c)
    if (strcasecmp(dot + 1, c->name) == 0) return (out_format)c->value;
  return FMT_NONE;
}

/* ---------------------------------------------------------------- defaults */

static void stft_defaults(feature_params *fp, int64_t n_fft, int64_t hop) {
  fp->n_fft = n_fft;
  fp->hop_length = hop;
  fp->win_length = 0;
  fp->window_fn = SPECTRO_WINDOW_HANN;
  fp->periodic = 1;
  fp->center = 1;
  fp->normalized = 0;
  fp->center_pad_mode = SPECTRO_PAD_REFLECT;
  fp->center_tail_pad = SPECTRO_TAIL_SYMMETRIC;
}

/* MelSpectrogramTransform's defaults (sample_rate aside: the file's rate). */
static void mel_defaults(feature_params *fp) {
  stft_defaults(fp, 2048, 240);
  fp->n_mels = 128;
  fp->f_min = 0.0;
  fp->f_max = NAN;
  fp->power = 2.0;
  fp->norm = SPECTRO_MEL_NORM_NONE;
  fp->mel_scale = SPECTRO_MEL_HTK;
  fp->freq_grid = SPECTRO_FREQ_GRID_TORCHAUDIO;
  fp->top_db = 80.0;
  fp->output_scale = SPECTRO_SCALE_DB;
  fp->log_amin = 1e-5;
  fp->log_mode = SPECTRO_LOG_CLAMP;
  fp->log_scale = 1.0;
  fp->mode = GROUP_PER_EXAMPLE;
}

/* MFCCTransform's defaults: librosa's Slaney mel, 20 coefficients, ortho DCT. */
static void mfcc_defaults(feature_params *fp) {
  mel_defaults(fp);
  fp->hop_length = 512;
  fp->norm = SPECTRO_MEL_NORM_SLANEY;
  fp->mel_scale = SPECTRO_MEL_SLANEY;
  fp->n_mfcc = 20;
  fp->lifter = 0.0;
  fp->dct_norm = 1;
}

static void set_defaults(cli_options *opt, cli_command cmd) {
  memset(opt, 0, sizeof *opt);
  opt->cmd = cmd;
  switch (cmd) {
  case CMD_MEL: mel_defaults(&opt->fp); break;
  case CMD_LOGMEL:
    mel_defaults(&opt->fp);
    opt->fp.output_scale = SPECTRO_SCALE_LOG;
    break;
  case CMD_MFCC: mfcc_defaults(&opt->fp); break;
  default: stft_defaults(&opt->fp, 2048, 0); break; /* stft: hop = win_length // 4 */
  }
  opt->resample_quality = SOXR_VHQ;
  opt->jobs = 1;
  opt->shard_count = 1;
}

/* ---------------------------------------------------------------- errors */

static void flag_error(cli_command cmd, const char *flag, const char *message) {
  fprintf(stderr, "spectro %s: %s: %s\n", command_name(cmd), flag, message);
}

static void choice_list(const choice *c, char *buf, size_t cap) {
  buf[0] = '\0';
  for (size_t used = 0; c->name; ++c) {
    int n = snprintf(buf + used, cap - used, "%s%s", used ? ", " : "", c->name);
    if (n < 0 || (size_t)n >= cap - used) break;
    used += (size_t)n;
  }
}

/* ---------------------------------------------------------------- values */

static int parse_i64(const char *s, int64_t *out) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end != '\0') return -1;
  *out = v;
  return 0;
}

static int parse_f64(const char *s, double *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || end == s || *end != '\0' || !isfinite(v)) return -1;
  *out = v;
  return 0;
}

static int below_min(const flag_spec *f, double v) {
  if (isnan(f->min)) return 0;
  return f->min_exclusive ? !(v > f->min) : !(v >= f->min);
}

static void range_error(const cli_options *opt, const flag_spec *f, const char *flag, const char *value) {
  int integer = f->kind == K_I64 || f->kind == K_INT;
  const char *what = integer ? "an integer" : "a number";
  const char *none = f->kind == K_F64_NONE ? " or 'none'" : "";
  char msg[300];
  if (isnan(f->min)) snprintf(msg, sizeof msg, "expected %s%s (got '%s')", what, none, value);
  else
    snprintf(msg, sizeof msg, "expected %s %s %g%s%s (got '%s')", what, f->min_exclusive ? ">" : ">=", f->min,
             f->kind == K_INT ? " and <= 1000000" : "", none, value);
  flag_error(opt->cmd, flag, msg);
}

static int set_number(cli_options *opt, const flag_spec *f, const char *flag, const char *value) {
  char *field = (char *)opt + f->offset;
  int integer = f->kind == K_I64 || f->kind == K_INT;
  if (f->kind == K_F64_NONE && strcasecmp(value, "none") == 0) {
    *(double *)field = NAN;
    return 0;
  }
  double v;
  int64_t iv = 0;
  int bad = integer ? parse_i64(value, &iv) : parse_f64(value, &v);
  if (integer) v = (double)iv;
  if (bad || below_min(f, v) || (f->kind == K_INT && iv > 1000000)) {
    range_error(opt, f, flag, value);
    return -1;
  }
  if (f->kind == K_I64) *(int64_t *)field = iv;
  else if (f->kind == K_INT) *(int *)field = (int)iv;
  else *(double *)field = v;
  return 0;
}

static int set_choice(cli_options *opt, const flag_spec *f, const char *flag, const char *value) {
  for (const choice *c = f->choices; c->name; ++c)
    if (strcasecmp(value, c->name) == 0) {
      *(int *)((char *)opt + f->offset) = c->value;
      return 0;
    }
  char list[256], msg[400];
  choice_list(f->choices, list, sizeof list);
  snprintf(msg, sizeof msg, "expected one of %s (got '%s')", list, value);
  flag_error(opt->cmd, flag, msg);
  return -1;
}

static int set_shard(cli_options *opt, const char *flag, const char *value) {
  int64_t i, n;
  const char *slash = strchr(value, '/');
  char head[32];
  if (slash && (size_t)(slash - value) < sizeof head) {
    memcpy(head, value, (size_t)(slash - value));
    head[slash - value] = '\0';
    if (parse_i64(head, &i) == 0 && parse_i64(slash + 1, &n) == 0 && n >= 1 && n <= 1000000 && i >= 0 && i < n) {
      opt->shard_index = (int)i;
      opt->shard_count = (int)n;
      return 0;
    }
  }
  char msg[200];
  snprintf(msg, sizeof msg, "expected I/N with 0 <= I < N, e.g. 0/4 (got '%s')", value);
  flag_error(opt->cmd, flag, msg);
  return -1;
}

static int set_value(cli_options *opt, const flag_spec *f, const char *flag, const char *value) {
  switch (f->kind) {
  case K_STR: *(const char **)((char *)opt + f->offset) = value; return 0;
  case K_CHOICE: return set_choice(opt, f, flag, value);
  case K_SHARD: return set_shard(opt, flag, value);
  default: return set_number(opt, f, flag, value);
  }
}

/* ---------------------------------------------------------------- help */

static void default_text(const cli_options *d, const flag_spec *f, char *buf, size_t cap) {
  const char *field = (const char *)d + f->offset;
  buf[0] = '\0';
  switch (f->kind) {
  case K_I64:
    if (*(const int64_t *)field == 0 && f->none_text) snprintf(buf, cap, "%s", f->none_text);
    else snprintf(buf, cap, "%lld", (long long)*(const int64_t *)field);
    break;
  case K_INT: snprintf(buf, cap, "%d", *(const int *)field); break;
  case K_F64:
  case K_F64_NONE: {
    double v = *(const double *)field;
    if (f->none_text && (isnan(v) || v == 0)) snprintf(buf, cap, "%s", f->none_text);
    else snprintf(buf, cap, "%g", v);
    break;
  }
  case K_CHOICE: {
    int v = *(const int *)field;
    const choice *c = f->choices;
    while (c->name && c->value != v) ++c;
    snprintf(buf, cap, "%s", c->name ? c->name : f->none_text ? f->none_text : "");
    break;
  }
  case K_BOOL: snprintf(buf, cap, "%s", *(const int *)field ? "on" : "off"); break;
  default: snprintf(buf, cap, "%s", f->none_text ? f->none_text : ""); break;
  }
}

/* Prints `text` from column `indent`, wrapped at HELP_WIDTH columns. */
static void print_wrapped(FILE *out, const char *text, int indent) {
  int col = indent;
  while (*text) {
    while (*text == ' ') ++text;
    size_t word = strcspn(text, " ");
    if (col > indent && col + 1 + (int)word > HELP_WIDTH) {
      fprintf(out, "\n%*s", indent, "");
      col = indent;
    }
    if (col > indent) {
      fputc(' ', out);
      ++col;
    }
    fwrite(text, 1, word, out);
    col += (int)word;
    text += word;
  }
  fputc('\n', out);
}

static void flag_usage(FILE *out, const cli_options *d, const flag_spec *f) {
  char left[96], def[96], text[640];
  if (f->kind == K_BOOL) snprintf(left, sizeof left, "--[no-]%s", f->name);
  else snprintf(left, sizeof left, "--%s %s", f->name, f->metavar);
  if (f->short_name) {
    char tmp[sizeof left];
    snprintf(tmp, sizeof tmp, "%s", left);
    snprintf(left, sizeof left, "-%c, %.80s", f->short_name, tmp);
  }
  int n = snprintf(text, sizeof text, "%s", f->help);
  if (f->alias) n += snprintf(text + n, sizeof text - (size_t)n, " (alias --%s)", f->alias);
  if (f->kind == K_CHOICE) {
    char list[256];
    choice_list(f->choices, list, sizeof list);
    n += snprintf(text + n, sizeof text - (size_t)n, "; %s", list);
  }
  default_text(d, f, def, sizeof def);
  if (def[0]) snprintf(text + n, sizeof text - (size_t)n, " [default: %s]", def);
  fprintf(out, "  %-28s ", left);
  print_wrapped(out, text, 31);
}

static void command_usage(FILE *out, cli_command cmd) {
  cli_options d;
  set_defaults(&d, cmd);
  fprintf(out, "usage: spectro %s [options] INPUT...\n\n%s.\n", command_name(cmd), command_summaries[cmd]);
  fprintf(out, "INPUT: audio files (WAV, FLAC, OGG/Vorbis, Opus, MP3, AIFF, ... through libsndfile) or\n"
               "directories, searched recursively for audio by extension.\n");
  if (cmd != CMD_INFO)
    fprintf(out, "Output: [channels, %s, frames] (%s); .npz adds sample_rate and hop_length;\n"
                 "CSV has one row per frame (channel, frame, time, then the features).\n"
                 "With several inputs or a folder, -o and --png name directories that mirror the inputs.\n",
            cmd == CMD_STFT ? "bins" : cmd == CMD_MFCC ? "n_mfcc" : "n_mels",
            cmd == CMD_STFT ? "complex64 '<c8'" : "float32 '<f4'");
  fprintf(out, "\nOptions:\n");
  for (size_t i = 0; i < N_FLAGS; ++i)
    if (flags[i].commands & BIT(cmd)) flag_usage(out, &d, &flags[i]);
  fprintf(out, "  %-28s %s\n", "-h, --help", "show this help");
}

void options_print_usage(FILE *out) {
  fprintf(out, "usage: spectro COMMAND [options] INPUT...\n\nCommands:\n");
  for (int c = 0; c < CMD_COUNT; ++c) fprintf(out, "  %-8s %s\n", command_names[c], command_summaries[c]);
  fprintf(out, "\nExamples:\n"
               "  spectro info song.flac\n"
               "  spectro mel song.flac -o song.mel.npy --sr 22050 --n-mels 128 --png song.png\n"
               "  spectro mfcc speech.wav -o speech.mfcc.csv\n"
               "  spectro stft a.wav --n-fft 2048 --hop 512 -o a.npz\n"
               "  spectro mel corpus/ -o features/ --jobs 8 --shard 0/4\n"
               "\n'spectro COMMAND --help' lists every flag with its default.\n"
               "Exit status: 0 success, 1 some file failed, 2 bad usage.\n");
}

/* ---------------------------------------------------------------- parsing */

static const flag_spec *find_flag(cli_command cmd, const char *name, size_t len, int *negated) {
  *negated = 0;
  if (len > 3 && strncmp(name, "no-", 3) == 0) {
    int dummy;
    const flag_spec *f = find_flag(cmd, name + 3, len - 3, &dummy);
    if (f && f->kind == K_BOOL) {
      *negated = 1;
      return f;
    }
  }
  for (size_t i = 0; i < N_FLAGS; ++i) {
    const flag_spec *f = &flags[i];
    if (!(f->commands & BIT(cmd))) continue;
    if ((strlen(f->name) == len && strncmp(f->name, name, len) == 0) ||
        (f->alias && strlen(f->alias) == len && strncmp(f->alias, name, len) == 0))
      return f;
  }
  return NULL;
}

static const flag_spec *find_short(cli_command cmd, char c) {
  for (size_t i = 0; i < N_FLAGS; ++i)
    if (flags[i].short_name == c && (flags[i].commands & BIT(cmd))) return &flags[i];
  return NULL;
}

/* One flag at argv[*i]; consumes its value.  Returns 0, 1 (help) or 2. */
static int parse_flag(cli_options *opt, int argc, char **argv, int *i) {
  const char *arg = argv[*i];
  if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
    command_usage(stdout, opt->cmd);
    return 1;
  }
  const flag_spec *f;
  const char *inline_value = NULL;
  int negated = 0;
  if (arg[1] != '-') {
    f = arg[2] == '\0' ? find_short(opt->cmd, arg[1]) : NULL;
  } else {
    const char *name = arg + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    inline_value = eq ? eq + 1 : NULL;
    f = find_flag(opt->cmd, name, len, &negated);
  }
  if (f == NULL) {
    fprintf(stderr, "spectro %s: unknown option '%s' (see spectro %s --help)\n", command_name(opt->cmd), arg,
            command_name(opt->cmd));
    return 2;
  }
  if (f->kind == K_BOOL) {
    if (inline_value) {
      char msg[160];
      snprintf(msg, sizeof msg, "takes no value (use --%s or --no-%s)", f->name, f->name);
      flag_error(opt->cmd, arg, msg);
      return 2;
    }
    *(int *)((char *)opt + f->offset) = !negated;
    return 0;
  }
  if (inline_value == NULL) {
    if (*i + 1 >= argc) {
      char msg[80];
      snprintf(msg, sizeof msg, "needs a value (%s)", f->metavar);
      flag_error(opt->cmd, arg, msg);
      return 2;
    }
    inline_value = argv[++*i];
  }
  return set_value(opt, f, arg, inline_value) == 0 ? 0 : 2;
}

/* Rules between flags, which the table cannot express. */
static int validate(cli_options *opt) {
  const feature_params *fp = &opt->fp;
  const char *cmd = command_name(opt->cmd);
  if (opt->n_inputs == 0) {
    fprintf(stderr, "spectro %s: no input files (see spectro %s --help)\n", cmd, cmd);
    return 2;
  }
  if (opt->device_cuda && !spectro_cuda_available()) { /* (no device at all: main.c, before any file) */
    fprintf(stderr, "spectro %s: --device cuda: this build of spectro has no CUDA backend (configure with "
                    "-DSPECTRO_CUDA=ON where nvcc and cuFFT are installed)\n", cmd);
    return 2;
  }
  if (opt->cmd == CMD_INFO) return 0;
  if (fp->win_length > fp->n_fft) {
    fprintf(stderr, "spectro %s: --win-length: must be <= n_fft=%lld (got %lld)\n", cmd, (long long)fp->n_fft,
            (long long)fp->win_length);
    return 2;
  }
  if (opt->cmd == CMD_STFT) return 0;
  if (!isnan(fp->f_max) && !(fp->f_max > fp->f_min)) {
    fprintf(stderr, "spectro %s: --f-max: must be > f_min=%g (got %g)\n", cmd, fp->f_min, fp->f_max);
    return 2;
  }
  if (opt->cmd == CMD_MFCC && fp->n_mfcc > fp->n_mels) {
    fprintf(stderr, "spectro %s: --n-mfcc: must be <= n_mels=%lld (got %lld)\n", cmd, (long long)fp->n_mels,
            (long long)fp->n_mfcc);
    return 2;
  }
  if (fp->output_scale == SPECTRO_SCALE_LOG && fp->log_mode != SPECTRO_LOG_LOG1P && !(fp->log_amin > 0)) {
    fprintf(stderr, "spectro %s: --log-amin: must be > 0 (got %g)\n", cmd, fp->log_amin);
    return 2;
  }
  return 0;
}

static int parse_command(const char *name, cli_command *cmd) {
  for (int c = 0; c < CMD_COUNT; ++c)
    if (strcmp(name, command_names[c]) == 0) {
      *cmd = (cli_command)c;
      return 0;
    }
  return -1;
}

int options_parse(int argc, char **argv, cli_options *opt) {
  memset(opt, 0, sizeof *opt);
  if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
    options_print_usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 1;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("spectro %s\n", spectro_version());
    return 1;
  }
  cli_command cmd;
  if (parse_command(argv[1], &cmd) != 0) {
    fprintf(stderr, "spectro: unknown command '%s' (expected info, mel, logmel, mfcc or stft; see spectro --help)\n",
            argv[1]);
    return 2;
  }
  set_defaults(opt, cmd);
  opt->inputs = calloc((size_t)argc, sizeof *opt->inputs);
  if (opt->inputs == NULL) {
    fprintf(stderr, "spectro: out of memory\n");
    return 2;
  }
  int only_inputs = 0;
  for (int i = 2; i < argc; ++i) {
    const char *arg = argv[i];
    if (!only_inputs && strcmp(arg, "--") == 0) {
      only_inputs = 1;
    } else if (!only_inputs && arg[0] == '-' && arg[1] != '\0') {
      int rc = parse_flag(opt, argc, argv, &i);
      if (rc != 0) return rc;
    } else {
      opt->inputs[opt->n_inputs++] = arg;
    }
  }
  return validate(opt);
}

void options_free(cli_options *opt) {
  free(opt->inputs);
  opt->inputs = NULL;
}
