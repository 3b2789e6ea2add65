"""POST /api/v1/me/password through the gateway: the current password proves it is me, the new one follows
the password rules, a wrong current password is a 422 on its field and counts as a failed sign-in
(throttled), and the change ends my other sessions while the caller goes on with the new session."""
import pytest

pytestmark = pytest.mark.integration

PASSWORD = "a long enough password"
NEW_PASSWORD = "another long password"


def change(s, token, current, new, ip="198.51.100.7"):
    return s.post("/api/v1/me/password", json={"current_password": current, "new_password": new}, token=token,
                  environ_base={"REMOTE_ADDR": ip})


def test_change_my_password_ends_other_sessions_and_keeps_mine(system, monkeypatch):
    monkeypatch.setenv("LOGIN_MAX_FAILURES_PER_ACCOUNT", "3")
    s = system("identity")
    admin = s.new_license("Office SA", "admin@office.test")
    me = s.add_user(admin, "ursula@office.test")
    other_device = s.post("/api/v1/auth/login", json={"email": "ursula@office.test", "password": PASSWORD}).get_json()

    # wrong current password: 422 next to the field; a too short new one: 422 next to it
    r = change(s, me["access_token"], "not my password", NEW_PASSWORD)
    assert r.status_code == 422 and list(r.get_json()["errors"]) == ["current_password"], r.get_json()
    r = change(s, me["access_token"], PASSWORD, "short")
    assert r.status_code == 422 and list(r.get_json()["errors"]) == ["new_password"], r.get_json()
    r = s.post("/api/v1/me/password", json={"new_password": NEW_PASSWORD}, token=me["access_token"])
    assert r.status_code == 422 and "current_password" in r.get_json()["errors"]
    assert s.post("/api/v1/me/password", json={}).status_code == 401  # signed in only

    r = change(s, me["access_token"], PASSWORD, NEW_PASSWORD)
    assert r.status_code == 200, r.get_json()
    session = r.get_json()
    # the caller goes on with the new session; every earlier token ends (this one's and the other device's)
    assert s.get("/api/v1/me", token=session["access_token"]).status_code == 200
    assert s.get("/api/v1/me", token=other_device["access_token"]).status_code == 401
    assert s.get("/api/v1/me", token=me["access_token"]).status_code == 401
    assert s.post("/api/v1/auth/refresh", json={"refresh_token": other_device["refresh_token"]}).status_code == 401
    assert s.post("/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]}).status_code == 200
    login = {"email": "ursula@office.test", "password": NEW_PASSWORD}
    assert s.post("/api/v1/auth/login", json=login).status_code == 200
    assert s.post("/api/v1/auth/login", json={**login, "password": PASSWORD}).status_code == 401


def test_guessing_the_current_password_is_throttled_like_sign_in(system, monkeypatch):
    monkeypatch.setenv("LOGIN_MAX_FAILURES_PER_ACCOUNT", "3")
    s = system("identity")
    admin = s.new_license("Office SA", "admin@office.test")
    me = s.add_user(admin, "ursula@office.test")
    for i in range(3):
        assert change(s, me["access_token"], f"guess {i}", NEW_PASSWORD).status_code == 422
    r = change(s, me["access_token"], PASSWORD, NEW_PASSWORD)  # even the right one, once throttled
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0, r.get_json()
    # the sign-in counts the same failures
    r = s.post("/api/v1/auth/login", json={"email": "ursula@office.test", "password": PASSWORD})
    assert r.status_code == 429
