"""Inverse STFT against torch.istft and librosa.istft, round trips, lengths
and the window-coverage (NOLA) check.

Tolerances: float32 results vs the float64 reference within 1e-6 relative
L2 (the float32 rounding of the spectrum and of the FFT); float64 within
1e-12.
"""
import warnings

import numpy as np
import pytest

import spectro
from conftest import real_audio_clips, reference, rel_l2


def torch_istft(z, n_fft, hop, win_length=None, window="hann", center=True, normalized=False, length=None):
    torch = reference("torch")
    wl = win_length or n_fft
    w = torch.hann_window(wl, dtype=torch.float64) if window == "hann" else torch.hamming_window(
        wl, dtype=torch.float64)
    zz = torch.from_numpy(np.asarray(z, dtype=np.complex128))
    with warnings.catch_warnings():  # torch's note that a long length is zero-filled
        warnings.filterwarnings("ignore", message="The length of signal is shorter")
        return torch.istft(zz, n_fft, hop, win_length=wl, window=w, center=center, normalized=normalized,
                           length=length).numpy()


CONFIGS = [  # n_fft, hop, win_length, window, normalized
    (512, 128, None, "hann", False),
    (400, 160, None, "hann", False),
    (1024, 256, 1000, "hann", True),
    (2048, 512, None, "hamming", False),
    (1000, 250, None, "hann", False),
    (511, 127, 400, "hann", True),
    (256, 64, None, "hamming", True),
]


@pytest.mark.parametrize("n_fft,hop,wl,window,normalized", CONFIGS)
@pytest.mark.parametrize("length_mode", ["natural", "shorter", "longer", "exact"])
def test_istft_matches_torch(rng, n_fft, hop, wl, window, normalized, length_mode):
    T = int(rng.integers(4 * n_fft, 8 * n_fft))
    x = rng.standard_normal((3, T))
    t = spectro.SpectralTransform(n_fft, hop, wl, window, normalized=normalized)
    z64 = t.stft(x)
    length = {"natural": None, "shorter": T - 3 * hop - 7, "longer": T + 2 * n_fft + 5, "exact": T}[length_mode]
    try:
        ref = torch_istft(z64, n_fft, hop, wl, window, normalized=normalized, length=length)
    except RuntimeError:
        # torch refuses when the asked-for length reaches past the last
        # window's support (win_length < n_fft): so must torch_like=True
        with pytest.raises(RuntimeError, match="window overlap"):
            t.istft(z64, length=length, torch_like=True)
        return
    got64 = t.istft(z64, length=length)
    assert got64.dtype == np.float64 and got64.shape == ref.shape
    assert rel_l2(got64, ref) <= 1e-12
    got32 = t.istft(z64.astype(np.complex64), length=length)
    assert got32.dtype == np.float32 and got32.shape == ref.shape
    # float32 is compared over the signal itself: past its end (length > T)
    # the envelope decays towards 0 and dividing by it amplifies float32
    # rounding for every implementation (torch's float32 istft errs by
    # 1e-5..1e-4 relative there too); the float64 check above covers it.
    m = min(T, ref.shape[-1])
    assert rel_l2(got32[..., :m], ref[..., :m]) <= 1e-6


@pytest.mark.parametrize("n_fft,hop", [(512, 128), (1024, 256), (400, 100), (2048, 512)])
@pytest.mark.parametrize("with_length", [False, True])
def test_istft_matches_librosa(rng, n_fft, hop, with_length):
    librosa = reference("librosa")
    T = int(rng.integers(3 * n_fft, 9 * n_fft))
    z = librosa.stft(rng.standard_normal(T), n_fft=n_fft, hop_length=hop, pad_mode="constant")
    length = T if with_length else None
    ref = librosa.istft(z, hop_length=hop, n_fft=n_fft, length=length)
    t = spectro.SpectralTransform(n_fft, hop, center_pad_mode="constant")
    got = t.istft(np.ascontiguousarray(z), length=length)
    assert got.shape == ref.shape
    assert rel_l2(got, ref) <= 1e-12
    got32 = t.istft(np.ascontiguousarray(z, dtype=np.complex64), length=length)
    assert rel_l2(got32, ref) <= 1e-6


@pytest.mark.parametrize("n_fft,hop", [(512, 128), (1024, 256), (2048, 512), (400, 160), (1323, 441)])
def test_round_trip_no_worse_than_torch(rng, n_fft, hop):
    """SPEC: round-trip error on unit-normal input no worse than torch's.
    Both run in float32 on the same input; we allow 10% for rounding noise
    between two float32 pipelines of equal depth."""
    torch = reference("torch")
    x = rng.standard_normal((4, 60000)).astype(np.float32)
    t = spectro.SpectralTransform(n_fft, hop)
    ours = t.istft(t.stft(x), length=x.shape[-1])
    w = torch.hann_window(n_fft)
    xt = torch.from_numpy(x)
    theirs = torch.istft(torch.stft(xt, n_fft, hop, window=w, return_complex=True), n_fft, hop, window=w,
                         length=x.shape[-1]).numpy()
    e_ours, e_torch = rel_l2(ours, x), rel_l2(theirs, x)
    print(f"round trip n_fft={n_fft}: spectro {e_ours:.3g}, torch {e_torch:.3g}")
    assert e_ours <= 1.1 * e_torch


@pytest.mark.parametrize("clip,sr", real_audio_clips())
def test_real_audio_round_trip(clip, sr):
    t = spectro.SpectralTransform(2048, 512)
    y = t.istft(t.stft(clip), length=clip.shape[-1])[0]
    assert rel_l2(y, clip) <= 1e-6
    ref = torch_istft(t.stft(clip.astype(np.float64)), 2048, 512, length=clip.shape[-1])[0]
    assert rel_l2(y, ref) <= 1e-6


def test_ranks_and_layouts(rng):
    t = spectro.SpectralTransform(512, 128)
    x = rng.standard_normal((2, 3, 5000)).astype(np.float32)
    z = t.stft(x, output_layout="bnf")
    y = t.istft(z, length=5000, input_layout="bnf")
    assert y.shape == (2, 3, 5000)
    np.testing.assert_allclose(y, x, atol=2e-6)
    y1 = t.istft(np.ascontiguousarray(t.stft(x[0, 0].copy())[0]), length=5000)
    assert y1.shape == (5000,)
    np.testing.assert_array_equal(y1, y[0, 0])


def test_transposed_views_read_in_place(rng):
    """A spectrum whose last two axes are swapped in memory (torch.stft's
    output is a [B, F, N] view of [B, N, F] memory) is read as it lies: the
    same result as the contiguous array of the other layout; other strided
    arrays are refused with a message naming the strides."""
    torch = reference("torch")
    t = spectro.SpectralTransform(1024, 256)
    x = rng.standard_normal((2, 30000))
    z_bnf = t.stft(x, output_layout="bnf")
    view = np.swapaxes(z_bnf, -1, -2)  # [B, F, N], not C-contiguous
    assert not view.flags.c_contiguous
    np.testing.assert_array_equal(t.istft(view, length=30000), t.istft(z_bnf, length=30000, input_layout="bnf"))
    np.testing.assert_allclose(t.istft(view, length=30000), t.istft(np.ascontiguousarray(view), length=30000),
                               rtol=0, atol=1e-12)
    # torch.stft's own output (a CPU tensor), against torch.istft
    w = torch.hann_window(1024, dtype=torch.float64)
    zt = torch.stft(torch.from_numpy(x), 1024, 256, window=w, return_complex=True)
    assert not zt.is_contiguous()
    ours = t.istft(zt, length=30000)
    assert isinstance(ours, torch.Tensor)
    ref = torch.istft(zt, 1024, 256, window=w, length=30000)
    assert rel_l2(ours.numpy(), ref.numpy()) <= 1e-12
    compiled = t.get_compiled_istft(length=30000)
    np.testing.assert_array_equal(compiled(view), t.istft(view, length=30000))
    np.testing.assert_array_equal(compiled(np.ascontiguousarray(view)), t.istft(np.ascontiguousarray(view), length=30000))
    with pytest.raises(ValueError, match="C-contiguous"):
        t.istft(view[..., ::2], length=10000)


def test_minimal_tail_needs_length(rng):
    t = spectro.SpectralTransform(2048, 441, center_pad_mode="constant", center_tail_pad="minimal")
    x = rng.standard_normal(20000).astype(np.float32)
    z = t.stft(x)
    with pytest.raises(ValueError, match="length"):
        t.istft(z)
    y = t.istft(z, length=20000)
    assert rel_l2(y[0], x) <= 1e-6


def test_center_false_matches_torch(rng):
    x = rng.standard_normal(9000)
    t = spectro.SpectralTransform(512, 128, center=False)
    z = t.stft(x)
    # torch.istft refuses center=False with Hann (envelope 0 at sample 0,
    # pytorch#91309); compare away from the edges against our own float64
    # statement of overlap-add instead.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        y = t.istft(z)[0]
    window = spectro.make_window(window_fn="hann", n_fft=512, dtype=np.float64)
    frames = np.fft.irfft(z[0].T, n=512) * window
    n = z.shape[-1]
    acc = np.zeros(512 + 128 * (n - 1))
    env = np.zeros_like(acc)
    for i in range(n):
        acc[i * 128:i * 128 + 512] += frames[i]
        env[i * 128:i * 128 + 512] += window ** 2
    ref = np.where(env > 1e-11, acc / np.where(env > 1e-11, env, 1), 0)
    assert y.shape == ref.shape
    assert rel_l2(y, ref) <= 1e-12


def test_window_coverage_failure():
    torch = reference("torch")
    # hop 300 > win_length 256: gaps between windows
    t = spectro.SpectralTransform(512, 300, 256)
    x = np.random.default_rng(0).standard_normal(8000)
    z = t.stft(x)
    with pytest.raises(RuntimeError, match="hop_length=300 > win_length=256"):
        t.istft(z, torch_like=True)
    with pytest.raises(RuntimeError, match="hop_length"):
        t.istft(z, validate=True)
    with pytest.raises(RuntimeError):  # torch agrees that this configuration fails
        torch.istft(torch.from_numpy(z[0]), 512, 300, 256, window=torch.hann_window(256, dtype=torch.float64))
    # hop <= win_length but an envelope gap: center=False with Hann is 0 at sample 0
    t0 = spectro.SpectralTransform(512, 128, center=False)
    z0 = t0.stft(x)
    with pytest.raises(RuntimeError, match="window overlap-add envelope falls to 0"):
        t0.istft(z0, torch_like=True)
    with pytest.raises(RuntimeError, match="window overlap add min"):
        torch.istft(torch.from_numpy(z0[0]), 512, 128, window=torch.hann_window(512, dtype=torch.float64),
                    center=False)
    fresh = spectro.SpectralTransform(512, 300, 256)
    with pytest.warns(RuntimeWarning, match="envelope"):
        y = fresh.istft(z)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fresh.istft(z)  # warned once per configuration: no second warning
    assert np.all(np.isfinite(y)) and np.any(y == 0)
