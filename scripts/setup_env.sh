#!/usr/bin/env bash
# Installs what the build and the tests need, once:
#   - Debian packages (when missing and running as root): cmake, C and C++ compilers,
#     python3-dev/venv, and the reference libraries torch and torchaudio
#     (Debian's builds: the PyPI torch wheel pulls gigabytes of CUDA libraries),
#     alsa-utils for its real voice recordings (/usr/share/sounds/alsa), and
#     libsndfile / libsoxr / libpng (the command-line tool) with sox (its tests).
#   - a virtual environment .venv on the system python, seeing Debian's numpy,
#     scipy, torch and torchaudio, with librosa and pytest from PyPI.
# SPECTRO_OFFLINE=1 skips every download and uses what is already there (the
# GPU machine has no network); the tests then skip the references they lack.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=/usr/bin/python3
DEBS=(cmake gcc g++ make pkg-config python3 python3-dev python3-venv python3-numpy python3-scipy
      python3-torch python3-torchaudio alsa-utils libsndfile1-dev libsoxr-dev libpng-dev sox)

if [ "${SPECTRO_OFFLINE:-0}" != 1 ]; then
  missing=()
  for p in "${DEBS[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "setup: installing Debian packages: ${missing[*]}"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      echo "setup: missing Debian packages (${missing[*]}); install them or run as root" >&2
      exit 1
    fi
  fi
fi

[ "${SPECTRO_SETUP_ONLY_DEBS:-0}" = 1 ] && exit 0

[ -x "$PY" ] || PY=$(command -v python3)
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv (system site packages visible)"
  "$PY" -m venv --system-site-packages .venv
fi

if [ "${SPECTRO_OFFLINE:-0}" != 1 ]; then
  # keep Debian's numpy/scipy: torch from Debian is built against them
  .venv/bin/python -c "import numpy, scipy; print(f'numpy=={numpy.__version__}\nscipy=={scipy.__version__}')" \
    > .venv/constraints.txt
  if ! .venv/bin/python -c "import librosa, pytest" >/dev/null 2>&1; then
    echo "setup: installing librosa and pytest into .venv"
    .venv/bin/pip install -q --disable-pip-version-check -c .venv/constraints.txt librosa pytest
  fi
  # madmom (reference for the log filterbank): its 0.16.1 sdist needs Cython
  # at build time and builds against the installed numpy.  Optional: without
  # it the tests use a float64 re-statement of its algorithm.
  if ! .venv/bin/python -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('madmom') is None)"; then
    echo "setup: building madmom into .venv (optional reference)"
    .venv/bin/pip install -q --disable-pip-version-check -c .venv/constraints.txt cython &&
      .venv/bin/pip install -q --disable-pip-version-check --no-build-isolation -c .venv/constraints.txt madmom ||
      echo "setup: madmom did not build; its tests use the re-statement of its algorithm"
  fi
fi
.venv/bin/python -c "import numpy" || { echo "setup: numpy is missing from .venv" >&2; exit 1; }
