#!/usr/bin/env bash
# The main job. Until the studio lands: encode and decode sample clips from ../shared/media
# with the default settings and print the figures (m3c demo).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node bin/m3c.js demo "$@"
