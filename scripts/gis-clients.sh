#!/usr/bin/env bash
# Installs the GIS clients the OGC API tests read it with: GDAL's command-line tools (Debian's gdal-bin:
# ogrinfo, ogr2ogr with the OAPIF driver) and QGIS's Python bindings (Debian's python3-qgis, run headless
# by the system python3). On Debian/Ubuntu as root it installs what is missing with apt; elsewhere it says
# what to install. Idempotent; concurrent runs wait for each other.
set -euo pipefail
cd "$(dirname "$0")/.."

have_all() {
  command -v ogrinfo >/dev/null && command -v ogr2ogr >/dev/null \
    && /usr/bin/python3 -c "import qgis.core" >/dev/null 2>&1
}

have_all && exit 0
mkdir -p frontend
exec 9>frontend/.gis-install.lock
flock 9
have_all && exit 0
if [ -f /etc/debian_version ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "==> installing Debian packages: gdal-bin python3-qgis"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gdal-bin python3-qgis >/dev/null
else
  echo "Missing: gdal-bin and python3-qgis. Install them (e.g. apt install gdal-bin python3-qgis) and retry." >&2
  exit 1
fi
