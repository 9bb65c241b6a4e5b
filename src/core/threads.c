/* The library's thread pool: a few pthreads that run parallel_for jobs.
 * The calling thread is worker 0 and always takes part.  One job runs at a
 * time; a call that finds the pool busy (another user thread is inside a
 * parallel region) runs its tasks itself, so nothing ever waits on a
 * foreign job and results never depend on who ran what (tasks are
 * independent by construction). */
#include "threads.h"

#include "core.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_THREADS 256

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER; /* guards the fields below */
static pthread_cond_t work_ready = PTHREAD_COND_INITIALIZER;
static pthread_cond_t work_done = PTHREAD_COND_INITIALIZER;
static int configured_threads = 0; /* 0: not decided yet */
static int started_threads = 0;    /* helper threads running */
static unsigned long generation = 0;
static int job_helpers = 0;  /* helpers taking part in the current job */
static int helpers_active = 0;
static parallel_task_fn job_fn;
static void *job_ctx;
static int64_t job_count;
static atomic_llong job_next;
static atomic_int pool_busy;

/* After fork() only the forking thread exists in the child: forget the
 * helpers (they are gone) and reset the locks. */
static void pool_after_fork_child(void) {
  pthread_mutex_init(&pool_lock, NULL);
  pthread_cond_init(&work_ready, NULL);
  pthread_cond_init(&work_done, NULL);
  started_threads = 0;
  helpers_active = 0;
  job_helpers = 0;
  atomic_store(&pool_busy, 0);
}

static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static void install_atfork(void) { pthread_atfork(NULL, NULL, pool_after_fork_child); }

static int default_threads(void) {
  const char *env = getenv("SPECTRO_NUM_THREADS");
  if (env && *env) {
    long v = strtol(env, NULL, 10);
    if (v >= 1) return v > MAX_THREADS ? MAX_THREADS : (int)v;
  }
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;
}

static void run_tasks(int worker) {
  for (;;) {
    int64_t t = atomic_fetch_add(&job_next, 1);
    if (t >= job_count) break;
    job_fn(job_ctx, t, worker);
  }
}

static void *helper_main(void *arg) {
  int worker = (int)(intptr_t)arg;
  unsigned long seen = 0;
  pthread_mutex_lock(&pool_lock);
  for (;;) {
    while (generation == seen || worker > job_helpers) pthread_cond_wait(&work_ready, &pool_lock);
    seen = generation;
    pthread_mutex_unlock(&pool_lock);
    run_tasks(worker);
    pthread_mutex_lock(&pool_lock);
    if (--helpers_active == 0) pthread_cond_signal(&work_done);
  }
  return NULL;
}

int spectro_get_num_threads(void) {
  pthread_mutex_lock(&pool_lock);
  if (configured_threads == 0) configured_threads = default_threads();
  int n = configured_threads;
  pthread_mutex_unlock(&pool_lock);
  return n;
}

spectro_status spectro_set_num_threads(int n) {
  RETURN_IF(n < 0 || n > MAX_THREADS, SPECTRO_ERR_INVALID_ARGUMENT, "num_threads must be in [0, %d] (got %d)",
            MAX_THREADS, n);
  pthread_mutex_lock(&pool_lock);
  configured_threads = n == 0 ? default_threads() : n;
  pthread_mutex_unlock(&pool_lock);
  return SPECTRO_OK;
}

int parallel_workers(int64_t tasks, int64_t work) {
  int64_t n = spectro_get_num_threads();
  int64_t by_work = work / PARALLEL_MIN_WORK;
  if (by_work < n) n = by_work;
  if (tasks < n) n = tasks;
  return n < 1 ? 1 : (int)n;
}

void parallel_for(int64_t tasks, int workers, parallel_task_fn fn, void *ctx) {
  int expected = 0;
  if (workers <= 1 || tasks <= 1 || !atomic_compare_exchange_strong(&pool_busy, &expected, 1)) {
    for (int64_t t = 0; t < tasks; ++t) fn(ctx, t, 0);
    return;
  }
  pthread_once(&atfork_once, install_atfork);
  pthread_mutex_lock(&pool_lock);
  /* start helper threads on first need; failure just means fewer helpers */
  while (started_threads < workers - 1) {
    pthread_t th;
    if (pthread_create(&th, NULL, helper_main, (void *)(intptr_t)(started_threads + 1)) != 0) break;
    pthread_detach(th);
    ++started_threads;
  }
  int helpers = workers - 1 < started_threads ? workers - 1 : started_threads;
  job_fn = fn;
  job_ctx = ctx;
  job_count = tasks;
  atomic_store(&job_next, 0);
  job_helpers = helpers;
  helpers_active = helpers;
  ++generation;
  pthread_cond_broadcast(&work_ready);
  pthread_mutex_unlock(&pool_lock);
  run_tasks(0);
  pthread_mutex_lock(&pool_lock);
  while (helpers_active > 0) pthread_cond_wait(&work_done, &pool_lock);
  pthread_mutex_unlock(&pool_lock);
  atomic_store(&pool_busy, 0);
}
