/* Output files.  Every output of an input file is first written under a
 * temporary name in its destination directory and renamed into place only
 * when all of them succeeded, so a failure never leaves a partial file. */
#ifndef SPECTRO_TOOLS_OUTPUT_H
#define SPECTRO_TOOLS_OUTPUT_H

#include "features.h"
#include "options.h"

typedef struct output_request {
  const char *path; /* array output (or a picture when format is FMT_PNG); NULL: none */
  out_format format;
  const char *png; /* extra picture; NULL: none */
  int make_dirs;   /* create missing parent directories (folder mode) */
} output_request;

/* Call once before starting threads (reads the umask). */
void output_init(void);

/* Returns 0, or -1 with a one-line reason naming the output path in err. */
int output_write(const cli_options *opt, const feature_output *o, const output_request *req, char *err, size_t cap);

#endif
