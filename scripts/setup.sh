#!/usr/bin/env bash
# Everything the test suite needs on a fresh Debian 12 machine beyond the staging servers
# (staging/up.sh installs those): Debian packages for the terminal, browser and keyring tests,
# and the npm dependencies. Idempotent; quick when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

# tmux: drives the interactive CLI in a real pseudo-terminal.
# chromium: the web UI's end-to-end tests (playwright-core drives Debian's build; no browser download).
# gnome-keyring, dbus, libsecret-tools: a real Secret Service for the keyring tests.
# zsh, fish: the shells `calshare completion zsh|fish` writes for (their scripts are checked by them).
PACKAGES=(tmux chromium gnome-keyring dbus dbus-x11 libsecret-tools openssl curl zsh fish)
# python3: the Radicale rights-file unit test reads calshare's sections with Python's configparser and re.
PACKAGES+=(python3)
# python3-caldav: issue 18's tests end in a CalDAV client no part of calshare wrote (run with /usr/bin/python3).
PACKAGES+=(python3-caldav)

missing=()
for p in "${PACKAGES[@]}"; do
  [[ $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true) == installed ]] || missing+=("$p")
done
if ((${#missing[@]})); then
  [[ $(id -u) -eq 0 ]] || { echo "setup: need root to install: ${missing[*]}" >&2; exit 1; }
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

[[ -d node_modules ]] || npm ci --no-audit --no-fund
