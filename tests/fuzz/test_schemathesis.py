"""Schemathesis fuzzes every operation of the app's own /openapi.json: no 5xx, every response as documented.

Requests go through the WSGI app (real PostGIS and Redis) with the Boulogne seed loaded and an editor's
bearer token (an admin's on /users), so authenticated writes run too. The stateless test sends valid and
invalid requests to every operation, and more at seeded items (random ids only ever meet 404s); the
stateful test follows the OpenAPI links: create or find an item, read it, change or delete it with its
ETag as If-Match. Every response goes through the checks in CHECKS; failures are collected, not shrunk,
so one run reports all of them.
"""

from __future__ import annotations

from collections import Counter

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Flaky, Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup

from tests.apikeys.helpers import make_key
from tests.factories import auth_headers, make_user
from urbanpulse.auth import service as auth_service
from urbanpulse.auth.models import User
from urbanpulse.core.extensions import db
from urbanpulse.events.models import Event
from urbanpulse.pois.models import Poi
from urbanpulse.routes.models import Route
from urbanpulse.runtime.seeding import load_seed

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
    # Invalid input is refused (4xx), a missing required header (If-Match) too, and so are writes without a token.
    schemathesis.checks.negative_data_rejection,
    schemathesis.checks.missing_required_header,
    schemathesis.checks.ignored_auth,
]
# The WSGI transport does not decode Content-Encoding: ask for plain bodies.
IDENTITY = {"Accept-Encoding": "identity"}
EXAMPLES = {GenerationMode.POSITIVE: 16, GenerationMode.NEGATIVE: 10}
AT_SEEDED_ITEMS = 12
MIN_REQUESTS = 1000
SCENARIOS = 80
SCENARIO_STEPS = 10
KINDS = ("pois", "routes", "events")
# Tiles holding Boulogne-sur-Mer's belfry (1.6146 E, 50.7259 N) at zooms 14 and 10.
TILES = ({"z": 14, "x": 8265, "y": 5504}, {"z": 10, "x": 516, "y": 344})
ITEM_WRITES = [f"{method} /api/v1/{kind}/{{{kind[:-1]}_id}}" for method in ("PATCH", "DELETE") for kind in KINDS]


def fuzz_settings(max_examples: int) -> settings:
    """Deterministic, bounded runs: no example database, no shrinking, no deadline."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


def stateful_settings(max_examples: int) -> settings:
    """As `fuzz_settings`, with a seed the caller sets, for scenarios of a few steps."""
    return settings(fuzz_settings(max_examples), derandomize=False, stateful_step_count=SCENARIO_STEPS)


class Recorder:
    """Counts requests and statuses per operation; keeps the first failure of each kind."""

    def __init__(self, app, editor: User, admin: User, api_key: str):
        self.accounts = {editor.id: "editor", admin.id: "admin"}
        # A third party's key on every request (the probes of `ignored_auth` send /usage without it).
        self.editor = {**auth_headers(app, editor), **IDENTITY, "X-API-Key": api_key}
        self.admin = {**auth_headers(app, admin), **IDENTITY}
        self.sent: Counter = Counter()
        self.statuses: Counter = Counter()
        self.failures: dict[str, str] = {}

    def headers(self, operation) -> dict:
        """The admin's token for accounts and API keys, the editor's (and an API key) elsewhere."""
        return self.admin if operation.path.startswith(("/api/v1/users", "/api/v1/admin/")) else self.editor

    def restore_accounts(self) -> None:
        """Undo what generated PATCH /users requests did to the fuzzing accounts (role, active flag)."""
        for user_id, role in self.accounts.items():
            auth_service.update_user(user_id=user_id, role=role, is_active=True)

    def validate(self, case, response, *, transport_kwargs=None, tag: str = "") -> None:
        """Run the checks on one response and remember what failed."""
        self.sent[case.operation.label] += 1
        self.statuses[(case.operation.label, response.status_code)] += 1
        try:
            case.validate_response(
                response, checks=CHECKS, headers=self.headers(case.operation), transport_kwargs=transport_kwargs
            )
        except FailureGroup as error:
            titles = sorted({failure.title for failure in error.exceptions})
            self.failures.setdefault(f"{case.operation.label} {tag} {titles}", str(error))

    def succeeded(self, label: str) -> bool:
        """Whether `label` got at least one 2xx."""
        return any(200 <= status < 300 for (name, status) in self.statuses if name == label)

    def report(self) -> str:
        """Every failure, one block each, then the tally."""
        blocks = [f"== {label}\n{text}" for label, text in self.failures.items()]
        return "\n\n".join([*blocks, f"requests: {sum(self.sent.values())}, statuses: {dict(self.statuses)}"])


@pytest.fixture
def fuzz_app(app):
    """The test app, seeded, with a live feed that ends at once (a stream would otherwise run for minutes)."""
    saved = {key: app.config[key] for key in ("EVENTS_STREAM_MAX_S", "EVENTS_STREAM_HEARTBEAT_S")}
    app.config.update(EVENTS_STREAM_MAX_S=0.05, EVENTS_STREAM_HEARTBEAT_S=0.02)
    load_seed()
    yield app
    app.config.update(saved)


@pytest.fixture
def recorder(fuzz_app) -> Recorder:
    """The fuzzing accounts' bearer headers (plus an account for PATCH /users to change) and the tallies."""
    make_user(role="editor")
    _, api_key = make_key(name="Fuzzing partner")
    return Recorder(fuzz_app, make_user(role="editor"), make_user(role="admin"), api_key)


@pytest.fixture
def schema(fuzz_app):
    """The app's own OpenAPI document, requests sent through WSGI."""
    return schemathesis.openapi.from_wsgi("/openapi.json", fuzz_app)


def seeded_path_parameters(operation, recorder: Recorder) -> list[dict]:
    """Path parameters naming seeded items, users other than the fuzzing accounts, tiles over Boulogne."""
    names = {parameter.name for parameter in operation.path_parameters}
    models = {"poi_id": Poi, "route_id": Route, "event_id": Event, "user_id": User}
    found = []
    for name, model in models.items():
        if name in names:
            ids = db.select(model.id).where(model.id.not_in(recorder.accounts)).order_by(model.id).limit(2)
            found += [{name: str(item_id)} for item_id in db.session.scalars(ids)]
    if names == {"z", "x", "y"}:
        found += list(TILES)
    return found


def fuzz(operation, recorder: Recorder, mode: GenerationMode, count: int, path_parameters=None) -> None:
    """Send `count` generated requests of `mode` to `operation`."""
    tag = f"[{mode.value}{' at ' + str(path_parameters) if path_parameters else ''}]"

    @fuzz_settings(count)
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def run(case):
        headers = recorder.headers(operation)
        recorder.validate(case, case.call(headers=headers), transport_kwargs={"headers": headers}, tag=tag)

    try:
        run()
    except Unsatisfiable:
        # An operation without any input (e.g. /healthz) has no invalid request to generate.
        assert mode is GenerationMode.NEGATIVE, operation.label


def test_every_operation_answers_as_documented(schema, recorder):
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        recorder.restore_accounts()
        for mode, count in EXAMPLES.items():
            fuzz(operation, recorder, mode, count)
        for path_parameters in seeded_path_parameters(operation, recorder):
            fuzz(operation, recorder, GenerationMode.POSITIVE, AT_SEEDED_ITEMS, path_parameters)

    assert not recorder.failures, f"{len(recorder.failures)} failures:\n{recorder.report()}"
    assert set(recorder.sent) == {operation.label for operation in operations}
    assert sum(recorder.sent.values()) >= MIN_REQUESTS, recorder.report()
    succeeding = ("POST /api/v1/pois", "POST /api/v1/users", "PATCH /api/v1/users/{user_id}")
    for write in (*succeeding, "POST /api/v1/admin/api-keys", "GET /api/v1/usage"):
        assert recorder.succeeded(write), recorder.report()


def test_linked_operations_answer_as_documented(schema, recorder):
    # Valid requests only: invalid ones (the stateless test's) would mostly end a chain at its first step.
    schema.config.generation.update(modes=[GenerationMode.POSITIVE])
    # API keys have no links to follow (the stateless test covers them); left out, the scenarios' budget stays
    # on the content's chains.
    schema = schema.exclude(path_regex="^/api/v1/(admin/|usage$)")
    scenarios = 0

    class Machine(schema.as_state_machine()):
        def setup(self):
            nonlocal scenarios
            scenarios += 1

        def before_call(self, case):
            recorder.restore_accounts()

        def get_call_kwargs(self, case):
            return {"headers": recorder.headers(case.operation)}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            recorder.validate(case, response, transport_kwargs=kwargs, tag="[stateful]")

    for seed in range(10):
        if scenarios >= SCENARIOS:
            break
        try:
            hypothesis.seed(seed)(Machine).run(settings=stateful_settings(SCENARIOS - scenarios))
        except Flaky:
            # Scenarios change the database, so a replayed prefix may meet other links: go on afresh.
            continue

    assert not recorder.failures, f"{len(recorder.failures)} failures:\n{recorder.report()}"
    assert scenarios >= SCENARIOS, scenarios
    # Items created or read, then changed or deleted with the ETag the links carried as If-Match.
    assert any(recorder.succeeded(label) for label in ITEM_WRITES), recorder.report()
