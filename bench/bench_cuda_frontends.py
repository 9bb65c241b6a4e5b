#!/usr/bin/env python3
"""GPU benchmark of the fused CUDA frontends next to torchaudio on the same
device tensors (issue rows): mel-dB (24 kHz, n_fft 2048, hop 240, 128 mels,
top_db 80) and MFCC (16 kHz, 13 coefficients, n_fft 400, hop 160, 40 mels)
on B1 T480k, B8 T480k, B32 T160k.

    PYTHONPATH=python python3 bench/bench_cuda_frontends.py [--out DIR]

Eager: a loop of calls between two CUDA events, divided; graph: the same
call captured in a CUDA graph and replayed (spectro: get_compiled(), which
copies the input into the graph's buffer; torchaudio: captured by hand).
The memory floor is (signal + features bytes) / the device-to-device copy
bandwidth of this run; speedup_graph is torchaudio's graph over spectro's.  Prints a table last; writes JSON."""
import sys
from pathlib import Path

import torch
import torchaudio

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_cuda import device_info, graphed, iterations, log_row, start, time_loop, write_results  # noqa: E402

import spectro  # noqa: E402

ROWS = [(1, 480000), (8, 480000), (32, 160000)]


def frontends():
    mel_ta = torchaudio.transforms.MelSpectrogram(sample_rate=24000, n_fft=2048, hop_length=240, n_mels=128).cuda()
    db_ta = torchaudio.transforms.AmplitudeToDB("power", top_db=80.0).cuda()
    mel_sp = spectro.MelSpectrogramTransform(sample_rate=24000, n_fft=2048, hop_length=240, n_mels=128,
                                             top_db=80.0, mode="torchaudio_compat")
    mfcc_ta = torchaudio.transforms.MFCC(sample_rate=16000, n_mfcc=13,
                                         melkwargs=dict(n_fft=400, hop_length=160, n_mels=40)).cuda()
    mfcc_sp = spectro.MFCCTransform(sample_rate=16000, n_mfcc=13, n_fft=400, hop_length=160, n_mels=40, norm=None,
                                    mel_scale="htk", mode="torchaudio_compat")
    return [("mel-dB", lambda x: db_ta(mel_ta(x)), mel_sp), ("MFCC", mfcc_ta, mfcc_sp)]


def main():
    args, bw = start("spectro CUDA frontends vs torchaudio")
    rows = []
    for name, ta, sp in frontends():
        compiled = sp.get_compiled()
        for b, t in ROWS:
            x = torch.randn(b, t, device="cuda")
            ref, got = ta(x), sp(x)
            err = (got - ref).abs().max().item()
            iters = iterations(b, t)
            r = {"config": f"{name} B{b} T{t // 1000}k", "iters": iters, "max_abs_vs_torchaudio": err}
            r["torchaudio"] = time_loop(lambda: ta(x), iters)
            r["spectro"] = time_loop(lambda: sp(x), iters)
            try:
                r["torchaudio_graph"] = time_loop(graphed(lambda: ta(x)), iters)
            except Exception as e:  # noqa: BLE001 - report, do not fail the run
                print(f"  torchaudio graph capture failed: {e}", file=sys.stderr)
                r["torchaudio_graph"] = float("nan")
            compiled(x)
            r["spectro_graph"] = time_loop(lambda: compiled(x), iters)
            buf = compiled.static_input(x)
            buf.copy_(x)
            r["spectro_graph_static_input"] = time_loop(lambda: compiled(buf), iters)
            r["floor"] = (x.numel() + got.numel()) * 4 / bw * 1e3
            r["speedup"] = r["torchaudio"] / r["spectro"]
            r["speedup_graph"] = r["torchaudio_graph"] / r["spectro_graph_static_input"]
            r["spectro_over_floor"] = r["spectro_graph_static_input"] / r["floor"]
            rows.append(r)
            log_row(r)
    info = device_info(bw, torchaudio=torchaudio.__version__)
    path = write_results(args.out, "cuda-frontends", info, rows)
    print(f"\n{info['device']}, torch {info['torch']}, torchaudio {info['torchaudio']}, copy {bw / 1e12:.2f} TB/s; "
          "ms, medians of CUDA events")
    print("config              torchaudio spectro    x   | graph: torchaudio spectro(copy) spectro  floor  x   x-floor")
    for r in rows:
        print(f"{r['config']:<19} {r['torchaudio']:9.4f} {r['spectro']:8.4f} {r['speedup']:5.1f} | "
              f"{r['torchaudio_graph']:15.4f} {r['spectro_graph']:13.4f} {r['spectro_graph_static_input']:7.4f} "
              f"{r['floor']:6.4f} {r['speedup_graph']:5.1f} {r['spectro_over_floor']:5.1f}")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
