# Shared by start.sh, stop.sh and status.sh: the ports, the paths under instance/cluster/ and small helpers.
# Sourced, not run.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# PostgreSQL runs as the postgres user, who must reach its folders: when the checkout is not searchable by it
# (a clone in a private temporary folder), the cluster lives under /var/lib/urbanpulse-cluster/ instead, and
# instance/cluster links there.
if [ -n "${CLUSTER_DIR:-}" ]; then
  export C=$CLUSTER_DIR
elif runuser -u postgres -- test -x "$ROOT" 2>/dev/null; then
  export C=$ROOT/instance/cluster
else
  export C=/var/lib/urbanpulse-cluster/$(printf %s "$ROOT" | sha1sum | cut -c1-12)
fi
export TEMPLATES=$HERE/templates
export ETC=$C/etc RUN=$C/run LOG=$C/log PGROOT=$C/pg REDISDIR=$C/redis ETCD_DATA=$C/etcd
export PGBR_DIR=$C/pgbackrest PGBR_CONF=$C/etc/pgbackrest.conf
export PGSOCK=$PGROOT/sock
export PGBIN=/usr/lib/postgresql/15/bin
export LANG=C.UTF-8 LC_ALL=C.UTF-8

# Ports below Linux's ephemeral range (32768-60999): a client's outgoing connection can never hold one of them
# when an engine starts.
export ETCD_CLIENT_PORT=23790 ETCD_PEER_PORT=23800
export PG_PORT_1=25421 PG_PORT_2=25422 PATRONI_API_1=28008 PATRONI_API_2=28009
export HAPROXY_PRIMARY_PORT=25430 HAPROXY_REPLICA_PORT=25431 HAPROXY_HTTP_PORT=28000 HAPROXY_STATS_PORT=28404
export APP_PORT_1=8001 APP_PORT_2=8002 APP_METRICS_PORT_1=28101 APP_METRICS_PORT_2=28102
export REDIS_PRIMARY_PORT=26380 REDIS_REPLICA_PORT=26381
SENTINEL_PORTS=(26390 26391 26392)
export SCOPE=urbanpulse STANZA=urbanpulse SENTINEL_MASTER=urbanpulse DATABASE=urbanpulse
NODES=(1 2)

export SECRETS=$C/secrets.env APP_ROLE=urbanpulse_cluster

# load_secrets: the cluster's passwords, generated at the first start into instance/cluster/secrets.env (0600):
# nothing in the repository opens the cluster's databases. PGPASSWORD is the superuser's, for these scripts.
load_secrets() {
  if [ ! -s "$SECRETS" ]; then
    (umask 077; python3 -c '
import secrets
for name in ("PG_SUPERUSER_PASSWORD", "PG_REPLICATION_PASSWORD", "PG_REWIND_PASSWORD", "APP_DB_PASSWORD"):
    print(f"{name}={secrets.token_hex(24)}")' >"$SECRETS.tmp" && mv "$SECRETS.tmp" "$SECRETS")
  fi
  set -a; source "$SECRETS"; set +a
  export PGPASSWORD=$PG_SUPERUSER_PASSWORD
}
[ -s "$SECRETS" ] && load_secrets

say() { echo "==> $*"; }
die() { echo "cluster: $*" >&2; exit 1; }

# pid_alive PIDFILE: the process named in PIDFILE is running.
pid_alive() { [ -s "$1" ] && proc_alive "$(cat "$1")"; }
# proc_alive PID: running, and not a zombie that the machine's init has not reaped yet (daemonized processes
# are reparented to it, and here it reaps them only every couple of seconds).
proc_alive() { kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" | cut -c1)" != Z ]; }

# wait_for SECONDS MESSAGE CMD...: runs CMD every half second until it succeeds; dies with MESSAGE after SECONDS.
wait_for() {
  local timeout=$1 msg=$2; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -ge $deadline ] && die "timed out after ${timeout}s: $msg"
    sleep 0.5
  done
}

# render TEMPLATE DEST: envsubst with only our own variables (a template's other $ signs are left alone).
render() {
  local vars
  vars=$(grep -o '\${[A-Z_0-9]*}' "$1" | sort -u | tr -d '\n')
  envsubst "$vars" <"$1" >"$2.tmp" && mv "$2.tmp" "$2"
}

patronictl_() { timeout 15 patronictl -c "$ETC/patroni-1.yml" "$@"; }
psql_leader() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$HAPROXY_PRIMARY_PORT" -U postgres "$@"; }
