#!/usr/bin/env bash
# Installs the build into a temporary prefix and builds examples/stft_demo.c
# against it four ways (pkg-config and find_package, shared and static),
# then runs each on the bundled clip: the installed package must be complete
# (headers, libraries, the CUDA runtime and cuFFT when built with CUDA, the
# C++ runtime the CUDA objects need).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$BUILD" --prefix "$tmp/prefix" > "$tmp/install.log"
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
clip=examples/data/pluck.wav
cc -O2 examples/stft_demo.c -o "$tmp/pc_shared" $(pkg-config --cflags --libs spectro) -lm -Wl,-rpath,"$tmp/prefix/lib"
cc -O2 examples/stft_demo.c -o "$tmp/pc_static" $(pkg-config --cflags spectro) "$tmp/prefix/lib/libspectro.a" \
  $(pkg-config --static --libs spectro | sed 's/-lspectro//') -lm
mkdir -p "$tmp/fp"
cat > "$tmp/fp/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.18)
project(spectro_consumer C)
find_package(spectro REQUIRED)
add_executable(fp_shared $PWD/examples/stft_demo.c)
target_link_libraries(fp_shared spectro::spectro m)
add_executable(fp_static $PWD/examples/stft_demo.c)
target_link_libraries(fp_static spectro::spectro_static m)
CMAKE
cmake -S "$tmp/fp" -B "$tmp/fp/b" -DCMAKE_PREFIX_PATH="$tmp/prefix" > "$tmp/fp.log"
cmake --build "$tmp/fp/b" > "$tmp/fpb.log" || { cat "$tmp/fpb.log"; exit 1; }
for exe in "$tmp/pc_shared" "$tmp/pc_static" "$tmp/fp/b/fp_shared" "$tmp/fp/b/fp_static"; do
  out=$("$exe" "$clip")
  echo "$out" | grep -q "round trip relative L2 error" || { echo "$exe: unexpected output"; echo "$out"; exit 1; }
done
echo "install: ok (pkg-config and find_package, shared and static)"
