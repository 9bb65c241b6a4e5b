/* Internal parallel_for over the library's thread pool. */
#ifndef SPECTRO_THREADS_H
#define SPECTRO_THREADS_H

#include "spectro.h"

#include <stdint.h>

/* Runs task t with the id of the worker running it (0 .. workers-1). */
typedef void (*parallel_task_fn)(void *ctx, int64_t task, int worker);

/* Workers a job of `tasks` tasks will use: min(tasks, thread count). Size
 * per-worker scratch with it, then pass the same number to parallel_for. */
int parallel_workers(int64_t tasks);

/* Run tasks 0..tasks-1 on up to `workers` threads; returns when all are
 * done.  Allocates nothing. */
void parallel_for(int64_t tasks, int workers, parallel_task_fn fn, void *ctx);

#endif
