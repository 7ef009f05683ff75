#!/usr/bin/env bash
# Workbench's single entry point: setup, build, test, quickstart, bench, notebook, workbench ARGS.
# Every command installs or builds what it needs first and skips what is already there.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CALLER_DIR="$PWD"   # `workbench` runs there, so relative paths in its arguments mean what the caller meant
cd "$ROOT"

# Debian's python3 (with python3-torch, jupyter, nbclient); the `python3` on PATH may be a different one.
PY=/usr/bin/python3
CONFIG=Release
CLI_DLL="$ROOT/src/Workbench.Cli/bin/$CONFIG/net10.0/workbench-cli.dll"
KERNEL_DLL="$ROOT/src/Workbench.Kernel/bin/$CONFIG/net10.0/workbench-kernel.dll"
# Touched after every successful build: sources newer than it mean the CLI must be rebuilt (the CLI's own dll is not
# rewritten when only a library it references changed, so its date cannot tell).
BUILD_STAMP="$ROOT/build/.built"
APT_PACKAGES=(
  cmake g++ pkg-config
  iproute2   # ip netns: the two-node training test builds two network namespaces
  libtorch-dev libopencv-dev libopenblas0-pthread libgloo-dev   # libgloo-dev: Gloo's headers for torch.distributed; libtorch without OpenBLAS runs matmul on reference BLAS (~5 vs ~180 GFLOP/s)
  python3-torch python3-numpy python3-pil python3-skimage python3-sklearn opencv-doc
  libzmq5 jupyter-notebook python3-nbclient python3-nbconvert jupyter-nbconvert python3-jupyter-client python3-jupyter-kernel-test
  chromium   # headless: Plotly figures to PNG, and the test that checks a rendered figure's SVG
  ffmpeg     # video commands: copies the source's audio track into the output (OpenCV writes pictures only)
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
  # plotly.js, inlined into figure HTML (nothing loads from a CDN), onnxruntime-node (the ONNX export test),
  # onnxruntime-web (copied into `workbench export web` folders) and playwright-core (the web page's browser test);
  # versions pinned by tools/npm/package-lock.json. --ignore-scripts: onnxruntime-node's install script downloads
  # CUDA binaries, while its npm package already holds the CPU ones.
  if [ ! -f tools/npm/node_modules/plotly.js-dist-min/plotly.min.js ] || [ ! -d tools/npm/node_modules/onnxruntime-node ] ||
     [ ! -d tools/npm/node_modules/onnxruntime-web/dist ] || [ ! -d tools/npm/node_modules/playwright-core ]; then
    command -v npm >/dev/null || { echo "error: npm is required (Node.js) to install tools/npm" >&2; exit 1; }
    log "installing npm packages into tools/npm (plotly.js-dist-min, onnxruntime-node, onnxruntime-web, playwright-core)"
    npm ci --prefix tools/npm --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
  fi
}

# One native library, its own CMake project: configured once, rebuilt when its sources change, checked to exist.
build_cmake_library() {
  local what="$1" source="$2" dir="$3" library="$4"
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    log "configuring $what"
    cmake -S "$source" -B "$dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  cmake --build "$dir" -j"$(nproc)" 2>&1 | grep -vE "^\[|^gmake|Consolidate compiler" || true
  test -f "$dir/$library" || { echo "error: the build of $what failed ($dir/$library is missing)" >&2; exit 1; }
}

# Three libraries that share nothing: the torch shim (libtorch), imaging (OpenCV: image IO, resizing, filtering,
# text) and video (OpenCV videoio + optical flow); only the first links libtorch.
build_native() {
  build_cmake_library "the native shim (libtorch)" src/Workbench.Native build/native libworkbench_native.so
  build_cmake_library "the imaging library (OpenCV)" src/Workbench.Imaging.Native build/imaging libworkbench_imaging.so
  build_cmake_library "the video library (OpenCV videoio + optical flow)" src/Workbench.Video.Native build/video libworkbench_video.so
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
  touch "$BUILD_STAMP"
}

# True (0) when the CLI has never been built or a source, project or native file is newer than the last build.
# A find over src/ with bin/ and obj/ pruned: ~10 ms, against ~10 s for an incremental `dotnet build` that finds nothing.
cli_is_stale() {
  [ -f "$CLI_DLL" ] && [ -f "$BUILD_STAMP" ] || return 0
  [ -n "$(find "$ROOT/src" "$ROOT/Directory.Build.props" "$ROOT/Workbench.sln" \( -name bin -o -name obj \) -prune -o \
      -newer "$BUILD_STAMP" -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.sln' -o -name '*.cpp' -o -name '*.h' -o -name CMakeLists.txt -o -name '*.proto' \) \
      -print -quit 2>/dev/null)" ]
}

# ./run.sh install [DIR]: a `workbench` launcher in DIR (default /usr/local/bin when writable, else ~/.local/bin) that
# runs the built CLI directly and builds first only when cli_is_stale says so.
install_launcher() {
  local dir="${1:-}"
  if [ -z "$dir" ]; then
    if [ -w /usr/local/bin ]; then dir=/usr/local/bin; else dir="$HOME/.local/bin"; fi
  fi
  mkdir -p "$dir"
  local target="$dir/workbench"
  cat > "$target.tmp.$$" <<LAUNCHER
#!/usr/bin/env bash
# Written by $ROOT/run.sh install: Workbench's CLI from that checkout, rebuilt only when its sources changed.
exec "$ROOT/run.sh" workbench "\$@"
LAUNCHER
  chmod +x "$target.tmp.$$"
  mv -f "$target.tmp.$$" "$target"
  log "installed $target (runs $ROOT's CLI; rebuilds only when sources are newer than the last build)"
  case ":$PATH:" in
    *":$dir:"*) ;;
    *) echo "note: $dir is not on PATH; add it, e.g. export PATH=\"$dir:\$PATH\"" >&2 ;;
  esac
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
  install) setup; build; install_launcher "$@" ;;
  workbench)
    if cli_is_stale; then echo "workbench: sources changed since the last build; building first" >&2; QUIET=1; setup; build >/dev/null; fi
    cd "$CALLER_DIR"
    exec dotnet "$CLI_DLL" "$@" ;;
  help|-h|--help)
    cat <<'USAGE'
usage: ./run.sh COMMAND [ARGS]
  setup        install Debian packages Workbench needs (skips what is installed)
  build        setup + build the native shim and the .NET solution (incremental)
  test         setup + build + run every test
  quickstart   setup + build + train, upscale, colorize and write runs/quickstart/report.html
  bench        setup + build + run the benchmarks against PyTorch, print ratios
  notebook     setup + build + start Jupyter with the Workbench C# kernel
  install      setup + build + put a `workbench` command on PATH ([DIR], default /usr/local/bin or ~/.local/bin)
               that starts in well under a second and rebuilds only when sources are newer than the last build
  workbench    run the workbench CLI with ARGS (builds first only when sources changed)
USAGE
    ;;
  *) echo "unknown command '$cmd' (try ./run.sh help)" >&2; exit 2 ;;
esac
