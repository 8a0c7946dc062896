#!/usr/bin/env bash
# Installs what the project needs on a fresh clone: system packages (ffmpeg, Chromium for the
# end-to-end tests) through apt when they are missing, then the npm packages with the flags that
# work without network access beyond the npm registry. Safe to run again: it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || need_apt+=(ffmpeg)
if [ "${M3C_SETUP_BROWSER:-0}" = 1 ] && ! command -v chromium >/dev/null 2>&1; then need_apt+=(chromium); fi
# The reliability and signal tests list child processes with ps (procps) and measure memory with GNU time.
if [ "${M3C_SETUP_BROWSER:-0}" = 1 ]; then
  command -v ps >/dev/null 2>&1 || need_apt+=(procps)
  [ -x /usr/bin/time ] || need_apt+=(time)
fi
# The training scripts' tests need Debian's PyTorch (CPU), ONNX and NumPy, for /usr/bin/python3.
if [ "${M3C_SETUP_TRAINING:-0}" = 1 ] && ! /usr/bin/python3 -c "import torch, onnx, numpy, PIL" >/dev/null 2>&1; then
  need_apt+=(python3-torch python3-onnx python3-numpy python3-pil)
fi

if [ ${#need_apt[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "setup: installing ${need_apt[*]} with apt-get" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "setup: missing ${need_apt[*]} and this system has no apt-get: install them with your package manager (or set M3C_FFMPEG to an ffmpeg binary)" >&2
    exit 1
  fi
fi

if ! command -v node >/dev/null 2>&1; then
  echo "setup: Node.js 20 or newer is required (https://nodejs.org or your package manager)" >&2
  exit 1
fi

# onnxruntime-node's postinstall fetches CUDA add-ons from outside the npm registry: skip it
# (the CPU execution provider ships inside the package). Electron's binary cannot be fetched here.
export ONNXRUNTIME_NODE_INSTALL=skip ELECTRON_SKIP_BINARY_DOWNLOAD=1
stamp=node_modules/.m3c-setup-stamp
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "setup: installing npm packages (the first time builds better-sqlite3 from source, ~2 min)" >&2
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

# npm links the bins of dependencies, not the project's own: link ours so `npx m3c` runs this
# checkout's command (and never looks for a package of that name in the registry).
if [ ! -e node_modules/.bin/m3c ]; then
  mkdir -p node_modules/.bin
  ln -sf ../../bin/m3c.js node_modules/.bin/m3c
fi
