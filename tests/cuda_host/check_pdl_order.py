#!/usr/bin/env python3
"""Checks, in the machine code (SASS) of a built CUDA library, the orderings the
programmatic dependent launches rely on (stft_kernels.cuh, cuda_stft_forward /
cuda_stft_inverse):

- every STFT kernel (stft_forward_kernel, stft_forward_r32_kernel) waits for the kernel before it
  (griddepcontrol.wait, SASS ACQBULK) before any global load or store: its
  signal pointer is const __restrict__, so nothing in the source pins its
  loads behind the wait but the compiler's treatment of the asm;
- and lets dependents launch (griddepcontrol.launch_dependents, SASS PREEXIT)
  only after that wait;
- every iSTFT kernel (istft_kernel) holding a wait stores nothing to global
  memory before it (it may load the spectrum: the edge-clearing kernel before
  it is an ordinary launch).

Usage: check_pdl_order.py LIBRARY (e.g. build-gpu/libspectro_cuda.a).  Needs
cuobjdump ($CUOBJDUMP, PATH, or next to nvcc); without it, or without the
library, it says so and exits 0 (skipped).  Exit 1 on a violation."""
import os
import re
import shutil
import subprocess
import sys

GLOBAL_LOAD = re.compile(r"^(LDG|LD|LDGSTS|UTMALDG|UBLKCP)\b")  # (LD: generic, may be global)
GLOBAL_STORE = re.compile(r"^(STG|ST|ATOMG|ATOM|RED|REDG|UTMASTG)\b")


def find_cuobjdump():
    for c in (os.environ.get("CUOBJDUMP"), shutil.which("cuobjdump")):
        if c and os.access(c, os.X_OK):
            return c
    nvcc = shutil.which("nvcc")
    if nvcc:
        c = os.path.join(os.path.dirname(nvcc), "cuobjdump")
        if os.access(c, os.X_OK):
            return c
    return None


def functions(sass):
    for chunk in re.split(r"\n\s*Function : ", sass)[1:]:
        name, body = chunk.split("\n", 1)
        ops = []
        for line in body.split("\n"):
            m = re.match(r"\s*/\*[0-9a-f]{4,}\*/\s*(.*?);", line)
            if m:
                op = re.sub(r"^@!?U?P\w+\s+", "", m.group(1).strip())  # drop the predicate
                ops.append(op)
        yield name.strip(), ops


def first(ops, pred):
    return next((i for i, o in enumerate(ops) if pred(o)), None)


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    lib = sys.argv[1]
    tool = find_cuobjdump()
    if not os.path.exists(lib) or tool is None:
        print(f"check_pdl_order: skipped ({'no ' + lib if not os.path.exists(lib) else 'no cuobjdump'})")
        return 0
    sass = subprocess.run([tool, "-sass", lib], capture_output=True, text=True, check=True).stdout
    bad, stft, istft = [], 0, 0
    for name, ops in functions(sass):
        wait = first(ops, lambda o: o.startswith("ACQBULK"))
        if re.search(r"stft_forward(_r32)?_kernel", name) and "istft" not in name:
            stft += 1
            ld = first(ops, lambda o: bool(GLOBAL_LOAD.match(o) or GLOBAL_STORE.match(o)))
            trig = first(ops, lambda o: o.startswith("PREEXIT"))
            if wait is None or (ld is not None and ld < wait) or (trig is not None and trig < wait):
                bad.append(f"{name}: wait at {wait}, first global access at {ld}, launch_dependents at {trig}")
        elif "istft_kernel" in name and wait is not None:
            istft += 1
            st = first(ops, lambda o: bool(GLOBAL_STORE.match(o)))
            if st is not None and st < wait:
                bad.append(f"{name}: global store at {st} before the wait at {wait}")
    if stft == 0:
        bad.append("no STFT kernel found in " + lib)
    for b in bad:
        print("FAIL", b)
    print(f"check_pdl_order: {stft} STFT kernels, {istft} iSTFT kernels with a wait: "
          f"{'ok' if not bad else str(len(bad)) + ' violations'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
