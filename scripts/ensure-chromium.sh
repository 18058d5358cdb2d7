#!/usr/bin/env bash
# Make sure Debian's chromium is installed for the browser tests (Playwright drives it via executable_path,
# so no browser download from the web is needed). Installs it with apt-get when running as root.
# CHROMIUM_BIN (default /usr/bin/chromium) and APT_GET (default apt-get) exist so a test can stub them.
set -euo pipefail

CHROMIUM_BIN=${CHROMIUM_BIN:-/usr/bin/chromium}
APT_GET=${APT_GET:-apt-get}

if [[ -n "${LMP_CHROMIUM:-}" ]]; then
    [[ -x "$LMP_CHROMIUM" ]] || { echo "ensure-chromium: LMP_CHROMIUM=$LMP_CHROMIUM is not executable" >&2; exit 1; }
    exit 0
fi
if [[ -x "$CHROMIUM_BIN" ]]; then
    exit 0
fi
if [[ "$(id -u)" -eq 0 ]] && command -v "$APT_GET" >/dev/null 2>&1; then
    echo "ensure-chromium: installing chromium with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    "$APT_GET" update -qq
    "$APT_GET" install -y -qq --no-install-recommends chromium >/dev/null
    [[ -x "$CHROMIUM_BIN" ]] || { echo "ensure-chromium: apt-get ran but $CHROMIUM_BIN is still missing" >&2; exit 1; }
    exit 0
fi
echo "ensure-chromium: $CHROMIUM_BIN is missing and cannot be installed here (not root or no apt-get);" \
     "install it (sudo apt-get install chromium) or set LMP_CHROMIUM=/path/to/chromium" >&2
exit 1
