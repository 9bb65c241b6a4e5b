// CUDA autotune: picks, for one call, among the launch variants compiled
// for it (the STFT's frames per block, the n_fft 2048 radix-32 kernel and
// untangle forms; the iSTFT's spectrum reads), by timing each once per
// device and configuration on the call's own buffers and stream, and keeps
// the fastest (another than the built-in one only when 2% faster) in the
// plan (memo) and in the autotune JSON cache
// (src/core/autotune.h: SPECTRO_AUTOTUNE=0 turns measuring off,
// SPECTRO_AUTOTUNE_PERSIST, SPECTRO_AUTOTUNE_CACHE_PATH).  Never measures
// while the stream is being captured into a graph: a capture without a
// choice on record takes variant 0, the one the launch heuristics name
// (and measures at the next eager call).  SPECTRO_CUDA_VARIANT=name forces
// the variant of that name wherever it is a candidate (tests, triage).
// Variants agree to float32 rounding, not bit for bit (the radix-32 kernel
// factors the FFT differently): a graph captured before any eager call of
// its configuration holds the built-in variant, eager calls the timed one
// (the Python compiled callables run eagerly before they capture).
#ifndef SPECTRO_TUNE_CUDA_CUH
#define SPECTRO_TUNE_CUDA_CUH

#include "fft_smem.cuh"

extern "C" {
#include "../core/autotune.h"
}

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// A launch variant: its name in the cache and its identity bit for the memo.
struct tune_variant {
  const char *name;
  int id; // (< 16)
};

// Candidates of one call: variant 0 is the heuristics' choice.
struct tune_candidates {
  tune_variant v[4];
  int n;
  void add(const char *name, int id) {
    if (n < 4) v[n++] = tune_variant{name, id};
  }
};

// Timing runs per candidate: enough that the shortest calls (a few
// microseconds) are not judged on one launch, bounded for long ones.
static inline int tune_reps(float first_ms) {
  if (!(first_ms > 0.f)) return 3;
  const int r = (int)(2.0f / first_ms);
  return r < 3 ? 3 : r > 20 ? 20 : r;
}

// The memo's entry for key_sig (the caller holds d->tune_lock): its index,
// or -1.  A choice of -1 marks a configuration being timed by another thread.
static inline int tune_memo_find(const cuda_plan_data *d, uint64_t key_sig) {
  for (int i = 0; i < d->tune_count; ++i)
    if (d->tune_sig[i] == key_sig) return i;
  return -1;
}
// Sets the memo's choice for key_sig (adds the entry while there is room).
static inline void tune_memo_set(cuda_plan_data *d, uint64_t key_sig, int choice) {
  pthread_mutex_lock(&d->tune_lock);
  int i = tune_memo_find(d, key_sig);
  if (i < 0 && d->tune_count < TUNE_MEMO) {
    i = d->tune_count++;
    d->tune_sig[i] = key_sig;
  }
  if (i >= 0) d->tune_choice[i] = choice;
  pthread_mutex_unlock(&d->tune_lock);
}

// Holds its stream for ns nanoseconds (one thread spinning on the global
// timer): the timed runs below are queued behind it, so that short calls
// are timed on the device, not on how fast the host enqueues them.
__global__ void tune_hold_kernel(unsigned long long ns) {
  unsigned long long t0, t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t0));
  do {
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  } while (t - t0 < ns);
}

// Times each candidate of c on s (launch(i) enqueues candidate i) into
// best[i] (ms, the fastest of its runs; -1 for one that did not launch):
// a first run of each (shared-memory opt-ins, lazy module loading), a
// second of the first candidate, timed, to size the repetitions, then each
// candidate's timed runs back to back after an untimed one of its own, so
// that each meets the cache state its own repeated calls leave (not
// interleaved: a run after another variant's streaming loads, or before
// them, would be judged on that variant's cache footprint), all queued
// behind tune_hold_kernel.
// Returns 0 where the CUDA calls failed.  The thread's capture mode is
// relaxed meanwhile, so that the synchronisation does not invalidate
// another thread's capture.
template <class Launch>
static int tune_time(const tune_candidates &c, cudaStream_t s, Launch &launch, float best[4]) {
  enum { MAX_REPS = 20 };
  cudaStreamCaptureMode mode = cudaStreamCaptureModeRelaxed;
  const bool exchanged = cudaThreadExchangeStreamCaptureMode(&mode) == cudaSuccess;
  cudaEvent_t ev[4][2 * MAX_REPS] = {}, w0 = NULL, w1 = NULL; // (start, stop of each run)
  int ok = cudaEventCreate(&w0) == cudaSuccess && cudaEventCreate(&w1) == cudaSuccess, reps = 3;
  for (int i = 0; i < c.n; ++i) {
    best[i] = INFINITY;
    for (int r = 0; r < 2 * MAX_REPS && ok; ++r) ok = cudaEventCreate(&ev[i][r]) == cudaSuccess;
  }
  for (int i = 0; i < c.n && ok; ++i)
    if (launch(i) != cudaSuccess) {
      (void)cudaGetLastError();
      best[i] = -1.f; // (a variant that does not launch here is not a candidate)
    }
  if (ok && best[0] >= 0.f) {
    float ms = 0.f;
    ok = cudaEventRecord(w0, s) == cudaSuccess && launch(0) == cudaSuccess && cudaEventRecord(w1, s) == cudaSuccess &&
         cudaEventSynchronize(w1) == cudaSuccess && cudaEventElapsedTime(&ms, w0, w1) == cudaSuccess;
    reps = tune_reps(ms);
  }
  if (ok) { // (2 ms: longer than the host takes to queue 4 x 21 runs)
    tune_hold_kernel<<<1, 1, 0, s>>>(2000000ull);
    ok = cudaGetLastError() == cudaSuccess;
  }
  for (int i = 0; i < c.n && ok; ++i) {
    if (best[i] < 0.f) continue;
    ok = launch(i) == cudaSuccess;
    for (int r = 0; r < reps && ok; ++r)
      ok = cudaEventRecord(ev[i][2 * r], s) == cudaSuccess && launch(i) == cudaSuccess &&
           cudaEventRecord(ev[i][2 * r + 1], s) == cudaSuccess;
  }
  if (ok) ok = cudaStreamSynchronize(s) == cudaSuccess;
  for (int i = 0; i < c.n && ok; ++i)
    for (int r = 0; r < reps && best[i] >= 0.f; ++r) {
      float ms = 0.f;
      if (cudaEventElapsedTime(&ms, ev[i][2 * r], ev[i][2 * r + 1]) == cudaSuccess && ms < best[i]) best[i] = ms;
    }
  for (int i = 0; i < c.n; ++i)
    for (int r = 0; r < 2 * MAX_REPS; ++r)
      if (ev[i][r]) cudaEventDestroy(ev[i][r]);
  if (w0) cudaEventDestroy(w0);
  if (w1) cudaEventDestroy(w1);
  if (exchanged) (void)cudaThreadExchangeStreamCaptureMode(&mode);
  (void)cudaGetLastError();
  return ok;
}

// A cache-key-safe identifier of device's GPU: its name and compute
// capability ("NVIDIA_H200_sm90"), into out.
static inline void cuda_gpu_id(int device, char *out, size_t cap) {
  cudaDeviceProp p;
  if (cudaGetDeviceProperties(&p, device) != cudaSuccess) {
    (void)cudaGetLastError();
    snprintf(out, cap, "gpu%d", device);
    return;
  }
  size_t o = 0;
  for (const char *q = p.name; *q && o + 12 < cap; ++q) // (room for the "_smXY" suffix)
    out[o++] = ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '-') ? *q
                                                                                                               : '_';
  out[o] = '\0';
  snprintf(out + o, cap - o, "_sm%d%d", p.major, p.minor);
}

// A variant other than the built-in one (0) is taken only when it times
// this much faster: within timing noise the heuristics' choice stays.
#define TUNE_MARGIN 0.98f

// Index into c of the variant for this call; launch(i) enqueues candidate i
// on s (the whole call: every kernel of it, so runs can repeat) and returns
// its launch error.  sig: the call's configuration within the plan (the
// memo's key, under 2^48; it must fix c); what: the configuration for the cache key.
template <class Launch>
static int cuda_tune_choose(cuda_plan_data *d, uint64_t sig, const char *what, const tune_candidates &c,
                            cudaStream_t s, Launch launch) {
  if (c.n <= 1) return 0;
  const char *force = getenv("SPECTRO_CUDA_VARIANT");
  if (force && *force)
    for (int i = 0; i < c.n; ++i)
      if (strcmp(force, c.v[i].name) == 0) return i;
  if (!autotune_enabled()) return 0;
  uint64_t key_sig = sig << 16; // (sig < 2^48)
  for (int i = 0; i < c.n; ++i) key_sig |= (uint64_t)(c.v[i].id & 15) << (4 * i);
  pthread_mutex_lock(&d->tune_lock);
  int m = tune_memo_find(d, key_sig);
  const int memo = m >= 0 ? d->tune_choice[m] : -2;
  pthread_mutex_unlock(&d->tune_lock);
  if (memo != -2) return memo < 0 ? 0 : memo; // (-1: being timed by another thread: the built-in choice meanwhile)
  // the GPU's name here, not with the plan's tables: cudaGetDeviceProperties
  // is slow, and only calls with a choice to make need it
  pthread_mutex_lock(&d->tune_lock);
  if (d->gpu_id[0] == '\0') cuda_gpu_id(d->device, d->gpu_id, sizeof d->gpu_id);
  pthread_mutex_unlock(&d->tune_lock);
  char key[256], names[64] = "", value[64];
  for (int i = 0; i < c.n; ++i)
    snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? "+" : "", c.v[i].name);
  const int key_len = snprintf(key, sizeof key, "gpu=%s|%s|%s", d->gpu_id, what, names);
  const bool cached = key_len > 0 && key_len < 160; // (the cache's key limit, autotune.c; longer: the memo only)
  if (cached && autotune_lookup(key, value, sizeof value))
    for (int i = 0; i < c.n; ++i)
      if (strcmp(value, c.v[i].name) == 0) {
        tune_memo_set(d, key_sig, i);
        return i;
      }
  cudaStreamCaptureStatus cs = cudaStreamCaptureStatusNone;
  if (cudaStreamIsCapturing(s, &cs) != cudaSuccess || cs != cudaStreamCaptureStatusNone) {
    (void)cudaGetLastError();
    return 0; // (capturing, or the legacy stream while another thread captures: no timing, nothing on record)
  }
  // claim the timing (another thread's call of this configuration takes the
  // built-in choice until it is done)
  pthread_mutex_lock(&d->tune_lock);
  m = tune_memo_find(d, key_sig);
  if (m >= 0) {
    const int other = d->tune_choice[m];
    pthread_mutex_unlock(&d->tune_lock);
    return other < 0 ? 0 : other;
  }
  if (d->tune_count < TUNE_MEMO) {
    d->tune_sig[d->tune_count] = key_sig;
    d->tune_choice[d->tune_count++] = -1;
  }
  pthread_mutex_unlock(&d->tune_lock);
  float best[4];
  int choice = 0;
  if (tune_time(c, s, launch, best)) {
    int fastest = -1;
    for (int i = 0; i < c.n; ++i)
      if (best[i] >= 0.f && best[i] < INFINITY && (fastest < 0 || best[i] < best[fastest])) fastest = i;
    if (fastest >= 0) {
      choice = fastest > 0 && best[0] >= 0.f && best[0] < INFINITY && !(best[fastest] < TUNE_MARGIN * best[0])
                   ? 0
                   : fastest;
      autotune_count_measurement();
      if (cached) autotune_store(key, c.v[choice].name);
    }
  }
  tune_memo_set(d, key_sig, choice); // (after a failed timing too: the built-in choice, not timed again)
  return choice;
}

#endif
