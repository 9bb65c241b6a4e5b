/* Non-fatal warnings, routed through a replaceable handler. */
#include "core.h"

#include <stdarg.h>
#include <stdio.h>

static void default_handler(void *user, const char *message) {
  (void)user;
  fprintf(stderr, "spectro warning: %s\n", message);
}

static spectro_warning_fn handler = default_handler;
static void *handler_user = NULL;

void spectro_set_warning_handler(spectro_warning_fn fn, void *user) {
  handler = fn;
  handler_user = user;
}

void spectro_reset_warning_handler(void) {
  handler = default_handler;
  handler_user = NULL;
}

void spectro_warn(const char *fmt, ...) {
  spectro_warning_fn fn = handler;
  if (fn == NULL) return;
  char message[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  fn(handler_user, message);
}
