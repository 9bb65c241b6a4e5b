/* The autotune cache: measured choices kept per machine and configuration
 * in a small JSON file, loaded once, written atomically (temp + rename),
 * bounded.  Environment: SPECTRO_AUTOTUNE=0 turns measuring off,
 * SPECTRO_AUTOTUNE_PERSIST=0 keeps results in memory only,
 * SPECTRO_AUTOTUNE_CACHE_PATH names the file (default
 * $XDG_CACHE_HOME/spectro/autotune.json or ~/.cache/spectro/autotune.json). */
#ifndef SPECTRO_AUTOTUNE_H
#define SPECTRO_AUTOTUNE_H

#include <stddef.h>

int autotune_enabled(void);
/* 1 and the stored value if `key` is known, else 0. */
int autotune_lookup(const char *key, char *value, size_t cap);
void autotune_store(const char *key, const char *value);
/* A short identifier of this machine's CPU for keys. */
const char *autotune_cpu_id(void);
void autotune_count_measurement(void);

#endif
