#!/usr/bin/env bash
# The whole test suite: the README's test command and what .ci/run calls.
# Fails on the first broken step, and pytest fails the run on any skipped test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/ensure_services.sh
echo "== system packages"
# tests/web drive Debian's Chromium at /usr/bin/chromium, with a CJK font so
# that screenshots are legible; nothing downloads a browser at run time.
# tests/voice make Korean speech with espeak-ng for the Korean Vosk model.
system_packages=(chromium fonts-wqy-microhei espeak-ng)
install_packages() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${system_packages[@]}"
}
if ! dpkg -s "${system_packages[@]}" >/dev/null 2>&1 || [ ! -x /usr/bin/chromium ]; then
  install_packages || { apt-get update && install_packages; } || {
    echo "ERROR: could not install Debian's ${system_packages[*]} (needs root and apt);" >&2
    echo "       tests/web need /usr/bin/chromium and tests/voice need espeak-ng." >&2
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
