"""Times one spectro build (PYTHONPATH picks it) on the CUDA rows that matter (STFT / iSTFT,
mel-dB, MFCC; eager and graph replay; CPU microseconds per eager call); prints one RESULT JSON
line tagged with argv[1].  Driven by variants.sh.  QUICK_ONLY=stft: the STFT / iSTFT rows alone;
QUICK_ROWS=BxTxN,...: only those STFT / iSTFT rows."""
import json, os, sys, time
import torch, spectro

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # bench/
from bench_cuda import graphed, iterations, time_loop as _time_loop  # noqa: E402


def time_loop(fn, iters):
    return _time_loop(fn, iters, reps=9)



torch.manual_seed(0)
res = {}
# QUICK_ROWS=8x480000x1024,16x441000x2048: those rows alone
rows = [(8, 480000, 400), (1, 16000, 512), (4, 160000, 1024), (8, 480000, 1024), (4, 1323000, 1024), (16, 441000, 2048)]
if os.environ.get("QUICK_ROWS"):
    rows = [tuple(int(v) for v in r.split("x")) for r in os.environ["QUICK_ROWS"].split(",")]
for b, t, n in rows:
    x = torch.randn(b, t, device="cuda"); tr = spectro.SpectralTransform(n, n // 4)
    z = tr.stft(x); it = iterations(b, t)
    key = f"B{b}T{t}" if os.environ.get("QUICK_ROWS") else f"B{b}T{t//1000}k n{n}"
    res[key + " stft"] = time_loop(lambda: tr.stft(x), it)
    res[key + " stft_g"] = time_loop(graphed(lambda: tr.stft(x)), it)
    res[key + " istft"] = time_loop(lambda: tr.istft(z, length=t), it)
    res[key + " istft_g"] = time_loop(graphed(lambda: tr.istft(z, length=t)), it)
    if (n == 1024 and b == 8) or os.environ.get("QUICK_ROWS"):
        res[key + " stft_bnf_g"] = time_loop(graphed(lambda: tr.stft(x, output_layout="bnf")), it)
        zb = tr.stft(x, output_layout="bnf")
        res[key + " istft_bnf_g"] = time_loop(graphed(lambda: tr.istft(zb, length=t, input_layout="bnf")), it)
        # [B, F, N] memory (the bfn kernels; the default bfn result is a view of bnf memory)
        res[key + " stft_bfnc_g"] = time_loop(graphed(lambda: tr.stft(x, contiguous=True)), it)
        zc = tr.stft(x, contiguous=True)
        res[key + " istft_bfnc_g"] = time_loop(graphed(lambda: tr.istft(zc, length=t)), it)
if os.environ.get("QUICK_ONLY") == "stft":
    print("RESULT " + json.dumps({"variant": sys.argv[1], **res}))
    sys.exit(0)
mel = spectro.MelSpectrogramTransform(sample_rate=24000, n_fft=2048, hop_length=240, n_mels=128, top_db=80.0,
                                      mode="torchaudio_compat")
mf = spectro.MFCCTransform(sample_rate=16000, n_mfcc=13, n_fft=400, hop_length=160, n_mels=40, norm=None,
                           top_db=80.0, mode="torchaudio_compat")
for name, f in [("mel", mel), ("mfcc", mf)]:
    for b, t in [(1, 480000), (8, 480000), (32, 160000)]:
        x = torch.randn(b, t, device="cuda"); it = iterations(b, t)
        res[f"{name} B{b}T{t//1000}k"] = time_loop(lambda: f(x), it)
        res[f"{name} B{b}T{t//1000}k_g"] = time_loop(graphed(lambda: f(x)), it)
# top_db with digital silence in every tile of 128 frames (each example: 4000 zeros every 20000
# samples): the top_db pass rewrites every tile, its slowest case (randn inputs: no tile)
for name, f, t in [("mel", mel, 480000), ("mfcc", mf, 480000)]:
    x = torch.randn(8, t, device="cuda")
    x.view(8, -1, 20000)[:, :, :4000] = 0
    res[f"{name} B8T{t//1000}k silence_g"] = time_loop(graphed(lambda: f(x)), iterations(8, t))
# CPU cost of one eager call (tiny input: the GPU never waits for us)
x = torch.randn(1, 4096, device="cuda"); tr = spectro.SpectralTransform(512, 128); z = tr.stft(x)
for name, fn in [("cpu_us stft", lambda: tr.stft(x)), ("cpu_us istft", lambda: tr.istft(z, length=4096)),
                 ("cpu_us torch.stft", lambda: torch.stft(x, 512, 128, window=torch.hann_window(512, device="cuda"), return_complex=True)),
                 ("cpu_us mel", lambda: mel(x))]:
    for _ in range(200): fn()
    torch.cuda.synchronize(); c = time.perf_counter()
    for _ in range(2000): fn()
    res[name] = (time.perf_counter() - c) / 2000 * 1e6
    torch.cuda.synchronize()
print("RESULT " + json.dumps({"variant": sys.argv[1], **res}))
