#!/usr/bin/env bash
# `make cluster-stop`: stops what `make cluster` started, by the pid files under instance/cluster/run:
# the service instances and the worker, HAProxy, the Sentinels (before Redis, so that stopping the primary starts no failover), Redis, then
# Patroni (the replicas before the leader, so that no failover starts either; Patroni stops its
# PostgreSQL), then etcd last. The machine's own PostgreSQL and Redis services are not touched.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# stop_pid NAME PIDFILE [TIMEOUT]: SIGTERM, then waits for the process to exit (SIGKILL after TIMEOUT).
stop_pid() {
  local name=$1 pidfile=$2 timeout=${3:-30}
  if ! pid_alive "$pidfile"; then
    [ -f "$pidfile" ] && rm -f "$pidfile"
    echo "    $name: not running"; return 0
  fi
  local pid; pid=$(cat "$pidfile")
  echo "==> stopping $name (pid $pid)"
  kill -TERM "$pid"
  local deadline=$((SECONDS + timeout))
  while proc_alive "$pid"; do
    if [ $SECONDS -ge $deadline ]; then
      echo "cluster: $name (pid $pid) still running after ${timeout}s: SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  rm -f "$pidfile"
}

[ -d "$C" ] || { echo "nothing to stop: $C does not exist"; exit 0; }

for i in 1 2; do stop_pid "service instance $i" "$RUN/app-$i.pid" 30; done
stop_pid worker "$RUN/worker.pid" 30
stop_pid haproxy "$RUN/haproxy.pid" 10
for port in "${SENTINEL_PORTS[@]}"; do stop_pid "redis-sentinel $port" "$RUN/sentinel-$port.pid" 10; done
for port in "$REDIS_REPLICA_PORT" "$REDIS_PRIMARY_PORT"; do stop_pid "redis $port" "$RUN/redis-$port.pid" 30; done

# Patroni: the leader last.
leader=$(patronictl_ list -f json 2>/dev/null | python3 -c '
import json, sys
try:
    print(next((m["Member"] for m in json.load(sys.stdin) if m.get("Role") == "Leader"), ""))
except ValueError:
    print("")' || true)
order=()
for n in "${NODES[@]}"; do [ "pg$n" = "$leader" ] || order+=("$n"); done
for n in "${NODES[@]}"; do [ "pg$n" = "$leader" ] && order+=("$n"); done
for n in "${order[@]}"; do
  stop_pid "patroni pg$n" "$RUN/patroni-$n.pid" 90
  # A postmaster whose Patroni was killed (or died) is stopped too.
  if [ -f "$PGROOT/node$n/postmaster.pid" ] && kill -0 "$(head -1 "$PGROOT/node$n/postmaster.pid")" 2>/dev/null; then
    echo "==> stopping the PostgreSQL of pg$n left without its Patroni"
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGROOT/node$n" -m fast -w -t 60 stop >/dev/null
  fi
done
stop_pid etcd "$RUN/etcd.pid" 30
echo "==> cluster stopped"
