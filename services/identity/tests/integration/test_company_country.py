"""The country a company is established in, through the gateway: said when it activates its environment (optional),
it sets the license's first time zone, currency and documents' language, and is where its staff's numbers written
without their country code are read (paraph_platform.company_country: why identity keeps it, as a license setting).
A user's number is read, when an SMS leaves, in the country it was checked in."""
import pytest
from nameko.standalone.rpc import ClusterRpcProxy

pytestmark = pytest.mark.integration

BRITISH_MOBILE = "07700 900456"  # Ofcom's fiction range: a British mobile, no French number (11 digits)


def settings(s, session) -> dict:
    return s.get("/api/v1/license", token=session["access_token"]).get_json()["settings"]


def resolved(rabbit_config, license_id, *user_ids) -> dict:
    with ClusterRpcProxy({"AMQP_URI": rabbit_config["AMQP_URI"], "serializer": "json"}, timeout=10) as rpc:
        return rpc.identity.resolve_users(license_id, list(user_ids))


def test_a_company_that_says_its_country_starts_with_its_zone_currency_and_language(system):
    s = system("identity")
    british = s.new_license("Acme Ltd", "admin@acme.test", country="GB", locale="fr")
    assert settings(s, british) == {**settings(s, british), "country": "GB", "time_zone": "Europe/London",
                                    "currency": "GBP", "default_locale": "en"}
    me = s.get("/api/v1/me", token=british["access_token"]).get_json()
    assert me["locale"] == "fr"  # the admin's own pages: the language of the page they activated it on

    american = s.new_license("Acme Inc", "admin@acme-inc.test", country="US")
    assert {k: settings(s, american)[k] for k in ("country", "time_zone", "currency", "default_locale")} == {
        "country": "US", "time_zone": "America/New_York", "currency": "USD", "default_locale": "en"}
    irish = s.new_license("Acme Ireland", "admin@acme-ie.test", country="IE")
    assert (settings(s, irish)["time_zone"], settings(s, irish)["currency"]) == ("Europe/Dublin", "EUR")

    # not said (the API before it asked): today's defaults, the page's language, and no country
    french = s.new_license("Atelier SARL", "admin@atelier.test", locale="en")
    assert "country" not in settings(s, french)
    assert {k: settings(s, french)[k] for k in ("time_zone", "currency", "default_locale")} == {
        "time_zone": "Europe/Paris", "currency": "EUR", "default_locale": "en"}
    # each still its admins' to change, the country too
    r = s.patch("/api/v1/license", json={"country": "BE", "currency": "EUR"}, token=british["access_token"])
    assert r.status_code == 200 and r.get_json()["settings"]["country"] == "BE", r.get_json()
    event = s.outbox_payloads("identity", "license.updated.v1")[-1]
    assert event["data"]["settings"]["country"] == "BE"  # how the other services learn it (contracts' replica)


@pytest.mark.parametrize("country", ["UK", "gb", "France", "EU", "ZZ", 44])
def test_a_country_is_an_iso_code_in_capitals(system, country):
    s = system("identity")
    admin = s.new_license("Acme Ltd", "admin@acme.test")
    pool = admin["pool"]
    r = s.post("/api/v1/licenses/activate", json={"activation_code": pool["activation_code"],
                                                  "company_name": "Other Ltd", "admin_email": "b@other.test",
                                                  "country": country})
    assert r.status_code == 422 and list(r.get_json()["errors"]) == ["country"], r.get_json()
    r = s.patch("/api/v1/license", json={"country": country}, token=admin["access_token"])
    assert r.status_code == 422 and list(r.get_json()["errors"]) == ["country"], r.get_json()


def test_a_british_companys_staff_numbers_are_read_as_british(system, rabbit_config):
    """Typed as dialled in the UK, a number is British in a British company (refused in a French one, where it is no
    number), and its SMS go to it in E.164; the country is kept with it: a person of a French company too, or a
    company whose country changes, keeps the number they gave."""
    s = system("identity")
    british = s.new_license("Acme Ltd", "admin@acme.test", country="GB")
    french = s.new_license("Atelier SARL", "admin@atelier.test")
    B, F = british["access_token"], french["access_token"]

    r = s.post("/api/v1/users", json={"email": "paul@acme.test", "phone": BRITISH_MOBILE}, token=B)
    assert r.status_code == 201 and r.get_json()["phone"] == BRITISH_MOBILE, r.get_json()  # kept as typed
    paul = r.get_json()["user_id"]
    r = s.post("/api/v1/users", json={"email": "jean@atelier.test", "phone": BRITISH_MOBILE}, token=F)
    assert r.status_code == 422 and r.get_json()["errors"]["phone"][0].startswith("Not a valid phone number in FR")

    me = s.patch("/api/v1/me", json={"phone": "07700 900 123"}, token=B)
    assert me.status_code == 200, me.get_json()
    admin_id = me.get_json()["user_id"]
    said = s.patch("/api/v1/me", json={"phone": "1234"}, token=B).get_json()["errors"]["phone"][0]
    assert said.startswith("Not a valid phone number in GB: e.g. 07400 123456"), said  # what would do, as dialled there
    r = s.patch(f"/api/v1/users/{paul}", json={"phone": "07700 900789"}, token=B)
    assert r.status_code == 200 and r.get_json()["phone"] == "07700 900789", r.get_json()

    users = resolved(rabbit_config, british["license_id"], paul, admin_id)
    assert (users[paul]["sms_phone"], users[admin_id]["sms_phone"]) == ("+447700900789", "+447700900123")

    # Paul joins the French company too: one person, one number, read where it was checked
    r = s.post("/api/v1/users", json={"email": "paul@acme.test"}, token=F)
    assert r.status_code == 201, r.get_json()
    assert resolved(rabbit_config, french["license_id"], paul)[paul]["sms_phone"] == "+447700900789"
    # the British company moves to Ireland: the numbers its staff gave stay the ones they gave
    assert s.patch("/api/v1/license", json={"country": "IE"}, token=B).status_code == 200
    assert resolved(rabbit_config, british["license_id"], paul)[paul]["sms_phone"] == "+447700900789"
    assert s.patch("/api/v1/me", json={"phone": "087 123 4567"}, token=B).status_code == 200  # a new one: Irish
    assert resolved(rabbit_config, british["license_id"], admin_id)[admin_id]["sms_phone"] == "+353871234567"
    # a French company's: France, as before
    jean = s.post("/api/v1/users", json={"email": "jean@atelier.test", "phone": "06 12 34 56 78"}, token=F)
    jean_id = jean.get_json()["user_id"]
    assert resolved(rabbit_config, french["license_id"], jean_id)[jean_id]["sms_phone"] == "+33612345678"
