#!/usr/bin/env bash
# Set up Frontlines in .venv, ingest the bundled sample corpus and start the dashboard on
# http://localhost:8501 . Needs only Python 3.11+ with pip and venv. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh ""   # no extras; the empty argument keeps run.sh's own arguments out
.venv/bin/frontlines gazetteer build            # first run only: builds the offline gazetteer (~30 s)
set +e
.venv/bin/frontlines ingest --sample "$@"       # re-running stores nothing twice
rc=$?
set -e
[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ] || exit "$rc"  # 3 = some inputs skipped (listed above)
exec .venv/bin/frontlines dashboard
