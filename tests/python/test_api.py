"""The Python API surface: windows, parameter defaults, the transform
factory, compiled callables, the repeated-shape cache, threads."""
import threading

import numpy as np
import pytest

import spectro
from conftest import reference


@pytest.mark.parametrize("name,fn", [("hann", "hann_window"), ("hamming", "hamming_window"),
                                     ("blackman", "blackman_window")])
@pytest.mark.parametrize("periodic", [True, False])
@pytest.mark.parametrize("n_fft,win_length", [(512, 512), (512, 400), (1023, 1000), (8, 1)])
def test_make_window_matches_torch(name, fn, periodic, n_fft, win_length):
    torch = reference("torch")
    w = spectro.make_window(window_fn=name, win_length=win_length, n_fft=n_fft, periodic=periodic,
                            dtype=np.float64)
    ref = getattr(torch, fn)(win_length, periodic=periodic, dtype=torch.float64).numpy()
    left = (n_fft - win_length) // 2
    expect = np.zeros(n_fft)
    expect[left:left + win_length] = ref
    np.testing.assert_allclose(w, expect, atol=1e-15)


def test_make_window_custom_and_transform_window():
    w = spectro.make_window(np.arange(1.0, 5.0), win_length=4, n_fft=8)
    np.testing.assert_array_equal(w, [0, 0, 1, 2, 3, 4, 0, 0])
    assert w.dtype == np.float32
    t = spectro.SpectralTransform(8, 2, 4, window=np.arange(1.0, 5.0))
    np.testing.assert_array_equal(t.window, w)


def test_resolve_fft_params():
    assert spectro.resolve_fft_params(1024) == (1024, 256, 1024)
    assert spectro.resolve_fft_params(1024, None, 800) == (1024, 200, 800)
    assert spectro.resolve_fft_params(1024, 128, None, pad=8) == (1040, 128, 1040)
    with pytest.raises(ValueError, match="win_length"):
        spectro.resolve_fft_params(512, 128, 1000)


def test_get_transform_caches():
    a = spectro.get_transform(n_fft=512, hop_length=128)
    b = spectro.get_transform_mlx(n_fft=512, hop_length=128, win_length=512, window_fn="hann")
    assert a is b
    assert spectro.get_transform(n_fft=512, hop_length=64) is not a
    w = np.hanning(512)
    c = spectro.get_transform(n_fft=512, hop_length=128, window=w)
    assert c is not spectro.get_transform(n_fft=512, hop_length=128, window=w)
    stats = spectro.get_cache_debug_stats()
    assert stats["transform_cache"]["hits"] >= 1


def test_compiled_equals_eager(rng):
    t = spectro.SpectralTransform(1024, 256)
    x = rng.standard_normal((3, 20000)).astype(np.float32)
    f = t.get_compiled_stft(output_layout="bnf")
    assert f is t.get_compiled_stft(output_layout="bnf")
    for _ in range(3):  # first call binds the shape; later calls take the fast path
        np.testing.assert_array_equal(f(x), t.stft(x, output_layout="bnf"))
    g = t.get_compiled_istft(length=20000, input_layout="bnf")
    z = f(x)
    for _ in range(2):
        np.testing.assert_array_equal(g(z), t.istft(z, length=20000, input_layout="bnf"))
    y = rng.standard_normal((2, 9000))  # another shape and dtype through the same callable
    np.testing.assert_array_equal(f(y), t.stft(y, output_layout="bnf"))
    np.testing.assert_array_equal(t.stft_compiled(x), t.stft(x))


def test_compiled_pair_and_nd(rng):
    t = spectro.SpectralTransform(2048, 512)
    stft_fn, istft_fn = t.compiled_pair(length=44100, warmup_batch=2)
    x = rng.standard_normal((2, 44100)).astype(np.float32)
    z = stft_fn(x)
    assert z.shape == (2, 87, 1025)  # bnf by default, as in the reference
    np.testing.assert_allclose(istft_fn(z), x, atol=3e-6)
    s_nd, i_nd = t.compiled_pair_nd(length=22050, leading_shape=(2, 3))
    xs = rng.standard_normal((2, 3, 22050)).astype(np.float32)
    zs = s_nd(xs)
    assert zs.shape == (2, 3, 44, 1025)
    np.testing.assert_array_equal(zs, t.stft(xs, output_layout="bnf"))
    np.testing.assert_allclose(i_nd(zs), xs, atol=3e-6)
    with pytest.raises(ValueError, match="shape"):
        s_nd(xs[0])
    with pytest.raises(ValueError, match="leading_shape"):
        t.compiled_pair_nd(length=100, leading_shape=())


def test_warmup_paths():
    t = spectro.SpectralTransform(4096, 1024)
    t.warmup()
    t.prewarm_kernels(batch=2)
    t.prewarm_compiled(batch=1, length=10000)


def test_repeated_shape_compile_cache():
    made = []
    cache = spectro.RepeatedShapeCompileCache(lambda s: made.append(s) or ("fn", s), min_hits=2,
                                              max_compiled_shapes=2)
    assert cache.get((1, 100)) is None
    assert cache.get([1, 100]) == ("fn", (1, 100))
    assert cache.get((1, 100)) == ("fn", (1, 100)) and made == [(1, 100)]
    for shape in [(2, 5), (2, 5), (3, 5), (3, 5)]:
        cache.get(shape)
    info = cache.cache_info()
    assert info["compiled_shapes"] == 2 and (1, 100) not in info["compiled_shape_keys"]
    cache.clear()
    assert cache.cache_info()["compiled_shapes"] == 0
    with pytest.raises(ValueError, match="min_hits"):
        spectro.RepeatedShapeCompileCache(lambda s: None, min_hits=0)
    with pytest.raises(ValueError, match="max_compiled_shapes"):
        spectro.RepeatedShapeCompileCache(lambda s: None, max_compiled_shapes=0)


def test_threads_share_one_transform(rng):
    """The GIL is released while computing; one transform serves many
    threads and every thread gets the single-threaded bits."""
    t = spectro.SpectralTransform(1024, 256)
    x = rng.standard_normal((4, 50000)).astype(np.float32)
    expect_z = t.stft(x)
    expect_y = t.istft(expect_z, length=50000)
    errors = []

    def work():
        for _ in range(10):
            z = t.stft(x)
            y = t.istft(z, length=50000)
            if not (np.array_equal(z, expect_z) and np.array_equal(y, expect_y)):
                errors.append("mismatch")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors


def test_version():
    assert spectro.__version__ == "0.1.0"


def _child_stft(q):
    t = spectro.SpectralTransform(1024, 256)
    q.put(float(np.abs(t.stft(np.ones((4, 20000), dtype=np.float32))).sum()))


def test_fork_after_threads_were_used():
    """The thread pool survives fork(): a child process computes normally."""
    import multiprocessing as mp

    t = spectro.SpectralTransform(1024, 256)
    x = np.ones((4, 20000), dtype=np.float32)
    expect = float(np.abs(t.stft(x)).sum())  # starts the pool's threads in the parent
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_child_stft, args=(q,))
    p.start()
    p.join(60)
    assert p.exitcode == 0
    assert q.get(timeout=5) == pytest.approx(expect, rel=1e-6)


@pytest.mark.parametrize("n_fft", [1024, 1021, 2018])  # mixed radix; odd Bluestein (frames paired in lanes); even Bluestein
def test_thread_count_gives_identical_bits(rng, n_fft):
    t = spectro.SpectralTransform(n_fft, n_fft // 4)
    x = rng.standard_normal((3, 30000 + int(rng.integers(0, n_fft)))).astype(np.float32)
    before = spectro.get_num_threads()
    try:
        spectro.set_num_threads(1)
        z1, y1 = t.stft(x), t.istft(t.stft(x), length=x.shape[-1])
        spectro.set_num_threads(3)
        z3, y3 = t.stft(x), t.istft(t.stft(x), length=x.shape[-1])
    finally:
        spectro.set_num_threads(0)
    assert spectro.get_num_threads() == before
    np.testing.assert_array_equal(z1, z3)
    np.testing.assert_array_equal(y1, y3)
    with pytest.raises(ValueError, match="num_threads"):
        spectro.set_num_threads(-2)


def test_cache_debug_stats_report_autotune():
    stats = spectro.get_cache_debug_stats()
    assert set(stats["autotune"]) == {"autotune_hits", "autotune_misses", "autotune_measurements"}
    assert spectro.SpectralTransform(512, 128).kernels in ("avx512", "avx2", "generic")
