#!/usr/bin/env python3
"""CPU STFT / iSTFT benchmark: spectro next to its peers, in one run.

    PYTHONPATH=python .venv/bin/python bench/bench_stft.py [--quick | --odd] [--out DIR]

(``make bench`` runs this; ``make bench BENCH_ARGS=--quick`` for the short run.)

Two parts, run one after the other so they never compete for cores:

1. C: builds bench/fftw_stft.c against build/libspectro.a and FFTW (installing
   libfftw3-dev with apt-get when the header is missing and we are root) and
   runs it.  It times spectro's C STFT / iSTFT and a plain FFTW STFT,
   interleaved in one process.  Without FFTW this part is skipped, not fatal.
2. Python: for every matrix row, times spectro.SpectralTransform.stft / .istft,
   numpy framing + np.fft.rfft, scipy.signal.stft, torch.stft / torch.istft
   (CPU) and librosa.stft / .istft, round-robin per repetition, and reports
   medians.

Ratios are peer time / spectro time: > 1 means spectro is faster.  Everything,
machine information included, is written to DIR/<date>-<host>.json
(default DIR: bench/results).  Only ratios measured in one run mean anything;
see /work/shared/BENCHMARKS.md and bench/README.md.
"""
from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import as_strided

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"

# The STFT / iSTFT matrix of BENCHMARKS.md: (B, T, n_fft), hop = n_fft // 4.
MATRIX = [
    (1, 16_000, 512),
    (4, 160_000, 1024),
    (8, 160_000, 1024),
    (4, 1_323_000, 1024),
    (8, 480_000, 1024),
    (16, 441_000, 2048),
]
QUICK_MATRIX = MATRIX[:2]  # B1 T16k n512, B4 T160k n1024
# --odd: sizes whose FFT needs Bluestein (a prime factor > 61: 1021 and 4099
# prime, 1773 = 3^2 197 odd, 1772 = 2^2 443 even), not in BENCHMARKS.md's
# matrix; SPEC promises any n_fft.
ODD_MATRIX = [(4, 160_000, 1021), (4, 160_000, 1773), (4, 160_000, 1772), (2, 160_000, 4099)]

# Per-row time budget for the timed repetitions (seconds of one round of all
# methods times the repetition count), and the repetition bounds.
QUICK_BUDGET_S, QUICK_REPS = 3.0, (3, 30)
FULL_BUDGET_S, FULL_REPS = 12.0, (5, 100)

STFT_METHODS = ["spectro", "numpy", "scipy", "torch", "librosa"]
ISTFT_METHODS = ["spectro", "torch", "librosa"]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def config_name(b: int, t: int, n_fft: int) -> str:
    """'B4 T160k n1024', the naming of BENCHMARKS.md (and of fftw_stft.c)."""
    if t >= 1_000_000:
        ts = f"{t / 1e6:.3g}M"
    elif t % 1000 == 0:
        ts = f"{t // 1000}k"
    else:
        ts = str(t)
    return f"B{b} T{ts} n{n_fft}"


def rel_l2(a, b) -> float:
    a = np.asarray(a, dtype=np.complex128 if np.iscomplexobj(a) else np.float64)
    b = np.asarray(b, dtype=a.dtype)
    den = np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / den) if den > 0 else float(np.linalg.norm(a - b))


# ---------------------------------------------------------------- optional peers

def try_import(name: str):
    try:
        return __import__(name)
    except Exception as exc:  # ImportError, or a broken install
        log(f"bench: {name} not available ({type(exc).__name__}: {exc}); skipped")
        return None


# ---------------------------------------------------------------- part 1: C + FFTW

def ensure_fftw() -> tuple[bool, str]:
    """FFTW headers present (installing them as root with apt-get if need be)."""
    header = Path("/usr/include/fftw3.h")
    if header.exists():
        return True, "present"
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return False, "/usr/include/fftw3.h missing (install libfftw3-dev; not root or no apt-get)"
    log("bench: /usr/include/fftw3.h missing; apt-get install libfftw3-dev ...")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "libfftw3-dev"]
    for step in ([install], [["apt-get", "update", "-q"], install]):  # retry after an update
        ok = True
        for cmd in step:
            r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
            if r.returncode != 0:
                ok = False
                last_err = (r.stderr or r.stdout).strip().splitlines()[-1:] or [""]
                log(f"bench: {' '.join(cmd)} failed: {last_err[0]}")
                break
        if ok and header.exists():
            return True, "installed with apt-get"
    return False, "apt-get install libfftw3-dev failed"


def run_c_bench(quick: bool, reps: int | None, seed: int) -> dict:
    """Build and run bench/fftw_stft.c; its JSON rows, or why there are none."""
    lib = BUILD / "libspectro.a"
    if not lib.exists():
        return {"status": f"skipped: {lib} missing (run `make build`)", "rows": []}
    ok, how = ensure_fftw()
    if not ok:
        log(f"bench: FFTW unavailable ({how}); continuing without the C/FFTW part")
        return {"status": f"skipped: FFTW unavailable: {how}", "rows": []}
    exe = BUILD / "fftw_stft"
    cc = os.environ.get("CC", "gcc")
    cmd = [cc, "-O3", "-march=native", "-I", str(ROOT / "include"), str(ROOT / "bench" / "fftw_stft.c"),
           str(lib), "-lfftw3f", "-lm", "-lpthread", "-o", str(exe)]
    if (BUILD / "libspectro_cuda.a").exists():  # a CUDA build: the library needs the CUDA runtime
        cuda = Path(os.environ.get("CUDA_HOME", "/usr/local/cuda"))
        cmd[-2:-2] = [f"-L{cuda / 'lib64'}", f"-L{cuda / 'targets/x86_64-linux/lib'}", "-lcudart_static", "-ldl",
                      "-lrt", "-lstdc++"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        detail = (r.stderr or r.stdout).strip() or f"{cc} exited with status {r.returncode}"
        log(f"bench: building {exe.name} failed; continuing without the C/FFTW part:\n{detail}")
        return {"status": "skipped: build of fftw_stft failed", "compile": " ".join(cmd),
                "stderr": r.stderr[-4000:], "rows": []}
    args = [str(exe), "--seed", str(seed)] + (["--quick"] if quick else [])
    if reps:
        args += ["--reps", str(reps)]
    log(f"bench: C: {' '.join(Path(a).name if a.startswith('/') else a for a in args)}")
    r = subprocess.run(args, capture_output=True, text=True)
    rows = []
    for line in r.stdout.splitlines():
        if line.startswith("{"):
            rows.append(json.loads(line))
            log(f"  C   {rows[-1]['config']}: spectro stft {rows[-1]['spectro_stft_ms']:.3f} ms "
                f"({rows[-1]['threads_mt']} threads: {rows[-1]['spectro_stft_mt_ms']:.3f}), "
                f"FFTW stft {rows[-1]['fftw_stft_ms']:.3f} ms, spectro istft {rows[-1]['spectro_istft_ms']:.3f} ms")
    for line in r.stderr.splitlines():
        if "WARNING" in line or "failed" in line:
            log(line)
    status = "ok" if r.returncode == 0 else f"exit status {r.returncode}"
    return {"status": status, "compile": " ".join(cmd), "stderr": r.stderr[-4000:], "rows": rows}


# ---------------------------------------------------------------- part 2: Python peers

def numpy_stft(x: np.ndarray, n_fft: int, hop: int, win: np.ndarray) -> np.ndarray:
    """Reflect pad, strided frames, window, rfft.  [B, F, N] as a transposed
    view (like torch.stft's result); numpy < 2 computes in complex128."""
    pad = n_fft // 2
    xp = np.pad(x, ((0, 0), (pad, pad)), mode="reflect")
    n_frames = 1 + (xp.shape[-1] - n_fft) // hop
    s0, s1 = xp.strides
    frames = as_strided(xp, shape=(xp.shape[0], n_frames, n_fft), strides=(s0, hop * s1, s1),
                        writeable=False)
    return np.fft.rfft(frames * win, axis=-1).transpose(0, 2, 1)


def make_methods(x, n_fft, hop, mods):
    """{(op, name): zero-argument callable}, plus reference outputs/checks."""
    import spectro

    b, t = x.shape
    st = spectro.SpectralTransform(n_fft, hop)
    win = st.window  # periodic Hann, float32
    z_sp = st.stft(x)
    methods = {("stft", "spectro"): lambda: st.stft(x),
               ("istft", "spectro"): lambda: st.istft(z_sp, length=t)}
    checks = {"istft_roundtrip_spectro": rel_l2(st.istft(z_sp, length=t), x)}

    methods[("stft", "numpy")] = lambda: numpy_stft(x, n_fft, hop, win)
    checks["numpy_vs_spectro"] = rel_l2(numpy_stft(x, n_fft, hop, win), z_sp)

    sig = mods.get("scipy")
    if sig is not None:
        # scipy scales by 1 / sum(window) and pads by even (= reflect)
        # extension; padded=False keeps spectro's frame count.  Timing only.
        kw_sc = dict(fs=1.0, window="hann", nperseg=n_fft, noverlap=n_fft - hop, boundary="even",
                     padded=False, axis=-1)
        methods[("stft", "scipy")] = lambda: sig.stft(x, **kw_sc)[2]
        z = sig.stft(x, **kw_sc)[2]
        checks["scipy_vs_spectro_rescaled"] = (rel_l2(z * float(win.astype(np.float64).sum()), z_sp)
                                               if z.shape == z_sp.shape else f"shape {z.shape} != {z_sp.shape}")

    torch = mods.get("torch")
    if torch is not None:
        xt = torch.from_numpy(x)
        wt = torch.hann_window(n_fft)  # periodic
        kw_t = dict(n_fft=n_fft, hop_length=hop, window=wt, center=True)
        with torch.inference_mode():
            zt = torch.stft(xt, pad_mode="reflect", return_complex=True, **kw_t)
            checks["torch_vs_spectro"] = rel_l2(zt.numpy(), z_sp)
            checks["istft_roundtrip_torch"] = rel_l2(torch.istft(zt, length=t, **kw_t).numpy(), x)

        def torch_stft():
            with torch.inference_mode():
                return torch.stft(xt, pad_mode="reflect", return_complex=True, **kw_t)

        def torch_istft():
            with torch.inference_mode():
                return torch.istft(zt, length=t, **kw_t)

        methods[("stft", "torch")] = torch_stft
        methods[("istft", "torch")] = torch_istft

    librosa = mods.get("librosa")
    if librosa is not None:
        kw_l = dict(n_fft=n_fft, hop_length=hop, window="hann", center=True)
        zl = librosa.stft(x, pad_mode="reflect", dtype=np.complex64, **kw_l)
        checks["librosa_vs_spectro"] = rel_l2(zl, z_sp)
        checks["istft_roundtrip_librosa"] = rel_l2(librosa.istft(zl, length=t, dtype=np.float32, **kw_l), x)
        methods[("stft", "librosa")] = lambda: librosa.stft(x, pad_mode="reflect", dtype=np.complex64, **kw_l)
        methods[("istft", "librosa")] = lambda: librosa.istft(zl, length=t, dtype=np.float32, **kw_l)
    return methods, checks


def time_row(b, t, n_fft, mods, rng, quick, fixed_reps):
    hop = n_fft // 4
    name = config_name(b, t, n_fft)
    x = rng.standard_normal((b, t), dtype=np.float32)  # fresh per run
    methods, checks = make_methods(x, n_fft, hop, mods)
    keys = list(methods)

    # Warm-up: one untimed call each (two for small rows), then one timed
    # round to size the repetition count to the budget.
    warm = 2 if b * t <= 1_000_000 else 1
    for _ in range(warm):
        for k in keys:
            methods[k]()
    t0 = time.perf_counter()
    for k in keys:
        methods[k]()
    round_s = time.perf_counter() - t0
    budget, (lo, hi) = (QUICK_BUDGET_S, QUICK_REPS) if quick else (FULL_BUDGET_S, FULL_REPS)
    reps = fixed_reps or max(lo, min(hi, int(budget / max(round_s, 1e-9))))

    # Round-robin: each repetition runs every method once; the starting
    # method rotates so none always follows the same neighbour.
    times = {k: [] for k in keys}
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for rep in range(reps):
            for i in range(len(keys)):
                k = keys[(rep + i) % len(keys)]
                fn = methods[k]
                t0 = time.perf_counter()
                out = fn()
                dt = time.perf_counter() - t0
                del out  # freeing is not timed
                times[k].append(dt * 1e3)
    finally:
        if gc_was_enabled:
            gc.enable()

    med = {f"{op}.{m}": statistics.median(v) for (op, m), v in times.items()}
    ratios = {}
    for (op, m) in keys:
        if m != "spectro":
            ratios[f"{op}.{m}"] = med[f"{op}.{m}"] / med[f"{op}.spectro"]
    for key, val in checks.items():
        if isinstance(val, float) and val > 1e-4:
            log(f"bench: WARNING: {name}: {key} relative L2 {val:.3g}")
    log(f"  py  {name}: {reps} reps, " + ", ".join(f"{k} {v:.3f}" for k, v in med.items()) + " ms")
    return {"config": name, "batch": b, "length": t, "n_fft": n_fft, "hop": hop, "reps": reps,
            "median_ms": med, "ratio_peer_over_spectro": ratios,
            "times_ms": {f"{op}.{m}": [round(v, 5) for v in vs] for (op, m), vs in times.items()},
            "checks_rel_l2": checks}


# ---------------------------------------------------------------- report

def fmt_ms(v) -> str:
    if v is None:
        return "-"
    return f"{v:.3f}" if v < 10 else f"{v:.1f}" if v < 1000 else f"{v:.0f}"


def fmt_ratio(v) -> str:
    return "-" if v is None else f"{v:.2f}x"


def print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print(f"\n{title}")
    print("  ".join(h.rjust(w) if i else h.ljust(w) for i, (h, w) in enumerate(zip(header, widths))))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))))


def report(py_rows: list[dict], c_rows: list[dict]) -> None:
    c_by = {r["config"]: r for r in c_rows}
    # STFT medians and ratios.
    head = ["config", "spectro", "numpy", "scipy", "torch", "librosa", "C spectro 1t", "C spectro mt", "C FFTW 1t"]
    med_rows, ratio_rows = [], []
    for r in py_rows:
        m, c = r["median_ms"], c_by.get(r["config"], {})
        med_rows.append([r["config"]] + [fmt_ms(m.get(f"stft.{k}")) for k in STFT_METHODS]
                        + [fmt_ms(c.get("spectro_stft_ms")), fmt_ms(c.get("spectro_stft_mt_ms")),
                           fmt_ms(c.get("fftw_stft_ms"))])
        ratio_rows.append([r["config"]] + [fmt_ratio(r["ratio_peer_over_spectro"].get(f"stft.{k}"))
                                           for k in STFT_METHODS[1:]]
                          + [fmt_ratio(c.get("ratio_fftw_over_spectro")),
                             fmt_ratio(c.get("ratio_fftw_over_spectro_mt"))])
    print_table("STFT, median ms (Python spectro: all threads; C columns: fftw_stft in one process)",
                head, med_rows)
    print_table("STFT ratios, peer / spectro (> 1: spectro faster; FFTW vs spectro's C API)",
                ["config", "numpy", "scipy", "torch", "librosa", "FFTW/1t (C)", "FFTW/mt (C)"], ratio_rows)
    # iSTFT.
    med_rows, ratio_rows = [], []
    for r in py_rows:
        m, c = r["median_ms"], c_by.get(r["config"], {})
        med_rows.append([r["config"]] + [fmt_ms(m.get(f"istft.{k}")) for k in ISTFT_METHODS]
                        + [fmt_ms(c.get("spectro_istft_ms")), fmt_ms(c.get("spectro_istft_mt_ms"))])
        ratio_rows.append([r["config"]] + [fmt_ratio(r["ratio_peer_over_spectro"].get(f"istft.{k}"))
                                           for k in ISTFT_METHODS[1:]])
    print_table("iSTFT, median ms (spectro: all threads)",
                ["config", "spectro", "torch", "librosa", "C spectro 1t", "C spectro mt"], med_rows)
    print_table("iSTFT ratios, peer / spectro (> 1: spectro faster)", ["config", "torch", "librosa"],
                ratio_rows)


# ---------------------------------------------------------------- machine info

def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_flags() -> list[str]:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                have = set(line.split(":", 1)[1].split())
                return [f for f in ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512vl") if f in have]
    except OSError:
        pass
    return []


def run_text(cmd: list[str]) -> str | None:
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=30)
        return r.stdout.strip() if r.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def machine_info(mods: dict) -> dict:
    import spectro

    cgroup_cpu = None
    for p in ("/sys/fs/cgroup/cpu.max", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us"):
        try:
            cgroup_cpu = Path(p).read_text().strip()
            break
        except OSError:
            pass
    versions = {"python": platform.python_version(), "numpy": np.__version__, "spectro": spectro.__version__,
                "gcc": run_text([os.environ.get("CC", "gcc"), "-dumpfullversion"])}
    for name, mod in mods.items():
        versions[name] = getattr(mod, "__version__", None) if mod is not None else None
    if mods.get("scipy") is not None:
        import scipy
        versions["scipy"] = scipy.__version__
    import spectro as _sp

    threads = {"spectro": _sp.get_num_threads(), "spectro_c_1t": 1, "fftw": 1, "numpy_fft": 1,
               "env": {k: os.environ[k] for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS",
                                                  "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS")
                       if k in os.environ}}
    if mods.get("torch") is not None:
        threads["torch"] = mods["torch"].get_num_threads()
        threads["torch_interop"] = mods["torch"].get_num_interop_threads()
    commit = run_text(["git", "rev-parse", "HEAD"])
    dirty = run_text(["git", "status", "--porcelain", "--untracked-files=no"])
    return {
        "cpu_model": cpu_model(),
        "cpu_flags": cpu_flags(),
        "nproc": os.cpu_count(),
        "affinity_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cgroup_cpu_limit": cgroup_cpu,
        "platform": platform.platform(),
        "versions": versions,
        "threads": threads,
        "git": {"commit": commit, "dirty": bool(dirty)} if commit else None,
    }


# ---------------------------------------------------------------- main

def result_path(out_dir: Path, host: str) -> Path:
    """out_dir/<date>-<host>.json; a second run the same day gets -2, -3, ..."""
    stem = f"{datetime.date.today().isoformat()}-{re.sub(r'[^A-Za-z0-9._-]', '_', host)}"
    path, i = out_dir / f"{stem}.json", 2
    while path.exists():
        path, i = out_dir / f"{stem}-{i}.json", i + 1
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="two rows (B1 T16k n512, B4 T160k n1024), few repetitions: < 1 min on 2 cores")
    ap.add_argument("--odd", action="store_true",
                    help="the Bluestein sizes (ODD_MATRIX: n_fft 1021, 1773, 1772, 4099) instead of the matrix; "
                         "Python part only")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results", help="result directory")
    ap.add_argument("--reps", type=int, default=0, help="fixed repetitions per row (default: by time budget)")
    ap.add_argument("--no-c", action="store_true", help="skip the C / FFTW part")
    ap.add_argument("--no-librosa", action="store_true", help="skip librosa (slow import)")
    ap.add_argument("--torch-threads", type=int, default=0, help="torch.set_num_threads (default: torch's own)")
    ap.add_argument("--seed", type=int, default=None, help="input seed (default: fresh per run)")
    args = ap.parse_args()

    started = time.perf_counter()
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "little")
    matrix = ODD_MATRIX if args.odd else QUICK_MATRIX if args.quick else MATRIX

    # Part 1: C, spectro's C API next to FFTW (one process, interleaved).
    if args.no_c or args.odd:
        c_result = {"status": "skipped: " + ("--odd" if args.odd else "--no-c"), "rows": []}
    else:
        log("bench: part 1: C API vs FFTW (bench/fftw_stft.c)")
        c_result = run_c_bench(args.quick, args.reps, seed)
        if c_result["status"] != "ok":
            log(f"bench: C part: {c_result['status']}")

    # Part 2: Python peers.
    log("bench: part 2: Python peers")
    import spectro  # noqa: F401  (fails early with a clear message if not built)

    mods = {"scipy": None, "torch": None, "librosa": None}
    sig = try_import("scipy.signal")
    if sig is not None:
        import scipy.signal
        mods["scipy"] = scipy.signal
    mods["torch"] = try_import("torch")
    if mods["torch"] is not None and args.torch_threads > 0:
        mods["torch"].set_num_threads(args.torch_threads)
    if not args.no_librosa:
        mods["librosa"] = try_import("librosa")
    rng = np.random.default_rng(seed)
    py_rows = [time_row(b, t, n, mods, rng, args.quick, args.reps) for b, t, n in matrix]

    report(py_rows, c_result["rows"])

    host = socket.gethostname()
    info = machine_info({"torch": mods["torch"], "librosa": mods["librosa"]})
    if mods["scipy"] is not None:
        import scipy
        info["versions"]["scipy"] = scipy.__version__
    if c_result["rows"]:
        info["versions"]["fftw"] = c_result["rows"][0].get("fftw_version")
    result = {
        "schema": 1,
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "host": host,
        "quick": args.quick,
        "seed": seed,
        "argv": sys.argv[1:],
        "machine": info,
        "notes": [
            "ratio = peer median / spectro median; > 1 means spectro is faster",
            "C rows: spectro C API vs FFTW STFT (reflect pad, 64-frame windowed batches, "
            "fftwf_plan_many_dft_r2c FFTW_MEASURE, 1 thread), interleaved in one process",
            "numpy: np.pad reflect + as_strided + window + np.fft.rfft, result a [B,F,N] view "
            "(numpy < 2 computes in complex128)",
            "scipy.signal.stft scales by 1/sum(window) (timing only; checked after rescaling)",
            "istft peers invert their own stft output; torch runs on CPU with threads['torch'] threads",
        ],
        "c_bench": c_result,
        "python_bench": py_rows,
        "wall_s": round(time.perf_counter() - started, 2),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = result_path(args.out, host)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=1) + "\n")
    os.replace(tmp, path)
    print(f"\nwrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} "
          f"({result['wall_s']:.1f} s; torch threads: {info['threads'].get('torch', '-')}, "
          f"CPU: {info['cpu_model']}, nproc {info['nproc']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
