"""``/settings/erp-sync/review``: after a sync run without invitations, the license admin chooses whom to invite
(ticked, with a role) and links a collaborator whose email changed in the ERP to the existing user, as a person
would in headless Chromium against the real services; a collaborator invited meanwhile is skipped, the API's
reason said in French."""
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.e2e.web.browsing import by_id, css, gone, ok, on_a_phone

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]

# Paul is linked by email; Anne, Bruno and Chloé are new; Jeanne Martin's email changed in the ERP (she married)
EXPORT = ("Code;Nom;Prénom;E-mail\nV01;Martin;Paul;paul@acme.test\nV02;Durand;Anne;anne@acme.test\n"
          "V03;Petit;Bruno;bruno@acme.test\nV04;Roux;Chloé;chloe@acme.test\nV05;Dupont;Jeanne;jeanne.dupont@acme.test\n")


def codes_in(browser, table_id):
    """The collaborator codes listed in a review table (None while the page is being replaced)."""
    column = 2 if table_id == "erp-without-account" else 1  # after the tick box
    try:
        return [cell.text for cell in css(browser, f"#{table_id} tbody tr td:nth-child({column})")]
    except Exception as error:
        if gone(error):
            return None
        raise


def notices(browser):
    return [n.text for n in css(browser, "main .notice")]


def preview(web_system, browser, sign_in, tmp_path, admin_email: str, export: str):
    """``admin_email`` signed in uploads ``export`` (the CSV's text) on /settings/erp-sync: its preview."""
    path = Path(tmp_path) / "collaborateurs.csv"
    path.write_text(export, encoding="utf-8")
    sign_in(browser, admin_email, next_path="/settings/erp-sync")
    by_id(browser, "field-export").send_keys(str(path))
    by_id(browser, "erp-preview-submit").click()
    web_system.wait(lambda: browser.find_elements("id", "erp-preview"), message="the preview")


def test_admin_runs_without_inviting_then_invites_the_chosen_and_links_a_changed_email(
        web_system, staff, browser, sign_in, screenshot, tmp_path):
    from selenium.webdriver.support.ui import Select
    w, s = web_system, web_system.s
    token = staff.admin["access_token"]
    jeanne = s.add_user(staff.admin, "jeanne.martin@acme.test", name="Jeanne Martin")["user"]
    preview(w, browser, sign_in, tmp_path, staff.email["admin"], EXPORT)
    invite_new = by_id(browser, "erp-invite-new")
    assert invite_new.is_selected()  # as before: the run invites, unless unticked
    invite_new.click()
    by_id(browser, "erp-run-submit").click()
    w.wait(lambda: browser.find_elements("id", "erp-result"), message="the result")
    assert [by_id(browser, f"result-{k}").text for k in ("created", "linked")] == ["0", "1"]
    emails = [u["email"] for u in s.get("/api/v1/users", token=token).get_json()["items"]]
    assert "anne@acme.test" not in emails  # nobody invited by the run
    screenshot(browser, "erp-sync-done-without-invitations")

    by_id(browser, "erp-review-link").click()
    w.wait(lambda: browser.find_elements("id", "erp-invite-form"), message="the review page")
    assert codes_in(browser, "erp-without-account") == ["V02", "V03", "V04", "V05"]
    assert not [box for box in css(browser, "input[name=codes]") if box.is_selected()]  # nothing ticked
    # "select all" ticks them all, and unticks them
    select_all = by_id(browser, "erp-select-all")
    select_all.click()
    assert all(box.is_selected() for box in css(browser, "input[name=codes]"))
    select_all.click()
    assert not [box for box in css(browser, "input[name=codes]") if box.is_selected()]
    with on_a_phone(browser):  # no column to head there: the box says what it does
        assert select_all.find_element("xpath", "..").text == "Tout sélectionner"
    words = select_all.find_element("xpath", "../span")  # over its column, its words are for screen readers
    assert words.value_of_css_property("position") == "absolute" and words.size["width"] <= 1
    # Jeanne Martin, a user without ERP code, is offered for the collaborators to check by hand
    assert "jeanne.martin@acme.test" in by_id(browser, "erp-to-link").text
    screenshot(browser, "erp-review")

    for code in ("V02", "V04"):
        css(browser, f"input[name=codes][value={code}]")[0].click()
    Select(by_id(browser, "field-role")).select_by_value("user")
    by_id(browser, "erp-invite-submit").click()
    w.wait(lambda: codes_in(browser, "erp-without-account") == ["V03", "V05"], message="the list refreshed")
    assert any("anne@acme.test" in n and "chloe@acme.test" in n for n in notices(browser)), notices(browser)
    users = {u["email"]: u for u in s.get("/api/v1/users", token=token).get_json()["items"]}
    assert (users["anne@acme.test"]["status"], users["anne@acme.test"]["erp_code"]) == ("invited", "V02")
    assert (users["chloe@acme.test"]["status"], users["chloe@acme.test"]["erp_code"]) == ("invited", "V04")
    assert "bruno@acme.test" not in users and "jeanne.dupont@acme.test" not in users
    assert s.invitation_links("anne@acme.test") and s.invitation_links("chloe@acme.test")
    assert not s.invitation_links("bruno@acme.test")

    # V05 is Jeanne Martin under her new email: linked to her account by hand
    row = next(r for r in css(browser, "#erp-to-link tbody tr") if "V05" in r.text)
    Select(row.find_element("css selector", "select")).select_by_value(jeanne["user_id"])
    row.find_element("css selector", "button[type=submit]").click()
    w.wait(lambda: codes_in(browser, "erp-without-account") == ["V03"], message="V05 gone after the link")
    assert any("jeanne.martin@acme.test" in n and "V05" in n for n in notices(browser)), notices(browser)
    assert codes_in(browser, "erp-to-link") == ["V03"]
    report = s.get("/api/v1/erp/sync-report", token=token).get_json()
    assert {"code": "V05", "email": "jeanne.dupont@acme.test", "name": "Jeanne Dupont", "user_id": jeanne["user_id"],
            "active": True, "user_status": "active"} in report["matched"]
    assert [c["code"] for c in report["collaborators_without_user"]] == ["V03"]
    assert "jeanne.martin@acme.test" not in [u["email"] for u in report["users_without_collaborator"]]
    assert s.get(f"/api/v1/users/{jeanne['user_id']}", token=token).get_json()["erp_code"] == "V05"
    assert not s.invitation_links("jeanne.dupont@acme.test")
    screenshot(browser, "erp-review-after")

    # Bruno is invited meanwhile from the users' page: ticked here, he is skipped, named once, the API's reason
    # in French
    r = s.post("/api/v1/users", token=token, json={"email": "bruno@acme.test", "name": "Bruno Petit", "role": "user"})
    assert r.status_code == 201, r.get_json()
    css(browser, "input[name=codes][value=V03]")[0].click()
    by_id(browser, "erp-invite-submit").click()
    w.wait(lambda: codes_in(browser, "erp-without-account") == [], message="V03 gone, invited meanwhile")
    assert ("Bruno Petit (bruno@acme.test, V03) n'a pas été invité. Déjà invité dans cette licence."
            in notices(browser)), notices(browser)
    screenshot(browser, "erp-review-skipped")


def test_a_collaborator_marked_inactive_since_the_page_was_shown_is_not_invited_and_the_page_says_why(
        web_system, browser, sign_in, screenshot):
    s = web_system.s
    admin = s.new_license("Atelier SARL", "gerant@atelier.test", seats=5)
    export = "Code;Nom;Prénom;E-mail;Actif\nA1;Roux;Marc;marc@atelier.test;1\nA2;Blanc;Inès;ines@atelier.test;1\n"
    r = s.post("/api/v1/erp/collaborators/import", token=admin["access_token"],
               json={"format": "csv", "content": export})
    assert r.status_code == 200, r.get_json()

    sign_in(browser, "gerant@atelier.test", next_path="/settings/erp-sync/review")
    assert codes_in(browser, "erp-without-account") == ["A1", "A2"]
    # Inès leaves the company: the next sync marks her inactive while this page is still open
    r = s.post("/api/v1/erp/collaborators/import", token=admin["access_token"],
               json={"format": "csv", "content": export.replace("ines@atelier.test;1", "ines@atelier.test;0")})
    assert r.status_code == 200, r.get_json()
    by_id(browser, "erp-select-all").click()
    by_id(browser, "erp-invite-submit").click()
    web_system.wait(lambda: codes_in(browser, "erp-without-account") is not None
                    and "A1" not in codes_in(browser, "erp-without-account"), message="Marc invited")
    said = notices(browser)
    assert any("marc@atelier.test" in n for n in said), said
    assert "Inès Blanc (ines@atelier.test, A2) n'a pas été invité. Marqué inactif dans l'ERP." in said, said
    assert not s.invitation_links("ines@atelier.test")
    screenshot(browser, "erp-review-skipped-inactive")


def test_a_user_deactivated_in_paraph_is_never_offered_to_invite_and_a_portal_clients_email_is_said_apart(
        web_system, browser, sign_in, screenshot, tmp_path, rabbit_config):
    """Seed 002, the walkthrough's case: a collaborator whose Paraph user was deactivated is linked by the preview,
    the run and the review alike (the API's one rule), shown "deactivated in Paraph" with the way to their page to
    reactivate them, never among those to invite (inviting them took a seat); a collaborator whose email is a
    portal client's is counted and shown as such, not to create, and the run's refusal is said in French."""
    from nameko.standalone.rpc import ClusterRpcProxy
    w, s = web_system, web_system.s
    admin = s.new_license("Atelier SARL", "gerant@atelier.test", seats=3)
    token = admin["access_token"]
    gaston = s.add_user(admin, "gaston@atelier.test", name="Gaston Parti")["user"]
    ok(s.post(f"/api/v1/users/{gaston['user_id']}/deactivate", token=token))
    customer = ok(s.post("/api/v1/customers", token=token, json={
        "name": "Client SARL", "contacts": [{"first_name": "Alice", "last_name": "Lemoine",
                                             "email": "alice@client.test"}]}))
    # her portal access, as the portal service asks identity for it (this module runs no portal)
    with ClusterRpcProxy({"AMQP_URI": rabbit_config["AMQP_URI"], "serializer": "json"}, timeout=10) as rpc:
        rpc.identity.grant_client_access({"user_id": admin["user"]["user_id"], "license_id": admin["license_id"],
                                          "role": admin["role"]}, {
            "email": "alice@client.test", "name": "Alice Lemoine", "user_code": "LEMOINE",
            "contact_id": customer["contacts"][0]["id"], "customer_id": customer["id"], "company": None,
            "allowed_ip": None, "branch": None, "locale": "fr", "send_email": False})
    preview(w, browser, sign_in, tmp_path, "gerant@atelier.test", (
        "Code;Nom;Prénom;E-mail\nA1;Parti;Gaston;gaston@atelier.test\nA2;Roux;Marc;marc@atelier.test\n"
        "A3;Lemoine;Alice;alice@client.test\n"))
    assert [by_id(browser, f"count-{k}").text for k in ("linked", "to-create", "portal-clients", "seats-free")] == [
        "1", "1", "1", "2"]
    assert not css(browser, "#erp-seat-shortage")  # Marc's seat only: Alice's email takes none
    linked = by_id(browser, "erp-linked").text
    assert "gaston@atelier.test" in linked and "Désactivé" in linked
    assert "alice@client.test" in by_id(browser, "erp-portal-clients").text
    screenshot(browser, "erp-preview-deactivated-and-portal-client")

    by_id(browser, "erp-run-submit").click()
    w.wait(lambda: browser.find_elements("id", "erp-result"), message="the result")
    assert [by_id(browser, f"result-{k}").text for k in ("created", "linked", "errors")] == ["1", "1", "1"]
    assert ("Non invité. alice@client.test est l'email d'un accès au portail client de cette entreprise : un email, "
            "une personne." in by_id(browser, "erp-result-errors").text.replace("\u00a0", " "))
    assert len(s.invitation_links("gaston@atelier.test")) == 1  # his first invitation only

    browser.get(w.url + "/settings/erp-sync/review")
    assert codes_in(browser, "erp-without-account") == []  # Marc invited; Gaston and Alice are not to invite
    assert codes_in(browser, "erp-deactivated-table") == ["A1"]
    assert css(browser, "#erp-deactivated-table .badge.deactivated")[0].text == "Désactivé"
    assert codes_in(browser, "erp-portal-clients-table") == ["A3"]
    assert not css(browser, "#erp-left")  # a deactivated user holds no seat to free
    screenshot(browser, "erp-review-deactivated-and-portal-client")

    # the admin wants Gaston back: his page, from the review, reactivates him (a seat, a new invitation)
    css(browser, "#erp-deactivated-table a")[0].click()
    w.wait(lambda: browser.find_elements("id", "reactivate"), message="Gaston's page")
    assert css(browser, "h1")[0].text == "Gaston Parti"
    by_id(browser, "reactivate").click()
    w.wait(lambda: ok(s.get(f"/api/v1/users/{gaston['user_id']}", token=token))["status"] == "invited",
           message="Gaston reactivated")
    browser.get(w.url + "/settings/erp-sync/review")
    by_id(browser, "erp-invite")
    assert not css(browser, "#erp-deactivated") and codes_in(browser, "erp-without-account") == []
    assert len(s.invitation_links("gaston@atelier.test")) == 2


def test_an_expired_subscription_is_said_with_its_date_as_the_pages_write_dates(web_system, browser, sign_in,
                                                                                 screenshot):
    from babel.dates import format_date
    from paraph_platform.dates import first_of_month

    from paraph_platform.testing import TEST_OPERATOR_TOKEN
    s = web_system.s
    admin = s.new_license("Ancienne SARL", "gerant@ancienne.test", seats=5)
    r = s.post("/api/v1/erp/collaborators/import", token=admin["access_token"],
               json={"format": "csv", "content": "Code;E-mail\nB1;un@ancienne.test\n"})
    assert r.status_code == 200, r.get_json()
    sign_in(browser, "gerant@ancienne.test", next_path="/settings/erp-sync/review")
    ended = datetime.now(timezone.utc) - timedelta(days=1)
    r = s.patch(f"/api/v1/operator/seat-pools/{admin['pool']['id']}", json={"expires_at": ended.isoformat()},
                headers={"Authorization": f"Bearer {TEST_OPERATOR_TOKEN}"})
    assert r.status_code == 200, r.get_json()

    css(browser, "input[name=codes][value=B1]")[0].click()
    by_id(browser, "erp-invite-submit").click()
    # the refusal, then the review page itself: each page of the license says the subscription ended, once
    page = web_system.wait(lambda: css(browser, "#error-page"), message="the subscription's end")[0].text
    assert f"L'abonnement a expiré le {first_of_month(format_date(ended.date(), 'medium', locale='fr'), 'fr')}." in page, page
    # said to its reader, the license admin (who renews it), not "ask the license admin"; no bare status code
    assert "renouvelez-le auprès du fournisseur de votre abonnement Paraph" in page, page
    assert "administrateur de la licence" not in page and ended.date().isoformat() not in page
    assert not css(browser, "#error-page .code")
    assert browser.find_element("tag name", "h1").text == "Abonnement terminé"
    assert not notices(browser) and not css(browser, "#error-page a[href='/']")  # home says the same
    assert not s.invitation_links("un@ancienne.test")
    screenshot(browser, "erp-review-expired")


def test_a_seat_shortage_says_who_got_in_and_how_many_seats_are_left(web_system, browser, sign_in, screenshot):
    s = web_system.s
    admin = s.new_license("Petite SARL", "gerant@petite.test", seats=3)  # the admin takes one: two left
    r = s.post("/api/v1/erp/collaborators/import", token=admin["access_token"], json={"format": "csv", "content": (
        "Code;E-mail\nP1;un@petite.test\nP2;deux@petite.test\nP3;trois@petite.test\n")})
    assert r.status_code == 200, r.get_json()

    sign_in(browser, "gerant@petite.test", next_path="/settings/erp-sync/review")
    assert by_id(browser, "erp-seats-left").text.startswith("2")
    by_id(browser, "erp-select-all").click()
    by_id(browser, "erp-invite-submit").click()
    web_system.wait(lambda: codes_in(browser, "erp-without-account") == ["P3"], message="two invited, one left")
    said = notices(browser)
    assert any("un@petite.test" in n and "deux@petite.test" in n for n in said), said
    shortage = next(n for n in said if "trois@petite.test" in n)
    assert "0" in shortage and "3" in shortage  # no seat left of three
    assert by_id(browser, "erp-seats-left").text.startswith("0")
    assert not s.invitation_links("trois@petite.test")
    screenshot(browser, "erp-review-no-seat")


def test_the_preview_says_the_seats_its_invitations_take_and_the_run_invites_the_first_rows(
        web_system, browser, sign_in, screenshot, tmp_path):
    """Seed 002: each active user holds a seat. The preview's counts and warning are the API's (seats_needed,
    seats_free): a deactivated user's row is linked, not counted; the run then invites the first rows while
    seats are left, as the preview said."""
    w, s = web_system, web_system.s
    admin = s.new_license("Petite SARL", "gerant@petite.test", seats=3)
    gone = s.add_user(admin, "parti@petite.test")["user"]
    r = s.post(f"/api/v1/users/{gone['user_id']}/deactivate", token=admin["access_token"])
    assert r.status_code == 200, r.get_json()  # the admin's seat: two free
    preview(w, browser, sign_in, tmp_path, "gerant@petite.test", (
        "Code;E-mail\nP0;parti@petite.test\nP1;un@petite.test\nP2;deux@petite.test\nP3;trois@petite.test\n"))
    assert [by_id(browser, f"count-{k}").text for k in ("linked", "to-create", "seats-free")] == ["1", "3", "2"]
    said = by_id(browser, "erp-seat-shortage").text
    assert said.startswith("Plus que 2 licences libres sur 3 : 1 collaborateur à créer ne sera pas invité"), said
    assert by_id(browser, "erp-invite-new").is_selected()
    screenshot(browser, "erp-preview-seat-shortage")

    by_id(browser, "erp-run-submit").click()
    w.wait(lambda: browser.find_elements("id", "erp-result"), message="the result")
    assert [by_id(browser, f"result-{k}").text for k in ("created", "linked", "errors")] == ["2", "1", "1"]
    assert "trois@petite.test" not in [u["email"] for u in s.get("/api/v1/users", token=admin["access_token"])
                                       .get_json()["items"]]
    screenshot(browser, "erp-sync-done-seat-shortage")
