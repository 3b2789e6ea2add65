"""The company profile (issue 15, "Documents a person reads"): the issuer a quote's PDF names, through the
gateway with the real identity, perimeter and contracts services.

A license admin saves the profile (name, address, SIREN / SIRET / VAT number checked: a wrong one is a 422
naming its field) and its logo (PNG or JPEG, sniffed, size-limited); staff read it, only admins write it.
The PDF's header shows the issuer (name, logo, address with the postal code and city on one line), its
footer the legal mentions, and quantities and rates are localised like the amounts (fr and en). Until the
profile is saved, the issuer is the license's company, by its name as it is now."""
from __future__ import annotations

import base64
import io

import pytest

from paraph_platform.testing import pdfs

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

# a 1x1 PNG and the start of a JPEG: the bytes decide, not the declared type
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><image href="http://attacker.test/x.png"/></svg>'

PROFILE = {
    "name": "Atelier Dupont",
    "address": {"line1": "12 rue des Lilas", "line2": "Bâtiment B", "postal_code": "69003", "city": "Lyon",
                "country": "France"},
    "siren": "732 829 320", "siret": "732 829 320 00074", "vat_number": "FR 44 732829320",
    "legal_form": "SAS", "share_capital": "10000", "rcs_city": "Lyon",
    "phone": "+33 4 72 00 00 00", "email": "contact@dupont.test", "website": "https://dupont.test",
}
LINES = [
    {"description": "Pose", "quantity": "2.5", "unit": "h", "unit_price": "100.00", "tax_rate": "20"},
    {"description": "Manuel", "quantity": "1", "unit_price": "1000.00", "discount_pct": "10", "tax_rate": "5.5"},
]


def pdf_text(response) -> str:
    """The PDF's text, its (narrow) no-break spaces as plain spaces."""
    return pdfs.pdf_text(response.data, plain_spaces=True)


@pytest.fixture
def env(system):
    s = system("identity", "perimeter", "contracts")
    admin = s.new_license("Atelier Dupont", "admin@dupont.test")
    seller = s.add_user(admin, "vendeur@dupont.test", name="Paul Vendeur")
    return s, admin["access_token"], seller["access_token"]


def test_profile_crud_validation_and_logo(env):
    s, A, T = env
    empty = s.get("/api/v1/company-profile", token=T)
    assert empty.status_code == 200 and empty.get_json()["logo"] is None and empty.get_json()["updated_at"] is None
    assert empty.get_json()["name"] == "Atelier Dupont"  # never saved: the license's name

    assert s.put("/api/v1/company-profile", token=T, json=PROFILE).status_code == 403  # admins write it
    r = s.put("/api/v1/company-profile", token=A, json=PROFILE)
    assert r.status_code == 200, r.get_json()
    saved = r.get_json()
    # identifiers stored without their spaces; the capital as a decimal string
    assert (saved["siren"], saved["siret"], saved["vat_number"]) == ("732829320", "73282932000074", "FR44732829320")
    assert saved["share_capital"] == "10000.00" and saved["address"]["city"] == "Lyon" and saved["updated_at"]
    assert s.get("/api/v1/company-profile", token=T).get_json() == saved

    # every identifier checked, each refusal naming its field
    for field, value in (("siren", "732829321"), ("siren", "12345"), ("siret", "73282932000075"),
                         ("siret", "44306184100047"), ("vat_number", "FR45732829320"),
                         ("vat_number", "FR44732829321"), ("vat_number", "732829320")):
        r = s.put("/api/v1/company-profile", token=A, json={**PROFILE, field: value})
        assert r.status_code == 422, (field, value, r.get_json())
        assert field in r.get_json()["errors"], (field, value, r.get_json())
    for field, value in (("name", ""), ("email", "not-an-email"), ("website", "javascript:alert(1)"),
                         ("website", "https://dupont.test:99999/"),
                         ("share_capital", "-1"), ("phone", "standard"), ("phone", "04 72")):  # the one phone rule
        r = s.put("/api/v1/company-profile", token=A, json={**PROFILE, field: value})
        assert r.status_code == 422 and field in r.get_json()["errors"], (field, r.get_json())
    # another country's VAT number is taken as given; a PUT replaces the whole profile
    r = s.put("/api/v1/company-profile", token=A, json={"name": "Dupont BE", "vat_number": "BE0123456789"})
    assert r.status_code == 200 and r.get_json()["siren"] is None and r.get_json()["vat_number"] == "BE0123456789"
    assert s.put("/api/v1/company-profile", token=A, json=PROFILE).status_code == 200

    # the logo: sniffed PNG/JPEG only, size-limited, admins only
    assert s.get("/api/v1/company-profile/logo", token=T).status_code == 404
    png = {"filename": "logo.png", "content_type": "image/png", "content_base64": base64.b64encode(PNG).decode()}
    assert s.put("/api/v1/company-profile/logo", token=T, json=png).status_code == 403
    r = s.put("/api/v1/company-profile/logo", token=A, json={**png, "filename": "logo.svg",
                                                            "content_type": "image/svg+xml",
                                                            "content_base64": base64.b64encode(SVG).decode()})
    assert r.status_code == 415, r.get_json()
    r = s.put("/api/v1/company-profile/logo", token=A, json={**png, "content_base64": base64.b64encode(SVG).decode()})
    assert r.status_code == 415, r.get_json()  # declared PNG, the bytes are not
    r = s.put("/api/v1/company-profile/logo", token=A,
              json={**png, "content_base64": base64.b64encode(PNG + b"\0" * (1024 * 1024)).decode()})
    assert r.status_code == 413, r.get_json()
    r = s.put("/api/v1/company-profile/logo", token=A, data={"file": (io.BytesIO(PNG), "logo.png", "image/png")},
              content_type="multipart/form-data")
    assert r.status_code == 200, r.get_json()
    logo = r.get_json()["logo"]
    assert logo["content_type"] == "image/png" and logo["size"] == len(PNG)
    got = s.get("/api/v1/company-profile/logo", token=T)
    assert got.status_code == 200 and got.data == PNG and got.mimetype == "image/png"
    # a new logo replaces the previous one; the profile keeps it when its fields are saved again
    r = s.put("/api/v1/company-profile/logo", token=A, json=png)
    assert r.status_code == 200 and r.get_json()["logo"]["url"] != logo["url"]
    assert s.put("/api/v1/company-profile", token=A, json=PROFILE).get_json()["logo"] == r.get_json()["logo"]
    assert s.delete("/api/v1/company-profile/logo", token=T).status_code == 403
    assert s.delete("/api/v1/company-profile/logo", token=A).status_code == 204
    assert s.get("/api/v1/company-profile", token=T).get_json()["logo"] is None
    assert s.delete("/api/v1/company-profile/logo", token=A).status_code == 404


def test_until_saved_the_pdf_names_the_license_as_it_is_called_now(env):
    """A license whose admin never opened Settings > Company profile: its quotes name their issuer all the same,
    the license's company. The contracts service keeps the license's name from identity's license.updated.v1
    (a PDF asks identity nothing), so a renamed license is named anew; a profile saved with a name keeps it."""
    s, A, T = env
    customer = s.post("/api/v1/customers", token=T, json={"name": "Client Martin"}).get_json()
    quote = s.post("/api/v1/quotes", token=T, json={"title": "Atelier", "customer_id": customer["id"],
                                                      "lines": LINES}).get_json()

    def issuer_in_pdf() -> str:
        r = s.get(f"/api/v1/contracts/{quote['id']}/pdf", token=T)
        assert r.status_code == 200
        return pdf_text(r)

    def profile_name() -> str:
        return s.get("/api/v1/company-profile", token=T).get_json()["name"]

    assert "Atelier Dupont" in issuer_in_pdf() and profile_name() == "Atelier Dupont"

    # renamed: license.updated.v1 carries the new name to the profile and the PDFs
    assert s.patch("/api/v1/license", token=A, json={"name": "Menuiserie Dupont"}).status_code == 200
    s.relay("identity").drain()
    s.wait_for(lambda: profile_name() == "Menuiserie Dupont", message="the new name replicated")
    text = issuer_in_pdf()
    assert "Menuiserie Dupont" in text and "Atelier Dupont" not in text

    # saved with a name of its own, the profile is the issuer whatever the license is called
    assert s.put("/api/v1/company-profile", token=A, json={"name": "Dupont & Fils SAS"}).status_code == 200
    assert s.patch("/api/v1/license", token=A, json={"name": "Dupont Groupe"}).status_code == 200
    s.relay("identity").drain()
    s.wait_for(lambda: s.get("/api/v1/license", token=A).get_json()["name"] == "Dupont Groupe", message="renamed")
    assert profile_name() == "Dupont & Fils SAS"
    text = issuer_in_pdf()
    assert "Dupont & Fils SAS" in text and "Dupont Groupe" not in text


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_pdf_names_the_issuer_and_localises_quantities(env, locale):
    s, A, T = env
    assert s.put("/api/v1/company-profile", token=A, json=PROFILE).status_code == 200
    png = {"filename": "logo.png", "content_type": "image/png", "content_base64": base64.b64encode(PNG).decode()}
    assert s.put("/api/v1/company-profile/logo", token=A, json=png).status_code == 200
    customer = s.post("/api/v1/customers", token=T, json={"name": "Client Martin"}).get_json()
    r = s.post("/api/v1/quotes", token=T, json={"title": "Atelier", "customer_id": customer["id"], "lines": LINES,
                                                  "locale": locale})
    assert r.status_code == 201, r.get_json()
    quote = r.get_json()
    pdf = s.get(f"/api/v1/contracts/{quote['id']}/pdf", token=T)
    assert pdf.status_code == 200
    text = pdf_text(pdf)
    # the header: the issuer, its address with the postal code and city on one line
    for shown in ("Atelier Dupont", "12 rue des Lilas", "Bâtiment B", "69003 Lyon", "contact@dupont.test"):
        assert shown in text, (shown, text)
    # the footer: the legal mentions
    assert "SIREN 732 829 320" in text and "SIRET 732 829 320 00074" in text and "RCS Lyon" in text
    if locale == "fr":
        assert "N° TVA intracommunautaire FR44732829320" in text
        assert "SAS au capital de 10 000,00 €" in text
        # quantities with their unit and rates localised like the amounts
        assert "2,5 h" in text and "20 %" in text and "5,5 %" in text and "10 %" in text
        assert "TVA 20 %" in text
    else:
        assert "EU VAT No. FR44732829320" in text
        assert "SAS with a share capital of €10,000.00" in text
        assert "2.5 h" in text and "20%" in text and "5.5%" in text and "10%" in text
    for raw in ("2.500", "1.000", "20.00", "5.50"):
        assert raw not in text, (raw, text)

    # a change of the profile is a new PDF
    s.put("/api/v1/company-profile", token=A, json={**PROFILE, "name": "Dupont et Fils"})
    again = s.get(f"/api/v1/contracts/{quote['id']}/pdf", token=T)
    assert again.headers["X-Content-SHA256"] != pdf.headers["X-Content-SHA256"]
    assert "Dupont et Fils" in pdf_text(again)
