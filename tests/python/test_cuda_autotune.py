"""The CUDA autotune (src/cuda/tune_cuda.cuh; skipped without a GPU): every
launch variant it can pick matches the float64 CPU reference; a new
configuration is timed once, then taken from the plan's memo or the JSON
cache; nothing is timed while a stream is being captured; SPECTRO_AUTOTUNE=0
takes the built-in choice."""
import json

import numpy as np
import pytest

import spectro
from spectro import _spectro
from conftest import rel_l2

torch = pytest.importorskip("torch")
if not (torch.cuda.is_available() and _spectro.cuda_available()):
    pytest.skip("no CUDA device or spectro built without CUDA", allow_module_level=True)

DEV = torch.device("cuda")
DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


def _stats():
    return _spectro.cache_stats(False)


def _frames(n_fft, hop, T, rule):
    """Frames of a signal of T samples (SPEC.md: centred 1 + T // hop)."""
    return 1 + (T - n_fft) // hop if rule.get("center") is False else 1 + T // hop


def _signal(rng, batch, T, dtype):
    """A device signal of dtype and its float64 values (after rounding to dtype)."""
    x = torch.from_numpy(rng.standard_normal((batch, T)).astype(np.float32)).to(DEV).to(DTYPES[dtype])
    return x, x.double().cpu().numpy()


# (variant, n_fft, hop, kwargs of stft, frames a multiple of 4): configurations where variant is a candidate
STFT_CASES = [("half_frames", n, n // 4, dict(output_layout="bnf"), False) for n in (512, 1024, 2048, 4096)] + [
    ("half_frames", 2048, 480, dict(), False),  # (the bfn view of [frames][bins] memory: the same kernels)
    ("r32", 2048, 512, dict(output_layout="bnf"), False),
    ("r32", 2048, 440, dict(), False),
    ("smem_untangle", 2048, 512, dict(contiguous=True), True),
    ("reg_untangle", 2048, 512, dict(contiguous=True), True),
]


@pytest.mark.parametrize("variant,n_fft,hop,kw,frames4", STFT_CASES)
@pytest.mark.parametrize("rule", [dict(), dict(center_pad_mode="constant"), dict(center=False)])
@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_stft_variant_matches_cpu(rng, monkeypatch, variant, n_fft, hop, kw, frames4, rule, dtype):
    monkeypatch.setenv("SPECTRO_CUDA_VARIANT", variant)
    t = spectro.SpectralTransform(n_fft, hop, **rule)
    # an even length (aligned sample pairs: where these variants are candidates)
    T = 2 * int(rng.integers(5 * n_fft, 9 * n_fft) // 2)
    if frames4:  # [bins][frames] rows on 32-byte sectors: 4 | frames
        while _frames(n_fft, hop, T, rule) % 4:
            T += 2
    x, x64 = _signal(rng, 3, T, dtype)
    got = t.stft(x, **kw)
    assert _spectro.cuda_last_variant() == variant
    ref = t.stft(x64, output_layout=kw.get("output_layout", "bfn"))
    assert rel_l2(got.cpu().numpy(), ref) <= 1e-6


@pytest.mark.parametrize("n_fft", [512, 1024, 2048, 4096])
@pytest.mark.parametrize("variant,layout,contiguous",
                         [("stream_loads", "bnf", False), ("cached_loads", "bnf", False),
                          ("plain_loads", "bfn", True), ("tiles", "bfn", True)])
def test_istft_variant_matches_cpu(rng, monkeypatch, n_fft, variant, layout, contiguous):
    # the quarter-hop kernel's spectrum reads: streaming or cached ([frames][bins]),
    # plain loads or tiles ([bins][frames] memory, an even frame count)
    # (300..500 frames, a batch giving own-frame blocks, two per multiprocessor at least
    # (up to 8 frames a block), as the quarter-hop kernel needs)
    hop = n_fft // 4
    t = spectro.SpectralTransform(n_fft, hop)
    T = 2 * int(rng.integers(300 * hop, 500 * hop) // 2)
    while _frames(n_fft, hop, T, {}) % 2:
        T += 2
    sms = torch.cuda.get_device_properties(DEV).multi_processor_count
    batch = max(8, -(-16 * sms // _frames(n_fft, hop, T, {})) + 1)
    x = torch.randn(batch, T, device=DEV)
    z = t.stft(x, output_layout=layout, contiguous=contiguous)
    ref = t.istft(z.cpu().numpy().astype(np.complex128), length=T, input_layout=layout)
    monkeypatch.setenv("SPECTRO_CUDA_VARIANT", variant)
    y = t.istft(z, length=T, input_layout=layout)
    if layout == "bfn" and n_fft == 4096:  # (no tiles at n_fft 4096: one candidate)
        assert _spectro.cuda_last_variant() == "base"
    else:
        assert _spectro.cuda_last_variant() == variant
    assert rel_l2(y.cpu().numpy(), ref) <= 1e-6


_used_hops = set()


def _fresh_hop(rng, n_fft):
    """An even hop, not a multiple of 8 (the other tests' hops are, or odd), not
    used here before: a configuration the autotune has not seen in this process."""
    while True:
        hop = 2 * int(rng.integers(n_fft // 10, n_fft // 3))
        if hop % 8 and (n_fft, hop) not in _used_hops:
            _used_hops.add((n_fft, hop))
            return hop


def test_measured_once_then_memo_and_cache(rng, monkeypatch, tmp_path):
    path = tmp_path / "autotune.json"
    monkeypatch.setenv("SPECTRO_AUTOTUNE_CACHE_PATH", str(path))
    monkeypatch.delenv("SPECTRO_CUDA_VARIANT", raising=False)
    monkeypatch.delenv("SPECTRO_AUTOTUNE", raising=False)
    n_fft = 1024
    hop = _fresh_hop(rng, n_fft)
    x = torch.randn(2, 40 * hop, device=DEV)
    t = spectro.SpectralTransform(n_fft, hop)
    s0 = _stats()
    z = t.stft(x)  # half_frames is a candidate ([frames][bins] memory, aligned pairs)
    s1 = _stats()
    assert s1["autotune_measurements"] == s0["autotune_measurements"] + 1
    chosen = _spectro.cuda_last_variant()
    assert chosen in ("base", "half_frames")
    entries = json.loads(path.read_text())["entries"]
    keys = [k for k in entries if f"|stft|n_fft={n_fft}|hop={hop}|bnf|f32|" in k]
    assert len(keys) == 1 and keys[0].startswith("gpu=") and keys[0].endswith("|base+half_frames")
    assert entries[keys[0]] == chosen
    # the same plan: its memo (no cache lookup, no timing)
    z2 = t.stft(x)
    s2 = _stats()
    assert (s2["autotune_measurements"], s2["autotune_hits"], s2["autotune_misses"]) == (
        s1["autotune_measurements"], s1["autotune_hits"], s1["autotune_misses"])
    assert _spectro.cuda_last_variant() == chosen
    assert torch.equal(z, z2)
    # a new plan of the same configuration: the cache
    t2 = spectro.SpectralTransform(n_fft, hop)  # (its CPU kernels' choice is a cache lookup of its own)
    s2 = _stats()
    t2.stft(x)
    s3 = _stats()
    assert s3["autotune_measurements"] == s2["autotune_measurements"]
    assert s3["autotune_hits"] == s2["autotune_hits"] + 1
    assert _spectro.cuda_last_variant() == chosen
    ref = t.stft(x.double().cpu().numpy())
    assert rel_l2(z.cpu().numpy(), ref) <= 1e-6


def test_not_timed_during_capture(rng, monkeypatch):
    monkeypatch.delenv("SPECTRO_CUDA_VARIANT", raising=False)
    monkeypatch.delenv("SPECTRO_AUTOTUNE", raising=False)
    n_fft = 2048
    hop = _fresh_hop(rng, n_fft)
    t = spectro.SpectralTransform(n_fft, hop)
    T = 30 * hop
    t.stft(torch.randn(1, T, device=DEV, dtype=torch.float16))  # the plan's tables on the device (another dtype's key)
    x = torch.randn(2, T, device=DEV)
    torch.cuda.synchronize()
    s0 = _stats()
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        z = t.stft(x)
    assert _spectro.cuda_last_variant() == "base"  # (no choice on record: the built-in one)
    s1 = _stats()
    assert s1["autotune_measurements"] == s0["autotune_measurements"]
    x.copy_(torch.randn(2, T, device=DEV))
    g.replay()
    torch.cuda.synchronize()
    ref = t.stft(x.double().cpu().numpy())
    assert rel_l2(z.cpu().numpy(), ref) <= 1e-6
    s2 = _stats()
    t.stft(x)  # eager: timed now
    assert _stats()["autotune_measurements"] == s2["autotune_measurements"] + 1


def test_autotune_off_takes_builtin_choice(rng, monkeypatch):
    monkeypatch.setenv("SPECTRO_AUTOTUNE", "0")
    monkeypatch.delenv("SPECTRO_CUDA_VARIANT", raising=False)
    n_fft = 512
    hop = _fresh_hop(rng, n_fft)
    t = spectro.SpectralTransform(n_fft, hop)
    x = torch.randn(3, 50 * hop, device=DEV)
    s0 = _stats()
    z = t.stft(x)
    assert _spectro.cuda_last_variant() == "base"
    assert _stats() == s0
    assert rel_l2(z.cpu().numpy(), t.stft(x.double().cpu().numpy())) <= 1e-6


def test_unknown_forced_variant_is_ignored(rng, monkeypatch):
    # a name that is no candidate of the call: the autotune's own choice, as without it
    monkeypatch.delenv("SPECTRO_AUTOTUNE", raising=False)
    monkeypatch.delenv("SPECTRO_CUDA_VARIANT", raising=False)
    n_fft = 2048
    t = spectro.SpectralTransform(n_fft, _fresh_hop(rng, n_fft))
    x = torch.randn(2, 30000, device=DEV)
    t.stft(x)
    chosen = _spectro.cuda_last_variant()
    assert chosen in ("base", "half_frames", "r32")
    monkeypatch.setenv("SPECTRO_CUDA_VARIANT", "no_such_variant")
    z = t.stft(x)
    assert _spectro.cuda_last_variant() == chosen
    assert rel_l2(z.cpu().numpy(), t.stft(x.double().cpu().numpy())) <= 1e-6


@pytest.mark.parametrize("variant", ["half_frames", "r32"])
@pytest.mark.parametrize("case", ["odd_length", "odd_hop", "unaligned"])
def test_forced_variant_outside_its_calls(rng, monkeypatch, variant, case):
    # half_frames and r32 are candidates only where sample pairs are aligned (even hop
    # and length, the signal on a pair boundary): elsewhere a forced name is no
    # candidate, and the call takes the built-in kernel
    monkeypatch.setenv("SPECTRO_CUDA_VARIANT", variant)
    hop = 511 if case == "odd_hop" else 512
    t = spectro.SpectralTransform(2048, hop)
    T = 20001 if case == "odd_length" else 20000
    base = torch.randn(T + 1, device=DEV)
    x = base[1:] if case == "unaligned" else base[:T]  # (contiguous either way; base[1:] 4 bytes off a pair)
    z = t.stft(x, output_layout="bnf")
    assert _spectro.cuda_last_variant() == "base"
    ref = t.stft(x.double().cpu().numpy(), output_layout="bnf")
    assert rel_l2(z.cpu().numpy(), ref) <= 1e-6
