"""Following `next` links through a paged listing, optionally changing the data between two pages."""


def pages(client, url, params, *, between=None, max_pages: int = 100) -> list[dict]:
    """Every page of a listing; `between(page_number)` runs after each page that has a next one."""
    bodies = []
    for number in range(1, max_pages + 1):
        response = client.get(url, query_string=params)
        assert response.status_code == 200, response.get_json()
        bodies.append(response.get_json())
        following = [link["href"] for link in bodies[-1]["links"] if link["rel"] == "next"]
        if not following:
            return bodies
        if between:
            between(number)
        url, params = following[0], None
    raise AssertionError("the listing never ended")


def ids(bodies) -> list[str]:
    """The ids of every Feature of the pages, in order."""
    return [feature["id"] for body in bodies for feature in body["features"]]


def cursor_of(body) -> str:
    """The cursor of a page's next link."""
    href = next(link["href"] for link in body["links"] if link["rel"] == "next")
    return href.split("cursor=")[1].split("&")[0]
