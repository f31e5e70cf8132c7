"""The app's pages: `/` (around me) and `/places/<id>` (a place), HTML rendered here, enhanced by ES modules.

Every page works without JavaScript (links and forms); the scripts ask for the position, refresh the list
as the tourist walks and share a place. Not part of the API: registered outside the OpenAPI document.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from flask import Blueprint as FlaskBlueprint
from flask import make_response, render_template, request, url_for
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from webargs.fields import DelimitedList
from webargs.flaskparser import parser

from urbanpulse.app import icons, offline, places, walks, whatson
from urbanpulse.app.messages import catalogue
from urbanpulse.core.errors import NotFound
from urbanpulse.core.i18n import LANGUAGES, negotiate
from urbanpulse.pois.categories import CATEGORIES, CATEGORY_LABELS
from urbanpulse.pois.hours import local_time

STATIC = Path(__file__).resolve().parent / "static"
PAGE_MAX_AGE_S = 30
# What the walk-mode script writes on the page.
WALK_MODE_TEXTS = (
    "remaining", "next_stop", "off_route", "walk_finished", "metres", "kilometres", "start_walk", "stop_walk",
    "downloading", "downloaded", "download_partial",
)  # fmt: skip
# Scripts, styles, images and calls from this origin only; the JSON-LD block is data, not a script.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
)

bp = Blueprint(
    "touristapp",
    __name__,
    static_folder=str(STATIC),
    static_url_path="/app/static",
    template_folder="templates",
    description="The tourists' app (HTML; not part of the API)",
)


class AroundArgsSchema(Schema):
    """GET / : where to start, what to show."""

    lat = fields.Float(validate=validate.Range(-90, 90))
    lon = fields.Float(validate=validate.Range(-180, 180))
    category = DelimitedList(fields.String(validate=validate.OneOf(CATEGORIES)), validate=validate.Length(max=10))
    q = fields.String(validate=validate.Length(max=100))
    open_now = fields.Boolean(load_default=False)
    lang = fields.String(validate=validate.OneOf(LANGUAGES))
    partial = fields.String(validate=validate.OneOf(("list",)))


class WhatsOnArgsSchema(Schema):
    """GET /whats-on."""

    when = fields.String(load_default="today", validate=validate.OneOf(whatson.WHEN))
    lat = fields.Float(validate=validate.Range(-90, 90))
    lon = fields.Float(validate=validate.Range(-180, 180))
    lang = fields.String(validate=validate.OneOf(LANGUAGES))
    partial = fields.String(validate=validate.OneOf(("list",)))


class PlaceArgsSchema(Schema):
    """GET /places/<id>."""

    lang = fields.String(validate=validate.OneOf(LANGUAGES))


def page_language(args: dict) -> str:
    """`lang`, else the browser's preferred language among ours, else French."""
    return negotiate(args.get("lang"), request.accept_languages) or "fr"


def _html(body: str, *, lang: str, status: int = 200):
    response = make_response(body, status)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Accept-Language"
    response.headers["Cache-Control"] = f"public, max-age={PAGE_MAX_AGE_S}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def around_page():
    """Around me: the nearest published places from the given position, or from the belfry."""
    args = parser.parse(AroundArgsSchema(), request, location="query")
    lang = page_language(args)
    texts = catalogue(lang)
    positioned = "lat" in args and "lon" in args
    lon, lat = (args["lon"], args["lat"]) if positioned else places.BELFRY
    categories = list(dict.fromkeys(args.get("category") or ()))
    found = places.around(
        lon=lon,
        lat=lat,
        lang=lang,
        local_now=local_time(None),
        texts=texts,
        categories=categories,
        q=args.get("q"),
        open_now=args["open_now"],
    )
    context = {
        "t": texts,
        "lang": lang,
        "languages": LANGUAGES,
        "places": found,
        "positioned": positioned,
        "position": {"lon": lon, "lat": lat},
        "chosen": categories,
        "categories": [(key, CATEGORY_LABELS[key].get(lang) or CATEGORY_LABELS[key]["fr"]) for key in CATEGORIES],
        "q": args.get("q") or "",
        "open_now": args["open_now"],
    }
    template = "touristapp/place_list.html" if args.get("partial") == "list" else "touristapp/around.html"
    return _html(render_template(template, **context), lang=lang)


def place_page(poi_id: uuid.UUID):
    """A place's page, complete without JavaScript, with its schema.org description."""
    args = parser.parse(PlaceArgsSchema(), request, location="query")
    lang = page_language(args)
    texts = catalogue(lang)
    page = places.place(poi_id, lang=lang, local_now=local_time(None), texts=texts)
    url = url_for("touristapp.place_page", poi_id=poi_id, _external=True)
    context = {
        "t": texts,
        "lang": lang,
        "languages": LANGUAGES,
        "place": page,
        "json_ld": places.json_ld(page, url=url, lang=lang),
        "canonical": url,
    }
    return _html(render_template("touristapp/place.html", **context), lang=lang)


def duration_text(minutes: int, texts: dict) -> str:
    """ "45 min" or "2 h 05"."""
    if minutes < 60:
        return texts["minutes"].format(n=minutes)
    return texts["hours_minutes"].format(h=minutes // 60, m=minutes % 60)


def walks_page():
    """The published walks with their length, duration, theme and difficulty."""
    args = parser.parse(PlaceArgsSchema(), request, location="query")
    lang = page_language(args)
    texts = catalogue(lang)
    found = walks.walks(lang=lang)
    for item in found:
        item["length"] = places.distance_text(item["length_m"], texts)
        item["duration"] = duration_text(item["duration_min"], texts)
    context = {"t": texts, "lang": lang, "languages": LANGUAGES, "walks": found}
    return _html(render_template("touristapp/walks.html", **context), lang=lang)


def walk_page(route_id: uuid.UUID):
    """A walk: its line, ordered stops, GPX, and walk mode (the script follows the position)."""
    args = parser.parse(PlaceArgsSchema(), request, location="query")
    lang = page_language(args)
    texts = catalogue(lang)
    route = walks.walk(route_id, lang=lang)
    route["length"] = places.distance_text(route["length_m"], texts)
    route["duration"] = duration_text(route["duration_min"], texts)
    walk_texts = {key: texts[key] for key in WALK_MODE_TEXTS}
    context = {
        "t": texts,
        "lang": lang,
        "languages": LANGUAGES,
        "route": route,
        "walk_texts": walk_texts,
        "walk_data": walks.walk_mode_data(route),
    }
    return _html(render_template("touristapp/walk.html", **context), lang=lang)


def whats_on_page():
    """What's on now, today, this weekend or this week (near the position when given), updated live."""
    args = parser.parse(WhatsOnArgsSchema(), request, location="query")
    lang = page_language(args)
    texts = catalogue(lang)
    near = "lat" in args and "lon" in args
    found = whatson.occurrences(
        when=args["when"],
        now=datetime.now(UTC),
        lang=lang,
        lon=args.get("lon") if near else None,
        lat=args.get("lat") if near else None,
    )
    context = {
        "t": texts,
        "lang": lang,
        "languages": LANGUAGES,
        "items": found,
        "when": args["when"],
        "near": near,
        "json_ld": whatson.json_ld(found, lang=lang),
    }
    template = "touristapp/event_list.html" if args.get("partial") == "list" else "touristapp/whats_on.html"
    response = _html(render_template(template, **context), lang=lang)
    response.headers["Cache-Control"] = "no-cache"  # live content: the page revalidates each time
    return response


def favourites_page():
    """The tourist's favourite places, kept on the phone (drawn by favourites.js from the offline copy)."""
    args = parser.parse(PlaceArgsSchema(), request, location="query")
    lang = page_language(args)
    context = {"t": catalogue(lang), "lang": lang, "languages": LANGUAGES}
    return _html(render_template("touristapp/favourites.html", **context), lang=lang)


def service_worker():
    """The service worker, at the root so that it controls every page of the app."""
    shell = offline.shell_manifest(lambda name: url_for("touristapp.static", filename=name))
    body = render_template(
        "touristapp/sw.js",
        workbox_sw=url_for("touristapp.static", filename="vendor/workbox/workbox-sw.js"),
        workbox_prefix=url_for("touristapp.static", filename="vendor/workbox/"),
        shell=shell,
        shell_revision=offline.revision("place_offline.js") + offline.revision("app.css"),
    )
    response = make_response(body)
    response.mimetype = "text/javascript"
    response.headers["Cache-Control"] = "no-cache"  # browsers check for a new worker on each visit
    return response


def offline_page():
    """The offline shell: renders a place or a walk never visited from the content kept on the phone."""
    texts = {code: catalogue(code) for code in LANGUAGES}
    lang = page_language({})
    context = {"t": texts[lang], "lang": lang, "languages": LANGUAGES, "all_texts": texts}
    response = _html(render_template("touristapp/offline.html", **context), lang=lang)
    response.headers["Cache-Control"] = "no-cache"
    return response


def icon(size: int):
    """The app's icon as PNG (192 and 512 pixels)."""
    if size not in icons.SIZES:
        raise NotFound("no icon of that size")
    response = make_response(icons.icon_png(size))
    response.mimetype = "image/png"
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def manifest():
    """The web app manifest (installable app), in the browser's language."""
    lang = page_language({})
    texts = catalogue(lang)
    body = {
        "name": texts["app_name"],
        "short_name": "Urban Pulse",
        "lang": lang,
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b4f6c",
        "icons": [
            *(
                {"src": url_for("touristapp.icon", size=size), "sizes": f"{size}x{size}", "type": "image/png"}
                for size in icons.SIZES
            ),
            {
                "src": url_for("touristapp.icon", size=max(icons.SIZES)),
                "sizes": f"{max(icons.SIZES)}x{max(icons.SIZES)}",
                "type": "image/png",
                "purpose": "maskable",
            },
            {"src": url_for("touristapp.static", filename="icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = make_response(body)
    response.mimetype = "application/manifest+json"
    response.headers["Vary"] = "Accept-Language"
    return response


FlaskBlueprint.add_url_rule(bp, "/", "around_page", around_page)
FlaskBlueprint.add_url_rule(bp, "/places/<uuid:poi_id>", "place_page", place_page)
FlaskBlueprint.add_url_rule(bp, "/walks", "walks_page", walks_page)
FlaskBlueprint.add_url_rule(bp, "/walks/<uuid:route_id>", "walk_page", walk_page)
FlaskBlueprint.add_url_rule(bp, "/whats-on", "whats_on_page", whats_on_page)
FlaskBlueprint.add_url_rule(bp, "/favourites", "favourites_page", favourites_page)
FlaskBlueprint.add_url_rule(bp, "/manifest.webmanifest", "manifest", manifest)
FlaskBlueprint.add_url_rule(bp, "/app/icons/<int:size>.png", "icon", icon)
FlaskBlueprint.add_url_rule(bp, "/sw.js", "service_worker", service_worker)
FlaskBlueprint.add_url_rule(bp, "/offline", "offline_page", offline_page)
