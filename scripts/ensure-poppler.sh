#!/usr/bin/env bash
# Make sure Debian's poppler-utils (pdftotext, pdftoppm) is installed for the PDF tests (tests/test_pdf.py).
# Installs it with apt-get when running as root, like scripts/ensure-chromium.sh does for chromium.
# POPPLER_BIN_DIR (default /usr/bin) and APT_GET (default apt-get) exist so a test can stub them.
set -euo pipefail

POPPLER_BIN_DIR=${POPPLER_BIN_DIR:-/usr/bin}
APT_GET=${APT_GET:-apt-get}

present() { [[ -x "$POPPLER_BIN_DIR/pdftotext" && -x "$POPPLER_BIN_DIR/pdftoppm" ]]; }

if present; then
    exit 0
fi
if [[ "$(id -u)" -eq 0 ]] && command -v "$APT_GET" >/dev/null 2>&1; then
    echo "ensure-poppler: installing poppler-utils with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    "$APT_GET" update -qq
    "$APT_GET" install -y -qq --no-install-recommends poppler-utils >/dev/null
    present || { echo "ensure-poppler: apt-get ran but pdftotext/pdftoppm are still missing in $POPPLER_BIN_DIR" >&2; exit 1; }
    exit 0
fi
echo "ensure-poppler: pdftotext/pdftoppm are missing in $POPPLER_BIN_DIR and cannot be installed here" \
     "(not root or no apt-get); install them (sudo apt-get install poppler-utils)" >&2
exit 1
