#!/usr/bin/env bash
# The browser tests drive the system's Chromium (a test tool's own browser download does not work
# on a closed network) and need CJK fonts, or Chinese renders as boxes. Installs both with apt when
# they are missing and we are root; otherwise names the command to run and stops.
set -euo pipefail

have_chromium() { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; }
# (grep reads all of fc-list's output: with -q it would stop early and pipefail would see SIGPIPE)
have_cjk_fonts() { command -v fc-list >/dev/null 2>&1 && fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null; }

if have_chromium && have_cjk_fonts; then
  exit 0
fi
PACKAGES="chromium fonts-noto-cjk fontconfig"
if [ "$(id -u)" -ne 0 ]; then
  echo "The browser tests need Chromium and CJK fonts. Install them, then run make test again:" >&2
  echo "    sudo apt-get update && sudo apt-get install -y $PACKAGES" >&2
  exit 1
fi
echo "installing $PACKAGES (apt-get) for the browser tests…" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $PACKAGES >/dev/null
have_chromium && have_cjk_fonts || { echo "Chromium or the CJK fonts are still missing" >&2; exit 1; }
