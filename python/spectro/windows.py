"""Window construction and FFT parameter defaults (torch conventions)."""
from __future__ import annotations

from typing import Optional, Tuple, Union

import numpy as np

WindowLike = Union[str, np.ndarray, None]

WINDOW_NAMES = ("hann", "hamming", "blackman", "rect", "ones", "boxcar")


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int (got {type(value).__name__}: {value!r})")
    if value <= 0:
        raise ValueError(f"{name} must be positive (got {value})")
    return int(value)


def resolve_fft_params(
    n_fft: int, hop_length: Optional[int] = None, win_length: Optional[int] = None, pad: int = 0
) -> Tuple[int, int, int]:
    """Return ``(effective_n_fft, hop_length, win_length)`` with torch's
    defaults: ``win_length = n_fft``, ``hop_length = win_length // 4``.
    ``effective_n_fft = n_fft + 2 * pad``."""
    n_fft = _positive_int(n_fft, "n_fft")
    if isinstance(pad, bool) or not isinstance(pad, (int, np.integer)) or pad < 0:
        raise ValueError(f"pad must be an int >= 0 (got {pad!r})")
    effective = n_fft + 2 * int(pad)
    win_length = effective if win_length is None else _positive_int(win_length, "win_length")
    hop_length = max(win_length // 4, 1) if hop_length is None else _positive_int(hop_length, "hop_length")
    if win_length > effective:
        raise ValueError(f"win_length ({win_length}) must be <= n_fft ({effective})")
    return effective, hop_length, win_length


def _named_window(name: str, length: int, periodic: bool) -> np.ndarray:
    if length == 1:
        return np.ones(1)
    denom = length if periodic else length - 1
    x = 2.0 * np.pi * np.arange(length) / denom
    if name == "hann":
        return 0.5 - 0.5 * np.cos(x)
    if name == "hamming":
        return 0.54 - 0.46 * np.cos(x)
    if name == "blackman":
        return 0.42 - 0.5 * np.cos(x) + 0.08 * np.cos(2.0 * x)
    return np.ones(length)


def make_window(
    window: WindowLike = None,
    window_fn: str = "hann",
    win_length: Optional[int] = None,
    n_fft: Optional[int] = None,
    periodic: bool = True,
    dtype=np.float32,
) -> np.ndarray:
    """Create (or validate) an analysis window and centre it in ``n_fft``.

    ``window`` may be an array of ``win_length`` or ``n_fft`` values; otherwise
    ``window_fn`` names one of hann, hamming, blackman, rect/ones/boxcar.
    Returns ``n_fft`` values (zero-padded, centred with left pad
    ``(n_fft - win_length) // 2``), computed in float64 and cast to ``dtype``.
    """
    if n_fft is None and win_length is None:
        if window is None or isinstance(window, str):
            raise ValueError("make_window needs n_fft or win_length")
    if window is not None and not isinstance(window, str):
        w = np.asarray(window, dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"window must be 1-D, got shape {w.shape}")
        n_fft = w.shape[0] if n_fft is None else _positive_int(n_fft, "n_fft")
        win_length = w.shape[0] if win_length is None else _positive_int(win_length, "win_length")
        if w.shape[0] == n_fft:
            return w.astype(dtype)
        if w.shape[0] != win_length:
            raise ValueError(
                f"window length must be win_length ({win_length}) or n_fft ({n_fft}), got {w.shape[0]}"
            )
        if not np.all(np.isfinite(w)):
            raise ValueError("window contains non-finite values")
    else:
        name = window if isinstance(window, str) else window_fn
        if name not in WINDOW_NAMES:
            raise ValueError(f"window_fn must be one of {WINDOW_NAMES} (got {name!r})")
        n_fft = _positive_int(n_fft if n_fft is not None else win_length, "n_fft")
        win_length = n_fft if win_length is None else _positive_int(win_length, "win_length")
        w = _named_window(name, win_length, bool(periodic))
    if win_length > n_fft:
        raise ValueError(f"win_length ({win_length}) must be <= n_fft ({n_fft})")
    left = (n_fft - win_length) // 2
    out = np.zeros(n_fft, dtype=np.float64)
    out[left : left + win_length] = w
    return out.astype(dtype)
