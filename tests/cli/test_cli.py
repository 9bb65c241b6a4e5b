"""End-to-end tests of the `spectro` command-line tool.

Each test writes audio files, runs the tool, loads what it wrote with numpy
and compares it with the Python API on the same samples (decoded in the
test with soundfile, the same libsndfile call the tool makes).  The binary
comes from $SPECTRO_CLI (default build/spectro); without it the module is
skipped.
"""
from __future__ import annotations

import csv
import inspect
import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
CLI = Path(os.environ.get("SPECTRO_CLI", ROOT / "build" / "spectro")).absolute()
if not (CLI.is_file() and os.access(CLI, os.X_OK)):
    pytest.skip(f"spectro CLI not built ({CLI}); build it with CMake or set SPECTRO_CLI",
                allow_module_level=True)

sf = pytest.importorskip("soundfile")
spectro = pytest.importorskip("spectro")

SOX = shutil.which("sox")
COMMANDS = ("info", "mel", "logmel", "mfcc", "stft")


# ---------------------------------------------------------------- helpers

def run(*args, cwd=None, check_rc=None):
    """Runs the tool; stderr is a pipe, so it logs plain lines (no bar)."""
    proc = subprocess.run([str(CLI), *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=300)
    if check_rc is not None:
        assert proc.returncode == check_rc, f"rc={proc.returncode}\nstdout:{proc.stdout}\nstderr:{proc.stderr}"
    return proc


def error_lines(proc):
    return [line for line in proc.stderr.splitlines() if line.strip()]


def signal(sr=22050, seconds=1.0, channels=2, seed=0):
    """[T, C] float32: a different tone per channel plus a little noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(sr * seconds)) / sr
    cols = [0.4 * np.sin(2 * np.pi * (330 * (c + 1)) * t) + 0.05 * rng.standard_normal(t.size)
            for c in range(channels)]
    return np.stack(cols, axis=1).astype(np.float32)


def write(path, sr=22050, seconds=1.0, channels=2, subtype="PCM_16", fmt=None, seed=0):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), signal(sr, seconds, channels, seed), sr, subtype=subtype, format=fmt)
    return path


def decode(path):
    """The samples the tool sees: [C, T] float32 and the rate."""
    x, sr = sf.read(str(path), dtype="float32", always_2d=True)
    return np.ascontiguousarray(x.T), sr


def mel_ref(path, **kw):
    x, sr = decode(path)
    return spectro.MelSpectrogramTransform(sample_rate=sr, **kw)(x)


def mfcc_ref(path, **kw):
    x, sr = decode(path)
    return spectro.MFCCTransform(sample_rate=sr, **kw)(x)


def stft_ref(path, n_fft=2048, **kw):
    x, _ = decode(path)
    return spectro.SpectralTransform(n_fft, **kw).stft(x)


def npy_descr(path):
    head = Path(path).read_bytes()[:128]
    assert head[:6] == b"\x93NUMPY"
    return head[10:].split(b"'descr': '")[1].split(b"'")[0].decode()


def all_files(folder):
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*") if p.is_file())


def read_png(path):
    """Decodes an 8-bit RGB PNG in pure Python: signature, chunk CRCs,
    IHDR, zlib-inflated IDAT and the five row filters.  Returns [H, W, 3]."""
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, f"bad CRC in {kind!r}"
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = ihdr
    assert (depth, colour, interlace) == (8, 2, 0), "expected 8-bit RGB, not interlaced"
    raw = zlib.decompress(idat)
    stride = width * 3
    assert len(raw) == height * (stride + 1)
    out = np.zeros((height, stride), dtype=np.int64)
    prev = np.zeros(stride, dtype=np.int64)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = np.frombuffer(raw, np.uint8, stride, start + 1).astype(np.int64)
        if kind == 0:
            row = line
        elif kind == 1:
            row = np.stack([np.cumsum(line[c::3]) % 256 for c in range(3)], axis=1).reshape(-1)
        elif kind == 2:
            row = (line + prev) % 256
        else:
            row = np.zeros(stride, dtype=np.int64)
            for i in range(stride):
                a = row[i - 3] if i >= 3 else 0
                b = prev[i]
                c = prev[i - 3] if i >= 3 else 0
                if kind == 3:
                    pred = (a + b) // 2
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                row[i] = (line[i] + pred) % 256
        out[y] = row
        prev = row
    return out.reshape(height, width, 3).astype(np.uint8)


def coloured_run(row):
    """Length of the longest run of pixels that are neither background
    white nor the ink of frames and labels: the width of a plot panel."""
    white = np.all(row == 255, axis=1)
    ink = np.all(row == 20, axis=1)
    best = cur = 0
    for plain in white | ink:
        cur = 0 if plain else cur + 1
        best = max(best, cur)
    return best


@pytest.fixture
def stereo(tmp_path):
    return write(tmp_path / "stereo.wav", sr=22050, seconds=1.0, channels=2)


# ---------------------------------------------------------------- help and flags

def test_top_level_help_and_version():
    proc = run("--help", check_rc=0)
    for cmd in COMMANDS:
        assert cmd in proc.stdout
    assert run("--version", check_rc=0).stdout.startswith("spectro ")
    assert run().returncode == 2


@pytest.mark.parametrize("cmd", COMMANDS)
def test_every_subcommand_has_help(cmd):
    proc = run(cmd, "--help", check_rc=0)
    assert proc.stdout.startswith(f"usage: spectro {cmd}")
    assert "--shard" in proc.stdout


def _flag_in_help(help_text, keyword):
    flag = keyword.replace("_", "-")
    return f"--{flag} " in help_text or f"--[no-]{flag} " in help_text


@pytest.mark.parametrize("cmd, cls", [("mel", "MelSpectrogramTransform"), ("mfcc", "MFCCTransform"),
                                      ("logmel", "LogMelSpectrogramTransform")])
def test_flags_match_python_keywords(cmd, cls):
    """Every keyword of the Python class is a flag ('-' for '_')."""
    help_text = run(cmd, "--help", check_rc=0).stdout
    params = dict(inspect.signature(getattr(spectro, cls).__init__).parameters)
    if cls == "LogMelSpectrogramTransform":  # **kwargs go to MelSpectrogramTransform
        params.update(inspect.signature(spectro.MelSpectrogramTransform.__init__).parameters)
        params.pop("output_scale")  # fixed to 'log' by the class
    names = [n for n, p in params.items() if n != "self" and p.kind == p.KEYWORD_ONLY]
    missing = [n for n in names if not _flag_in_help(help_text, n)]
    assert not missing, f"spectro {cmd} lacks flags for {missing}"
    for alias in ("--sr", "--hop"):
        assert alias in help_text


def test_stft_flags_match_python_keywords():
    help_text = run("stft", "--help", check_rc=0).stdout
    params = inspect.signature(spectro.SpectralTransform.__init__).parameters
    wanted = ["n_fft", "hop_length", "win_length", "window_fn", "periodic", "center", "center_pad_mode",
              "center_tail_pad", "normalized"]
    assert all(n in params for n in wanted)
    assert all(_flag_in_help(help_text, n) for n in wanted)


# ---------------------------------------------------------------- info

def test_info(tmp_path):
    a = write(tmp_path / "a.flac", sr=16000, seconds=0.5, channels=3, subtype="PCM_24")
    b = write(tmp_path / "b.wav", sr=22050, seconds=1.0, channels=1, subtype="FLOAT")
    proc = run("info", a, b, check_rc=0)
    lines = proc.stdout.splitlines()
    assert len(lines) == 2
    assert str(a) in lines[0] and "FLAC" in lines[0] and "3 channels" in lines[0] and "16000 Hz" in lines[0]
    assert "8000 frames" in lines[0] and "0.500 s" in lines[0]
    assert str(b) in lines[1] and "1 channel," in lines[1] and "22050 frames" in lines[1]


def test_info_bad_file_goes_on(tmp_path):
    good = write(tmp_path / "good.wav")
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF0000WAVEjunk" * 4)
    proc = run("info", bad, good)
    assert proc.returncode == 1
    assert str(good) in proc.stdout
    assert len(error_lines(proc)) == 1 and str(bad) in proc.stderr


# ---------------------------------------------------------------- mel / logmel / mfcc / stft vs Python

def test_mel_defaults_match_python(stereo, tmp_path):
    out = tmp_path / "stereo.mel.npy"
    run("mel", stereo, "-o", out, check_rc=0)
    got = np.load(out)
    ref = mel_ref(stereo)  # MelSpectrogramTransform's defaults at the file's rate
    assert got.dtype == np.float32 and got.shape == ref.shape == (2, 128, ref.shape[-1])
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-4)


def test_default_output_name_is_next_to_the_input(stereo):
    run("mel", stereo, check_rc=0)
    assert (stereo.parent / "stereo.mel.npy").is_file()
    run("mfcc", stereo, "--format", "csv", check_rc=0)
    assert (stereo.parent / "stereo.mfcc.csv").is_file()


MEL_CASES = [
    (["--n-fft", "1024", "--hop", "256", "--n-mels", "64", "--f-min", "50", "--f-max", "8000", "--norm", "slaney",
      "--mel-scale", "slaney", "--top-db", "none"],
     dict(n_fft=1024, hop_length=256, n_mels=64, f_min=50.0, f_max=8000.0, norm="slaney", mel_scale="slaney",
          top_db=None)),
    (["--output-scale", "linear", "--power", "1", "--window-fn", "hamming", "--win-length", "800", "--no-center"],
     dict(output_scale="linear", power=1.0, window_fn="hamming", win_length=800, center=False)),
    (["--output-scale", "log", "--log-mode", "add", "--log-amin", "1e-3", "--center-pad-mode", "constant",
      "--center-tail-pad", "minimal", "--hop-length", "300"],
     dict(output_scale="log", log_mode="add", log_amin=1e-3, center_pad_mode="constant",
          center_tail_pad="minimal", hop_length=300)),
    (["--output-scale", "log", "--log-mode", "log1p", "--log-scale", "10"],
     dict(output_scale="log", log_mode="log1p", log_scale=10.0)),
    (["--mode", "torchaudio_compat", "--top-db", "40", "--freq-grid", "librosa", "--normalized", "--no-periodic",
      "--window", "blackman"],
     dict(mode="torchaudio_compat", top_db=40.0, freq_grid="librosa", normalized=True, periodic=False,
          window_fn="blackman")),
]


@pytest.mark.parametrize("args, kwargs", MEL_CASES, ids=[f"case{i}" for i in range(len(MEL_CASES))])
def test_mel_flags_match_python(stereo, tmp_path, args, kwargs):
    out = tmp_path / "m.npy"
    run("mel", stereo, "-o", out, *args, check_rc=0)
    got, ref = np.load(out), mel_ref(stereo, **kwargs)
    assert got.shape == ref.shape
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-4)


def test_logmel_matches_python(stereo, tmp_path):
    out = tmp_path / "l.npy"
    run("logmel", stereo, "-o", out, "--n-mels", "80", "--log-amin", "1e-6", check_rc=0)
    x, sr = decode(stereo)
    ref = spectro.LogMelSpectrogramTransform(sample_rate=sr, n_mels=80, log_amin=1e-6)(x)
    np.testing.assert_allclose(np.load(out), ref, rtol=1e-5, atol=1e-5)


def load_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], np.array(rows[1:], dtype=np.float64)


def test_mfcc_csv_matches_python(stereo, tmp_path):
    out = tmp_path / "speech.mfcc.csv"
    run("mfcc", stereo, "-o", out, check_rc=0)
    header, body = load_csv(out)
    ref = mfcc_ref(stereo)  # MFCCTransform's defaults: 20 coefficients, hop 512, Slaney mel
    channels, n_mfcc, frames = ref.shape
    assert header[:3] == ["channel", "frame", "time"]
    assert header[3:] == [f"mfcc_{i}" for i in range(n_mfcc)]
    assert body.shape == (channels * frames, 3 + n_mfcc)  # one row per frame
    np.testing.assert_array_equal(body[:, 0], np.repeat(np.arange(channels), frames))
    np.testing.assert_array_equal(body[:, 1], np.tile(np.arange(frames), channels))
    np.testing.assert_allclose(body[:frames, 2], np.arange(frames) * 512 / 22050, rtol=1e-7)
    got = body[:, 3:].reshape(channels, frames, n_mfcc).transpose(0, 2, 1)
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-3)


def test_mfcc_flags_npz_matches_python(stereo, tmp_path):
    out = tmp_path / "m.npz"
    run("mfcc", stereo, "-o", out, "--n-mfcc", "13", "--n-mels", "40", "--lifter", "22", "--dct-norm", "none",
        "--n-fft", "400", "--hop", "160", "--f-max", "8000", "--top-db", "none", check_rc=0)
    with np.load(out) as z:
        assert set(z.files) == {"mfcc", "sample_rate", "hop_length"}
        assert float(z["sample_rate"]) == 22050.0 and int(z["hop_length"]) == 160
        got = z["mfcc"]
    ref = mfcc_ref(stereo, n_mfcc=13, n_mels=40, lifter=22, dct_norm=None, n_fft=400, hop_length=160, f_max=8000.0,
                   top_db=None)
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-3)


def test_stft_npy_is_complex64_matching_python(stereo, tmp_path):
    out = tmp_path / "a.npy"
    run("stft", stereo, "-o", out, check_rc=0)
    assert npy_descr(out) == "<c8"
    got, ref = np.load(out), stft_ref(stereo)  # n_fft 2048, hop n_fft / 4
    assert got.dtype == np.complex64 and got.shape == ref.shape == (2, 1025, ref.shape[-1])
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-6 * np.abs(ref).max())


def test_stft_npz_with_flags(stereo, tmp_path):
    out = tmp_path / "a.npz"
    run("stft", stereo, "--n-fft", "1000", "--hop", "250", "--window-fn", "hamming", "--win-length", "900",
        "-o", out, check_rc=0)
    with np.load(out) as z:
        got = z["stft"]
        assert int(z["hop_length"]) == 250
    ref = stft_ref(stereo, n_fft=1000, hop_length=250, window_fn="hamming", win_length=900)
    assert got.dtype == np.complex64
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-6 * np.abs(ref).max())


def test_stft_csv_has_real_and_imaginary_columns(tmp_path):
    wav = write(tmp_path / "m.wav", channels=1, seconds=0.2)
    out = tmp_path / "m.csv"
    run("stft", wav, "--n-fft", "64", "-o", out, check_rc=0)
    header, body = load_csv(out)
    assert header[3:7] == ["re_0", "im_0", "re_1", "im_1"]
    ref = stft_ref(wav, n_fft=64)[0]
    np.testing.assert_allclose(body[:, 3::2].T, ref.real, atol=1e-5)
    np.testing.assert_allclose(body[:, 4::2].T, ref.imag, atol=1e-5)


def test_mono_mixes_down(tmp_path):
    wav = write(tmp_path / "three.wav", channels=3, subtype="PCM_24")
    out = tmp_path / "m.npy"
    run("mel", wav, "--mono", "-o", out, check_rc=0)
    x, sr = decode(wav)
    ref = spectro.MelSpectrogramTransform(sample_rate=sr)(x.mean(axis=0, keepdims=True))
    got = np.load(out)
    assert got.shape == ref.shape and got.shape[0] == 1
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-3)


def test_channels_are_the_batch(tmp_path):
    wav = write(tmp_path / "four.wav", channels=4)
    out = tmp_path / "s.npy"
    run("stft", wav, "-o", out, "--n-fft", "256", check_rc=0)
    assert np.load(out).shape[0] == 4


def test_threads_flag_gives_identical_results(stereo, tmp_path):
    run("mel", stereo, "-o", tmp_path / "t1.npy", "--threads", "1", check_rc=0)
    run("mel", stereo, "-o", tmp_path / "t3.npy", "--threads", "3", check_rc=0)
    np.testing.assert_array_equal(np.load(tmp_path / "t1.npy"), np.load(tmp_path / "t3.npy"))


def test_resampling_to_sr(tmp_path):
    sr_in, sr_out, seconds = 44100, 16000, 1.0
    t = np.arange(int(sr_in * seconds)) / sr_in
    wav = tmp_path / "tone.wav"
    sf.write(str(wav), (0.5 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32), sr_in, subtype="FLOAT")
    out = tmp_path / "tone.npz"
    run("stft", wav, "--sr", sr_out, "--n-fft", "512", "-o", out, check_rc=0)
    with np.load(out) as z:
        spec = z["stft"]
        assert float(z["sample_rate"]) == sr_out
    n_out = round(len(t) * sr_out / sr_in)
    assert spec.shape == (1, 257, n_out // 128 + 1)
    peak_hz = np.abs(spec[0, :, 5:-5]).mean(axis=1).argmax() * sr_out / 512
    assert abs(peak_hz - 1000) <= sr_out / 512
    # the mel of the resampled tone matches the mel of a tone made at 16 kHz (edges aside)
    run("mel", wav, "--sr", sr_out, "--resample-quality", "hq", "-o", tmp_path / "m.npy", check_rc=0)
    t16 = np.arange(n_out) / sr_out
    ref = spectro.MelSpectrogramTransform(sample_rate=sr_out)(
        (0.5 * np.sin(2 * np.pi * 1000 * t16)).astype(np.float32)[None])
    got = np.load(tmp_path / "m.npy")
    assert got.shape == ref.shape
    np.testing.assert_allclose(got[..., 10:-10].max(axis=-1), ref[..., 10:-10].max(axis=-1), atol=0.5)


# ---------------------------------------------------------------- formats

LOSSLESS = [
    ("wav", "WAV", "PCM_16", 22050), ("wav", "WAV", "PCM_24", 22050), ("wav", "WAV", "PCM_32", 22050),
    ("wav", "WAV", "PCM_U8", 22050), ("wav", "WAV", "FLOAT", 22050), ("wav", "WAV", "DOUBLE", 22050),
    ("flac", "FLAC", "PCM_16", 44100), ("flac", "FLAC", "PCM_24", 16000), ("flac", "FLAC", "PCM_S8", 8000),
    ("aiff", "AIFF", "PCM_16", 22050), ("aiff", "AIFF", "FLOAT", 22050), ("au", "AU", "PCM_32", 22050),
    ("caf", "CAF", "PCM_24", 22050), ("w64", "W64", "FLOAT", 22050), ("rf64", "RF64", "PCM_16", 22050),
]
LOSSY = [("ogg", "OGG", "VORBIS", 44100), ("opus", "OGG", "OPUS", 48000), ("mp3", "MP3", "MPEG_LAYER_III", 44100)]


@pytest.mark.parametrize("ext, fmt, subtype, sr", LOSSLESS + LOSSY, ids=lambda v: str(v))
def test_format_round_trip(tmp_path, ext, fmt, subtype, sr):
    if not sf.check_format(fmt, subtype):
        pytest.skip(f"soundfile cannot write {fmt}/{subtype}")
    path = write(tmp_path / f"in.{ext}", sr=sr, seconds=0.5, channels=2, subtype=subtype, fmt=fmt)
    out = tmp_path / "out.npy"
    proc = run("stft", path, "--n-fft", "512", "-o", out)
    if proc.returncode != 0 and (fmt, subtype) in [(f, s) for _, f, s, _ in LOSSY]:
        pytest.skip(f"this libsndfile build cannot read {fmt}/{subtype}: {proc.stderr.strip()}")
    assert proc.returncode == 0, proc.stderr
    got, ref = np.load(out), stft_ref(path, n_fft=512)
    assert got.shape == ref.shape
    lossy = (ext, fmt, subtype, sr) in LOSSY  # decoder builds may differ in the last bits
    tol = 1e-4 if lossy else 1e-6
    np.testing.assert_allclose(got, ref, rtol=0, atol=tol * np.abs(ref).max())


@pytest.mark.skipif(SOX is None, reason="sox not installed")
@pytest.mark.parametrize("name, sox_args", [
    ("s.wav", ["-b", "16"]), ("s8.wav", ["-b", "8"]), ("s.flac", ["-b", "24"]), ("s.aiff", ["-b", "16"]),
    ("s.ogg", []),
])
def test_sox_written_files(tmp_path, name, sox_args):
    path = tmp_path / name
    made = subprocess.run([SOX, "-n", "-r", "16000", "-c", "2", *sox_args, str(path), "synth", "0.5",
                           "sine", "440", "sine", "660"], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"sox cannot write {name}: {made.stderr.decode().strip()}")
    out = tmp_path / "m.npy"
    run("mel", path, "-o", out, check_rc=0)
    atol = 0.05 if name.endswith(".ogg") else 1e-3  # Vorbis decoder builds may differ in the last bits
    np.testing.assert_allclose(np.load(out), mel_ref(path), rtol=0, atol=atol)


# ---------------------------------------------------------------- pictures

def panel_size(n, lo, hi):
    """One pixel per frame (row), stretched by a whole factor up to `lo`."""
    return hi if n > hi else n * max(1, -(-lo // n))


def test_png_alongside_npy(stereo, tmp_path):
    out, png = tmp_path / "song.mel.npy", tmp_path / "song.png"
    run("mel", stereo, "-o", out, "--sr", "22050", "--n-mels", "128", "--png", png, check_rc=0)
    frames = np.load(out).shape[-1]
    img = read_png(png)
    height, width, _ = img.shape
    panel_w, panel_h = panel_size(frames, 256, 8192), panel_size(128, 128, 1024)
    assert panel_w <= width <= panel_w + 200
    assert 2 * panel_h <= height <= 2 * panel_h + 120
    mid_row = img[height // 4]  # through the first channel's panel
    assert coloured_run(mid_row) == panel_w
    assert len(np.unique(img.reshape(-1, 3), axis=0)) > 50, "picture looks blank"
    assert img.std() > 20
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(png) as im:
        assert im.size == (width, height)
        np.testing.assert_array_equal(np.asarray(im.convert("RGB")), img)


@pytest.mark.parametrize("cmd", ["stft", "mfcc", "logmel"])
def test_png_as_the_only_output(tmp_path, cmd):
    wav = write(tmp_path / "short.wav", channels=1, seconds=0.3)
    png = tmp_path / "short.png"
    run(cmd, wav, "-o", png, check_rc=0)
    img = read_png(png)
    assert img.shape[1] >= 256  # short clips are stretched to a readable width
    assert len(np.unique(img.reshape(-1, 3), axis=0)) > 20
    assert all_files(tmp_path) == ["short.png", "short.wav"]


def test_png_of_many_channels_stays_bounded(tmp_path):
    wav = write(tmp_path / "multi.wav", channels=8, seconds=0.5)
    png = tmp_path / "multi.png"
    run("stft", wav, "--png", png, check_rc=0)  # 1025 bins per channel
    height, width, _ = read_png(png).shape
    assert 8 * 400 <= height <= 4096 + 8 * 20 + 100
    assert not (tmp_path / "multi.stft.npy").exists()  # --png alone asks only for the picture


# ---------------------------------------------------------------- bad input

def _bad_files(tmp_path):
    good = write(tmp_path / "good.wav", seconds=0.5)
    random_bytes = tmp_path / "random.wav"
    random_bytes.write_bytes(b"\x00" + np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    truncated = tmp_path / "truncated.wav"
    truncated.write_bytes(good.read_bytes()[:20])
    empty_audio = tmp_path / "silent.wav"
    sf.write(str(empty_audio), np.zeros((0, 1), np.float32), 16000)
    zero_bytes = tmp_path / "zero.flac"
    zero_bytes.write_bytes(b"")
    text = tmp_path / "notes.txt"
    text.write_text("not audio\n")
    too_short = write(tmp_path / "blip.wav", sr=16000, seconds=0.01, channels=1)
    # a well-formed RIFF/WAVE whose codec (0x2000, AC-3) libsndfile does not decode
    fmt_chunk = struct.pack("<HHIIHH", 0x2000, 2, 48000, 192000, 4, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt_chunk)) + fmt_chunk + b"data" + struct.pack("<I", 4000)
    codec = tmp_path / "ac3.wav"
    codec.write_bytes(b"RIFF" + struct.pack("<I", len(body) + 4000) + body + bytes(4000))
    return dict(random=random_bytes, truncated=truncated, empty_audio=empty_audio, zero_bytes=zero_bytes,
                text=text, too_short=too_short, unsupported_codec=codec)


@pytest.mark.parametrize("kind", ["missing", "random", "truncated", "empty_audio", "zero_bytes", "text",
                                  "too_short", "unsupported_codec"])
def test_bad_input_file(tmp_path, kind):
    files = _bad_files(tmp_path)
    path = tmp_path / "does-not-exist.wav" if kind == "missing" else files[kind]
    outdir = tmp_path / "out"
    outdir.mkdir()
    proc = run("mel", path, "-o", outdir / "x.npy", "--png", outdir / "x.png")
    assert proc.returncode == 1
    lines = error_lines(proc)
    assert len(lines) == 1, proc.stderr
    assert str(path) in lines[0]
    assert all_files(outdir) == [], "a failed file left output behind"


@pytest.mark.parametrize("target", ["missing-dir/x.npy", "file/x.npy"])
def test_unwritable_output(stereo, tmp_path, target):
    (tmp_path / "file").write_text("a file, not a directory")
    out = tmp_path / target
    proc = run("mel", stereo, "-o", out)
    assert proc.returncode == 1
    lines = error_lines(proc)
    assert len(lines) == 1 and str(out) in lines[0] and str(stereo) in lines[0]
    assert not out.parent.is_dir() or all_files(out.parent) == []


BAD_FLAGS = [
    (["--n-fft", "0"], "--n-fft"), (["--n-fft", "abc"], "--n-fft"), (["--hop", "-5"], "--hop"),
    (["--n-mels", "1.5"], "--n-mels"), (["--norm", "foo"], "--norm"), (["--mel-scale", "bark"], "--mel-scale"),
    (["--top-db", "-1"], "--top-db"), (["--power", "0"], "--power"), (["--f-min", "-3"], "--f-min"),
    (["--f-min", "500", "--f-max", "100"], "--f-max"), (["--win-length", "4096"], "--win-length"),
    (["--window-fn", "kaiser"], "--window-fn"), (["--center-pad-mode", "wrap"], "--center-pad-mode"),
    (["--shard", "2/2"], "--shard"), (["--shard", "x"], "--shard"), (["--jobs", "0"], "--jobs"),
    (["--threads", "100000"], "--threads"), (["--sr", "0"], "--sr"), (["--output-scale", "bel"], "--output-scale"),
    (["--bogus"], "--bogus"), (["--center=yes"], "--center"), (["--format", "wav"], "--format"),
    (["-o", "out.xyz"], "-o"), (["-o", "out.npy", "--format", "csv"], "--format"), (["--sr", "8000", "--f-max", "6000"], "f_max"),
    (["--center-tail-pad", "minimal"], "center_tail_pad"), (["--n-fft", "100000000"], "n_fft"), (["--n-fft"], "--n-fft"),
]


@pytest.mark.parametrize("args, named", BAD_FLAGS, ids=[" ".join(a) for a, _ in BAD_FLAGS])
def test_bad_flag_values(stereo, tmp_path, args, named):
    proc = run("mel", stereo, *args, cwd=tmp_path)
    assert proc.returncode == 2
    lines = error_lines(proc)
    assert len(lines) == 1 and named in lines[0], proc.stderr
    assert all_files(tmp_path) == ["stereo.wav"]


def test_bad_mfcc_flags(stereo):
    for args, named in [(["--n-mfcc", "200"], "--n-mfcc"), (["--lifter", "-1"], "--lifter"),
                        (["--dct-norm", "l2"], "--dct-norm"), (["--output-scale", "db"], "--output-scale")]:
        proc = run("mfcc", stereo, *args)
        assert proc.returncode == 2 and named in proc.stderr and len(error_lines(proc)) == 1


def test_cuda_device_missing_is_a_usage_error(stereo):
    """Without the CUDA backend, or without a GPU: one line, exit 2, before
    any file (tests/cli/test_cli_cuda.py runs the device path where there is one)."""
    proc = run("stft", stereo, "--device", "cuda")
    if proc.returncode == 0:
        pytest.skip("--device cuda runs here")
    assert proc.returncode == 2
    lines = error_lines(proc)
    assert len(lines) == 1, lines
    assert lines[0].startswith("spectro stft: --device cuda: this build of spectro has no CUDA backend") or \
        lines[0].startswith("spectro stft: --device cuda: no usable CUDA device") or \
        lines[0].startswith("spectro stft: --device cuda: no CUDA device")


def test_no_inputs_and_unknown_command():
    assert run("mel").returncode == 2
    proc = run("spectrogram", "x.wav")
    assert proc.returncode == 2 and "spectrogram" in proc.stderr


# ---------------------------------------------------------------- folders

def make_corpus(root, n=6):
    """Audio in a nested folder, plus a file that is not audio."""
    names = []
    for i in range(n):
        sub = "sub/" if i % 2 else ""
        ext, subtype = ("flac", "PCM_16") if i % 3 == 0 else ("wav", "PCM_16")
        names.append(write(root / f"{sub}clip{i}.{ext}", seconds=0.3 + 0.1 * i, channels=1 + i % 2,
                           subtype=subtype, seed=i))
    (root / "readme.txt").write_text("not audio")
    return sorted(names, key=str)


def test_folder_mirrors_names(tmp_path):
    files = make_corpus(tmp_path / "in")
    out = tmp_path / "out"
    proc = run("mel", tmp_path / "in", "-o", out, "--png", tmp_path / "pics", check_rc=0)
    expected = sorted(str(f.relative_to(tmp_path / "in").with_suffix(".npy")) for f in files)
    assert all_files(out) == expected
    assert all_files(tmp_path / "pics") == sorted(e[:-4] + ".png" for e in expected)
    for f in files:
        got = np.load(out / f.relative_to(tmp_path / "in").with_suffix(".npy"))
        np.testing.assert_allclose(got, mel_ref(f), rtol=0, atol=1e-4)
    # not a terminal: one log line per file and a summary
    assert sum("->" in line for line in proc.stderr.splitlines()) == len(files)
    assert f"{len(files)} files: {len(files)} ok, 0 failed" in proc.stderr


def test_progress_bar_on_a_terminal(tmp_path):
    import pty

    make_corpus(tmp_path / "in", n=3)
    master, slave = pty.openpty()
    proc = subprocess.Popen([str(CLI), "mel", str(tmp_path / "in"), "-o", str(tmp_path / "out")],
                            stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    data = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the tool closed its end
            break
        if not chunk:
            break
        data += chunk
    os.close(master)
    assert proc.wait(timeout=60) == 0
    text = data.decode()
    assert "3/3 files" in text and "audio s/s" in text and "ETA" in text
    assert "->" not in text  # the bar replaces per-file log lines
    assert "3 files: 3 ok, 0 failed" in text


def test_folder_format_flag_and_quiet(tmp_path):
    make_corpus(tmp_path / "in", n=3)
    proc = run("mfcc", tmp_path / "in", "-o", tmp_path / "out", "--format", "csv", "-q", check_rc=0)
    assert proc.stderr == ""
    assert all(name.endswith(".csv") for name in all_files(tmp_path / "out"))


def test_several_files_without_o_write_next_to_them(tmp_path):
    a = write(tmp_path / "a.wav", seconds=0.3)
    b = write(tmp_path / "d" / "b.flac", seconds=0.3)
    run("stft", a, b, "--n-fft", "256", check_rc=0)
    assert (tmp_path / "a.stft.npy").is_file() and (tmp_path / "d" / "b.stft.npy").is_file()


def test_single_file_into_an_existing_directory(stereo, tmp_path):
    (tmp_path / "feats").mkdir()
    run("mel", stereo, "-o", tmp_path / "feats", "-q", check_rc=0)
    assert all_files(tmp_path / "feats") == ["stereo.npy"]


def test_folder_with_bad_files_goes_on(tmp_path):
    src = tmp_path / "in"
    good = make_corpus(src, n=4)
    bad = _bad_files(src / "bad")
    bad.pop("text")  # not an audio extension: never picked up from a folder
    bad.pop("too_short")  # fine for --n-fft 256
    out = tmp_path / "out"
    proc = run("stft", src, "-o", out, "--n-fft", "256", "--png", out, "--jobs", "3")
    assert proc.returncode == 1
    errors = [line for line in error_lines(proc) if "->" not in line and " files: " not in line]
    assert len(errors) == len(bad)  # one line per bad file, each naming it
    for path in bad.values():
        assert sum(str(path) in line for line in errors) == 1
    produced = all_files(out)
    for f in good + [src / "bad" / "good.wav", src / "bad" / "blip.wav"]:
        rel = f.relative_to(src)
        assert str(rel.with_suffix(".npy")) in produced and str(rel.with_suffix(".png")) in produced
    assert not [p for p in produced if Path(p).name.startswith(".")], "temporary files left behind"
    n_ok = len(good) + 2
    assert f"{n_ok + len(bad)} files: {n_ok} ok, {len(bad)} failed" in proc.stderr


def test_folder_output_must_be_a_directory(tmp_path):
    make_corpus(tmp_path / "in", n=2)
    (tmp_path / "taken").write_text("x")
    proc = run("mel", tmp_path / "in", "-o", tmp_path / "taken")
    assert proc.returncode == 2 and "-o" in proc.stderr and len(error_lines(proc)) == 1
    proc = run("mel", tmp_path / "in", "--png", tmp_path / "pic.png")  # a file name for many pictures
    assert proc.returncode == 2 and "--png" in proc.stderr and len(error_lines(proc)) == 1
    assert not (tmp_path / "pic.png").exists()


def test_empty_folder(tmp_path):
    (tmp_path / "in").mkdir()
    proc = run("mel", tmp_path / "in", "-o", tmp_path / "out")
    assert proc.returncode == 1 and str(tmp_path / "in") in proc.stderr


def test_outputs_that_would_collide(tmp_path):
    write(tmp_path / "in" / "a.wav", seconds=0.3)
    write(tmp_path / "in" / "a.flac", seconds=0.3)
    proc = run("mel", tmp_path / "in", "-o", tmp_path / "out")
    assert proc.returncode == 1
    assert "would overwrite" in proc.stderr and str(tmp_path / "in" / "a.wav") in proc.stderr
    assert all_files(tmp_path / "out") == ["a.npy"]
    np.testing.assert_allclose(np.load(tmp_path / "out" / "a.npy"), mel_ref(tmp_path / "in" / "a.flac"), atol=1e-4)


def test_shards_split_a_folder_disjointly(tmp_path):
    files = make_corpus(tmp_path / "in", n=7)
    rels = [str(f.relative_to(tmp_path / "in").with_suffix(".npy")) for f in files]  # sorted by input path
    seen = []
    for i in range(3):
        out = tmp_path / f"out{i}"
        run("mel", tmp_path / "in", "-o", out, "--shard", f"{i}/3", "-q", check_rc=0)
        got = all_files(out)
        assert got == sorted(rels[i::3])  # every file whose sorted index % 3 == i
        seen += got
    assert sorted(seen) == sorted(rels) and len(set(seen)) == len(rels)


@pytest.mark.parametrize("fmt", ["npy", "npz", "csv", "png"])
def test_jobs_give_identical_outputs(tmp_path, fmt):
    make_corpus(tmp_path / "in", n=6)
    outs = []
    for jobs in (1, 2):
        out = tmp_path / f"jobs{jobs}"
        run("mfcc", tmp_path / "in", "-o", out, "--format", fmt, "--jobs", jobs, "-q", check_rc=0)
        outs.append(out)
    names = all_files(outs[0])
    assert len(names) == 6 and names == all_files(outs[1])
    for name in names:
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
