"""A short compute-sanitizer workload for the register-FFT STFT and iSTFT kernels (n_fft 512 to
4096, hop n_fft / 4: the quarter-hop iSTFT with own blocks where the call is large enough; both
layouts, [B, F, N] memory too; odd and even frame counts, both centre rules, float16 input):
    compute-sanitizer --tool memcheck python3 bench/variants/memcheck_quick.py [balanced]
`balanced`: calls large enough for the quarter-hop iSTFT's one-wave geometry at every size (blocks
of kr or kr + 1 rounds, SPECTRO_ISTFT_BALANCE), printing how far the [frames][bins] and [B, F, N]
inputs' iSTFTs differ.  The full workload is memcheck.py."""
import sys
import torch, spectro
balanced = "balanced" in sys.argv[1:]
torch.manual_seed(5 if balanced else 2)
cases = (((512, 24, (64000, 64003)), (1024, 16, (160000, 160001)), (2048, 8, (160000, 160513)),
          (4096, 8, (240000, 240007))) if balanced else
         ((512, 4, (64000, 64001)), (1024, 3, (160000, 160001, 48077, 5000)), (2048, 8, (160000, 160513)),
          (4096, 8, (240000,))))
for n, b, lengths in cases:
    for T in lengths:
        for center in (True, False):
            tr = spectro.SpectralTransform(n, n // 4, center=center)
            x = torch.randn(b, T, device="cuda")
            for lay in ("bfn", "bnf"):
                z = tr.stft(x, output_layout=lay)
                y = tr.istft(z, length=T, input_layout=lay)
            zc = tr.stft(x, contiguous=True)
            y2 = tr.istft(zc, length=T)
            if balanced:
                print(n, b, T, center, "max |bnf - [B,F,N]| iSTFT", float((y - y2).abs().max()))
            else:
                tr.stft(x.half(), output_layout="bnf")
torch.cuda.synchronize(); print("memcheck_bal done" if balanced else "memcheck_quick done")
