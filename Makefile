# spectro: the two commands a newcomer needs are `make demo` and `make test`.
# Everything else is a thin wrapper around CMake (build/) and the Python
# package (python/).

BUILD     ?= build
ASAN_BUILD ?= build-asan
PREFIX    ?= /usr/local
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
VENV_PY   := .venv/bin/python

.PHONY: all build test test-c test-asan test-install test-python test-cuda-host python demo bench bench-check gpu-check gpu-wheels fuzz install clean env env-build

all: build

env:
	@scripts/setup_env.sh

# Only the Debian packages the C build needs (libsndfile, libsoxr, libpng for
# the command-line tool), so `make demo` works on a fresh machine too.
env-build:
	@SPECTRO_SETUP_ONLY_DEBS=1 scripts/setup_env.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=$(PREFIX) > /dev/null

build: env-build $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test-c: build
	cd $(BUILD) && ctest --output-on-failure

# The C tests again under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPECTRO_SANITIZE=ON -DSPECTRO_CUDA=OFF \
	  -DSPECTRO_BUILD_EXAMPLES=OFF > /dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 ctest --output-on-failure

# Build the extension in place, into python/spectro/.
python: env build
	SPECTRO_CUDA_LIB=$$(ls $(BUILD)/libspectro_cuda.a 2>/dev/null) $(VENV_PY) setup.py -q build_ext --inplace > $(BUILD)-python.log 2>&1 || { cat $(BUILD)-python.log; exit 1; }
	@test -n "$$(ls python/spectro/_spectro*.so 2>/dev/null)" || { echo "python extension failed to build" >&2; exit 1; }

test-python: python
	PYTHONPATH=python SPECTRO_CLI=$(BUILD)/spectro SPECTRO_REQUIRE_REFERENCES=$${SPECTRO_REQUIRE_REFERENCES:-$$( [ "$${SPECTRO_OFFLINE:-0}" = 1 ] && echo 0 || echo 1)} $(VENV_PY) -m pytest -q tests/python tests/cli

test: env test-c test-asan test-install test-cuda-host test-python

# The CUDA device code (the register FFT, the STFT, iSTFT and frontend kernels) on CPU
# threads through a host emulation of the CUDA it uses: runs without a GPU.
CUDA_HOST_TESTS = test_reg_fft test_stft_kernel test_istft_kernel test_frontend_kernel
CUDA_HOST_FLAGS = -std=c++20 -O2 -Wall -Wno-unknown-pragmas -Itests/cuda_host/shim -Isrc -Iinclude -pthread
test-cuda-host:
	@mkdir -p $(BUILD)
	@for t in $(CUDA_HOST_TESTS); do \
	  $(CXX) $(CUDA_HOST_FLAGS) tests/cuda_host/$$t.cpp -o $(BUILD)/cuda_host_$$t && $(BUILD)/cuda_host_$$t || exit 1; \
	done
	@python3 tests/cuda_host/check_pdl_order.py $(BUILD)/libspectro_cuda.a

# The installed package: pkg-config and find_package consumers, shared and static.
test-install: build
	tests/install/check_install.sh $(BUILD)

# The main job on the bundled clip: a mel spectrogram picture and a features
# file from the command-line tool, and the C API's STFT round trip.
demo: build
	@mkdir -p demo-out
	./$(BUILD)/spectro mel examples/data/pluck.wav -o demo-out/pluck.mel.npy --png demo-out/pluck.mel.png
	./$(BUILD)/spectro mfcc examples/data/pluck.wav -o demo-out/pluck.mfcc.csv
	./$(BUILD)/stft_demo examples/data/pluck.wav
	@echo "demo: wrote demo-out/pluck.mel.png (mel spectrogram), demo-out/pluck.mel.npy and demo-out/pluck.mfcc.csv"

bench: build python
	PYTHONPATH=python $(VENV_PY) bench/bench_stft.py $(BENCH_ARGS)
	PYTHONPATH=python $(VENV_PY) bench/bench_frontends.py $(BENCH_ARGS)

# Ratios of the newest run against the checked-in baseline (not part of CI:
# speed is never a test).
bench-check:
	$(VENV_PY) bench/check_regression.py $(CHECK_ARGS)

# On a GPU machine (no network needed): build with CUDA, run every C and
# Python test (the CUDA ones included; references that are not installed are
# skipped) and the GPU benchmark, whose table prints last.  A python without
# pytest gets it from .whl/ (put there by `make gpu-wheels` on a machine with
# network, and brought along), installed into build-gpu/site.
# The command-line tool is built and tested too (--device cuda against the CPU
# backend) where its libraries are there, or where .whl/debs brings them
# (scripts/gpu_cli_deps.sh unpacks them into build-gpu/deps; GPU_ENV points
# pkg-config, the linker and the tool at them).
GPU_PY ?= python3
GPU_ENV = $(shell scripts/gpu_cli_deps.sh build-gpu/deps)
gpu-check:
	env $(GPU_ENV) cmake -S . -B build-gpu -DCMAKE_BUILD_TYPE=Release -DSPECTRO_CUDA=ON > /dev/null
	env $(GPU_ENV) cmake --build build-gpu -j $(JOBS)
	cd build-gpu && ctest --output-on-failure
	$(GPU_PY) tests/cuda_host/check_pdl_order.py build-gpu/libspectro_cuda.a
	SPECTRO_CUDA_LIB=build-gpu/libspectro_cuda.a scripts/build_ext.sh $(GPU_PY)
	@site=; if ! $(GPU_PY) -c "import pytest" 2>/dev/null; then \
	  ls .whl/*.whl > /dev/null 2>&1 || { echo "gpu-check: $(GPU_PY) has no pytest and .whl/ holds no wheels: run 'make gpu-wheels' where there is network and bring .whl/ along"; exit 1; }; \
	  $(GPU_PY) -m pip install -q --upgrade --no-deps --target build-gpu/site .whl/*.whl || exit 1; \
	  site=build-gpu/site:; \
	fi; \
	echo "PYTHONPATH=python:$$site\$$PYTHONPATH SPECTRO_CLI=build-gpu/spectro SPECTRO_REQUIRE_REFERENCES=0 $(GPU_PY) -m pytest -q -p no:cacheprovider tests/python tests/cli"; \
	env $(GPU_ENV) PYTHONPATH=python:$$site$$PYTHONPATH SPECTRO_CLI=build-gpu/spectro SPECTRO_REQUIRE_REFERENCES=0 $(GPU_PY) -m pytest -q -p no:cacheprovider tests/python tests/cli
	PYTHONPATH=python:$$PYTHONPATH $(GPU_PY) bench/bench_cuda.py
	PYTHONPATH=python:$$PYTHONPATH $(GPU_PY) bench/bench_cuda_frontends.py

# pytest and its dependencies as wheels in .whl/, and the command-line tool's
# libraries as Debian packages in .whl/debs, for `make gpu-check` on a GPU
# machine that lacks them and has no network.
CLI_DEBS = libsndfile1 libsndfile1-dev libsoxr0 libsoxr-dev libflac12 libmp3lame0 libmpg123-0 libogg0 libopus0 \
  libvorbis0a libvorbisenc2 pkgconf pkgconf-bin libpkgconf3
gpu-wheels:
	python3 -m pip download -q --no-deps --only-binary=:all: -d .whl pytest pluggy iniconfig packaging
	mkdir -p .whl/debs && cd .whl/debs && apt-get download $(CLI_DEBS)

# libFuzzer + ASan/UBSan on the public entry points (clang; not part of CI).
FUZZ_SECONDS ?= 60
FUZZ_SRCS = $(filter-out src/cuda/%,$(wildcard src/*.c src/*/*.c))
fuzz:
	@mkdir -p build-fuzz
	for t in stft frontend; do \
	  clang -O1 -g -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	    -Iinclude tests/fuzz/fuzz_$$t.c $(FUZZ_SRCS) -lm -lpthread -o build-fuzz/fuzz_$$t && \
	  SPECTRO_AUTOTUNE=0 ./build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=512 -rss_limit_mb=4096 || exit 1; \
	done

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-gpu demo-out python/build python/spectro/_spectro*.so
