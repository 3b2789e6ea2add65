"""The license admin's pages against a fake gateway, for what a walk through the seeds found missing: an activation
sent twice is said next to the company name; the ERP sync preview says before the run that the seats will not
do; the preview and the result name the same group of users missing from the file; a manager without a name is
offered to give it where they invite (the email names the inviter); a perimeter does not offer license admins,
who see everything anyway."""
from __future__ import annotations

import re
from html import unescape

from flask import Flask, jsonify, request

from web.tests.test_web import NO_ITEMS, answer_gets, csrf, sign_in, web_in_front_of

FRENCH = {"Accept-Language": "fr"}


def text_of(page: str, start: str, end: str | None = None) -> str:
    """The words of the page from the element with id ``start`` (to the one with id ``end``), tags removed, its
    spaces collapsed (not the no-break ones French puts before a colon)."""
    begin = page.index(">", page.index(f'id="{start}"')) + 1
    part = page[begin:page.rindex("<", 0, page.index(f'id="{end}"')) if end else None]
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", part))).strip()


def test_an_activation_sent_again_is_said_next_to_the_company_name():
    fake = Flask("fake_gateway")

    @fake.post("/api/v1/licenses/activate")
    def activate():
        return jsonify({"type": "https://paraph.dev/problems/conflict", "title": "Conflict", "status": 409,
                        "code": "conflict", "license_name": "Immo Paris",
                        "detail": "A company named “Immo Paris” is already activated on this subscription: ...",
                        "errors": {"company_name": ["A company of this subscription already has this name."]}}), 409

    with web_in_front_of(fake, locale=lambda: "fr") as web:
        client = web.test_client()
        r = client.post("/activate", headers=FRENCH, data={
            "activation_code": "70F2-AA83-4870-49C5", "company_name": "immo paris", "admin_email": "claire@immo.test",
            "admin_name": "Claire Martin", "csrf_token": csrf(client, "/activate")})
    page = r.get_data(as_text=True)
    assert r.status_code == 409
    error = text_of(page, "field-company_name-error", None).split(" Votre nom")[0]
    assert error.startswith("Immo Paris est déjà activée sur cet abonnement\u00a0: son administrateur a reçu"), error
    assert 'value="immo paris"' in page  # the form kept as typed
    # its admin whose link was lost or expired: "forgot password" sends a new one, linked with the email filled in
    assert ("Lien perdu ou expiré\u00a0? Il en obtient un nouveau avec «\u00a0Mot de passe oublié\u00a0?\u00a0» sur la "
            "page de connexion.") in error, error
    link = re.search(r'id="activation-new-link"><a href="([^"]+)">([^<]+)</a>', page)
    assert (unescape(link.group(1)), unescape(link.group(2))) == (
        "/forgot-password?email=claire@immo.test",
        "Vous en êtes l'administrateur\u00a0? Recevez un nouveau lien pour choisir votre mot de passe"), page


def erp_gateway(free: int, total: int = 6, to_create: int = 2):
    """A fake gateway for the ERP sync pages: ``free`` seats of ``total``, ``to_create`` collaborators to
    invite, Jean (a user) missing from the export, Marc (a user no export ever linked) in it."""
    fake = Flask("fake_gateway")
    calls = []
    missing = [{"user_id": "u-jean", "email": "jean@acme.test", "name": "Jean Martin", "erp_code": "CO008"}]

    @fake.get("/api/v1/license")
    def license():
        calls.append("license")
        return jsonify({"id": "l1", "name": "ACME Paris", "seats_total": total, "seats_used": total - free,
                        "seats_used_here": total - free, "active_users": 1})

    @fake.post("/api/v1/erp/collaborators/preview")
    def preview():
        calls.append("preview")
        return jsonify({"total": to_create + 1, "errors": [], "to_check": missing,
                        "linked": [{"row": 1, "code": "CO001", "email": "marc@acme.test", "name": "", "user_id": "u-m"}],
                        "to_create": [{"row": 2 + n, "code": f"CO10{n}", "email": f"new{n}@acme.test", "name": ""}
                                      for n in range(to_create)],
                        "seats_needed": to_create, "seats_free": free, "seats_total": total,
                        "seats_used": total - free})

    @fake.post("/api/v1/erp/collaborators/import")
    def run():
        calls.append("import")
        return jsonify({"total": to_create + 1, "invited": [], "linked": 1, "errors": []})

    @fake.get("/api/v1/erp/sync-report")
    def report():
        return jsonify({"matched": [], "collaborators_without_user": [],
                        "users_without_collaborator": [{"user_id": "u-marc", "email": "marc-old@acme.test",
                                                        "name": "", "erp_code": None}]})

    return fake, calls


def preview_page(fake) -> str:
    with web_in_front_of(fake, locale=lambda: "fr", role="license_admin") as web:
        client = web.test_client()
        sign_in(client)
        from io import BytesIO
        r = client.post("/settings/erp-sync/preview", headers=FRENCH, content_type="multipart/form-data", data={
            "export": (BytesIO(b"Code;E-mail\nCO001;marc@acme.test\n"), "collaborateurs.csv"),
            "csrf_token": csrf(client, "/settings/erp-sync")})
        assert r.status_code == 200
        return r.get_data(as_text=True)


def test_the_erp_preview_says_before_the_run_that_no_seat_is_left():
    page = preview_page(erp_gateway(free=0)[0])
    said = text_of(page, "erp-seat-shortage", "erp-seat-shortage-users")
    assert said.startswith("Plus aucune licence libre (6 sur 6 utilisées)\u00a0: aucun des 2 collaborateurs à créer "
                           "ne peut être invité. Les invitations sont décochées ci-dessous\u00a0: la synchronisation "
                           "rattache seulement par email."), said
    # every invitation would be refused: the run only links, unless the admin ticks them
    assert re.search(r'<input type="checkbox" name="invite_new"[^>]*id="erp-invite-new" aria', page)


def test_the_erp_preview_says_how_many_collaborators_the_seats_left_leave_out():
    fake, calls = erp_gateway(free=1, to_create=3)
    page = preview_page(fake)
    said = text_of(page, "erp-seat-shortage", "erp-seat-shortage-users")
    assert said.startswith("Plus que 1 licence libre sur 6\u00a0: 2 collaborateurs à créer ne seront pas invités"), said
    # the seats are the preview's own (what the run takes): no separate read of the license (the sign-in's alone,
    # for the company's country)
    assert text_of(page, "count-seats-free", "count-to-check").split()[0] == "1" and calls == ["license", "preview"]
    assert 'id="erp-invite-new" checked' in page
    # enough seats: nothing said
    assert 'id="erp-seat-shortage"' not in preview_page(erp_gateway(free=2, to_create=2)[0])


def test_the_preview_and_the_result_name_the_same_users_missing_from_the_file():
    preview = preview_page(erp_gateway(free=5)[0])
    assert "Absents de ce fichier" in text_of(preview, "erp-preview", "count-to-check")
    assert text_of(preview, "to-check-heading", "erp-to-check").startswith("Utilisateurs absents de ce fichier")
    assert "À vérifier à la main" not in preview
    fake, calls = erp_gateway(free=5)
    with web_in_front_of(fake, locale=lambda: "fr", role="license_admin") as web:
        client = web.test_client()
        sign_in(client)
        r = client.post("/settings/erp-sync/run", headers=FRENCH, data={
            "content": "Code;E-mail\nCO001;marc@acme.test\n", "csrf_token": csrf(client, "/settings/erp-sync")})
    result = r.get_data(as_text=True)
    assert 'id="erp-result"' in result
    section = text_of(result, "result-to-check-heading", "erp-result-to-check")
    assert section.startswith("Utilisateurs absents de ce fichier") and "À vérifier à la main" not in result
    listed = text_of(result, "erp-result-to-check")
    # the preview's group (Jean, not in the file), not the users no export ever linked (Marc's old email)
    assert "jean@acme.test" in listed and "marc-old@acme.test" not in listed
    assert calls[-2:] == ["import", "preview"]


def inviting_gateway(name: str):
    fake = Flask("fake_gateway")
    state = {"name": name, "calls": []}

    @fake.get("/api/v1/perimeters")
    def perimeters():
        return jsonify({"items": [], "next_cursor": None})

    @fake.get("/api/v1/license")  # the form says when no seat is left (none here)
    def license():
        return jsonify({"id": "l1", "name": "ACME Paris", "seats_total": 10, "seats_used": 1, "seats_used_here": 1})

    @fake.patch("/api/v1/me")
    def profile():
        state["calls"].append(("PATCH /me", request.get_json()))
        state["name"] = request.get_json()["name"]
        return jsonify({"email": "ann@acme.test", "name": state["name"], "locale": "fr"})

    @fake.post("/api/v1/users")
    def invite():
        state["calls"].append(("POST /users", request.get_json()))
        return jsonify({"user_id": "u-new", "email": request.get_json()["email"]}), 201

    return fake, state


def test_a_manager_without_a_name_gives_it_where_they_invite_before_the_email_names_them():
    fake, state = inviting_gateway(name="")
    with web_in_front_of(fake, locale=lambda: "fr", role="license_admin") as web:
        client = web.test_client()
        sign_in(client)
        with client.session_transaction() as session:  # Ann Lee who never gave her name (/me: none)
            session["user"] = {**session["user"], "name": ""}
        form = client.get("/settings/users/invite", headers=FRENCH).get_data(as_text=True)
        assert 'id="field-inviter_name"' in form
        assert "sans votre nom, elle dit ann@acme.test" in text_of(form, "field-inviter_name")
        r = client.post("/settings/users/invite", headers=FRENCH, data={
            "email": "paul@acme.test", "role": "user", "inviter_name": " Ann Lee ",
            "csrf_token": csrf(client, "/settings/users/invite")})
        assert r.status_code == 302
        # saved on the profile before the invitation is sent, which names her by it
        assert state["calls"] == [("PATCH /me", {"name": "Ann Lee"}),
                                  ("POST /users", {"email": "paul@acme.test", "name": "", "role": "user"})]
        assert 'id="field-inviter_name"' not in client.get("/settings/users/invite").get_data(as_text=True)


def test_a_perimeter_does_not_offer_the_license_admins_and_says_why():
    fake = Flask("fake_gateway")
    saved = []

    @fake.get("/api/v1/perimeters/<perimeter_id>")
    def perimeter(perimeter_id):
        return jsonify({"id": perimeter_id, "name": "PACA", "description": None,
                        "members": {"users": ["u-claire", "u-dupont"], "customers": [], "contract_types": []}})

    users = [{"user_id": "u-claire", "email": "claire@immo.test", "name": "Claire Martin", "role": "license_admin"},
             {"user_id": "u-dupont", "email": "dupont@immo.test", "name": "M. Dupont", "role": "user"},
             {"user_id": "u-fum", "email": "fum@immo.test", "name": "Léa Roux", "role": "front_user_manager"}]
    answer_gets(fake, {"/users": {"items": users, "next_cursor": None}, "/customers": NO_ITEMS, "/contract-types": []})

    @fake.patch("/api/v1/perimeters/<perimeter_id>")
    def rename(perimeter_id):
        return jsonify({"id": perimeter_id, "name": "PACA"})

    @fake.put("/api/v1/perimeters/<perimeter_id>/members")
    def members(perimeter_id):
        saved.append(request.get_json())
        return jsonify({})

    with web_in_front_of(fake, locale=lambda: "fr", role="license_admin") as web:
        client = web.test_client()
        sign_in(client)
        page = client.get("/settings/perimeters/p-paca", headers=FRENCH).get_data(as_text=True)
        users_box = text_of(page, "users-choices" if 'id="users-choices"' in page else "perimeter-form",
                            "perimeter-admins-hint")
        assert "M. Dupont" in users_box and "Léa Roux" in users_box and "Claire Martin" not in users_box
        assert text_of(page, "perimeter-admins-hint").startswith(
            "Les administrateurs de licence ne sont pas listés\u00a0: ils voient tous les clients")
        # saving keeps the admin made a member earlier (she may get another role), unlisted
        r = client.post("/settings/perimeters/p-paca", data={"name": "PACA", "users": ["u-dupont"],
                                                             "csrf_token": csrf(client, "/settings/perimeters/p-paca")})
        assert r.status_code == 302, r.get_data(as_text=True)[:500]
    assert saved[-1]["users"] == ["u-dupont", "u-claire"]
