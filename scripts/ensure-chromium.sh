#!/usr/bin/env bash
# Make sure Debian's chromium is installed for the browser tests (Playwright drives it via executable_path,
# so no browser download from the web is needed). Installs it with apt-get when running as root.
set -euo pipefail

if [[ -n "${LMP_CHROMIUM:-}" ]]; then
    [[ -x "$LMP_CHROMIUM" ]] || { echo "ensure-chromium: LMP_CHROMIUM=$LMP_CHROMIUM is not executable" >&2; exit 1; }
    exit 0
fi
if command -v chromium >/dev/null 2>&1 || [[ -x /usr/bin/chromium ]]; then
    exit 0
fi
if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-chromium: installing chromium with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium >/dev/null
    command -v chromium >/dev/null 2>&1 || { echo "ensure-chromium: apt-get ran but chromium is still missing" >&2; exit 1; }
    exit 0
fi
echo "ensure-chromium: chromium is missing and cannot be installed here (not root or no apt-get);" \
     "install it (sudo apt-get install chromium) or set LMP_CHROMIUM=/path/to/chromium" >&2
exit 1
