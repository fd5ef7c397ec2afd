# Sourced by serve.sh and test.sh: make .venv (once) and install the project into it with the
# pinned versions of constraints.txt. Debian and Ubuntu refuse `pip install` into the system
# Python, so everything lives in the project's own virtual environment.
# Usage: source scripts/venv.sh "EXTRAS"   (e.g. "" or "[test]")
set -euo pipefail
if [ ! -x .venv/bin/python ]; then
    if ! python3 -m venv .venv 2>/dev/null; then
        rm -rf .venv
        source scripts/apt-need.sh
        apt_install python3-venv
        python3 -m venv .venv
    fi
fi
.venv/bin/python -m pip install -q -c constraints.txt -e ".$1"
