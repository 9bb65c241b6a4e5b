/* File lists, shards and the worker pool (see batch.h). */
#include "batch.h"

#include "audio_io.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_DEPTH 64 /* guards against symbolic-link cycles */
#define BAR_WIDTH 24
#define REDRAW_NS 250000000L

/* ---------------------------------------------------------------- lists */

static int add_item(batch_list *list, const char *input, const char *rel) {
  if (list->count == list->capacity) {
    size_t grown = list->capacity ? 2 * list->capacity : 64;
    batch_item *p = realloc(list->items, grown * sizeof *p);
    if (p == NULL) return -1;
    list->items = p;
    list->capacity = grown;
  }
  batch_item *it = &list->items[list->count];
  memset(it, 0, sizeof *it);
  it->input = strdup(input);
  it->rel = strdup(rel);
  if (it->input == NULL || it->rel == NULL) {
    free(it->input);
    free(it->rel);
    return -1;
  }
  ++list->count;
  return 0;
}

static char *join_path(const char *dir, const char *name) {
  size_t n = strlen(dir);
  int slash = n > 0 && dir[n - 1] == '/';
  char *p = malloc(n + strlen(name) + 2);
  if (p) sprintf(p, "%s%s%s", dir, slash ? "" : "/", name);
  return p;
}

/* Adds the audio files below `dir`; rel_base is `dir` relative to the root. */
static int walk(batch_list *list, const char *dir, const char *rel_base, int depth) {
  DIR *d = opendir(dir);
  if (d == NULL) {
    fprintf(stderr, "spectro: %s: cannot read directory: %s\n", dir, strerror(errno));
    list->collect_failed = 1;
    return 0;
  }
  int rc = 0;
  struct dirent *e;
  while (rc == 0 && (e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue; /* ".", "..", hidden files and our own temporaries */
    char *path = join_path(dir, e->d_name);
    char *rel = rel_base[0] ? join_path(rel_base, e->d_name) : strdup(e->d_name);
    struct stat st;
    if (path == NULL || rel == NULL) rc = -1;
    else if (stat(path, &st) != 0) { /* a dangling link: not audio we could read */
    } else if (S_ISDIR(st.st_mode)) {
      if (depth < MAX_DEPTH) rc = walk(list, path, rel, depth + 1);
    } else if (S_ISREG(st.st_mode) && audio_has_extension(e->d_name)) {
      rc = add_item(list, path, rel);
    }
    free(path);
    free(rel);
  }
  closedir(d);
  return rc;
}

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

int batch_collect(const char *const *inputs, int n, batch_list *list) {
  memset(list, 0, sizeof *list);
  list->folder_mode = n > 1;
  for (int i = 0; i < n; ++i) {
    struct stat st;
    if (stat(inputs[i], &st) == 0 && S_ISDIR(st.st_mode)) {
      list->folder_mode = 1;
      size_t before = list->count;
      if (walk(list, inputs[i], "", 0) != 0) return -1;
      if (list->count == before) {
        fprintf(stderr, "spectro: %s: no audio files found (looked for .wav .flac .ogg .opus .mp3 ...)\n", inputs[i]);
        list->collect_failed = 1;
      }
    } else if (add_item(list, inputs[i], base_name(inputs[i])) != 0) { /* missing files fail later, one line each */
      return -1;
    }
  }
  return 0;
}

static int by_input(const void *a, const void *b) {
  return strcmp(((const batch_item *)a)->input, ((const batch_item *)b)->input);
}

static void free_item(batch_item *it) {
  free(it->input);
  free(it->rel);
  free(it->output);
  free(it->png);
  free(it->error);
}

/* Duplicates (a file given twice, or also found in a folder) count once;
 * the list must be sorted. */
static void drop_duplicates(batch_list *list) {
  size_t kept = 0;
  for (size_t i = 0; i < list->count; ++i) {
    if (kept > 0 && strcmp(list->items[i].input, list->items[kept - 1].input) == 0) free_item(&list->items[i]);
    else list->items[kept++] = list->items[i];
  }
  list->count = kept;
}

void batch_select_shard(batch_list *list, int index, int count) {
  if (list->count > 1) qsort(list->items, list->count, sizeof *list->items, by_input);
  drop_duplicates(list);
  size_t kept = 0;
  for (size_t i = 0; i < list->count; ++i) {
    if (i % (size_t)count == (size_t)index) list->items[kept++] = list->items[i];
    else free_item(&list->items[i]);
  }
  list->count = kept;
}

void batch_free(batch_list *list) {
  for (size_t i = 0; i < list->count; ++i) free_item(&list->items[i]);
  free(list->items);
  memset(list, 0, sizeof *list);
}

/* ---------------------------------------------------------------- running */

typedef struct run_state {
  batch_list *list;
  batch_fn fn;
  void *ctx;
  pthread_mutex_t lock; /* guards the counters and all writes to stderr */
  pthread_cond_t changed;
  size_t next, done, failed;
  double audio_seconds, start;
  int verbose, tty, bar_shown;
} run_state;

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void format_eta(double seconds, char *out, size_t cap) {
  if (!(seconds >= 0) || seconds > 1e7) {
    snprintf(out, cap, "--:--");
    return;
  }
  long s = (long)(seconds + 0.5);
  if (s >= 3600) snprintf(out, cap, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else snprintf(out, cap, "%ld:%02ld", s / 60, s % 60);
}

static void draw_bar_locked(run_state *s) {
  size_t total = s->list->count;
  double elapsed = now_seconds() - s->start;
  char bar[BAR_WIDTH + 1], eta[32];
  size_t filled = total ? s->done * BAR_WIDTH / total : BAR_WIDTH;
  for (size_t i = 0; i < BAR_WIDTH; ++i) bar[i] = i < filled ? '#' : '-';
  bar[BAR_WIDTH] = '\0';
  format_eta(s->done ? elapsed / (double)s->done * (double)(total - s->done) : -1, eta, sizeof eta);
  fprintf(stderr, "\r\033[K[%s] %zu/%zu files | %.1f audio s/s | ETA %s", bar, s->done, total,
          elapsed > 0 ? s->audio_seconds / elapsed : 0.0, eta);
  fflush(stderr);
  s->bar_shown = 1;
}

/* One line per finished file: errors always, successes when verbose and
 * not on a terminal (there the bar shows progress). */
static void report_locked(run_state *s, const batch_item *it, int ok) {
  if (s->bar_shown) fputs("\r\033[K", stderr);
  if (!ok) {
    fprintf(stderr, "spectro: %s: %s\n", it->input, it->error);
  } else if (s->verbose && !s->tty) {
    fprintf(stderr, "spectro: [%zu/%zu] %s -> %s (%.2f s of audio)\n", s->done, s->list->count, it->input,
            it->output ? it->output : it->png ? it->png : "-", it->audio_seconds);
  }
  if (s->verbose && s->tty) draw_bar_locked(s);
}

static void process(run_state *s, batch_item *it) {
  char err[1024] = "";
  int ok = it->error == NULL && s->fn(s->ctx, it, err, sizeof err) == 0;
  if (!ok && it->error == NULL) it->error = strdup(err[0] ? err : "failed");
  pthread_mutex_lock(&s->lock);
  ++s->done;
  if (ok) s->audio_seconds += it->audio_seconds;
  else ++s->failed;
  report_locked(s, it, ok);
  pthread_cond_broadcast(&s->changed);
  pthread_mutex_unlock(&s->lock);
}

static void *worker(void *arg) {
  run_state *s = arg;
  for (;;) {
    pthread_mutex_lock(&s->lock);
    size_t i = s->next < s->list->count ? s->next++ : s->list->count;
    pthread_mutex_unlock(&s->lock);
    if (i >= s->list->count) return NULL;
    process(s, &s->list->items[i]);
  }
}

/* On a terminal the bar also moves between completions (elapsed, rate). */
static void wait_with_bar(run_state *s) {
  pthread_mutex_lock(&s->lock);
  while (s->done < s->list->count) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += REDRAW_NS;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_nsec -= 1000000000L;
      until.tv_sec += 1;
    }
    pthread_cond_timedwait(&s->changed, &s->lock, &until);
    draw_bar_locked(s);
  }
  if (s->bar_shown) fputc('\n', stderr);
  pthread_mutex_unlock(&s->lock);
}

void batch_run(batch_list *list, int jobs, int verbose, batch_fn fn, void *ctx, batch_report *report) {
  run_state s = {.list = list, .fn = fn, .ctx = ctx, .verbose = verbose, .tty = isatty(STDERR_FILENO)};
  pthread_mutex_init(&s.lock, NULL);
  pthread_cond_init(&s.changed, NULL);
  s.start = now_seconds();
  size_t n = (size_t)(jobs > 0 ? jobs : 1) < list->count ? (size_t)(jobs > 0 ? jobs : 1) : list->count;
  pthread_t *threads = calloc(n ? n : 1, sizeof *threads);
  size_t started = 0;
  while (threads && started < n && pthread_create(&threads[started], NULL, worker, &s) == 0) ++started;
  if (started == 0) worker(&s); /* no threads to be had: do the work here */
  if (verbose && s.tty) wait_with_bar(&s);
  for (size_t i = 0; i < started; ++i) pthread_join(threads[i], NULL);
  free(threads);
  report->failed = s.failed;
  report->ok = s.done - s.failed;
  report->audio_seconds = s.audio_seconds;
  report->wall_seconds = now_seconds() - s.start;
  pthread_cond_destroy(&s.changed);
  pthread_mutex_destroy(&s.lock);
}
