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
source bench/variants/lib.sh
d=.
if [[ ${1:-} == *.patch ]]; then
  d=/tmp/forced_tree; copy_tree $d
  patch -s -d $d -p1 < "$1" || { echo "PATCH FAILED $1"; exit 1; }
  shift
fi
build_tree $d || exit 1
for rep in 1 2; do
  for v in "$@"; do
    SPECTRO_CUDA_VARIANT=$v PYTHONPATH=$d/python python3 bench/variants/quick.py $v 2>&1 | grep RESULT
  done
done
