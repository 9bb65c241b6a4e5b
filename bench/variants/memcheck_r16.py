"""compute-sanitizer workload for the quarter-hop iSTFT on [frames][bins] with 16 points a thread
(istft_r16: n_fft 2048 and 1024), own blocks, several lengths and both centre rules:
    compute-sanitizer --tool memcheck|racecheck python3 bench/variants/memcheck_r16.py"""
import torch, spectro
from spectro import _spectro
torch.manual_seed(5)
for n_fft, batch in ((2048, 8), (1024, 4)):
    hop = n_fft // 4
    for T, center, dl in ((160000, True, 0), (160001, True, 501), (160000, False, -1998), (9000 * 64 + 17, True, 1)):
        tr = spectro.SpectralTransform(n_fft, hop, center=center)
        x = torch.randn(batch, T, device="cuda")
        z = tr.stft(x, output_layout="bnf")
        L = T + dl
        if L % 2: L += 1
        y = tr.istft(z, length=L, input_layout="bnf")
        y2 = tr.istft(z.transpose(1, 2), length=L)  # torch.stft's view of bnf memory
        assert torch.equal(y, y2)
        assert _spectro.cuda_last_variant() in ("stream_loads", "cached_loads"), _spectro.cuda_last_variant()
torch.cuda.synchronize(); print("rc_r16 done")
