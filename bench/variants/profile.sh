#!/usr/bin/env bash
# Nsight Compute of the STFT, iSTFT, mel and MFCC kernels (B8 T480k; or those named: profile.sh mel mfcc, stft2048 / istft2048 for B16 T441k n_fft 2048; a -lineinfo build in /tmp/prof):
# full sections plus per-SASS-instruction counters as CSV, packed into $OUT/prof.tgz.  Read the
# SASS CSVs with sass_segments.py (instructions, stall samples and shared wavefronts per
# stretch between block barriers).
set -uo pipefail
source bench/variants/lib.sh
mkdir -p /tmp/po; d=/tmp/prof; copy_tree $d
sed -i 's/-Xcompiler=-fvisibility=hidden>/-Xcompiler=-fvisibility=hidden -lineinfo>/' $d/CMakeLists.txt
build_tree $d
ks=""; for w in ${@:-stft istft mel mfcc}; do case $w in stft*) ks+=" $w:stft_forward_kernel";; istft*) ks+=" $w:istft_kernel";; mel|mfcc) ks+=" $w:frontend_kernel";; esac; done
for k in $ks; do
  w=${k%%:*}; name=${k#*:}
  PYTHONPATH=$d/python ncu --set full --import-source yes -k regex:$name --launch-skip 2 --launch-count 1 \
    -o /tmp/p_$w -f python3 bench/variants/prof_run.py $w > /tmp/p_$w.log 2>&1 || { echo "ncu $w failed"; tail -5 /tmp/p_$w.log; }
  ncu -i /tmp/p_$w.ncu-rep --page source --csv --print-source cuda > /tmp/po/src_$w.csv 2>/tmp/e_$w ||
    ncu -i /tmp/p_$w.ncu-rep --page source --csv > /tmp/po/src_$w.csv 2>>/tmp/e_$w || cat /tmp/e_$w
  ncu -i /tmp/p_$w.ncu-rep --page source --csv --print-source sass > /tmp/po/sass_$w.csv 2>>/tmp/e_$w || true
  ncu -i /tmp/p_$w.ncu-rep --page details --csv > /tmp/po/det_$w.csv 2>>/tmp/e_$w || true
  ls -la /tmp/po/*_$w.csv
done
tar czf $OUT/prof.tgz -C /tmp/po . && ls -la $OUT
