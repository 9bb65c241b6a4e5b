"""Per-kernel GPU time (torch.profiler, CUDA activity) of one spectro build on the frontend and
STFT / iSTFT rows: which kernel of a multi-kernel call (frontend + DCT / clip, iSTFT edge
clearing + iSTFT) takes the time.  python3 kernel_times.py  (PYTHONPATH picks the build)."""
import collections
import torch, spectro
from torch.profiler import profile, ProfilerActivity

torch.manual_seed(0)
mel = spectro.MelSpectrogramTransform(sample_rate=24000, n_fft=2048, hop_length=240, n_mels=128, top_db=80.0,
                                      mode="torchaudio_compat")
mfcc = spectro.MFCCTransform(sample_rate=16000, n_mfcc=13, n_fft=400, hop_length=160, n_mels=40, norm=None,
                             top_db=80.0, mode="torchaudio_compat")
mfcc_nodb = spectro.MFCCTransform(sample_rate=16000, n_mfcc=13, n_fft=400, hop_length=160, n_mels=40, norm=None,
                                  top_db=None, mode="torchaudio_compat")
rows = []
for name, f in [("mel", mel), ("mfcc", mfcc), ("mfcc no top_db", mfcc_nodb)]:
    for b, t in [(1, 480000), (8, 480000), (32, 160000)]:
        x = torch.randn(b, t, device="cuda")
        rows.append((f"{name} B{b}T{t//1000}k", lambda f=f, x=x: f(x)))
tr = spectro.SpectralTransform(1024, 256)
x = torch.randn(8, 480000, device="cuda"); z = tr.stft(x)
rows.append(("stft B8T480k n1024", lambda: tr.stft(x)))
rows.append(("istft B8T480k n1024", lambda: tr.istft(z, length=480000)))
for name, fn in rows:
    for _ in range(5): fn()
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as p:
        for _ in range(20): fn()
        torch.cuda.synchronize()
    acc = collections.defaultdict(float)
    for e in p.events():
        if e.device_type == torch.autograd.DeviceType.CUDA:
            acc[e.name[:60]] += e.device_time / 20
    tot = sum(acc.values())
    print(f"{name}: total {tot:.1f} us | " + " | ".join(f"{k} {v:.1f}" for k, v in sorted(acc.items(), key=lambda kv: -kv[1])))
