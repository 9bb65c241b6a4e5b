"""Every invalid parameter raises ValueError/TypeError naming it; nothing
crashes."""
import numpy as np
import pytest

import spectro
from spectro import _spectro

X = np.zeros((2, 4000), dtype=np.float32)


@pytest.mark.parametrize("kwargs,exc,needle", [
    (dict(n_fft=0, hop_length=128), ValueError, "n_fft"),
    (dict(n_fft=-512, hop_length=128), ValueError, "n_fft"),
    (dict(n_fft=512.0, hop_length=128), TypeError, "n_fft"),
    (dict(n_fft=512, hop_length=0), ValueError, "hop_length"),
    (dict(n_fft=512, hop_length=-3), ValueError, "hop_length"),
    (dict(n_fft=512, hop_length=128, win_length=513), ValueError, "win_length"),
    (dict(n_fft=512, hop_length=128, win_length=0), ValueError, "win_length"),
    (dict(n_fft=512, hop_length=128, window_fn="kaiser"), ValueError, "window_fn"),
    (dict(n_fft=512, hop_length=128, center_pad_mode="edge"), ValueError, "center_pad_mode"),
    (dict(n_fft=512, hop_length=128, center_tail_pad="short"), ValueError, "center_tail_pad"),
    (dict(n_fft=512, hop_length=128, center_tail_pad="minimal"), ValueError, "center_tail_pad"),
    (dict(n_fft=512, hop_length=128, window=np.ones(300)), ValueError, "window length"),
    (dict(n_fft=512, hop_length=128, window=np.ones((2, 256))), ValueError, "window"),
    (dict(n_fft=512, hop_length=128, istft_backend_policy="gpu"), ValueError, "istft_backend_policy"),
])
def test_bad_construction(kwargs, exc, needle):
    with pytest.raises(exc, match=needle):
        spectro.SpectralTransform(**kwargs)


def test_reflect_needs_long_enough_signal():
    t = spectro.SpectralTransform(512, 128)
    with pytest.raises(ValueError, match="center_pad_mode='reflect'.*length=256"):
        t.stft(np.zeros(256, dtype=np.float32))
    t.stft(np.zeros(257, dtype=np.float32))  # T > n_fft // 2 is enough


def test_center_false_needs_n_fft_samples():
    t = spectro.SpectralTransform(512, 128, center=False)
    with pytest.raises(ValueError, match="shorter than n_fft=512"):
        t.stft(np.zeros(511, dtype=np.float32))


@pytest.mark.parametrize("layout", ["BFN", "fnb", "", "nf"])
def test_bad_layout_strings(layout):
    t = spectro.SpectralTransform(512, 128)
    with pytest.raises(ValueError, match="output_layout"):
        t.stft(X, output_layout=layout)
    with pytest.raises(ValueError, match="input_layout"):
        t.istft(t.stft(X), input_layout=layout)
    with pytest.raises(ValueError, match="output_layout"):
        t.get_compiled_stft(output_layout=layout)
    with pytest.raises(ValueError, match="layout"):
        t.compiled_pair(4000, layout=layout)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8, np.float16, np.complex64, np.bool_])
def test_bad_signal_dtype(dtype):
    t = spectro.SpectralTransform(512, 128)
    with pytest.raises(TypeError, match="x must be float32 or float64"):
        t.stft(np.zeros(4000, dtype=dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex256 if hasattr(np, "complex256") else np.int8])
def test_bad_spectrum_dtype(dtype):
    t = spectro.SpectralTransform(512, 128)
    with pytest.raises(TypeError, match="z must be complex64 or complex128"):
        t.istft(np.zeros((257, 10), dtype=dtype))


def test_not_an_array():
    t = spectro.SpectralTransform(512, 128)
    with pytest.raises(TypeError, match="x must be a numpy.ndarray"):
        t.stft([0.0] * 4000)
    with pytest.raises(TypeError, match="z must be a numpy.ndarray"):
        t.istft("spectrum")


def test_non_contiguous():
    t = spectro.SpectralTransform(512, 128)
    x = np.zeros((4000, 2), dtype=np.float32).T
    with pytest.raises(ValueError, match="x must be C-contiguous"):
        t.stft(x)
    with pytest.raises(ValueError, match="x must be C-contiguous"):
        t.stft(np.zeros(8000, dtype=np.float32)[::2])
    z = t.stft(X)
    with pytest.raises(ValueError, match="z must be C-contiguous"):
        t.istft(z[..., ::2])
    # (a view with the last two axes swapped is read in place instead: test_istft.py)
    np.testing.assert_array_equal(t.istft(np.swapaxes(z, -1, -2), input_layout="bnf"), t.istft(z))


def test_wrong_rank():
    t = spectro.SpectralTransform(512, 128)
    with pytest.raises(ValueError, match="x must have 1 or 2 or 3 dimensions"):
        t.stft(np.zeros((1, 2, 2, 4000), dtype=np.float32))
    with pytest.raises(ValueError, match="x must have"):
        t.stft(np.array(1.0, dtype=np.float32))
    with pytest.raises(ValueError, match="z must have"):
        t.istft(np.zeros(257, dtype=np.complex64))
    with pytest.raises(ValueError, match="z must have"):
        t.istft(np.zeros((1, 1, 1, 257, 4), dtype=np.complex64))


def test_mismatched_frequency_count():
    t = spectro.SpectralTransform(512, 128)
    with pytest.raises(ValueError, match="256 frequency bins.*n_fft//2\\+1=257"):
        t.istft(np.zeros((2, 256, 10), dtype=np.complex64))
    with pytest.raises(ValueError, match="layout swapped"):
        t.istft(np.zeros((2, 10, 257), dtype=np.complex64))


@pytest.mark.parametrize("length,exc", [(0, ValueError), (-5, ValueError), (3.5, TypeError), ("10", TypeError)])
def test_bad_length(length, exc):
    t = spectro.SpectralTransform(512, 128)
    with pytest.raises(exc, match="length"):
        t.istft(t.stft(X), length=length)


def test_bad_istft_options():
    t = spectro.SpectralTransform(512, 128)
    z = t.stft(X)
    with pytest.raises(ValueError, match="safety"):
        t.istft(z, safety="sometimes")
    with pytest.raises(ValueError, match="long_mode_strategy"):
        t.istft(z, long_mode_strategy="magic")
    with pytest.raises(ValueError, match="backend_policy"):
        t.istft(z, backend_policy="gpu")


def test_extension_checks_output_buffers():
    """The C layer re-checks what the Python layer hands it."""
    plan = _spectro.Plan(512, 128, 512, "hann", True, True, "reflect", "symmetric", False)
    x = np.zeros(4000, dtype=np.float32)
    with pytest.raises(ValueError, match="out must be a complex64 array"):
        plan.stft(x, np.empty((257, 3), dtype=np.complex64), "bfn")
    with pytest.raises(ValueError, match="out must be a complex64"):
        plan.stft(x, np.empty((257, 32), dtype=np.complex128), "bfn")
    with pytest.raises(TypeError, match="out must be a numpy array"):
        plan.stft(x, None, "bfn")
    with pytest.raises(ValueError):
        plan.stft(x, np.empty((257, 32), dtype=np.complex64)[:, ::2], "bfn")
    z = np.zeros((257, 32), dtype=np.complex64)
    with pytest.raises(ValueError, match="out must be a float32 array"):
        plan.istft(z, np.empty(10, dtype=np.float32), "bfn", 3968, False, False)
    with pytest.raises(ValueError, match="window_fn"):
        _spectro.Plan(512, 128, 512, "nope", True, True, "reflect", "symmetric", False)
    with pytest.raises(TypeError, match="window must be a 1-D float64"):
        _spectro.Plan(512, 128, 512, np.ones(512, dtype=np.float32), True, True, "reflect", "symmetric", False)
    with pytest.raises(ValueError, match="window\\[2\\] is not finite"):
        w = np.ones(512)
        w[2] = np.nan
        _spectro.Plan(512, 128, 512, w, True, True, "reflect", "symmetric", False)


def test_nan_and_inf_propagate_like_torch():
    x = np.random.default_rng(0).standard_normal(4000).astype(np.float32)
    x[1000] = np.nan
    x[3000] = np.inf
    z = spectro.SpectralTransform(512, 128).stft(x)
    assert np.isnan(z).any()
    assert np.isfinite(z[..., :2]).all()  # frames away from the bad samples stay finite


def test_huge_sizes_are_refused_not_crashing():
    with pytest.raises(ValueError, match="n_fft"):
        spectro.SpectralTransform(2**40, 128)


def test_plan_cannot_be_reinitialised():
    """Plans are immutable: re-running __init__ would free a plan another
    thread may be executing."""
    plan = _spectro.Plan(512, 128, 512, "hann", True, True, "reflect", "symmetric", False)
    with pytest.raises(RuntimeError, match="already initialised"):
        plan.__init__(256, 64, 256, "hann", True, True, "reflect", "symmetric", False)
    assert plan.bins == 257


def test_undecodable_window_name():
    with pytest.raises((ValueError, UnicodeError)):
        _spectro.Plan(16, 4, 16, "\ud800", True, True, "reflect", "symmetric", False)


def test_read_only_output_is_reported():
    plan = _spectro.Plan(512, 128, 512, "hann", True, True, "reflect", "symmetric", False)
    out = np.empty((257, 32), dtype=np.complex64)
    out.flags.writeable = False
    with pytest.raises((ValueError, BufferError), match="read-only|writable"):
        plan.stft(np.zeros(4000, dtype=np.float32), out, "bfn")


def test_hop_larger_than_n_fft():
    t = spectro.SpectralTransform(64, 10**9, 64)  # plan memory does not grow with the hop
    assert t.stft(np.ones(100, dtype=np.float32)).shape == (1, 33, 1)
    with pytest.raises(RuntimeError, match="hop_length"):
        spectro.SpectralTransform(8, 12).istft(np.zeros((5, 1), dtype=np.complex64), length=4, torch_like=True)


def test_device_argument():
    import spectro

    t = spectro.SpectralTransform(512, 128)
    x = np.zeros((2, 4000), dtype=np.float32)
    assert t.stft(x, device="cpu").shape == t.stft(x).shape
    for bad in ("gpu", 3, "cuda0"):
        with pytest.raises(ValueError, match="device must be"):
            t.stft(x, device=bad)
        with pytest.raises(ValueError, match="device must be"):
            spectro.MelSpectrogramTransform()(x, device=bad)
    with pytest.raises(ValueError, match="device must be"):
        t.istft(t.stft(x), length=4000, device="tpu")
