"""Fault tests on the one-machine cluster (`make cluster-test`), each under a steady load of reads and writes
through HAProxy from a client that counts; the counts are printed for the closing note (pytest -s)."""

from __future__ import annotations

import json
import time

import psycopg
import redis
import requests

from tests.cluster.conftest import (
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
    with Load(editor_token) as load:
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
           writes_found=found, **outcomes.summary())  # fmt: skip
    assert new is not None and new != old
    assert resumed_s <= 30
    assert found == len(outcomes.acknowledged) > 0  # 0 acknowledged writes lost
    assert outcomes.longest_failure_s(outcomes.failed_reads, every_s=0.05) <= resumed_s + 2
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
