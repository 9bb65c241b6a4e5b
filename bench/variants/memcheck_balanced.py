"""compute-sanitizer --tool memcheck python3 bench/variants/memcheck_balanced.py: quarter-hop iSTFT calls large enough for the balanced one-wave
geometry (kr or kr + 1 rounds a block), both layouts and [B, F, N] memory, odd and even lengths,
both centre rules, n_fft 512..4096."""
import torch, spectro
torch.manual_seed(5)
for n, b, lengths in ((512, 24, (64000, 64003)), (1024, 16, (160000, 160001)), (2048, 8, (160000, 160513)),
                      (4096, 8, (240000, 240007))):
    for T in lengths:
        for center in (True, False):
            tr = spectro.SpectralTransform(n, n // 4, center=center)
            x = torch.randn(b, T, device="cuda")
            for lay in ("bfn", "bnf"):
                z = tr.stft(x, output_layout=lay)
                y = tr.istft(z, length=T, input_layout=lay)
            zc = tr.stft(x, contiguous=True)
            y2 = tr.istft(zc, length=T)
            e = float((y - y2).abs().max())
            print(n, b, T, center, "max |bnf - [B,F,N]| iSTFT", e)
torch.cuda.synchronize(); print("memcheck_bal done")
