#!/bin/sh
# Headless Chromium for the browser tests (Playwright drives the Debian package; it cannot download
# its own browsers here). Idempotent: does nothing when /usr/bin/chromium is already installed.
set -eu
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
