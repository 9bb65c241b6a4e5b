#!/usr/bin/env bash
# Builds python/spectro/_spectro*.so with the given python, through setuptools
# when it is there, else with the C compiler directly (the GPU machine's
# python has torch but may lack setuptools).  SPECTRO_CUDA_LIB links the CUDA
# kernels (see setup.py).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-python3}
if "$PY" -c "import setuptools" 2>/dev/null; then
  exec "$PY" setup.py -q build_ext --inplace
fi
inc=$("$PY" -c "import sysconfig; print(sysconfig.get_paths()['include'])")
suffix=$("$PY" -c "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))")
extra=()
if [ -n "${SPECTRO_CUDA_LIB:-}" ]; then
  cuda=${CUDA_HOME:-/usr/local/cuda}
  extra=(-DSPECTRO_HAVE_CUDA "$SPECTRO_CUDA_LIB" -L"$cuda/lib64" -L"$cuda/targets/x86_64-linux/lib"
         -Wl,-rpath,"$cuda/lib64" -Wl,-rpath,"$cuda/targets/x86_64-linux/lib" -lcufft -lcudart_static -ldl -lrt
         -lstdc++)
fi
srcs=(python/spectro/_spectro.c $(find src -name '*.c' -not -path '*/cuda/*' | sort))
cc -shared -fPIC -O3 -std=c11 -D_GNU_SOURCE -fvisibility=hidden -Iinclude -I"$inc" "${srcs[@]}" \
  -o "python/spectro/_spectro$suffix" "${extra[@]}" -lm -lpthread
