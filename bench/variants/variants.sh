#!/usr/bin/env bash
# bench/variants/variants.sh [NAME:DEF=V,DEF=V | NAME:@DIR[,DEF=V...]]... (on the GPU machine, from the
# repository root): builds the tree as it is ("base") and each variant -- a copy with the named
# `#define DEF V` lines rewritten in src/cuda/*.cu and *.cuh and/or with DIR's files laid over it
# (DIR must travel to the GPU machine: an untracked, not ignored folder, or passed in `carry`) -- in
# parallel, then runs quick.py on each, twice, interleaved, printing one RESULT JSON line per run
# (bench/variants/table.py LOG tabulates them).
# Same card, same call: the only timings this project compares (bench/results/experiments).
set -uo pipefail
source bench/variants/lib.sh
names=(base); dirs=(.)
for spec in "$@"; do
  name=${spec%%:*}; defs=${spec#*:}
  d=/tmp/v_$name; copy_tree $d
  if [[ $defs == @* ]]; then # @DIR, optionally followed by ,DEF=V,...
    dir=${defs%%,*}; cp -r ${dir#@}/. $d/
    if [[ $defs == *,* ]]; then defs=${defs#*,}; else defs=; fi
  fi
  for def in ${defs//,/ }; do k=${def%%=*}; v=${def#*=}; sed -i "s/^#define $k .*/#define $k $v/" $d/src/cuda/*.cu $d/src/cuda/*.cuh; done
  names+=($name); dirs+=($d)
done
for i in "${!dirs[@]}"; do build_tree "${dirs[$i]}" & done; wait
for rep in 1 2; do
  for i in "${!dirs[@]}"; do PYTHONPATH=${dirs[$i]}/python python3 bench/variants/quick.py ${names[$i]} 2>&1 | grep RESULT; done
done
