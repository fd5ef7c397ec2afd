#!/usr/bin/env bash
# Install the course into .venv (pinned versions) and serve it: open http://localhost:5006/app.
# The server's options are in deploy/panel-serve.args; extra arguments go to `panel serve`. It
# listens on this machine only and accepts websockets only from localhost:5006 unless told
# otherwise (a page from another machine would load without its websocket, and do nothing): for a
# classroom on one machine, add --address 0.0.0.0 --allow-websocket-origin HOST:5006 (HOST: the
# name students type).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh ""
mapfile -t options < <(grep -v -e '^#' -e '^$' deploy/panel-serve.args)
exec .venv/bin/panel serve app.py --address 127.0.0.1 "${options[@]}" "$@"
