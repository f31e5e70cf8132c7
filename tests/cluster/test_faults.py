"""Fault tests on the one-machine cluster (`make cluster-test`), each under a steady load of reads and writes
through HAProxy from a client that counts; the counts are printed for the closing note (pytest -s)."""

from __future__ import annotations

import json
import random
import subprocess
import threading
import time

import psycopg
import redis
import requests

from tests.cluster.conftest import (
    CLUSTER,
    RESTORE_PORT,
    SENTINELS,
    bring_back,
    kill,
    leader_connection,
    node_of,
    pid_of,
    postmaster_pid,
    restore_to,
    secrets_env,
    stop_restored,
    wait_until,
)
from tests.cluster.load import SERVICE, Load


def report(name: str, **figures) -> None:
    print(f"\nFAULT TEST {name}: {json.dumps(figures)}")


def found_in_database(ids: list[str]) -> int:
    with leader_connection() as conn:
        return conn.execute("SELECT count(*) FROM pois WHERE id = ANY(%s::uuid[])", (ids,)).fetchone()[0]


def test_1_leader_killed_the_sync_replica_takes_over_without_losing_an_acknowledged_write(healthy, editor_token):
    old = node_of("leader")
    with Load(editor_token) as load, Load(None, write_every_s=0, readers=1) as strangers:
        time.sleep(3)
        # The whole node goes: its Patroni and its postmaster (Patroni alone would restart PostgreSQL in place).
        kill(pid_of(f"patroni-{old}"))
        kill(postmaster_pid(old))
        killed_at = time.monotonic()
        wait_until(lambda: node_of("leader") not in (None, old), 60, "a new leader")
        wait_until(lambda: (load.outcomes.resumed_after(killed_at) or 0) > 0 and _quiet(load, 3), 60, "writes again")
    new = node_of("leader")
    outcomes = load.outcomes
    resumed_s = outcomes.resumed_after(killed_at)
    found = found_in_database(outcomes.acknowledged)
    report("1 leader killed", old_leader=f"pg{old}", new_leader=f"pg{new}", writes_resumed_after_s=round(resumed_s, 1),
           longest_read_failure_s=round(outcomes.longest_failure_s(outcomes.failed_reads, every_s=0.05), 1),
           writes_found=found, **outcomes.summary(), anonymous_reads=strangers.outcomes.reads,
           anonymous_failed_reads=len(strangers.outcomes.failed_reads),
           longest_anonymous_read_failure_s=round(
               strangers.outcomes.longest_failure_s(strangers.outcomes.failed_reads, every_s=0.05), 1))  # fmt: skip
    assert new is not None and new != old
    assert resumed_s <= 30
    assert found == len(outcomes.acknowledged) > 0  # 0 acknowledged writes lost
    assert outcomes.longest_failure_s(outcomes.failed_reads, every_s=0.05) <= resumed_s + 2
    # Strangers' reads go to the replicas, and the instances stay ready (degraded) while they serve them.
    assert strangers.outcomes.longest_failure_s(strangers.outcomes.failed_reads, every_s=0.05) <= 2
    bring_back()  # the old leader rejoins as a replica (pg_rewind)
    wait_until(lambda: node_of("sync_standby") == old, 120, f"pg{old} back as synchronous standby")


def _quiet(load: Load, seconds: float) -> bool:
    """No write failed in the last `seconds`."""
    with load.outcomes.lock:
        last = max((t for t, _ in load.outcomes.failed_writes), default=0.0)
    return time.monotonic() - last > seconds


def test_3_a_replica_killed_fails_no_read(healthy, editor_token):
    replica = node_of("sync_standby")
    with Load(editor_token, write_every_s=0) as load:
        time.sleep(2)
        kill(pid_of(f"patroni-{replica}"))
        kill(postmaster_pid(replica))
        time.sleep(8)
    outcomes = load.outcomes
    report("3 replica killed", replica=f"pg{replica}", **outcomes.summary())
    assert outcomes.reads > 100 and outcomes.failed_reads == []
    bring_back()


def test_4_redis_primary_killed_sentinel_promotes_and_no_request_fails(healthy, editor_token):
    sentinel = redis.sentinel.Sentinel(SENTINELS, socket_timeout=1)
    old = sentinel.discover_master("urbanpulse")
    with Load(editor_token) as load:
        time.sleep(3)
        kill(pid_of(f"redis-{old[1]}"))
        promoted_s = wait_until(lambda: _master(sentinel) not in (None, old), 30, "a new Redis master")
        time.sleep(5)
    new = _master(sentinel)
    outcomes = load.outcomes
    # Caching resumes by itself on the new primary: a cached answer's key is written there.
    requests.get(f"{SERVICE}/api/v1/pois?limit=5&lang=fr", headers={"Authorization": f"Bearer {editor_token}"})
    keys = redis.Redis(host=new[0], port=new[1]).dbsize()
    found = found_in_database(outcomes.acknowledged)
    report("4 redis primary killed", old_master=old[1], new_master=new[1], promoted_after_s=round(promoted_s, 1),
           keys_on_new_master=keys, writes_found=found, **outcomes.summary())  # fmt: skip
    assert outcomes.failed_reads == [] and outcomes.failed_writes == []
    assert keys > 0
    bring_back()  # the old primary comes back as a replica


def _master(sentinel) -> tuple | None:
    try:
        return sentinel.discover_master("urbanpulse")
    except redis.RedisError:
        return None


def test_5_a_service_instance_killed_fails_no_read(healthy, editor_token):
    with Load(editor_token) as load:
        time.sleep(3)
        kill(pid_of("app-1"), group=True)  # gunicorn's master and workers, at once
        time.sleep(8)
    outcomes = load.outcomes
    report("5 service instance killed", **outcomes.summary(), writes_failed_in_flight=len(outcomes.failed_writes))
    assert outcomes.reads > 100 and outcomes.failed_reads == []
    # A POST is never replayed by HAProxy: at most the ones in flight on the killed instance fail.
    assert len(outcomes.failed_writes) <= 2
    assert found_in_database(outcomes.acknowledged) == len(outcomes.acknowledged)
    bring_back()


def test_6_point_in_time_restore_has_exactly_the_writes_acknowledged_before(healthy, editor_token, tmp_path):
    before = _create_pois(editor_token, 10)
    time.sleep(1)
    with leader_connection() as conn:
        target = conn.execute("SELECT now()").fetchone()[0]
    time.sleep(1)
    after = _create_pois(editor_token, 10)
    with leader_connection() as conn:
        # The segment holding the first commit after the target must be archived for recovery to stop there.
        segment = conn.execute("SELECT pg_walfile_name(pg_current_wal_lsn())").fetchone()[0]
        conn.execute("SELECT pg_switch_wal()")
        wait_until(lambda: _archived(conn) >= segment, 60, f"{segment} archived")
    restored = restore_to(target)
    try:
        with psycopg.connect(f"host=127.0.0.1 port={RESTORE_PORT} user=postgres dbname=urbanpulse "
                             f"password={secrets_env()['PG_SUPERUSER_PASSWORD']}") as conn:  # fmt: skip
            present = {str(row[0]) for row in conn.execute("SELECT id FROM pois WHERE id = ANY(%s::uuid[])",
                                                          (before + after,))}  # fmt: skip
    finally:
        stop_restored(restored)
    report("6 point-in-time restore", target=target.isoformat(), written_before=len(before), written_after=len(after),
           found_before=len(present & set(before)), found_after=len(present & set(after)))  # fmt: skip
    assert present == set(before)


def _create_pois(token: str, count: int) -> list[str]:
    ids = []
    for number in range(count):
        name = {"fr": f"Restauration {time.time_ns()} {number}"}
        body = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1.6146, 50.7259]},
                "properties": {"category": "monument", "name": name}}  # fmt: skip
        answer = requests.post(f"{SERVICE}/api/v1/pois", json=body, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])
    return ids


def _archived(conn) -> str:
    return conn.execute("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver").fetchone()[0]


def test_5b_the_live_feed_crosses_instances_and_resumes_without_a_gap(healthy, editor_token):
    headers = {"Authorization": f"Bearer {editor_token}"}
    seen: list[dict] = []
    listening = threading.Event()

    def listen(url: str, extra: dict) -> None:
        try:
            with requests.get(url, headers={"Accept": "text/event-stream", **extra}, stream=True, timeout=30) as answer:
                listening.set()
                for frame in _frames(answer):
                    seen.append(frame)
        except requests.RequestException:
            pass  # the instance died under it

    reader = threading.Thread(target=listen, args=("http://127.0.0.1:8001/api/v1/events/stream", {}), daemon=True)
    reader.start()
    assert listening.wait(10)
    first = _create_event(8002, headers)  # written through the other instance
    wait_until(lambda: first in _published(seen), 10, "the other instance's change on this instance's stream")
    last_id = next(frame["id"] for frame in reversed(seen) if frame.get("event_id") == first)

    kill(pid_of("app-1"), group=True)
    reader.join(15)
    during = [_create_event(28000, headers) for _ in range(3)]  # while the client is away
    seen.clear()
    listening.clear()
    resumed = threading.Thread(
        target=listen, args=(f"{SERVICE}/api/v1/events/stream", {"Last-Event-ID": last_id}), daemon=True
    )
    resumed.start()
    assert listening.wait(10)
    wait_until(lambda: set(during) <= set(_published(seen)), 15, "the missed changes replayed")
    report(
        "5b live feed across instances",
        missed_while_away=len(during),
        replayed=len(set(during) & set(_published(seen))),
    )
    assert _published(seen)[: len(during)] == during  # in order, nothing before them missing
    bring_back()


def _frames(answer):
    frame: dict = {}
    for raw in answer.iter_lines(decode_unicode=True):
        if raw == "":
            if frame.get("data"):
                payload = json.loads(frame["data"])
                yield {"id": frame.get("id"), "type": payload.get("type"), "event_id": payload.get("event_id")}
            frame = {}
            continue
        field, _, value = raw.partition(":")
        frame[field] = value.strip()


def _published(seen: list[dict]) -> list[str]:
    return [frame["event_id"] for frame in list(seen) if frame.get("type") == "published"]


def _create_event(port: int, headers: dict) -> str:
    body = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1.60722, 50.72333]},
            "properties": {"title": {"fr": f"Concert de panne {time.time_ns()}"}, "category": "concert",
                           "starts_at": "2027-07-14T20:00:00", "ends_at": "2027-07-14T22:00:00",
                           "status": "scheduled", "publication": "published"}}  # fmt: skip
    answer = requests.post(f"http://127.0.0.1:{port}/api/v1/events", json=body, headers=headers, timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


LAG_BOUND_S = 5.0  # REPLICA_MAX_LAG_S of the cluster's instances (scripts/cluster/start.sh)
METRICS_PORTS = (28101, 28102)  # each instance's METRICS_BIND


def test_2_replay_paused_editors_read_their_writes_and_anonymous_reads_stay_within_the_lag_bound(healthy, editor_token):
    replica = node_of("sync_standby")
    headers = {"Authorization": f"Bearer {editor_token}"}
    lon, lat = 1.60 + random.random() * 0.01, 50.745 + random.random() * 0.004  # a spot of this run's own
    box = f"{lon - 0.0003},{lat - 0.0003},{lon + 0.0003},{lat + 0.0003}"
    written: list[tuple[float, str]] = []  # (acknowledged at, id)
    editor_reads = editor_misses = anonymous_reads = stale_within_bound = beyond_bound = 0
    cached_reads = cached_misses = 0
    oldest_missing_s = 0.0  # the age of the oldest acknowledged write a stranger's answer lacked
    replica_reads_before = _reads_served_by("replica")
    with Load(editor_token) as load, _node_connection(replica) as standby:
        time.sleep(2)
        replica_reads_unpaused = _reads_served_by("replica") - replica_reads_before
        # Patroni resumes a paused replay by itself (PostgreSQL 14+) unless the cluster is in maintenance mode.
        _patronictl("pause", "--wait")
        standby.execute("SELECT pg_wal_replay_pause()")
        paused_at = time.monotonic()
        try:
            while time.monotonic() - paused_at < LAG_BOUND_S + 5:
                written.append(_write_poi(lon, lat, headers))
                # The editor who wrote reads at once: the write is there.
                editor_reads += 1
                editor_misses += written[-1][1] not in _listed(box, headers)
                # A stranger's listing may come from the paused replica, but never staler than the bound.
                asked_at = time.monotonic()
                seen = _listed(box, {})
                anonymous_reads += 1
                missing = [at for at, poi in written if poi not in seen]
                stale_within_bound += bool(missing)
                oldest_missing_s = max([oldest_missing_s, *(asked_at - at for at in missing)])
                beyond_bound += any(at < asked_at - LAG_BOUND_S - 1.0 for at in missing)
                # The cached nearby answer is never filled from the paused replica after an invalidation.
                cached_reads += 1
                cached_misses += bool({poi for _, poi in written} - _nearby(lon, lat))
                time.sleep(0.3)
            lag_behind = standby.execute("SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()").fetchone()[0]
        finally:
            standby.execute("SELECT pg_wal_replay_resume()")
            _patronictl("resume", "--wait")
        resumed_at = time.monotonic()
        wait_until(lambda: {poi for _, poi in written} <= _listed(box, {}), 10, "every write listed after resuming")
        after_resume_s = time.monotonic() - resumed_at
        final_nearby_complete = {poi for _, poi in written} <= _nearby(lon, lat)
    report(
        "2 replay paused", replica=f"pg{replica}", writes=len(written), editor_reads=editor_reads,
        editor_reads_missing_their_write=editor_misses, anonymous_reads=anonymous_reads,
        anonymous_reads_behind_within_bound=stale_within_bound, anonymous_reads_beyond_bound=beyond_bound,
        oldest_missing_write_age_s=round(oldest_missing_s, 2),
        cached_nearby_reads=cached_reads, cached_nearby_reads_missing_a_write=cached_misses,
        all_listed_after_resume_s=round(after_resume_s, 2), replica_reads_before_pause=replica_reads_unpaused,
        replica_was_behind=lag_behind, load=load.outcomes.summary(),
    )  # fmt: skip
    assert lag_behind, "the paused replica received WAL it did not replay"
    assert replica_reads_unpaused > 0, "the instances read from the replicas"
    assert written and editor_misses == 0
    assert beyond_bound == 0
    assert cached_misses == 0 and final_nearby_complete
    assert load.outcomes.failed_reads == []


def _patronictl(*args: str) -> None:
    config = CLUSTER / "etc" / "patroni-1.yml"
    subprocess.run(["patronictl", "-c", str(config), *args], check=True, capture_output=True, timeout=60)


def _node_connection(node: int) -> psycopg.Connection:
    password = secrets_env()["PG_SUPERUSER_PASSWORD"]
    port = {1: 25421, 2: 25422}[node]
    return psycopg.connect(
        f"host=127.0.0.1 port={port} user=postgres dbname=urbanpulse password={password}", autocommit=True
    )


def _write_poi(lon: float, lat: float, headers: dict) -> tuple[float, str]:
    body = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"category": "monument", "name": {"fr": f"Relecture {time.time_ns()}"},
                           "status": "published"}}  # fmt: skip
    answer = requests.post(f"{SERVICE}/api/v1/pois", json=body, headers=headers, timeout=10)
    assert answer.status_code == 201, answer.text
    return time.monotonic(), answer.json()["id"]


def _listed(box: str, headers: dict) -> set[str]:
    answer = requests.get(f"{SERVICE}/api/v1/pois", params={"bbox": box, "limit": 100}, headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return {feature["id"] for feature in answer.json()["features"]}


def _nearby(lon: float, lat: float) -> set[str]:
    answer = requests.get(
        f"{SERVICE}/api/v1/pois/nearby", params={"lat": lat, "lon": lon, "radius": 30, "limit": 100}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    return {feature["id"] for feature in answer.json()["features"]}


def _reads_served_by(target: str) -> float:
    total = 0.0
    for port in METRICS_PORTS:
        for line in requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text.splitlines():
            if line.startswith(f'urbanpulse_db_reads_total{{target="{target}"}}'):
                total += float(line.split()[-1])
    return total
