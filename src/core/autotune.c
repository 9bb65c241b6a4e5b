/* Autotune cache (see autotune.h).  The file format is the JSON this code
 * writes: {"version": 1, "entries": {"key": "value", ...}}; a file that does
 * not parse is ignored (and replaced on the next store). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "autotune.h"

#include "spectro.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ENTRIES 512
#define KEY_MAX 160
#define VALUE_MAX 64

typedef struct entry {
  char key[KEY_MAX];
  char value[VALUE_MAX];
} entry;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static entry *entries; /* MAX_ENTRIES, allocated on first use */
static int count, next_evict, loaded;
static long long stat_hits, stat_misses, stat_measurements;

static int env_flag(const char *name, int fallback) {
  const char *v = getenv(name);
  if (v == NULL || *v == '\0') return fallback;
  return !(strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0 || strcasecmp(v, "off") == 0);
}

int autotune_enabled(void) { return env_flag("SPECTRO_AUTOTUNE", 1); }

static int cache_path(char *out, size_t cap) {
  const char *p = getenv("SPECTRO_AUTOTUNE_CACHE_PATH");
  if (p && *p) return snprintf(out, cap, "%s", p) < (int)cap;
  const char *xdg = getenv("XDG_CACHE_HOME");
  if (xdg && *xdg) return snprintf(out, cap, "%s/spectro/autotune.json", xdg) < (int)cap;
  const char *home = getenv("HOME");
  if (home && *home) return snprintf(out, cap, "%s/.cache/spectro/autotune.json", home) < (int)cap;
  return 0;
}

static int safe_token(const char *s) {
  if (*s == '\0') return 0;
  for (; *s; ++s)
    if (!(isalnum((unsigned char)*s) || strchr("_.:|=-+ ", *s))) return 0;
  return 1;
}

static void put_locked(const char *key, const char *value) {
  for (int i = 0; i < count; ++i)
    if (strcmp(entries[i].key, key) == 0) {
      snprintf(entries[i].value, VALUE_MAX, "%s", value);
      return;
    }
  int slot = count < MAX_ENTRIES ? count++ : next_evict++ % MAX_ENTRIES;
  snprintf(entries[slot].key, KEY_MAX, "%s", key);
  snprintf(entries[slot].value, VALUE_MAX, "%s", value);
}

/* Reads "key": "value" pairs from the entries object. */
static void load_locked(void) {
  loaded = 1;
  if (!env_flag("SPECTRO_AUTOTUNE_PERSIST", 1)) return;
  char path[1024];
  if (!cache_path(path, sizeof path)) return;
  FILE *f = fopen(path, "r");
  if (!f) return;
  char line[512];
  while (fgets(line, sizeof line, f)) {
    char key[KEY_MAX], value[VALUE_MAX];
    if (sscanf(line, " \"%159[^\"]\" : \"%63[^\"]\"", key, value) == 2 && safe_token(key) && safe_token(value) &&
        strcmp(key, "version") != 0)
      put_locked(key, value);
  }
  fclose(f);
}

static int ensure_locked(void) {
  if (entries == NULL) {
    entries = calloc(MAX_ENTRIES, sizeof *entries);
    if (entries == NULL) return 0;
  }
  if (!loaded) load_locked();
  return 1;
}

int autotune_lookup(const char *key, char *value, size_t cap) {
  int found = 0;
  pthread_mutex_lock(&lock);
  if (ensure_locked())
    for (int i = 0; i < count; ++i)
      if (strcmp(entries[i].key, key) == 0) {
        snprintf(value, cap, "%s", entries[i].value);
        found = 1;
        break;
      }
  if (found) ++stat_hits;
  else ++stat_misses;
  pthread_mutex_unlock(&lock);
  return found;
}

static void mkdirs(const char *path) {
  char dir[1024];
  snprintf(dir, sizeof dir, "%s", path);
  for (char *p = dir + 1; *p; ++p)
    if (*p == '/') {
      *p = '\0';
      mkdir(dir, 0755);
      *p = '/';
    }
}

static void persist_locked(void) {
  if (!env_flag("SPECTRO_AUTOTUNE_PERSIST", 1)) return;
  char path[1024], tmp[1100];
  if (!cache_path(path, sizeof path)) return;
  mkdirs(path);
  snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
  FILE *f = fopen(tmp, "w");
  if (!f) return; /* a read-only cache directory only costs re-measuring */
  fprintf(f, "{\n\"version\": \"1\",\n\"entries\": {\n");
  for (int i = 0; i < count; ++i)
    fprintf(f, "\"%s\": \"%s\"%s\n", entries[i].key, entries[i].value, i + 1 < count ? "," : "");
  fprintf(f, "}\n}\n");
  if (fclose(f) != 0 || rename(tmp, path) != 0) unlink(tmp);
}

void autotune_store(const char *key, const char *value) {
  if (!safe_token(key) || !safe_token(value)) return;
  pthread_mutex_lock(&lock);
  if (ensure_locked()) {
    put_locked(key, value);
    persist_locked();
  }
  pthread_mutex_unlock(&lock);
}

void autotune_count_measurement(void) {
  pthread_mutex_lock(&lock);
  ++stat_measurements;
  pthread_mutex_unlock(&lock);
}

static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;
static char cpu_id[96] = "cpu";

static void read_cpu_id(void) {
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f) return;
  char line[512];
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "model name", 10) == 0 || strncmp(line, "CPU part", 8) == 0) {
      char *c = strchr(line, ':');
      if (!c) break;
      size_t o = 0;
      for (c += 1; *c && o + 1 < sizeof cpu_id; ++c)
        if (isalnum((unsigned char)*c) || *c == '-' || *c == '.') cpu_id[o++] = *c;
        else if (o > 0 && cpu_id[o - 1] != '_' && *c != '\n') cpu_id[o++] = '_';
      cpu_id[o] = '\0';
      break;
    }
  }
  fclose(f);
}

const char *autotune_cpu_id(void) {
  pthread_once(&cpu_once, read_cpu_id);
  return cpu_id;
}

void spectro_cache_stats(long long *autotune_hits, long long *autotune_misses, long long *autotune_measurements) {
  pthread_mutex_lock(&lock);
  if (autotune_hits) *autotune_hits = stat_hits;
  if (autotune_misses) *autotune_misses = stat_misses;
  if (autotune_measurements) *autotune_measurements = stat_measurements;
  pthread_mutex_unlock(&lock);
}

void spectro_reset_cache_stats(void) {
  pthread_mutex_lock(&lock);
  stat_hits = stat_misses = stat_measurements = 0;
  pthread_mutex_unlock(&lock);
}
