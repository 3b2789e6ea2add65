"""Embedded signing and the license's signing settings, through the gateway: embed origins and reminder
cadence validated (422 naming the bad entry, license admins only), embed URLs only for an allowed origin and
for staff in charge of the request, opened once and within their lifetime, and the signing page's framing
rules (Content-Security-Policy frame-ancestors, X-Frame-Options). Real identity, perimeter, contracts and
signing services. The browser side (a parent page framing the URL) is tests/e2e/web/test_embedded_signing_browser.py."""
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import create_engine, update

from paraph_platform.db import normalize_url, utcnow
from signing_service import logic
from signing_service import testing as esign
from signing_service.models import EmbedToken

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

PARTNER = "https://crm.partner.example"


@pytest.fixture
def world(system, monkeypatch):
    # a cheap password hash (identity reads it from the environment): the machine is shared with a browser
    monkeypatch.setenv("ARGON2_TIME_COST", "1")
    monkeypatch.setenv("ARGON2_MEMORY_KIB", "8192")
    slow = {"RPC_TIMEOUT": 20.0}  # 20 s deadlines: only a real fault fails the test on a busy machine
    s = system("identity", "perimeter", "contracts", "signing", gateway_config=slow,
               service_config={name: slow for name in ("identity", "perimeter", "contracts", "signing")})
    admin = s.new_license("Vendeur SA", "admin@vendeur.test")
    sales = s.add_user(admin, "sales@vendeur.test", name="Sam Sales")
    other = s.add_user(admin, "other@vendeur.test", name="Olga Other")
    r = s.post("/api/v1/customers", json={"name": "Client SARL", "contacts": [
        {"first_name": "Jeanne", "last_name": "Dupont", "email": "jeanne@client.test"}]},
        token=sales["access_token"])
    assert r.status_code == 201, r.get_json()
    contact = r.get_json()["contacts"][0]
    r = s.post("/api/v1/quotes", json={"title": "Maintenance", "contact_id": contact["id"], "lines": [
        {"description": "Maintenance", "quantity": "1", "unit_price": "990.00"}]}, token=sales["access_token"])
    assert r.status_code == 201, r.get_json()
    return {"s": s, "admin": admin["access_token"], "sales": sales["access_token"],
            "other": other["access_token"], "contact": contact, "quote": r.get_json()}


def settings(world, body, token=None):
    return world["s"].patch("/api/v1/signing/settings", json=body, token=token or world["admin"])


def send(world) -> dict:
    r = world["s"].post(f"/api/v1/contracts/{world['quote']['id']}/signature-requests", token=world["sales"],
                        json={"signers": [{"contact_id": world["contact"]["id"]}]})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def embed_url(world, req, token=None, **body):
    participant = req["participants"][0]["id"]
    return world["s"].post(f"/api/v1/signature-requests/{req['id']}/participants/{participant}/embed-url",
                           json={"origin": PARTNER, **body}, token=token or world["sales"])


def maintenance(s, now) -> dict:
    """The signing service's maintenance scan (expiry, reminders, dead embed URLs) as of ``now``."""
    from paraph_gateway.rpc import pool
    from paraph_platform.actor import system_actor
    with s.app.app_context():
        return pool().call("signing", "run_maintenance", system_actor("maintenance"), now.isoformat())


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_signing_settings_are_validated_and_only_license_admins_change_them(world):
    s = world["s"]
    got = s.get("/api/v1/signing/settings", token=world["sales"]).get_json()
    assert got["embed_origins"] == [] and got["reminder_every_days"] is None and got["reminder_max"] is None
    assert got["defaults"]["reminder_max"] >= 0 and got["updated_at"] is None

    # origins are normalised (case, default port, trailing slash) and deduplicated
    r = settings(world, {"embed_origins": ["HTTPS://CRM.Partner.example:443/", PARTNER, "http://localhost:8080"],
                         "reminder_every_days": 3, "reminder_max": 2})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["embed_origins"] == [PARTNER, "http://localhost:8080"]
    assert (r.get_json()["reminder_every_days"], r.get_json()["reminder_max"]) == (3, 2)
    # only the fields sent change; null puts a reminder field back to the default
    r = settings(world, {"reminder_max": None})
    assert r.get_json()["reminder_max"] is None and r.get_json()["reminder_every_days"] == 3
    assert r.get_json()["embed_origins"] == [PARTNER, "http://localhost:8080"]

    for bad in ("https://*.partner.example", "*", "ftp://partner.example", "https://partner.example/app",
                "https://user:pw@partner.example", "https://partner.example?x=1", "partner.example",
                "https://partner example", "https://partner.example:99999", "https://a.example; script-src *",
                "null"):
        r = settings(world, {"embed_origins": [PARTNER, bad]})
        assert r.status_code == 422, (bad, r.get_json())
        assert r.headers["Content-Type"].startswith("application/problem+json")
        assert "1" in r.get_json()["errors"]["embed_origins"], (bad, r.get_json())  # names the bad entry
    assert settings(world, {"embed_origins": [f"https://app{n}.example" for n in range(21)]}).status_code == 422
    for field, value in (("reminder_every_days", 0), ("reminder_every_days", 61), ("reminder_max", -1),
                         ("reminder_max", 21), ("reminder_every_days", "often"), ("unknown", 1)):
        r = settings(world, {field: value})
        assert r.status_code in (400, 422), (field, value, r.get_json())
    # nothing was changed by the refusals
    assert s.get("/api/v1/signing/settings", token=world["admin"]).get_json()["embed_origins"] == [
        PARTNER, "http://localhost:8080"]
    # a salesperson reads the settings but cannot change them
    assert settings(world, {"embed_origins": []}, token=world["sales"]).status_code == 403
    assert s.get("/api/v1/signing/settings").status_code == 401


def test_embed_url_needs_an_allowed_origin_and_a_member_of_staff_in_charge(world):
    req = send(world)
    # the license allows no origin yet
    r = embed_url(world, req)
    assert r.status_code == 422, r.get_json()
    assert "origin" in r.get_json()["errors"]
    settings(world, {"embed_origins": [PARTNER]})
    for bad in ({"origin": "https://evil.example"}, {"origin": "https://*.partner.example"},
                {"origin": "not an origin"}, {"return_url": "https://evil.example/back"},
                {"return_url": "javascript:alert(1)"}):
        r = embed_url(world, req, **bad)
        assert r.status_code == 422, (bad, r.get_json())
    # seeing the quote is not enough: the requester, the owner or a manager
    assert embed_url(world, req, token=world["other"]).status_code in (403, 404)
    r = embed_url(world, req, return_url=PARTNER + "/deals/42")
    assert r.status_code == 201, r.get_json()
    out = r.get_json()
    assert out["url"].startswith("http://paraph.test/sign/embed/") and out["expires_at"]
    # a participant whose turn it is not, or unknown
    r = world["s"].post(f"/api/v1/signature-requests/{req['id']}/participants/nobody/embed-url",
                        json={"origin": PARTNER}, token=world["sales"])
    assert r.status_code == 404
    # the audit trail records who asked for it, for which origin
    detail = world["s"].get(f"/api/v1/signature-requests/{req['id']}", token=world["admin"]).get_json()
    issued = [a for a in detail["audit_trail"] if a["type"] == "embed_url_issued"]
    assert issued and issued[0]["data"]["origin"] == PARTNER


def test_the_embedded_page_is_framed_by_the_license_origins_only_and_opens_once(world):
    s = world["s"]
    req = send(world)
    settings(world, {"embed_origins": [PARTNER, "http://localhost:8080"]})

    # a normal signing link: nobody may frame it
    page = s.get(f"/sign/{esign.token(s, 'jeanne@client.test')}")
    assert page.status_code == 200
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert b"sign-embed.js" not in page.data

    url = embed_url(world, req).get_json()["url"]
    page = s.get(path_of(url))
    assert page.status_code == 200, page.data[:500]
    csp = page.headers["Content-Security-Policy"]
    # framed only by the origin the URL was made for, not by the license's other origins
    assert f"frame-ancestors {PARTNER};" in csp + ";" and "localhost:8080" not in csp
    assert "X-Frame-Options" not in page.headers  # cannot name an origin; frame-ancestors rules
    html = page.get_data(as_text=True)
    assert "sign-embed.js" in html and f'data-origin="{PARTNER}"' in html
    assert f'data-participant="{req["participants"][0]["id"]}"' in html
    assert "Jeanne Dupont" in html
    # the framed page acts with the embed URL's own token, never with Jeanne's lasting signing link
    embed_token = path_of(url).rsplit("/", 1)[1]
    assert esign.token(s, "jeanne@client.test") not in html and f'data-token="{embed_token}"' in html
    assert s.get(f"/api/v1/sign/{embed_token}").get_json()["participant"]["name"] == "Jeanne Dupont"
    # the document framed by the page may be framed by the same ancestors
    doc = s.get(f"/api/v1/sign/{esign.token(s, 'jeanne@client.test')}/document")
    assert doc.headers["Content-Security-Policy"] == f"frame-ancestors 'self' {PARTNER} http://localhost:8080"
    # the embed script is served with the page
    js = s.get("/static/sign-embed.js")
    assert js.status_code == 200 and b"postMessage(message, origin)" in js.data and b'"*")' not in js.data

    # once: a second opening is refused (410), still framed where the first was so the frame says why
    again = s.get(path_of(url))
    assert again.status_code == 410
    assert f"frame-ancestors {PARTNER}" in again.headers["Content-Security-Policy"]
    assert b"sign-embed.js" not in again.data
    # an unknown token: 404, framed by nobody
    unknown = s.get("/sign/embed/" + "x" * 43)
    assert unknown.status_code == 404 and "frame-ancestors 'none'" in unknown.headers["Content-Security-Policy"]

    # expired before being opened
    url = embed_url(world, req).get_json()["url"]
    token = path_of(url).rsplit("/", 1)[1]
    engine = create_engine(normalize_url(s.db_url("signing")))
    with engine.begin() as conn:
        conn.execute(update(EmbedToken).where(EmbedToken.token_hash == logic.token_hash(token))
                     .values(expires_at=utcnow() - timedelta(seconds=1)))
    engine.dispose()
    assert s.get(path_of(url)).status_code == 410
    # the maintenance scan deletes dead embed URLs a week on: until then they still say "expired" (410)
    assert maintenance(s, utcnow() + timedelta(days=1))["embed_urls_deleted"] == 0
    assert s.get(path_of(url)).status_code == 410
    assert maintenance(s, utcnow() + timedelta(days=8))["embed_urls_deleted"] >= 1
    assert s.get(path_of(url)).status_code == 404

    # an origin removed from the settings: its URLs no longer open, and normal links stay unframable
    url = embed_url(world, req).get_json()["url"]
    settings(world, {"embed_origins": ["http://localhost:8080"]})
    assert s.get(path_of(url)).status_code == 410
    doc = s.get(f"/api/v1/sign/{esign.token(s, 'jeanne@client.test')}/document")
    assert doc.headers["Content-Security-Policy"] == "frame-ancestors 'self' http://localhost:8080"
    settings(world, {"embed_origins": []})
    doc = s.get(f"/api/v1/sign/{esign.token(s, 'jeanne@client.test')}/document")
    assert doc.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert doc.headers["X-Frame-Options"] == "SAMEORIGIN"


# -- in-person signing: the signing page opened at the top of a staff member's browser -------------------------

def in_person_url(world, req, token=None, headers=None, participant=None):
    participant = participant or req["participants"][0]["id"]
    return world["s"].post(f"/api/v1/signature-requests/{req['id']}/participants/{participant}/in-person-url",
                           json={}, token=token or world["sales"], headers=headers)


def test_in_person_url_needs_a_member_of_staff_in_charge_and_no_embed_origin(world):
    req = send(world)
    # seeing the quote is not enough: the requester, the owner or a manager (no embed origin is involved)
    assert in_person_url(world, req, token=world["other"]).status_code in (403, 404)
    r = in_person_url(world, req, participant="nobody")
    assert r.status_code == 404
    r = world["s"].post(f"/api/v1/signature-requests/{req['id']}/participants/{req['participants'][0]['id']}"
                        "/in-person-url", json={"origin": PARTNER}, token=world["sales"])
    assert r.status_code in (400, 422), r.get_json()  # nothing to choose
    # the same Idempotency-Key gives the same URL (one URL made)
    first = in_person_url(world, req, headers={"Idempotency-Key": "in-person-1"})
    assert first.status_code == 201, first.get_json()
    again = in_person_url(world, req, headers={"Idempotency-Key": "in-person-1"})
    assert again.get_json() == first.get_json()
    out = first.get_json()
    assert out["url"].startswith("http://paraph.test/sign/in-person/") and out["expires_at"]
    assert out["participant_name"] == "Jeanne Dupont"
    detail = world["s"].get(f"/api/v1/signature-requests/{req['id']}", token=world["admin"]).get_json()
    issued = [a for a in detail["audit_trail"] if a["type"] == "in_person_url_issued"]
    assert len(issued) == 1 and issued[0]["actor"]["name"] == "Sam Sales"
    assert issued[0]["data"]["participant_id"] == req["participants"][0]["id"]


def test_in_person_signing_opens_once_unframed_and_the_evidence_says_in_person_on_the_staff_device(world):
    s = world["s"]
    req = send(world)
    lasting = esign.token(s, "jeanne@client.test")
    url = in_person_url(world, req).get_json()["url"]
    token = path_of(url).rsplit("/", 1)[1]

    # an in-person URL is not an embed URL, nor the reverse
    assert s.get(f"/sign/embed/{token}").status_code == 404
    settings(world, {"embed_origins": [PARTNER]})
    embed_token = path_of(embed_url(world, req).get_json()["url"]).rsplit("/", 1)[1]
    assert s.get(f"/sign/in-person/{embed_token}").status_code == 404

    page = s.get(path_of(url))
    assert page.status_code == 200, page.data[:500]
    # at the top of the browser only: nobody may frame it, not even the license's embed origins
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    html = unescape(page.get_data(as_text=True))
    assert "sign-embed.js" not in html and "Jeanne Dupont" in html
    assert "Signature en présence, sur l'appareil de Sam Sales" in html
    # once acted, the device goes back to its owner: to the quote's page of the staff app (a path)
    assert f'href="/contracts/{world["quote"]["id"]}"' in html and "Rendez maintenant l'appareil à Sam Sales" in html
    # the page acts with the URL's own token, never with Jeanne's lasting signing link
    assert lasting not in html and f'data-token="{token}"' in html

    # once: a second opening is refused (410), saying so, with the way back to the quote's page
    again = s.get(path_of(url))
    assert again.status_code == 410
    assert "déjà servi" in unescape(again.get_data(as_text=True))
    assert f'href="/contracts/{world["quote"]["id"]}"' in again.get_data(as_text=True)

    # the one-time code rules are those of a link (and of embedded signing): no code, no signature
    info = s.get(f"/api/v1/sign/{token}").get_json()
    body = {"consent": True, "consent_sha256": info["consent_sha256"], "typed_name": "Jeanne Dupont"}
    r = s.post(f"/api/v1/sign/{token}/sign", json=body)
    assert r.status_code == 422 and "otp" in r.get_json()["errors"]
    assert s.post(f"/api/v1/sign/{token}/otp", json={}).status_code == 200
    r = s.post(f"/api/v1/sign/{token}/sign", json={**body, "otp": esign.otp(s, "jeanne@client.test")},
               headers={"User-Agent": "Tablet of Sam"})
    assert r.status_code == 200, r.get_json()

    # the evidence: signed in person on Sam's device, Sam named; the code was verified
    detail = s.get(f"/api/v1/signature-requests/{req['id']}", token=world["admin"]).get_json()
    evidence = detail["evidence"][0]
    assert evidence["mode"] == "in_person_device"
    auth = evidence["authentication"]
    assert auth["method"] == "otp" and auth["otp_verified"] is True
    assert auth["attested_by_name"] == "Sam Sales" and auth["attested_by"]
    opened = [a for a in detail["audit_trail"] if a["type"] == "in_person_opened"]
    assert len(opened) == 1 and opened[0]["actor"]["name"] == "Sam Sales"
    signed = [a for a in detail["audit_trail"] if a["type"] == "signed"]
    assert signed[0]["data"]["mode"] == "in_person_device"
    # nothing left to sign: no new URL (409), and the one used does not open again
    assert in_person_url(world, req).status_code in (409, 410)
    assert s.get(path_of(url)).status_code == 410
