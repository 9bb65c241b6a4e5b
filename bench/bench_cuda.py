#!/usr/bin/env python3
"""GPU benchmark: spectro's CUDA STFT / iSTFT next to torch.stft / istft on
the BENCHMARKS.md matrix, same process, same tensors, CUDA events.

    PYTHONPATH=python python3 bench/bench_cuda.py [--out DIR]

Per row: eager calls (a loop of calls between two events, divided), and
graph replay (both captured in a CUDA graph; torch.istft cannot be captured:
its window check syncs with the host).  The HBM floor is (input + output
bytes) / the device-to-device copy bandwidth measured in the same run.
spectro's STFT result is, like torch.stft's, a [B, F, N] view of [B, N, F]
memory; "contig" times contiguous=True ([B, F, N] memory) alongside.  The
iSTFT is timed on spectro's own spectrum and ("same input") on
torch.stft's output, the tensor torch.istft gets (both transposed views,
read in place).  Prints a table last; writes JSON."""
import argparse
import json
import os
import platform
import statistics
import sys
from datetime import datetime, timezone
from pathlib import Path

import torch

import spectro

ROWS = [(1, 16000, 512), (4, 160000, 1024), (8, 160000, 1024), (4, 1323000, 1024), (8, 480000, 1024),
        (16, 441000, 2048)]


def time_loop(fn, iters, reps=7):
    """median over reps of (events around `iters` calls) / iters, in ms."""
    out = []
    for _ in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        for _ in range(iters):
            fn()
        b.record()
        b.synchronize()
        out.append(a.elapsed_time(b) / iters)
    return statistics.median(out)


def graphed(fn):
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        fn()
    torch.cuda.current_stream().wait_stream(s)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        fn()
    return g.replay


def copy_bandwidth():
    a = torch.empty(1 << 28, dtype=torch.uint8, device="cuda")
    b = torch.empty_like(a)
    ms = time_loop(lambda: b.copy_(a), 20)
    return 2 * a.numel() / (ms * 1e-3)


def start(description):
    """The GPU benchmarks' common start: --out, a fresh seed, the copy
    bandwidth of this run (bytes/s)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "results"))
    args = ap.parse_args()
    torch.manual_seed(int.from_bytes(os.urandom(4), "little"))
    return args, copy_bandwidth()


def iterations(batch, length):
    """Calls per timed loop: enough to dwarf launch jitter on small rows."""
    return max(5, min(200, int(2e8 / (batch * length))))


def log_row(r):
    """One result row, every timing, to stderr as it completes."""
    print(f"  {r['config']}: " + ", ".join(f"{k} {v:.4f}" for k, v in r.items() if isinstance(v, float)),
          file=sys.stderr)


def device_info(bw, **versions):
    """The results' header: card, torch / CUDA (and other) versions, copy bandwidth."""
    return {"device": torch.cuda.get_device_name(), "torch": torch.__version__, **versions,
            "cuda": torch.version.cuda, "copy_bandwidth_TBps": bw / 1e12, "spectro": spectro.__version__}


def write_results(out_dir, suffix, info, rows):
    """bench/results-style JSON named by date, host and suffix; its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{datetime.now(timezone.utc).strftime('%Y-%m-%d')}-{platform.node()}-{suffix}.json"
    path.write_text(json.dumps({"machine": info, "rows": rows}, indent=1))
    return path


def main():
    args, bw = start("spectro CUDA STFT / iSTFT vs torch.stft / torch.istft")
    rows = []
    for b, t, n in ROWS:
        hop = n // 4
        x = torch.randn(b, t, device="cuda")
        w = torch.hann_window(n, device="cuda")
        tr = spectro.SpectralTransform(n, hop)
        z_t = torch.stft(x, n, hop, window=w, return_complex=True)
        z_s = tr.stft(x)
        err = (torch.linalg.vector_norm(z_s - z_t) / torch.linalg.vector_norm(z_t)).item()
        iters = iterations(b, t)
        r = {"config": f"B{b} T{t // 1000}k n{n}", "iters": iters, "rel_l2_vs_torch": err}
        r["torch_stft"] = time_loop(lambda: torch.stft(x, n, hop, window=w, return_complex=True), iters)
        r["spectro_stft"] = time_loop(lambda: tr.stft(x), iters)
        r["spectro_stft_contiguous"] = time_loop(lambda: tr.stft(x, contiguous=True), iters)
        r["torch_istft"] = time_loop(lambda: torch.istft(z_t, n, hop, window=w, length=t), iters)
        r["spectro_istft"] = time_loop(lambda: tr.istft(z_s, length=t), iters)
        # the same tensor torch.istft gets: torch.stft's output, a [B, F, N] view of [B, N, F] memory, read in place
        r["spectro_istft_same_input"] = time_loop(lambda: tr.istft(z_t, length=t), iters)
        r["torch_stft_graph"] = time_loop(graphed(lambda: torch.stft(x, n, hop, window=w, return_complex=True)), iters)
        r["spectro_stft_graph"] = time_loop(graphed(lambda: tr.stft(x)), iters)
        r["spectro_istft_graph"] = time_loop(graphed(lambda: tr.istft(z_s, length=t)), iters)
        bytes_stft = x.numel() * 4 + z_s.numel() * 8
        r["hbm_floor_stft"] = bytes_stft / bw * 1e3
        r["stft_speedup"] = r["torch_stft"] / r["spectro_stft"]
        r["istft_speedup"] = r["torch_istft"] / r["spectro_istft"]
        r["istft_speedup_same_input"] = r["torch_istft"] / r["spectro_istft_same_input"]
        r["stft_over_floor_graph"] = r["spectro_stft_graph"] / r["hbm_floor_stft"]
        rows.append(r)
        log_row(r)
    info = device_info(bw)
    path = write_results(args.out, "cuda", info, rows)
    print(f"\n{info['device']}, torch {info['torch']}, copy {bw / 1e12:.2f} TB/s; ms, medians of CUDA events")
    print("config           torch.stft spectro  x     contig | graph: torch spectro floor  x-floor | torch.istft spectro"
          "  x    | same input: spectro  x")
    for r in rows:
        print(f"{r['config']:<16} {r['torch_stft']:9.4f} {r['spectro_stft']:8.4f} {r['stft_speedup']:5.2f} "
              f"{r['spectro_stft_contiguous']:7.4f} |"
              f"       {r['torch_stft_graph']:7.4f} {r['spectro_stft_graph']:7.4f} {r['hbm_floor_stft']:6.4f} "
              f"{r['stft_over_floor_graph']:5.2f} | {r['torch_istft']:10.4f} {r['spectro_istft']:8.4f} "
              f"{r['istft_speedup']:5.2f} |            {r['spectro_istft_same_input']:8.4f} "
              f"{r['istft_speedup_same_input']:5.2f}")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
