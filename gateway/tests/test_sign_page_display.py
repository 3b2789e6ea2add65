"""How the signing page shows its dates, file sizes and end states, in each language, without services (the
signing service's answers are faked as in test_sign_page_fields.py): the link's expiry as a readable date and
time with its zone (not raw ISO), sizes in ko/Mo in French, a finished good state in green; and, in Chromium, the
layout: the document's frame bounded on a phone, a refused link's card centred."""
import re
from html import unescape

import pytest
from paraph_gateway import create_app
from paraph_gateway.api import signing_pages
from paraph_gateway.api.signing_pages import EMBED_GONE, TEXT
from tests.typography import breakable_spaces, breakable_spaces_in

from .test_sign_page_fields import OFFLINE, FakeSigning, fake, link_info


@pytest.fixture
def app():
    return create_app(dict(OFFLINE))


def page(app, monkeypatch, locale="fr", **request):
    info = link_info(locale)
    info["request"].update({"expires_at": "2027-01-03T23:52:00.123456Z", **request})
    info["attachments"] = [
        {"id": "a1", "name": "Pièce d'identité", "required": True, "uploaded": True, "filename": "carte.png",
         "size": 1234},
        {"id": "a2", "name": "Kbis", "required": False, "uploaded": True, "filename": "kbis.pdf", "size": 1_534_000}]
    fake(monkeypatch, FakeSigning(info))
    return app.test_client().get("/sign/tok").get_data(as_text=True)


def expiry(html):
    return re.sub(r"<[^>]+>", "", re.search(r'<p class="hint" id="expires">(.*?)</p>', html).group(1))


@pytest.mark.parametrize("locale, shown", [("fr", "Lien valable jusqu&#39;au 3 janv. 2027, 23:52 UTC"),
                                           ("en", "Link valid until 3 Jan 2027, 23:52 UTC")])
def test_the_links_expiry_is_a_readable_date_and_time_with_its_zone(app, monkeypatch, locale, shown):
    html = page(app, monkeypatch, locale)
    assert expiry(html) == shown
    assert '<time datetime="2027-01-03T23:52:00.123456Z">' in html
    assert "2027-01-03 23:52" not in html and 'class="mono">Lien' not in html
    sept = page(app, monkeypatch, locale, expires_at="2026-09-30T07:05:00Z")
    assert expiry(sept).endswith("30 sept. 2026, 07:05 UTC" if locale == "fr" else "30 Sept 2026, 07:05 UTC")


@pytest.mark.parametrize("locale, small, large", [("fr", "(1&nbsp;ko)", "(1,5&nbsp;Mo)"),
                                                  ("en", "(1&nbsp;kB)", "(1.5&nbsp;MB)")])
def test_file_sizes_in_the_pages_language(app, monkeypatch, locale, small, large):
    html = page(app, monkeypatch, locale)
    assert f"carte.png {small}" in html and f"kbis.pdf {large}" in html
    # the script shows a file just uploaded with the same units
    assert ('kB: "ko", MB: "Mo", decimalMark: ","' if locale == "fr" else
            'kB: "kB", MB: "MB", decimalMark: "."') in html


def test_a_finished_good_state_is_green_a_refusal_is_not(app, monkeypatch):
    html = page(app, monkeypatch, status="completed")
    assert '<p class="notice ok" id="state">Tout le monde a signé' in html
    signing = link_info()
    signing["participant"]["status"] = "signed"
    fake(monkeypatch, FakeSigning(signing))
    assert '<p class="notice ok">Document signé. Merci\u00a0!</p>' in app.test_client().get("/sign/tok").get_data(
        as_text=True)
    signing["request"]["status"] = "declined"
    signing["participant"]["status"] = "declined"
    assert '<p class="notice warn">Vous avez refusé ce document.</p>' in app.test_client().get("/sign/tok").get_data(
        as_text=True)


def visible_text(html: str) -> str:
    """What a reader sees of the page: no script, style or tag."""
    return unescape(re.sub(r"<[^>]+>", "", re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)))


def test_the_french_page_holds_its_punctuation_with_a_no_break_space(app, monkeypatch):
    """No line starts with the ':' or '!' of the line before: the wording (the script's too), the embedded
    page's and what the page writes around it ("Document : D-2026-0001.pdf", the request's « title »)."""
    assert breakable_spaces_in([TEXT["fr"], EMBED_GONE["fr"]]) == {}
    text = visible_text(page(app, monkeypatch, message="Bonne lecture."))
    assert "Message\u00a0:" in text and breakable_spaces(text) == []
    assert "«\u00a0Contrat de maintenance\u00a0»" in page(app, monkeypatch, title="Contrat de maintenance")


def test_the_english_page_writes_its_own_punctuation(app, monkeypatch):
    """English puts no space before a colon and quotes a title in “…”, not « … »."""
    text = visible_text(page(app, monkeypatch, locale="en", message="Enjoy.", title="Maintenance contract"))
    assert "Message: Enjoy." in text and "Document: " in text and "“Maintenance contract”" in text
    assert "«" not in text and "\u00a0:" not in text


def test_the_page_has_the_client_portals_look(app, monkeypatch):
    """One stylesheet for the pages customers see (paraph_platform/client_pages.css), inlined in the page's own
    nonced style element, before the signing page's own rules."""
    from paraph_platform import client_pages
    html = page(app, monkeypatch)
    style = re.search(r'<style nonce="[^"]+">(.*?)</style>', html, flags=re.S).group(1)
    assert style.lstrip().startswith(client_pages.stylesheet().strip())


def test_the_document_opens_whole_in_a_tab_of_its_own_or_downloads(app, monkeypatch):
    """A phone may not show a PDF inside the page: the document is one tap away, whole."""
    html = page(app, monkeypatch)
    assert ('<a class="button secondary" id="open-pdf" href="/api/v1/sign/tok/document" target="_blank" '
            'rel="noopener">Ouvrir le PDF</a>') in html
    assert 'id="download-pdf" href="/api/v1/sign/tok/document?download=1">Télécharger le PDF</a>' in html


def served(app):
    from paraph_platform.testing import System
    return System({}, app.test_client(), app)


@pytest.mark.browser
def test_on_a_phone_the_document_leaves_the_consent_and_the_sign_button_within_reach(app, monkeypatch, browser):
    """The document scrolls inside a frame of bounded height: on a phone the signer reaches the consent box and
    the Sign button within two screens, not past a frame as tall as the page; on a desktop it stays tall."""
    from tests.e2e.web.browsing import by_id, screens_down
    fake(monkeypatch, FakeSigning(link_info(fields=[])))
    live = served(app)
    try:
        browser.set_window_size(375, 812)
        browser.get(f"{live.serve()}/sign/tok")
        window = browser.execute_script("return window.innerHeight")
        assert by_id(browser, "doc").size["height"] <= 0.6 * window
        assert screens_down(browser, by_id(browser, "consent")) < 2
        assert screens_down(browser, by_id(browser, "go")) < 2
        assert by_id(browser, "open-pdf").is_displayed()
        browser.set_window_size(1280, 900)
        assert by_id(browser, "doc").size["height"] >= 0.6 * browser.execute_script("return window.innerHeight")
    finally:
        live.close()


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 375])
def test_a_used_in_person_link_says_so_in_a_centred_card(app, monkeypatch, browser, width):
    """The 410 of an in-person link (used, expired) is a message page: its card centred, as the page asking to
    give the device back, with the way back to the document."""
    from paraph_platform.errors import Gone
    from tests.e2e.web.browsing import by_id, off_centre

    def refused(service, method, *args, **kw):
        assert method == "open_in_person"
        raise Gone("used", {"back_url": "/contracts/c1", "locale": "fr"})
    monkeypatch.setattr(signing_pages, "call", refused)
    live = served(app)
    try:
        browser.set_window_size(width, 900)
        browser.get(f"{live.serve()}/sign/in-person/tok")
        card = by_id(browser, "error")
        assert "déjà servi" in card.text and by_id(browser, "back-to-document").is_displayed()
        assert off_centre(browser, card) <= 1
    finally:
        live.close()
