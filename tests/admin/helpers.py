"""Logging in and posting forms to the back office with Flask's test client, CSRF tokens included."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.factories import DEFAULT_PASSWORD

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The first CSRF token of a page."""
    match = TOKEN.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1) or match.group(2)


def hidden(html: str, name: str) -> str:
    """The value of the first hidden input called `name`."""
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'<input[^>]*value="([^"]*)"[^>]*name="{name}"', html
    )
    assert match, f"no hidden input {name}"
    return match.group(1).replace("&#34;", '"').replace("&quot;", '"')


def login(client, user, password: str = DEFAULT_PASSWORD, lang: str = "en"):
    """Log `user` in through the login form; English interface unless `lang` says otherwise."""
    page = client.get("/admin/login", headers={"Accept-Language": lang})
    response = client.post(
        "/admin/login",
        data={"email": user.email, "password": password, "csrf_token": csrf_token(page.get_data(as_text=True))},
        headers={"Accept-Language": lang},
    )
    return response


def post_form(client, url: str, data: dict, *, page_url: str | None = None, lang: str = "en"):
    """POST `data` to `url` with the CSRF token of `page_url` (default: `url`)."""
    page = client.get(page_url or url, headers={"Accept-Language": lang})
    assert page.status_code == 200, page.status_code
    return client.post(
        url,
        data={"csrf_token": csrf_token(page.get_data(as_text=True)), **data},
        headers={"Accept-Language": lang},
    )


class _FormReader(HTMLParser):
    """The fields of one <form id=...> as a browser would submit them (unchecked boxes left out)."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.values: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or ("name" not in attrs and tag != "option"):
            return
        if tag == "input" and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.values.setdefault(attrs["name"], []).append(attrs.get("value", "y"))
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.values[attrs["name"]] = [""]
        elif tag == "select":
            self._select, self._options = attrs["name"], []
        elif tag == "option" and self._select:
            self._options.append((attrs.get("value", ""), "selected" in attrs))

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea:
            self.values[self._textarea][0] = self.values[self._textarea][0].removeprefix("\r\n").removeprefix("\n")
            self._textarea = None
        elif tag == "select" and self._select:
            chosen = [value for value, selected in self._options if selected] or [self._options[0][0]]
            self.values[self._select] = chosen[:1]
            self._select = None


def form_values(page: str, form_id: str) -> dict:
    """What submitting the form `form_id` of `page` unchanged would send (lists for repeated names)."""
    reader = _FormReader(form_id)
    reader.feed(page)
    return {name: values if len(values) > 1 else values[0] for name, values in reader.values.items()}
