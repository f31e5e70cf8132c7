"""What the domains' views share outside editing: the served language, paging links, labelled vocabularies."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request, url_for

from urbanpulse.core.i18n import negotiate, pick
from urbanpulse.web.http import GEOJSON_MIMETYPE
from urbanpulse.web.input_guard import CREDENTIAL_PARAMETERS


def lang_of(args: dict) -> str | None:
    """`lang`, else Accept-Language, else None (full translation objects)."""
    return negotiate(args.get("lang"), request.accept_languages)


def language_headers(lang: str | None) -> dict:
    """Content-Language when one language is served."""
    return {"Content-Language": lang} if lang else {}


def query_as_sent() -> str:
    """`request.full_path` less the API key: what links repeat and what cached answers are keyed by."""
    if not any(name in request.args for name in CREDENTIAL_PARAMETERS):
        return request.full_path
    kept = [(k, v) for k, v in request.args.items(multi=True) if k not in CREDENTIAL_PARAMETERS]
    return f"{request.path}?{urlencode(kept)}"


def page_links(endpoint: str, next_cursor: str | None, **path) -> list[dict]:
    """The `self` link (the query as sent) and, when there is a next page, the `next` link with its cursor."""
    links = [{"rel": "self", "href": query_as_sent().rstrip("?"), "type": GEOJSON_MIMETYPE}]
    if next_cursor:
        query = {**request.args.to_dict(), "cursor": next_cursor}
        for name in CREDENTIAL_PARAMETERS:
            query.pop(name, None)
        links.append({"rel": "next", "href": url_for(endpoint, **path, **query), "type": GEOJSON_MIMETYPE})
    return links


def labelled(labels: dict[str, dict[str, str]], lang: str | None) -> list[dict]:
    """A vocabulary as [{id, label}]: the label in `lang`, or the whole translation object without one."""
    return [{"id": key, "label": pick(texts, lang)[0] if lang else texts} for key, texts in labels.items()]
