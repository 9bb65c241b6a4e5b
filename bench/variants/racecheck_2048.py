"""A short compute-sanitizer workload for the n_fft 2048 STFT / iSTFT on [frames][bins] (the radix-32
STFT kernel where SPECTRO_STFT_R32 is 1: edge frames staged in shared memory, float16 input):
    compute-sanitizer --tool racecheck python3 bench/variants/racecheck_2048.py"""
import torch, spectro
torch.manual_seed(3)
for T, center in ((160000, True), (160000, False), (9000, True)):
    tr = spectro.SpectralTransform(2048, 512, center=center)
    x = torch.randn(3, T, device="cuda")
    z = tr.stft(x, output_layout="bnf")
    tr.stft(x.half(), output_layout="bnf")
    tr.istft(z, length=T, input_layout="bnf")
torch.cuda.synchronize(); print("rc2048 done")
