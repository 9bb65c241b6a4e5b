"""jax arrays (skipped without jax): on the CPU through the DLPack CPU path, on a GPU through
the CUDA backend (a DLPack exchange with torch, zero-copy).  Results come back as jax arrays on
the input's device, equal to the CPU backend's float64 results (an independent reference: the
CPU backend is itself tested against librosa and torch)."""
import os

os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")  # (jax would take 75% of the GPU from torch)

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import spectro  # noqa: E402
from spectro import _spectro  # noqa: E402
from conftest import rel_l2  # noqa: E402

try:
    import jax
    import jax.numpy as jnp
except Exception as e:  # not installed, or built for another numpy
    pytest.skip(f"jax not usable here ({type(e).__name__}: {e})", allow_module_level=True)


def _gpu():
    try:
        gpus = jax.devices("gpu")
    except RuntimeError:
        return None
    return gpus[0] if gpus else None


GPU = _gpu() if _spectro.cuda_available() else None
needs_gpu = pytest.mark.skipif(GPU is None, reason="no jax GPU device or spectro built without CUDA")


def _device_of(a):
    return next(iter(a.devices()))


def test_cpu_jax_arrays_stay_jax(rng):
    x = rng.standard_normal((2, 6000)).astype(np.float32)
    xj = jax.device_put(x, jax.devices("cpu")[0])  # (jnp.asarray would pick a GPU where there is one)
    t = spectro.SpectralTransform(512, 128)
    z = t.stft(xj)
    assert isinstance(z, jax.Array) and _device_of(z).platform == "cpu"
    assert rel_l2(np.asarray(z), t.stft(x.astype(np.float64))) <= 1e-6
    mel = spectro.MelSpectrogramTransform(sample_rate=16000, n_fft=512, hop_length=128, n_mels=40)
    m = mel(xj)
    assert isinstance(m, jax.Array) and _device_of(m).platform == "cpu"
    assert rel_l2(np.asarray(m), mel(x.astype(np.float64))) <= 1e-5


@needs_gpu
@pytest.mark.parametrize("n_fft,hop", [(512, 128), (400, 160), (2048, 512), (441, 110)])
def test_gpu_stft_istft(rng, n_fft, hop):
    x = rng.standard_normal((3, 9 * n_fft + 17)).astype(np.float32)
    t = spectro.SpectralTransform(n_fft, hop)
    xj = jax.device_put(x, GPU)
    z = t.stft(xj)
    assert isinstance(z, jax.Array) and _device_of(z) == GPU and z.dtype == jnp.complex64
    assert rel_l2(np.asarray(z), t.stft(x.astype(np.float64))) <= 1e-6
    y = t.istft(z, length=x.shape[-1])
    assert isinstance(y, jax.Array) and _device_of(y) == GPU and y.shape == x.shape
    assert rel_l2(np.asarray(y), x) <= 1e-5
    zb = t.stft(xj, output_layout="bnf")
    assert rel_l2(np.asarray(zb), t.stft(x.astype(np.float64), output_layout="bnf")) <= 1e-6


@needs_gpu
@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_gpu_reduced_precision_signals(rng, dtype):
    x = rng.standard_normal((2, 8000)).astype(np.float32)
    xj = jax.device_put(jnp.asarray(x, dtype=dtype), GPU)
    t = spectro.SpectralTransform(1024, 256)
    ref = t.stft(np.asarray(xj.astype(jnp.float32)).astype(np.float64))  # the rounded samples, in float64
    assert rel_l2(np.asarray(t.stft(xj)), ref) <= 1e-6


@needs_gpu
def test_gpu_frontends_match_cpu(rng):
    x = rng.standard_normal((2, 3, 24000)).astype(np.float32)
    xj = jax.device_put(x, GPU)
    mel = spectro.MelSpectrogramTransform(sample_rate=24000, n_fft=2048, hop_length=240, n_mels=128, top_db=80.0,
                                          mode="torchaudio_compat")
    got = mel(xj)
    assert isinstance(got, jax.Array) and _device_of(got) == GPU and got.shape == (2, 3, 128, 101)
    assert np.max(np.abs(np.asarray(got) - mel(x.astype(np.float64)))) <= 1e-3
    mf = spectro.MFCCTransform(sample_rate=16000, n_mfcc=13, n_fft=400, hop_length=160, n_mels=40, top_db=80.0)
    got = mf(xj)
    ref = mf(x.astype(np.float64))
    assert isinstance(got, jax.Array) and got.shape == ref.shape
    assert np.max(np.abs(np.asarray(got) - ref)) <= 1e-3 + 1e-5 * np.max(np.abs(ref))  # (as test_cuda_frontends)


@needs_gpu
def test_gpu_compiled_callables_return_fresh_arrays(rng):
    """jax arrays are immutable: the compiled callables run eagerly on them (a CUDA graph's
    output buffer, overwritten by the next call, must not become a jax array)."""
    t = spectro.SpectralTransform(1024, 256)
    f = t.get_compiled_stft()
    mel = spectro.MelSpectrogramTransform(sample_rate=16000, n_fft=1024, hop_length=256, n_mels=64)
    g = mel.get_compiled()
    a = rng.standard_normal((2, 16000)).astype(np.float32)
    b = rng.standard_normal((2, 16000)).astype(np.float32)
    za, ma = f(jax.device_put(a, GPU)), g(jax.device_put(a, GPU))
    zb, mb = f(jax.device_put(b, GPU)), g(jax.device_put(b, GPU))
    assert isinstance(za, jax.Array) and isinstance(ma, jax.Array)
    assert rel_l2(np.asarray(za), t.stft(a.astype(np.float64))) <= 1e-6
    assert rel_l2(np.asarray(zb), t.stft(b.astype(np.float64))) <= 1e-6
    assert rel_l2(np.asarray(ma), mel(a.astype(np.float64))) <= 1e-5
    assert rel_l2(np.asarray(mb), mel(b.astype(np.float64))) <= 1e-5
    fi = t.get_compiled_istft(length=16000)
    assert rel_l2(np.asarray(fi(za)), a) <= 1e-5


@needs_gpu
def test_gpu_bad_inputs_raise(rng):
    t = spectro.SpectralTransform(512, 128)
    with pytest.raises(TypeError, match="x must be float32"):
        t.stft(jax.device_put(np.ones((2, 4000), np.int32), GPU))
    with pytest.raises(ValueError, match="device='cpu' but x is on a CUDA device"):
        t.stft(jax.device_put(np.ones((2, 4000), np.float32), GPU), device="cpu")
