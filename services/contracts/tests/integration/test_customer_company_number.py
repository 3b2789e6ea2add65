"""A customer's company number (``registration_number``) through the gateway: a French customer's SIREN or SIRET
(spaces stripped, check digit checked, as the company profile's), another country's up to 20 letters and digits,
read in the customer's country, else the company's; a wrong one is a 422 problem+json naming the field; the ERP
import takes it; the history keeps its change; the quote's PDF names it as the customer's country does."""

import pytest

from paraph_platform.testing.pdfs import contract_pdf_text

pytestmark = pytest.mark.integration


def test_a_customers_company_number_is_checked_in_its_country_and_printed_on_its_quotes(system):
    s = system("identity", "perimeter", "contracts")
    A = s.new_license("ACME Paris", "admin@acme.test")["access_token"]

    # France (no country: the company's, France): a SIRET typed with spaces, kept without them
    r = s.post("/api/v1/customers", token=A, json={"name": "Durand SAS", "registration_number": "732 829 320 00074",
                                                   "address": {"city": "Lille", "postal_code": "59000"}})
    assert r.status_code == 201 and r.get_json()["registration_number"] == "73282932000074", r.get_json()
    durand = r.get_json()
    # a wrong check digit, a number of no French length: refused, naming the field
    for wrong, message in (("732 829 321", "This SIREN's check digit is wrong."),
                           ("SC123456", "A French company number is a SIREN (9 digits) or a SIRET (14 digits).")):
        r = s.patch(f"/api/v1/customers/{durand['id']}", token=A, json={"registration_number": wrong})
        assert r.status_code == 422 and r.mimetype == "application/problem+json", r.get_json()
        assert r.get_json()["errors"] == {"registration_number": [message]}
    # a British customer's company number: letters and digits, read in the country the payload sends
    r = s.patch(f"/api/v1/customers/{durand['id']}", token=A, json={
        "registration_number": "sc 123456", "address": {"country": "GB", "city": "London", "postal_code": "NW1 6XE"}})
    assert r.status_code == 200 and r.get_json()["registration_number"] == "SC123456", r.get_json()
    r = s.patch(f"/api/v1/customers/{durand['id']}", token=A, json={"registration_number": "A" * 21})
    assert r.status_code == 422 and "up to 20" in r.get_json()["errors"]["registration_number"][0], r.get_json()
    [change] = [c for h in s.get(f"/api/v1/customers/{durand['id']}/history", token=A).get_json()["items"]
                for c in h["details"].get("changes", []) if c["field"] == "registration_number"
                and c["to"] == "SC123456"]
    assert change["from"] == "73282932000074"

    # the ERP import: a new customer with its SIREN, a known one whose number is wrong (that row refused)
    r = s.post("/api/v1/erp/customers/import", token=A, json={"rows": [
        {"code": "ERP-1", "name": "Martin SARL", "registration_number": "443 061 841"},
        {"code": durand["code"], "registration_number": "SC/123"}]})
    assert r.status_code == 200, r.get_json()
    summary = r.get_json()
    assert summary["created"] == 1 and [(e["code"], e["errors"]) for e in summary["errors"]] == [
        (durand["code"], {"registration_number": ["A company number has up to 20 letters and digits."]})], summary
    [martin] = s.get("/api/v1/customers?code=ERP-1", token=A).get_json()["items"]
    assert martin["registration_number"] == "443061841"

    # the quotes name it: SIREN for the French customer, the company number for the British one
    for customer, shown in ((martin, "SIREN 443 061 841"), (durand, "Company No. SC123456")):
        quote = s.post("/api/v1/quotes", token=A, json={"title": "Pain", "customer_id": customer["id"],
                                                        "locale": "en", "lines": [
            {"description": "Baguette", "quantity": "2", "unit_price": "1", "tax_rate": "5.5"}]})
        assert quote.status_code == 201, quote.get_json()
        assert shown in contract_pdf_text(s, A, quote.get_json()["id"])
