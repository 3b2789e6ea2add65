"""The signing page's placed fields (issue 15) without services: the signing service's answers are faked, so the
page's own behaviour is checked alone: fields grouped by page in reading order, required ones marked, initials
adopted once, required fields blocking the Sign button, a 422's messages next to their fields, the time zone
sent. The whole flow against the real services is tests/e2e/web/test_sign_page_fields.py."""
import base64
import io

import pytest
from paraph_gateway import create_app

OFFLINE = {"AMQP_URI": "pyamqp://guest:guest@127.0.0.1:1//", "ACCESS_STATE_CHECK": False, "TESTING": True}
A4 = {"width": 595.28, "height": 841.89}


def box(id_, type_, page, y, required=True, label=None, x=56):
    return {"id": id_, "type": type_, "participant_id": "p1", "page": page, "x": x, "y": y, "width": 120,
            "height": 30, "required": required, "label": label, "filled": False,
            "asked": type_ not in ("date_signed", "name")}


def link_info(locale="fr", fields=None):
    return {
        "participant": {"id": "p1", "name": "Jeanne Dupont", "email_masked": "j***@client.test", "role": "signer",
                        "status": "pending", "order": 1, "acted_at": None},
        "request": {"id": "r1", "status": "pending", "stage": "signing", "kind": "quote", "number": "D-2026-0001",
                    "title": "Maintenance", "message": None, "sender_name": "Bea Boss", "license_name": "Vendeur SA",
                    "expires_at": "2026-12-31T00:00:00+00:00", "completed_at": None, "locale": locale},
        "document": {"filename": "D-2026-0001.pdf", "sha256": "a" * 64, "size": 1000},
        "consent_text": "J'accepte", "consent_sha256": "b" * 64, "action": "sign", "can_act": True,
        "your_turn": True, "otp": {"channel": "email", "destination": "j***", "sms_available": False,
                                   "required": False},
        "signed_pdf_available": False,
        "fields": fields if fields is not None else [
            box("f-sig", "signature", 2, 700), box("f-init2", "initials", 2, 780),
            box("f-po", "text", 2, 100, label="PO number"), box("f-init1", "initials", 1, 780),
            box("f-cgv", "checkbox", 1, 400, label="J'ai lu les CGV"),
            box("f-note", "text", 1, 300, required=False, label="Remarque"),
            box("f-date", "date_signed", 2, 760)],
        "pages": [A4, A4]}


def blank_pdf(pages=2) -> str:
    from pypdf import PdfWriter
    writer, out = PdfWriter(), io.BytesIO()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    writer.write(out)
    return base64.b64encode(out.getvalue()).decode()


class FakeSigning:
    """The signing service's answers to the page (and what it was asked to sign with)."""

    def __init__(self, info, sign_answers=()):
        self.info, self.sign_answers, self.signed = info, list(sign_answers), []
        self.answer = {}  # what the signing service's answer to a signature holds besides (signers_left...)
        self.calls = []  # (method, args) of every call, in order

    def __call__(self, service, method, *args, **kw):
        self.calls.append((method, args))
        if method == "public_info":  # in the language asked (the page's ?lang=), else the request's
            asked = (args[1] if len(args) > 1 else None) or {}
            return {**self.info, "locale": asked.get("locale") or self.info["request"]["locale"]}
        if method in ("public_document", "public_signed_pdf"):  # the signed one shown once everybody signed
            return {"filename": "doc.pdf", "content_type": "application/pdf", "content_base64": blank_pdf()}
        if method == "public_sign":
            self.signed.append(args[1])
            answer = self.sign_answers.pop(0) if self.sign_answers else None
            if isinstance(answer, Exception):
                raise answer
            return {"participant": {"id": "p1", "status": "signed"}, "request_id": "r1",
                    "request_status": "sealing", "stage": "done", "document_sha256": "a" * 64, **self.answer}
        raise AssertionError(f"unexpected call {method}")


@pytest.fixture
def app():
    return create_app(dict(OFFLINE))


def fake(monkeypatch, signing: FakeSigning) -> FakeSigning:
    from paraph_gateway.api import signing as signing_api
    from paraph_gateway.api import signing_pages
    monkeypatch.setattr(signing_pages, "call", signing)
    monkeypatch.setattr(signing_api, "call", signing)
    return signing


def test_fields_are_listed_by_page_in_reading_order_with_required_ones_marked(app, monkeypatch):
    fake(monkeypatch, FakeSigning(link_info()))
    page = app.test_client().get("/sign/tok").get_data(as_text=True)
    assert page.index("Page 1 <button") < page.index("Page 2 <button")
    # page 1 top to bottom: the optional remark, the checkbox, then the initials
    assert page.index("Remarque") < page.index("J&#39;ai lu les CGV") < page.index('data-field-id="f-init1"')
    assert page.index('data-field-id="f-init1"') < page.index("PO number") < page.index('data-field-id="f-sig"')
    assert 'data-field-id="f-po" data-type="text" data-required="1"' in page
    assert 'data-field-id="f-note" data-type="text">' in page  # optional: no mark
    assert "Date de signature <span class=\"auto\">(rempli par Paraph)</span>" in page
    assert 'value="JD"' in page and "Adopter mes initiales" in page  # proposed from the signer's name
    assert 'data-width="595.28" data-height="841.89"' in page
    assert "* obligatoire" in page


def test_the_required_mark_is_explained_only_where_a_field_carries_one(app, monkeypatch):
    """A request asking only for the signature listed it under "Champs à compléter" with "* obligatoire" and no
    field marked: the legend goes with the marks."""
    fake(monkeypatch, FakeSigning(link_info(fields=[box("f-sig", "signature", 1, 700), box("f-date", "date_signed",
                                                                                         1, 760)])))
    page = app.test_client().get("/sign/tok").get_data(as_text=True)
    assert 'id="fields"' in page and "* obligatoire" not in page


def test_the_page_speaks_english_and_has_no_fields_section_without_fields(app, monkeypatch):
    signing = fake(monkeypatch, FakeSigning(link_info("en")))
    page = app.test_client().get("/sign/tok").get_data(as_text=True)
    assert "Fields to complete" in page and "Adopt my initials" in page and "filled in by Paraph" in page
    signing.info = link_info("en", fields=[])
    page = app.test_client().get("/sign/tok").get_data(as_text=True)
    assert 'id="fields"' not in page and 'id="initials"' not in page


@pytest.mark.browser
def test_required_fields_block_signing_and_the_servers_422_shows_next_to_its_field(app, monkeypatch, browser):
    from paraph_platform.errors import InvalidInput
    from paraph_platform.testing import System
    from selenium.webdriver.common.by import By
    signing = fake(monkeypatch, FakeSigning(link_info(), sign_answers=[
        InvalidInput("Some fields are invalid.", {"fields": {"fields": {"f-po": ["Unknown purchase order."]}}})]))
    live = System({}, app.test_client(), app)
    try:
        browser.get(f"{live.serve()}/sign/tok")
        # no Content-Security-Policy violation, no script error (a missing favicon is only a network error)
        assert [e for e in browser.get_log("browser") if e["source"] != "network"] == []

        def error(dom_id):
            return browser.find_element(By.ID, f"{dom_id}-err").text

        def dom(field_id):
            return browser.find_element(By.CSS_SELECTOR, f'[data-field-id="{field_id}"]').get_attribute("id")

        # the page map draws every box of page 2 where it is on the page
        boxes = browser.find_elements(By.CSS_SELECTOR, ".pagemap .box")
        assert len(boxes) == 7 and all(b.size["width"] > 0 and b.size["height"] > 0 for b in boxes)
        browser.find_element(By.ID, "consent").click()
        browser.find_element(By.ID, "go").click()
        assert error(dom("f-po")) == "Ce champ est obligatoire."
        assert error(dom("f-cgv")) == "Ce champ est obligatoire."
        # the initials are missing: said once, where they are adopted; each initials field keeps its "to apply" badge
        assert error("initials") == "Adoptez vos initiales pour les apposer."
        assert error(dom("f-init1")) == error(dom("f-init2")) == ""
        assert browser.find_element(By.ID, "fields").text.count("Adoptez vos initiales pour les apposer.") == 1
        assert [b.get_attribute("textContent") for b in browser.find_elements(By.CSS_SELECTOR, "[data-initials-state]")
                ] == ["à apposer\u00a0: adoptez vos initiales"] * 2
        assert error(dom("f-note")) == ""  # optional
        assert browser.switch_to.active_element.get_attribute("id") == f"{dom('f-cgv')}-input"  # the first one
        assert signing.signed == []  # nothing sent

        browser.find_element(By.ID, f"{dom('f-po')}-input").send_keys("PO-778")
        browser.find_element(By.ID, f"{dom('f-cgv')}-input").click()
        browser.find_element(By.ID, "adopt").click()
        badges = browser.find_elements(By.CSS_SELECTOR, "[data-initials-state]")
        assert [b.text for b in badges] == ["\u2713 apposées (JD)"] * 2
        browser.find_element(By.ID, "go").click()
        live.wait_for(lambda: error(dom("f-po")), message="the server's message next to the field")
        assert error(dom("f-po")) == "Unknown purchase order."
        assert browser.find_element(By.ID, f"{dom('f-po')}-input").get_attribute("aria-invalid") == "true"
        sent = signing.signed[0]
        assert sent["fields"] == {"f-po": "PO-778", "f-cgv": True, "f-init1": {"typed": "JD"},
                                  "f-init2": {"typed": "JD"}}
        assert sent["time_zone"]  # the browser's IANA zone
        browser.find_element(By.ID, "go").click()
        live.wait_for(lambda: "signé" in browser.find_element(By.ID, "msg").text, message="the signature")
    finally:
        live.close()
