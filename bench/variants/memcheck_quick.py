"""A short compute-sanitizer workload for the register-FFT STFT and iSTFT kernels (n_fft 512 to
4096, hop n_fft / 4: the quarter-hop iSTFT with own blocks where the call is large enough; both
layouts, [B, F, N] memory too; odd and even frame counts, both centre rules, float16 input):
    compute-sanitizer --tool memcheck python3 bench/variants/memcheck_quick.py
The full workload is memcheck.py."""
import torch, spectro
torch.manual_seed(2)
for n, b, lengths in ((512, 4, (64000, 64001)), (1024, 3, (160000, 160001, 48077, 5000)),
                      (2048, 8, (160000, 160513)), (4096, 8, (240000,))):
    for T in lengths:
        for center in (True, False):
            tr = spectro.SpectralTransform(n, n // 4, center=center)
            x = torch.randn(b, T, device="cuda")
            for lay in ("bfn", "bnf"):
                z = tr.stft(x, output_layout=lay)
                tr.istft(z, length=T, input_layout=lay)
            zc = tr.stft(x, contiguous=True)
            tr.istft(zc, length=T)
            tr.stft(x.half(), output_layout="bnf")
torch.cuda.synchronize(); print("memcheck_quick done")
