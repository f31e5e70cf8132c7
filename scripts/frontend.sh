#!/usr/bin/env bash
# Installs what the /map page and the app at / need, from package registries only, and (with --browser) what
# their tests need:
#   - MapLibre GL JS from npm, pinned by frontend/package-lock.json (`npm ci`), copied into
#     urbanpulse/mapview/static/vendor/ (not committed); Node.js and npm from Debian when they are missing;
#   - Workbox (the app's service worker) and idb (its IndexedDB store), copied into urbanpulse/app/static/vendor/;
#     axe-core (accessibility checks of the tests) stays in frontend/node_modules;
#   - --browser: Debian's chromium, driven by Playwright (tests/mapview) for a headless screenshot of /map.
# On Debian/Ubuntu as root it installs missing system packages with apt; elsewhere it says what to install.
# Idempotent and quick once done (a stamp records the installed lockfile); concurrent runs wait for each other.
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_BROWSER=0
for arg in "$@"; do
  case "$arg" in
    --browser) WITH_BROWSER=1 ;;
    *) echo "usage: $0 [--browser]" >&2; exit 2 ;;
  esac
done

VENDOR=urbanpulse/mapview/static/vendor
APP_VENDOR=urbanpulse/app/static/vendor
WORKBOX_MODULES=(core routing strategies precaching expiration)
DIST=frontend/node_modules/maplibre-gl/dist
FILES=(maplibre-gl.mjs maplibre-gl-worker.mjs maplibre-gl-shared.mjs maplibre-gl.css)

mkdir -p frontend
exec 9>frontend/.install.lock
flock 9

apt_updated=0
apt_install() {
  if [ -f /etc/debian_version ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    if [ "$apt_updated" = 0 ]; then apt-get update -qq; apt_updated=1; fi
    echo "==> installing Debian packages: $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else
    echo "Missing: $*. Install them (e.g. apt install $*) and retry." >&2
    exit 1
  fi
}

want=$(sha256sum frontend/package-lock.json | cut -d' ' -f1)
if [ "$(cat "$VENDOR/.stamp" 2>/dev/null)" != "$want" ] || ! [ -f "$VENDOR/${FILES[0]}" ] || ! [ -f "$APP_VENDOR/idb.js" ]; then
  command -v npm >/dev/null || apt_install nodejs npm
  echo "==> installing MapLibre GL JS (npm ci in frontend/)"
  (cd frontend && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  mkdir -p "$VENDOR"
  for file in "${FILES[@]}"; do cp "$DIST/$file" "$VENDOR/$file"; done
  cp frontend/node_modules/maplibre-gl/LICENSE.txt "$VENDOR/MAPLIBRE-LICENSE.txt"
  rm -rf "$APP_VENDOR" && mkdir -p "$APP_VENDOR/workbox"
  cp frontend/node_modules/workbox-sw/build/workbox-sw.js "$APP_VENDOR/workbox/"
  for module in "${WORKBOX_MODULES[@]}"; do
    cp "frontend/node_modules/workbox-$module/build/workbox-$module.prod.js" "$APP_VENDOR/workbox/"
  done
  cp frontend/node_modules/workbox-sw/LICENSE "$APP_VENDOR/workbox/LICENSE" 2>/dev/null || true
  cp frontend/node_modules/idb/build/index.js "$APP_VENDOR/idb.js"
  cp frontend/node_modules/idb/LICENSE "$APP_VENDOR/IDB-LICENSE" 2>/dev/null || true
  echo "$want" > "$VENDOR/.stamp"
fi

if [ "$WITH_BROWSER" = 1 ] && ! [ -x /usr/bin/chromium ]; then
  apt_install chromium fonts-dejavu-core
fi
