#!/usr/bin/env bash
# Workbench's single entry point: setup, build, test, quickstart, bench, notebook, workbench ARGS.
# Every command installs or builds what it needs first and skips what is already there.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

# Debian's python3 (with python3-torch, jupyter, nbclient); the `python3` on PATH may be a different one.
PY=/usr/bin/python3
CONFIG=Release
CLI_DLL="$ROOT/src/Workbench.Cli/bin/$CONFIG/net10.0/workbench-cli.dll"
KERNEL_DLL="$ROOT/src/Workbench.Kernel/bin/$CONFIG/net10.0/workbench-kernel.dll"
APT_PACKAGES=(
  cmake g++ pkg-config
  libtorch-dev libopencv-dev libopenblas0-pthread libgloo-dev   # libgloo-dev: Gloo's headers for torch.distributed; libtorch without OpenBLAS runs matmul on reference BLAS (~5 vs ~180 GFLOP/s)
  python3-torch python3-numpy python3-pil python3-skimage python3-sklearn opencv-doc
  libzmq5 jupyter-notebook python3-nbclient python3-nbconvert jupyter-nbconvert python3-jupyter-client python3-jupyter-kernel-test
  chromium   # headless: Plotly figures to PNG, and the test that checks a rendered figure's SVG
)

QUIET="${QUIET:-0}"
log() { [ "$QUIET" = 1 ] || printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }

setup() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    log "installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  command -v dotnet >/dev/null || { echo "error: the .NET SDK (dotnet) is required and was not found on PATH" >&2; exit 1; }
  # plotly.js, inlined into figure HTML (nothing loads from a CDN), and onnxruntime-node (the ONNX export test);
  # versions pinned by tools/npm/package-lock.json. --ignore-scripts: onnxruntime-node's install script downloads
  # CUDA binaries, while its npm package already holds the CPU ones.
  if [ ! -f tools/npm/node_modules/plotly.js-dist-min/plotly.min.js ] || [ ! -d tools/npm/node_modules/onnxruntime-node ]; then
    command -v npm >/dev/null || { echo "error: npm is required (Node.js) to install tools/npm" >&2; exit 1; }
    log "installing npm packages into tools/npm (plotly.js-dist-min, onnxruntime-node)"
    npm ci --prefix tools/npm --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
  fi
}

build_native() {
  if [ ! -f build/native/CMakeCache.txt ]; then
    log "configuring the native shim (libtorch + OpenCV)"
    cmake -S src/Workbench.Native -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  cmake --build build/native -j"$(nproc)" 2>&1 | grep -vE "^\[|^gmake|Consolidate compiler" || true
  test -f build/native/libworkbench_native.so || { echo "error: native build failed" >&2; exit 1; }
}

build() {
  build_native
  log "building the solution ($CONFIG)"
  mkdir -p build
  if ! dotnet build Workbench.sln -c "$CONFIG" -nologo -v quiet > build/dotnet-build.log 2>&1; then
    grep -E "error|warning" build/dotnet-build.log | sort -u >&2 || cat build/dotnet-build.log >&2
    echo "error: the .NET build failed (full log: build/dotnet-build.log)" >&2
    exit 1
  fi
}

run_tests() {
  log "running the test suite"
  local results="$ROOT/build/test-results"
  rm -rf "$results"
  local status=0
  dotnet test Workbench.sln -c "$CONFIG" --no-build -nologo --logger "trx" --results-directory "$results" || status=$?
  "$PY" tests/summarize_trx.py "$results" || true
  log "running the notebooks (smoke mode)"
  "$PY" tests/notebooks/run_notebooks.py || status=$?
  return $status
}

cmd="${1:-help}"
shift || true
case "$cmd" in
  setup) setup ;;
  build) setup; build ;;
  test) setup; build; run_tests ;;
  quickstart) setup; build; QUIET=1; exec dotnet "$CLI_DLL" quickstart "$@" ;;
  bench) setup; build; "$PY" bench/run_all.py "$@" ;;
  notebook)
    setup; build
    dotnet "$KERNEL_DLL" install --user
    mkdir -p notebooks
    exec "$PY" -m notebook --notebook-dir="$ROOT/notebooks" "$@" ;;
  workbench) QUIET=1; build >/dev/null; exec dotnet "$CLI_DLL" "$@" ;;
  help|-h|--help)
    cat <<'USAGE'
usage: ./run.sh COMMAND [ARGS]
  setup        install Debian packages Workbench needs (skips what is installed)
  build        setup + build the native shim and the .NET solution (incremental)
  test         setup + build + run every test
  quickstart   setup + build + train, upscale, colorize and write runs/quickstart/report.html
  bench        setup + build + run the benchmarks against PyTorch, print ratios
  notebook     setup + build + start Jupyter with the Workbench C# kernel
  workbench    run the workbench CLI with ARGS after an incremental build
USAGE
    ;;
  *) echo "unknown command '$cmd' (try ./run.sh help)" >&2; exit 2 ;;
esac
