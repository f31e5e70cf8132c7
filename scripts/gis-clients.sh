#!/usr/bin/env bash
# Installs the GIS clients the OGC API tests read it with: GDAL's command-line tools (Debian's gdal-bin:
# ogrinfo, ogr2ogr with the OAPIF driver). On Debian/Ubuntu as root it installs them with apt when missing;
# elsewhere it says what to install. Idempotent; concurrent runs wait for each other.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v ogrinfo >/dev/null && command -v ogr2ogr >/dev/null && exit 0
mkdir -p frontend
exec 9>frontend/.gis-install.lock
flock 9
command -v ogrinfo >/dev/null && command -v ogr2ogr >/dev/null && exit 0
if [ -f /etc/debian_version ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "==> installing Debian packages: gdal-bin"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gdal-bin >/dev/null
else
  echo "Missing: gdal-bin (ogrinfo, ogr2ogr). Install it (e.g. apt install gdal-bin) and retry." >&2
  exit 1
fi
