/* Internal core services: error detail, allocation hooks, warnings. */
#ifndef SPECTRO_CORE_H
#define SPECTRO_CORE_H

#include "spectro.h"

#include <stddef.h>

/* Record the detail message for the calling thread and return `status`. */
spectro_status spectro_error(spectro_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void spectro_clear_error(void);

/* Fail the enclosing function with a status and a message naming the
 * parameter (zstd's RETURN_ERROR_IF). */
#define RETURN_IF(cond, status, ...)                                           \
  do {                                                                         \
    if (cond) return spectro_error((status), __VA_ARGS__);                     \
  } while (0)

/* Allocation through the caller's hooks.  spectro_alloc returns 64-byte
 * aligned memory or NULL; sizes that overflow return NULL. */
void *spectro_alloc(size_t size);
void *spectro_alloc_array(size_t count, size_t elem_size);
void spectro_free(void *ptr);

/* Emit a warning through the handler. */
void spectro_warn(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#endif
