#!/usr/bin/env python3
"""Compare a benchmark run with a checked-in baseline, by ratio.

    python bench/check_regression.py [RUN.json] [--baseline bench/baselines/cpu.json] [--tolerance 0.25]

Only ratios (peer time / spectro time, measured side by side in one run) are
compared: absolute times drift between machines and runs.  A metric
regresses when its ratio falls below baseline * (1 - tolerance).  Exits 1 if
any metric regressed, 0 otherwise; configurations missing from either file
are listed and skipped.  RUN defaults to the newest file in bench/results/.
"""
import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def ratios(run: dict) -> dict:
    """{(config, metric): ratio} from a bench_stft.py result file."""
    out = {}
    py = run.get("python_bench", [])
    for row in py.get("rows", []) if isinstance(py, dict) else py:
        for metric, value in row.get("ratio_peer_over_spectro", {}).items():
            out[(row["config"], "py:" + metric)] = value
    for row in run.get("c_bench", {}).get("rows", []):
        for metric in ("ratio_fftw_over_spectro", "ratio_fftw_over_spectro_mt"):
            if metric in row:
                out[(row["config"], "c:" + metric)] = row[metric]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", nargs="?", help="result JSON (default: newest in bench/results)")
    ap.add_argument("--baseline", default=str(HERE / "baselines" / "cpu.json"))
    ap.add_argument("--tolerance", type=float, default=0.25, help="allowed relative drop of a ratio")
    args = ap.parse_args()
    if args.run is None:
        runs = sorted((HERE / "results").glob("*.json"), key=lambda p: p.stat().st_mtime)
        if not runs:
            print("check_regression: no runs in bench/results; run `make bench` first", file=sys.stderr)
            return 2
        args.run = str(runs[-1])
    run, base = json.loads(Path(args.run).read_text()), json.loads(Path(args.baseline).read_text())
    new, old = ratios(run), ratios(base)
    shared = sorted(set(new) & set(old))
    if not shared:
        print("check_regression: the run and the baseline share no configuration", file=sys.stderr)
        return 2
    print(f"run {args.run}\nbaseline {args.baseline} (tolerance {args.tolerance:.0%})\n")
    print(f"{'config':<16} {'metric':<36} {'baseline':>9} {'run':>9} {'change':>8}")
    bad = 0
    for key in shared:
        b, r = old[key], new[key]
        change = r / b - 1.0
        flag = "REGRESSED" if r < b * (1.0 - args.tolerance) else ""
        bad += bool(flag)
        print(f"{key[0]:<16} {key[1]:<36} {b:>8.2f}x {r:>8.2f}x {change:>+7.0%} {flag}")
    for key in sorted(set(old) - set(new)):
        print(f"{key[0]:<16} {key[1]:<36} missing from the run")
    print(f"\n{bad} regression(s) in {len(shared)} ratio(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
