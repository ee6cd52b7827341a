#!/usr/bin/env bash
# The whole test suite: the README's test command and what .ci/run calls.
# Fails on the first broken step, and pytest fails the run on any skipped test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/ensure_services.sh
echo "== browser"
# tests/web drive Debian's Chromium at /usr/bin/chromium, with a CJK font so
# that screenshots are legible; nothing downloads a browser at run time.
browser_packages=(chromium fonts-wqy-microhei)
install_browser() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${browser_packages[@]}"
}
if ! dpkg -s "${browser_packages[@]}" >/dev/null 2>&1 || [ ! -x /usr/bin/chromium ]; then
  install_browser || { apt-get update && install_browser; } || {
    echo "ERROR: could not install Debian's ${browser_packages[*]} (needs root and apt);" >&2
    echo "       the browser tests in tests/web need /usr/bin/chromium." >&2
    exit 1
  }
fi
echo "== lint"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== model"
.venv/bin/python -m scripts.train
echo "== tests"
exec .venv/bin/python -m pytest "$@"
