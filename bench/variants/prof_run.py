import sys, torch, spectro
which = sys.argv[1]
torch.manual_seed(0)
if which == "mel":
    f = spectro.MelSpectrogramTransform(sample_rate=24000, n_fft=2048, hop_length=240, n_mels=128, top_db=80.0,
                                        mode="torchaudio_compat")
    x = torch.randn(8, 480000, device="cuda")
    for _ in range(4): f(x)
elif which == "mfcc":
    f = spectro.MFCCTransform(sample_rate=16000, n_mfcc=13, n_fft=400, hop_length=160, n_mels=40, norm=None,
                              top_db=80.0, mode="torchaudio_compat")
    x = torch.randn(8, 480000, device="cuda")
    for _ in range(4): f(x)
else:  # stft / istft: B8 T480k n_fft 1024; stft2048 / istft2048: B16 T441k n_fft 2048
    n, b, t = (2048, 16, 441000) if which.endswith("2048") else (1024, 8, 480000)
    tr = spectro.SpectralTransform(n, n // 4)
    x = torch.randn(b, t, device="cuda")
    z = tr.stft(x)
    for _ in range(4):
        tr.stft(x) if which.startswith("stft") else tr.istft(z, length=t)
torch.cuda.synchronize()
