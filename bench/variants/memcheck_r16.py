"""compute-sanitizer workload for the n_fft 2048 quarter-hop iSTFT on [frames][bins] (the 16-points kernel,
istft_r16), own blocks:  compute-sanitizer --tool memcheck|racecheck python3 bench/variants/memcheck_r16.py"""
torch.manual_seed(5)
for T, center, dl in ((160000, True, 0), (160001, True, 501), (160000, False, -1998), (9000 * 64 + 17, True, 1)):
    tr = spectro.SpectralTransform(2048, 512, center=center)
    x = torch.randn(8, T, device="cuda")
    z = tr.stft(x, output_layout="bnf")
    L = T + dl
    if L % 2: L += 1
    y = tr.istft(z, length=L, input_layout="bnf")
    y2 = tr.istft(z.transpose(1, 2), length=L)  # torch.stft's view of bnf memory
    assert torch.equal(y, y2)
torch.cuda.synchronize(); print("rc_r16 done")
