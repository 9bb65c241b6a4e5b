"""Frontends against torchaudio, librosa and madmom.

Tolerances: the references run in float64 where the library allows it
(torchaudio modules converted with .double(), librosa on float64 input), so
the comparison measures our float32 error: linear outputs within 1e-5
relative L2, dB outputs within 1e-4 dB absolute (plus the FFT's rounding for
values far below their frame's peak: conftest.assert_db_close).  Our float64 path matches
to 1e-9.  Filterbanks are built in float64 on both sides (torch default
dtype float64) and agree to 1e-12.
"""
import numpy as np
import pytest

import spectro
from conftest import assert_db_close, real_audio_clips, reference, rel_l2


class float64_default:
    def __enter__(self):
        self.torch = reference("torch")
        self.old = self.torch.get_default_dtype()
        self.torch.set_default_dtype(self.torch.float64)

    def __exit__(self, *exc):
        self.torch.set_default_dtype(self.old)


# ---------------------------------------------------------------- filterbanks

@pytest.mark.parametrize("sr,n_fft,n_mels,f_min,f_max", [
    (24000, 2048, 128, 0.0, 12000.0), (16000, 400, 40, 0.0, 8000.0), (16000, 2048, 256, 30.0, 8000.0),
    (22050, 1024, 64, 50.0, 6000.0), (44100, 4096, 96, 20.0, 20000.0), (8000, 256, 23, 100.0, 3999.0)])
@pytest.mark.parametrize("mel_scale", ["htk", "slaney"])
@pytest.mark.parametrize("norm", [None, "slaney"])
def test_melscale_fbanks_vs_torchaudio(sr, n_fft, n_mels, f_min, f_max, mel_scale, norm):
    torchaudio = reference("torchaudio")
    with float64_default():
        ref = torchaudio.functional.melscale_fbanks(n_fft // 2 + 1, f_min, f_max, n_mels, sr, norm, mel_scale).numpy()
    got = spectro.melscale_fbanks(n_fft // 2 + 1, f_min, f_max, n_mels, sr, norm=norm, mel_scale=mel_scale,
                                  dtype=np.float64)
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12)
    got32 = spectro.melscale_fbanks(n_fft // 2 + 1, f_min, f_max, n_mels, sr, norm=norm, mel_scale=mel_scale)
    assert got32.dtype == np.float32
    np.testing.assert_allclose(got32, ref, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("sr,n_fft,n_mels,fmin,fmax", [
    (22050, 2048, 128, 0.0, None), (16000, 512, 40, 20.0, 7600.0), (11025, 1024, 64, 0.0, None),
    (44100, 2048, 80, 30.0, 16000.0)])
@pytest.mark.parametrize("htk", [False, True])
@pytest.mark.parametrize("norm", ["slaney", None])
def test_mel_filterbank_vs_librosa(sr, n_fft, n_mels, fmin, fmax, htk, norm):
    librosa = reference("librosa")
    ref = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm,
                              dtype=np.float64)
    got = spectro.mel_filterbank_librosa(sr, n_fft, n_mels, fmin, fmax, htk=htk, norm=norm, dtype=np.float64)
    np.testing.assert_allclose(got.T, ref, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("n_mfcc,n_mels", [(13, 40), (20, 128), (40, 40), (1, 7)])
@pytest.mark.parametrize("norm", [None, "ortho"])
def test_dct_matrix_vs_torchaudio(n_mfcc, n_mels, norm):
    torchaudio = reference("torchaudio")
    with float64_default():
        ref = torchaudio.functional.create_dct(n_mfcc, n_mels, norm).numpy()  # [n_mels, n_mfcc]
    np.testing.assert_allclose(spectro.dct_matrix(n_mfcc, n_mels, norm=norm, dtype=np.float64), ref.T, atol=1e-14)
    assert spectro.create_dct is spectro.dct_matrix


def madmom_filterbank(n_bins, sr, bpo, fmin, fmax, fref, norm, unique):
    """madmom's own LogarithmicFilterbank when it is installed (with the
    shims its 0.16.1 release needs on Python 3.11 / numpy >= 1.24)."""
    try:
        import collections
        import collections.abc
        for name in ("MutableSequence", "Sequence", "Iterable", "Mapping", "MutableMapping", "Callable"):
            setattr(collections, name, getattr(collections.abc, name))
        for name, typ in (("float", float), ("int", int), ("complex", complex), ("bool", bool), ("object", object)):
            if name not in vars(np):
                setattr(np, name, typ)
        from madmom.audio.filters import LogarithmicFilterbank
        from madmom.audio.stft import fft_frequencies
    except ImportError:
        return None
    freqs = fft_frequencies(n_bins, sr)
    try:
        return np.asarray(LogarithmicFilterbank(freqs, num_bands=bpo, fmin=fmin, fmax=fmax, fref=fref,
                                                norm_filters=norm, unique_filters=unique))
    except ValueError:
        # without unique bins a (start, centre, stop) triple can repeat a
        # bin; madmom refuses, mlx-spectro (and we) build the degenerate
        # filter: compared against the re-statement instead
        return None


def restated_log_filterbank(n_bins, sr, bpo, fmin, fmax, fref, norm, unique, include_nyquist=False):
    """float64 re-statement of madmom 0.16.1's LogarithmicFilterbank
    (madmom/audio/filters.py: log_frequencies, frequencies2bins,
    TriangularFilter.band_bins / filters) and of mlx-spectro's f_min-anchored
    variant; used where madmom itself is not installed or not applicable."""
    if include_nyquist:
        grid = np.fft.rfftfreq(2 * (n_bins - 1), 1.0 / sr)
    else:
        grid = np.fft.fftfreq(2 * n_bins, 1.0 / sr)[:n_bins]
    if fref is not None:
        left = np.floor(np.log2(fmin / fref) * bpo)
        right = np.ceil(np.log2(fmax / fref) * bpo)
        freqs = fref * 2.0 ** (np.arange(left, right) / bpo)
        freqs = freqs[np.searchsorted(freqs, fmin):]
        freqs = freqs[:np.searchsorted(freqs, fmax, "right")]
    else:
        bands = int(np.round(bpo * np.log2(fmax / fmin)))
        freqs = fmin * 2.0 ** (np.arange(bands + 2) / bpo)
    idx = np.clip(grid.searchsorted(freqs), 1, len(grid) - 1)
    idx -= freqs - grid[idx - 1] < grid[idx] - freqs
    if unique:
        idx = np.unique(idx)
    fb = np.zeros((n_bins, len(idx) - 2))
    for m, (start, centre, stop) in enumerate(zip(idx[:-2], idx[1:-1], idx[2:])):
        if stop - start < 2:
            centre, stop = start, start + 1
        c, length = centre - start, stop - start
        filt = np.zeros(length)
        filt[:c] = np.linspace(0, 1, c, endpoint=False)
        filt[c:] = np.linspace(1, 0, length - c, endpoint=False)
        if norm:
            filt /= filt.sum()
        fb[start:stop, m] = filt
    return fb


@pytest.mark.parametrize("n_fft,sr", [(2048, 44100), (4096, 44100), (1024, 22050)])
@pytest.mark.parametrize("bpo", [12, 24, 6])
@pytest.mark.parametrize("norm,unique", [(True, True), (False, True), (True, False)])
def test_log_triangular_vs_madmom(n_fft, sr, bpo, norm, unique):
    n_bins = n_fft // 2
    got = spectro.log_triangular_fbanks(n_bins, sr, bpo, f_min=30.0, f_max=17000.0, f_ref=440.0,
                                        norm_filters=norm, unique_bins=unique, dtype=np.float64)
    ref = madmom_filterbank(n_bins, sr, bpo, 30.0, 17000.0, 440.0, norm, unique)
    if ref is None:
        ref = restated_log_filterbank(n_bins, sr, bpo, 30.0, 17000.0, 440.0, norm, unique)
        tol = 1e-12
    else:
        tol = 1e-6  # madmom builds its filters in float32
    assert got.shape == ref.shape
    np.testing.assert_allclose(got, ref, atol=tol)


@pytest.mark.parametrize("bpo", [12, 24])
@pytest.mark.parametrize("include_nyquist", [False, True])
def test_log_triangular_fmin_anchor_and_nyquist(bpo, include_nyquist):
    n_bins = 1025 if include_nyquist else 1024
    got = spectro.log_triangular_fbanks(n_bins, 44100, bpo, f_min=30.0, f_max=16000.0, f_ref=None,
                                        include_nyquist=include_nyquist, dtype=np.float64)
    ref = restated_log_filterbank(n_bins, 44100, bpo, 30.0, 16000.0, None, True, True, include_nyquist)
    np.testing.assert_allclose(got, ref, atol=1e-12)
    got = spectro.log_triangular_fbanks(n_bins, 44100, bpo, f_min=30.0, f_max=16000.0, f_ref=440.0,
                                        include_nyquist=include_nyquist, dtype=np.float64)
    ref = restated_log_filterbank(n_bins, 44100, bpo, 30.0, 16000.0, 440.0, True, True, include_nyquist)
    np.testing.assert_allclose(got, ref, atol=1e-12)


# ---------------------------------------------------------------- torchaudio

def torchaudio_mel_db(x, sr, n_fft, hop, n_mels, power, f_min=0.0, f_max=None, norm=None, mel_scale="htk",
                      top_db=80.0, stype="power"):
    torch, torchaudio = reference("torch"), reference("torchaudio")
    mel = torchaudio.transforms.MelSpectrogram(sample_rate=sr, n_fft=n_fft, hop_length=hop, n_mels=n_mels,
                                               power=power, f_min=f_min, f_max=f_max, norm=norm,
                                               mel_scale=mel_scale).double()
    with float64_default():
        mel = torchaudio.transforms.MelSpectrogram(sample_rate=sr, n_fft=n_fft, hop_length=hop, n_mels=n_mels,
                                                   power=power, f_min=f_min, f_max=f_max, norm=norm,
                                                   mel_scale=mel_scale).double()
    lin = mel(torch.from_numpy(x.astype(np.float64)))
    db = torchaudio.transforms.AmplitudeToDB(stype, top_db=top_db)(lin)
    return lin.numpy(), db.numpy()


@pytest.mark.parametrize("power", [2.0, 1.0])
@pytest.mark.parametrize("shape", [(3, 24000), (2, 2, 12000), (20000,)])
def test_mel_db_torchaudio_compat(rng, power, shape):
    x = rng.standard_normal(shape).astype(np.float32)
    # make examples differ in level so the packed maximum matters
    x *= np.logspace(-2, 0, x.size // shape[-1]).reshape(shape[:-1] + (1,)).astype(np.float32)
    lin_ref, db_ref = torchaudio_mel_db(x, 24000, 2048, 240, 128, power)
    m = spectro.MelSpectrogramTransform(sample_rate=24000, n_fft=2048, hop_length=240, n_mels=128, power=power,
                                        mode="torchaudio_compat")
    lin = m(x, output_scale="linear")
    assert lin.shape == lin_ref.shape
    assert rel_l2(lin, lin_ref) <= 1e-5
    db = m(x)
    assert_db_close(db, db_ref, lin_ref, power)
    np.testing.assert_allclose(m(x.astype(np.float64)), db_ref, atol=1e-9)


@pytest.mark.parametrize("n_fft,hop", [(1021, 255), (1773, 160)])
def test_mel_db_odd_bluestein_sizes_vs_torchaudio(rng, n_fft, hop):
    """Odd n_fft with a large prime factor: frames go through the FFT in
    pairs (stft_cpu_impl.h); odd and even frame counts, levels varying by hop."""
    for T in (int(rng.integers(8000, 12000)), int(rng.integers(8000, 12000))):
        x = rng.standard_normal((2, T)) * np.repeat(10.0 ** rng.uniform(-4, 0, T // hop + 1), hop)[:T]
        x = x.astype(np.float32)
        lin_ref, db_ref = torchaudio_mel_db(x, 16000, n_fft, hop, 64, 2.0)
        m = spectro.MelSpectrogramTransform(sample_rate=16000, n_fft=n_fft, hop_length=hop, n_mels=64,
                                            mode="torchaudio_compat")
        lin = m(x, output_scale="linear")
        assert lin.shape == lin_ref.shape
        assert rel_l2(lin, lin_ref) <= 1e-5
        assert_db_close(m(x), db_ref, lin_ref, 2.0)
        np.testing.assert_allclose(m(x.astype(np.float64)), db_ref, atol=1e-9)


def test_mel_db_per_example_equals_one_at_a_time(rng):
    torch = reference("torch")
    x = (rng.standard_normal((4, 24000)) * np.array([[1.0], [0.01], [1e-3], [3.0]])).astype(np.float32)
    m = spectro.MelSpectrogramTransform(mode="mlx_native")
    packed = spectro.MelSpectrogramTransform(mode="torchaudio_compat")(x)
    got = m(x)
    for b in range(4):
        lin_ref, ref = torchaudio_mel_db(x[b], 24000, 2048, 240, 128, 2.0)
        assert_db_close(got[b], ref, lin_ref, 2.0)
    # the packed rule really differs on such a batch (the issue torchaudio#994 is about)
    assert np.abs(packed - got).max() > 1.0
    del torch


@pytest.mark.parametrize("shape", [(2, 16000), (16000,)])
def test_mfcc_vs_torchaudio(rng, shape):
    torch, torchaudio = reference("torch"), reference("torchaudio")
    x = rng.standard_normal(shape).astype(np.float32)
    with float64_default():
        tm = torchaudio.transforms.MFCC(sample_rate=16000, n_mfcc=13,
                                        melkwargs=dict(n_fft=400, hop_length=160, n_mels=40)).double()
    ref = tm(torch.from_numpy(x.astype(np.float64))).numpy()
    m = spectro.MFCCTransform(sample_rate=16000, n_mfcc=13, n_fft=400, hop_length=160, n_mels=40, norm=None,
                              mel_scale="htk", mode="torchaudio_compat")
    got = m(x)
    assert got.shape == ref.shape
    assert np.abs(got - ref).max() <= 1e-3  # MFCCs are sums of 40 dB values (1e-4 dB each)
    np.testing.assert_allclose(m(x.astype(np.float64)), ref, atol=1e-8)


def test_amplitude_to_db_vs_torchaudio(rng):
    torch, torchaudio = reference("torch"), reference("torchaudio")
    for shape in [(64, 50), (3, 64, 50), (2, 3, 64, 50)]:
        x = (rng.random(shape) * np.logspace(-8, 0, shape[0]).reshape((-1,) + (1,) * (len(shape) - 1))).astype(np.float32)
        for stype in ("power", "magnitude"):
            ref = torchaudio.transforms.AmplitudeToDB(stype, top_db=60.0)(torch.from_numpy(x)).numpy()
            got = spectro.amplitude_to_db(x, stype=stype, top_db=60.0, mode="torchaudio_compat")
            np.testing.assert_allclose(got, ref, atol=1e-4)
    x = rng.random((3, 10, 20)).astype(np.float32) * np.array([1, 1e-6, 1e-9], np.float32)[:, None, None]
    per = spectro.amplitude_to_db(x, top_db=20.0, mode="per_example")
    for b in range(3):
        ref = torchaudio.transforms.AmplitudeToDB("power", top_db=20.0)(torch.from_numpy(x[b])).numpy()
        np.testing.assert_allclose(per[b], ref, atol=1e-4)


# ---------------------------------------------------------------- librosa

@pytest.mark.parametrize("clip,sr", real_audio_clips())
def test_melspectrogram_and_power_to_db_vs_librosa(clip, sr):
    librosa = reference("librosa")
    y = clip.astype(np.float64)
    ref = librosa.feature.melspectrogram(y=y, sr=sr, n_fft=2048, hop_length=512, n_mels=128)
    m = spectro.MelSpectrogramTransform(sample_rate=sr, n_fft=2048, hop_length=512, n_mels=128, norm="slaney",
                                        mel_scale="slaney", center_pad_mode="constant", freq_grid="librosa",
                                        top_db=80.0)
    lin = m(clip, output_scale="linear")
    assert lin.shape == ref.shape
    assert rel_l2(lin, ref) <= 1e-5
    db_ref = librosa.power_to_db(ref, top_db=80.0)
    # float32 FFT rounding is relative to a frame's energy, so bins far below
    # the frame's peak carry more relative error (about 1e-7 * 10^(drop/20)):
    # 1e-4 dB within 40 dB of the maximum, 1e-2 dB over the 80 dB range
    db = m(clip)
    loud = db_ref > db_ref.max() - 40.0
    assert np.abs(db - db_ref)[loud].max() <= 1e-4
    assert np.abs(db - db_ref).max() <= 1e-2
    # librosa's mel basis is float32 (filters.mel default), hence 1e-5 dB here
    np.testing.assert_allclose(m(y), db_ref, rtol=0, atol=1e-5)


@pytest.mark.parametrize("lifter", [0, 22])
@pytest.mark.parametrize("n_fft,hop,n_mels,n_mfcc", [(2048, 512, 128, 20), (400, 160, 40, 13)])
def test_mfcc_vs_librosa(rng, lifter, n_fft, hop, n_mels, n_mfcc):
    librosa = reference("librosa")
    y = rng.standard_normal(22050 * 2)
    ref = librosa.feature.mfcc(y=y, sr=22050, n_mfcc=n_mfcc, n_fft=n_fft, hop_length=hop, n_mels=n_mels,
                               lifter=lifter)
    m = spectro.MFCCTransform(sample_rate=22050, n_mfcc=n_mfcc, n_fft=n_fft, hop_length=hop, n_mels=n_mels,
                              lifter=lifter, center_pad_mode="constant", freq_grid="librosa")
    got = m(y.astype(np.float32))
    assert got.shape == ref.shape
    scale = 1 + lifter / 2 if lifter else 1
    assert np.abs(got - ref).max() <= 1e-3 * scale
    # librosa.feature.melspectrogram builds its mel basis in float32 even for
    # float64 audio (filters.mel's default dtype): ~1e-7 relative, ~1e-6 dB
    np.testing.assert_allclose(m(y), ref, rtol=0, atol=2e-5 * scale)


def test_reference_log_mel_configuration(rng):
    """The reference package's log-mel example: 16 kHz, 2048/512, 256 mels,
    30-8000 Hz, power 1, Slaney norm, HTK scale, constant padding, clamp
    amin 1e-5 (against librosa with the same filterbank and padding)."""
    librosa = reference("librosa")
    y = rng.standard_normal(16000 * 3)
    lm = spectro.LogMelSpectrogramTransform(sample_rate=16000, n_fft=2048, hop_length=512, n_mels=256, f_min=30.0,
                                            f_max=8000.0, power=1.0, norm="slaney", mel_scale="htk",
                                            center_pad_mode="constant", log_amin=1e-5, log_mode="clamp")
    S = np.abs(librosa.stft(y, n_fft=2048, hop_length=512, pad_mode="constant"))
    fb = librosa.filters.mel(sr=16000, n_fft=2048, n_mels=256, fmin=30.0, fmax=8000.0, htk=True, norm="slaney",
                             dtype=np.float64)
    ref = np.log(np.maximum(fb @ S, 1e-5))
    got = lm(y.astype(np.float32))
    assert got.shape == ref.shape
    assert np.abs(got - ref).max() <= 1e-4
    for mode, fn in (("add", lambda v: np.log(v + 1e-5)), ("log1p", lambda v: np.log1p(3.0 * v))):
        t = spectro.LogMelSpectrogramTransform(sample_rate=16000, n_fft=2048, hop_length=512, n_mels=256,
                                               f_min=30.0, f_max=8000.0, power=1.0, norm="slaney", mel_scale="htk",
                                               center_pad_mode="constant", log_mode=mode, log_scale=3.0)
        np.testing.assert_allclose(t(y), fn(fb @ S), atol=1e-9)


# ---------------------------------------------------------------- filtered / madmom

def test_filtered_spectrogram_madmom_style(rng):
    """A madmom-style frontend: log filterbank without the Nyquist bin,
    magnitude, log10(x + 1), symmetric Hann, minimal tail."""
    n_fft, hop, sr = 2048, 441, 44100
    fb = spectro.log_triangular_fbanks(n_fft // 2, sr, 12, f_min=30.0, f_max=17000.0, dtype=np.float64)
    y = rng.standard_normal(sr)
    t = spectro.FilteredSpectrogramTransform(fb, sample_rate=sr, n_fft=n_fft, hop_length=hop,
                                             output_scale="log10_plus_one", window=np.hanning(n_fft),
                                             center_pad_mode="constant", center_tail_pad="minimal")
    got = t(y.astype(np.float32))
    frames = -(-y.size // hop)
    xp = np.pad(y, (n_fft // 2, (frames - 1) * hop + n_fft // 2 - y.size))
    idx = np.arange(n_fft)[None, :] + hop * np.arange(frames)[:, None]
    mag = np.abs(np.fft.rfft(xp[idx] * np.hanning(n_fft), axis=-1))[:, : n_fft // 2]
    ref = np.log10(mag @ fb + 1).T
    assert got.shape == ref.shape
    assert rel_l2(got, ref) <= 1e-5
    np.testing.assert_allclose(t(y), ref, atol=1e-10)


@pytest.mark.parametrize("output_scale", ["linear", "log", "db"])
@pytest.mark.parametrize("rows", ["F", "F-1"])
def test_filtered_spectrogram_scales(rng, output_scale, rows):
    n_fft, hop = 1024, 256
    F = n_fft // 2 + 1 - (rows == "F-1")
    fb = rng.random((F, 30)) * (rng.random((F, 30)) < 0.1)
    y = rng.standard_normal((2, 10000))
    for power in (1.0, 2.0):
        t = spectro.FilteredSpectrogramTransform(fb, n_fft=n_fft, hop_length=hop, power=power,
                                                 output_scale=output_scale,
                                                 top_db=50.0 if output_scale == "db" else None)
        z = spectro.SpectralTransform(n_fft, hop).stft(y)
        lin = np.einsum("bfn,fk->bkn", np.abs(z[:, :F]) ** power, fb)
        if output_scale == "linear":
            ref = lin
        elif output_scale == "log":
            ref = np.log(np.maximum(lin, 1e-5))
        else:
            ref = spectro.amplitude_to_db(lin, stype="magnitude" if power == 1.0 else "power", top_db=50.0,
                                          mode="per_example")
        np.testing.assert_allclose(t(y), ref, rtol=1e-9, atol=1e-9)


def test_compiled_frontends_equal_eager(rng):
    x = rng.standard_normal((2, 24000)).astype(np.float32)
    m = spectro.MelSpectrogramTransform()
    f = m.get_compiled()
    np.testing.assert_array_equal(f(x), m(x))
    np.testing.assert_array_equal(m.get_compiled(to_db=False)(x), m(x, output_scale="linear"))
    mf = spectro.MFCCTransform()
    np.testing.assert_array_equal(mf.get_compiled()(x), mf(x))
    lm = spectro.LogMelSpectrogramTransform()
    np.testing.assert_array_equal(lm.get_compiled()(x), lm(x))
    np.testing.assert_array_equal(spectro.mfcc(x), mf(x))


@pytest.mark.parametrize("n_fft", [400, 1021])  # mixed radix; odd Bluestein (frames paired in lanes)
def test_frontend_thread_counts_identical(rng, n_fft):
    x = rng.standard_normal((3, 50000 + int(rng.integers(0, 400)))).astype(np.float32)
    m = spectro.MFCCTransform(sample_rate=16000, n_mfcc=13, n_fft=n_fft, hop_length=160, n_mels=40)
    try:
        spectro.set_num_threads(1)
        a = m(x)
        spectro.set_num_threads(2)
        b = m(x)
        spectro.set_num_threads(3)
        c = m(x)
    finally:
        spectro.set_num_threads(0)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("kwargs,exc,needle", [
    (dict(n_mels=0), ValueError, "n_mels"),
    (dict(f_min=8000.0, f_max=4000.0), ValueError, "f_min"),
    (dict(f_max=20000.0), ValueError, "f_max"),
    (dict(mel_scale="bark"), ValueError, "mel_scale"),
    (dict(norm="l2"), ValueError, "norm"),
    (dict(output_scale="sone"), ValueError, "output_scale"),
    (dict(log_mode="exp"), ValueError, "log_mode"),
    (dict(mode="packed"), ValueError, "mode"),
    (dict(log_amin=-1.0), ValueError, "log_amin"),
    (dict(power=0.0), ValueError, "power"),
    (dict(top_db=-3.0), ValueError, "top_db"),
    (dict(freq_grid="kaldi"), ValueError, "grid"),
])
def test_mel_bad_parameters(kwargs, exc, needle):
    with pytest.raises(exc, match=needle):
        spectro.MelSpectrogramTransform(**kwargs)


def test_other_bad_parameters():
    with pytest.raises(ValueError, match="n_mfcc"):
        spectro.MFCCTransform(n_mfcc=200, n_mels=128)
    with pytest.raises(ValueError, match="rows"):
        spectro.FilteredSpectrogramTransform(np.ones((100, 4)), n_fft=1024)
    with pytest.raises(ValueError, match="2-D"):
        spectro.FilteredSpectrogramTransform(np.ones(513), n_fft=1024)
    with pytest.raises(ValueError, match="amin"):
        spectro.amplitude_to_db(np.ones(3), amin=-1.0)
    with pytest.raises(ValueError, match="stype"):
        spectro.amplitude_to_db(np.ones(3), stype="energy")
    with pytest.raises(ValueError, match="f_min"):
        spectro.log_triangular_fbanks(1024, 44100, 12, f_min=0.0, f_max=100.0)
    with pytest.raises(ValueError, match="too few distinct bins"):
        spectro.log_triangular_fbanks(16, 44100, 1, f_min=100.0, f_max=120.0)
    with pytest.raises(ValueError, match="n_mfcc"):
        spectro.dct_matrix(50, 40)
    with pytest.raises(TypeError, match="x must be"):
        spectro.MelSpectrogramTransform()(np.zeros(4000, dtype=np.int32))
