// Host emulation of the little of CUDA that src/cuda/fft_smem.cuh's device
// code uses, so that its register FFT runs on CPU threads: one std::thread
// per CUDA thread of a block, a std::barrier for __syncthreads.  Only for
// tests/cuda_host (the CI machines have no GPU); never part of the library.
#pragma once
#include <barrier>
#include <cstddef>
#include <cstdint>
#define __host__
#define __device__
#define __forceinline__ inline
#define __global__
struct float2 { float x, y; };
struct float4 { float x, y, z, w; };
struct short2 { short x, y; };
inline float2 make_float2(float x, float y) { return {x, y}; }
inline float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }
struct emu_dim3 { unsigned x, y, z; };
extern thread_local emu_dim3 threadIdx, blockIdx, gridDim;
#define __launch_bounds__(...)
// each emulated block runs alone: one dynamic shared-memory buffer serves them in turn
extern void *emu_smem;
#define SPECTRO_DYNAMIC_SMEM(T, name) T *name = static_cast<T *>(emu_smem)
template <class A, class B> inline auto min(A a, B b) -> decltype(a + b) { return a < b ? a : b; }
template <class A, class B> inline auto max(A a, B b) -> decltype(a + b) { return a > b ? a : b; }
extern std::barrier<> *emu_barrier;
inline void __syncthreads() { emu_barrier->arrive_and_wait(); }
template <class T> inline T __ldg(const T *p) { return *p; }
typedef int cudaError_t;
typedef void *cudaStream_t;
enum { cudaSuccess = 0, cudaErrorInvalidValue = 1 };
inline cudaError_t cudaGetDevice(int *d) { *d = 0; return cudaSuccess; }
inline cudaError_t cudaSetDevice(int) { return cudaSuccess; }
