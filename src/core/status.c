/* Status strings and the thread-local error detail. */
#include "core.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char last_error[512];

const char *spectro_status_string(spectro_status status) {
  switch (status) {
  case SPECTRO_OK: return "ok";
  case SPECTRO_ERR_INVALID_ARGUMENT: return "invalid argument";
  case SPECTRO_ERR_SHAPE: return "shape mismatch";
  case SPECTRO_ERR_DTYPE: return "unsupported dtype";
  case SPECTRO_ERR_OUT_OF_MEMORY: return "out of memory";
  case SPECTRO_ERR_WINDOW_COVERAGE: return "window coverage gap";
  case SPECTRO_ERR_UNSUPPORTED: return "unsupported";
  case SPECTRO_ERR_DEVICE: return "device error";
  case SPECTRO_ERR_INTERNAL: return "internal error";
  }
  return "unknown status";
}

const char *spectro_last_error(void) { return last_error; }

void spectro_clear_error(void) { last_error[0] = '\0'; }

spectro_status spectro_error(spectro_status status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_error, sizeof last_error, fmt, ap);
  va_end(ap);
  return status;
}

const char *spectro_version(void) { return SPECTRO_VERSION_STRING; }
int spectro_version_number(void) { return SPECTRO_VERSION_NUMBER; }
