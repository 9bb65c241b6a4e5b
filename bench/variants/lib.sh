# Sourced by the bench/variants scripts (GPU machine, repository root).
# copy_tree DST: the working tree, less its builds, wheels and .git, into DST (emptied first), without
# the checkout's compiled extension.  build_tree DIR: the CUDA library and the Python extension there
# (fails with a message naming DIR).
copy_tree() {
  rm -rf "$1"; mkdir -p "$1"
  tar --exclude=./build-gpu --exclude=./build --exclude=./.whl --exclude=./.git -cf - . | tar -xf - -C "$1"
  rm -f "$1"/python/spectro/_spectro*.so
}
build_tree() {
  (cd "$1" && cmake -S . -B build-gpu -DCMAKE_BUILD_TYPE=Release -DSPECTRO_CUDA=ON > /dev/null &&
   cmake --build build-gpu -j 16 --target spectro_cuda > /dev/null &&
   SPECTRO_CUDA_LIB=build-gpu/libspectro_cuda.a scripts/build_ext.sh python3 > /dev/null 2>&1) || { echo "BUILD FAILED $1"; return 1; }
}
