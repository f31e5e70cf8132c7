"""The service plus the crowd's baseline, for `make bench` (issue 19): `gunicorn bench.crowd_baseline:app`.

`GET /api/v1/bench/crowd-baseline` does the parts of a cached crowd answer that do not depend on ranking: it
validates the same query (the nearby schema, through flask-smorest), reads the same generation counters from
Redis in one round trip (as a hit does when its worker holds the cell's entry), and answers
BENCH_BASELINE_BYTES bytes of GeoJSON (the size of a full crowd answer) with its ETag, through the same hooks
(the path is under /api/v1: CORS and the API-key check apply). What a crowd answer costs beyond the baseline
is its own work: ranking the candidates exactly from the tourist's position and writing their Features. The
route exists only in this module, never in the service.

BENCH_BASELINE_READS_REDIS=0 leaves the Redis read out: what a hit would cost if workers knew the counters
without asking (pushed invalidations), for measuring that lever by hand.
"""

from __future__ import annotations

import os

from flask.views import MethodView

from urbanpulse import create_app
from urbanpulse.cache import generations, store
from urbanpulse.pois import nearby_cache
from urbanpulse.pois.schemas import NearbyQueryArgsSchema
from urbanpulse.web.api_base import ApiBlueprint, api
from urbanpulse.web.http import GEOJSON_MIMETYPE, bytes_response
from urbanpulse.web.views_common import lang_of, language_headers

_HEAD, _TAIL = b'{"type":"FeatureCollection","features":[],"pad":"', b'"}'
BODY = _HEAD + b"x" * max(0, int(os.environ.get("BENCH_BASELINE_BYTES", 15_000)) - len(_HEAD) - len(_TAIL)) + _TAIL
READS_REDIS = os.environ.get("BENCH_BASELINE_READS_REDIS", "1") != "0"

blp = ApiBlueprint("bench_baseline", __name__, url_prefix="/api/v1/bench", description="The crowd's baseline")


@blp.route("/crowd-baseline")
class CrowdBaselineView(MethodView):
    @blp.arguments(NearbyQueryArgsSchema, location="query")
    def get(self, args):
        """A cached crowd answer without its ranking and Features: validation, the Redis read, the bytes."""
        categories = sorted(set(args.get("category") or ()))
        cell = nearby_cache.cell_lookup(
            lat=args["lat"], lon=args["lon"], radius_m=args["radius"], limit=args["limit"], categories=categories
        )
        if READS_REDIS and store.run(lambda client: generations.current(client, cell.generation_keys)) is None:
            raise RuntimeError("Redis did not answer")
        lang = lang_of(args)
        return bytes_response(BODY, mimetype=GEOJSON_MIMETYPE, headers=language_headers(lang), max_age_s=30)


app = create_app()
api.register_blueprint(blp)
