"""Shared fixtures: fresh random inputs each run (seed printed, replay with
SPECTRO_TEST_SEED), real audio, and the reference libraries."""
import os
import tempfile
import wave

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The tests' autotune choices (CPU kernels, CUDA launch variants) go to a file of
# their own, never to the user's cache: a test that needs a configuration timed
# afresh must not find it there from an earlier run.
os.environ["SPECTRO_AUTOTUNE_CACHE_PATH"] = os.path.join(tempfile.mkdtemp(prefix="spectro-tests-"), "autotune.json")

# `make test` sets this: a missing reference library is then an error, not a skip.
REQUIRE_REFERENCES = os.environ.get("SPECTRO_REQUIRE_REFERENCES", "0") == "1"


def reference(name):
    """Import a reference library (torch, librosa, ...) or skip/fail."""
    try:
        return __import__(name)
    except ImportError:
        if REQUIRE_REFERENCES:
            raise
        pytest.skip(f"{name} is not installed")


def _seed():
    env = os.environ.get("SPECTRO_TEST_SEED")
    return int(env) if env else int.from_bytes(os.urandom(4), "little")


@pytest.fixture
def rng(request):
    seed = _seed()
    print(f"[{request.node.name}] seed {seed} (replay with SPECTRO_TEST_SEED={seed})")
    return np.random.default_rng(seed)


def read_wav(path):
    """16-bit PCM WAV -> float32 [channels, T] scaled by 1/32768."""
    with wave.open(path, "rb") as w:
        assert w.getsampwidth() == 2, path
        raw = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return (raw.reshape(-1, w.getnchannels()).T / 32768.0).astype(np.float32), w.getframerate()


REAL_AUDIO = [
    # a human voice recording shipped by Debian's alsa-utils
    "/usr/share/sounds/alsa/Front_Center.wav",
    "/usr/share/sounds/alsa/Noise.wav",
    # the bundled demo clip
    os.path.join(ROOT, "examples", "data", "pluck.wav"),
]


def real_audio_clips():
    clips = []
    for path in REAL_AUDIO:
        if os.path.exists(path):
            y, sr = read_wav(path)
            clips.append(pytest.param(np.ascontiguousarray(y[0]), sr, id=os.path.basename(path)))
        elif REQUIRE_REFERENCES and "alsa" in path:
            raise FileNotFoundError(f"{path} is missing: install alsa-utils (scripts/setup_env.sh does)")
    return clips


def rel_l2(a, b):
    a = np.asarray(a)
    b = np.asarray(b)
    return float(np.linalg.norm((a - b).ravel()) / max(np.linalg.norm(b.ravel()), 1e-300))


def assert_db_close(db, db_ref, lin_ref, power, atol=1e-4, rel=1e-7):
    """dB outputs (10 log10) within atol, plus the float32 FFT's rounding where
    a value lies far below its frame's peak.  That rounding is relative to the
    frame's energy: about rel (1e-7) of the peak amplitude, so a value whose
    amplitude is r times below the peak carries a relative error near
    power * rel * r, which 10 log10 turns into 4.343 times as many dB.  (Seen:
    1.03e-4 dB on a mel value 61 dB below its frame's peak, power 2, against a
    float64 reference.)  Two float32 pipelines: rel 2e-7.  lin_ref: the linear
    reference, mel axis -2; numpy arrays or tensors."""
    db, db_ref, lin_ref = (np.asarray(a.cpu() if hasattr(a, "cpu") else a, dtype=np.float64)
                           for a in (db, db_ref, lin_ref))
    peak = lin_ref.max(axis=-2, keepdims=True)
    r = (peak / np.maximum(lin_ref, 1e-300)) ** (1.0 / power)
    tol = atol + 4.343 * power * rel * r
    err = np.abs(db - db_ref)
    worst = np.unravel_index(np.argmax(err / tol), err.shape)
    assert err[worst] <= tol[worst], (f"{err[worst]:.3g} dB at {worst} (value {db_ref[worst]:.2f} dB, "
                                      f"amplitude {r[worst]:.3g}x below its frame's peak; allowed {tol[worst]:.3g})")
