#!/usr/bin/env bash
# Set up Frontlines with its test extras in .venv and run the whole test suite.
# As root on Debian it also installs Chromium for the real-browser test.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh '[test]'
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "could not install chromium: the browser test will be skipped" >&2
fi
.venv/bin/frontlines gazetteer build
exec .venv/bin/python -m pytest "$@"
