#!/bin/sh
# The command-line tool's libraries (libsndfile, libsoxr, libpng; pkg-config
# to find them) on a GPU machine that lacks them and has no network, from the
# Debian packages `make gpu-wheels` put in .whl/debs: unpacked (dpkg-deb -x,
# no root) under DIR, their pkg-config files pointed there.  Prints the
# environment assignments (PKG_CONFIG_PATH, LD_LIBRARY_PATH, PATH) to run
# cmake, the build and the tool with, for `env`; prints nothing when the
# machine has the libraries already or no packages were brought.
#   usage: scripts/gpu_cli_deps.sh DIR
set -e
dir=$1
debs=.whl/debs
if command -v pkg-config > /dev/null 2>&1 && pkg-config --exists sndfile soxr libpng 2> /dev/null; then exit 0; fi
ls $debs/*.deb > /dev/null 2>&1 || exit 0
command -v dpkg-deb > /dev/null 2>&1 || { echo "gpu_cli_deps: no dpkg-deb to unpack $debs" >&2; exit 0; }
lib=$dir/usr/lib/x86_64-linux-gnu
if [ ! -f "$dir/.done" ]; then
  rm -rf "$dir"
  mkdir -p "$dir"
  for d in $debs/*.deb; do dpkg-deb -x "$d" "$dir"; done
  root=$(cd "$dir" && pwd)
  for pc in "$lib"/pkgconfig/*.pc; do
    [ -f "$pc" ] || continue
    # prefix into the unpacked tree; the private requirements (codecs of
    # libsndfile) are only needed for static links
    sed -i -e "s|^prefix=.*|prefix=$root/usr|" -e "s|=/usr/|=$root/usr/|" -e '/^Requires.private/d' "$pc"
  done
  [ -e "$dir/usr/bin/pkgconf" ] && ln -sf pkgconf "$dir/usr/bin/pkg-config"
  touch "$dir/.done"
fi
root=$(cd "$dir" && pwd)
pcdirs=$root/usr/lib/x86_64-linux-gnu/pkgconfig
for p in /usr/lib/x86_64-linux-gnu/pkgconfig /usr/lib/pkgconfig /usr/share/pkgconfig; do
  [ -d "$p" ] && pcdirs=$pcdirs:$p
done
echo "PKG_CONFIG_PATH=$pcdirs LD_LIBRARY_PATH=$root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} PATH=$PATH:$root/usr/bin"
