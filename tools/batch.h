/* Lists of input files (directories searched recursively), deterministic
 * shards, and a pool of worker threads with progress reporting. */
#ifndef SPECTRO_TOOLS_BATCH_H
#define SPECTRO_TOOLS_BATCH_H

#include <stddef.h>

typedef struct batch_item {
  char *input;  /* path to read */
  char *rel;    /* path below the directory it was found in (its file name for direct inputs) */
  char *output; /* destinations, filled in by the caller; NULL: none */
  char *png;
  char *error;  /* why the item failed, or NULL */
  double audio_seconds;
} batch_item;

typedef struct batch_list {
  batch_item *items;
  size_t count, capacity;
  int folder_mode; /* a directory or several inputs: -o names a directory */
  int collect_failed; /* a directory could not be read or held no audio */
} batch_list;

/* Expands directories (audio by extension, hidden entries skipped).  Paths
 * that do not exist stay in the list and fail when processed.  Problems
 * with directories are printed at once.  Returns -1 only when out of memory. */
int batch_collect(const char *const *inputs, int n, batch_list *list);

/* Sorts by path, drops duplicates, keeps the items whose index % count == index. */
void batch_select_shard(batch_list *list, int index, int count);

void batch_free(batch_list *list);

/* Processes one item; returns 0, or -1 with a one-line reason in err. */
typedef int (*batch_fn)(void *ctx, batch_item *item, char *err, size_t cap);

typedef struct batch_report {
  size_t ok, failed;
  double audio_seconds, wall_seconds;
} batch_report;

/* Runs fn over the list on `jobs` threads.  Every failure is printed as one
 * line naming the input; with `verbose`, stderr also gets a progress bar
 * (on a terminal) or one log line per file, and a summary. */
void batch_run(batch_list *list, int jobs, int verbose, batch_fn fn, void *ctx, batch_report *report);

#endif
