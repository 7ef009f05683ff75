#!/usr/bin/env bash
# Times the exported web page (headless chromium, WASM backend, 1 and 2 threads) against the CLI on the same
# 512×512 photos, with float32 and float16 weights, and prints the page's download size and the fp16-vs-fp32 PSNR.
# Numbers for docs/web.md; run after ./run.sh build:   tools/web/benchmark.sh [REPEATS]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
REPEATS="${1:-3}"
CLI=(dotnet "$ROOT/src/Workbench.Cli/bin/Release/net10.0/workbench-cli.dll")
WORK="$(mktemp -d /tmp/wb-web-bench.XXXXXX)"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
COLOR="$ROOT/test_images/astronaut.jpg"   # 512×512 colour (colorize sees its luminance)
echo "CPU: $(lscpu | sed -n 's/^Model name:\s*//p'), $(nproc) cores; load: $(uptime | sed 's/.*load average: //')"

serve() { # serve NAME [export options] → prints the URL
  local log="$WORK/$1.log"
  "${CLI[@]}" export web "$WORK/$1" --serve --port 0 "${@:2}" > "$log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 600); do grep -q '^serving ' "$log" && break; sleep 0.2; done
  grep -o 'http://[^ ]*' "$log" | head -1
  grep -E '^\S.*files, .* MB' "$log" >&2
}

page() { # page URL THREADS TASK LABEL → JSON report
  local photos; photos=$(python3 -c "import json,sys; print(json.dumps([sys.argv[1]]*int(sys.argv[2])))" "$COLOR" "$REPEATS")
  mkdir -p "$WORK/dl"
  cat > "$WORK/$4.json" <<JSON
{"url":"$1","chromium":"/usr/bin/chromium","downloads":"$WORK/dl","runs":[{"label":"$4","task":"$3","renderSize":256,"threads":$2,"photos":$photos}]}
JSON
  node "$ROOT/tests/web/web_page_test.mjs" "$WORK/$4.json"
}

median_ms() { python3 -c "import json,sys,statistics; r=json.load(sys.stdin)['runs'][0]; print(r['status']); print('median %.2f s over %d' % (statistics.median(p['ms'] for p in r['photos'])/1000, len(r['photos'])))"; }

for variant in fp32 fp16; do
  url=$(serve "$variant" $([ "$variant" = fp16 ] && echo --fp16))
  du -sb "$WORK/$variant" | awk -v v="$variant" '{printf "%s page download: %.1f MB\n", v, $1/1e6}'
  for threads in 1 2; do
    for task in colorize upscale; do
      echo "page $variant $task, $threads thread(s): $(page "$url" "$threads" "$task" "$variant-$task-$threads" | median_ms | tr '\n' ' ')"
    done
  done
done
/usr/bin/python3 - "$WORK/dl" <<'PY'
import sys, numpy as np
from PIL import Image
d = sys.argv[1]
for task, suffix in [('colorize', 'colorized'), ('upscale', 'x2')]:
    a = np.asarray(Image.open(f'{d}/fp32-{task}-1-astronaut-{suffix}.png').convert('RGB'), float)
    b = np.asarray(Image.open(f'{d}/fp16-{task}-1-astronaut-{suffix}.png').convert('RGB'), float)
    mse = ((a - b) ** 2).mean()
    print(f'fp16 vs fp32 page {task}: PSNR {10 * np.log10(255 ** 2 / mse) if mse else float("inf"):.2f} dB, max diff {np.abs(a - b).max():.0f} levels')
PY
for threads in 1 2; do
  for task in colorize upscale; do
    times=()
    for i in $(seq "$REPEATS"); do
      line=$("${CLI[@]}" "$task" "$COLOR" "$WORK/cli-$task.png" --overwrite --threads "$threads" | tail -1)
      times+=("$(echo "$line" | sed -E 's/.*[ (]([0-9.]+) s\)?$/\1/')")   # "(2.3 s)" or ", 4.5 s" at the end
    done
    echo "CLI $task, $threads thread(s): ${times[*]} s"
  done
done
echo "load after: $(uptime | sed 's/.*load average: //')"
