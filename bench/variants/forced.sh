#!/usr/bin/env bash
# bench/variants/forced.sh [PATCH] VARIANT... (on the GPU machine, from the repository root): builds the
# tree (with PATCH, a `git diff` of src/ and tests/, laid over a copy of it, where the first argument
# ends in .patch) once, then runs quick.py with each autotune candidate forced (SPECTRO_CUDA_VARIANT;
# a name that is no candidate of a row takes that row's built-in choice), twice, interleaved, printing
# one RESULT JSON line per run tagged with the variant (bench/variants/table.py LOG tabulates them).
# Environment as for quick.py (QUICK_ONLY, QUICK_ROWS).  E.g. the n_fft 2048 STFT candidates:
#   SPECTRO_AUTOTUNE=0 QUICK_ONLY=stft QUICK_ROWS=16x441000x2048 bash bench/variants/forced.sh \
#     bench/results/experiments/2026-11-28-stft-r16.patch base half_frames r32 r16
set -uo pipefail
d=.
if [[ ${1:-} == *.patch ]]; then
  d=/tmp/forced_tree; rm -rf $d; mkdir -p $d
  tar --exclude=./build-gpu --exclude=./build --exclude=./.whl --exclude=./.git -cf - . | tar -xf - -C $d
  rm -f $d/python/spectro/_spectro*.so
  patch -s -d $d -p1 < "$1" || { echo "PATCH FAILED $1"; exit 1; }
  shift
fi
(cd $d && cmake -S . -B build-gpu -DCMAKE_BUILD_TYPE=Release -DSPECTRO_CUDA=ON > /dev/null &&
 cmake --build build-gpu -j 16 --target spectro_cuda > /dev/null &&
 SPECTRO_CUDA_LIB=build-gpu/libspectro_cuda.a scripts/build_ext.sh python3 > /dev/null 2>&1) || { echo "BUILD FAILED $d"; exit 1; }
for rep in 1 2; do
  for v in "$@"; do
    SPECTRO_CUDA_VARIANT=$v PYTHONPATH=$d/python python3 bench/variants/quick.py $v 2>&1 | grep RESULT
  done
done
