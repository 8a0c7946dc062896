#!/usr/bin/env bash
# Runs every test: typecheck, lint, then unit, integration and end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
M3C_SETUP_BROWSER=1 M3C_SETUP_TRAINING=1 bash scripts/setup.sh
npx tsc -p tsconfig.json --noEmit
npx tsc -p tsconfig.renderer.json --noEmit
npx eslint . --max-warnings 0
# Build the studio once up front: the packaging and end-to-end tests use this build.
node scripts/build-electron.mjs >/dev/null
(cd training && /usr/bin/python3 -m unittest test_training test_restore)
npx vitest run "$@"
