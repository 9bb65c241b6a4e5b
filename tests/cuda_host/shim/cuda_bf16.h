#pragma once
#include "cuda_fp16.h"
struct __nv_bfloat16 { unsigned short u; };
struct __nv_bfloat162 { __nv_bfloat16 x, y; };
inline float __bfloat162float(__nv_bfloat16) { return 0.f; }
inline float2 __bfloat1622float2(__nv_bfloat162) { return {0.f, 0.f}; }
