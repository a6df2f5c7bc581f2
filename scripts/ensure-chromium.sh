#!/usr/bin/env bash
# CI only: make sure Debian's chromium and chromedriver are installed, so that the browser
# tests of the step-through player run instead of being skipped. `make test` alone skips
# them (with the reason) on a machine without a browser.
set -euo pipefail

[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && exit 0

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "chromium / chromedriver not found: installing them with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver >/dev/null
    [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && exit 0
fi

echo "error: CI runs the player's browser tests and needs Debian's chromium and" \
     "chromium-driver. Install them with:  sudo apt-get install chromium chromium-driver" >&2
exit 1
