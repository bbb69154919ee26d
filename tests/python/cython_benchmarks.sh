#!/usr/bin/env bash
# Cython's own benchmark suite (Demos/benchmarks/bm_* of the pinned Cython's sdist) through
# `pyopaque run`, beside the same generated C under CPython (`pyopaque run --cpython`).
# The sdist is fetched by pip into the cache at run time, never copied into the repository.
# Prints one line per benchmark: cpython status, pyopaque status, pyopaque's last stderr line.
# Usage: tests/python/cython_benchmarks.sh [PYOPAQUE_BINARY]   (default: target/release/pyopaque)
set -u
cd "$(dirname "$0")/../.."
P=$(realpath "${1:-target/release/pyopaque}")
version=$(grep -o 'CYTHON_VERSION: &str = "[^"]*"' src/pyfront/mod.rs | cut -d'"' -f2)
cache=${PYOPAQUE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pyopaque}
sdist=$cache/sdist
mkdir -p "$sdist"
if [ ! -d "$sdist/cython-$version/Demos/benchmarks" ]; then
  python3 -m pip download --quiet --no-deps --no-binary :all: "cython==$version" -d "$sdist" || exit 1
  tar -xzf "$sdist/cython-$version.tar.gz" -C "$sdist" "cython-$version/Demos/benchmarks" || exit 1
fi
work=$(mktemp -d)
cp "$sdist/cython-$version/Demos/benchmarks/"* "$work/"
cd "$work"
for f in bm_*.py bm_*.pyx; do
  m=${f%.*}
  printf 'import %s\nprint(%s.run_benchmark(False, 1))\n' "$m" "$m" > "drive_$m.py"
  timeout 600 "$P" run --cpython --module util.py --module "$f" "drive_$m.py" > "cpy_$m.txt" 2>&1
  c=$?
  timeout 600 "$P" run --module util.py --module "$f" "drive_$m.py" > "po_$m.txt" 2>&1
  p=$?
  echo "$m cpython=$c pyopaque=$p :: $(grep -v '^\s*$' "po_$m.txt" | tail -1)"
done
rm -rf "$work"
