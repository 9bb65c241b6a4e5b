"""A short compute-sanitizer workload for the n_fft 1024 STFT and iSTFT (both layouts, odd and
even frame counts, both centre rules, float16 input): the last-pass shuffle of the [frames][bins]
STFT (reg_last_pass_real_shfl)."""
import torch, spectro
torch.manual_seed(2)
for T in (160000, 160001, 48000 + 77, 5000):
    for center in (True, False):
        tr = spectro.SpectralTransform(1024, 256, center=center)
        x = torch.randn(3, T, device="cuda")
        for lay in ("bfn", "bnf"):
            z = tr.stft(x, output_layout=lay)
            tr.istft(z, length=T, input_layout=lay)
        tr.stft(x.half(), output_layout="bnf")
torch.cuda.synchronize(); print("mc_small done")
