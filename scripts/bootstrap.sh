#!/usr/bin/env bash
# Creates the virtual environment with Python >= 3.11 and installs requirements.txt (and, with --dev,
# requirements-dev.txt) when they changed.
# On Debian/Ubuntu as root, installs Debian's python3 and python3-venv when they are missing.
set -euo pipefail
VENV=${VENV:-.venv}

find_python() {
  local c
  for c in python3.11 python3.12 python3.13 python3; do
    if command -v "$c" >/dev/null 2>&1 \
       && "$c" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$c"; return 0
    fi
  done
  return 1
}

# apt-get, non-interactive, in the C.UTF-8 locale that always exists (an ssh login may forward one this
# machine never generated), waiting for the dpkg lock that a freshly booted machine's
# unattended-upgrades may hold for a while.
apt_get() {
  LANG=C.UTF-8 LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"
}

if [ ! -x "$VENV/bin/python" ]; then
  if ! PY=$(find_python); then
    if [ -f /etc/debian_version ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "==> installing Debian's python3 and python3-venv"
      apt_get update -qq
      apt_get install -y -qq --no-install-recommends python3 python3-venv python3-dev ca-certificates >/dev/null
      PY=$(find_python) || { echo "Python >= 3.11 with venv is required; Debian's python3 is older." >&2; exit 1; }
    else
      echo "Python >= 3.11 with the venv module is required. Install it (e.g. apt install python3 python3-venv) and retry." >&2
      exit 1
    fi
  fi
  echo "==> creating $VENV with $($PY --version)"
  "$PY" -m venv "$VENV"
fi

# requirements.txt: what the service runs with; requirements-dev.txt (`--dev`, for make test/lint/bench): the tests
# and tools. Both pin every version with hashes (`make lock` recompiles them from the .in files).
files=(requirements.txt)
if [ "${1:-}" = "--dev" ]; then files+=(requirements-dev.txt); fi
stamp="$VENV/.requirements.sha256"
want=$(cat "${files[@]}" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> installing ${files[*]} into $VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  args=()
  for file in "${files[@]}"; do args+=(-r "$file"); done
  "$VENV/bin/python" -m pip install -q --require-hashes "${args[@]}"
  echo "$want" > "$stamp"
fi
