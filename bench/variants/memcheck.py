"""A short CUDA workload for compute-sanitizer (memcheck / racecheck): STFT and iSTFT at
n_fft 400..4096, odd lengths, both layouts, both centre rules, three mel configurations and
the MFCC (n_fft 400) with and without top_db, the top_db passes by tiles (with digital silence)
and the MFCC's DCT pass (tiles; a thread per value for 1100 bands)."""
import numpy as np, torch, spectro
torch.manual_seed(1)
for n in (512, 1024, 2048, 4096, 400):
    for T in (n * 3 + 7, 20000 + 13, 48000):
        for center in (True, False):
            tr = spectro.SpectralTransform(n, n // 4, center=center)
            x = torch.randn(3, T, device="cuda")
            for lay, c in (("bfn", False), ("bfn", True), ("bnf", False)):  # (bfn: a view of bnf memory)
                z = tr.stft(x, output_layout=lay, contiguous=c)
                y = tr.istft(z, length=T, input_layout=lay)
# calls large enough for the iSTFT blocks that own their frames (edges added atomically)
for n, hop, T in ((512, 128, 77777), (1024, 256, 160001), (2048, 441, 300000), (2048, 512, 300001),
                  (4096, 1024, 620001)):
    for center in (True, False):
        tr = spectro.SpectralTransform(n, hop, center=center)
        x = torch.randn(8, T, device="cuda")
        for lay, c in (("bfn", True), ("bnf", False)):  # (even lengths: the quarter-hop kernel at hop = n_fft / 4)
            for L in (T + 99, T, T - 3001):
                tr.istft(tr.stft(x, output_layout=lay, contiguous=c), length=L, input_layout=lay)
for n, hop in ((2048, 240), (1024, 256), (512, 160)):
    m = spectro.MelSpectrogramTransform(sample_rate=24000, n_fft=n, hop_length=hop, n_mels=64, top_db=80.0)
    m(torch.randn(2, 30011, device="cuda"))
for top_db in (80.0, None):
    m = spectro.MFCCTransform(sample_rate=16000, n_mfcc=20, n_fft=400, hop_length=160, n_mels=40, top_db=top_db)
    m(torch.randn(3, 16001, device="cuda"))
# the top_db pass by tiles (digital silence: some tiles clip, others not) and the MFCC DCT pass by
# tiles (40 and 128 bands) and a thread per value (1100 bands)
x = torch.randn(2, 300007, device="cuda"); x[0, 50000:90000] = 0
for n, hop in ((2048, 240), (400, 160), (1000, 250)):
    spectro.MelSpectrogramTransform(sample_rate=24000, n_fft=n, hop_length=hop, n_mels=64, top_db=80.0)(x)
for n, mels, k in ((400, 40, 13), (2048, 128, 20), (4096, 1100, 20)):
    spectro.MFCCTransform(sample_rate=44100, n_mfcc=k, n_fft=n, hop_length=n // 4, n_mels=mels, norm=None,
                          top_db=80.0)(x[:, :100003].contiguous())
torch.cuda.synchronize(); print("memcheck script done")
