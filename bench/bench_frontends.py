#!/usr/bin/env python3
"""Frontend benchmark: spectro's mel-dB, log-mel and MFCC next to torchaudio
and librosa on the BENCHMARKS.md frontend rows, interleaved in one run.

    PYTHONPATH=python .venv/bin/python bench/bench_frontends.py [--quick] [--out DIR]

Prints medians (ms) and ratios (peer / spectro, > 1: spectro faster) for
spectro eager and compiled (get_compiled()), and writes JSON next to the STFT
results in bench/results/.  Thread counts are recorded: spectro uses all
cores by default, torch uses torch.get_num_threads().
"""
import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

import spectro

HERE = Path(__file__).resolve().parent


def rows(quick):
    out = [
        # name, sr, B, T, spectro factory, torchaudio factory, librosa fn
        ("mel-dB 24k 2048/240 128", 24000, 1, 480000, "mel"),
        ("mel-dB 24k 2048/240 128", 24000, 8, 480000, "mel"),
        ("log-mel 16k 2048/512 256", 16000, 1, 480000, "logmel"),
        ("MFCC 16k 400/160 40->13", 16000, 1, 480000, "mfcc"),
        ("MFCC 16k 400/160 40->13", 16000, 8, 160000, "mfcc"),
    ]
    return [r for r in out if r[2] == 1] if quick else out


def make(kind, sr, mods):
    """{name: callable(x)} for one frontend configuration."""
    torch, torchaudio, librosa = mods.get("torch"), mods.get("torchaudio"), mods.get("librosa")
    f = {}
    if kind == "mel":
        t = spectro.MelSpectrogramTransform(sample_rate=sr, n_fft=2048, hop_length=240, n_mels=128, top_db=80.0,
                                            mode="torchaudio_compat")
        f["spectro"], f["spectro compiled"] = t, t.get_compiled()
        if torchaudio is not None:
            mel = torchaudio.transforms.MelSpectrogram(sample_rate=sr, n_fft=2048, hop_length=240, n_mels=128)
            db = torchaudio.transforms.AmplitudeToDB("power", top_db=80.0)
            f["torchaudio"] = lambda x: db(mel(torch.from_numpy(x)))
        if librosa is not None:
            f["librosa"] = lambda x: librosa.power_to_db(
                librosa.feature.melspectrogram(y=x, sr=sr, n_fft=2048, hop_length=240, n_mels=128, htk=True,
                                               norm=None, pad_mode="reflect"), top_db=80.0)
    elif kind == "logmel":
        t = spectro.LogMelSpectrogramTransform(sample_rate=sr, n_fft=2048, hop_length=512, n_mels=256, f_min=30.0,
                                               f_max=8000.0, power=1.0, norm="slaney", mel_scale="htk",
                                               center_pad_mode="constant", log_amin=1e-5)
        f["spectro"], f["spectro compiled"] = t, t.get_compiled()
        if torchaudio is not None:
            mel = torchaudio.transforms.MelSpectrogram(sample_rate=sr, n_fft=2048, hop_length=512, n_mels=256,
                                                       f_min=30.0, f_max=8000.0, power=1.0, norm="slaney",
                                                       mel_scale="htk", pad_mode="constant")
            f["torchaudio"] = lambda x: torch.log(torch.clamp(mel(torch.from_numpy(x)), min=1e-5))
        if librosa is not None:
            f["librosa"] = lambda x: np.log(np.maximum(librosa.feature.melspectrogram(
                y=x, sr=sr, n_fft=2048, hop_length=512, n_mels=256, fmin=30.0, fmax=8000.0, power=1.0, htk=True,
                norm="slaney"), 1e-5))
    else:
        t = spectro.MFCCTransform(sample_rate=sr, n_mfcc=13, n_fft=400, hop_length=160, n_mels=40, norm=None,
                                  mel_scale="htk", mode="torchaudio_compat")
        f["spectro"], f["spectro compiled"] = t, t.get_compiled()
        if torchaudio is not None:
            m = torchaudio.transforms.MFCC(sample_rate=sr, n_mfcc=13,
                                           melkwargs=dict(n_fft=400, hop_length=160, n_mels=40))
            f["torchaudio"] = lambda x: m(torch.from_numpy(x))
        if librosa is not None:
            f["librosa"] = lambda x: librosa.feature.mfcc(y=x, sr=sr, n_mfcc=13, n_fft=400, hop_length=160, n_mels=40,
                                                          htk=True, norm=None, pad_mode="reflect")
    return f


def time_row(name, sr, b, t, kind, mods, quick, rng):
    x = rng.standard_normal((b, t), dtype=np.float32) if b > 1 else rng.standard_normal(t, dtype=np.float32)
    fns = make(kind, sr, mods)
    inference = mods["torch"].inference_mode() if mods.get("torch") is not None else None
    if inference is not None:
        inference.__enter__()
    try:
        for fn in fns.values():  # warm-up
            fn(x)
        t0 = time.perf_counter()
        for fn in fns.values():
            fn(x)
        round_s = time.perf_counter() - t0
        reps = max(3, min(30 if not quick else 8, int((6.0 if not quick else 2.0) / max(round_s, 1e-6))))
        keys = list(fns)
        times = {k: [] for k in keys}
        gc.disable()
        for rep in range(reps):
            for i in range(len(keys)):
                k = keys[(rep + i) % len(keys)]
                s = time.perf_counter()
                out = fns[k](x)
                times[k].append((time.perf_counter() - s) * 1e3)
                del out
        gc.enable()
    finally:
        if inference is not None:
            inference.__exit__(None, None, None)
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = {k: med[k] / med["spectro"] for k in med if not k.startswith("spectro")}
    ratio.update({k + " vs compiled": med[k] / med["spectro compiled"] for k in med if not k.startswith("spectro")})
    return {"config": f"{name} B{b} T{t // 1000}k", "batch": b, "length": t, "reps": reps, "median_ms": med,
            "ratio_peer_over_spectro": ratio}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="B=1 rows only, fewer repetitions")
    ap.add_argument("--out", default=str(HERE / "results"))
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    mods = {}
    for name in ("torch", "torchaudio", "librosa"):
        try:
            mods[name] = __import__(name)
        except ImportError:
            print(f"bench_frontends: {name} not installed; skipped", file=sys.stderr)
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "little")
    rng = np.random.default_rng(seed)
    results = []
    for name, sr, b, t, kind in rows(args.quick):
        r = time_row(name, sr, b, t, kind, mods, args.quick, rng)
        print(f"  {r['config']}: " + ", ".join(f"{k} {v:.2f} ms" for k, v in r["median_ms"].items()), file=sys.stderr)
        results.append(r)
    peers = [p for p in ("torchaudio", "librosa") if p in mods]
    print(f"\nmedian ms (spectro: {spectro.get_num_threads()} threads; torch: "
          f"{mods['torch'].get_num_threads() if 'torch' in mods else '-'} threads)")
    head = ["config", "spectro", "compiled"] + peers + [f"{p}/spectro" for p in peers]
    table = []
    for r in results:
        m, q = r["median_ms"], r["ratio_peer_over_spectro"]
        table.append([r["config"], f"{m['spectro']:.2f}", f"{m['spectro compiled']:.2f}"]
                     + [f"{m[p]:.1f}" for p in peers] + [f"{q[p]:.1f}x" for p in peers])
    widths = [max(len(h), *(len(row[i]) for row in table)) for i, h in enumerate(head)]
    print("  ".join(h.ljust(w) for h, w in zip(head, widths)))
    for row in table:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)))
    info = {"cpu": platform.processor() or "", "nproc": os.cpu_count(), "spectro_threads": spectro.get_num_threads(),
            "versions": {k: getattr(v, "__version__", "?") for k, v in mods.items()} | {"spectro": spectro.__version__,
                                                                                          "numpy": np.__version__}}
    if "torch" in mods:
        info["torch_threads"] = mods["torch"].get_num_threads()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    path = out / f"{stamp}-{platform.node()}-frontends.json"
    path.write_text(json.dumps({"schema": 1, "date": datetime.now(timezone.utc).isoformat(), "seed": seed,
                                "quick": args.quick, "machine": info, "rows": results}, indent=1))
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
