"""spectro: fast, exact audio spectral frontends.

The C core (plans, built-in FFT) does the work; these classes mirror the
Python API of mlx-spectro so code written for it ports by changing the
import.  numpy arrays in, numpy arrays out.
"""
from ._spectro import get_num_threads, set_num_threads
from ._spectro import version as _core_version
from .compile_cache import RepeatedShapeCompileCache, get_cache_debug_stats, reset_cache_debug_stats
from .frontends import (
    FilteredSpectrogramTransform,
    LogMelSpectrogramTransform,
    MelSpectrogramTransform,
    MFCCTransform,
    amplitude_to_db,
    create_dct,
    dct_matrix,
    filtered_spectrogram,
    log_triangular_fbanks,
    mel_filterbank_librosa,
    melscale_fbanks,
    mfcc,
)
from .transform import SpectralTransform, get_transform, get_transform_mlx
from .windows import make_window, resolve_fft_params

__version__ = _core_version()

__all__ = [
    "SpectralTransform",
    "MelSpectrogramTransform",
    "LogMelSpectrogramTransform",
    "MFCCTransform",
    "FilteredSpectrogramTransform",
    "filtered_spectrogram",
    "mfcc",
    "melscale_fbanks",
    "mel_filterbank_librosa",
    "dct_matrix",
    "create_dct",
    "amplitude_to_db",
    "log_triangular_fbanks",
    "RepeatedShapeCompileCache",
    "get_transform",
    "get_transform_mlx",
    "make_window",
    "resolve_fft_params",
    "get_cache_debug_stats",
    "reset_cache_debug_stats",
    "set_num_threads",
    "get_num_threads",
    "__version__",
]
