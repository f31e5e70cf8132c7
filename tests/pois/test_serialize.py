"""The pre-encoded features of hot paths are byte for byte what orjson gives for the dict features."""

from datetime import datetime

import orjson
import pytest

from tests.factories import make_poi
from urbanpulse.pois import queries
from urbanpulse.pois.serialize import feature, feature_json

QUAY = (1.5976, 50.7268)


@pytest.mark.parametrize("lang", [None, "en", "nl"])
@pytest.mark.parametrize("editor", [False, True])
@pytest.mark.parametrize("hours", [None, "Mo-Su 09:00-18:00"])
def test_feature_json_equals_feature(app, lang, editor, hours):
    make_poi(*QUAY, name={"fr": "Le quai", "en": "The quay"}, opening_hours=hours)
    ((row, distance),) = queries.nearby(lat=QUAY[1], lon=QUAY[0], radius_m=50, limit=5)
    local_now = datetime(2026, 7, 14, 10, 30)
    for extra in (None, {"distance_m": distance}, {"distance_m": 12.3, "relevance": 0.5}):
        arguments = dict(lang=lang, editor=editor, local_now=local_now, lon=row.lon, lat=row.lat, extra=extra)
        expected = orjson.dumps(feature(row, **arguments))
        assert orjson.dumps([feature_json(row, **arguments)]) == b"[" + expected + b"]"
        assert orjson.loads(expected)["properties"].get("open_now") == (True if hours else None)
