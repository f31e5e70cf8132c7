"""The DATAtourisme API mode over real HTTP (a local server answering pages written by hand in the API's compact
shape; no real business's contacts): pages followed by `meta.next` then by page number, the key in the header
only, `--since` and scheduled incremental runs that unpublish nothing, rate limits waited out or reported, a
next page on another origin refused, and one object read from a flux then from the API being one POI."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from tests.imports.fixtures import beach, museum, write_flux
from tests.imports.helpers import configured, send_json
from urbanpulse.core.extensions import db
from urbanpulse.events.models import Event
from urbanpulse.imports import datatourisme_api, schedule
from urbanpulse.imports.engine import SourceError
from urbanpulse.imports.jsonld import classes, translations
from urbanpulse.imports.models import ImportRecord
from urbanpulse.pois.models import Poi

KEY = "test-dt-key-0123456789"
AREA_FILTER = "isLocatedAt.address.hasAddressCity.isPartOfDepartment.insee[eq]=62"


def api_place(uuid, *, name="Musée d'exemple", updated="2026-11-02", lat=50.7256, lon="1.6170", **extra):
    """A place of interest as the API answers it: uri, type list, "@fr" language maps, numbers or strings."""
    return {
        "uuid": uuid,
        "uri": f"https://data.datatourisme.fr/13/{uuid}",
        "type": ["PlaceOfInterest", "CulturalSite", "Museum"],
        "label": {"@fr": name, "@en": "Example museum", "@it": "Museo d'esempio"},
        "hasDescription": [{"shortDescription": {"@fr": "Un musée inventé pour les tests."}}],
        "isLocatedAt": [
            {"geo": {"latitude": lat, "longitude": lon},
             "address": [{"streetAddress": ["1 rue d'Exemple"], "postalCode": "62200",
                          "addressLocality": "Boulogne-sur-Mer"}]}
        ],
        "openingHoursSpecification": [{"opens": "10:00:00", "closes": "18:00:00", "dayOfWeek": ["Tuesday", "Sunday"]}],
        "hasContact": [{"telephone": ["+33 3 00 00 00 00"], "homepage": ["https://example.org/musee"]}],
        "lastUpdate": updated,
        **extra,
    }  # fmt: skip


def api_event(uuid, *, updated="2026-11-05"):
    return {
        "uuid": uuid,
        "uri": f"https://data.datatourisme.fr/11/{uuid}",
        "type": ["EntertainmentAndEvent", "Festival"],
        "label": {"fr": ["Fête d'exemple"]},
        "isLocatedAt": [{"geo": {"latitude": "50.7233", "longitude": 1.6072}}],
        "takesPlaceAt": [
            {"startDate": "2027-07-10", "endDate": "2027-07-11", "startTime": "14:00:00", "endTime": "23:00:00"}
        ],
        "lastUpdate": updated,
    }


def page(objects, *, next_url=None, total_pages=None, number=None):
    meta = {"total": 3, "page_size": 100}
    if next_url:
        meta["next"] = next_url
    if total_pages is not None:
        meta["total_pages"] = total_pages
    if number is not None:
        meta["page"] = number
    return 200, {}, {"objects": objects, "meta": meta}


class FakeApi:
    """What the server answers (`answer(path, query)` -> status, headers, JSON body) and what it was asked."""

    def __init__(self):
        self.seen: list[dict] = []
        self.base = ""
        self.answer = self.three_pages

    def three_pages(self, path, query):
        """A first read: a relative next link (carrying a key the reader must strip), then an absolute one."""
        cursor = query.get("cursor", [None])[0]
        if cursor is None:
            return page([api_place("UUID-A"), api_place("UUID-B", name="Phare d'exemple", lat="50.7300")],
                        next_url="/v1/catalog?cursor=p2&page_size=100&api_key=leaked")  # fmt: skip
        if cursor == "p2":
            return page([api_event("UUID-C")], next_url=f"{self.base}/catalog?cursor=p3&page_size=100")
        return page([])


@pytest.fixture
def api(monkeypatch):
    fake = FakeApi()
    waits: list[float] = []
    monkeypatch.setattr(datatourisme_api, "sleep", waits.append)
    monkeypatch.setenv("DATATOURISME_API_KEY", KEY)
    fake.waits = waits

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            fake.seen.append({"path": parts.path, "raw": self.path, "query": query,
                              "key": self.headers.get("X-API-Key")})  # fmt: skip
            if self.headers.get("X-API-Key") != KEY:
                status, headers, body = 401, {}, {"error": "bad key"}
            else:
                status, headers, body = fake.answer(parts.path, query)
            send_json(self, body, status=status, headers=headers)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.base = f"http://127.0.0.1:{server.server_address[1]}/v1"
    yield fake
    server.shutdown()
    server.server_close()


def run_import(app, source, *extra) -> tuple[int, dict, str]:
    result = app.test_cli_runner().invoke(args=["import", "datatourisme", str(source), *extra])
    body = json.loads(result.output) if result.exit_code == 0 else {"error": result.output}
    return result.exit_code, body, result.output


def imported(external_id, model=Poi):
    record = db.session.execute(select(ImportRecord).where(ImportRecord.external_id == external_id)).scalar_one()
    db.session.expire_all()
    return db.session.get(model, record.target_id)


def uri(uuid, folder=13):
    return f"https://data.datatourisme.fr/{folder}/{uuid}"


def test_the_api_is_read_through_its_next_links_with_the_key_in_the_header_only(app, api):
    code, report, output = run_import(app, api.base)
    assert code == 0 and report["counts"]["created"] == 3 and report["counts"]["rejected"] == 0, report
    assert [(r["path"], r["query"].get("cursor")) for r in api.seen] == [
        ("/v1/catalog", None), ("/v1/catalog", ["p2"]), ("/v1/catalog", ["p3"])
    ]  # fmt: skip
    assert api.seen[0]["query"]["page_size"] == ["100"] and "filters" not in api.seen[0]["query"]
    assert all(r["key"] == KEY for r in api.seen)
    assert not any(KEY in r["raw"] or "api_key" in r["raw"] for r in api.seen)  # the next link's key stripped
    assert KEY not in output
    poi = imported(uri("UUID-A"))  # no dc:identifier: the uri, as the flux's @id
    assert poi.name == {"fr": "Musée d'exemple", "en": "Example museum"} and poi.category == "museum"
    assert poi.description == {"fr": "Un musée inventé pour les tests."}
    assert poi.opening_hours == "Tu,Su 10:00-18:00" and poi.address == "1 rue d'Exemple, 62200 Boulogne-sur-Mer"
    assert imported(uri("UUID-C", 11), Event).category == "festival"
    code, again, _ = run_import(app, f"{api.base}/catalog")  # the endpoint's own URL reads the same
    assert code == 0 and again["counts"]["unchanged"] == 3, again


def test_pages_without_next_links_are_read_by_number(app, api):
    def numbered(path, query):
        number = int(query.get("page", ["1"])[0])
        objects = {1: [api_place("UUID-N1")], 2: [api_place("UUID-N2", lat=50.74)]}.get(number, [])
        return page(objects, total_pages=2, number=number)

    api.answer = numbered
    code, report, _ = run_import(app, api.base, "--endpoint", "placeOfInterest")
    assert code == 0 and report["counts"]["created"] == 2, report
    assert [(r["path"], r["query"].get("page")) for r in api.seen] == [("/v1/placeOfInterest", None),
                                                                       ("/v1/placeOfInterest", ["2"])]  # fmt: skip


def test_since_sends_the_filter_and_unpublishes_nothing(app, api):
    app.config["DATATOURISME_API_FILTERS"] = AREA_FILTER
    try:
        assert run_import(app, api.base)[0] == 0
        api.seen.clear()
        api.answer = lambda path, query: page([api_place("UUID-A", name="Musée rénové", updated="2026-12-02")])
        code, report, _ = run_import(app, api.base, "--since", "2026-12-01T00:30:00+01:00")
    finally:
        app.config["DATATOURISME_API_FILTERS"] = ""
    assert code == 0 and report["counts"]["updated"] == 1 and report["counts"]["unpublished"] == 0, report
    assert api.seen[0]["query"]["filters"] == [f"{AREA_FILTER} AND lastUpdate[gte]=2026-11-30"]  # UTC's day
    assert imported(uri("UUID-A")).name["fr"] == "Musée rénové"
    assert imported(uri("UUID-B")).status == "published"
    assert imported(uri("UUID-C", 11), Event).publication == "published"


def test_a_scheduled_incremental_run_reads_from_the_last_successful_run(app, api):
    with configured(app, [{"name": "datatourisme", "location": api.base, "every_h": 1, "incremental": True}]):
        first = schedule.run_source("datatourisme")
        assert first["status"] == "ok" and first["counts"]["created"] == 3, first
        assert "filters" not in api.seen[0]["query"]
        api.seen.clear()
        api.answer = lambda path, query: page([])
        second = schedule.run_source("datatourisme")
    assert second["status"] == "ok" and second["counts"]["unpublished"] == 0, second
    assert api.seen[0]["query"]["filters"][0].startswith("lastUpdate[gte]=20")
    assert imported(uri("UUID-B")).status == "published"


def test_a_short_rate_limit_and_server_errors_are_waited_out(app, api):
    answers = [(429, {"x-ratelimit-reset": "7"}, {}), (503, {}, {}), (429, {"Retry-After": "3"}, {})]

    def flaky(path, query):
        return answers.pop(0) if answers else page([api_place("UUID-R")])

    api.answer = flaky
    code, report, _ = run_import(app, api.base)
    assert code == 0 and report["counts"]["created"] == 1, report
    assert len(api.seen) == 4
    assert [wait for wait in api.waits if wait >= 1] == [7.0, datatourisme_api.BACKOFF_S, 3.0]


def test_a_long_rate_limit_stops_with_when_the_quota_resets(app, api):
    assert run_import(app, api.base)[0] == 0
    api.answer = lambda path, query: (429, {"x-ratelimit-reset": "2997"}, {"message": "quota"})
    code, _, output = run_import(app, api.base)
    assert code == 1 and "quota resets in 2997 s" in output and KEY not in output
    assert [wait for wait in api.waits if wait >= 1] == []  # not waited
    assert imported(uri("UUID-A")).status == "published"  # a failed read unpublishes nothing


def test_a_next_page_on_another_origin_is_refused(app, api):
    assert run_import(app, api.base)[0] == 0
    api.seen.clear()
    api.answer = lambda path, query: page([api_place("UUID-A")], next_url="https://elsewhere.example/v1/catalog?p=2")
    code, _, output = run_import(app, api.base)
    assert code == 1 and "another origin" in output and "refused" in output
    assert len(api.seen) == 1
    assert imported(uri("UUID-B")).status == "published"


def test_without_a_key_nothing_is_asked(app, api, monkeypatch):
    monkeypatch.delenv("DATATOURISME_API_KEY")
    code, _, output = run_import(app, api.base)
    assert code == 1 and "needs a key" in output and api.seen == []
    code, _, output = run_import(app, api.base, "--key", "wrong")
    assert code == 1 and "refused the key (401)" in output and "wrong" not in output


def test_one_object_from_the_flux_then_the_api_is_one_poi(app, api, tmp_path):
    flux_beach = beach()
    del flux_beach["dc:identifier"]  # known by its @id only
    assert run_import(app, write_flux(tmp_path / "flux", [museum(), flux_beach]))[0] == 0
    same_museum = api_place("9f1c", uri=museum()["@id"], identifier="PCUNOR062V50AAAA", updated="2026-12-01")
    same_beach = api_place("7b2e", name="Plage de Boulogne", uri=flux_beach["@id"], updated="2026-12-01",
                           type=["PlaceOfInterest", "Beach"], lat="50.7290", lon="1.5900")  # fmt: skip
    api.answer = lambda path, query: page([same_museum, same_beach])
    code, report, _ = run_import(app, api.base)
    assert code == 0 and report["counts"]["created"] == 0 and report["counts"]["updated"] == 2, report
    assert db.session.scalar(select(func.count()).select_from(Poi)) == 2
    assert db.session.scalar(select(func.count()).select_from(ImportRecord)) == 2
    assert imported("PCUNOR062V50AAAA").name["fr"] == "Musée d'exemple"


def test_the_api_shapes_read_as_the_fluxs():
    assert translations({"@fr": "Plage", "@en": ["Beach"], "@es": "Playa"}) == {"fr": "Plage", "en": "Beach"}
    assert classes({"type": ["PlaceOfInterest", "schema:Museum"]}) == {"PlaceOfInterest", "Museum"}
    assert classes({"@type": "Beach", "type": "ignored"}) == {"Beach"}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("api", "https://api.datatourisme.fr/v1/catalog"),
        ("https://api.datatourisme.fr/v1/", "https://api.datatourisme.fr/v1/catalog"),
        (
            "https://api.datatourisme.fr/v1/entertainmentAndEvent",
            "https://api.datatourisme.fr/v1/entertainmentAndEvent",
        ),
    ],
)
def test_the_endpoint_url(source, expected):
    assert datatourisme_api.endpoint_url(source, "catalog") == expected


def test_plain_http_is_only_for_this_machine():
    with pytest.raises(SourceError, match="https only"):
        datatourisme_api.endpoint_url("http://api.datatourisme.fr/v1", "catalog")
    with pytest.raises(SourceError, match="unknown DATAtourisme API endpoint"):
        datatourisme_api.endpoint_url("api", "hotels")


def test_page_numbers_past_ten_thousand_results_stop_the_read(app, api):
    assert run_import(app, api.base)[0] == 0
    api.answer = lambda path, query: page([api_place("UUID-A")], total_pages=150, number=100)  # no next link
    code, _, output = run_import(app, api.base)
    assert code == 1 and "first 10,000 results" in output and "DATATOURISME_API_FILTERS" in output
    assert imported(uri("UUID-B")).status == "published"  # not a complete snapshot: nothing unpublished
