"""How the signing page shows its dates, file sizes and end states, in each language, without services (the
signing service's answers are faked as in test_sign_page_fields.py): the link's expiry as a readable date and
time with its zone (not raw ISO), sizes in ko/Mo in French, a finished good state in green; and, in Chromium, the
layout: the document's frame bounded on a phone, a refused link's card centred."""
import json
import re
import time
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
    # the script rewrites it in the signer's own time zone (a browser test below); this is the page without script
    assert '<time datetime="2027-01-03T23:52:00.123456Z" data-local-time>' in html
    assert "2027-01-03 23:52" not in html and 'class="mono">Lien' not in html
    sept = page(app, monkeypatch, locale, expires_at="2026-09-30T07:05:00Z")
    assert expiry(sept).endswith("30 sept. 2026, 07:05 UTC" if locale == "fr" else "30 Sept 2026, 07:05 UTC")
    # the first of a month as the French write it, as every date Paraph writes (paraph_platform.dates)
    first = page(app, monkeypatch, locale, expires_at="2027-03-01T09:00:00Z")
    assert expiry(first).endswith("1er mars 2027, 09:00 UTC" if locale == "fr" else "1 Mar 2027, 09:00 UTC")


@pytest.mark.parametrize("locale, small, large", [("fr", "(1&nbsp;ko)", "(1,5&nbsp;Mo)"),
                                                  ("en", "(1&nbsp;kB)", "(1.5&nbsp;MB)")])
def test_file_sizes_in_the_pages_language(app, monkeypatch, locale, small, large):
    html = page(app, monkeypatch, locale)
    assert f"carte.png {small}" in html and f"kbis.pdf {large}" in html
    # the script shows a file just uploaded with the same units (clientPages.sizeText, shared with the portal)
    assert ('kilobytes: "ko", megabytes: "Mo"' if locale == "fr" else 'kilobytes: "kB", megabytes: "MB"') in html
    assert ('decimal_mark: ","' if locale == "fr" else 'decimal_mark: "."') in html
    assert "var clientPages = {" in html


def test_a_finished_good_state_is_green_a_refusal_is_not(app, monkeypatch):
    html = page(app, monkeypatch, status="completed", signers=2)
    assert '<p class="notice ok" id="state">Tout le monde a signé' in html
    signing = link_info()
    signing["participant"]["status"] = "signed"
    fake(monkeypatch, FakeSigning(signing))
    assert '<p class="notice ok" id="state">Document signé. Merci\u00a0!</p>' in app.test_client().get(
        "/sign/tok").get_data(as_text=True)
    signing["request"]["status"] = "declined"
    signing["participant"]["status"] = "declined"
    assert '<p class="notice warn">Vous avez refusé ce document.</p>' in app.test_client().get("/sign/tok").get_data(
        as_text=True)


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_one_signer_is_not_everybody(app, monkeypatch, locale):
    """"Tout le monde a signé" is said of several signers; of one, the document is signed (and that one, just
    after signing, reads "Document signé. Merci ! Le document signé vous est envoyé par email.", then "Vous
    pouvez le télécharger.")."""
    t = TEXT[locale]
    done = page(app, monkeypatch, locale, status="completed", signers=1)
    assert f'<p class="notice ok" id="state">{t["completed_one"]}</p>' in done and t["completed"] not in done
    sealing = page(app, monkeypatch, locale, status="sealing", signers=1)
    assert f'<p class="notice warn">{t["sealing_one"]}</p>' in sealing and t["sealing"] not in sealing
    said = json.dumps  # the script's texts, as tojson writes them
    pending = page(app, monkeypatch, locale, signers=1)  # what the script says once the signer signed
    assert f'signedLast: {said(t["signed_last_one"])}' in pending and f'ready: {said(t["ready"])}' in pending
    several = page(app, monkeypatch, locale, signers=3)
    assert f'signedLast: {said(t["signed_last"])}' in several and f'ready: {said(t["ready"])}' in several
    if locale == "fr":
        assert t["completed_one"] == "Document signé\u00a0: vous pouvez le télécharger."


def visible_text(html: str) -> str:
    """What a reader sees of the page: no script, style or tag."""
    return unescape(re.sub(r"<[^>]+>", "", re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)))


def test_the_french_page_holds_its_punctuation_with_a_no_break_space(app, monkeypatch):
    """No line starts with the ':' or '!' of the line before: the wording (the script's too), the embedded
    page's and what the page writes around it ("Document : D-2026-0001.pdf", the request's « title »)."""
    assert breakable_spaces_in([TEXT["fr"], EMBED_GONE["fr"]]) == {}
    text = visible_text(page(app, monkeypatch, message="Bonne lecture."))
    assert "Message\u00a0:" in text and breakable_spaces(text) == []
    titled = page(app, monkeypatch, title="Contrat de maintenance")
    assert "<h1>Devis <span" in titled and 'id="request-title">Contrat de maintenance</div>' in titled


def test_the_english_page_writes_its_own_punctuation(app, monkeypatch):
    """English puts no space before a colon; the heading names the document in English."""
    html = page(app, monkeypatch, locale="en", message="Enjoy.", title="Maintenance contract")
    text = visible_text(html)
    assert "Message: Enjoy." in text and "Document: " in text and "<h1>Quote <span" in html
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
    assert 'data-src="/api/v1/sign/tok/document"' in html


def test_the_signed_document_is_shown_in_the_page_or_downloaded(app, monkeypatch):
    """The signing page frames the signed document (inline=1); its "Download" button saves it."""
    signing = fake(monkeypatch, FakeSigning(link_info("fr")))
    client = app.test_client()
    shown = client.get("/api/v1/sign/tok/signed.pdf?inline=1")
    assert shown.status_code == 200 and shown.headers["Content-Disposition"].startswith("inline;")
    saved = client.get("/api/v1/sign/tok/signed.pdf", headers={"User-Agent": "Firefox"},
                       environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert saved.headers["Content-Disposition"].startswith("attachment;")
    assert client.head("/api/v1/sign/tok/signed.pdf").status_code == 200  # a link scanner's look
    assert [method for method, _ in signing.calls] == ["public_signed_pdf"] * 3
    # only the saved copy is a download (the portal records a customer's download of a quote), with who took it
    asked = [args[1] for _, args in signing.calls]
    assert [a["download"] for a in asked] == [False, True, False]
    assert asked[1]["ip"] == "203.0.113.7" and asked[1]["user_agent"] == "Firefox"


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


def test_the_consent_sentence_reads_on_and_its_fingerprint_has_a_line_of_its_own(app, monkeypatch):
    """The signing service's consent ends with the document's 64-character fingerprint: the page shows the
    sentences, then that last one in a small line of its own, the words in their order."""
    signing = link_info("en")
    signing["consent_text"] = ("I have read the document D-2026-0001 \"Maintenance\" and I agree to sign it "
                               f"electronically. SHA-256 fingerprint of the document: {'ab' * 32}")
    fake(monkeypatch, FakeSigning(signing))
    html = app.test_client().get("/sign/tok").get_data(as_text=True)
    assert ('<label for="consent">I have read the document <span class="nowrap">D-2026-0001</span> &#34;Maintenance&#34; '
            f'and I agree to sign it electronically. <span class="mono">SHA-256 fingerprint of the document: {"ab" * 32}</span></label>') in html


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 375])
def test_files_are_chosen_with_the_pages_own_button_which_shows_the_keyboards_focus(app, monkeypatch, browser, width):
    """The browser's own file control is small and speaks the browser's language: the page shows a button in its
    own language (the label of the hidden input), the file attached next to it, and the keyboard's focus on it.
    The link's expiry in the signer's time zone. An approver declines with words of their own, apart from the
    Approve button."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    from tests.e2e.web.browsing import by_id
    info = link_info("en", fields=[])
    info["request"]["expires_at"] = "2027-01-03T23:52:00.123456Z"
    info["attachments"] = [
        {"id": "a1", "name": "ID card", "required": True, "uploaded": False, "filename": None, "size": None},
        {"id": "a2", "name": "Company registration", "required": False, "uploaded": True, "filename": "kbis.pdf",
         "size": 1_534_000}]
    signing = fake(monkeypatch, FakeSigning(info))
    live = served(app)
    try:
        browser.set_window_size(width, 900)
        browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "Europe/Paris"})
        browser.get(f"{live.serve()}/sign/tok")
        assert [e for e in browser.get_log("browser") if e["source"] != "network"] == []
        # the link's expiry in the signer's own time zone (Paris), named as the page's language names it
        assert by_id(browser, "expires").text == "Link valid until 4 Jan 2027, 00:52 CET"
        buttons = [by_id(browser, f"attachment-{n}-choose") for n in (1, 2)]
        assert [b.text for b in buttons] == ["Choose a file"] * 2
        chosen = by_id(browser, "attachment-2-chosen")
        assert chosen.text == "kbis.pdf (1.5 MB)" and abs(chosen.location["y"] - buttons[1].location["y"]) < 20
        assert by_id(browser, "attachment-1-chosen").text == ""
        # from the first file to the second by keyboard: the focus shows on the second one's button only
        browser.execute_script("arguments[0].focus()", by_id(browser, "attachment-1-input"))
        ActionChains(browser).send_keys(Keys.TAB).perform()  # a key pressed, not a file path typed in the input
        assert browser.switch_to.active_element.get_attribute("id") == "attachment-2-input"

        def outline(element):
            return browser.execute_script("return getComputedStyle(arguments[0]).outlineStyle", element)
        assert [outline(b) for b in buttons] == ["none", "solid"]
        # an approver: the refusal says what is refused, under the Approve button, apart from it
        signing.info = {**info, "action": "approve", "attachments": []}
        browser.get(f"{live.serve()}/sign/tok")
        go, decline = by_id(browser, "go"), by_id(browser, "decline")
        assert (go.text, decline.text) == ("Approve", "I decline to approve")
        assert decline.location["y"] >= go.location["y"] + go.size["height"] + 24
        decline.click()
        assert by_id(browser, "reason").is_displayed() and decline.get_attribute("aria-expanded") == "true"
    finally:
        live.close()


def test_the_documents_fingerprint_is_named_once_in_the_consent(app, monkeypatch):
    """The consent names the document signed by its fingerprint (the words the service records): the page does not
    repeat it under the document; a consent naming none leaves it there."""
    signing = link_info()
    signing["consent_text"] = f"J'ai lu le document et j'accepte de le signer. Empreinte SHA-256 du document\u00a0: {'a' * 64}"
    fake(monkeypatch, FakeSigning(signing))
    text = visible_text(app.test_client().get("/sign/tok").get_data(as_text=True))
    assert text.count("a" * 64) == 1 and "Document\u00a0: D-2026-0001.pdf" in text
    signing["consent_text"] = "J'accepte"
    text = visible_text(app.test_client().get("/sign/tok").get_data(as_text=True))
    assert text.count("a" * 64) == 1 and "Empreinte SHA-256" in text


def filled_buttons(html: str) -> list[str]:
    """The ids of the page's filled buttons (class "button" alone: not secondary, not danger)."""
    return re.findall(r'class="button" [^>]*?id="([^"]+)"', html)


def test_sign_is_the_one_filled_button_initials_are_adopted_with_an_outlined_one(app, monkeypatch):
    html = page(app, monkeypatch)
    assert 'id="initials"' in html and filled_buttons(html) == ["go"]
    assert '<button type="button" class="button secondary" id="adopt">' in html


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_once_signed_the_signed_document_is_offered_without_the_links_expiry(app, monkeypatch, locale):
    """Signed, the link's expiry no longer matters; once sealed, the signed document is the one offered (filled), not
    the unsigned PDF too, and is called "signed", a word the signer knows (not "sealed")."""
    signing = link_info(locale)
    signing["participant"]["status"] = "signed"
    fake(monkeypatch, FakeSigning(signing))
    html = app.test_client().get("/sign/tok").get_data(as_text=True)
    assert 'id="expires"' not in html and 'id="download-pdf"' in html  # others still to sign: nothing sealed yet
    signing["request"]["status"] = "completed"
    html = app.test_client().get("/sign/tok").get_data(as_text=True)
    assert 'id="expires"' not in html and 'id="download-pdf"' not in html
    assert filled_buttons(html) == ["signed-pdf"] and 'href="/api/v1/sign/tok/signed.pdf"' in html
    # the document shown and opened is the signed one, no longer the one sent for signature
    assert 'id="open-pdf" href="/api/v1/sign/tok/signed.pdf?inline=1"' in html
    assert 'data-src="/api/v1/sign/tok/signed.pdf?inline=1"' in html and "/api/v1/sign/tok/document" not in html
    text = visible_text(html)
    assert ("vous pouvez télécharger le document" if locale == "fr" else "you can download the document") in text
    assert "scellé" not in text and "sealed" not in text
    # the proof of signature beside it (outlined), as the completion email promises ("son dossier de preuve")
    assert '<a class="button secondary" id="proof-pdf" href="/api/v1/sign/tok/proof.pdf">' in html
    assert ("Télécharger la preuve de signature" if locale == "fr" else "Download the proof of signature") in text
    # while the signer has something to do, the expiry is said
    assert 'id="expires"' in page(app, monkeypatch, locale)


@pytest.mark.browser
def test_once_everybody_signed_both_files_are_offered_on_a_phone_too(app, monkeypatch, browser):
    """The signed document and the proof of signature, the filled one first then the outlined one, each whole within
    the panel at the desktop's width and within the screen on a phone."""
    from tests.e2e.web.browsing import across_in_view, by_id, screenshots, scrolls_sideways
    signing = link_info("fr")
    signing["participant"]["status"] = "signed"
    signing["request"]["status"] = "completed"
    live = served(app)
    try:
        fake(monkeypatch, FakeSigning(signing))
        browser.get(f"{live.serve()}/sign/tok")  # the browser fixture's window: 1280 px wide
        signed, proof = by_id(browser, "signed-pdf"), by_id(browser, "proof-pdf")
        screenshots(browser, "sign-page-completed")
        for width in (1280, 375):
            browser.set_window_size(width, 900)
            assert not scrolls_sideways(browser)
            assert across_in_view(browser, signed) and across_in_view(browser, proof)
            assert proof.location["y"] > signed.location["y"] or proof.location["x"] > signed.location["x"]
    finally:
        live.close()


@pytest.mark.parametrize("locale, named", [("fr", "De la part de Bea Boss"), ("en", "From Bea Boss")])
def test_the_sender_is_named_by_their_name_or_not_at_all(app, monkeypatch, locale, named):
    """A sender without a name is given by the signing service as their email: "De la part de admin@…" would not
    read in French (d'admin@…) and tells the signer nothing more: the company alone is named, in the top bar
    (not again under the title)."""
    def sender_line(sender_name):
        html = page(app, monkeypatch, locale, sender_name=sender_name)
        assert re.search(r'id="sender-brand">Vendeur SA<', html)
        found = re.search(r'<p class="muted" id="sender">.*?</p>', html)
        return found and visible_text(found.group(0))
    assert sender_line("Bea Boss") == named
    assert sender_line("admin@vendeur.test") is sender_line("") is None


CONSENT_FR = ("J'ai pris connaissance du document Q-2026-00001 «\u00a0Équipement atelier\u00a0» et j'accepte de le "
              "signer électroniquement. Je reconnais que ma signature électronique a la même valeur qu'une signature "
              f"manuscrite et exprime mon consentement à son contenu. Empreinte SHA-256 du document\u00a0: {'ab' * 32}")


def coded(locale="fr"):
    """A quote to sign with the code emailed to the signer, its number a hyphenated one."""
    info = link_info(locale, fields=[])
    info["request"]["number"] = "Q-2026-00001"
    info["document"]["filename"] = "Q-2026-00001.pdf"
    info["consent_text"] = CONSENT_FR
    info["otp"]["required"] = True
    return info


def test_the_consent_keeps_the_document_number_whole(app, monkeypatch):
    """Browsers break a line after a hyphen: the consent sentence, and the document's name above it, keep the
    number in one piece (as the heading does), still escaped."""
    fake(monkeypatch, FakeSigning(coded()))
    html = app.test_client().get("/sign/tok").get_data(as_text=True)
    assert ('<label for="consent">J&#39;ai pris connaissance du document <span class="nowrap">Q-2026-00001</span> '
            '«\u00a0Équipement atelier\u00a0»') in html
    assert 'Document\u00a0: <span class="nowrap">Q-2026-00001</span>.pdf' in html


@pytest.mark.browser
def test_a_wrong_code_is_said_under_the_code_field_and_the_number_never_breaks(app, monkeypatch, browser):
    """On a phone the consent never writes "Q-" at a line's end and "2026-00001" at the next one's start. A refused
    code is said under the "Code à 6 chiffres" field, which gets the focus (under the Sign button it was far from
    the field, below a phone's fold); what concerns the whole form (the consent) stays under the Sign button."""
    from paraph_platform.errors import InvalidInput
    from tests.e2e.web.browsing import by_id, lines_of, screenshots
    signing = fake(monkeypatch, FakeSigning(coded(), sign_answers=[
        InvalidInput("Wrong code.", {"fields": {"otp": ["wrong code"]}, "attempts_left": 2}),
        InvalidInput("Consent is required.", {"fields": {"consent": ["required"]}})]))
    live = served(app)
    try:
        browser.get(f"{live.serve()}/sign/tok")
        assert [e for e in browser.get_log("browser") if e["source"] != "network"] == []
        label = browser.find_element("css selector", "label[for=consent]")
        for width in range(320, 481, 4):
            browser.set_window_size(width, 900)
            assert lines_of(browser, label, "Q-2026-00001") == 1, width
        browser.set_window_size(375, 812)
        by_id(browser, "consent").click()
        code = by_id(browser, "otp")
        code.send_keys("000000")
        by_id(browser, "go").click()
        error = by_id(browser, "otp-err")
        live.wait_for(lambda: error.text, message="the code's error")
        assert error.text == "Code incorrect : vérifiez-le et réessayez. Essais restants : 2"
        assert not by_id(browser, "msg").is_displayed()
        assert code.get_attribute("aria-invalid") == "true" and code.get_attribute("aria-describedby") == "otp-err"
        assert browser.switch_to.active_element == code
        # right under the field, above the Sign button
        below = error.location["y"] - (code.location["y"] + code.size["height"])
        assert 0 <= below <= 12 and error.location["y"] < by_id(browser, "go").location["y"]
        screenshots(browser, "sign-page-wrong-code")
        # the consent is the form's: said under the Sign button, the code's error gone
        by_id(browser, "go").click()
        live.wait_for(lambda: by_id(browser, "msg").text, message="the consent's error")
        assert by_id(browser, "msg").text == "Cochez la case de consentement pour signer."
        assert error.text == "" and not error.is_displayed() and code.get_attribute("aria-invalid") is None
        assert [sent["otp"] for sent in signing.signed] == ["000000", "000000"]
    finally:
        live.close()


def test_an_uploaded_document_is_headed_by_its_title_not_its_files_name(app, monkeypatch):
    """An uploaded PDF's number is its file's name ("scan_0012"): the page was headed "scan_0012", the title
    below. The line under the document and the viewer's title named it "scan_0012.pdf" too, while its download,
    the signed PDF and the proof are named by its title: the title everywhere; an envelope still lists its parts
    by their files' names."""
    info = link_info()
    info["request"].update({"kind": "document", "number": "scan_0012", "title": "Contrat de prestation"})
    info["document"]["filename"] = "scan_0012.pdf"
    fake(monkeypatch, FakeSigning(info))
    html = app.test_client().get("/sign/tok").get_data(as_text=True)
    assert re.search(r"<h1>\s*Contrat de prestation\s*</h1>", html) and 'id="request-title"' not in html
    assert "<title>" in html and "– Contrat de prestation</title>" in html and ">scan_0012<" not in html
    assert "Document\u00a0: Contrat de prestation" in visible_text(html) and "scan_0012" not in visible_text(html)
    assert 'id="doc" name="doc"' in html and 'title="Contrat de prestation"></iframe>' in html
    info["documents"] = [{"filename": "scan_0012.pdf", "first_page": 1, "pages": 1},
                         {"filename": "annexe.pdf", "first_page": 2, "pages": 1}]
    envelope = app.test_client().get("/sign/tok").get_data(as_text=True)
    assert "Document\u00a0: Contrat de prestation" in visible_text(envelope)
    assert re.findall(r'data-show-page="\d">([^<]*)</a>', envelope) == ["scan_0012.pdf", "annexe.pdf"]
    quote = page(app, monkeypatch)  # a quote keeps its kind and number, its title below, its file's name
    assert 'Devis <span class="nowrap">D-2026-0001</span></h1>' in quote and 'id="request-title">Maintenance' in quote
    assert "Document\u00a0: D-2026-0001.pdf" in visible_text(quote) and 'title="D-2026-0001.pdf"></iframe>' in quote


def uploaded(locale="fr", role="signer", signers=3):
    """An uploaded PDF, as the colleague's run sent it: a title, its number the file's name, no placed field."""
    info = link_info(locale, fields=[])
    info["request"].update({"kind": "document", "number": "contrat", "title": "Contrat de prestation Client SARL",
                            "signers": signers, "signers_left": signers})
    info["document"]["filename"] = "contrat.pdf"
    info["participant"]["role"] = role
    info["action"] = "approve" if role == "approver" else "sign"
    info["otp"]["required"] = role == "signer"
    return info


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("left, role, said", [
    (2, "signer", {"fr": "Votre signature est enregistrée. Merci\u00a0! 2 autres personnes doivent encore signer\u00a0: "
                         "vous recevrez le document signé par email dès que tout le monde aura signé.",
                   "en": "Your signature is recorded. Thank you! 2 other people still have to sign: you will receive "
                         "the signed document by email once everyone has signed."}),
    (1, "signer", {"fr": "Une autre personne doit encore signer", "en": "One other person still has to sign"}),
    (0, "signer", {"fr": "Tout le monde a signé. Merci\u00a0! Le document signé vous est envoyé par email.",
                   "en": "Everyone has signed. Thank you! A copy of the signed document is on its way to you by email."}),
    (3, "approver", {"fr": "Votre approbation est enregistrée. Merci\u00a0! Les signataires seront ensuite invités à "
                           "signer", "en": "Your approval is recorded. Thank you! The signers will then be asked"})])
def test_who_acted_reads_what_comes_next_never_who_the_others_are(app, monkeypatch, locale, left, role, said):
    """The page said "Document signé. Merci !" to the first of three signers as to the last: it says their
    signature is recorded, how many have still to sign (not who: their emails are not the signer's to know) and
    that the signed document comes by email once everyone signed; the last, that it is signed and on its way."""
    info = uploaded(locale, role)
    info["participant"]["status"] = "approved" if role == "approver" else "signed"
    info["request"]["signers_left"] = left
    if left == 0:
        info["request"]["status"] = "sealing"
    fake(monkeypatch, FakeSigning(info))
    html = app.test_client().get("/sign/tok").get_data(as_text=True)
    if left:  # sealing says that it is being sealed, as before
        state = unescape(re.search(r'<p class="notice ok" id="state">(.*?)</p>', html, re.S).group(1))
        assert said[locale] in state and "@" not in state
    # the script says the same once they act, from the service's answer (signers_left)
    t = TEXT[locale]
    assert json.dumps(t["signed_others"]) in html and json.dumps(t["signed_last"]) in html
    assert json.dumps(t["approved_next"]) in html or role == "signer"


@pytest.mark.browser
@pytest.mark.parametrize("left", [2, 0])
def test_the_first_of_several_signers_is_told_the_others_still_have_to_sign(app, monkeypatch, browser, left):
    from tests.e2e.web.browsing import by_id, screenshots
    info = uploaded(signers=3)
    info["otp"]["required"] = False
    signing = fake(monkeypatch, FakeSigning(info))
    signing.answer = {"request_status": "pending" if left else "sealing", "signers_left": left}
    live = served(app)
    try:
        browser.set_window_size(1280, 900)
        browser.get(f"{live.serve()}/sign/tok")
        by_id(browser, "consent").click()
        by_id(browser, "go").click()
        msg = by_id(browser, "msg")
        live.wait_for(lambda: msg.text, message="the signed message")
        if left:
            assert msg.text == ("Votre signature est enregistrée. Merci ! 2 autres personnes doivent encore signer : "
                                "vous recevrez le document signé par email dès que tout le monde aura signé.")
        else:
            assert msg.text.startswith("Tout le monde a signé. Merci ! Le document signé vous est envoyé par email.")
        screenshots(browser, f"sign-page-signed-{left}-left")
    finally:
        live.close()


@pytest.mark.browser
@pytest.mark.parametrize("status, outcome_first", [("pending", False), ("signed", True)])
def test_on_a_phone_the_outcome_comes_before_the_document_once_nothing_is_left_to_do(
        app, monkeypatch, browser, status, outcome_first):
    """Coming back to the link after signing, a phone showed the title and the document's frame, the "signature
    recorded" notice a screen below: once there is nothing left to do, the panel (its outcome) is above the document;
    while there is, the document comes first, as the person reads it before signing."""
    from tests.e2e.web.browsing import by_id
    info = uploaded(signers=3)
    info["participant"]["status"] = status
    info["request"]["signers_left"] = 2
    fake(monkeypatch, FakeSigning(info))
    live = served(app)
    try:
        browser.set_window_size(390, 844)
        browser.get(f"{live.serve()}/sign/tok")
        panel_first = by_id(browser, "panel").location["y"] < by_id(browser, "document").location["y"]
        assert panel_first == outcome_first
        if outcome_first:
            assert by_id(browser, "state").location["y"] < browser.execute_script("return window.innerHeight")
        browser.set_window_size(1280, 900)  # side by side on a desktop
        assert by_id(browser, "panel").location["x"] > by_id(browser, "document").location["x"]
    finally:
        live.close()


@pytest.mark.browser
@pytest.mark.parametrize("role", ["signer", "approver"])
def test_on_a_phone_nothing_is_wider_than_the_screen(app, monkeypatch, browser, role):
    """At 390 x 844 the PDF viewer's toolbar was cut (and, a little wider, scrolled the document sideways): the
    page is no wider than the screen, the document's frame within it, shown without the browser's toolbar and as
    wide as the frame ("Ouvrir le PDF" shows it with its tools); a desktop keeps the toolbar."""
    from tests.e2e.web.browsing import _OVERFLOW_JS, by_id, screenshots
    signing = fake(monkeypatch, FakeSigning(uploaded(role=role)))
    live = served(app)
    try:
        browser.set_window_size(390, 844)
        browser.get(f"{live.serve()}/sign/tok")
        assert browser.execute_script("return window.innerWidth") == 390
        overflow = browser.execute_script(_OVERFLOW_JS)
        assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"), overflow
        frame = by_id(browser, "doc")
        assert frame.location["x"] >= 0 and frame.location["x"] + frame.size["width"] <= 390
        assert frame.get_attribute("src").endswith("/api/v1/sign/tok/document#toolbar=0&view=FitH")
        time.sleep(1)  # the document drawn in its frame, for the screenshot
        # asked for once: the frame's address was in the markup, then changed by the script, and the phone loaded
        # the document twice
        assert [method for method, _ in signing.calls].count("public_document") == 1
        screenshots(browser, f"sign-page-phone-{role}")
        browser.set_window_size(1280, 900)
        browser.get(f"{live.serve()}/sign/tok")
        assert by_id(browser, "doc").get_attribute("src").endswith("/api/v1/sign/tok/document")
    finally:
        live.close()


class OpenedUrls(FakeSigning):
    """The signing service's answers to the page of an embedded or in-person signing URL, opened once."""

    def __call__(self, service, method, *args, **kw):
        if method == "open_embed":
            self.calls.append((method, args))
            return {"link_token": "tok", "origin": "https://crm.test", "frame_ancestors": ["https://crm.test"],
                    "request_id": "r1", "participant_id": "p1", "return_url": None}
        if method == "open_in_person":
            self.calls.append((method, args))
            return {"link_token": "tok", "started_by_name": "Sam Sales", "back_url": "/contracts/c1"}
        return super().__call__(service, method, *args, **kw)


def test_the_signer_switches_the_page_to_the_other_language_its_consent_with_it(app, monkeypatch):
    """A French company's request, read by someone who reads English: the top bar links to the page in the other
    language, with the link of the client's quote page and portal (``?lang=``), and the page asks the signing service
    for everything it shows in that language, its consent text too, which the act sends back with the words'
    SHA-256. Another ``?lang=`` is ignored (the request's language), as on the portal. A one-use URL's page
    (embedded, in person) has no link: opening the page again would lose its frame or its hand-back."""
    from paraph_platform import client_pages
    from paraph_platform.errors import NotFound
    signing = fake(monkeypatch, OpenedUrls(link_info("fr")))
    client = app.test_client()

    def asked():  # the language the page asked the signing service for, last
        return [args[1] for method, args in signing.calls if method == "public_info"][-1]

    french = client.get("/sign/tok").get_data(as_text=True)
    assert asked() == {"locale": None} and '<html lang="fr">' in french
    assert client_pages.language_link("?lang=en", "en") in french  # "English", in the top bar
    assert french.index('id="sender-brand"') < french.index('id="lang-switch"') < french.index("</header>")
    english = client.get("/sign/tok?lang=en").get_data(as_text=True)
    assert asked() == {"locale": "en"} and '<html lang="en">' in english
    assert client_pages.language_link("?lang=fr", "fr") in english
    assert "<title>Electronic signature" in english and "Consent</h2>" in english and "Fields to complete" in english
    assert 'id="consent" data-sha="' + "b" * 64 + '" data-locale="en"' in english
    assert "locale: consent.dataset.locale" in english  # sent with the act
    assert 'data-locale="fr"' in client.get("/sign/tok?lang=fr").get_data(as_text=True) and asked() == {"locale": "fr"}
    assert '<html lang="fr">' in client.get("/sign/tok?lang=de").get_data(as_text=True) and asked() == {"locale": None}
    # a link that does not open: said in the language asked, the other one a click away
    def unknown(service, method, *args, **kw):
        raise NotFound("This signing link is not valid.")
    monkeypatch.setattr(signing_pages, "call", unknown)
    invalid = client.get("/sign/tok?lang=en")
    assert invalid.status_code == 404 and TEXT["en"]["invalid"] in invalid.get_data(as_text=True)
    assert client_pages.language_link("?lang=fr", "fr") in invalid.get_data(as_text=True)
    # one-use URLs: the page in the language the URL asks for, without the link
    signing = fake(monkeypatch, OpenedUrls(link_info("fr")))
    for url in ("/sign/embed/etok?lang=en", "/sign/in-person/ptok?lang=en"):
        page = client.get(url).get_data(as_text=True)
        assert asked() == {"locale": "en"} and '<html lang="en">' in page and 'id="lang-switch"' not in page


@pytest.mark.browser
def test_on_a_phone_the_language_link_goes_under_a_long_company_name(app, monkeypatch, browser):
    """The top bar holds the sender's company and the other language's link: on a phone a long name pushed the
    link past the screen's edge, the page scrolling sideways; the link goes to a row of its own, at the right."""
    from tests.e2e.web.browsing import across_in_view, by_id, scrolls_sideways
    info = link_info("en", fields=[])
    info["request"]["license_name"] = "Établissements Martin Distribution SAS"
    fake(monkeypatch, FakeSigning(info))
    live = served(app)
    try:
        browser.set_window_size(375, 812)
        browser.get(f"{live.serve()}/sign/tok?lang=en")
        switch = by_id(browser, "lang-switch")
        assert not scrolls_sideways(browser) and across_in_view(browser, switch) and switch.text == "Français"
        assert switch.location["y"] > by_id(browser, "sender-brand").location["y"]
    finally:
        live.close()


@pytest.mark.parametrize("country, shown, script", [
    ("US", "Link valid until Jan 3, 2027, 11:52 PM UTC", "en-US"),
    ("GB", "Link valid until 3 Jan 2027, 23:52 UTC", "en-GB"),
    (None, "Link valid until 3 Jan 2027, 23:52 UTC", "en-GB")])
def test_the_pages_english_dates_read_in_the_order_of_the_senders_company(app, monkeypatch, country, shown, script):
    """The signing service tells the sender's company's country: a United States company's English dates read month
    first on the 12-hour clock, as its emails, PDFs and proofs write them (paraph_platform.dates); any other
    company's, or one that has not said, day first; the page's script writes them by the same rule."""
    html = page(app, monkeypatch, "en", country=country)
    assert expiry(html) == shown
    assert f'clientPages.localTimes("{script}", "short")' in html
    sept = page(app, monkeypatch, "en", country=country, expires_at="2026-09-30T07:05:00Z")
    assert expiry(sept).endswith("Sep 30, 2026, 7:05 AM UTC" if country == "US" else "30 Sept 2026, 07:05 UTC")
    # French reads as France writes it, whatever the company's country
    assert expiry(page(app, monkeypatch, "fr", country=country)) == "Lien valable jusqu&#39;au 3 janv. 2027, 23:52 UTC"
