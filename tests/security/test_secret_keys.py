"""No published key signs anything: without SECRET_KEY each install generates its own (0600, once, atomically,
even when several processes start together), and tokens, sessions and CSRF each use their own derived key."""

from __future__ import annotations

import multiprocessing
import stat
import time

import jwt
import pytest

from tests.factories import DEFAULT_PASSWORD, auth_headers, poi_feature
from tests.problem import assert_problem
from urbanpulse import create_app
from urbanpulse.auth.service import TOKEN_ISSUER
from urbanpulse.core.keys import KEY_FILE_NAME, instance_secret_key

# The development default that used to ship in urbanpulse/core/config.py.
OLD_PUBLISHED_KEY = "dev-only-insecure-secret-key-change-me"


def _claims(user) -> dict:
    now = int(time.time())
    return {"iss": TOKEN_ISSUER, "sub": str(user.id), "role": user.role, "iat": now, "exp": now + 600}


def _unset(app_config: dict, tmp_path) -> dict:
    """The test config as an install with SECRET_KEY unset and its instance folder in `tmp_path`."""
    config = {key: value for key, value in app_config.items() if key != "SECRET_KEY"}
    return {**config, "INSTANCE_PATH": str(tmp_path / "instance")}


def test_a_token_forged_with_the_old_published_key_is_refused(app, app_config, tmp_path, editor):
    fresh = create_app(_unset(app_config, tmp_path))
    forged = jwt.encode({**_claims(editor), "gen": 0}, OLD_PUBLISHED_KEY, algorithm="HS256")
    response = fresh.test_client().post(
        "/api/v1/pois", json=poi_feature(), headers={"Authorization": f"Bearer {forged}"}
    )
    assert_problem(response, 401)


def test_a_token_signed_with_secret_key_itself_is_refused(app, client, editor):
    signed = jwt.encode({**_claims(editor), "gen": 0}, app.config["SECRET_KEY"], algorithm="HS256")
    assert_problem(client.post("/api/v1/pois", json=poi_feature(), headers={"Authorization": f"Bearer {signed}"}), 401)


def test_the_generated_key_is_private_and_reused(app, app_config, tmp_path, editor):
    first = create_app(_unset(app_config, tmp_path))
    key_file = tmp_path / "instance" / KEY_FILE_NAME
    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(first.config["SECRET_KEY"]) >= 32
    second = create_app(_unset(app_config, tmp_path))
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]
    # A token issued by one app (worker) is accepted by the other.
    token = (
        first.test_client()
        .post("/api/v1/auth/token", json={"email": editor.email, "password": DEFAULT_PASSWORD})
        .get_json()["access_token"]
    )
    assert second.test_client().get("/api/v1/users", headers={"Authorization": f"Bearer {token}"}).status_code == 403


def test_each_install_generates_its_own_key(app_config, tmp_path):
    one = create_app(_unset(app_config, tmp_path / "one"))
    other = create_app(_unset(app_config, tmp_path / "other"))
    assert one.config["SECRET_KEY"] != other.config["SECRET_KEY"]


def test_a_key_file_readable_by_others_is_refused(app_config, tmp_path):
    create_app(_unset(app_config, tmp_path))
    (tmp_path / "instance" / KEY_FILE_NAME).chmod(0o644)
    with pytest.raises(RuntimeError, match="chmod 600"):
        create_app(_unset(app_config, tmp_path))


def test_the_published_key_is_refused_in_every_mode(app_config):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({**app_config, "SECRET_KEY": OLD_PUBLISHED_KEY})


def _race_for_the_key(folder: str, start, keys) -> None:
    from pathlib import Path

    start.wait(timeout=30)
    keys.put(instance_secret_key(Path(folder)))


def test_processes_starting_together_agree_on_one_key(tmp_path):
    context = multiprocessing.get_context("spawn")
    contenders = 8
    start, keys = context.Barrier(contenders), context.Queue()
    processes = [
        context.Process(target=_race_for_the_key, args=(str(tmp_path / "instance"), start, keys))
        for _ in range(contenders)
    ]
    for process in processes:
        process.start()
    found = {keys.get(timeout=60) for _ in processes}
    for process in processes:
        process.join(timeout=30)
    assert len(found) == 1
    assert [p.name for p in (tmp_path / "instance").iterdir()] == [KEY_FILE_NAME]


def test_tokens_sessions_and_csrf_use_distinct_derived_keys(app):
    keys = [app.config[name] for name in ("SECRET_KEY", "TOKEN_SIGNING_KEY", "SESSION_SIGNING_KEY")]
    keys.append(app.config["WTF_CSRF_SECRET_KEY"])
    assert len({bytes(k, "utf-8") if isinstance(k, str) else k for k in keys}) == 4
    assert app.session_interface.get_signing_serializer(app).secret_keys == [app.config["SESSION_SIGNING_KEY"]]


def test_tokens_of_the_test_helpers_still_work(app, client, editor):
    assert client.get("/api/v1/pois?status=draft", headers=auth_headers(app, editor)).status_code == 200
