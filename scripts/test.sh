#!/usr/bin/env bash
# The whole test suite: the README's test command and what .ci/run calls.
# Fails on the first broken step, and pytest fails the run on any skipped test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/ensure_services.sh
echo "== lint"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== model"
.venv/bin/python -m scripts.train
echo "== tests"
exec .venv/bin/python -m pytest "$@"
