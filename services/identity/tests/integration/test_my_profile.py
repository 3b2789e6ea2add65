"""PATCH /api/v1/me through the gateway: my name, language and mobile number (where my SMS notifications go).
The number is checked with the rule notify sends by (paraph_platform.phones), kept as typed, shown by GET /me
and to my managers; empty or null clears it; a bad one is a 422 problem+json on its field and changes nothing."""
import pytest

pytestmark = pytest.mark.integration


def test_set_clear_and_refuse_my_mobile_number(system):
    s = system("identity")
    admin = s.new_license("Office SA", "admin@office.test")
    me = s.add_user(admin, "ursula@office.test", name="Ursula")
    T = me["access_token"]
    user_id = s.get("/api/v1/me", token=T).get_json()["user_id"]
    assert s.get("/api/v1/me", token=T).get_json()["phone"] is None

    # set: kept as typed (spaces around it dropped), in GET /me and in what others read of me
    r = s.patch("/api/v1/me", json={"phone": " +33 6 12 34 56 78 "}, token=T)
    assert r.status_code == 200 and r.get_json()["phone"] == "+33 6 12 34 56 78", r.get_json()
    mine = s.get("/api/v1/me", token=T).get_json()
    assert (mine["phone"], mine["name"], mine["locale"]) == ("+33 6 12 34 56 78", "Ursula", "fr")
    assert s.get(f"/api/v1/users/{user_id}", token=admin["access_token"]).get_json()["phone"] == "+33 6 12 34 56 78"
    # with the name and language in the same request, as the account page sends them
    r = s.patch("/api/v1/me", json={"name": "Ursula K.", "locale": "en", "phone": "06.12.34.56.79"}, token=T)
    assert r.status_code == 200 and r.get_json()["phone"] == "06.12.34.56.79", r.get_json()

    # invalid: 422 problem+json on the field, nothing saved (not even the other fields of the request)
    for bad in ("appelez-moi", "1234", "06 12", "+33 6 12 34 56 78 90 12 34 56", "0" * 41, 612345678):
        r = s.patch("/api/v1/me", json={"name": "Someone else", "phone": bad}, token=T)
        assert r.status_code == 422 and r.mimetype == "application/problem+json", (bad, r.get_json())
        assert list(r.get_json()["errors"]) == ["phone"], r.get_json()
    said = s.patch("/api/v1/me", json={"phone": "1234"}, token=T).get_json()["errors"]["phone"]
    assert said[0].startswith("Not a valid phone number"), said  # what the web app translates
    mine = s.get("/api/v1/me", token=T).get_json()
    assert (mine["phone"], mine["name"]) == ("06.12.34.56.79", "Ursula K.")

    # clear: empty (what an emptied form field sends), or null
    r = s.patch("/api/v1/me", json={"phone": ""}, token=T)
    assert r.status_code == 200 and r.get_json()["phone"] is None, r.get_json()
    assert s.get("/api/v1/me", token=T).get_json()["phone"] is None
    assert s.patch("/api/v1/me", json={"phone": "0612345678"}, token=T).get_json()["phone"] == "0612345678"
    r = s.patch("/api/v1/me", json={"phone": None}, token=T)
    assert r.status_code == 200 and s.get("/api/v1/me", token=T).get_json()["phone"] is None
    assert s.get(f"/api/v1/users/{user_id}", token=admin["access_token"]).get_json()["phone"] is None

    assert s.patch("/api/v1/me", json={"phone": "0612345678"}).status_code == 401  # signed in only


def test_a_manager_gives_a_number_sms_can_be_sent_to(system):
    """A number set by a manager (an invitation, a user's card) is checked by the same rule as my own."""
    s = system("identity")
    admin = s.new_license("Office SA", "admin@office.test")
    A = admin["access_token"]
    r = s.post("/api/v1/users", json={"email": "new@office.test", "phone": "06 12"}, token=A)
    assert r.status_code == 422 and list(r.get_json()["errors"]) == ["phone"], r.get_json()
    r = s.post("/api/v1/users", json={"email": "new@office.test", "phone": "+33 6 12 34 56 78"}, token=A)
    assert r.status_code == 201 and r.get_json()["phone"] == "+33 6 12 34 56 78", r.get_json()
    user_id = r.get_json()["user_id"]
    r = s.patch(f"/api/v1/users/{user_id}", json={"phone": "1234"}, token=A)
    assert r.status_code == 422 and list(r.get_json()["errors"]) == ["phone"], r.get_json()
    r = s.patch(f"/api/v1/users/{user_id}", json={"phone": ""}, token=A)
    assert r.status_code == 200 and r.get_json()["phone"] is None, r.get_json()
