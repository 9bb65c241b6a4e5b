/* Internal parallel_for over the library's thread pool. */
#ifndef SPECTRO_THREADS_H
#define SPECTRO_THREADS_H

#include "spectro.h"

#include <stdint.h>

/* Runs task t with the id of the worker running it (0 .. workers-1). */
typedef void (*parallel_task_fn)(void *ctx, int64_t task, int worker);

/* Workers a job of `tasks` tasks and about `work` units (samples times
 * transform size) will use: at most the thread count and the task count,
 * and one per PARALLEL_MIN_WORK units, since waking a thread costs more than
 * a small job.  Size per-worker scratch with it, then pass the same number
 * to parallel_for. */
#define PARALLEL_MIN_WORK ((int64_t)1 << 17)
int parallel_workers(int64_t tasks, int64_t work);

/* Run tasks 0..tasks-1 on up to `workers` threads; returns when all are
 * done.  Allocates nothing. */
void parallel_for(int64_t tasks, int workers, parallel_task_fn fn, void *ctx);

#endif
