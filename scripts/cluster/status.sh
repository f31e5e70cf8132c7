#!/usr/bin/env bash
# `make cluster-status`: which engines of `make cluster` run, Patroni's members, Sentinel's master,
# HAProxy's backends and pgBackRest's backups.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set +e

[ -d "$C" ] || { echo "no cluster: $C does not exist (make cluster)"; exit 0; }
echo "== processes"
for f in etcd patroni-1 patroni-2 haproxy redis-$REDIS_PRIMARY_PORT redis-$REDIS_REPLICA_PORT \
         sentinel-${SENTINEL_PORTS[0]} sentinel-${SENTINEL_PORTS[1]} sentinel-${SENTINEL_PORTS[2]}; do
  if pid_alive "$RUN/$f.pid"; then printf '  %-16s running (pid %s)\n' "$f" "$(cat "$RUN/$f.pid")"
  else printf '  %-16s stopped\n' "$f"; fi
done

echo "== patroni (patronictl -c $ETC/patroni-1.yml list)"
if pid_alive "$RUN/etcd.pid"; then patronictl_ list || echo "  patronictl list failed"; else echo "  etcd is not running"; fi

echo "== redis sentinel: master $SENTINEL_MASTER"
for port in "${SENTINEL_PORTS[@]}"; do
  addr=$(redis-cli -p "$port" sentinel get-master-addr-by-name "$SENTINEL_MASTER" 2>/dev/null | paste -sd:)
  echo "  sentinel $port: ${addr:-no answer}"
done
for port in "$REDIS_PRIMARY_PORT" "$REDIS_REPLICA_PORT"; do
  role=$(redis-cli -p "$port" role 2>/dev/null | head -1)
  echo "  redis $port: ${role:-down}"
done

echo "== haproxy backends (stats http://127.0.0.1:$HAPROXY_STATS_PORT/)"
csv=$(curl -s --max-time 3 "http://127.0.0.1:$HAPROXY_STATS_PORT/;csv")
if [ -n "$csv" ]; then
  echo "$csv" | awk -F, '$1 !~ /^#/ && $1 != "stats" && $2 != "FRONTEND" && $2 != "BACKEND" {
    printf "  %-18s %-11s %s\n", $1, $2, $18 }'
else
  echo "  haproxy does not answer"
fi

echo "== pgbackrest (stanza $STANZA)"
runuser -u postgres -- pgbackrest --config="$PGBR_CONF" --stanza="$STANZA" info 2>/dev/null | sed 's/^/  /' \
  || echo "  pgbackrest info failed"
exit 0
