#!/usr/bin/env bash
# The test command: install what is needed, lint, then run every test suite.
# Extra arguments go to pytest (e.g. misc/run-tests.sh -m "not lab" -x).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$repo/misc/install.sh"
venv=${OSC_SCOPE_VENV:-$repo/.venv}
cd "$repo"
echo "== lint"
"$venv/bin/ruff" check osc_scope tests bench playbooks
"$venv/bin/ruff" format --check osc_scope tests bench playbooks
echo "== tests"
exec "$venv/bin/python" -m pytest -p no:cacheprovider "$@"
