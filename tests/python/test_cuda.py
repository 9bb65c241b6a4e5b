"""The CUDA backend (skipped without a GPU): against the CPU backend (float64
reference) and torch on the same device tensors, every framing rule and
layout, graph replay, non-default streams, outputs fully overwritten."""
import numpy as np
import pytest

import spectro
from spectro import _spectro
from conftest import rel_l2

torch = pytest.importorskip("torch")
if not (torch.cuda.is_available() and _spectro.cuda_available()):
    pytest.skip("no CUDA device or spectro built without CUDA", allow_module_level=True)

DEV = torch.device("cuda")
RULES = [dict(), dict(center_pad_mode="constant"), dict(center_pad_mode="constant", center_tail_pad="minimal"),
         dict(center=False)]


# sizes the own FFT kernels do not cover: the cuFFT path
FALLBACK_SIZES = [(441, 110), (1323, 441), (882, 220), (6144, 1536), (255, 64), (1021, 256)]


@pytest.mark.parametrize("n_fft,hop", [(512, 128), (400, 160), (1000, 250), (1024, 256), (2048, 512), (4096, 1024),
                                       (64, 16), (2048, 441)] + FALLBACK_SIZES)
@pytest.mark.parametrize("rule", range(4))
@pytest.mark.parametrize("layout,contiguous", [("bfn", False), ("bfn", True), ("bnf", False)])
def test_stft_matches_cpu(rng, n_fft, hop, rule, layout, contiguous):
    # bfn: a view of bnf memory, as torch.stft returns (the bnf kernels);
    # contiguous=True: bfn memory (the bfn kernels)
    t = spectro.SpectralTransform(n_fft, hop, **RULES[rule])
    x = rng.standard_normal((3, 7 * n_fft + 33)).astype(np.float32)
    ref = t.stft(x.astype(np.float64), output_layout=layout)
    got = t.stft(torch.from_numpy(x).to(DEV), output_layout=layout, contiguous=contiguous)
    assert got.dtype == torch.complex64 and got.device.type == "cuda"
    assert tuple(got.shape) == ref.shape
    assert (got if layout == "bnf" or contiguous else got.transpose(-1, -2)).is_contiguous()
    assert rel_l2(got.cpu().numpy(), ref) <= 1e-6


@pytest.mark.parametrize("n_fft,hop", [(512, 128), (400, 160), (1000, 250), (2048, 512), (64, 16), (441, 110)])
@pytest.mark.parametrize("layout,contiguous", [("bfn", False), ("bfn", True), ("bnf", False)])
def test_normalized_stft_matches_cpu_and_torch(rng, n_fft, hop, layout, contiguous):
    # the forward scale 1/sqrt(n_fft) rides in the kernels' window (forward_window_table)
    t = spectro.SpectralTransform(n_fft, hop, normalized=True)
    x = rng.standard_normal((2, 9 * n_fft + 5)).astype(np.float32)
    ref = t.stft(x.astype(np.float64), output_layout=layout)
    xd = torch.from_numpy(x).to(DEV)
    got = t.stft(xd, output_layout=layout, contiguous=contiguous)
    assert rel_l2(got.cpu().numpy(), ref) <= 1e-6
    w = torch.hann_window(n_fft, device=DEV, dtype=torch.float64)
    zt = torch.stft(xd.double(), n_fft, hop, window=w, normalized=True, return_complex=True)
    assert rel_l2((got if layout == "bfn" else got.transpose(-1, -2)).cpu().numpy(), zt.cpu().numpy()) <= 1e-6
    y = t.istft(got, length=x.shape[-1], input_layout=layout)  # the normalized inverse undoes it
    assert rel_l2(y.cpu().numpy(), x) <= 1e-5


@pytest.mark.parametrize("shape", [(20000,), (2, 20000), (2, 3, 20000)])
def test_shapes_and_torch_parity(rng, shape):
    x = torch.randn(shape, device=DEV)
    t = spectro.SpectralTransform(1024, 256)
    z = t.stft(x)
    w = torch.hann_window(1024, device=DEV)
    ref = torch.stft(x.reshape(-1, shape[-1]).double(), 1024, 256, window=w.double(), return_complex=True)
    assert rel_l2(z.reshape(ref.shape).cpu().numpy(), ref.cpu().numpy()) <= 1e-6
    if len(shape) == 2:  # laid out as torch.stft's result: a [B, F, N] view of [B, N, F] memory
        assert z.stride() == torch.stft(x, 1024, 256, window=w, return_complex=True).stride()
    y = t.istft(z, length=shape[-1])
    assert tuple(y.shape) == tuple(shape) if len(shape) > 1 else (1, shape[0])
    # round trip no worse than torch's own on the same input
    yt = torch.istft(torch.stft(x.reshape(-1, shape[-1]), 1024, 256, window=w, return_complex=True), 1024, 256,
                     window=w, length=shape[-1])
    e_ours = rel_l2(y.reshape(yt.shape).cpu().numpy(), x.reshape(yt.shape).cpu().numpy())
    e_torch = rel_l2(yt.cpu().numpy(), x.reshape(yt.shape).cpu().numpy())
    assert e_ours <= 1.1 * e_torch


@pytest.mark.parametrize("n_fft,hop", [(512, 128), (400, 100), (1024, 256), (2048, 512), (4096, 1024), (2048, 441)])
@pytest.mark.parametrize("rule", [0, 1, 3])
@pytest.mark.parametrize("layout", ["bfn", "bnf"])
@pytest.mark.parametrize("length_delta", [0, -37, 500])
def test_istft_matches_cpu(rng, n_fft, hop, rule, layout, length_delta):
    t = spectro.SpectralTransform(n_fft, hop, **RULES[rule])
    T = 9 * n_fft + 11
    x = rng.standard_normal((2, T))
    z = t.stft(x, output_layout=layout)
    length = T + length_delta
    with np.errstate(all="ignore"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            ref = t.istft(z, length=length, input_layout=layout)
            got = t.istft(torch.from_numpy(z.astype(np.complex64)).to(DEV), length=length, input_layout=layout)
    assert tuple(got.shape) == ref.shape
    m = min(T, length) if rule != 3 else min(T, length) - n_fft  # center=False: envelope 0 at the edges
    lo = 0 if rule != 3 else n_fft
    assert rel_l2(got.cpu().numpy()[:, lo:m], ref[:, lo:m]) <= 1e-6


@pytest.mark.parametrize("n_fft,hop", [(512, 128), (1024, 256), (2048, 441), (2048, 512), (4096, 1024)])
@pytest.mark.parametrize("rule", [0, 3])
@pytest.mark.parametrize("layout", ["bfn", "bnf"])
@pytest.mark.parametrize("length_delta", [0, 501, -1999])
def test_istft_own_frame_blocks_match_cpu(rng, n_fft, hop, rule, layout, length_delta):
    # calls large enough (8 x ~600 frames) for the blocks that each transform
    # their own frames and add the shared edge samples atomically; T is odd,
    # so lengths T + 501 and T - 1999 (even) take the quarter-hop kernel at
    # hop = n_fft / 4 (beyond the last frame; cut short), T the general one
    t = spectro.SpectralTransform(n_fft, hop, **RULES[rule])
    T = 600 * hop + n_fft + 13
    x = rng.standard_normal((8, T))
    z = t.stft(x, output_layout=layout)
    length = T + length_delta
    ref = t.istft(z, length=length, input_layout=layout)
    zt = torch.from_numpy(z.astype(np.complex64)).to(DEV)
    got = t.istft(zt, length=length, input_layout=layout)
    assert tuple(got.shape) == ref.shape
    g = got.cpu().numpy()
    if rule == 3:  # center=False: the envelope is ~0 at the edges; zeros past the last frame
        assert rel_l2(g[:, n_fft:T - n_fft], ref[:, n_fft:T - n_fft]) <= 1e-6
        assert np.all(g[:, T:] == 0)
    else:  # (past T the reflect-padded tail's envelope falls to ~0: ill-conditioned, as in the test above)
        assert rel_l2(g[:, :T], ref[:, :T]) <= 1e-6
    # deterministic: two addends per shared sample, whatever their order
    assert torch.equal(got, t.istft(zt, length=length, input_layout=layout))


@pytest.mark.parametrize("n_fft", [1024, 2048])
@pytest.mark.parametrize("b,T", [(1, 2_000_001), (40, 100_000), (3, 700_000), (2, 300_000)])
def test_istft_quarter_hop_geometries_match_cpu(rng, n_fft, b, T):
    """The quarter-hop kernel on [frames][bins] spectra (the 16-points one;
    at n_fft 1024 the 8-points one for calls of few rounds a block slot, as
    B2 T300k on a card of 132 multiprocessors) over the block geometries the
    launch picks for it: one example over a wave of blocks, many examples of
    a few blocks each, blocks of kr or kr + 1 rounds; lengths even, cut short
    and past the last frame.
    Against the float64 CPU backend; deterministic; and the call did take that
    kernel (its autotune candidates are its spectrum loads)."""
    hop = n_fft // 4
    t = spectro.SpectralTransform(n_fft, hop)
    x = rng.standard_normal((b, T))
    z = t.stft(x, output_layout="bnf")
    zt = torch.from_numpy(z.astype(np.complex64)).to(DEV)
    even = T - T % 2
    for length in (even, even - 2 * int(rng.integers(1, 3 * n_fft)), even + 2 * int(rng.integers(1, n_fft))):
        ref = t.istft(z, length=length, input_layout="bnf")
        got = t.istft(zt, length=length, input_layout="bnf")
        assert _spectro.cuda_last_variant() in ("stream_loads", "cached_loads")
        assert tuple(got.shape) == ref.shape
        m = min(length, T)  # (past T the reflect-padded tail's envelope falls to ~0: ill-conditioned)
        assert rel_l2(got.cpu().numpy()[:, :m], ref[:, :m]) <= 1e-6
        assert torch.equal(got, t.istft(zt, length=length, input_layout="bnf"))


@pytest.mark.parametrize("b,T,n_fft", [(8, 480000, 1024), (16, 441000, 2048), (2, 2_000_000, 512)])
def test_istft_beyond_l2_matches_cpu(rng, b, T, n_fft):
    """Calls whose spectrum and output together exceed the L2 cache (the
    quarter-hop kernel on [frames][bins] spectra then reads them with
    streaming loads): against the float64 CPU backend and torch.istft, and
    the [bins][frames] kernels on the same spectrum."""
    hop = n_fft // 4
    l2 = getattr(torch.cuda.get_device_properties(DEV), "L2_cache_size", 50 << 20)
    if b * (1 + T // hop) * (n_fft // 2 + 1) * 8 + b * T * 4 <= l2:
        pytest.skip(f"the call fits in this device's L2 cache ({l2 >> 20} MB)")
    t = spectro.SpectralTransform(n_fft, hop)
    x = rng.standard_normal((b, T))
    z = t.stft(x, output_layout="bnf")  # float64 CPU: [B, N, F]
    zt = torch.from_numpy(z.astype(np.complex64)).to(DEV)
    assert zt.shape == (b, 1 + T // hop, n_fft // 2 + 1)
    got = t.istft(zt, length=T, input_layout="bnf")
    assert rel_l2(got.cpu().numpy(), t.istft(z, length=T, input_layout="bnf")) <= 1e-6
    w = torch.hann_window(n_fft, device=DEV)
    ref = torch.istft(zt.transpose(1, 2), n_fft, hop, window=w, length=T)
    assert rel_l2(got.cpu().numpy(), ref.cpu().numpy()) <= 1e-5
    bfn = t.istft(zt.transpose(1, 2).contiguous(), length=T)
    assert rel_l2(got.cpu().numpy(), bfn.cpu().numpy()) <= 1e-6


def test_minimal_tail_and_coverage_checks(rng):
    t = spectro.SpectralTransform(2048, 441, center_pad_mode="constant", center_tail_pad="minimal")
    x = torch.randn(2, 30000, device=DEV)
    z = t.stft(x)
    with pytest.raises(ValueError, match="length"):
        t.istft(z)
    y = t.istft(z, length=30000)
    assert rel_l2(y.cpu().numpy(), x.cpu().numpy()) <= 1e-6
    g = spectro.SpectralTransform(512, 300, 256)
    zg = g.stft(torch.randn(8000, device=DEV))
    with pytest.raises(RuntimeError, match="hop_length"):
        g.istft(zg, torch_like=True)


def test_bad_dtype_and_layout():
    with pytest.raises(TypeError, match="float32"):
        spectro.SpectralTransform(512, 128).stft(torch.randn(4000, device=DEV, dtype=torch.float64))
    with pytest.raises(ValueError, match="contiguous"):
        spectro.SpectralTransform(512, 128).stft(torch.randn(4000, 2, device=DEV).t())


def test_output_fully_overwritten_and_streams():
    t = spectro.SpectralTransform(1024, 256)
    x = torch.randn(4, 48000, device=DEV)
    n = t.num_frames(48000)
    out = torch.full((4, 513, n), float("nan"), dtype=torch.complex64, device=DEV)
    t._plan.stft_cuda(x.data_ptr(), out.data_ptr(), 4, 48000, "bfn", torch.cuda.current_stream().cuda_stream)
    assert torch.isfinite(torch.view_as_real(out)).all()
    yout = torch.full((4, 48000), float("nan"), device=DEV)
    t._plan.istft_cuda(out.data_ptr(), yout.data_ptr(), 4, n, "bfn", 48000, False, False,
                       torch.cuda.current_stream().cuda_stream)
    assert torch.isfinite(yout).all()
    ref = t.stft(x)
    s = torch.cuda.Stream()
    with torch.cuda.stream(s):
        z = t.stft(x)
        y = t.istft(z, length=48000)
    s.synchronize()
    assert torch.equal(z, ref)
    assert rel_l2(y.cpu().numpy(), x.cpu().numpy()) <= 1e-6


def test_dependent_launch_chains(rng):
    """The STFT kernel is a programmatic dependent launch: it waits for the
    kernel before it inside the kernel, not in the stream.  Chains with no
    host sync between the kernels, against the float64 CPU backend: an STFT
    reading what the STFT right before it wrote (the spectrum's float32 view
    as its signal), torch kernels writing the signal right before each STFT,
    STFT -> iSTFT -> STFT, two STFTs taking turns writing one buffer, and the
    first two chains captured in a CUDA graph."""
    t = spectro.SpectralTransform(1024, 256)
    B, T, F = 4, 96000, 513
    n = t.num_frames(T)
    T2 = n * F * 2
    n2 = t.num_frames(T2)
    x0 = torch.from_numpy(rng.standard_normal((B, T)).astype(np.float32)).to(DEV)

    def cpu(a):
        return a.cpu().numpy().astype(np.float64)

    def stft_of_stft(x, z1, z2, stream):
        t._plan.stft_cuda(x.data_ptr(), z1.data_ptr(), B, T, "bnf", stream)
        t._plan.stft_cuda(z1.data_ptr(), z2.data_ptr(), B, T2, "bnf", stream)

    def check_stft_of_stft(x, z1, z2):
        assert rel_l2(z1.cpu().numpy(), t.stft(cpu(x), output_layout="bnf")) <= 1e-6
        sig = torch.view_as_real(z1).reshape(B, T2)
        assert rel_l2(z2.cpu().numpy(), t.stft(cpu(sig), output_layout="bnf")) <= 1e-6

    stream = torch.cuda.current_stream().cuda_stream
    x = x0.clone()
    z1 = torch.empty((B, n, F), dtype=torch.complex64, device=DEV)
    z2 = torch.empty((B, n2, F), dtype=torch.complex64, device=DEV)
    stft_of_stft(x, z1, z2, stream)
    torch.cuda.synchronize()
    check_stft_of_stft(x, z1, z2)

    zs, snaps = [], []
    for k in range(4):  # torch kernels writing the signal right before each STFT
        x.mul_(0.5).add_(k)
        zs.append(t.stft(x))
        snaps.append(x.clone())
    torch.cuda.synchronize()
    for z, snap in zip(zs, snaps):
        assert rel_l2(z.cpu().numpy(), t.stft(cpu(snap))) <= 1e-6

    z3 = t.stft(t.istft(t.stft(x), length=T))
    torch.cuda.synchronize()
    assert rel_l2(z3.cpu().numpy(), t.stft(t.istft(t.stft(cpu(x)), length=T))) <= 1e-6

    other = torch.from_numpy(rng.standard_normal((B, T)).astype(np.float32)).to(DEV)
    out = torch.empty((B, n, F), dtype=torch.complex64, device=DEV)
    for _ in range(3):  # the last writer's values, whole
        t._plan.stft_cuda(x.data_ptr(), out.data_ptr(), B, T, "bnf", stream)
        t._plan.stft_cuda(other.data_ptr(), out.data_ptr(), B, T, "bnf", stream)
    torch.cuda.synchronize()
    assert rel_l2(out.cpu().numpy(), t.stft(cpu(other), output_layout="bnf")) <= 1e-6

    gx = x0.clone()
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):  # warm-up on the capture stream
        stft_of_stft(gx, z1, z2, side.cuda_stream)
    torch.cuda.current_stream().wait_stream(side)
    torch.cuda.synchronize()
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        gx.mul_(2.0)  # a torch kernel node, then the two STFT nodes
        stft_of_stft(gx, z1, z2, torch.cuda.current_stream().cuda_stream)
    gx.copy_(x0)
    for _ in range(3):
        graph.replay()
    torch.cuda.synchronize()
    assert torch.equal(gx, x0 * 8)
    check_stft_of_stft(gx, z1, z2)


def test_graph_replay_equals_eager():
    t = spectro.SpectralTransform(512, 128)
    x = torch.randn(2, 16000, device=DEV)
    eager_z = t.stft(x)
    eager_y = t.istft(eager_z, length=16000)
    static_x = x.clone()
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):  # warm-up on the capture stream
        t.istft(t.stft(static_x), length=16000)
    torch.cuda.current_stream().wait_stream(s)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        gz = t.stft(static_x)
        gy = t.istft(gz, length=16000)
    for _ in range(3):
        graph.replay()
    torch.cuda.synchronize()
    assert torch.equal(gz, eager_z)
    assert torch.equal(gy, eager_y)
    static_x.copy_(x * 2)
    graph.replay()
    torch.cuda.synchronize()
    assert rel_l2(gz.cpu().numpy(), 2 * eager_z.cpu().numpy()) <= 1e-6


def test_repeated_eager_calls(rng):
    """A call signature seen before takes the eager fast path (the first
    call's checks, cached): the same results and strides, and a tensor of
    that shape that needs other handling still gets it."""
    t = spectro.SpectralTransform(1024, 256)
    x = torch.from_numpy(rng.standard_normal((2, 30000)).astype(np.float32)).to(DEV)
    z1, z2 = t.stft(x), t.stft(x)
    assert t._fast and torch.equal(z1, z2) and z1.stride() == z2.stride()
    assert rel_l2(z2.cpu().numpy(), t.stft(x.cpu().numpy().astype(np.float64))) <= 1e-6
    c1, c2 = t.stft(x, contiguous=True), t.stft(x, contiguous=True)
    assert c2.is_contiguous() and torch.equal(c1, c2) and torch.equal(c2, z2)
    with pytest.raises(ValueError, match="contiguous"):
        t.stft(torch.randn(30000, 2, device=DEV).t())
    with pytest.raises(TypeError, match="float32"):
        t.stft(x.double())
    with pytest.raises(ValueError, match="output_layout"):
        t.stft(x, output_layout="fnb")
    y1, y2 = t.istft(z1, length=30000), t.istft(z2, length=30000)
    assert torch.equal(y1, y2) and rel_l2(y2.cpu().numpy(), x.cpu().numpy()) <= 1e-6
    assert torch.equal(t.istft(c2, length=30000), t.istft(c1, length=30000))
    assert rel_l2(t.istft(c2, length=30000).cpu().numpy(), y2.cpu().numpy()) <= 1e-6
    # a lazily conjugated view of a seen shape and strides is resolved, as on a first call
    zc = z2.conj()
    assert torch.equal(t.istft(zc, length=30000), t.istft(zc.resolve_conj(), length=30000))
    with pytest.raises(ValueError, match="C-contiguous"):
        t.istft(z2[..., ::2], length=15000)
    assert tuple(t.istft(z2).shape) == tuple(t.istft(z1).shape)  # natural length, twice


@pytest.mark.parametrize("contiguous", [False, True])
@pytest.mark.parametrize("n_fft,hop,T", [(1024, 256, 160001), (2048, 512, 88200)])
def test_compiled_bfn_stft_graphs(rng, contiguous, n_fft, hop, T):
    """get_compiled_stft's graphs give the eager call's values and strides
    (the bnf-memory view by default, bfn memory with contiguous=True)."""
    t = spectro.SpectralTransform(n_fft, hop)
    x = rng.standard_normal((3, T)).astype(np.float32)
    xd = torch.from_numpy(x).to(DEV)
    fn = t.get_compiled_stft(contiguous=contiguous)
    eager = t.stft(xd, contiguous=contiguous)
    first, again = fn(xd).clone(), fn(xd)  # capture, then replay
    for got in (first, again):
        assert torch.equal(got, eager)
    assert again.stride() == eager.stride() and again.is_contiguous() == contiguous
    assert rel_l2(again.cpu().numpy(), t.stft(x.astype(np.float64))) <= 1e-6
    assert t.stft_compiled(xd, contiguous=contiguous).stride() == eager.stride()


@pytest.mark.parametrize("n_fft,hop,T", [(1024, 256, 160000), (2048, 512, 99999), (512, 128, 4000), (400, 160, 16000)])
def test_istft_reads_torch_stft_output_in_place(rng, n_fft, hop, T):
    """torch.stft returns a [B, F, N] view of [B, N, F] memory: the iSTFT reads
    it as it lies (the bnf kernels, no copy), equal to the contiguous copy's
    result and to torch.istft; other strided tensors are refused."""
    x = torch.from_numpy(rng.standard_normal((3, T)).astype(np.float32)).to(DEV)
    w = torch.hann_window(n_fft, device=DEV)
    z = torch.stft(x, n_fft, hop, window=w, return_complex=True)
    assert not z.is_contiguous()
    t = spectro.SpectralTransform(n_fft, hop)
    y = t.istft(z, length=T)
    y_copy = t.istft(z.contiguous(), length=T)
    assert rel_l2(y.cpu().numpy(), y_copy.cpu().numpy()) <= 1e-6
    ref = torch.istft(z, n_fft, hop, window=w, length=T)
    assert rel_l2(y.cpu().numpy(), ref.cpu().numpy()) <= 1e-5
    g = t.get_compiled_istft(length=T)
    assert rel_l2(g(z).cpu().numpy(), y.cpu().numpy()) <= 1e-6
    with pytest.raises(ValueError, match="C-contiguous"):
        t.istft(z[..., ::2], length=T // 2)


def test_cupy_arrays(rng):
    cupy = pytest.importorskip("cupy")
    x = rng.standard_normal((2, 20000)).astype(np.float32)
    t = spectro.SpectralTransform(1024, 256)
    z = t.stft(cupy.asarray(x))
    assert isinstance(z, cupy.ndarray)
    assert rel_l2(cupy.asnumpy(z), t.stft(x.astype(np.float64))) <= 1e-6
    assert cupy.swapaxes(z, -1, -2).flags.c_contiguous  # a view of bnf memory, as for torch
    zc = t.stft(cupy.asarray(x), contiguous=True)
    assert zc.flags.c_contiguous and rel_l2(cupy.asnumpy(zc), t.stft(x.astype(np.float64))) <= 1e-6
    y = t.istft(z, length=20000)
    assert rel_l2(cupy.asnumpy(y), x) <= 1e-6
    # a view with the last two axes swapped (bnf memory read as bfn), in place
    zb = t.stft(cupy.asarray(x), output_layout="bnf")
    yv = t.istft(cupy.swapaxes(zb, -1, -2), length=20000)
    assert rel_l2(cupy.asnumpy(yv), cupy.asnumpy(t.istft(zb, length=20000, input_layout="bnf"))) <= 1e-7


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "int16"])
@pytest.mark.parametrize("n_fft,hop,rule", [(512, 128, 0), (400, 160, 1), (1024, 256, 3), (2048, 441, 2)])
@pytest.mark.parametrize("offset", [0, 1])  # 1: a view starting one sample in (no paired loads)
def test_reduced_precision_input(rng, dtype, n_fft, hop, rule, offset):
    """float16 / bfloat16 / int16 device signals are converted on load: the
    result equals the float64 CPU transform of the same sample values."""
    x = rng.standard_normal((3, 6 * n_fft + 10 + offset)).astype(np.float32) * 0.3
    if dtype == "int16":
        xt = torch.from_numpy(np.clip(np.round(x * 32768), -32768, 32767).astype(np.int16)).to(DEV)
        ref_in = xt.cpu().numpy().astype(np.float64) / 32768.0
    else:
        xt = torch.from_numpy(x).to(DEV).to(getattr(torch, dtype))
        ref_in = xt.float().cpu().numpy().astype(np.float64)
    t = spectro.SpectralTransform(n_fft, hop, **RULES[rule])
    if offset:  # one row seen from its second sample: pairs of samples are not aligned
        xt, ref_in = xt[0, 1:], ref_in[0, 1:]
    for layout in ("bfn", "bnf"):
        got = t.stft(xt, output_layout=layout)
        assert got.dtype == torch.complex64
        assert rel_l2(got.cpu().numpy(), t.stft(ref_in, output_layout=layout)) <= 1e-6
    m = spectro.MelSpectrogramTransform(sample_rate=16000, n_fft=n_fft, hop_length=hop, n_mels=40, **RULES[rule])
    got = m(xt)
    assert got.dtype == torch.float32
    assert np.abs(got.cpu().numpy() - m(ref_in)).max() <= 1e-3


def test_reduced_precision_cupy_and_cpu_errors(rng):
    x = rng.standard_normal(20000).astype(np.float16)
    t = spectro.SpectralTransform(1024, 256)
    with pytest.raises(TypeError, match="float32 or float64"):
        t.stft(x)  # numpy float16 stays on the CPU, which takes float32 / float64 / int16
    cupy = pytest.importorskip("cupy")
    got = t.stft(cupy.asarray(x))
    assert rel_l2(cupy.asnumpy(got), t.stft(x.astype(np.float64))) <= 1e-6


# ---------------------------------------------------------------- cuFFT path (sizes the own FFT does not cover)

@pytest.mark.parametrize("n_fft,hop", FALLBACK_SIZES)
@pytest.mark.parametrize("rule", range(4))
@pytest.mark.parametrize("layout", ["bfn", "bnf"])
def test_cufft_path_istft_matches_cpu(rng, n_fft, hop, rule, layout):
    """The iSTFT of the cuFFT path (its STFT is in test_stft_matches_cpu)."""
    t = spectro.SpectralTransform(n_fft, hop, **RULES[rule])
    x = rng.standard_normal((3, 5 * n_fft + 17)).astype(np.float32)
    ref = t.stft(x.astype(np.float64), output_layout=layout)
    T = x.shape[-1]
    # iSTFT of the same complex64 spectra on both backends, compared where the
    # window envelope is not near zero (as test_istft_matches_cpu)
    z64 = torch.from_numpy(ref.astype(np.complex64)).to(DEV)
    for length in (T, T - 37, T + 300):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            y_ref = t.istft(ref.astype(np.complex64).astype(np.complex128), length=length, input_layout=layout)
            y = t.istft(z64, length=length, input_layout=layout)
        assert tuple(y.shape) == y_ref.shape
        lo = n_fft if rule in (2, 3) else 0
        hi = min(T, length) - (n_fft if rule in (2, 3) else 0)
        assert rel_l2(y.cpu().numpy()[:, lo:hi], y_ref[:, lo:hi]) <= 1e-6
    if rule in (0, 1):  # and the round trip through both CUDA directions
        y = t.istft(t.stft(torch.from_numpy(x).to(DEV), output_layout=layout), length=T, input_layout=layout)
        assert rel_l2(y.cpu().numpy(), x) <= 1e-6


@pytest.mark.parametrize("dtype", ["float16", "int16"])
def test_cufft_path_reduced_precision(rng, dtype):
    t = spectro.SpectralTransform(1323, 441)
    x = (rng.standard_normal((2, 20000)) * 0.3).astype(np.float32)
    if dtype == "int16":
        xt = torch.from_numpy(np.round(x * 32768).astype(np.int16)).to(DEV)
        ref_in = xt.cpu().numpy().astype(np.float64) / 32768
    else:
        xt = torch.from_numpy(x).to(DEV).half()
        ref_in = xt.float().cpu().numpy().astype(np.float64)
    assert rel_l2(t.stft(xt).cpu().numpy(), t.stft(ref_in)) <= 1e-6


def test_cufft_path_graph_capture_and_streams(rng):
    t = spectro.SpectralTransform(1323, 441)
    x = torch.randn(2, 30000, device=DEV)
    z_eager = t.stft(x)
    y_eager = t.istft(z_eager, length=30000)
    stft_fn, istft_fn = t.compiled_pair(30000, layout="bfn")
    z = stft_fn(x)
    assert torch.equal(z, z_eager)  # the forward path has no atomics: bit-identical
    y = istft_fn(z)
    assert rel_l2(y.cpu().numpy(), y_eager.cpu().numpy()) <= 1e-7  # overlap-add by atomics: last-bit order
    s = torch.cuda.Stream()
    with torch.cuda.stream(s):
        z2 = t.stft(x)
    s.synchronize()
    assert torch.equal(z2, z_eager)


def test_lazy_conj_view_and_static_input_types():
    t = spectro.SpectralTransform(512, 128)
    x = torch.randn(2, 8000, device=DEV)
    zc = t.stft(x).conj()  # torch keeps a conjugate bit instead of conjugating
    assert zc.is_conj()
    assert torch.equal(t.istft(zc, length=8000), t.istft(zc.resolve_conj(), length=8000))
    fn = t.get_compiled_stft()
    with pytest.raises(TypeError, match="torch CUDA tensors"):
        fn.static_input(np.zeros((2, 8000), dtype=np.float32))


def test_device_argument_moves_numpy_to_cuda(rng):
    x = rng.standard_normal((2, 16000))  # float64 numpy: moved as float32
    t = spectro.SpectralTransform(1024, 256)
    z = t.stft(x, device="cuda")
    assert isinstance(z, torch.Tensor) and z.is_cuda and z.dtype == torch.complex64
    assert torch.equal(z, t.stft(torch.from_numpy(x.astype(np.float32)).to(DEV)))
    y = t.istft(z.cpu().numpy(), length=16000, device="cuda:0")
    assert y.is_cuda and rel_l2(y.cpu().numpy(), x) <= 1e-6
    m = spectro.MFCCTransform(sample_rate=16000, n_mfcc=13, n_fft=400, hop_length=160, n_mels=40)
    got = m(x, device="cuda")
    assert got.is_cuda and np.abs(got.cpu().numpy() - m(x)).max() <= 1e-3
    with pytest.raises(ValueError, match="device='cpu'"):
        t.stft(torch.zeros(4000, device=DEV), device="cpu")
