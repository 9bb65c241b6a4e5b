"""Forward STFT against torch.stft, librosa.stft and float64 references.

Tolerances: float32 output vs a float64 reference (torch.stft on float64
input, or numpy float64) must be within 1e-6 relative L2 (SPEC accuracy
target); float64 output within 1e-12.  Against torch's own float32 output we
allow 2e-6: both sides carry ~1e-7 float32 FFT rounding.
"""
import numpy as np
import pytest

import spectro
from conftest import real_audio_clips, reference, rel_l2

N_FFTS = [256, 400, 511, 512, 1000, 1024, 2048]


def torch_stft(x64, n_fft, hop, win_length=None, window="hann", periodic=True, center=True,
               pad_mode="reflect", normalized=False):
    torch = reference("torch")
    wl = win_length or n_fft
    if window == "hann":
        w = torch.hann_window(wl, periodic=periodic, dtype=torch.float64)
    elif window == "hamming":
        w = torch.hamming_window(wl, periodic=periodic, dtype=torch.float64)
    elif window == "blackman":
        w = torch.blackman_window(wl, periodic=periodic, dtype=torch.float64)
    else:
        w = torch.ones(wl, dtype=torch.float64)
    return torch.stft(torch.from_numpy(np.asarray(x64, dtype=np.float64)), n_fft, hop, win_length=wl, window=w,
                      center=center, pad_mode=pad_mode, normalized=normalized, onesided=True,
                      return_complex=True).numpy()


@pytest.mark.parametrize("n_fft", N_FFTS)
@pytest.mark.parametrize("hop_div", [4, 2, 3])
@pytest.mark.parametrize("pad_mode", ["reflect", "constant"])
def test_stft_matches_torch_float64_reference(rng, n_fft, hop_div, pad_mode):
    hop = max(n_fft // hop_div, 1)
    T = int(rng.integers(3 * n_fft, 6 * n_fft))
    x = rng.standard_normal((3, T)).astype(np.float32)
    t = spectro.SpectralTransform(n_fft, hop, center_pad_mode=pad_mode)
    ref = torch_stft(x, n_fft, hop, pad_mode=pad_mode)
    got = t.stft(x)
    assert got.dtype == np.complex64 and got.shape == ref.shape
    assert rel_l2(got, ref) <= 1e-6
    got64 = t.stft(x.astype(np.float64))
    assert got64.dtype == np.complex128
    assert rel_l2(got64, ref) <= 1e-12


@pytest.mark.parametrize("n_fft,win_length", [(512, 400), (1024, 1000), (511, 300), (2048, 1023)])
@pytest.mark.parametrize("normalized", [False, True])
@pytest.mark.parametrize("window", ["hann", "hamming", "blackman", "rect"])
def test_stft_windows_win_length_normalized(rng, n_fft, win_length, normalized, window):
    hop = win_length // 4
    periodic = bool(rng.integers(0, 2))
    x = rng.standard_normal(5 * n_fft).astype(np.float32)
    t = spectro.SpectralTransform(n_fft, hop, win_length, window, periodic=periodic, normalized=normalized)
    ref = torch_stft(x, n_fft, hop, win_length, window, periodic, normalized=normalized)
    got = t.stft(x)
    assert got.shape == (1,) + ref.shape  # [T] -> [1, F, N] (the reference package's rule)
    assert rel_l2(got[0], ref) <= 1e-6


def test_stft_matches_torch_float32(rng):
    torch = reference("torch")
    x = rng.standard_normal((4, 48000)).astype(np.float32)
    got = spectro.SpectralTransform(1024, 256).stft(x)
    ref = torch.stft(torch.from_numpy(x), 1024, 256, window=torch.hann_window(1024), center=True,
                     return_complex=True).numpy()
    assert rel_l2(got, ref) <= 2e-6


@pytest.mark.parametrize("n_fft,hop", [(512, 128), (400, 160), (1000, 250), (1023, 256)])
def test_stft_center_false_matches_torch(rng, n_fft, hop):
    x = rng.standard_normal((2, 7 * n_fft + 13)).astype(np.float32)
    got = spectro.SpectralTransform(n_fft, hop, center=False).stft(x)
    ref = torch_stft(x, n_fft, hop, center=False)
    assert got.shape == ref.shape
    assert rel_l2(got, ref) <= 1e-6


@pytest.mark.parametrize("n_fft", [1021, 1323, 4410, 6144])
def test_stft_awkward_sizes(rng, n_fft):
    """Primes (Bluestein), 3^3 7^2, 2 3^2 5 7^2, 2^11 3."""
    hop = n_fft // 4
    x = rng.standard_normal(4 * n_fft + 5).astype(np.float32)
    got = spectro.SpectralTransform(n_fft, hop).stft(x)[0]
    ref = torch_stft(x, n_fft, hop)
    assert rel_l2(got, ref) <= 1e-6


@pytest.mark.parametrize("n_fft", N_FFTS)
@pytest.mark.parametrize("pad_mode", ["constant", "reflect"])
def test_stft_matches_librosa(rng, n_fft, pad_mode):
    librosa = reference("librosa")
    hop = n_fft // 4
    x = rng.standard_normal(int(rng.integers(4 * n_fft, 8 * n_fft)))
    ref = librosa.stft(x, n_fft=n_fft, hop_length=hop, window="hann", center=True, pad_mode=pad_mode)
    t = spectro.SpectralTransform(n_fft, hop, center_pad_mode=pad_mode)
    got = t.stft(x.astype(np.float32))[0]
    assert got.shape == ref.shape
    assert rel_l2(got, ref) <= 1e-6
    assert rel_l2(t.stft(x)[0], ref) <= 1e-12


def numpy_minimal_tail_stft(x, n_fft, hop, window):
    """float64 statement of the madmom-style minimal-tail rule (SPEC.md):
    n_fft//2 zeros on the left, frames = max(1, ceil(T / hop)), zeros on the
    right only as far as the last frame needs."""
    T = x.shape[-1]
    frames = max(1, -(-T // hop))
    pad_left = n_fft // 2
    pad_right = max(0, (frames - 1) * hop - pad_left + n_fft - T)
    xp = np.pad(x.astype(np.float64), (pad_left, pad_right))
    idx = np.arange(n_fft)[None, :] + hop * np.arange(frames)[:, None]
    return np.fft.rfft(xp[idx] * window, axis=-1).T


@pytest.mark.parametrize("n_fft,hop", [(2048, 441), (1024, 441), (8192, 4410), (512, 100), (400, 160)])
def test_stft_minimal_tail(rng, n_fft, hop):
    T = int(rng.integers(n_fft // 3, 6 * n_fft))
    x = rng.standard_normal(T).astype(np.float32)
    window = np.hanning(n_fft)  # madmom's window: symmetric Hann
    t = spectro.SpectralTransform(n_fft, hop, window=window, center_pad_mode="constant",
                                  center_tail_pad="minimal")
    got = t.stft(x)[0]
    ref = numpy_minimal_tail_stft(x, n_fft, hop, window)
    assert got.shape == ref.shape == (n_fft // 2 + 1, max(1, -(-T // hop)))
    assert rel_l2(got, ref) <= 1e-6


def test_layouts_and_ranks(rng):
    t = spectro.SpectralTransform(512, 128)
    x = rng.standard_normal((2, 3, 4000)).astype(np.float32)
    bfn = t.stft(x)
    bnf = t.stft(x, output_layout="bnf")
    assert bfn.shape == (2, 3, 257, 32) and bnf.shape == (2, 3, 32, 257)
    np.testing.assert_array_equal(np.swapaxes(bfn, -1, -2), bnf)
    for b in range(2):
        for c in range(3):
            np.testing.assert_array_equal(t.stft(np.ascontiguousarray(x[b, c]))[0], bfn[b, c])
    assert t.stft(x[0, 0].copy()).shape == (1, 257, 32)


def test_int16_input_is_scaled(rng):
    pcm = (rng.standard_normal(9000) * 5000).astype(np.int16)
    t = spectro.SpectralTransform(1024, 256)
    got = t.stft(pcm)
    ref = torch_stft(pcm / 32768.0, 1024, 256)
    assert got.dtype == np.complex64
    assert rel_l2(got[0], ref) <= 1e-6


@pytest.mark.parametrize("clip,sr", real_audio_clips())
@pytest.mark.parametrize("n_fft,hop", [(2048, 512), (400, 160), (1323, 441)])
def test_real_audio(clip, sr, n_fft, hop):
    librosa = reference("librosa")
    ref_torch = torch_stft(clip, n_fft, hop)
    got = spectro.SpectralTransform(n_fft, hop).stft(clip)[0]
    assert rel_l2(got, ref_torch) <= 1e-6
    ref_lib = librosa.stft(clip.astype(np.float64), n_fft=n_fft, hop_length=hop, pad_mode="constant")
    got = spectro.SpectralTransform(n_fft, hop, center_pad_mode="constant").stft(clip)[0]
    assert rel_l2(got, ref_lib) <= 1e-6


def test_short_signals_constant_pad(rng):
    """Constant padding serves signals shorter than n_fft/2 (reflect cannot)."""
    x = rng.standard_normal(37).astype(np.float32)
    got = spectro.SpectralTransform(512, 128, center_pad_mode="constant").stft(x)[0]
    ref = torch_stft(x, 512, 128, pad_mode="constant")
    assert got.shape == ref.shape
    assert rel_l2(got, ref) <= 1e-6


def _bluestein_kernels(monkeypatch, kernels):
    """Transforms made next take the SIMD lane kernels (their Bluestein runs
    a block's frames lane-parallel in double, float32 odd sizes two frames a
    lane) or the scalar ones (SPECTRO_SIMD=scalar: a frame at a time)."""
    if kernels == "scalar":
        monkeypatch.setenv("SPECTRO_SIMD", "scalar")
    else:
        monkeypatch.delenv("SPECTRO_SIMD", raising=False)


@pytest.mark.parametrize("kernels", ["lanes", "scalar"])
@pytest.mark.parametrize("n_fft,hop", [(1021, 255), (1773, 443), (397, 1), (1021, 1021), (1772, 443)])
@pytest.mark.parametrize("layout", ["bfn", "bnf"])
def test_odd_bluestein_frame_pairs(rng, monkeypatch, n_fft, hop, layout, kernels):
    """Sizes with a large prime factor (Bluestein), on both kernel families:
    the SIMD lane kernels (a block's frames lane-parallel, in double; float32
    odd sizes two frames a lane, x_a + i x_b split by symmetry; float64 a
    frame a lane, which keeps 1e-12 per frame) and the scalar ones (a frame
    at a time).  Odd and even frame counts; examples whose frames differ in
    level by up to 1e6, so a frame's error must stay relative to its own
    energy, not its partner's: every frame within 1e-6 (float32) / 1e-12
    (float64) of torch.stft in float64, and the iSTFT within the same of
    torch.istft."""
    _bluestein_kernels(monkeypatch, kernels)
    k = spectro.SpectralTransform(n_fft, hop).kernels
    assert (k == "scalar") == (kernels == "scalar"), k
    for T in (int(rng.integers(3 * n_fft, 5 * n_fft)), int(rng.integers(3 * n_fft, 5 * n_fft))):
        x = rng.standard_normal((2, T))
        seg = min(hop, n_fft) if hop > 1 else n_fft  # levels 1e-6..1 by hops: neighbouring frames differ
        x[1] *= np.repeat(10.0 ** rng.uniform(-6, 0, T // seg + 1), seg)[:T]
        ref = np.stack([torch_stft(x[b], n_fft, hop) for b in range(2)])  # [B, F, N]
        t = spectro.SpectralTransform(n_fft, hop)
        for dtype, tol in ((np.float32, 1e-6), (np.float64, 1e-12)):
            got = t.stft(x.astype(dtype), output_layout=layout)
            if layout == "bnf":
                got = np.swapaxes(got, 1, 2)
            assert got.shape == ref.shape
            for b in range(2):
                for f in range(ref.shape[2]):
                    if np.any(ref[b, :, f]):
                        assert rel_l2(got[b, :, f], ref[b, :, f]) <= tol, (dtype, b, f)
            if hop > n_fft // 2:
                continue  # (a Hann window at hop >= n_fft / 2 does not cover every sample)
            torch = reference("torch")
            z = ref if layout == "bfn" else np.ascontiguousarray(np.swapaxes(ref, 1, 2))
            y = t.istft(z.astype(np.complex64 if dtype == np.float32 else np.complex128), length=T,
                        input_layout=layout)
            w = torch.hann_window(n_fft, dtype=torch.float64)
            yref = torch.istft(torch.from_numpy(ref), n_fft, hop, window=w, length=T).numpy()
            for b in range(2):
                assert rel_l2(y[b], yref[b]) <= tol, (dtype, b)


@pytest.mark.parametrize("kernels", ["lanes", "scalar"])
@pytest.mark.parametrize("n_fft", [1021, 1024])  # odd Bluestein, and a mixed-radix size
def test_nonfinite_and_silent_frames_stay_their_own(rng, monkeypatch, n_fft, kernels):
    """A NaN or infinity reaches only the frames that contain it, as in
    torch.stft, and frames of digital silence come out exactly zero: frames
    that share a transform (odd Bluestein sizes) must not leak into each
    other.  The iSTFT likewise: an infinite frame past the output's end
    changes nothing, a NaN frame only its own samples.  Both kernel
    families (the lane kernels pair float32 frames at odd sizes)."""
    _bluestein_kernels(monkeypatch, kernels)
    torch = reference("torch")
    t = spectro.SpectralTransform(n_fft, n_fft, center=False)
    x = rng.standard_normal((1, 8 * n_fft)).astype(np.float32)
    x[0, : 2 * n_fft] = 0  # frames 0 and 1 silent
    bad = int(rng.integers(3, 8))
    x[0, bad * n_fft + int(rng.integers(0, n_fft))] = np.nan
    got = t.stft(x)[0]
    ref = torch.stft(torch.from_numpy(x), n_fft, n_fft, window=torch.hann_window(n_fft), center=False,
                     return_complex=True).numpy()[0]
    np.testing.assert_array_equal(np.isnan(got).any(0), np.isnan(ref).any(0))
    assert list(np.where(np.isnan(got).any(0))[0]) == [bad]
    assert (got[:, :2] == 0).all()
    # inverse: hop n/4, a frame past the output's end set to infinity, one inside to NaN
    t = spectro.SpectralTransform(n_fft, n_fft // 4)
    x = rng.standard_normal((1, 8 * n_fft)).astype(np.float32)
    z = t.stft(x)
    length = 4 * n_fft
    clean = t.istft(z, length=length)
    z[0, :, 19] = np.inf  # frame 19 starts past sample 4 n_fft + n_fft / 2
    np.testing.assert_array_equal(t.istft(z, length=length), clean)
    z[0, :, 9] = np.nan
    y = t.istft(z, length=length)
    lo = 9 * (n_fft // 4) - n_fft // 2  # frame 9's samples (centred): [lo, lo + n_fft)
    hi = lo + n_fft
    nan_at = np.where(np.isnan(y[0]))[0]
    assert nan_at.min() >= lo and nan_at.max() < hi
    np.testing.assert_array_equal(y[0, :lo], clean[0, :lo])
    np.testing.assert_array_equal(y[0, hi:], clean[0, hi:])
