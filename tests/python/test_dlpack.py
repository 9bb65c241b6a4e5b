"""CPU tensors of other libraries (DLPack producers): read zero-copy, computed
on the CPU backend, returned as the same kind, equal to the numpy path."""
import numpy as np
import pytest

import spectro
from conftest import rel_l2

torch = pytest.importorskip("torch")


class _Producer:
    """A minimal DLPack producer from a module with no from_dlpack: the
    result comes back as numpy."""

    def __init__(self, a):
        self._a = a

    def __dlpack__(self, stream=None):
        return self._a.__dlpack__()

    def __dlpack_device__(self):
        return self._a.__dlpack_device__()


def test_torch_cpu_tensors_in_and_out(rng):
    x = rng.standard_normal((2, 3, 9000)).astype(np.float32)
    t = spectro.SpectralTransform(1024, 256)
    ref = t.stft(x)
    z = t.stft(torch.from_numpy(x))
    assert isinstance(z, torch.Tensor) and z.dtype == torch.complex64 and tuple(z.shape) == ref.shape
    assert np.array_equal(z.numpy(), ref)
    y = t.istft(z, length=9000)
    assert isinstance(y, torch.Tensor) and np.array_equal(y.numpy(), t.istft(ref, length=9000))
    assert rel_l2(y.numpy(), x) <= 1e-6
    # bnf layout, float64, gradients (dropped: spectro is not differentiable), compiled callables
    zb = t.stft(torch.from_numpy(x.astype(np.float64)).requires_grad_(), output_layout="bnf")
    assert zb.dtype == torch.complex128 and np.array_equal(zb.numpy(), t.stft(x.astype(np.float64), "bnf"))
    f = t.get_compiled_stft()
    assert np.array_equal(f(torch.from_numpy(x)).numpy(), ref)
    g = t.get_compiled_istft(length=9000)
    assert np.array_equal(g(torch.from_numpy(ref)).numpy(), t.istft(ref, length=9000))


@pytest.mark.parametrize("make", [
    lambda: spectro.MelSpectrogramTransform(sample_rate=16000, n_fft=512, hop_length=128, n_mels=40, top_db=80.0),
    lambda: spectro.MFCCTransform(sample_rate=16000, n_mfcc=13, n_fft=400, hop_length=160, n_mels=40),
])
def test_torch_cpu_frontends(rng, make):
    m = make()
    x = rng.standard_normal((3, 16000)).astype(np.float32)
    got = m(torch.from_numpy(x))
    assert isinstance(got, torch.Tensor) and np.array_equal(got.numpy(), m(x))
    assert isinstance(m.get_compiled()(torch.from_numpy(x)), torch.Tensor)


def test_generic_producer_returns_numpy(rng):
    x = rng.standard_normal(6000)
    t = spectro.SpectralTransform(512, 128)
    z = t.stft(_Producer(x))
    assert type(z) is np.ndarray and np.array_equal(z, t.stft(x))
    assert np.array_equal(t.istft(_Producer(z), length=6000), t.istft(z, length=6000))


def test_dlpack_errors_name_the_problem(rng):
    t = spectro.SpectralTransform(512, 128)
    with pytest.raises(TypeError, match="x must be float32 or float64"):
        t.stft(torch.zeros(4000, dtype=torch.int32))
    with pytest.raises(TypeError, match="bfloat16|BFloat16"):
        t.stft(torch.zeros(4000, dtype=torch.bfloat16))
    with pytest.raises(ValueError, match="C-contiguous"):
        t.stft(torch.zeros(2, 8000)[:, ::2])
    with pytest.raises(TypeError, match="numpy.ndarray or a DLPack tensor"):
        t.stft([0.0] * 4000)
    with pytest.raises(TypeError, match="complex64 or complex128"):
        t.istft(torch.zeros(257, 10), length=1000)
