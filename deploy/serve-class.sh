#!/usr/bin/env bash
# Serve the course to a class: N processes behind HAProxy on one address, one command.
#   bash deploy/serve-class.sh --procs 2 --host classroom.example.org --port 8080
# Installs haproxy with apt when it is missing, and the course into .venv (pinned versions).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/apt-need.sh
apt_need haproxy haproxy
source scripts/venv.sh ""
exec .venv/bin/python -m deploy.classroom "$@"
