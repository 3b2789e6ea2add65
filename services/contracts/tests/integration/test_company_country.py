"""A company established outside France, through the gateway: the country it said when it activated (identity's
license setting, kept in contracts' replica by license.updated.v1: paraph_platform.company_country) is where the
numbers of its customers without a country are read; its company profile holds its own country's company number
in the fields named after France's SIREN and SIRET; its PDFs name them as its country does and write addresses in
each country's order."""

import pytest

from paraph_platform.testing.pdfs import contract_pdf_text

from paraph_platform.phones import phone_error

pytestmark = pytest.mark.integration

LONDON_LANDLINE = "020 7946 0958"  # Ofcom's drama range, as dialled in the UK


def test_a_british_company_reads_numbers_as_british_and_prints_its_company_number(system):
    s = system("identity", "perimeter", "contracts")
    admin = s.new_license("Acme Ltd", "admin@acme.test", country="GB")
    A = admin["access_token"]

    # a customer without a country: the company's (not its profile's, which names none yet)
    r = s.post("/api/v1/customers", token=A, json={"name": "Nowhere Ltd", "phone": LONDON_LANDLINE,
                                                   "address": {"line1": "1 High Street", "city": "Oxford",
                                                               "postal_code": "OX1 1AA"}})
    assert r.status_code == 201 and r.get_json()["phone"] == LONDON_LANDLINE, r.get_json()
    oxford = r.get_json()

    # its identifiers: a Companies House number, no SIREN; its address in the UK's order
    r = s.put("/api/v1/company-profile", token=A, json={
        "name": "Acme Ltd", "siren": "SC123456", "vat_number": "GB 123 4567 89", "rcs_city": "Scotland",
        "address": {"line1": "221B Baker Street", "postal_code": "NW1 6XE", "city": "London", "country": "GB"}})
    assert r.status_code == 200 and r.get_json()["siren"] == "SC123456", r.get_json()
    r = s.put("/api/v1/company-profile", token=A, json={"name": "Acme Ltd", "siren": "SC1234567890"})
    assert r.status_code == 422 and r.get_json()["errors"] == {
        "siren": ["A company number has up to 9 letters and digits."]}, r.get_json()
    r = s.put("/api/v1/company-profile", token=A, json={"name": "Acme Ltd", "siren": "SC123456",
                                                        "address": {"region": "Greater London", "country": "GB"}})
    assert r.status_code == 200 and r.get_json()["address"]["region"] == "Greater London", r.get_json()
    r = s.put("/api/v1/company-profile", token=A, json={
        "name": "Acme Ltd", "siren": "SC123456", "vat_number": "GB123456789", "rcs_city": "Scotland",
        "address": {"line1": "221B Baker Street", "postal_code": "NW1 6XE", "city": "London", "country": "GB"}})
    assert r.status_code == 200, r.get_json()

    quote = s.post("/api/v1/quotes", token=A, json={"title": "Tools", "customer_id": oxford["id"], "lines": [
        {"description": "Hammer", "quantity": "2", "unit_price": "10", "tax_rate": "20"}]})
    assert quote.status_code == 201, quote.get_json()
    text = contract_pdf_text(s, A, quote.get_json()["id"])
    assert "Company No. SC123456" in text and "Registered in Scotland" in text and "VAT No. GB123456789" in text
    assert "SIREN" not in text and "SIRET" not in text and "RCS" not in text
    assert "London\nNW1 6XE\nUnited Kingdom" in text  # the issuer, the town then the postcode
    assert "Oxford\nOX1 1AA" in text  # the customer without a country: the company's order
    assert "Description" in text and "Designation" not in text

    # the company moves to France (its admins say so): the replica follows, and so do the numbers and identifiers
    assert s.patch("/api/v1/license", json={"country": "FR"}, token=A).status_code == 200

    def read_in_france():
        r = s.post("/api/v1/customers", token=A, json={"name": "Nowhere SARL", "phone": LONDON_LANDLINE})
        return r.status_code == 422 and r.get_json()["errors"] == {"phone": [phone_error("FR")]}
    s.wait_for(read_in_france, message="license.updated.v1 applied to contracts' replica")
    # its profile still says the UK: its address's country is the one its identifiers follow
    r = s.put("/api/v1/company-profile", token=A, json={"name": "Acme SAS", "siren": "SC123456",
                                                        "address": {"country": "GB"}})
    assert r.status_code == 200, r.get_json()
    r = s.put("/api/v1/company-profile", token=A, json={"name": "Acme SAS", "siren": "SC123456"})
    assert r.status_code == 422 and r.get_json()["errors"] == {"siren": ["A SIREN has 9 digits."]}, r.get_json()


def test_a_company_that_never_said_its_country_keeps_its_profiles_and_else_france(system):
    """Activated before the setting (or through the API without it): its customers' numbers are read, as they were,
    in its profile's address country, else in France; and its identifiers are a SIREN and a SIRET."""
    s = system("identity", "perimeter", "contracts")
    A = s.new_license("Initiative SA", "admin@init.test")["access_token"]
    r = s.post("/api/v1/customers", token=A, json={"name": "Nowhere Ltd", "phone": LONDON_LANDLINE})
    assert r.status_code == 422, r.get_json()
    r = s.put("/api/v1/company-profile", token=A, json={"name": "Initiative SA", "siren": "SC123456"})
    assert r.status_code == 422 and r.get_json()["errors"] == {"siren": ["A SIREN has 9 digits."]}, r.get_json()
    r = s.put("/api/v1/company-profile", token=A, json={"name": "Initiative Ltd", "siren": "SC123456",
                                                        "address": {"city": "Leeds", "country": "GB"}})
    assert r.status_code == 200, r.get_json()
    r = s.post("/api/v1/customers", token=A, json={"name": "Nowhere Ltd", "phone": LONDON_LANDLINE})
    assert r.status_code == 201, r.get_json()
