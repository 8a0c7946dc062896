#!/usr/bin/env bash
# The main job: the studio. The desktop app where an Electron binary can start, the web studio
# (a URL with a one-time token on 127.0.0.1) otherwise. Extra arguments go to `m3c studio`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "start: building the studio (renderer, main and preload bundles)" >&2
node scripts/build-electron.mjs >/dev/null
allow=(--allow "$PWD")
[ -d ../shared/media ] && allow+=(--allow "$(cd ../shared/media && pwd)")
exec node bin/m3c.js studio "${allow[@]}" "$@"
