"""The phone numbers of a customer file (the customer's phone, a contact's phone, mobile and fax) through the
gateway: checked by the one rule of paraph_platform.phones (the one notify texts by: signing sends its
one-time code to a contact's mobile, else their phone), kept as typed, empty means none; a bad one is a 422
problem+json on its field and nothing is saved. A PATCH that sends no number leaves a stored one alone, even
one stored before the rule; the ERP import reports a bad number as its row's error."""
import pytest
from sqlalchemy import create_engine, text

from paraph_platform.db import normalize_url
from paraph_platform.phones import PHONE_ERROR, phone_error

pytestmark = pytest.mark.integration

GOOD = ("+33 6 12 34 56 78", "06.12.34.56.78")
BAD = ("call me", "06 12", "06/12", "+33 6 12 34 56 78 90 12 34 56", "0" * 41)


@pytest.fixture
def office(system):
    s = system("identity", "perimeter", "contracts")
    admin = s.new_license("Initiative SA", "admin@init.test")
    return s, admin["access_token"]


def _refused(r, *path):
    """A 422 problem+json whose only error is PHONE_ERROR at ``path`` (nested keys, as the web app walks them)."""
    assert r.status_code == 422 and r.mimetype == "application/problem+json", r.get_json()
    errors = r.get_json()["errors"]
    for key in path:
        assert list(errors) == [key], r.get_json()
        errors = errors[key]
    assert errors == [PHONE_ERROR], r.get_json()


def test_a_customer_and_its_contacts_take_numbers_sms_can_go_to(office):
    s, A = office
    # created with a contact: kept as typed (the spaces around dropped), empty is none
    r = s.post("/api/v1/customers", token=A, json={
        "name": "Alpha SARL", "phone": " 06.12.34.56.78 ",
        "contacts": [{"last_name": "Dupont", "phone": GOOD[0], "mobile": GOOD[1], "fax": ""}]})
    assert r.status_code == 201, r.get_json()
    alpha = r.get_json()
    [dupont] = alpha["contacts"]
    assert alpha["phone"] == "06.12.34.56.78"
    assert (dupont["phone"], dupont["mobile"], dupont["fax"]) == (GOOD[0], GOOD[1], None)

    # refused on its field, nothing created
    for bad in BAD:
        _refused(s.post("/api/v1/customers", token=A, json={"name": "Beta", "phone": bad}), "phone")
        for field in ("phone", "mobile", "fax"):
            _refused(s.post("/api/v1/customers", token=A, json={
                "name": "Beta", "contacts": [{"last_name": "Roy", field: bad}]}), "contacts", "0", field)
            _refused(s.post(f"/api/v1/customers/{alpha['id']}/contacts", token=A,
                            json={"last_name": "Roy", field: bad}), field)
            _refused(s.patch(f"/api/v1/contacts/{dupont['id']}", token=A,
                             json={"title": "Ignored", field: bad}), field)
        _refused(s.patch(f"/api/v1/customers/{alpha['id']}", token=A, json={"notes": "Ignored", "phone": bad}),
                 "phone")
    r = s.patch(f"/api/v1/contacts/{dupont['id']}", token=A, json={"mobile": 612345678})  # a number, not a text
    assert r.status_code == 422 and list(r.get_json()["errors"]) == ["mobile"], r.get_json()
    assert s.get("/api/v1/customers?q=Beta", token=A).get_json()["items"] == []
    alpha = s.get(f"/api/v1/customers/{alpha['id']}", token=A).get_json()
    assert (alpha["phone"], alpha["notes"], len(alpha["contacts"])) == ("06.12.34.56.78", "", 1)
    dupont = alpha["contacts"][0]
    assert (dupont["title"], dupont["phone"], dupont["mobile"]) == (None, GOOD[0], GOOD[1])

    # accepted when added or edited; emptied (what an emptied form field sends) or null: cleared
    r = s.post(f"/api/v1/customers/{alpha['id']}/contacts", token=A,
               json={"last_name": "Roy", "mobile": GOOD[0], "phone": ""})
    assert r.status_code == 201 and (r.get_json()["mobile"], r.get_json()["phone"]) == (GOOD[0], None), r.get_json()
    r = s.patch(f"/api/v1/contacts/{dupont['id']}", token=A, json={"mobile": "", "fax": GOOD[1], "phone": None})
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["phone"], r.get_json()["mobile"], r.get_json()["fax"]) == (None, None, GOOD[1])
    r = s.patch(f"/api/v1/customers/{alpha['id']}", token=A, json={"phone": GOOD[0]})
    assert r.status_code == 200 and r.get_json()["phone"] == GOOD[0], r.get_json()
    r = s.patch(f"/api/v1/customers/{alpha['id']}", token=A, json={"phone": ""})
    assert r.status_code == 200 and r.get_json()["phone"] is None, r.get_json()


def test_a_number_stored_before_the_rule_does_not_block_other_edits(office):
    s, A = office
    alpha = s.post("/api/v1/customers", token=A, json={"name": "Alpha SARL",
                                                       "contacts": [{"last_name": "Dupont"}]}).get_json()
    dupont = alpha["contacts"][0]
    engine = create_engine(normalize_url(s.db_url("contracts")))
    try:
        with engine.begin() as db:  # typed when the numbers were not checked
            db.execute(text("UPDATE customers SET phone = 'call me' WHERE id = :id"), {"id": alpha["id"]})
            db.execute(text("UPDATE contacts SET mobile = '06 12' WHERE id = :id"), {"id": dupont["id"]})
    finally:
        engine.dispose()
    r = s.patch(f"/api/v1/customers/{alpha['id']}", token=A, json={"notes": "Rappeler en mai"})
    assert r.status_code == 200 and r.get_json()["phone"] == "call me", r.get_json()
    r = s.patch(f"/api/v1/contacts/{dupont['id']}", token=A, json={"title": "Acheteur"})
    assert r.status_code == 200 and r.get_json()["mobile"] == "06 12", r.get_json()


def test_the_erp_import_reports_a_bad_number_as_its_rows_error(office):
    s, A = office
    rows = [{"code": "C001", "name": "Alpha SARL", "phone": "call me"},
            {"code": "C002", "name": "Beta SA", "contacts": [{"last_name": "Roy", "mobile": "06 12"}]},
            {"code": "C003", "name": "Gamma", "phone": GOOD[1], "contacts": [{"last_name": "Lee", "mobile": GOOD[0]}]}]
    r = s.post("/api/v1/erp/customers/import", json={"rows": rows}, token=A)
    assert r.status_code == 200, r.get_json()
    summary = r.get_json()
    assert (summary["created"], summary["updated"]) == (1, 0)
    assert [(e["row"], e["code"], e["errors"]) for e in summary["errors"]] == [
        (1, "C001", {"phone": [PHONE_ERROR]}), (2, "C002", {"contacts": {"0": {"mobile": [PHONE_ERROR]}}})]
    # a known customer: the bad number is refused, the row's other fields are not applied either
    r = s.post("/api/v1/erp/customers/import", token=A,
               json={"rows": [{"code": "C003", "name": "Gamma SAS", "contacts": [{"last_name": "Lee", "fax": "x"}]}]})
    assert [(e["row"], e["errors"]) for e in r.get_json()["errors"]] == [
        (1, {"contacts": {"0": {"fax": [PHONE_ERROR]}}})]
    items = s.get("/api/v1/customers?q=Gamma", token=A).get_json()["items"]
    gamma = s.get(f"/api/v1/customers/{items[0]['id']}", token=A).get_json()
    assert (gamma["name"], gamma["phone"], gamma["contacts"][0]["mobile"]) == ("Gamma", GOOD[1], GOOD[0])
    assert [x["name"] for x in s.get("/api/v1/customers", token=A).get_json()["items"]] == ["Gamma"]


def test_a_number_without_its_country_code_is_read_in_its_customers_country(office):
    """"07700 900456", a UK mobile as dialled in the United Kingdom, is a number of a UK customer (address.country GB,
    or the name an older record has), not of a French one; a customer without a country is read in the company's
    (its profile's address), else in France. Kept as typed, whatever the country."""
    s, A = office
    uk_mobile = "07700 900456"
    r = s.post("/api/v1/customers", token=A, json={
        "name": "Thames Tools Ltd", "phone": "020 7946 0958", "address": {"city": "London", "country": "GB"},
        "contacts": [{"last_name": "Clarke", "mobile": uk_mobile}]})
    assert r.status_code == 201, r.get_json()
    thames = r.get_json()
    assert (thames["phone"], thames["contacts"][0]["mobile"]) == ("020 7946 0958", uk_mobile)
    r = s.post(f"/api/v1/customers/{thames['id']}/contacts", token=A, json={"last_name": "Hughes", "mobile": uk_mobile})
    assert r.status_code == 201 and r.get_json()["mobile"] == uk_mobile, r.get_json()
    r = s.patch(f"/api/v1/contacts/{r.get_json()['id']}", token=A, json={"mobile": "07700 9"})
    assert r.status_code == 422 and r.get_json()["errors"] == {"mobile": [phone_error("GB")]}, r.get_json()
    assert phone_error("GB") == "Not a valid phone number in GB: e.g. 07400 123456 or +44 7400 123456."

    # a French customer: one digit too many; the same number with its country code is anybody's
    r = s.post("/api/v1/customers", token=A, json={"name": "Alpha SARL", "address": {"country": "FR"},
                                                   "contacts": [{"last_name": "Roy", "mobile": uk_mobile}]})
    _refused(r, "contacts", "0", "mobile")
    r = s.post("/api/v1/customers", token=A, json={"name": "Alpha SARL", "address": {"country": "FR"},
                                                   "contacts": [{"last_name": "Roy", "mobile": "+44 7700 900456"}]})
    assert r.status_code == 201, r.get_json()
    alpha = r.get_json()
    _refused(s.patch(f"/api/v1/customers/{alpha['id']}", token=A, json={"phone": "020 7946 0958"}), "phone")
    # ... moved to the United Kingdom in the same request: read there
    r = s.patch(f"/api/v1/customers/{alpha['id']}", token=A,
                json={"phone": "020 7946 0958", "address": {"country": "Royaume-Uni"}})
    assert r.status_code == 200 and r.get_json()["phone"] == "020 7946 0958", r.get_json()

    # no country: the company's, once its profile says the United Kingdom
    r = s.post("/api/v1/customers", token=A, json={"name": "Nowhere Ltd", "phone": "020 7946 0958"})
    _refused(r, "phone")
    r = s.put("/api/v1/company-profile", token=A, json={"name": "Initiative Ltd",
                                                         "address": {"city": "Leeds", "country": "GB"}})
    assert r.status_code == 200, r.get_json()
    r = s.post("/api/v1/customers", token=A, json={"name": "Nowhere Ltd", "phone": "020 7946 0958"})
    assert r.status_code == 201 and r.get_json()["phone"] == "020 7946 0958", r.get_json()
    # the ERP import reads its rows alike: a UK customer's by its address, a known customer's by the stored one
    r = s.post("/api/v1/erp/customers/import", token=A, json={"rows": [
        {"code": "UK1", "name": "Mersey plc", "address": {"country": "GB"}, "contacts": [{"last_name": "Lee",
                                                                                        "mobile": uk_mobile}]},
        {"code": "FR1", "name": "Lyon SA", "address": {"country": "FR"}, "phone": "04 72 00 00 00"}]})
    assert (r.get_json()["created"], r.get_json()["errors"]) == (2, []), r.get_json()
    r = s.post("/api/v1/erp/customers/import", token=A, json={"rows": [
        {"code": "UK1", "contacts": [{"last_name": "Lee", "phone": "0151 496 0000"}]},
        {"code": "FR1", "phone": uk_mobile}]})
    assert r.get_json()["updated"] == 1 and [(e["code"], e["errors"]) for e in r.get_json()["errors"]] == [
        ("FR1", {"phone": [PHONE_ERROR]})], r.get_json()
