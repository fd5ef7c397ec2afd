#!/usr/bin/env bash
# Install the course into .venv (pinned versions) and serve it: open http://localhost:5006/app.
# Extra arguments go to `panel serve` (for a classroom: --address 0.0.0.0 --allow-websocket-origin HOST:5006).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh ""
exec .venv/bin/panel serve app.py "$@"
