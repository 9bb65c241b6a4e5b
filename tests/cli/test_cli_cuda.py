"""`spectro ... --device cuda` end to end (skipped where the tool has no CUDA
backend or the machine no GPU): WAV files written here (16-bit PCM, no
soundfile needed, so the GPU machine runs these), the tool's outputs against
the Python API's CPU backend on the same samples in float64, against the
tool's own CPU path, and (mel-dB) against torchaudio on the GPU."""
from __future__ import annotations

import os
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
CLI = Path(os.environ.get("SPECTRO_CLI", ROOT / "build" / "spectro")).absolute()
if not (CLI.is_file() and os.access(CLI, os.X_OK)):
    pytest.skip(f"spectro CLI not built ({CLI})", allow_module_level=True)
spectro = pytest.importorskip("spectro")


def run(*args, check_rc=None):
    proc = subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True, timeout=300)
    if check_rc is not None:
        assert proc.returncode == check_rc, f"rc={proc.returncode}\nstdout:{proc.stdout}\nstderr:{proc.stderr}"
    return proc


def write_wav(path, x, sr):
    """x [C, T] in [-1, 1) as 16-bit PCM; returns the samples the tool
    decodes (libsndfile: int16 / 32768) as float64."""
    q = np.clip(np.round(x * 32768.0), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(q.shape[0])
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(np.ascontiguousarray(q.T).tobytes())
    return q.astype(np.float64) / 32768.0


def audio(rng, channels, seconds, sr):
    """Tones, a chirp and noise at a different level per channel (so the
    top_db modes differ)."""
    t = np.arange(int(sr * seconds)) / sr
    rows = []
    for c in range(channels):
        x = 0.3 * np.sin(2 * np.pi * rng.uniform(100, 2000) * t)
        x += 0.2 * np.sin(2 * np.pi * (100 + rng.uniform(500, 4000) * t / t[-1]) * t)
        x += 0.05 * rng.standard_normal(t.size)
        rows.append(x * 10.0 ** (-c))
    return np.stack(rows)


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    """Skips the module unless --device cuda runs here."""
    d = tmp_path_factory.mktemp("probe")
    path = d / "p.wav"
    write_wav(path, audio(np.random.default_rng(0), 1, 0.2, 16000), 16000)
    proc = run("mel", path, "-o", d / "p.npy", "--device", "cuda")
    if proc.returncode != 0:
        pytest.skip(f"--device cuda does not run here: {proc.stderr.strip()}")
    return True


@pytest.fixture
def rng():
    return np.random.default_rng()


def db_close(got, ref, both_float32=False):
    """dB values: 1e-3 absolute, plus the float32 FFT's error relative to
    the frame's energy for bands far below the frame's loudest (as
    tests/python/test_cuda_frontends.py); twice that when the reference
    is a float32 computation too (torchaudio)."""
    below = ref.max(axis=-2, keepdims=True) - ref
    extra = 1e-7 * 10 / np.log(10) * 10.0 ** (np.minimum(below, 150.0) / 10)
    k = 2.0 if both_float32 else 1.0
    assert (np.abs(got - ref) <= k * (1e-3 + extra)).all(), np.abs(got - ref).max()


def rel_l2(a, b):
    return np.linalg.norm((a - b).ravel()) / np.linalg.norm(b.ravel())


MEL_CASES = [  # (flags, keywords, scale)
    ([], {}, "db"),  # MelSpectrogramTransform's defaults at the file's rate
    (["--n-fft", "400", "--hop", "160", "--n-mels", "40", "--f-max", "8000", "--top-db", "none"],
     dict(n_fft=400, hop_length=160, n_mels=40, f_max=8000.0, top_db=None), "db"),
    (["--output-scale", "linear", "--power", "1", "--n-fft", "1024", "--hop", "256", "--norm", "slaney",
      "--mel-scale", "slaney"],
     dict(output_scale="linear", power=1.0, n_fft=1024, hop_length=256, norm="slaney", mel_scale="slaney"),
     "linear"),
    (["--mode", "torchaudio_compat", "--top-db", "40", "--n-fft", "1000", "--hop", "250"],
     dict(mode="torchaudio_compat", top_db=40.0, n_fft=1000, hop_length=250), "db"),
    (["--n-fft", "882", "--hop", "220", "--no-center"], dict(n_fft=882, hop_length=220, center=False), "db"),
]


@pytest.mark.parametrize("args, kwargs, scale", MEL_CASES, ids=[f"case{i}" for i in range(len(MEL_CASES))])
def test_mel_cuda_matches_cpu_float64(probe, rng, tmp_path, args, kwargs, scale):
    sr = int(rng.choice([16000, 22050, 24000]))
    x = write_wav(tmp_path / "a.wav", audio(rng, 2, 1.5, sr), sr)
    run("mel", tmp_path / "a.wav", "-o", tmp_path / "gpu.npy", "--device", "cuda", *args, check_rc=0)
    got = np.load(tmp_path / "gpu.npy")
    ref = spectro.MelSpectrogramTransform(sample_rate=sr, **kwargs)(x)
    assert got.dtype == np.float32 and got.shape == ref.shape
    if scale == "linear":
        assert rel_l2(got, ref) <= 1e-5
    else:
        db_close(got, ref)
    # and the tool's own CPU path on the same file
    run("mel", tmp_path / "a.wav", "-o", tmp_path / "cpu.npy", *args, check_rc=0)
    cpu = np.load(tmp_path / "cpu.npy")
    if scale == "linear":
        assert rel_l2(got, cpu) <= 1e-5
    else:
        db_close(got, cpu.astype(np.float64))


def test_logmel_and_mfcc_cuda(probe, rng, tmp_path):
    sr = 16000
    x = write_wav(tmp_path / "s.wav", audio(rng, 3, 2.0, sr), sr)
    run("logmel", tmp_path / "s.wav", "-o", tmp_path / "l.npy", "--device", "cuda", "--n-mels", "80",
        "--n-fft", "400", "--hop", "160", check_rc=0)
    ref = spectro.LogMelSpectrogramTransform(sample_rate=sr, n_mels=80, n_fft=400, hop_length=160)(x)
    got = np.load(tmp_path / "l.npy")
    assert got.shape == ref.shape
    below = ref.max(axis=-2, keepdims=True) - ref
    assert (np.abs(got - ref) <= 1e-3 + 1e-7 * np.exp(np.minimum(below, 300.0))).all()
    for flags, kw in [([], {}),
                      (["--n-mfcc", "13", "--n-mels", "40", "--n-fft", "400", "--hop", "160", "--lifter", "22",
                        "--mode", "torchaudio_compat"],
                       dict(n_mfcc=13, n_mels=40, n_fft=400, hop_length=160, lifter=22, mode="torchaudio_compat"))]:
        run("mfcc", tmp_path / "s.wav", "-o", tmp_path / "m.npy", "--device", "cuda", *flags, check_rc=0)
        ref = spectro.MFCCTransform(sample_rate=sr, **kw)(x)
        got = np.load(tmp_path / "m.npy")
        assert got.shape == ref.shape
        np.testing.assert_allclose(got, ref, rtol=1e-5, atol=2e-3)


@pytest.mark.parametrize("n_fft, hop", [(2048, 512), (400, 100), (441, 110)])
def test_stft_cuda_matches_cpu_float64(probe, rng, tmp_path, n_fft, hop):
    sr = 22050
    x = write_wav(tmp_path / "a.wav", audio(rng, 2, 1.0, sr), sr)
    run("stft", tmp_path / "a.wav", "-o", tmp_path / "s.npy", "--device", "cuda", "--n-fft", n_fft, "--hop", hop,
        check_rc=0)
    got = np.load(tmp_path / "s.npy")
    ref = spectro.SpectralTransform(n_fft, hop_length=hop).stft(x)
    assert got.dtype == np.complex64 and got.shape == ref.shape
    assert rel_l2(got, ref) <= 1e-6


def test_mel_db_cuda_vs_torchaudio(probe, rng, tmp_path):
    torch = pytest.importorskip("torch")
    torchaudio = pytest.importorskip("torchaudio")
    if not torch.cuda.is_available():
        pytest.skip("torch sees no GPU")
    sr = 24000
    x = write_wav(tmp_path / "a.wav", audio(rng, 2, 3.0, sr), sr)
    run("mel", tmp_path / "a.wav", "-o", tmp_path / "m.npy", "--device", "cuda", "--mode", "torchaudio_compat",
        check_rc=0)
    dev = torch.device("cuda")
    mel = torchaudio.transforms.MelSpectrogram(sample_rate=sr, n_fft=2048, hop_length=240, n_mels=128).to(dev)
    ref = torchaudio.transforms.AmplitudeToDB("power", top_db=80.0).to(dev)(mel(torch.from_numpy(x).float().to(dev)))
    got = np.load(tmp_path / "m.npy")
    assert got.shape == tuple(ref.shape)
    db_close(got, ref.cpu().numpy().astype(np.float64), both_float32=True)


def test_many_files_in_parallel_jobs(probe, rng, tmp_path):
    """--jobs 4 over a folder on one GPU (a stream per file): every output as
    one file at a time gives (the fused kernels are deterministic)."""
    src = tmp_path / "in"
    src.mkdir()
    for i in range(7):
        sr = [16000, 22050][i % 2]
        write_wav(src / f"f{i}.wav", audio(rng, 1 + i % 3, 0.5 + 0.3 * i, sr), sr)
    run("mel", src, "-o", tmp_path / "par", "--device", "cuda", "--jobs", "4", "-q", check_rc=0)
    run("mel", src, "-o", tmp_path / "one", "--device", "cuda", "--jobs", "1", "-q", check_rc=0)
    names = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert len(names) == 7
    for n in names:
        np.testing.assert_array_equal(np.load(tmp_path / "par" / n), np.load(tmp_path / "one" / n))


def test_errors_still_name_the_flag(probe, tmp_path):
    path = tmp_path / "a.wav"
    write_wav(path, audio(np.random.default_rng(1), 1, 0.3, 16000), 16000)
    proc = run("mel", path, "--device", "cuda", "--n-mels", "0")
    assert proc.returncode == 2 and "--n-mels" in proc.stderr
    proc = run("mel", path, "--device", "tpu")
    assert proc.returncode == 2 and "--device" in proc.stderr
    # a file too short for the frames without padding fails alone, naming itself
    short = tmp_path / "short.wav"
    write_wav(short, audio(np.random.default_rng(2), 1, 0.01, 16000), 16000)
    proc = run("mel", short, path, "-o", tmp_path / "out", "--device", "cuda", "--no-center", "-q")
    assert proc.returncode == 1 and "short.wav" in proc.stderr
    assert (tmp_path / "out" / "a.npy").is_file()
