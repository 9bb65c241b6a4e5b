"""Mel, log-mel, MFCC and filtered-spectrogram frontends, and the
filterbank builders they use.  Every frontend runs as one C plan: STFT,
|X|^power, sparse filterbank, scaling [, DCT], fused per block of frames."""
from __future__ import annotations

import math
from typing import Callable, Dict, Optional

import numpy as np

from . import _spectro
from .transform import (_CUDA_SIGNAL, _REAL_DTYPES, _CudaArray, _CudaGraphs, _GraphBacked, _check_array,
                        _from_cpu_dlpack, _is_cuda_array, _ptr, _same_kind, _to_device)
from .windows import WINDOW_NAMES, make_window, resolve_fft_params

MEL_SCALES = ("htk", "slaney")
MEL_NORMS = (None, "slaney")
FREQ_GRIDS = ("torchaudio", "librosa")
OUTPUT_SCALES = ("linear", "log", "db")
FILTERED_SCALES = ("linear", "log", "db", "log10_plus_one")
LOG_MODES = ("clamp", "add", "log1p")
MEL_MODES = ("mlx_native", "torchaudio_compat", "per_example", "default")
DB_MODES = ("torchaudio_compat", "per_example", "mlx_native")


def _choice(value, name, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices} (got {value!r})")
    return value


def _positive(value, name, integer=False):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number (got {type(value).__name__})")
    if integer and int(value) != value:
        raise TypeError(f"{name} must be an int (got {value!r})")
    if not value > 0:
        raise ValueError(f"{name} must be > 0 (got {value})")
    return int(value) if integer else float(value)


# ---------------------------------------------------------------- filterbanks

def melscale_fbanks(n_freqs: int, f_min: float, f_max: float, n_mels: int, sample_rate: int,
                    norm: Optional[str] = None, mel_scale: str = "htk", *, grid: str = "torchaudio",
                    dtype=np.float32) -> np.ndarray:
    """Triangular mel filterbank [n_freqs, n_mels] (spectrum @ fb), computed
    in float64.  ``grid='torchaudio'`` places bins at linspace(0, sr // 2,
    n_freqs) like torchaudio.functional.melscale_fbanks; ``grid='librosa'``
    at linspace(0, sr / 2, n_freqs) like librosa.filters.mel (whose result
    is this matrix transposed)."""
    _choice(norm, "norm", MEL_NORMS)
    _choice(mel_scale, "mel_scale", MEL_SCALES)
    _choice(grid, "grid", FREQ_GRIDS)
    n_freqs = _positive(n_freqs, "n_freqs", integer=True)
    n_mels = _positive(n_mels, "n_mels", integer=True)
    out = np.empty((n_freqs, n_mels), dtype=np.float64)
    _spectro.mel_filterbank(n_freqs, float(sample_rate), n_mels, float(f_min), float(f_max), mel_scale,
                            norm or "none", grid, out)
    return out.astype(dtype, copy=False)


def mel_filterbank_librosa(sr: float, n_fft: int, n_mels: int = 128, fmin: float = 0.0,
                           fmax: Optional[float] = None, htk: bool = False, norm: Optional[str] = "slaney",
                           dtype=np.float32) -> np.ndarray:
    """librosa.filters.mel's filterbank with librosa's defaults (Slaney scale
    and norm), returned [n_fft // 2 + 1, n_mels] for spectrum @ fb."""
    return melscale_fbanks(n_fft // 2 + 1, fmin, sr / 2 if fmax is None else fmax, n_mels, sr, norm=norm,
                           mel_scale="htk" if htk else "slaney", grid="librosa", dtype=dtype)


def dct_matrix(n_mfcc: int, n_mels: int, *, norm: Optional[str] = "ortho", dtype=np.float32) -> np.ndarray:
    """DCT-II basis [n_mfcc, n_mels] (torchaudio's create_dct transposed):
    cos(pi / n_mels * (n + 0.5) * k), orthonormal with norm='ortho', times 2
    with norm=None."""
    _choice(norm, "norm", (None, "ortho"))
    n_mfcc = _positive(n_mfcc, "n_mfcc", integer=True)
    n_mels = _positive(n_mels, "n_mels", integer=True)
    out = np.empty((n_mfcc, n_mels), dtype=np.float64)
    _spectro.dct_matrix(n_mfcc, n_mels, norm == "ortho", out)
    return out.astype(dtype, copy=False)


create_dct = dct_matrix


def log_triangular_fbanks(n_freqs: int, sample_rate: float, bands_per_octave: float, *, f_min: float,
                          f_max: float, f_ref: Optional[float] = 440.0, norm_filters: bool = True,
                          unique_bins: bool = True, include_nyquist: bool = False, dtype=np.float32) -> np.ndarray:
    """madmom's LogarithmicFilterbank as a [n_freqs, n_bands] matrix.

    Centres are spaced bands_per_octave per octave, anchored at ``f_ref``
    (madmom) or at ``f_min`` when ``f_ref`` is None, snapped to the nearest
    bin, de-duplicated with ``unique_bins``, and area-normalised with
    ``norm_filters``.  The bin grid is madmom's fftfreq(2 n_freqs)[:n_freqs]
    (``n_freqs = n_fft // 2``, no Nyquist bin) or, with ``include_nyquist``,
    rfftfreq(2 (n_freqs - 1))."""
    n_freqs = _positive(n_freqs, "n_freqs", integer=True)
    if f_ref is not None:
        _positive(f_ref, "f_ref")
    args = (n_freqs, float(sample_rate), float(bands_per_octave), float(f_min), float(f_max),
            float(f_ref) if f_ref is not None else 0.0, bool(norm_filters), bool(unique_bins),
            bool(include_nyquist))
    bands = _spectro.log_triangular(*args, None)
    out = np.empty((n_freqs, bands), dtype=np.float64)
    _spectro.log_triangular(*args, out)
    return out.astype(dtype, copy=False)


# ---------------------------------------------------------------- dB scaling

def amplitude_to_db(x, *, stype: str = "power", top_db: Optional[float] = 80.0, amin: float = 1e-10,
                    ref_value: float = 1.0, mode: str = "torchaudio_compat") -> np.ndarray:
    """10 log10 (power) or 20 log10 (magnitude) of max(x, amin) relative to
    ref_value, then top_db clipping.  ``torchaudio_compat`` reproduces
    torchaudio's packed rule (one max for 2-D and 3-D input, one per leading
    item for 4-D and more); ``per_example`` takes the max over the last two
    axes of each example."""
    _choice(stype, "stype", ("power", "magnitude", "amplitude"))
    _choice(mode, "mode", DB_MODES)
    if not amin > 0:
        raise ValueError(f"amin must be > 0 (got {amin})")
    if not ref_value > 0:
        raise ValueError(f"ref_value must be > 0 (got {ref_value})")
    if top_db is not None and not top_db >= 0:
        raise ValueError(f"top_db must be >= 0 or None (got {top_db})")
    x = np.asarray(x)
    if x.dtype not in (np.float32, np.float64):
        raise TypeError(f"x must be float32 or float64 (got {x.dtype})")
    mult = 10.0 if stype == "power" else 20.0
    db = (mult * np.log10(np.maximum(x, x.dtype.type(amin))) - mult * math.log10(max(amin, ref_value))).astype(x.dtype)
    if top_db is None:
        return db
    if mode == "torchaudio_compat":
        if db.ndim <= 3:
            peak = db.max()
        else:
            peak = db.reshape(-1, *db.shape[-3:]).max(axis=(1, 2, 3)).reshape(db.shape[:-3] + (1, 1, 1))
    else:
        peak = db.max() if db.ndim <= 2 else db.max(axis=(-2, -1), keepdims=True)
    return np.maximum(db, (peak - top_db).astype(db.dtype))


# ---------------------------------------------------------------- plans

class _Frontend:
    """Shared machinery: a cache of C plans (one per output contract), input
    checks, shapes and top_db grouping."""

    def __init__(self, n_fft, hop_length, win_length, window_fn, periodic, center, center_pad_mode,
                 center_tail_pad, normalized, window=None):
        n_fft, hop_length, win_length = resolve_fft_params(n_fft, hop_length, win_length)
        if window is not None and not isinstance(window, str):
            self._window = make_window(window, window_fn, win_length, n_fft, periodic, dtype=np.float64)
        else:
            name = window if isinstance(window, str) else window_fn
            _choice(name, "window_fn", WINDOW_NAMES)
            self._window = name
        self.n_fft, self.hop_length, self.win_length = n_fft, hop_length, win_length
        self.window_fn, self.periodic, self.center = window_fn, bool(periodic), bool(center)
        self.center_pad_mode, self.center_tail_pad = center_pad_mode, center_tail_pad
        self.normalized = bool(normalized)
        self._plans: Dict[tuple, object] = {}
        self._compiled: Dict[tuple, Callable] = {}

    def _plan(self, key: tuple, **kw):
        plan = self._plans.get(key)
        if plan is None:
            plan = _spectro.FrontendPlan(self.n_fft, self.hop_length, self.win_length, self._window, self.periodic,
                                         self.center, self.center_pad_mode, self.center_tail_pad, self.normalized,
                                         **kw)
            self._plans[key] = plan
        return plan

    @staticmethod
    def _group(group_mode: str, out_ndim: int, batch: int, lead: tuple) -> int:
        """Consecutive examples that share one top_db maximum."""
        if group_mode == "torchaudio_compat":  # torchaudio's packed reshape of the output
            group = 1 if out_ndim == 2 else batch if out_ndim == 3 else lead[-1]
        else:
            group = 1
        return max(group, 1)

    @staticmethod
    def _run(plan, x, group_mode: str) -> np.ndarray:
        if _is_cuda_array(x):
            return _Frontend._run_cuda(plan, x, group_mode)
        x, back = _from_cpu_dlpack(x, "x")
        x = _check_array(x, "x", (1, 2, 3), _REAL_DTYPES, "float32 or float64")
        frames = plan.frames(x.shape[-1])
        lead = x.shape[:-1]
        out = np.empty(lead + (plan.features, frames),
                       dtype=np.float64 if x.dtype == np.float64 else np.float32)
        batch = int(np.prod(lead)) if lead else 1
        plan.execute(x, out, _Frontend._group(group_mode, out.ndim, batch, lead))
        return _same_kind(out, back)

    @staticmethod
    def _run_cuda(plan, x, group_mode: str):
        """The same on a torch / cupy CUDA array (float32, float16, bfloat16
        or int16 PCM), on the library's current stream; the result is a new
        float32 array of the same kind."""
        a = _CudaArray(x, "x", (1, 2, 3), tuple(_CUDA_SIGNAL))
        T = a.shape[-1]
        frames = plan.frames(T)
        lead = a.shape[:-1]
        batch = math.prod(lead) if lead else 1
        group = _Frontend._group(group_mode, len(lead) + 2, batch, lead)
        out = a.empty(lead + (plan.features, frames), False)
        ws_bytes = plan.workspace_cuda(batch, T, group)
        ws = a.empty_bytes(ws_bytes)
        with a.device_guard():
            plan.execute_cuda(a.ptr, _ptr(out), batch, T, group, _ptr(ws) if ws is not None else 0, ws_bytes,
                              a.stream, a.code)
        return a.result(out)

    def _compiled_fn(self, key: tuple, plan, group_mode: str) -> "_CompiledFrontend":
        fn = self._compiled.get(key)
        if fn is None:
            fn = self._compiled[key] = _CompiledFrontend(plan, group_mode)
        return fn


class _CompiledFrontend(_GraphBacked):
    """A frontend for a hot loop: numpy arrays run the plan directly; torch
    CUDA tensors replay one CUDA graph per input shape on the current stream
    (the result is the graph's output buffer, overwritten by the next call
    of the same shape: ``.clone()`` it to keep it); cupy arrays run eagerly."""

    __slots__ = ("_plan", "_mode", "_graphs")

    def __init__(self, plan, group_mode: str) -> None:
        self._plan, self._mode = plan, group_mode
        self._graphs = _CudaGraphs(lambda a: _Frontend._run_cuda(plan, a, group_mode))

    def __call__(self, x):
        if _is_cuda_array(x):
            return self._graphs(x)
        return _Frontend._run(self._plan, x, self._mode)

def _mel_plan_kwargs(fb, power, output_scale, log_mode, log_amin, log_scale, top_db):
    kw = dict(power=float(power), filterbank=fb, output_scale=output_scale, log_mode=log_mode,
              log_amin=float(log_amin), log_scale=float(log_scale))
    if output_scale == "db":
        kw.update(db_multiplier=10.0, amin=1e-10, ref=1.0,
                  top_db=float(top_db) if top_db is not None else float("nan"))
    return kw


class MelSpectrogramTransform(_Frontend):
    """Mel spectrogram frontend (torchaudio.transforms.MelSpectrogram plus
    AmplitudeToDB, or librosa's melspectrogram / power_to_db, depending on
    the switches).  Returns [n_mels, N] for 1-D input, [B, n_mels, N] for
    [B, T] and [B, C, n_mels, N] for [B, C, T].

    ``output_scale``: linear | log (natural log, see ``log_mode``) | db
    (10 log10, amin 1e-10, then ``top_db`` clipping).  ``mode``:
    ``mlx_native`` clips each example against its own maximum;
    ``torchaudio_compat`` reproduces torchaudio's packed-batch maximum.
    ``freq_grid``: torchaudio's (linspace(0, sr // 2)) or librosa's
    (linspace(0, sr / 2)) bin frequencies; they differ only for odd rates."""

    def __init__(self, *, sample_rate: int = 24_000, n_fft: int = 2_048, hop_length: int = 240,
                 win_length: Optional[int] = None, n_mels: int = 128, f_min: float = 0.0,
                 f_max: Optional[float] = None, power: float = 2.0, norm: Optional[str] = None,
                 mel_scale: str = "htk", top_db: Optional[float] = 80.0, output_scale: str = "db",
                 log_amin: float = 1e-5, log_mode: str = "clamp", log_scale: float = 1.0,
                 mode: str = "mlx_native", window_fn: str = "hann", periodic: bool = True, center: bool = True,
                 center_pad_mode: str = "reflect", center_tail_pad: str = "symmetric", normalized: bool = False,
                 freq_grid: str = "torchaudio") -> None:
        super().__init__(n_fft, hop_length, win_length, window_fn, periodic, center, center_pad_mode,
                         center_tail_pad, normalized)
        _choice(output_scale, "output_scale", OUTPUT_SCALES)
        _choice(log_mode, "log_mode", LOG_MODES)
        _choice(mode, "mode", MEL_MODES)
        _positive(power, "power")
        _positive(sample_rate, "sample_rate")
        if top_db is not None and not top_db >= 0:
            raise ValueError(f"top_db must be >= 0 or None (got {top_db})")
        if log_mode != "log1p" and not log_amin > 0:
            raise ValueError(f"log_amin must be > 0 (got {log_amin})")
        self.sample_rate = sample_rate
        self.n_mels = _positive(n_mels, "n_mels", integer=True)
        self.f_min = float(f_min)
        self.f_max = float(sample_rate // 2 if f_max is None else f_max)
        self.power, self.norm, self.mel_scale = float(power), norm, mel_scale
        self.top_db, self.output_scale = top_db, output_scale
        self.log_amin, self.log_mode, self.log_scale = float(log_amin), log_mode, float(log_scale)
        self.mode = "mlx_native" if mode in ("default", "per_example") else mode
        self.freq_grid = freq_grid
        self.mel_fb = melscale_fbanks(self.n_fft // 2 + 1, self.f_min, self.f_max, self.n_mels, sample_rate,
                                      norm=norm, mel_scale=mel_scale, grid=freq_grid, dtype=np.float64)

    def _resolve_scale(self, output_scale, to_db):
        if output_scale is not None and to_db is not None:
            raise ValueError("pass output_scale or to_db, not both")
        if to_db is not None:
            return "db" if to_db else "linear"
        return _choice(output_scale or self.output_scale, "output_scale", OUTPUT_SCALES)

    def _mel_plan(self, scale: str):
        return self._plan(("mel", scale), **_mel_plan_kwargs(self.mel_fb, self.power, scale, self.log_mode,
                                                              self.log_amin, self.log_scale, self.top_db))

    def spectrogram(self, x: np.ndarray, *, device: Optional[str] = None) -> np.ndarray:
        """|STFT|^power, [B, F, N] ([F, N] for 1-D input)."""
        plan = self._plan(("spec",), power=self.power)
        return self._run(plan, _to_device(x, device), "mlx_native")

    def mel_spectrogram(self, x: np.ndarray, output_scale: Optional[str] = None,
                        to_db: Optional[bool] = None, *, device: Optional[str] = None) -> np.ndarray:
        """Mel features of x.  numpy input stays on the CPU unless
        ``device="cuda"`` (or "cuda:N"): it then moves there (float32) and
        the result is a CUDA tensor; CUDA tensors run on their device."""
        return self._run(self._mel_plan(self._resolve_scale(output_scale, to_db)), _to_device(x, device), self.mode)

    __call__ = mel_spectrogram

    def get_compiled(self, output_scale: Optional[str] = None, to_db: Optional[bool] = None):
        """A callable for fixed-shape hot loops (same results as the eager
        call; on torch CUDA tensors, a CUDA graph per input shape)."""
        scale = self._resolve_scale(output_scale, to_db)
        return self._compiled_fn(("mel", scale), self._mel_plan(scale), self.mode)


class LogMelSpectrogramTransform(MelSpectrogramTransform):
    """Natural-log mel frontend: MelSpectrogramTransform(output_scale='log').
    ``log_mode``: clamp log(max(x, log_amin)) | add log(x + log_amin) |
    log1p log1p(log_scale x)."""

    def __init__(self, *, log_amin: float = 1e-5, log_mode: str = "clamp", log_scale: float = 1.0, **kwargs):
        kwargs.pop("output_scale", None)
        super().__init__(output_scale="log", log_amin=log_amin, log_mode=log_mode, log_scale=log_scale, **kwargs)

    def get_compiled(self):  # fixed to the log-mel contract
        return super().get_compiled(output_scale="log")


class MFCCTransform(_Frontend):
    """MFCC: power mel (librosa defaults: Slaney scale and norm) -> dB with
    top_db (per example, or torchaudio's packed rule with
    ``mode='torchaudio_compat'``) -> DCT-II (``dct_norm``) -> optional lifter
    1 + (L / 2) sin(pi (k + 1) / L).  Returns [n_mfcc, N] for 1-D input,
    [B, n_mfcc, N] for batched input."""

    def __init__(self, *, sample_rate: int = 22_050, n_mfcc: int = 20, n_fft: int = 2_048, hop_length: int = 512,
                 win_length: Optional[int] = None, n_mels: int = 128, f_min: float = 0.0,
                 f_max: Optional[float] = None, norm: Optional[str] = "slaney", mel_scale: str = "slaney",
                 top_db: Optional[float] = 80.0, window_fn: str = "hann", center: bool = True,
                 center_pad_mode: str = "reflect", center_tail_pad: str = "symmetric", lifter: float = 0,
                 dct_norm: Optional[str] = "ortho", mode: str = "mlx_native", periodic: bool = True,
                 freq_grid: str = "torchaudio", power: float = 2.0) -> None:
        super().__init__(n_fft, hop_length, win_length, window_fn, periodic, center, center_pad_mode,
                         center_tail_pad, False)
        _choice(dct_norm, "dct_norm", (None, "ortho"))
        _choice(mode, "mode", MEL_MODES)
        if top_db is not None and not top_db >= 0:
            raise ValueError(f"top_db must be >= 0 or None (got {top_db})")
        if not lifter >= 0:
            raise ValueError(f"lifter must be >= 0 (got {lifter})")
        self.sample_rate = sample_rate
        self.n_mfcc = _positive(n_mfcc, "n_mfcc", integer=True)
        self.n_mels = _positive(n_mels, "n_mels", integer=True)
        if self.n_mfcc > self.n_mels:
            raise ValueError(f"n_mfcc must be <= n_mels (got n_mfcc={n_mfcc}, n_mels={n_mels})")
        self.f_min = float(f_min)
        self.f_max = float(sample_rate // 2 if f_max is None else f_max)
        self.top_db, self.lifter, self.dct_norm = top_db, float(lifter), dct_norm
        self.mode = "mlx_native" if mode in ("default", "per_example") else mode
        self.mel_fb = melscale_fbanks(self.n_fft // 2 + 1, self.f_min, self.f_max, self.n_mels, sample_rate,
                                      norm=norm, mel_scale=mel_scale, grid=freq_grid, dtype=np.float64)
        kw = _mel_plan_kwargs(self.mel_fb, power, "db", "clamp", 1e-5, 1.0, top_db)
        self._mfcc_plan = self._plan(("mfcc",), n_mfcc=self.n_mfcc, dct_ortho=dct_norm == "ortho",
                                     lifter=self.lifter, **kw)

    def mfcc(self, x: np.ndarray, *, device: Optional[str] = None) -> np.ndarray:
        """MFCCs of x (``device`` as in MelSpectrogramTransform.mel_spectrogram)."""
        return self._run(self._mfcc_plan, _to_device(x, device), self.mode)

    __call__ = mfcc

    def get_compiled(self):
        """A callable for fixed-shape hot loops (CUDA graphs on torch tensors)."""
        return self._compiled_fn(("mfcc",), self._mfcc_plan, self.mode)


class FilteredSpectrogramTransform(_Frontend):
    """|STFT|^power projected on any filterbank [n_freqs, n_bands], where
    n_freqs is n_fft // 2 + 1 or n_fft // 2 (the Nyquist bin dropped, madmom
    style), then scaled: linear | log | db (20 log10 for power 1, else 10
    log10, top_db per example) | log10_plus_one (madmom's log10(x + 1))."""

    def __init__(self, filterbank, *, sample_rate: int = 22_050, n_fft: int = 2_048, hop_length: int = 512,
                 win_length: Optional[int] = None, power: float = 1.0, output_scale: str = "linear",
                 top_db: Optional[float] = None, log_amin: float = 1e-5, log_mode: str = "clamp",
                 window_fn: str = "hann", periodic: bool = True, center: bool = True,
                 center_pad_mode: str = "reflect", center_tail_pad: str = "symmetric", normalized: bool = False,
                 window=None) -> None:
        super().__init__(n_fft, hop_length, win_length, window_fn, periodic, center, center_pad_mode,
                         center_tail_pad, normalized, window=window)
        _choice(output_scale, "output_scale", FILTERED_SCALES)
        _choice(log_mode, "log_mode", LOG_MODES)
        _positive(power, "power")
        fb = np.asarray(filterbank)
        if fb.ndim != 2:
            raise ValueError(f"filterbank must be 2-D [n_freqs, n_bands] (got shape {fb.shape})")
        if fb.shape[0] not in (self.n_fft // 2 + 1, self.n_fft // 2):
            raise ValueError(f"filterbank must have n_fft // 2 + 1 = {self.n_fft // 2 + 1} or n_fft // 2 = "
                             f"{self.n_fft // 2} rows (got {fb.shape[0]})")
        if top_db is not None and (output_scale != "db" or not top_db >= 0):
            raise ValueError(f"top_db needs output_scale='db' and top_db >= 0 (got {top_db!r}, {output_scale!r})")
        self.filterbank = np.ascontiguousarray(fb, dtype=np.float64)
        self.sample_rate, self.power, self.output_scale, self.top_db = sample_rate, float(power), output_scale, top_db
        kw = dict(power=float(power), filterbank=self.filterbank, output_scale=output_scale, log_mode=log_mode,
                  log_amin=float(log_amin))
        if output_scale == "db":
            kw.update(db_multiplier=20.0 if power == 1.0 else 10.0, amin=1e-10, ref=1.0,
                      top_db=float(top_db) if top_db is not None else float("nan"))
        self._fplan = self._plan(("filtered",), **kw)

    def filtered_spectrogram(self, x: np.ndarray, *, device: Optional[str] = None) -> np.ndarray:
        """Filtered spectrogram of x (``device`` as in MelSpectrogramTransform.mel_spectrogram)."""
        return self._run(self._fplan, _to_device(x, device), "per_example")

    __call__ = filtered_spectrogram

    def get_compiled(self):
        """A callable for fixed-shape hot loops (CUDA graphs on torch tensors)."""
        return self._compiled_fn(("filtered",), self._fplan, "per_example")


def filtered_spectrogram(x: np.ndarray, *, filterbank, **kwargs) -> np.ndarray:
    """One-off FilteredSpectrogramTransform(filterbank, **kwargs)(x)."""
    return FilteredSpectrogramTransform(filterbank, **kwargs)(x)


def mfcc(x: np.ndarray, **kwargs) -> np.ndarray:
    """One-off MFCCTransform(**kwargs)(x)."""
    return MFCCTransform(**kwargs)(x)
