"""A front user manager's refusals on the users' pages, found by a walk through the app in her shoes: what the API
refuses her (an admin's role, deactivation or invitation, a role she may not give, a user's perimeters) is said on
the page in French, never as an English sentence nor an error page."""
from __future__ import annotations

import re
from html import unescape

from flask import Flask, jsonify, request

from web.tests.test_web import csrf, web_in_front_of

FRENCH = {"Accept-Language": "fr"}
ADMIN = {"user_id": "u-admin", "email": "alain@nord.test", "name": "Alain Admin", "role": "license_admin",
         "status": "active", "created_at": "2026-12-01T09:00:00Z"}
PAUL = {**ADMIN, "user_id": "u-paul", "email": "paul@nord.test", "name": "Paul Martin", "role": "user"}


def problem(status: int, detail: str):
    return jsonify({"type": "about:blank", "title": "Refused", "status": status, "detail": detail}), status


def notices(page: str) -> list[str]:
    return [re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", "", n))).strip()
            for n in re.findall(r'<p class="notice[^"]*"[^>]*>(.*?)</p>', page, re.S)]


def manager_gateway():
    fake = Flask("fake_gateway")

    @fake.get("/api/v1/users/<user_id>")
    def user(user_id):
        return jsonify(ADMIN if user_id == "u-admin" else PAUL)

    @fake.get("/api/v1/users/<user_id>/perimeters")
    def assigned(user_id):
        return jsonify({"user_id": user_id, "perimeter_ids": [], "perimeters": []})

    @fake.post("/api/v1/users/<user_id>/<action>")
    def action(user_id, action):
        if action == "resend-invitation":
            return problem(409, "This user is active; only pending invitations can be re-sent.")
        return problem(403, "You cannot deactivate this user.")

    @fake.patch("/api/v1/users/<user_id>")
    def change_role(user_id):
        return problem(403, "You cannot change this user's role.")

    @fake.put("/api/v1/users/<user_id>/perimeters")
    def give_perimeters(user_id):
        return problem(403, "This action needs one of the roles: license_admin.")

    @fake.get("/api/v1/license")  # a front user manager reads the seats she invites into
    def license():
        return jsonify({"id": "lic", "name": "Nord", "settings": {}, "seats_total": 10, "seats_used": 4,
                        "seats_used_here": 4, "active_users": 3, "expires_at": "2027-12-31T00:00:00Z"})

    @fake.get("/api/v1/perimeters")
    def perimeters():
        return jsonify({"items": [{"id": "p1", "name": "Nord"}], "next_cursor": None})

    @fake.post("/api/v1/users")
    def invite():
        return problem(403, f"A front_user_manager cannot invite a {request.get_json()['role']}.")

    return fake


def test_what_the_api_refuses_a_front_user_manager_is_said_in_french_on_the_users_pages():
    with web_in_front_of(manager_gateway(), locale=lambda: "fr", role="front_user_manager") as web:
        client = web.test_client()
        client.post("/sign-in", headers=FRENCH, data={"email": "lucie@nord.test", "password": "right password",
                                                      "csrf_token": csrf(client)})

        def said(path, **form):
            r = client.post(path, headers=FRENCH, data={**form, "csrf_token": csrf(client, "/settings/users/u-admin")},
                            follow_redirects=True)
            assert r.status_code == 200, r.status_code
            return notices(r.get_data(as_text=True))

        assert said("/settings/users/u-admin/deactivate") == ["Votre rôle ne permet pas de désactiver cet utilisateur."]
        assert said("/settings/users/u-admin/role", role="user") == [
            "Votre rôle ne permet pas de changer le rôle de cet utilisateur."]
        assert said("/settings/users/u-paul/resend-invitation") == [
            "Seule une invitation en attente peut être renvoyée\u00a0: celle-ci a déjà été acceptée ou retirée."]
        # a user's perimeters are a license admin's to give: a form of an older page is refused on the user's page
        assert said("/settings/users/u-paul/perimeters", perimeter_ids="p1") == [
            "Seul un administrateur de licence attribue les périmètres d'un utilisateur."]

        # a role she may not give (a form of an older page, a tampered one): said above the invitation form
        r = client.post("/settings/users/invite", headers=FRENCH, data={
            "email": "boss@nord.test", "role": "license_admin", "csrf_token": csrf(client, "/settings/users/invite")})
        page = r.get_data(as_text=True)
        assert r.status_code == 422 and "<title>Inviter un utilisateur · Paraph</title>" in page, r.status_code
        assert "Votre rôle ne permet pas d'inviter" in unescape(page), page
        assert 'value="boss@nord.test"' in page  # the form kept as typed
