#!/usr/bin/env bash
# Installs, from Debian's packages, what `make cluster` runs: etcd (Patroni's DCS), Patroni, pgBackRest,
# HAProxy, Redis and Redis Sentinel, PostgreSQL 15 with PostGIS, and envsubst (gettext-base).
# Only the packages that are missing are installed; nothing is installed when all are there.
# The packages' own system services are not used (start.sh runs every engine itself, under
# instance/cluster/), so where a package's install started one (etcd, redis-sentinel, haproxy on a
# machine with systemd) it is left to the machine's administrator: start.sh uses other ports.
set -euo pipefail

PACKAGES=(etcd-server etcd-client patroni pgbackrest haproxy redis-server redis-tools redis-sentinel
          postgresql-15 postgresql-15-postgis-3 postgresql-contrib gettext-base curl)

apt_get() {
  LANG=C.UTF-8 LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"
}

missing=()
for p in "${PACKAGES[@]}"; do
  if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != installed ]; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "missing Debian packages: ${missing[*]} (install them as root: apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "==> installing ${missing[*]}"
apt_get update -qq
apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
