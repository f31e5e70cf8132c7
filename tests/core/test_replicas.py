"""Reads from replicas with read-your-writes (issue 17), on the real PostgreSQL and Redis.

The suite's apps list the test database itself as their replica, through read-only sessions (`app_config`):
every GET's public read takes the replica path, and one that tried to write would fail. Replication lag and a
paused replay are proven on the real cluster (`tests/cluster/test_faults.py`, fault test 2).
"""

import pytest

from tests.factories import OPERATOR_HEADERS, auth_headers, make_poi, make_user, poi_feature
from tests.servers import free_port
from urbanpulse import create_app
from urbanpulse.cache.replica_positions import caller_position_key, invalidation_position_key
from urbanpulse.core.replicas import DB_READS

BOX = "1.60,50.72,1.63,50.73"


def reads(target: str) -> float:
    return DB_READS.labels(target)._value.get()


def primary_position(admin_connection) -> int:
    return admin_connection.execute("SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint").fetchone()[0]


def listing(client, **headers):
    response = client.get("/api/v1/pois", query_string={"bbox": BOX}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return {feature["id"] for feature in response.get_json()["features"]}


def test_the_suites_apps_read_from_their_replica(app):
    assert app.config["DATABASE_REPLICA_URLS"], "the suite's apps read from a replica (conftest app_config)"


def test_anonymous_reads_go_to_a_replica(client):
    poi = make_poi()
    replica_before, primary_before = reads("replica"), reads("primary")
    assert str(poi.id) in listing(client)
    assert reads("replica") > replica_before
    assert reads("primary") == primary_before


def test_a_write_records_the_callers_position_and_their_reads_wait_for_a_replica_that_has_it(
    client, editor, editor_headers, redis, admin_connection
):
    created = client.post("/api/v1/pois", json=poi_feature(), headers=editor_headers)
    assert created.status_code == 201, created.get_json()
    recorded = int(redis.get(caller_position_key(str(editor.id))))
    assert 0 < recorded <= primary_position(admin_connection)
    assert 0 < redis.ttl(caller_position_key(str(editor.id))) <= client.application.config["READ_YOUR_WRITES_S"]

    # A position no replica has replayed yet: the caller's reads go to the primary, and see their write.
    redis.set(caller_position_key(str(editor.id)), primary_position(admin_connection) + 10**12)
    replica_before, primary_before = reads("replica"), reads("primary")
    assert created.get_json()["id"] in listing(client, **editor_headers)
    assert reads("replica") == replica_before
    assert reads("primary") > primary_before

    # Another editor, who wrote nothing, still reads from the replica.
    other = auth_headers(client.application, make_user(role="editor"))
    listing(client, **other)
    assert reads("replica") > replica_before


def test_a_callers_position_only_moves_forward(client, editor, editor_headers, redis):
    key = caller_position_key(str(editor.id))
    redis.set(key, 10**15)
    assert client.post("/api/v1/pois", json=poi_feature(), headers=editor_headers).status_code == 201
    assert int(redis.get(key)) == 10**15


def test_refused_writes_and_reads_record_nothing(client, editor, editor_headers, redis):
    bad = poi_feature()
    bad["geometry"]["coordinates"] = [200, 50]
    assert client.post("/api/v1/pois", json=bad, headers=editor_headers).status_code == 422
    listing(client, **editor_headers)
    assert redis.get(caller_position_key(str(editor.id))) is None


def test_a_cache_fill_waits_for_the_last_relayed_invalidation(client, redis, admin_connection):
    make_poi()
    assert int(redis.get(invalidation_position_key())) <= primary_position(admin_connection)
    redis.set(invalidation_position_key(), primary_position(admin_connection) + 10**12)
    replica_before, primary_before = reads("replica"), reads("primary")
    response = client.get("/api/v1/pois/nearby", query_string={"lat": 50.7259, "lon": 1.6146, "radius": 500})
    assert response.status_code == 200
    assert reads("primary") > primary_before
    assert reads("replica") == replica_before


def test_the_back_office_reads_the_primary(client):
    client.set_cookie("upb_admin", "anything")
    replica_before, primary_before = reads("replica"), reads("primary")
    client.get("/api/v1/pois", query_string={"bbox": BOX})
    assert reads("replica") == replica_before
    assert reads("primary") > primary_before


def test_a_token_that_does_not_verify_reads_nothing(client):
    replica_before, primary_before = reads("replica"), reads("primary")
    response = client.get("/api/v1/pois", query_string={"bbox": BOX}, headers={"Authorization": "Bearer x.y.z"})
    assert response.status_code == 401
    assert (reads("replica"), reads("primary")) == (replica_before, primary_before)


@pytest.fixture
def app_with_a_dead_replica(app, app_config):
    dead = f"postgresql://nobody@127.0.0.1:{free_port()}/urbanpulse"
    other = create_app({**app_config, "DATABASE_REPLICA_URLS": [dead], "REPLICA_RETRY_S": 60})
    with other.app_context():
        yield other


def test_an_unreachable_replica_is_skipped_and_reads_succeed_from_the_primary(app_with_a_dead_replica):
    poi = make_poi()
    client = app_with_a_dead_replica.test_client()
    primary_before = reads("primary")
    assert str(poi.id) in listing(client)
    assert str(poi.id) in listing(client)
    (replica,) = app_with_a_dead_replica.extensions["urbanpulse.replicas"].replicas
    assert replica.down_until > 0
    assert reads("primary") >= primary_before + 1


@pytest.fixture
def app_without_its_primary(app, app_config, app_database_url):
    dead = f"postgresql://nobody@127.0.0.1:{free_port()}/urbanpulse"
    return create_app({**app_config, "SQLALCHEMY_DATABASE_URI": dead, "DATABASE_REPLICA_URLS": [app_database_url]})


def test_with_the_primary_down_reads_come_from_a_replica_and_the_instance_stays_ready_for_them(
    app_without_its_primary, editor
):
    poi = make_poi()  # through the suite's own app: its twin has no primary
    client = app_without_its_primary.test_client()
    assert str(poi.id) in listing(client)
    ready = client.get("/readyz", headers=OPERATOR_HEADERS)
    assert ready.status_code == 200
    assert ready.get_json()["status"] == "degraded"
    assert ready.get_json()["checks"]["postgres"]["status"] == "down"
    assert ready.get_json()["checks"]["replicas"] == {"status": "ok", "serving": 1, "configured": 1}
    write = client.post("/api/v1/pois", json=poi_feature(), headers=auth_headers(app_without_its_primary, editor))
    assert write.status_code == 503  # writes need the primary
