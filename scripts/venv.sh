# Sourced by serve.sh and test.sh: make .venv (once) and install the project into it with the
# pinned versions of constraints.txt. Debian and Ubuntu refuse `pip install` into the system
# Python, so everything lives in the project's own virtual environment.
# Usage: source scripts/venv.sh "EXTRAS"   (e.g. "" or "[test]")
set -euo pipefail
if [ ! -x .venv/bin/python ]; then
    if ! python3 -m venv .venv 2>/dev/null; then
        rm -rf .venv
        sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
        python3 -m venv .venv
    fi
fi
.venv/bin/python -m pip install -q -c constraints.txt -e ".$1"
