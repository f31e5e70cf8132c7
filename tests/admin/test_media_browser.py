"""Issue 15 in headless Chromium: drop photos on an item's photo page (previews, upload with progress),
the worker makes their sizes, drag to reorder, fill credit and licence; no script or CSP error."""

from __future__ import annotations

import base64

import pytest

from tests.admin.browser import ARTIFACTS, PageProblems, log_in, new_page
from tests.factories import DEFAULT_PASSWORD, make_poi
from tests.media.helpers import media_rows, run_jobs
from tests.media.images import jpeg, png

DROP = """([files]) => {
  const transfer = new DataTransfer();
  for (const [name, type, b64] of files) {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    transfer.items.add(new File([bytes], name, {type}));
  }
  const zone = document.getElementById("drop-zone");
  for (const name of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(name, {dataTransfer: transfer, bubbles: true, cancelable: true}));
  }
}"""


@pytest.fixture
def local_store(app, tmp_path, monkeypatch):
    """Photos in a fresh local folder."""
    monkeypatch.setitem(app.config, "MEDIA_STORE", "local")
    monkeypatch.setitem(app.config, "MEDIA_ROOT", str(tmp_path / "media"))
    return tmp_path / "media"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_editor_drops_photos_reorders_them_and_credits_them(app, live_server, browser, editor, local_store):
    poi_id = make_poi(status="draft").id
    problems = PageProblems()
    context = browser.new_context(locale="fr-FR", viewport={"width": 1400, "height": 1000})
    try:
        page = new_page(context, problems)
        log_in(page, live_server, editor.email, DEFAULT_PASSWORD, path=f"/admin/pois/{poi_id}/")
        page.click("#photos-link")
        page.wait_for_url(f"**/admin/media/pois/{poi_id}/")
        assert page.title().startswith("Photos ·")
        assert page.locator("#no-photos").is_visible()

        big = jpeg(3000, 2000)
        files = [["port.jpg", "image/jpeg", _b64(big)], ["phare.png", "image/png", _b64(png(900, 600))]]
        page.evaluate(DROP, [files])
        page.locator("#previews img").nth(1).wait_for()
        assert page.locator("#previews figcaption").first.inner_text().startswith("port.jpg")
        page.fill("#credit-upload", "Ville de Boulogne")
        page.fill("#licence-upload", "CC BY 4.0")
        # The bar shows while the files are sent; on a fast machine that may be shorter than a poll (and the page
        # reloads once they are), so the tab records whether it was ever shown, in its session storage.
        page.evaluate(
            """() => { const bar = document.querySelector('#upload-progress');
                new MutationObserver((records) => {
                  // `hidden` removed: the record's old value is the attribute's (not null).
                  if (records.some((r) => r.attributeName === 'hidden' && r.oldValue !== null)) {
                    sessionStorage.setItem('barShown', '1');
                  }
                }).observe(bar, {attributes: true, attributeOldValue: true}); }"""
        )
        with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/upload")) as sent:
            page.click("#upload-submit")
        assert sent.value.status == 200
        page.wait_for_function("() => sessionStorage.getItem('barShown') === '1'")
        page.wait_for_selector(".up-media-item")
        assert page.locator(".up-media-item").count() == 2
        assert page.locator("[data-role=status]").first.inner_text() == "en traitement"
        first, second = [str(row.id) for row in media_rows()]
        assert [row.credit for row in media_rows()] == ["Ville de Boulogne"] * 2

        run_jobs(app)  # the worker of `make run`, here in-process on the test Redis
        page.reload()
        thumbnail = page.locator(f".up-media-item[data-id='{first}'] img")
        thumbnail.wait_for()
        assert page.evaluate("(img) => img.complete && img.naturalWidth", thumbnail.element_handle()) == 320

        # Drag the second photo above the first: the order is saved at once.
        page.drag_and_drop(f".up-media-item[data-id='{second}']", f".up-media-item[data-id='{first}']")
        page.wait_for_selector(".alert-success")
        assert [str(row.id) for row in media_rows()] == [second, first]
        assert page.locator(".up-media-item").first.get_attribute("data-id") == second

        item = page.locator(f".up-media-item[data-id='{first}']")
        item.locator("input[name=alt_fr]").fill("Le port au coucher du soleil")
        item.locator("input[name=licence]").fill("CC BY-SA 4.0")
        item.get_by_role("button", name="Enregistrer cette photo").click()
        page.wait_for_selector(".alert-success")
        saved = {str(row.id): row for row in media_rows()}[first]
        assert saved.alt == {"fr": "Le port au coucher du soleil"} and saved.licence == "CC BY-SA 4.0"
        assert page.locator(f".up-media-item[data-id='{first}'] [data-role=cover]").is_visible()  # the first upload
        item = page.locator(f".up-media-item[data-id='{second}']")
        item.get_by_role("button", name="Choisir comme couverture").click()
        page.wait_for_selector(".alert-success")
        assert page.locator(f".up-media-item[data-id='{second}'] [data-role=cover]").is_visible()
        assert page.locator("[data-role=cover]").count() == 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "media-edit.png"), full_page=True)
        assert problems.items == []
    finally:
        context.close()


def test_a_refused_file_is_said_on_the_page_and_nothing_is_kept(app, live_server, browser, editor, local_store):
    poi_id = make_poi(status="draft").id
    problems = PageProblems()
    context = browser.new_context(locale="fr-FR")
    try:
        page = new_page(context, problems)
        log_in(page, live_server, editor.email, DEFAULT_PASSWORD, path=f"/admin/media/pois/{poi_id}/")
        page.evaluate(DROP, [[["facture.jpg", "image/jpeg", _b64(b"%PDF-1.4 not an image")]]])
        page.click("#upload-submit")
        page.wait_for_selector("#upload-status.text-danger")
        assert "JPEG" in page.locator("#upload-status").inner_text()
        assert media_rows() == []
        assert [item for item in problems.items if "/upload" not in item] == []  # the 415 itself is expected
    finally:
        context.close()
