#!/usr/bin/env bash
# bench/variants/patched.sh NAME:PATCH... (on the GPU machine, from the repository root): variants.sh
# with each variant the tree plus PATCH (a `git diff` of src/ and tests/, e.g. one of
# bench/results/experiments/*.patch) laid over it; VARIANTS_EXTRA="NAME:DEF=V ..." adds plain
# variants.sh specs.  Environment as for variants.sh (QUICK_ONLY, QUICK_ROWS, SPECTRO_AUTOTUNE).
set -uo pipefail
specs=()
for spec in "$@"; do
  name=${spec%%:*}; p=${spec#*:}
  d=exp/patched_$name; rm -rf $d; mkdir -p $d
  tar -cf - src tests | tar -xf - -C $d
  if ! patch -s -d $d -p1 < "$p"; then echo "PATCH FAILED $name ($p)"; continue; fi
  specs+=("$name:@$d")
done
bash bench/variants/variants.sh "${specs[@]}" ${VARIANTS_EXTRA:-}
