#!/usr/bin/env bash
# Install everything the test suite needs, then run all of it: lint, core, widgets, browser, and
# the classroom recipe behind HAProxy. Debian's Chromium drives the browser tests; torch (CPU
# build) is the reference for parity. Everything Python goes into .venv, with the pinned
# versions of constraints.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/apt-need.sh
apt_need chromium chromium
apt_need haproxy haproxy
source scripts/venv.sh "[test]"
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
