#!/usr/bin/env bash
# Make sure a Chromium the map's browser test can drive is installed: CHROMIUM_PATH when set,
# else Debian's `chromium` package at /usr/bin/chromium (installed when missing).
# Installing the package needs root (or sudo) and a Debian/Ubuntu host.
set -euo pipefail

CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"

SCRIPT_NAME=ensure-chromium
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ ! -x "$CHROMIUM_PATH" ]]; then
  [[ "$CHROMIUM_PATH" == /usr/bin/chromium ]] || die "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable"
  command -v apt-get >/dev/null 2>&1 || die "chromium not installed and apt-get not available"
  log "installing Debian's chromium (for the map's browser test)"
  start=$(date +%s)
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  log "installed in $(( $(date +%s) - start )) s"
fi
log "ok: $("$CHROMIUM_PATH" --version 2>/dev/null | head -n 1)"
