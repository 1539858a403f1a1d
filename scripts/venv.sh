# Sourced by run.sh and test.sh: make .venv (Python 3.11+ with pip and venv) and install Frontlines
# into it with the extras given as "$1" (e.g. "[test]"). Safe to run again.
PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  for c in python3.11 python3 python; do command -v "$c" >/dev/null 2>&1 && { PY="$c"; break; }; done
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".${1:-}"
