#!/usr/bin/env bash
# Make the browser test's system pieces present: Debian's Chromium and CJK fonts (so Korean and
# Japanese names render). Playwright itself comes from requirements.lock; never run
# `playwright install` (it downloads its own browsers, which this setup does not use).
# Idempotent and quick when everything is already installed; skipped with SKIP_BROWSER=1.
set -euo pipefail
if [ "${SKIP_BROWSER:-0}" = "1" ]; then
    echo "ensure-browser: skipped (SKIP_BROWSER=1)"; exit 0
fi
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-browser: apt-get not found; install ${missing[*]} yourself (browser tests will skip)" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
echo "ensure-browser: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
