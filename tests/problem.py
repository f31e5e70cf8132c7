"""Assertions on problem+json responses."""


def assert_problem(response, status: int, *fields: str) -> dict:
    """The response is an RFC 9457 problem with `status`, naming each of `fields` when given."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json", response.mimetype
    body = response.get_json()
    assert body["status"] == status
    assert body["title"] and body["type"] and body["detail"]
    named = {error["field"] for error in body.get("errors", [])}
    for field in fields:
        assert field in named, f"{field} not named in {named}"
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "<html" not in text.lower()
    return body
