"""SpectralTransform: STFT / iSTFT plans with the reference package's API."""
from __future__ import annotations

import contextlib
import functools
import math
import sys
from typing import Callable, Dict, Optional, Tuple

import numpy as np

from . import _spectro
from .compile_cache import record_cache_event
from .windows import WINDOW_NAMES, make_window, resolve_fft_params

LAYOUTS = ("bfn", "bnf")
ISTFT_BACKEND_POLICIES = (None, "auto", "mlx_fft", "metal", "torch_fallback", "native")
SAFETY_MODES = ("off", "auto", "always")
LONG_MODE_STRATEGIES = ("native", "numpy_fallback", "torch_fallback")

_REAL_DTYPES = {np.dtype(np.float32): np.complex64, np.dtype(np.float64): np.complex128,
                np.dtype(np.int16): np.complex64}
_COMPLEX_DTYPES = {np.dtype(np.complex64): np.float32, np.dtype(np.complex128): np.float64}


def _check_layout(value: str, name: str) -> str:
    if value not in LAYOUTS:
        raise ValueError(f"{name} must be one of {LAYOUTS} (got {value!r})")
    return value


_OTHER_LAYOUT = {"bfn": "bnf", "bnf": "bfn"}


def _as_laid_out(z, layout: str):
    """(z, layout), or for a numpy array whose last two axes are swapped in
    memory (a transposed view, as torch.stft returns) the C-contiguous
    swapped view and the other layout: the same spectrum, read in place."""
    if isinstance(z, np.ndarray) and z.ndim >= 2 and not z.flags.c_contiguous:
        zt = np.swapaxes(z, -1, -2)
        if zt.flags.c_contiguous:
            return zt, _OTHER_LAYOUT[layout]
    return z, layout


def _check_array(a, name: str, ranks: Tuple[int, ...], dtypes, what: str) -> np.ndarray:
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{name} must be a numpy.ndarray or a DLPack tensor (torch, cupy, jax, ...; got "
                        f"{type(a).__name__})")
    if a.dtype not in dtypes:
        raise TypeError(f"{name} must be {what} (got dtype {a.dtype})")
    if a.ndim not in ranks:
        raise ValueError(f"{name} must have {' or '.join(str(r) for r in ranks)} dimensions (got shape {a.shape})")
    if not a.flags.c_contiguous:
        raise ValueError(
            f"{name} must be C-contiguous (got strides {a.strides}); pass numpy.ascontiguousarray({name})"
        )
    return a


# ---------------------------------------------------------------- CPU DLPack tensors

_KDL_CPU = 1  # DLDeviceType kDLCPU


def _plain_torch(t):
    """A torch CPU tensor without autograd and with lazy conj / neg views
    materialised, ready for .numpy() (gradients do not flow through spectro)."""
    return t.detach().resolve_conj().resolve_neg()


def _from_cpu_dlpack(x, name: str):
    """A CPU tensor of another library (anything exposing __dlpack__ on the
    CPU: torch, jax, ...) as a zero-copy numpy view, and the function that
    turns a numpy result back into that library's kind (None: keep numpy).
    numpy arrays, CUDA arrays and other objects come back unchanged."""
    if isinstance(x, np.ndarray) or not hasattr(x, "__dlpack__") or not hasattr(x, "__dlpack_device__"):
        return x, None
    try:
        device_type = int(x.__dlpack_device__()[0])
    except Exception:  # not a usable DLPack producer: the usual type error follows
        return x, None
    if device_type != _KDL_CPU:
        return x, None
    mod = type(x).__module__.split(".")[0]
    try:
        if mod == "torch":
            import torch

            return _plain_torch(x).numpy(), torch.from_numpy
        a = np.from_dlpack(x)
    except (TypeError, RuntimeError, BufferError, ValueError) as e:
        raise TypeError(f"{name}: this {type(x).__name__} cannot be read as a numpy array ({e}); pass "
                        f"float32 / float64 (complex64 / complex128 for spectra)") from None
    return a, _dlpack_importer(mod)


def _dlpack_importer(mod: str):
    """The from_dlpack function of the library whose top-level module is
    ``mod`` (jax: jax.numpy.from_dlpack), or None."""
    lib = sys.modules.get({"jaxlib": "jax"}.get(mod, mod))  # (jax arrays are jaxlib types)
    for path in ("from_dlpack", "numpy.from_dlpack", "dlpack.from_dlpack"):
        fn = lib
        for part in path.split("."):
            fn = getattr(fn, part, None)
        if callable(fn):
            return fn
    return None


def _same_kind(out, back):
    return out if back is None else back(out)


# ---------------------------------------------------------------- CUDA arrays

_KDL_CUDA = 2  # DLDeviceType kDLCUDA


def _is_cuda_array(a) -> bool:
    if type(a).__module__.split(".")[0] == "torch":  # bfloat16 tensors have no __cuda_array_interface__
        return bool(getattr(a, "is_cuda", False))
    if hasattr(a, "__cuda_array_interface__"):
        return True
    if isinstance(a, np.ndarray) or not hasattr(a, "__dlpack_device__"):
        return False
    try:  # another DLPack producer (jax, ...) on a CUDA device
        return int(a.__dlpack_device__()[0]) == _KDL_CUDA
    except Exception:
        return False


def _foreign_cuda(a, mod: str, name: str):
    """A CUDA array of a library other than torch and cupy (jax, ...; ``mod``
    its top-level module) as a zero-copy torch tensor (cupy array without
    torch) through DLPack, and the function that turns a result back into
    that library's kind.  The DLPack exchange orders the producer's stream
    before ours and ours before the consumer's."""
    if not hasattr(a, "__dlpack__"):
        raise TypeError(f"{name}: CUDA arrays are taken from torch, cupy or another DLPack producer "
                        f"(got {type(a).__name__}, which has no __dlpack__)")
    back = _dlpack_importer(mod)
    if back is None:
        raise TypeError(f"{name}: no from_dlpack found in {mod!r} to return the result as a {type(a).__name__}")
    try:
        import torch

        lib_from = torch.from_dlpack
    except ImportError:
        try:
            import cupy
        except ImportError:
            raise RuntimeError(f"{name}: CUDA {type(a).__name__} input needs torch or cupy to hold spectro's "
                               f"CUDA arrays") from None
        lib_from = cupy.from_dlpack
    try:
        return lib_from(a), back
    except (TypeError, RuntimeError, BufferError, ValueError) as e:
        raise TypeError(f"{name}: this CUDA {type(a).__name__} cannot be exchanged through DLPack ({e})") from None


# spectro_dtype codes of the CUDA signal types (include/spectro.h)
_CUDA_SIGNAL = {"float32": 0, "int16": 2, "float16": 3, "bfloat16": 4}
_CUDA_TYPESTR = {"<f4": "float32", "<f2": "float16", "<i2": "int16", "<c8": "complex64"}


_NO_GUARD = contextlib.nullcontext()
_TORCH = None  # (torch, {dtype: name}, current raw stream of a device index, current device), looked up once
_TENSOR = None  # torch.Tensor once torch has been seen (the eager fast paths' type test)


def _torch():
    global _TORCH, _TENSOR
    if _TORCH is None:
        import torch

        _TENSOR = torch.Tensor
        names = {torch.float32: "float32", torch.float16: "float16", torch.bfloat16: "bfloat16",
                 torch.int16: "int16", torch.complex64: "complex64"}
        raw = getattr(torch._C, "_cuda_getCurrentRawStream", None)  # (torch's own fast path; public API otherwise)
        stream = raw if raw is not None else (lambda index: torch.cuda.current_stream(index).cuda_stream)
        device = getattr(torch._C, "_cuda_getDevice", None) or torch.cuda.current_device
        _TORCH = (torch, names, stream, device)
    return _TORCH


def _current_device_stream(t):
    """(device, current raw stream) of a torch CUDA tensor on the current
    device; stream None on another device (the eager fast paths then take
    the general path, which switches devices)."""
    _, _, raw_stream, current_device = _TORCH
    dev = t.device
    return dev, raw_stream(dev.index) if dev.index == current_device() else None


def _swapped_strides(shape, strides) -> bool:
    """Whether strides (in elements) lay shape out as a C-contiguous array
    with its last two axes swapped (torch.stft's [B, F, N] view of [B, N, F]
    memory); axes of size 1 may have any stride."""
    expect = 1
    for i in (-2, -1) + tuple(range(-3, -len(shape) - 1, -1)):
        if shape[i] != 1 and strides[i] != expect:
            return False
        expect *= shape[i]
    return True


class _CudaArray:
    """A torch tensor or cupy array on a CUDA device: pointer, shape, dtype
    (checked against ``dtypes``; ``code`` is its spectro_dtype), device and
    the library's current stream, plus allocation of outputs of the same
    kind on the same device.  The torch path keeps to cheap calls (raw
    stream handle, data_ptr, no device switch when the tensor is on the
    current device): it runs on every eager call.  A CUDA array of another
    DLPack producer (jax, ...) is taken as a torch tensor (or cupy array);
    ``result(out)`` turns an output back into the caller's kind."""

    __slots__ = ("lib", "device", "shape", "ptr", "code", "stream", "obj", "swapped", "_guard", "_back")

    def __init__(self, a, name: str, ranks, dtypes, swapped_ok: bool = False):
        # swapped_ok: also take an array whose last two axes are swapped in
        # memory (a transposed view of a C-contiguous array, as torch.stft
        # returns); .swapped says so, .ptr is its data either way
        self.swapped = False
        mod = type(a).__module__.split(".")[0]
        self._back = None
        if mod not in ("torch", "cupy"):
            a, self._back = _foreign_cuda(a, mod, name)
            mod = type(a).__module__.split(".")[0]
        if mod == "torch":
            torch, names, raw_stream, current_device = _torch()
            if a.is_conj():  # lazy conj / neg views: materialise before taking the pointer
                a = a.resolve_conj()
            if a.is_neg():
                a = a.resolve_neg()
            self.lib = "torch"
            self.device = dev = a.device
            self.shape, self.ptr = tuple(a.shape), a.data_ptr()
            dtype = names.get(a.dtype) or str(a.dtype).replace("torch.", "")
            contiguous = a.is_contiguous()
            if not contiguous and swapped_ok and len(self.shape) >= 2 and _swapped_strides(self.shape, a.stride()):
                contiguous = self.swapped = True
            self.stream = raw_stream(dev.index)
            self._guard = dev.index != current_device()
        elif mod == "cupy":
            import cupy

            iface = a.__cuda_array_interface__
            self.lib, self.device = "cupy", a.device
            self.shape, self.ptr = tuple(iface["shape"]), iface["data"][0]
            dtype = _CUDA_TYPESTR.get(iface["typestr"], iface["typestr"])
            contiguous = a.flags.c_contiguous
            if not contiguous and swapped_ok and a.ndim >= 2 and cupy.swapaxes(a, -1, -2).flags.c_contiguous:
                contiguous = self.swapped = True
            self.stream = cupy.cuda.get_current_stream().ptr
            self._guard = True
        if dtype not in dtypes:
            raise TypeError(f"{name} must be {' or '.join(dtypes)} on the CUDA backend (got {dtype})")
        self.code = _CUDA_SIGNAL.get(dtype, 0)
        if len(self.shape) not in ranks:
            raise ValueError(f"{name} must have {' or '.join(map(str, ranks))} dimensions (got shape {self.shape})")
        if not contiguous:
            raise ValueError(f"{name} must be C-contiguous; call .contiguous() (cupy: cupy.ascontiguousarray)")
        self.obj = a

    def result(self, out):
        """out as the caller's kind of array (a torch / cupy output as is)."""
        return out if self._back is None else self._back(out)

    def empty_bytes(self, n: int):
        """n bytes of device scratch (None for 0), from the library's allocator."""
        if n == 0:
            return None
        if self.lib == "torch":
            torch = _torch()[0]
            return torch.empty((n,), dtype=torch.uint8, device=self.device)
        import cupy

        with self.device:
            return cupy.empty((n,), dtype=cupy.uint8)

    def empty(self, shape, complex_out: bool, swapped: bool = False):
        """A new array of shape on the device; swapped: laid out with its
        last two axes swapped in memory (a view, as torch.stft returns)."""
        if self.lib == "torch":
            torch = _torch()[0]
            dtype = torch.complex64 if complex_out else torch.float32
            if not swapped:
                return torch.empty(shape, dtype=dtype, device=self.device)
            strides = [1] * len(shape)
            strides[-1], step = shape[-2], shape[-2] * shape[-1]
            for i in range(len(shape) - 3, -1, -1):
                strides[i] = step
                step *= shape[i]
            return torch.empty_strided(shape, strides, dtype=dtype, device=self.device)
        import cupy

        with self.device:
            dtype = cupy.complex64 if complex_out else cupy.float32
            if not swapped:
                return cupy.empty(shape, dtype=dtype)
            return cupy.swapaxes(cupy.empty(shape[:-2] + (shape[-1], shape[-2]), dtype=dtype), -1, -2)

    def device_guard(self):
        """Makes the array's device current for the library call (a no-op
        when it already is)."""
        if not self._guard:
            return _NO_GUARD
        if self.lib == "torch":
            return _torch()[0].cuda.device(self.device)
        return self.device


class _CudaGraphs:
    """Replays one CUDA graph of ``eager`` per input (shape, strides, dtype,
    device) of torch CUDA tensors; other inputs run ``eager`` directly.

    The first call with a new shape validates and warms up eagerly on a side
    stream, then captures the call into a graph reading a static input
    buffer.  Later calls copy the input there (skipped when the caller passes
    that buffer: see :meth:`static_input`), replay the graph on the current
    stream and return the graph's static output tensor, which the next call
    with the same shape overwrites: ``.clone()`` it to keep it."""

    __slots__ = ("_eager", "_graphs")

    def __init__(self, eager: Callable) -> None:
        self._eager = eager
        self._graphs: Dict[tuple, tuple] = {}

    @staticmethod
    def _key(x) -> tuple:
        return (tuple(x.shape), tuple(x.stride()), x.dtype, x.device)

    def __call__(self, x):
        if type(x).__module__.split(".")[0] != "torch":
            return self._eager(x)
        entry = self._graphs.get(self._key(x))
        if entry is None:
            entry = self._capture(x)
        static_in, static_out, graph = entry
        if x.data_ptr() != static_in.data_ptr():
            static_in.copy_(x)
        graph.replay()
        return static_out

    def static_input(self, x):
        """The graph's input buffer for inputs shaped like ``x`` (captured on
        first use): write the next input into it to skip the copy."""
        if type(x).__module__.split(".")[0] != "torch" or not getattr(x, "is_cuda", False):
            raise TypeError(f"static_input takes torch CUDA tensors (got {type(x).__name__})")
        entry = self._graphs.get(self._key(x))
        return (entry or self._capture(x))[0]

    def _capture(self, x) -> tuple:
        import torch

        self._eager(x)  # validates the call and uploads the plan's tables before any capture
        static_in = x.clone()
        side = torch.cuda.Stream(device=x.device)
        side.wait_stream(torch.cuda.current_stream(x.device))
        with torch.cuda.stream(side):
            self._eager(static_in)
        torch.cuda.current_stream(x.device).wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.device(x.device), torch.cuda.graph(graph):
            static_out = self._eager(static_in)
        entry = self._graphs[self._key(x)] = (static_in, static_out, graph)
        record_cache_event("compiled.cuda_graph.capture")
        return entry


def _to_device(x, device, complex_in: bool = False):
    """Applies the ``device`` argument: None keeps x where it is; "cpu"
    refuses CUDA arrays; "cuda" / "cuda:N" moves numpy (or CPU torch) input
    to that device, as a torch tensor when torch is importable, else a cupy
    array, in float32 / complex64 (the CUDA backend's precision)."""
    if device is None:
        return x
    if not isinstance(device, str) or not (device in ("cpu", "cuda") or device.startswith("cuda:")):
        raise ValueError(f"device must be None, 'cpu', 'cuda' or 'cuda:N' (got {device!r})")
    if device == "cpu":
        if _is_cuda_array(x):
            raise ValueError("device='cpu' but x is on a CUDA device: move it first (tensor.cpu(), cupy.asnumpy, "
                             "jax.device_get)")
        return x
    if not _spectro.cuda_available():
        raise RuntimeError("device='cuda' needs spectro built with the CUDA backend (SPECTRO_CUDA=ON)")
    if _is_cuda_array(x):
        return x
    if type(x).__module__.split(".")[0] == "torch":
        x = _plain_torch(x)
        x = (x.float() if str(x.dtype) == "torch.bfloat16" else x).numpy()  # (numpy has no bfloat16)
    a = np.asarray(x)
    want = np.complex64 if complex_in else (np.int16 if a.dtype == np.int16 else np.float32)
    a = np.ascontiguousarray(a, dtype=want)
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        if not torch.cuda.is_available():
            raise RuntimeError(f"device={device!r}: torch sees no CUDA device")
        return torch.as_tensor(a, device=device)
    try:
        import cupy
    except ImportError:
        raise RuntimeError(f"device={device!r} needs torch or cupy to hold the CUDA arrays") from None
    with cupy.cuda.Device(int(device.split(":")[1]) if ":" in device else 0):
        return cupy.asarray(a)


def _ptr(a) -> int:
    data_ptr = getattr(a, "data_ptr", None)  # torch: a plain call (its __cuda_array_interface__ is slow)
    return data_ptr() if data_ptr is not None else a.__cuda_array_interface__["data"][0]


def _check_length(length) -> int:
    if length is None:
        return -1
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)):
        raise TypeError(f"length must be an int or None (got {type(length).__name__})")
    if length < 1:
        raise ValueError(f"length must be >= 1 (got {length})")
    return int(length)


class SpectralTransform:
    """STFT and inverse STFT for fixed parameters, on the CPU.

    Parameters follow torch.stft / the reference package: ``n_fft`` (any
    size), ``hop_length`` (default ``win_length // 4``), ``win_length``
    (default ``n_fft``; a shorter window is zero-padded and centred),
    ``window_fn`` (hann, hamming, blackman, rect/ones) or a custom ``window``
    array of ``win_length`` or ``n_fft`` values, ``periodic``, ``center``,
    ``center_pad_mode`` (reflect | constant), ``center_tail_pad``
    (symmetric | minimal: madmom's frame count), ``normalized``.
    """

    def __init__(
        self,
        n_fft: int,
        hop_length: Optional[int] = None,
        win_length: Optional[int] = None,
        window_fn: str = "hann",
        *,
        window=None,
        periodic: bool = True,
        center: bool = True,
        center_pad_mode: str = "reflect",
        center_tail_pad: str = "symmetric",
        normalized: bool = False,
        istft_backend_policy: Optional[str] = None,
    ) -> None:
        n_fft, hop_length, win_length = resolve_fft_params(n_fft, hop_length, win_length)
        if istft_backend_policy not in ISTFT_BACKEND_POLICIES:
            raise ValueError(
                f"istft_backend_policy must be one of {ISTFT_BACKEND_POLICIES[1:]} or None "
                f"(got {istft_backend_policy!r})"
            )
        if window is not None and not isinstance(window, str):
            plan_window = make_window(window, window_fn, win_length, n_fft, periodic, dtype=np.float64)
        else:
            name = window if isinstance(window, str) else window_fn
            if name not in WINDOW_NAMES:
                raise ValueError(f"window_fn must be one of {WINDOW_NAMES} (got {name!r})")
            plan_window = name
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.win_length = win_length
        self.window_fn = window_fn
        self.periodic = bool(periodic)
        self.center = bool(center)
        self.center_pad_mode = center_pad_mode
        self.center_tail_pad = center_tail_pad
        self.normalized = bool(normalized)
        self.istft_backend_policy = istft_backend_policy
        self._plan = _spectro.Plan(
            n_fft, hop_length, win_length, plan_window, self.periodic, self.center,
            center_pad_mode, center_tail_pad, self.normalized,
        )
        self.n_freqs = self._plan.bins
        self.kernels = self._plan.kernels  # SIMD variant chosen for this CPU and n_fft
        w = np.empty(n_fft, dtype=np.float64)
        self._plan.window_into(w)
        self.window = w.astype(np.float32)
        self._compiled: Dict[tuple, Callable] = {}
        # eager calls on torch CUDA tensors: per call signature, what the
        # first call's checks worked out (_stft_fast / _istft_fast)
        self._fast: Dict[tuple, tuple] = {}

    def __repr__(self) -> str:
        return (
            f"SpectralTransform(n_fft={self.n_fft}, hop_length={self.hop_length}, "
            f"win_length={self.win_length}, window_fn={self.window_fn!r}, periodic={self.periodic}, "
            f"center={self.center}, center_pad_mode={self.center_pad_mode!r}, "
            f"center_tail_pad={self.center_tail_pad!r}, normalized={self.normalized})"
        )

    # ------------------------------------------------------------ sizes
    def num_frames(self, length: int) -> int:
        """Frames of a signal of ``length`` samples under this framing rule."""
        return self._plan.frames(int(length))

    # ------------------------------------------------------------ STFT
    def _stft_shape(self, x: np.ndarray, layout: str) -> Tuple[tuple, np.dtype]:
        n = self._plan.frames(x.shape[-1])
        lead = x.shape[:-1] if x.ndim > 1 else (1,)
        tail = (self.n_freqs, n) if layout == "bfn" else (n, self.n_freqs)
        return lead + tail, _REAL_DTYPES[x.dtype]

    def stft(self, x: np.ndarray, output_layout: str = "bfn", *, device: Optional[str] = None,
             contiguous: bool = False) -> np.ndarray:
        """Forward STFT.  ``x``: [T], [B, T] or [B, C, T], float32 or float64
        (int16 PCM is accepted and scaled by 1/32768).  Returns complex64
        (complex128 for float64) [B, F, N] (``bfn``) or [B, N, F] (``bnf``);
        [T] gives [1, F, N] and [B, C, T] gives [B, C, F, N].  numpy input
        stays on the CPU unless ``device="cuda"`` (or "cuda:N") is asked
        for: it is then moved there (float32) and the result is a CUDA
        tensor; CUDA tensors (torch, cupy, or another DLPack producer such as
        jax; float32, float16, bfloat16, int16) run on their own device and
        come back as the same kind.

        On CUDA a ``bfn`` result is, like torch.stft's, a [.., F, N] view of
        [.., N, F] memory (the kernels write frames of consecutive bins, the
        faster store; :meth:`istft` reads it in place).  ``contiguous=True``
        asks for [.., F, N] memory instead, written directly (cheaper than
        ``.contiguous()`` afterwards).  CPU results are always C-contiguous."""
        if device is None and type(x) is _TENSOR:
            out = self._stft_fast(x, output_layout, contiguous)
            if out is not None:
                return out
        _check_layout(output_layout, "output_layout")
        x = _to_device(x, device)
        if _is_cuda_array(x):
            return self._stft_cuda(x, output_layout, bool(contiguous))
        x, back = _from_cpu_dlpack(x, "x")
        x = _check_array(x, "x", (1, 2, 3), _REAL_DTYPES, "float32 or float64")
        shape, dtype = self._stft_shape(x, output_layout)
        out = np.empty(shape, dtype=dtype)
        self._plan.stft(x, out, output_layout)
        return _same_kind(out, back)

    __call__ = stft

    def _stft_cuda(self, x, layout: str, contiguous: bool = False):
        a = _CudaArray(x, "x", (1, 2, 3), tuple(_CUDA_SIGNAL))
        T = a.shape[-1]
        n = self._plan.frames(T)
        lead = a.shape[:-1] if len(a.shape) > 1 else (1,)
        batch = math.prod(lead)
        # bfn as a swapped view of bnf memory (torch / cupy results; another
        # DLPack producer gets C-contiguous memory, as it may not take strides)
        memory = "bnf" if layout == "bfn" and not contiguous and a._back is None else layout
        out = a.empty(lead + ((self.n_freqs, n) if layout == "bfn" else (n, self.n_freqs)), True, memory != layout)
        with a.device_guard():
            self._plan.stft_cuda(a.ptr, _ptr(out), batch, T, memory, a.stream, a.code)
        if a.lib == "torch" and a.obj is x and a._back is None:  # (the next such call takes _stft_fast)
            self._remember((x.shape, x.dtype, layout, contiguous), (tuple(out.shape), out.stride(), memory, batch, a.code))
        return a.result(out)

    def _remember(self, key: tuple, entry: tuple) -> None:
        if len(self._fast) >= 64:
            self._fast.clear()
        self._fast[key] = entry

    def _stft_fast(self, x, layout: str, contiguous: bool):
        """stft() of a torch CUDA tensor whose shape, dtype and arguments an
        earlier call checked (a contiguous plain tensor on the current
        device): the few calls left, or None for the general path."""
        entry = self._fast.get((x.shape, x.dtype, layout, contiguous))
        if entry is None or not x.is_cuda or not x.is_contiguous() or x.is_neg():
            return None
        dev, stream = _current_device_stream(x)
        if stream is None:
            return None
        shape, strides, memory, batch, code = entry
        out = _TORCH[0].empty_strided(shape, strides, dtype=_TORCH[0].complex64, device=dev)
        self._plan.stft_cuda(x.data_ptr(), out.data_ptr(), batch, x.shape[-1], memory, stream, code)
        return out

    def _istft_cuda(self, z, length, validate, quiet, layout):
        length_arg = length
        a = _CudaArray(z, "z", (2, 3, 4), ("complex64",), swapped_ok=True)
        bins, frames = (a.shape[-2], a.shape[-1]) if layout == "bfn" else (a.shape[-1], a.shape[-2])
        if bins != self.n_freqs:
            raise ValueError(f"z has {bins} frequency bins with input_layout={layout!r}; n_fft={self.n_fft} needs "
                             f"n_fft//2+1={self.n_freqs}")
        length = _check_length(length)
        if length < 0:
            length = self._plan.natural_length(frames)
        batch = math.prod(a.shape[:-2])
        out = a.empty(a.shape[:-2] + (length,), False)
        memory = layout if not a.swapped else _OTHER_LAYOUT[layout]  # (a transposed view: the other layout's memory)
        with a.device_guard():
            self._plan.istft_cuda(a.ptr, _ptr(out), batch, frames, memory, length, validate, quiet, a.stream)
        if a.lib == "torch" and a.obj is z and a._back is None:  # (the next such call takes _istft_fast)
            self._remember((z.shape, not z.is_contiguous() and z.stride(), layout, length_arg, validate, quiet),
                           (tuple(out.shape), memory, batch, frames, length))
        return a.result(out)

    def _istft_fast(self, z, length, validate: bool, quiet: bool, layout: str):
        """istft() of a torch CUDA tensor as _stft_fast: complex64, C-contiguous
        or with its last two axes swapped in memory, as an earlier call saw."""
        if not z.is_cuda or z.dtype is not _TORCH[0].complex64 or z.is_conj() or z.is_neg():
            return None
        entry = self._fast.get((z.shape, not z.is_contiguous() and z.stride(), layout, length, validate, quiet))
        if entry is None:
            return None
        dev, stream = _current_device_stream(z)
        if stream is None:
            return None
        shape, memory, batch, frames, n = entry
        out = _TORCH[0].empty(shape, dtype=_TORCH[0].float32, device=dev)
        self._plan.istft_cuda(z.data_ptr(), out.data_ptr(), batch, frames, memory, n, validate, quiet, stream)
        return out

    # ------------------------------------------------------------ iSTFT
    def istft(
        self,
        z: np.ndarray,
        length: Optional[int] = None,
        validate: bool = False,
        *,
        torch_like: bool = False,
        allow_fused: bool = True,
        safety: str = "auto",
        long_mode_strategy: str = "native",
        backend_policy: Optional[str] = None,
        input_layout: str = "bfn",
        device: Optional[str] = None,
    ) -> np.ndarray:
        """Inverse STFT.  ``z``: [F, N], [B, F, N] or [B, C, F, N] (``bfn``)
        or the ``bnf`` equivalents, complex64 or complex128 (``device`` as in
        :meth:`stft`: numpy input moves to CUDA as complex64); C-contiguous,
        or a view with its last two axes swapped in memory, such as
        torch.stft's output (read in place, no copy).  Returns [T],
        [B, T] or [B, C, T] of the matching real dtype, cut or zero-filled to
        ``length`` (default: torch's natural length).  A window-coverage gap
        raises RuntimeError with ``torch_like=True`` or ``validate=True`` and
        warns once otherwise (``safety='off'`` silences the warning)."""
        _check_layout(input_layout, "input_layout")
        if safety not in SAFETY_MODES:
            raise ValueError(f"safety must be one of {SAFETY_MODES} (got {safety!r})")
        if long_mode_strategy not in LONG_MODE_STRATEGIES:
            raise ValueError(f"long_mode_strategy must be one of {LONG_MODE_STRATEGIES} (got {long_mode_strategy!r})")
        if backend_policy not in ISTFT_BACKEND_POLICIES:
            raise ValueError(f"backend_policy must be one of {ISTFT_BACKEND_POLICIES[1:]} or None (got {backend_policy!r})")
        if device is None and type(z) is _TENSOR:
            out = self._istft_fast(z, length, bool(validate or torch_like), safety == "off", input_layout)
            if out is not None:
                return out
        z = _to_device(z, device, complex_in=True)
        if _is_cuda_array(z):
            return self._istft_cuda(z, length, bool(validate or torch_like), safety == "off", input_layout)
        z, back = _from_cpu_dlpack(z, "z")
        z, input_layout = _as_laid_out(z, input_layout)
        z = _check_array(z, "z", (2, 3, 4), _COMPLEX_DTYPES, "complex64 or complex128")
        n = self._istft_length(z, length, input_layout)
        out = np.empty(z.shape[:-2] + (n,), dtype=_COMPLEX_DTYPES[z.dtype])
        self._plan.istft(z, out, input_layout, n, bool(validate or torch_like), safety == "off")
        return _same_kind(out, back)

    def _istft_length(self, z: np.ndarray, length, layout: str) -> int:
        length = _check_length(length)
        if length >= 0:
            return length
        frames = z.shape[-1] if layout == "bfn" else z.shape[-2]
        return self._plan.natural_length(frames)

    # ------------------------------------------------------------ compiled
    def get_compiled_stft(self, *, output_layout: str = "bfn",
                          contiguous: bool = False) -> Callable[[np.ndarray], np.ndarray]:
        """A callable for a hot loop with repeating shapes.  numpy input: it
        remembers the output shape of the last input shape and skips the
        Python-side argument handling (the C core still checks every call).
        torch CUDA tensors: one CUDA graph per input shape, replayed on the
        current stream; the result is the graph's output buffer, overwritten
        by the next call of the same shape (``.clone()`` it to keep it).
        cupy arrays run eagerly.  ``contiguous`` as in :meth:`stft`."""
        _check_layout(output_layout, "output_layout")
        key = ("stft", output_layout, bool(contiguous))
        fn = self._compiled.get(key)
        if fn is None:
            fn = self._compiled[key] = _CompiledSTFT(self, output_layout, bool(contiguous))
            record_cache_event("compiled.stft.miss")
        else:
            record_cache_event("compiled.stft.hit")
        return fn

    def get_compiled_istft(
        self,
        *,
        length: Optional[int] = None,
        validate: bool = False,
        torch_like: bool = False,
        allow_fused: bool = True,
        safety: str = "auto",
        long_mode_strategy: str = "native",
        backend_policy: Optional[str] = None,
        input_layout: str = "bfn",
    ) -> Callable[[np.ndarray], np.ndarray]:
        """The iSTFT counterpart of :meth:`get_compiled_stft`."""
        _check_layout(input_layout, "input_layout")
        _check_length(length)
        if safety not in SAFETY_MODES:
            raise ValueError(f"safety must be one of {SAFETY_MODES} (got {safety!r})")
        if long_mode_strategy != "native":
            raise ValueError("Compiled iSTFT supports long_mode_strategy='native' only")
        if backend_policy == "torch_fallback":
            raise ValueError("Compiled iSTFT does not support backend_policy='torch_fallback'")
        key = ("istft", length, bool(validate or torch_like), safety, input_layout)
        fn = self._compiled.get(key)
        if fn is None:
            fn = self._compiled[key] = _CompiledISTFT(self, length, bool(validate or torch_like),
                                                      safety == "off", input_layout)
            record_cache_event("compiled.istft.miss")
        else:
            record_cache_event("compiled.istft.hit")
        return fn

    def stft_compiled(self, x: np.ndarray, *, output_layout: str = "bfn", contiguous: bool = False) -> np.ndarray:
        return self.get_compiled_stft(output_layout=output_layout, contiguous=contiguous)(x)

    def istft_compiled(self, z: np.ndarray, **kwargs) -> np.ndarray:
        return self.get_compiled_istft(**kwargs)(z)

    def compiled_pair(self, length: int, layout: str = "bnf", warmup_batch: Optional[int] = None):
        """``(stft_fn, istft_fn)`` for a fixed signal ``length``: stft_fn maps
        [B, length] to [B, N, F] (``bnf``) and istft_fn maps it back to
        [B, length].  The window-coverage verdict is computed here, once."""
        length = _check_length(length)
        if length < 0:
            raise ValueError("compiled_pair needs a length")
        _check_layout(layout, "layout")
        batch = 1 if warmup_batch is None else int(warmup_batch)
        if batch < 1:
            raise ValueError(f"warmup_batch must be >= 1 (got {warmup_batch})")
        stft_fn = self.get_compiled_stft(output_layout=layout)
        istft_fn = self.get_compiled_istft(length=length, input_layout=layout, safety="auto")
        probe = np.zeros((batch, length), dtype=np.float32)
        istft_fn(stft_fn(probe))  # primes the coverage cache for this shape
        return stft_fn, istft_fn

    def compiled_pair_nd(self, length: int, leading_shape, layout: str = "bnf"):
        """Like :meth:`compiled_pair` for inputs ``leading_shape + (length,)``,
        e.g. [B, C, T] -> [B, C, N, F] and back."""
        leading = tuple(int(d) for d in leading_shape)
        if not leading:
            raise ValueError("leading_shape must contain at least one dimension")
        if any(d <= 0 for d in leading):
            raise ValueError(f"leading_shape dimensions must be > 0 (got {leading})")
        key = ("pair_nd", int(length), leading, layout)
        pair = self._compiled.get(key)
        if pair is not None:
            return pair
        packed = math.prod(leading)
        stft_fn, istft_fn = self.compiled_pair(length, layout=layout, warmup_batch=packed)
        full = leading + (int(length),)

        def stft_nd(x: np.ndarray) -> np.ndarray:
            if x.shape != full:
                raise ValueError(f"x must have shape {full} (got {x.shape})")
            z = stft_fn(x.reshape(packed, length))
            return z.reshape(leading + z.shape[1:])

        def istft_nd(z: np.ndarray) -> np.ndarray:
            if z.shape[: len(leading)] != leading:
                raise ValueError(f"z must start with the leading shape {leading} (got {z.shape})")
            y = istft_fn(z.reshape((packed,) + z.shape[len(leading):]))
            return y.reshape(full)

        self._compiled[key] = (stft_nd, istft_nd)
        return stft_nd, istft_nd

    # ------------------------------------------------------------ warm-up
    def _probe_length(self, length: Optional[int]) -> int:
        return max(int(length) if length is not None else max(2 * self.n_fft, 4096), self.n_fft + 1)

    def warmup(self, batch: int = 1, length: int = 4096) -> None:
        """Run one STFT / iSTFT pair (plans are built at construction; this
        touches the code and memory paths)."""
        x = np.zeros((int(batch), self._probe_length(length)), dtype=np.float32)
        self.istft(self.stft(x, output_layout="bnf"), length=x.shape[-1], input_layout="bnf", safety="off")

    def prewarm_kernels(self, batch: int = 1, length: Optional[int] = None) -> None:
        self.warmup(batch, self._probe_length(length))

    def prewarm_compiled(self, *, batch: int = 1, length: Optional[int] = None, validate: bool = False,
                         torch_like: bool = False, allow_fused: bool = True, safety: str = "off",
                         backend_policy: Optional[str] = None) -> None:
        n = self._probe_length(length)
        stft_fn = self.get_compiled_stft(output_layout="bfn")
        istft_fn = self.get_compiled_istft(length=n, validate=validate, torch_like=torch_like,
                                           safety=safety, backend_policy=backend_policy)
        istft_fn(stft_fn(np.zeros((int(batch), n), dtype=np.float32)))


class _GraphBacked:
    """Compiled callables whose torch CUDA calls go through self._graphs."""

    __slots__ = ()

    def static_input(self, x):
        """The CUDA graph's input buffer for torch tensors shaped like ``x``:
        write the next input into it to skip the copy."""
        return self._graphs.static_input(x)


class _CompiledSTFT(_GraphBacked):
    """Compiled STFT: numpy arrays skip the Python-side checks after the
    first call of a shape; torch CUDA tensors replay a CUDA graph per shape
    (see _CudaGraphs: the result is the graph's output buffer)."""

    __slots__ = ("_t", "_layout", "_key", "_shape", "_graphs")

    def __init__(self, transform: SpectralTransform, layout: str, contiguous: bool = False) -> None:
        self._t = transform
        self._layout = layout
        self._key = None
        self._shape = None
        self._graphs = _CudaGraphs(lambda a: transform._stft_cuda(a, layout, contiguous))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if (type(x) is np.ndarray and (x.shape, x.dtype) == self._key and x.flags.c_contiguous):
            out = np.empty(*self._shape)
            self._t._plan.stft(x, out, self._layout)
            return out
        if _is_cuda_array(x):
            return self._graphs(x)
        x, back = _from_cpu_dlpack(x, "x")
        _check_array(x, "x", (1, 2, 3), _REAL_DTYPES, "float32 or float64")
        shape = self._t._stft_shape(x, self._layout)
        out = np.empty(*shape)
        self._t._plan.stft(x, out, self._layout)
        self._key, self._shape = (x.shape, x.dtype), shape
        return _same_kind(out, back)

class _CompiledISTFT(_GraphBacked):
    __slots__ = ("_t", "_length", "_validate", "_quiet", "_layout", "_key", "_shape", "_graphs")

    def __init__(self, transform, length, validate, quiet, layout) -> None:
        self._t, self._length, self._validate, self._quiet, self._layout = transform, length, validate, quiet, layout
        self._key = None
        self._shape = None
        self._graphs = _CudaGraphs(lambda a: transform._istft_cuda(a, length, validate, quiet, layout))

    def __call__(self, z: np.ndarray) -> np.ndarray:
        if _is_cuda_array(z):
            return self._graphs(z)
        z, back = _from_cpu_dlpack(z, "z")
        z, layout = _as_laid_out(z, self._layout)
        if not (type(z) is np.ndarray and (z.shape, z.dtype, layout) == self._key and z.flags.c_contiguous):
            _check_array(z, "z", (2, 3, 4), _COMPLEX_DTYPES, "complex64 or complex128")
            n = self._t._istft_length(z, self._length, layout)
            self._key, self._shape = (z.shape, z.dtype, layout), (z.shape[:-2] + (n,), _COMPLEX_DTYPES[z.dtype])
        out = np.empty(*self._shape)
        self._t._plan.istft(z, out, layout, self._shape[0][-1], self._validate, self._quiet)
        return _same_kind(out, back)

# ---------------------------------------------------------------- factory
@functools.lru_cache(maxsize=64)
def _cached_transform(key: tuple) -> SpectralTransform:
    (n_fft, hop, win, window_fn, periodic, center, pad, tail, normalized, policy) = key
    return SpectralTransform(n_fft, hop, win, window_fn, periodic=periodic, center=center,
                             center_pad_mode=pad, center_tail_pad=tail, normalized=normalized,
                             istft_backend_policy=policy)


def _transform_cache_info() -> dict:
    info = _cached_transform.cache_info()
    return {"hits": info.hits, "misses": info.misses, "size": info.currsize, "maxsize": info.maxsize}


def get_transform(
    *,
    n_fft: int,
    hop_length: Optional[int] = None,
    win_length: Optional[int] = None,
    window_fn: str = "hann",
    periodic: bool = True,
    center: bool = True,
    normalized: bool = False,
    window=None,
    center_pad_mode: str = "reflect",
    center_tail_pad: str = "symmetric",
    istft_backend_policy: Optional[str] = None,
) -> SpectralTransform:
    """A shared SpectralTransform for these parameters (LRU of 64).  A custom
    ``window`` array gets its own, uncached transform."""
    if window is not None and not isinstance(window, str):
        return SpectralTransform(n_fft, hop_length, win_length, window_fn, window=window, periodic=periodic,
                                 center=center, center_pad_mode=center_pad_mode,
                                 center_tail_pad=center_tail_pad, normalized=normalized,
                                 istft_backend_policy=istft_backend_policy)
    if isinstance(window, str):
        window_fn = window
    n_fft, hop_length, win_length = resolve_fft_params(n_fft, hop_length, win_length)
    key = (n_fft, hop_length, win_length, window_fn, bool(periodic), bool(center), center_pad_mode,
           center_tail_pad, bool(normalized), istft_backend_policy)
    record_cache_event("transform_cache.lookup")
    return _cached_transform(key)


get_transform_mlx = get_transform
