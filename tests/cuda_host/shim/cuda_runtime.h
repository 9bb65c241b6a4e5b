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
extern thread_local emu_dim3 threadIdx;
extern std::barrier<> *emu_barrier;
inline void __syncthreads() { emu_barrier->arrive_and_wait(); }
template <class T> inline T __ldg(const T *p) { return *p; }
typedef int cudaError_t;
typedef void *cudaStream_t;
enum { cudaSuccess = 0, cudaErrorInvalidValue = 1 };
inline cudaError_t cudaGetDevice(int *d) { *d = 0; return cudaSuccess; }
inline cudaError_t cudaSetDevice(int) { return cudaSuccess; }
