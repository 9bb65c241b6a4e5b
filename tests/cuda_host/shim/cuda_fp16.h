#pragma once
#include "cuda_runtime.h"
// (types only: the emulation test reads float32 signals)
struct __half { unsigned short u; };
struct __half2 { __half x, y; };
inline float __half2float(__half) { return 0.f; }
inline float2 __half22float2(__half2) { return {0.f, 0.f}; }
