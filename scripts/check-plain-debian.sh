#!/usr/bin/env bash
# Checks the README's promise end to end: on a plain Debian 12 with neither PostgreSQL nor Redis, a fresh
# clone passes `make test`, then `make run` answers 200 on /readyz and /docs.
#
# How: a minimal Debian 12 (debootstrap, kept as a pristine copy in $ROOT.base) is copied afresh to $ROOT
# and entered with chroot, inside a network namespace of its own ($NS: only loopback plus a veth pair
# NATed to the host, so the host's own PostgreSQL/Redis on 127.0.0.1 are out of sight) and inside
# private mount and PID namespaces (every process the check starts, daemons included, dies with it).
# Outbound traffic from the namespace is limited to DNS (to the host's resolvers) and HTTP(S) to
# public addresses, i.e. the package registries; the host itself is unreachable from it.
#
# Usage (as root, on a Debian/Ubuntu host):
#   scripts/check-plain-debian.sh            # check this repository's committed HEAD (a git clone)
#   scripts/check-plain-debian.sh --worktree # check the working tree as it is (tracked + new files)
#   scripts/check-plain-debian.sh --overlay Makefile scripts/bootstrap.sh
#                                            # a clone of HEAD with these files as in the working tree
#   scripts/check-plain-debian.sh --cleanup  # only undo what an interrupted run left
# Environment: UPB_CHECK_ROOT (default /var/tmp/deb12), UPB_CHECK_LANG (LANG inside, default C.UTF-8;
# try en_US.UTF-8 to act like an ssh login from a laptop), UPB_CHECK_INIT (sysv, the default: packages
# start their services on install, as systemd does on a real machine; none: nothing starts by itself,
# as in a container), UPB_CHECK_REUSE=1 (keep $ROOT and its project as the last run left them instead of
# a fresh copy: a second run on an already provisioned machine whose services are down, as after a
# reboot).
# Safe to rerun: every run starts by undoing what an earlier run may have left, and undoes its own
# work on exit (netns, veth, iptables rules, ip_forward, processes); $ROOT and $ROOT.base stay on disk.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
ROOT=${UPB_CHECK_ROOT:-/var/tmp/deb12}
BASE="$ROOT.base"
NS=upb-deb12
VETH_HOST=upb-deb12-h
VETH_NS=upb-deb12-n
HOST_IP=10.213.77.1
NS_IP=10.213.77.2
SUBNET=10.213.77.0/30
CHAIN=UPB-DEB12
IPFWD_SAVE=/run/upb-deb12.ip_forward
TABLES_SAVE=/run/upb-deb12.nft-tables
INNER_LANG=${UPB_CHECK_LANG:-C.UTF-8}
INIT_MODE=${UPB_CHECK_INIT:-sysv}
SUITE=bookworm
PRIVATE_NETS=10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,169.254.0.0/16,100.64.0.0/10

say() { echo "### $*" >&2; }
die() { echo "check-plain-debian: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------- checks

preflight() {
  # Refuse to run where the check could do harm or cannot work.
  [ "$(id -u)" = 0 ] || die "run as root (debootstrap, chroot, ip netns, iptables)"
  case "$ROOT" in /|/usr*|/etc*|/home|/root|/var|/var/tmp|"") die "refusing UPB_CHECK_ROOT=$ROOT" ;; esac
  local missing=()
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v iptables >/dev/null || missing+=(iptables)
  command -v ip >/dev/null || missing+=(iproute2)
  command -v unshare >/dev/null || missing+=(util-linux)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing on the host: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

ns_exists() {
  ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$NS"
}

mounted_under() {
  # Prints the mount points at or below $1 in this mount namespace (deepest first).
  findmnt -rn -o TARGET | awk -v p="$1" '$0 == p || index($0, p "/") == 1' | sort -r
}

# ---------------------------------------------------------------------------------------------- cleanup

kill_chroot_processes() {
  # Ends every process in the netns or rooted in $ROOT: TERM, then KILL after 10 s.
  local sig pids pid root
  for sig in TERM KILL; do
    pids=""
    if ns_exists; then pids=$(ip netns pids "$NS" 2>/dev/null || true); fi
    for pid in /proc/[0-9]*; do
      pid=${pid#/proc/}
      root=$(readlink "/proc/$pid/root" 2>/dev/null || true)
      case "$root" in "$ROOT"|"$ROOT"/*) pids="$pids $pid" ;; esac
    done
    pids=$(echo "$pids" | tr ' ' '\n' | grep -E '^[0-9]+$' | sort -u | tr '\n' ' ' || true)
    [ -n "${pids// /}" ] || return 0
    say "sending SIG$sig to processes left by the check: $pids"
    # shellcheck disable=SC2086
    kill -s "$sig" $pids 2>/dev/null || true
    for _ in $(seq 20); do
      local alive=""
      for pid in $pids; do [ -d "/proc/$pid" ] && alive=1; done
      [ -z "$alive" ] && return 0
      sleep 0.5
    done
  done
}

remove_firewall() {
  # Deletes exactly the rules and the chain that setup_network added.
  while iptables -t nat -C POSTROUTING -s "$SUBNET" ! -o "$VETH_HOST" -j MASQUERADE 2>/dev/null; do
    iptables -t nat -D POSTROUTING -s "$SUBNET" ! -o "$VETH_HOST" -j MASQUERADE
  done
  while iptables -C FORWARD -i "$VETH_HOST" -j "$CHAIN" 2>/dev/null; do
    iptables -D FORWARD -i "$VETH_HOST" -j "$CHAIN"
  done
  while iptables -C FORWARD -o "$VETH_HOST" -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT 2>/dev/null; do
    iptables -D FORWARD -o "$VETH_HOST" -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
  done
  while iptables -C INPUT -i "$VETH_HOST" -j DROP 2>/dev/null; do
    iptables -D INPUT -i "$VETH_HOST" -j DROP
  done
  if iptables -L "$CHAIN" -n >/dev/null 2>&1; then
    iptables -F "$CHAIN"
    iptables -X "$CHAIN"
  fi
  remove_new_empty_tables
}

remove_new_empty_tables() {
  # iptables-nft creates the `ip filter` / `ip nat` tables on first use: drop those that did not exist
  # before setup_network and hold no rule now, so the host's ruleset ends as it began.
  [ -f "$TABLES_SAVE" ] || return 0
  local t
  if command -v nft >/dev/null; then
    for t in filter nat; do
      grep -qx "$t" "$TABLES_SAVE" && continue
      nft list table ip "$t" >/dev/null 2>&1 || continue
      nft list table ip "$t" | grep -qvE '^\s*(table |chain |type |\}|$)' && continue
      nft delete table ip "$t"
    done
  fi
  rm -f "$TABLES_SAVE"
}

cleanup() {
  # Undoes everything a run (this one or an interrupted earlier one) set up. Idempotent.
  kill_chroot_processes
  local m
  for m in $(mounted_under "$ROOT"); do umount -l "$m" 2>/dev/null || true; done
  ip link del "$VETH_HOST" 2>/dev/null || true
  if ns_exists; then ip netns del "$NS"; fi
  command -v iptables >/dev/null && remove_firewall
  if [ -f "$IPFWD_SAVE" ]; then
    sysctl -qw net.ipv4.ip_forward="$(cat "$IPFWD_SAVE")"
    rm -f "$IPFWD_SAVE"
  fi
}

# ---------------------------------------------------------------------------------------------- root fs

host_mirror() {
  # The Debian mirror the host's apt uses (deb822 or one-line format), else deb.debian.org.
  local uri
  uri=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -E '/debian/?$' \
        | head -1 || true)
  [ -n "$uri" ] || uri=$(grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
                         | awk '{print $2}' | grep -E '/debian/?$' | head -1 || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

build_base() {
  # Creates the pristine minimal Debian 12 in $BASE once: minbase + make, git, ca-certificates, curl.
  [ -f "$BASE/.upb-base-ready" ] && return 0
  local mirror
  mirror=$(host_mirror)
  say "debootstrap $SUITE (minbase) from $mirror into $BASE"
  [ -z "$(mounted_under "$BASE")" ] || die "something is mounted under $BASE"
  rm -rf "$BASE"
  debootstrap --variant=minbase --include=make,git,ca-certificates,curl "$SUITE" "$BASE" "$mirror" \
    > /var/tmp/upb-debootstrap.log 2>&1 || die "debootstrap failed, see /var/tmp/upb-debootstrap.log"
  configure_base "$mirror"
  touch "$BASE/.upb-base-ready"
}

configure_base() {
  # What a real machine has and debootstrap leaves out, plus the host's network trust (see below).
  local mirror=$1 security=${1%/debian}/debian-security
  rm -f "$BASE/etc/apt/sources.list"
  cat > "$BASE/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  echo upb-deb12 > "$BASE/etc/hostname"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\tupb-deb12\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
    > "$BASE/etc/hosts"
  # Environment, not project: the host reaches the registries through a TLS-inspecting gateway, so the
  # host's extra CAs, its pip `cert` setting (pip.conf without the host's local wheel caches) and its
  # apt date checks (the mirror is a dated snapshot) are carried over. A machine on the open internet
  # needs none of this.
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$BASE/usr/local/share/ca-certificates/"
    chroot "$BASE" update-ca-certificates >/dev/null 2>&1
  fi
  if [ -f /etc/pip.conf ]; then grep -vE '^\s*(find-links|extra-index-url|constraint)' /etc/pip.conf \
      > "$BASE/etc/pip.conf"; fi
  local f
  for f in /etc/apt/apt.conf.d/*; do
    if grep -qE 'Check-Valid-Until|Check-Date' "$f"; then cp "$f" "$BASE/etc/apt/apt.conf.d/"; fi
  done
}

fresh_root() {
  # $ROOT := a fresh copy of $BASE (unless UPB_CHECK_REUSE=1 and $ROOT exists).
  [ -z "$(mounted_under "$ROOT")" ] || die "something is still mounted under $ROOT"
  if [ "${UPB_CHECK_REUSE:-0}" = 1 ] && [ -d "$ROOT/root/urbanpulse" ]; then
    say "reusing $ROOT as the last run left it"
    return 0
  fi
  say "fresh copy of the base system into $ROOT"
  rm -rf "$ROOT"
  cp -a "$BASE" "$ROOT"
  emulate_init
}

emulate_init() {
  # On a real Debian 12, systemd starts a service as soon as apt installs it (postgresql's cluster, the
  # packaged redis-server). A chroot has no init, so invoke-rc.d skips the start ("could not determine
  # current runlevel", "No init system and policy-rc.d missing! Defaulting to block"). UPB_CHECK_INIT=sysv
  # (default) gives it runlevel 2 and a policy-rc.d that allows every action, so packages start their
  # services on install (through their init.d scripts) as on a real machine; UPB_CHECK_INIT=none leaves
  # it like a container, where nothing starts by itself.
  rm -f "$ROOT/usr/sbin/runlevel" "$ROOT/usr/sbin/policy-rc.d"
  if [ "$INIT_MODE" = sysv ]; then
    printf '#!/bin/sh\n# upb check: pretend to be in runlevel 2 so invoke-rc.d starts services\necho "N 2"\n' \
      > "$ROOT/usr/sbin/runlevel"
    printf '#!/bin/sh\n# upb check: allow every init.d action, as systemd would\nexit 0\n' \
      > "$ROOT/usr/sbin/policy-rc.d"
    chmod +x "$ROOT/usr/sbin/runlevel" "$ROOT/usr/sbin/policy-rc.d"
  fi
}

copy_project() {
  # Puts the project in $ROOT/root/urbanpulse: a clone of HEAD, or (--worktree) the working tree's files
  # (tracked and new ones, not ignored ones), or (--overlay) a clone of HEAD with OVERLAY's files on top.
  local dest="$ROOT/root/urbanpulse" mode=$1
  if [ "${UPB_CHECK_REUSE:-0}" = 1 ] && [ -d "$dest" ]; then return 0; fi
  rm -rf "$dest"
  if [ "$mode" = worktree ]; then
    say "copying the working tree of $REPO (tracked and new files, not ignored ones)"
    mkdir -p "$dest"
    (cd "$REPO" && git ls-files -z --cached --others --exclude-standard \
       | tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$dest"
  else
    say "cloning $REPO at $(git -C "$REPO" rev-parse --short HEAD)"
    git clone -q --no-local "$REPO" "$dest"
    local f
    for f in "${OVERLAY[@]}"; do
      say "overlay from the working tree: $f"
      mkdir -p "$dest/$(dirname "$f")"
      cp -a "$REPO/$f" "$dest/$f"
    done
  fi
}

# ---------------------------------------------------------------------------------------------- network

host_resolvers() {
  awk '$1 == "nameserver" && $2 ~ /^[0-9.]+$/ {print $2}' /etc/resolv.conf
}

setup_network() {
  # netns with lo + veth to the host, NAT out; only DNS and HTTP(S) to public addresses are forwarded.
  say "network namespace $NS ($NS_IP, NAT through $HOST_IP)"
  if ip -4 -o addr show | grep -q "inet ${HOST_IP%.*}\."; then
    die "the host already uses ${HOST_IP%.*}.0/24: change HOST_IP/NS_IP/SUBNET in $0"
  fi
  ip netns add "$NS"
  ip -n "$NS" link set lo up
  ip link add "$VETH_HOST" type veth peer name "$VETH_NS"
  ip link set "$VETH_NS" netns "$NS"
  ip addr add "$HOST_IP/30" dev "$VETH_HOST"
  ip link set "$VETH_HOST" up
  ip -n "$NS" addr add "$NS_IP/30" dev "$VETH_NS"
  ip -n "$NS" link set "$VETH_NS" up
  ip -n "$NS" route add default via "$HOST_IP"

  [ -f "$IPFWD_SAVE" ] || sysctl -n net.ipv4.ip_forward > "$IPFWD_SAVE"
  if [ ! -f "$TABLES_SAVE" ]; then
    : > "$TABLES_SAVE"
    local t
    for t in filter nat; do
      if command -v nft >/dev/null && nft list table ip "$t" >/dev/null 2>&1; then echo "$t" >> "$TABLES_SAVE"; fi
    done
  fi
  sysctl -qw net.ipv4.ip_forward=1
  iptables -N "$CHAIN"
  local r
  for r in $(host_resolvers); do
    iptables -A "$CHAIN" -d "$r" -p udp --dport 53 -j ACCEPT
    iptables -A "$CHAIN" -d "$r" -p tcp --dport 53 -j ACCEPT
  done
  iptables -A "$CHAIN" -d "$PRIVATE_NETS" -j DROP
  iptables -A "$CHAIN" -p tcp -m multiport --dports 80,443 -j ACCEPT
  iptables -A "$CHAIN" -j DROP
  iptables -I FORWARD 1 -i "$VETH_HOST" -j "$CHAIN"
  iptables -I FORWARD 1 -o "$VETH_HOST" -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
  iptables -I INPUT 1 -i "$VETH_HOST" -j DROP
  iptables -t nat -A POSTROUTING -s "$SUBNET" ! -o "$VETH_HOST" -j MASQUERADE
}

# ---------------------------------------------------------------------------------------------- the check

write_inner_script() {
  # What runs inside the chroot: make test, then make run until /readyz answers, then stop it.
  mkdir -p "$ROOT/root/upb-check"
  rm -f "$ROOT/root/upb-check/"*
  cat > "$ROOT/root/upb-check/inner.sh" <<'EOF'
#!/bin/bash
# Runs as root inside the chroot, in /root/urbanpulse. Writes results to /root/upb-check/result.
# It is PID 1 of its PID namespace, which ignores signals it has no handler for: stop on TERM/INT.
set -u
trap 'exit 143' TERM INT
out=/root/upb-check
cd /root/urbanpulse || exit 1
result() { echo "$1=$2" >> "$out/result"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.0f", b - a}'; }

echo "--- environment: $(. /etc/os-release; echo "$PRETTY_NAME"), LANG=${LANG:-unset}, $(nproc) cores"
isolated=yes
for port in 5432 6379 8000; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "--- port $port already answers!"; isolated=no; fi
done
result isolated "$isolated"
command -v psql redis-server python3 || true

echo "--- make test"
t0=$(now)
make test > "$out/make-test.log" 2>&1
rc=$?
result make_test_rc "$rc"
result make_test_seconds "$(elapsed "$t0")"
result make_test_summary "$(grep -E '^=+ .*(passed|failed|error).* =+$' "$out/make-test.log" | tail -1 | tr -d '=' | sed 's/^ *//;s/ *$//')"
tail -25 "$out/make-test.log"

echo "--- make run"
t0=$(now)
setsid make run > "$out/make-run.log" 2>&1 < /dev/null &
run_pid=$!
ready=000
for _ in $(seq 900); do
  ready=$(curl -s -o "$out/readyz.json" -w '%{http_code}' --max-time 5 http://127.0.0.1:8000/readyz || true)
  [ "$ready" = 200 ] && break
  kill -0 "$run_pid" 2>/dev/null || break
  sleep 1
done
result make_run_seconds_to_ready "$(elapsed "$t0")"
result readyz "$ready"
result readyz_body "$(head -c 300 "$out/readyz.json" 2>/dev/null | tr '\n' ' ')"
result docs "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 http://127.0.0.1:8000/docs || true)"
result openapi "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 http://127.0.0.1:8000/openapi.json || true)"
tail -25 "$out/make-run.log"
kill -TERM -- "-$run_pid" 2>/dev/null
for _ in $(seq 30); do kill -0 "$run_pid" 2>/dev/null || break; sleep 0.5; done
kill -KILL -- "-$run_pid" 2>/dev/null
wait "$run_pid" 2>/dev/null
result make_run_stopped yes
EOF
  chmod +x "$ROOT/root/upb-check/inner.sh"
}

run_inside() {
  # Enters netns + private mount/PID namespaces + chroot; the PID namespace takes every daemon down
  # with it when the inner script ends.
  say "running make test, then make run, inside $ROOT (LANG=$INNER_LANG, init emulation: $INIT_MODE)"
  ip netns exec "$NS" unshare --mount --pid --fork --propagation private bash -ec '
    R=$1; shift
    mount -t proc proc "$R/proc"
    mount -t sysfs sysfs "$R/sys"
    mount --rbind /dev "$R/dev"
    mount -t tmpfs -o mode=1777,nosuid,nodev shm "$R/dev/shm"
    mount -t tmpfs -o mode=755 run "$R/run"
    mount -t tmpfs -o mode=1777 tmp "$R/tmp"
    exec chroot "$R" "$@"
  ' _ "$ROOT" /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/bash TERM=dumb \
      PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG="$INNER_LANG" \
      /bin/bash -l /root/upb-check/inner.sh 2>&1 | tee /var/tmp/upb-check-inner.log
}

report() {
  # Prints the results and fails unless every check passed.
  local r="$ROOT/root/upb-check/result" ok=1
  [ -f "$r" ] || die "no result file: the inner script did not run"
  echo
  echo "==================== plain Debian 12 check ($(date -u +%FT%TZ))"
  cat "$r"
  grep -qx 'isolated=yes' "$r" || ok=0
  grep -qx 'make_test_rc=0' "$r" || ok=0
  grep -qx 'readyz=200' "$r" || ok=0
  grep -qx 'docs=200' "$r" || ok=0
  echo "logs: $ROOT/root/upb-check/make-test.log, $ROOT/root/upb-check/make-run.log"
  if [ "$ok" = 1 ]; then echo "RESULT: PASS"; else echo "RESULT: FAIL"; return 1; fi
}

main() {
  local mode=clone
  OVERLAY=()
  case "${1:-}" in
    --worktree) mode=worktree ;;
    --overlay) shift; OVERLAY=("$@"); [ ${#OVERLAY[@]} -gt 0 ] || die "--overlay needs file names" ;;
    --cleanup) preflight; cleanup; exit 0 ;;
    "") ;;
    *) die "unknown argument $1 (see the header of $0)" ;;
  esac
  preflight
  cleanup
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  build_base
  fresh_root
  copy_project "$mode"
  setup_network
  write_inner_script
  # In the background so that a TERM/INT to this script is handled at once (bash defers traps while a
  # foreground command runs), and the EXIT trap then takes everything down.
  run_inside &
  wait $! || true
  report
}

main "$@"
