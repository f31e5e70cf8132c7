#!/usr/bin/env bash
# `make cluster`: starts, on this one machine and under instance/cluster/, the production engines:
#   etcd (one member, client 23790, peer 23800)          Patroni's DCS
#   PostgreSQL 15 + PostGIS, two nodes run by Patroni      25421/25422, Patroni REST 28008/28009,
#                                                          synchronous replication, pg_rewind
#   pgBackRest, stanza "urbanpulse"                        WAL archive + full backups in instance/cluster/pgbackrest
#   HAProxy                                                25430 -> leader, 25431 -> replicas,
#                                                          28000 -> service instances on 8001/8002, stats on 28404
#   Redis primary 26380, replica 26381, Sentinels 26390-26392 (master name "urbanpulse", quorum 2)
# and waits until each is ready. Running it again while everything runs only says so; what was stopped
# is started again. `make cluster-stop` (stop.sh) stops it all, `make cluster-status` (status.sh) shows it.
#
# Layout: instance/cluster/{etc (rendered configs), run (pid files), log, etcd, pg (PostgreSQL data, owned by
# the postgres OS user: PostgreSQL cannot run as root), pgbackrest (repository), redis}.
# The configs are rendered from scripts/cluster/templates/ at every start, except those of Redis and the
# Sentinels, rendered once: Sentinel rewrites them on a failover and they must keep what it wrote.
#
# Point-in-time restore (pgBackRest). The repository keeps the full backups and the archived WAL; to
# rebuild the database as it was at a given time in a NEW data directory (the running nodes stay untouched),
# from the checkout, as root (the --config path must be absolute: a relative one is silently not read and
# pgBackRest then says "requires option: pg1-path"):
#   C=$PWD/instance/cluster; NEWDIR=$C/pg/restore                 # in a folder owned by postgres
#   runuser -u postgres -- pgbackrest --config=$C/etc/pgbackrest.conf --stanza=urbanpulse \
#       --type=time --target="2026-12-04 05:14:39+00" --target-action=promote --pg1-path=$NEWDIR restore
#   # then start it on a spare port, without archiving into the stanza's repository:
#   runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D $NEWDIR -l $C/log/postgresql/restore.log -w \
#       -o "-c port=25439 -c archive_mode=off -c unix_socket_directories=$NEWDIR -c logging_collector=off" start
#   psql -h 127.0.0.1 -p 25439 -U postgres urbanpulse                # check the data
#   runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D $NEWDIR -m fast stop; rm -rf $NEWDIR
# pgBackRest writes restore_command and recovery_target_time into NEWDIR/postgresql.auto.conf and a
# recovery.signal; --target-action=promote opens it read-write once the target is reached. Recovery stops at
# the first commit after the target, so that commit's WAL segment must already be archived: a segment is
# archived when it is full, after archive_timeout (300 s) or on `select pg_switch_wal()` on the leader;
# otherwise PostgreSQL stops with "recovery ended before configured recovery target was reached".
# (Tested by hand: a row inserted before the target was there, the one committed 2 s after it was not.)
# To make a restored copy the cluster itself: make cluster-stop, move the node directories aside, restore
# into instance/cluster/pg/node1 (without --pg1-path), remove the scope from etcd (etcdctl with
# ETCDCTL_API=2 --endpoints http://127.0.0.1:23790 rm -r /service/urbanpulse) and make cluster: Patroni
# adopts the restored node as leader and rebuilds the other node from it (this last path was not tested).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bash "$HERE/install.sh"

# --- folders: PostgreSQL and pgBackRest run as postgres, every folder above theirs is world-searchable
mkdir -p "$C" "$ETC" "$RUN" "$LOG" "$ETCD_DATA" "$PGROOT" "$PGBR_DIR" "$REDISDIR" "$ROOT/instance"
if [ "$C" != "$ROOT/instance/cluster" ]; then
  ln -sfn "$C" "$ROOT/instance/cluster"
  chmod 755 "$(dirname "$C")"
else
  chmod 755 "$ROOT/instance"
fi
chmod 755 "$C" "$ETC" "$LOG"
chmod 700 "$ETCD_DATA"
mkdir -p "$PGSOCK" "$LOG/postgresql" "$LOG/pgbackrest" "$PGBR_DIR/repo" "$PGBR_DIR/lock" "$PGBR_DIR/spool"
chown postgres:postgres "$RUN" "$PGROOT" "$PGSOCK" "$LOG/postgresql" "$LOG/pgbackrest" \
  "$PGBR_DIR" "$PGBR_DIR/repo" "$PGBR_DIR/lock" "$PGBR_DIR/spool"
chmod 750 "$PGBR_DIR"; chmod 755 "$RUN"; chmod 700 "$PGROOT"
load_secrets

# --- configs
render "$TEMPLATES/etcd.yml" "$ETC/etcd.yml"
render "$TEMPLATES/pgbackrest.conf" "$ETC/pgbackrest.conf"
for n in "${NODES[@]}"; do
  pg_port_var=PG_PORT_$n api_var=PATRONI_API_$n
  NODE=$n PG_PORT=${!pg_port_var} API_PORT=${!api_var} PGDATA=$PGROOT/node$n \
    render "$TEMPLATES/patroni.yml" "$ETC/patroni-$n.yml"
done
chmod 644 "$ETC"/*.yml "$ETC/pgbackrest.conf"
# The Patroni configs hold the database passwords: readable by postgres (Patroni runs as it) only.
chown postgres:postgres "$ETC"/patroni-*.yml; chmod 600 "$ETC"/patroni-*.yml
render "$TEMPLATES/haproxy.cfg" "$ETC/haproxy.cfg"
for port in "$REDIS_PRIMARY_PORT" "$REDIS_REPLICA_PORT"; do
  mkdir -p "$REDISDIR/$port"
  if [ ! -f "$ETC/redis-$port.conf" ]; then
    if [ "$port" = "$REDIS_PRIMARY_PORT" ]; then role=primary replicaof=""
    else role=replica replicaof="replicaof 127.0.0.1 $REDIS_PRIMARY_PORT"; fi
    REDIS_PORT=$port REDIS_ROLE=$role REDIS_REPLICAOF=$replicaof render "$TEMPLATES/redis.conf" "$ETC/redis-$port.conf"
  fi
done
for port in "${SENTINEL_PORTS[@]}"; do
  mkdir -p "$REDISDIR/sentinel-$port"
  [ -f "$ETC/sentinel-$port.conf" ] || SENTINEL_PORT=$port render "$TEMPLATES/sentinel.conf" "$ETC/sentinel-$port.conf"
done

# port_free PORT NAME: dies when something that is not ours already listens on PORT.
port_free() {
  if ss -Hltn "sport = :$1" | grep -q .; then
    die "port $1 ($2) is already used by another process: $(ss -Hltnp "sport = :$1" | sed 's/.*users://' | head -1)"
  fi
}

# launch PIDFILE LOGFILE USER CMD...: runs CMD in its own session, in the background, as USER; the pid
# file holds CMD's own pid (bash execs it).
launch() {
  local pidfile=$1 logfile=$2 user=$3; shift 3
  local run=()
  # Another user starts in / : it may not be allowed into the checkout (a clone in a private folder).
  [ "$user" = root ] || run=(runuser -u "$user" -- env -C /)
  # Without the scripts' passwords: libpq would prefer PGPASSWORD to Patroni's own pgpass for replication.
  setsid nohup env -u PGPASSWORD -u PG_SUPERUSER_PASSWORD -u PG_REPLICATION_PASSWORD -u PG_REWIND_PASSWORD \
    -u APP_DB_PASSWORD "${run[@]}" bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" >>"$logfile" 2>&1 </dev/null &
  local deadline=$((SECONDS + 5))
  until [ -s "$pidfile" ]; do [ $SECONDS -ge $deadline ] && die "could not start $* (see $logfile)"; sleep 0.1; done
}

# --- etcd
if pid_alive "$RUN/etcd.pid"; then
  say "etcd already running (pid $(cat "$RUN/etcd.pid"))"
else
  port_free "$ETCD_CLIENT_PORT" "etcd client"; port_free "$ETCD_PEER_PORT" "etcd peer"
  say "starting etcd on 127.0.0.1:$ETCD_CLIENT_PORT"
  rm -f "$RUN/etcd.pid"
  launch "$RUN/etcd.pid" "$LOG/etcd.log" root etcd --config-file "$ETC/etcd.yml"
fi
wait_for 30 "etcd does not answer on 127.0.0.1:$ETCD_CLIENT_PORT/health (see $LOG/etcd.log)" \
  bash -c "curl -sf http://127.0.0.1:$ETCD_CLIENT_PORT/health | grep -q '\"health\":\"true\"'"

# --- Patroni + PostgreSQL
for n in "${NODES[@]}"; do
  pg_port_var=PG_PORT_$n api_var=PATRONI_API_$n
  if pid_alive "$RUN/patroni-$n.pid"; then
    say "patroni pg$n already running (pid $(cat "$RUN/patroni-$n.pid"))"
  else
    port_free "${!api_var}" "Patroni REST of pg$n"
    # A postmaster left running by a killed Patroni is adopted by the new Patroni: its port may be in use.
    [ -f "$PGROOT/node$n/postmaster.pid" ] || port_free "${!pg_port_var}" "PostgreSQL pg$n"
    say "starting patroni pg$n (PostgreSQL on 127.0.0.1:${!pg_port_var}, REST on ${!api_var})"
    rm -f "$RUN/patroni-$n.pid"
    launch "$RUN/patroni-$n.pid" "$LOG/patroni-$n.log" postgres patroni "$ETC/patroni-$n.yml"
  fi
done

# members_json: patronictl list as JSON.
has_role() { patronictl_ list -f json 2>/dev/null | python3 -c '
import json, sys
want = sys.argv[1]
members = json.load(sys.stdin)
ok = [m for m in members if m.get("Role") == want and m.get("State") in ("running", "streaming")]
sys.exit(0 if ok else 1)' "$1"; }
say "waiting for a Patroni leader"
wait_for 120 "no Patroni leader elected (see $LOG/patroni-*.log and $LOG/postgresql/)" has_role Leader
say "waiting for the synchronous standby"
wait_for 180 "no member listed as \"Sync Standby\" by patronictl list (see $LOG/patroni-*.log)" has_role "Sync Standby"

# --- HAProxy
if pid_alive "$RUN/haproxy.pid"; then
  say "haproxy already running (pid $(cat "$RUN/haproxy.pid")); reloading its config"
  haproxy -c -q -f "$ETC/haproxy.cfg" || die "invalid $ETC/haproxy.cfg"
  haproxy -D -p "$RUN/haproxy.pid" -f "$ETC/haproxy.cfg" -sf "$(cat "$RUN/haproxy.pid")"
else
  for p in "$HAPROXY_PRIMARY_PORT" "$HAPROXY_REPLICA_PORT" "$HAPROXY_HTTP_PORT" "$HAPROXY_STATS_PORT"; do port_free "$p" haproxy; done
  say "starting haproxy (primary $HAPROXY_PRIMARY_PORT, replicas $HAPROXY_REPLICA_PORT, http $HAPROXY_HTTP_PORT, stats $HAPROXY_STATS_PORT)"
  haproxy -c -q -f "$ETC/haproxy.cfg" || die "invalid $ETC/haproxy.cfg"
  haproxy -D -p "$RUN/haproxy.pid" -f "$ETC/haproxy.cfg" 2>>"$LOG/haproxy.log" || die "haproxy did not start (see $LOG/haproxy.log)"
fi
for p in "$HAPROXY_HTTP_PORT" "$HAPROXY_STATS_PORT"; do
  wait_for 10 "haproxy does not accept connections on $p" bash -c "exec 3<>/dev/tcp/127.0.0.1/$p"
done
# HAProxy counts its servers up until their first checks fail: wait until it routes writes to one node only.
# (a server on its way down shows "UP 1/2": only a plain UP and plain DOWNs will do).
one_primary_routed() {
  curl -s "http://127.0.0.1:$HAPROXY_STATS_PORT/;csv" | awk -F, '
    $1 == "postgres_primary" && $2 ~ /^pg[0-9]+$/ { if ($18 == "UP") up++; else if ($18 != "DOWN") other++ }
    END { exit !(up == 1 && other == 0) }'
}
wait_for 30 "haproxy does not route writes to exactly one PostgreSQL node (see http://127.0.0.1:$HAPROXY_STATS_PORT/)" \
  one_primary_routed
wait_for 30 "the leader does not answer through haproxy on $HAPROXY_PRIMARY_PORT" \
  bash -c "[ \"\$(psql -X -At -h 127.0.0.1 -p $HAPROXY_PRIMARY_PORT -U postgres -c 'select pg_is_in_recovery()')\" = f ]"
wait_for 30 "no replica answers through haproxy on $HAPROXY_REPLICA_PORT" \
  bash -c "psql -X -At -h 127.0.0.1 -p $HAPROXY_REPLICA_PORT -U postgres -c 'select 1'"

# --- the application database
if [ "$(psql_leader -At -c "select count(*) from pg_database where datname = '$DATABASE'")" = 0 ]; then
  say "creating database $DATABASE"
  psql_leader -c "create database $DATABASE"
fi
psql_leader -d "$DATABASE" -c "create extension if not exists postgis; create extension if not exists pg_trgm; create extension if not exists btree_gist"

# --- pgBackRest: stanza, archiving check, a first full backup
pgbr() { runuser -u postgres -- env -C / pgbackrest --config="$PGBR_CONF" --stanza="$STANZA" "$@"; }
say "pgbackrest: stanza $STANZA"
pgbr stanza-create >>"$LOG/pgbackrest-start.log" 2>&1 || die "pgbackrest stanza-create failed (see $LOG/pgbackrest-start.log, $LOG/pgbackrest/)"
pgbr check >>"$LOG/pgbackrest-start.log" 2>&1 || die "pgbackrest check failed: WAL archiving does not work (see $LOG/pgbackrest-start.log)"
backups=$(pgbr info --output=json | python3 -c 'import json,sys; print(sum(len(s.get("backup", [])) for s in json.load(sys.stdin)))')
if [ "$backups" = 0 ]; then
  say "pgbackrest: first full backup"
  pgbr --type=full backup >>"$LOG/pgbackrest-start.log" 2>&1 || die "pgbackrest backup failed (see $LOG/pgbackrest-start.log)"
fi

# --- Redis primary + replica
for port in "$REDIS_PRIMARY_PORT" "$REDIS_REPLICA_PORT"; do
  if pid_alive "$RUN/redis-$port.pid"; then
    say "redis $port already running (pid $(cat "$RUN/redis-$port.pid"))"
  else
    port_free "$port" "redis"
    say "starting redis on $port"
    redis-server "$ETC/redis-$port.conf" --daemonize yes
  fi
done
for port in "$REDIS_PRIMARY_PORT" "$REDIS_REPLICA_PORT"; do
  wait_for 10 "redis on $port does not answer (see $LOG/redis-$port.log)" bash -c "[ \"\$(redis-cli -p $port ping)\" = PONG ]"
done

# --- Sentinels
for port in "${SENTINEL_PORTS[@]}"; do
  if pid_alive "$RUN/sentinel-$port.pid"; then
    say "sentinel $port already running (pid $(cat "$RUN/sentinel-$port.pid"))"
  else
    port_free "$port" "redis-sentinel"
    say "starting redis-sentinel on $port"
    redis-sentinel "$ETC/sentinel-$port.conf" --daemonize yes
  fi
done
sentinel_ready() {
  redis-cli -p "$1" sentinel master "$SENTINEL_MASTER" | paste - - | awk -F'\t' '
    $1 == "num-slaves" { s = $2 } $1 == "num-other-sentinels" { o = $2 } $1 == "flags" { f = $2 }
    END { exit !(s >= 1 && o >= 2 && f == "master") }'
}
for port in "${SENTINEL_PORTS[@]}"; do
  wait_for 30 "sentinel $port does not know master $SENTINEL_MASTER with 1 replica and 2 other sentinels (see $LOG/sentinel-$port.log)" \
    sentinel_ready "$port"
done

# --- the service: its database role, migrations and seed, two gunicorn instances and the worker
if [ "$(psql_leader -At -c "select count(*) from pg_roles where rolname = '$APP_ROLE'")" = 0 ]; then
  say "creating role $APP_ROLE (owner of database $DATABASE)"
  psql_leader -c "create role $APP_ROLE login password '$APP_DB_PASSWORD'"
fi
psql_leader -c "alter database $DATABASE owner to $APP_ROLE" -c "grant create on schema public to $APP_ROLE" -d "$DATABASE"
redis_master_port() { redis-cli -p "${SENTINEL_PORTS[0]}" sentinel get-master-addr-by-name "$SENTINEL_MASTER" | sed -n 2p; }
export APP_DATABASE_URL="postgresql://$APP_ROLE:$APP_DB_PASSWORD@127.0.0.1:$HAPROXY_PRIMARY_PORT/$DATABASE"
# The service finds the Redis primary through the Sentinels; REDIS_URL gives only the database number.
app_env=(DATABASE_URL="$APP_DATABASE_URL" REDIS_URL="redis://127.0.0.1:$(redis_master_port)/0"
         REDIS_SENTINELS="$(printf '127.0.0.1:%s,' "${SENTINEL_PORTS[@]}" | sed 's/,$//')"
         REDIS_SENTINEL_MASTER="$SENTINEL_MASTER" TRUSTED_PROXIES=127.0.0.1/32 TRUSTED_PROXY_COUNT=1
         WEB_WORKERS="${CLUSTER_WEB_WORKERS:-2}"
         # GET requests' public reads go to either node when it qualifies (core.replicas): each node is listed
         # on its own, since a balancer's connections may reach different servers.
         DATABASE_REPLICA_URLS="postgresql://$APP_ROLE:$APP_DB_PASSWORD@127.0.0.1:$PG_PORT_1/$DATABASE,postgresql://$APP_ROLE:$APP_DB_PASSWORD@127.0.0.1:$PG_PORT_2/$DATABASE"
         REPLICA_MAX_LAG_S="${CLUSTER_REPLICA_MAX_LAG_S:-5}")
say "migrating and seeding $DATABASE through the leader"
env "${app_env[@]}" "$ROOT/.venv/bin/python" -m urbanpulse.runtime.provision --for run >>"$LOG/provision.log" 2>&1 \
  || die "provisioning the service's database failed (see $LOG/provision.log)"
for i in 1 2; do
  port_var=APP_PORT_$i
  if pid_alive "$RUN/app-$i.pid"; then
    say "service instance $i already running (pid $(cat "$RUN/app-$i.pid"))"
  else
    port_free "${!port_var}" "service instance $i"
    say "starting service instance $i on 127.0.0.1:${!port_var}"
    rm -f "$RUN/app-$i.pid"
    metrics_var=APP_METRICS_PORT_$i
    (cd "$ROOT" && launch "$RUN/app-$i.pid" "$LOG/app-$i.log" root env "${app_env[@]}" PORT="${!port_var}" \
      METRICS_BIND="127.0.0.1:${!metrics_var}" \
      "$ROOT/.venv/bin/gunicorn" -c python:urbanpulse.serving.gunicorn_conf wsgi:app)
  fi
done
if pid_alive "$RUN/worker.pid"; then
  say "worker already running (pid $(cat "$RUN/worker.pid"))"
else
  say "starting the worker (media, imports)"
  rm -f "$RUN/worker.pid"
  (cd "$ROOT" && launch "$RUN/worker.pid" "$LOG/worker.log" root env "${app_env[@]}" \
    "$ROOT/.venv/bin/python" -m urbanpulse.runtime.media_worker)
fi
for i in 1 2; do
  port_var=APP_PORT_$i
  wait_for 60 "service instance $i is not ready on ${!port_var} (see $LOG/app-$i.log)" \
    curl -sf "http://127.0.0.1:${!port_var}/readyz"
done
wait_for 30 "the service does not answer through haproxy on $HAPROXY_HTTP_PORT" curl -sf "http://127.0.0.1:$HAPROXY_HTTP_PORT/readyz"

say "cluster ready: postgres leader 127.0.0.1:$HAPROXY_PRIMARY_PORT, replicas :$HAPROXY_REPLICA_PORT, service http://127.0.0.1:$HAPROXY_HTTP_PORT, redis sentinels ${SENTINEL_PORTS[*]} (master $(redis-cli -p "${SENTINEL_PORTS[0]}" sentinel get-master-addr-by-name "$SENTINEL_MASTER" | paste -sd:))"
