// Host emulation of the little of CUDA that src/cuda/fft_smem.cuh's device
// code uses, so that its register FFT runs on CPU threads: one std::thread
// per CUDA thread of a block, a std::barrier for __syncthreads.  Only for
// tests/cuda_host (the CI machines have no GPU); never part of the library.
#pragma once
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <barrier>
#include <cstring>
#include <cstddef>
#include <cstdint>
#include <cmath>
#define __host__
#define __device__
#define __forceinline__ inline
#define __global__
struct float2 { float x, y; };
struct float4 { float x, y, z, w; };
struct short2 { short x, y; };
struct int4 { int x, y, z, w; };
inline int4 make_int4(int x, int y, int z, int w) { return {x, y, z, w}; }
inline float2 make_float2(float x, float y) { return {x, y}; }
inline float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }
struct emu_dim3 { unsigned x, y, z; };
extern thread_local emu_dim3 threadIdx, blockIdx, gridDim, blockDim;
#define __launch_bounds__(...)
#define __grid_constant__
// each emulated block runs alone: one dynamic shared-memory buffer serves them in turn
extern void *emu_smem;
#define SPECTRO_DYNAMIC_SMEM(T, name) T *name = static_cast<T *>(emu_smem)
template <class A, class B> inline auto min(A a, B b) -> decltype(a + b) { return a < b ? a : b; }
template <class A, class B> inline auto max(A a, B b) -> decltype(a + b) { return a > b ? a : b; }
extern std::barrier<> *emu_barrier;
inline void __syncthreads() { emu_barrier->arrive_and_wait(); }
// __syncthreads_or: a barrier that also ORs a predicate over the block
extern std::atomic<int> emu_or_flag;
inline int __syncthreads_or(int p) {
  emu_barrier->arrive_and_wait(); // earlier readers of the flag are done
  if (threadIdx.x == 0) emu_or_flag.store(0);
  emu_barrier->arrive_and_wait();
  if (p) emu_or_flag.store(1);
  emu_barrier->arrive_and_wait();
  return emu_or_flag.load();
}
template <class T> inline T __ldg(const T *p) { return *p; }
template <class T> inline void __stcs(T *p, T v) { *p = v; }
template <class T> inline T __ldcs(const T *p) { return *p; }
// rounding-explicit arithmetic (never contracted): a fused multiply-add, a product
inline float __fmaf_rn(float a, float b, float c) { return std::fma(a, b, c); }
inline float __fmul_rn(float a, float b) { return a * b; }
#define __shared__ static // (function-local statics: one per kernel, the blocks run in turn)
// warp shuffles: lanes meet at their warp's barrier (emu.h sets them up per block)
extern float *emu_shfl_slots;
extern std::barrier<> **emu_warp_barriers;
inline float __shfl_xor_sync(unsigned, float v, int lane_mask) {
  const unsigned t = threadIdx.x;
  emu_shfl_slots[t] = v;
  emu_warp_barriers[t >> 5]->arrive_and_wait();
  const unsigned src = (t & ~31u) | ((t & 31u) ^ (unsigned)lane_mask);
  if (src >= blockDim.x) { // a lane past the block's last thread: undefined on the GPU
    fprintf(stderr, "emulation: thread %u shuffles from lane %u of a %u-thread block\n", t, src, blockDim.x);
    abort();
  }
  const float r = emu_shfl_slots[src];
  emu_warp_barriers[t >> 5]->arrive_and_wait();
  return r;
}
inline float __shfl_sync(unsigned, float v, int src_lane) { // (as __shfl_xor_sync: lane src_lane's v)
  const unsigned t = threadIdx.x;
  return __shfl_xor_sync(0xffffffffu, v, (int)((t & 31u) ^ ((unsigned)src_lane & 31u)));
}
inline unsigned atomicMax(unsigned *a, unsigned v) {
  std::atomic_ref<unsigned> r(*a);
  unsigned old = r.load();
  while (old < v && !r.compare_exchange_weak(old, v)) {
  }
  return old;
}
inline float atomicAdd(float *a, float v) { return std::atomic_ref<float>(*a).fetch_add(v); }
inline unsigned __float_as_uint(float f) {
  unsigned u;
  std::memcpy(&u, &f, 4);
  return u;
}
inline float __uint_as_float(unsigned u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
typedef int cudaError_t;
typedef void *cudaStream_t;
enum { cudaSuccess = 0, cudaErrorInvalidValue = 1, cudaErrorMemoryAllocation = 2 };
inline cudaError_t cudaGetDevice(int *d) { *d = 0; return cudaSuccess; }
inline cudaError_t cudaSetDevice(int) { return cudaSuccess; }
// host memory stands in for device memory (the headers' upload())
enum cudaMemcpyKind { cudaMemcpyHostToDevice = 1 };
template <class T> inline cudaError_t cudaMalloc(T **p, size_t bytes) {
  *p = static_cast<T *>(std::malloc(bytes));
  return *p ? cudaSuccess : cudaErrorMemoryAllocation;
}
inline cudaError_t cudaMemcpy(void *dst, const void *src, size_t bytes, cudaMemcpyKind) {
  std::memcpy(dst, src, bytes);
  return cudaSuccess;
}
