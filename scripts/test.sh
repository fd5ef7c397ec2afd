#!/usr/bin/env bash
# Install everything the test suite needs, then run all of it: lint, core, widgets, browser.
# Debian's Chromium drives the browser tests; torch (CPU build) is the reference for parity.
# Everything Python goes into .venv, with the pinned versions of constraints.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
source scripts/venv.sh "[test]"
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
