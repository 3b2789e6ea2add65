"""One-way ERP user sync through the public API, with the CLI."""
import json

import pytest

from identity_service import cli
from paraph_platform.testing import TEST_OPERATOR_TOKEN

pytestmark = pytest.mark.integration

EXPORT = """Code;Nom;Prénom;E-mail
V01;Durand;Anne;anne@acme.test
V02;Martin;Luc;luc@acme.test
V03;Petit;Léa;LEA@acme.test
V04;Sans;Mail;
"""


def run_cli(s, admin, monkeypatch, capsys, tmp_path, export: str, *options: str) -> tuple[int, dict, str]:
    """The sync CLI on ``export`` with ``options``, as an integration runs it: on a service account's API key (no
    seat, nobody's session); its exit code, JSON summary and what it said on stderr."""
    account = s.post("/api/v1/service-accounts", json={"name": "ERP sync", "role": "license_admin"},
                     token=admin["access_token"]).get_json()
    key = s.post(f"/api/v1/service-accounts/{account['id']}/keys", json={"name": "sage", "scopes": ["users:write"]},
                 token=admin["access_token"]).get_json()["key"]
    monkeypatch.setenv("PARAPH_API_KEY", key)
    path = tmp_path / "collaborateurs.csv"
    path.write_text(export, encoding="utf-8")
    code = cli.main([str(path), "--api", s.serve() + "/api/v1", "--json", *options])
    out, err = capsys.readouterr()
    assert code == 0, err
    return code, json.loads(out), err


def test_cli_links_existing_users_and_lists_what_needs_review(system, capsys, monkeypatch, tmp_path):
    s = system("identity")
    admin = s.new_license("ACME", "admin@acme.test", seats=10)
    anne = s.add_user(admin, "Anne@acme.test")  # existing user: linked by email
    s.add_user(admin, "stranger@acme.test")     # not in the ERP: manual review
    _, summary, err = run_cli(s, admin, monkeypatch, capsys, tmp_path, EXPORT, "--batch-size", "2")
    assert summary["created"] == 3 and summary["linked"] == 1 and summary["matched"] == 1
    assert [e["row"] for e in summary["errors"]] == [4]
    assert sorted(c["code"] for c in summary["collaborators_without_user"]) == ["V02", "V03"]
    assert sorted(u["email"] for u in summary["users_without_collaborator"]) == [
        "admin@acme.test", "stranger@acme.test"]
    assert "100%" in err  # the progress bar reached the end
    me = s.get(f"/api/v1/users/{anne['user']['user_id']}", token=admin["access_token"]).get_json()
    assert me["erp_code"] == "V01"

    # a user created later in Paraph whose email is in the ERP gets the collaborator code
    r = s.post("/api/v1/users", json={"email": "luc@acme.test"}, token=admin["access_token"])
    assert r.status_code == 201 and r.get_json()["erp_code"] == "V02"

    # activation wizard: invite the remaining collaborators
    r = s.post("/api/v1/erp/collaborators/invite", json={"codes": ["V03"]}, token=admin["access_token"])
    assert r.status_code == 200 and [m["email"] for m in r.get_json()["invited"]] == ["lea@acme.test"]
    assert s.invitation_links("lea@acme.test")
    report = s.get("/api/v1/erp/sync-report", token=admin["access_token"]).get_json()
    assert report["collaborators_without_user"] == []

    # re-running the same export changes nothing (one-way and idempotent)
    r = s.post("/api/v1/erp/collaborators/import", json={"format": "csv", "content": EXPORT},
               token=admin["access_token"])
    assert r.status_code == 200 and (r.get_json()["created"], r.get_json()["updated"]) == (0, 0)
    # bad input is a 422, not a 500
    r = s.post("/api/v1/erp/collaborators/import", json={"format": "csv", "content": "a;b\n1;2"},
               token=admin["access_token"])
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    # a code longer than the database takes is that row's error, the others imported (it was a 500)
    r = s.post("/api/v1/erp/collaborators/import", token=admin["access_token"], json={
        "format": "csv", "content": f"Code;E-mail\n{'X' * 65};long@acme.test\nV09;neuf@acme.test\n"})
    assert r.status_code == 200, r.get_json()
    assert [(e["row"], e["reason"]) for e in r.get_json()["errors"]] == [(1, "code_too_long")]
    assert r.get_json()["created"] == 1
    # only license admins import
    user = s.add_user(admin, "someone@acme.test")
    r = s.post("/api/v1/erp/collaborators/import", json={"format": "csv", "content": EXPORT},
               token=user["access_token"])
    assert r.status_code == 403


def test_the_preview_says_the_seats_the_invitations_take_and_a_run_beyond_them_invites_the_first_rows(system):
    """Seed 002 (Sage 100 -> SSM): each active user holds a paid seat. The preview says how many seats its
    invitations would take and how many are free (no separate GET /license); a run that needs more invites the
    first rows of the export while seats are left and refuses the others row by row, linking every known user.
    A deactivated user's row is linked, never invited again: no seat counted for it."""
    s = system("identity")
    admin = s.new_license("ACME", "admin@acme.test", seats=4)
    token = admin["access_token"]
    anne = s.add_user(admin, "anne@acme.test")
    s.add_user(admin, "paul@acme.test")
    gone = s.add_user(admin, "gone@acme.test")
    r = s.post(f"/api/v1/users/{gone['user']['user_id']}/deactivate", token=token)
    assert r.status_code == 200, r.get_json()  # the admin, Anne and Paul hold three seats: one free
    export = ("Code;E-mail\nV01;anne@acme.test\nV02;gone@acme.test\nV03;luc@acme.test\nV04;lea@acme.test\n"
              "V05;zoe@acme.test\n")
    r = s.post("/api/v1/erp/collaborators/preview", json={"format": "csv", "content": export}, token=token)
    assert r.status_code == 200, r.get_json()
    preview = r.get_json()
    assert [c["email"] for c in preview["linked"]] == ["anne@acme.test", "gone@acme.test"]
    assert [c["code"] for c in preview["to_create"]] == ["V03", "V04", "V05"]
    assert {k: preview[f"seats_{k}"] for k in ("needed", "free", "total", "used")} == {
        "needed": 3, "free": 1, "total": 4, "used": 3}
    license = s.get("/api/v1/license", token=token).get_json()
    assert (license["seats_total"] - license["seats_used"], license["seats_used"]) == (1, 3)  # the same figures

    r = s.post("/api/v1/erp/collaborators/import", token=token,
               json={"format": "csv", "content": export, "invite_new": True})
    assert r.status_code == 200, r.get_json()
    result = r.get_json()
    assert [m["email"] for m in result["invited"]] == ["luc@acme.test"]  # the first row to create
    assert [(e["row"], e["reason"]) for e in result["errors"]] == [(4, "not_invited"), (5, "not_invited")]
    assert all("No seat left" in e["error"] for e in result["errors"])
    assert result["linked"] == 2
    for user, status, code in ((anne, "active", "V01"), (gone, "deactivated", "V02")):
        member = s.get(f"/api/v1/users/{user['user']['user_id']}", token=token).get_json()
        assert (member["status"], member["erp_code"]) == (status, code)
    # the same export again: the two left over still need a seat, and none is free
    preview = s.post("/api/v1/erp/collaborators/preview", json={"format": "csv", "content": export},
                     token=token).get_json()
    assert (preview["seats_needed"], preview["seats_free"]) == (2, 0)


def test_cli_says_before_it_imports_that_the_invitations_exceed_the_free_seats_then_runs_as_the_api_does(
        system, capsys, monkeypatch, tmp_path):
    s = system("identity")
    admin = s.new_license("ACME", "admin@acme.test", seats=2)  # the admin's seat and one free
    export = "Code;E-mail\nV01;anne@acme.test\nV02;luc@acme.test\nV03;lea@acme.test\nV04;admin@acme.test\n"
    _, summary, err = run_cli(s, admin, monkeypatch, capsys, tmp_path, export, "--invite", "--batch-size", "2")
    said = err.split("\n")[0]
    assert said == ("Not enough seats: 3 collaborators to invite, 1 seat free (1 of 2 in use in the subscription). "
                    "The sync imports every row and invites the first 1 in the file's order; the other 2 are not "
                    "invited (listed as errors below) and stay without an account. Free seats (deactivate the "
                    "users who left) or add seats to the subscription, then run the sync again to invite them."), err
    assert summary["seats"] == {"needed": 3, "free": 1, "total": 2, "used": 1}
    assert summary["invited"] == ["anne@acme.test"] and summary["linked"] == 1  # the admin's row
    assert [(e["row"], e["reason"]) for e in summary["errors"]] == [(2, "not_invited"), (3, "not_invited")]
    assert [c["code"] for c in summary["collaborators_without_user"]] == ["V02", "V03"]
    assert "row 2: No seat left" in err

    # seats enough (one freed... here, two added): nothing said before, the others invited by running it again
    r = s.patch(f"/api/v1/operator/seat-pools/{admin['pool']['id']}", json={"seats": 4},
                headers={"Authorization": f"Bearer {TEST_OPERATOR_TOKEN}"})
    assert r.status_code == 200, r.get_json()
    _, summary, err = run_cli(s, admin, monkeypatch, capsys, tmp_path, export, "--invite")
    assert "Not enough seats" not in err and summary["seats"]["needed"] == 2
    assert summary["invited"] == ["luc@acme.test", "lea@acme.test"] and summary["errors"] == []


def test_cli_reports_errors_clearly(capsys):
    assert cli.main(["/nonexistent.csv"]) == 1
    assert "error:" in capsys.readouterr().err


def test_preview_writes_nothing_and_a_chunked_run_invites_the_new_collaborators(system):
    s = system("identity")
    admin = s.new_license("ACME", "admin@acme.test", seats=10)
    token = admin["access_token"]
    anne = s.add_user(admin, "anne@acme.test")
    s.add_user(admin, "stranger@acme.test")
    r = s.post("/api/v1/erp/collaborators/preview", json={"format": "csv", "content": EXPORT}, token=token)
    assert r.status_code == 200, r.get_json()
    preview = r.get_json()
    assert preview["total"] == 4
    assert [(c["row"], c["code"], c["user_id"]) for c in preview["linked"]] == [(1, "V01", anne["user"]["user_id"])]
    assert [(c["row"], c["email"]) for c in preview["to_create"]] == [(2, "luc@acme.test"), (3, "lea@acme.test")]
    assert [u["email"] for u in preview["to_check"]] == ["admin@acme.test", "stranger@acme.test"]
    assert [e["row"] for e in preview["errors"]] == [4]
    assert s.get("/api/v1/erp/sync-report", token=token).get_json()["matched"] == []  # nothing written

    header, *rows = EXPORT.strip().splitlines()
    r = s.post("/api/v1/erp/collaborators/import", token=token, json={
        "format": "csv", "content": "\n".join([header, *rows[1:3]]), "invite_new": True})
    assert r.status_code == 200, r.get_json()
    assert sorted(m["email"] for m in r.get_json()["invited"]) == ["lea@acme.test", "luc@acme.test"]
    assert s.invitation_links("luc@acme.test")
    # running the same chunk again invites nobody twice
    r = s.post("/api/v1/erp/collaborators/import", token=token, json={
        "format": "csv", "content": "\n".join([header, *rows[1:3]]), "invite_new": True})
    assert r.get_json()["invited"] == [] and r.get_json()["errors"] == []
    # a user manager may not preview the export
    manager = s.add_user(admin, "manager@acme.test", role="front_user_manager")
    r = s.post("/api/v1/erp/collaborators/preview", json={"format": "csv", "content": EXPORT},
               token=manager["access_token"])
    assert r.status_code == 403


def test_a_collaborator_linked_by_hand_leaves_the_manual_review(system):
    """A collaborator whose email changed in the ERP, linked to the existing user: the report counts them matched."""
    s = system("identity")
    admin = s.new_license("ACME", "admin@acme.test", seats=10)
    token = admin["access_token"]
    old = s.add_user(admin, "lea.old@acme.test")
    r = s.post("/api/v1/erp/collaborators/import", json={"format": "csv", "content": EXPORT}, token=token)
    assert r.status_code == 200, r.get_json()
    report = s.get("/api/v1/erp/sync-report", token=token).get_json()
    assert "V03" in [c["code"] for c in report["collaborators_without_user"]]
    assert "lea.old@acme.test" in [u["email"] for u in report["users_without_collaborator"]]

    r = s.post("/api/v1/erp/collaborators/link", json={"code": "V03", "user_id": old["user"]["user_id"]}, token=token)
    assert r.status_code == 200 and r.get_json()["erp_code"] == "V03", r.get_json()
    report = s.get("/api/v1/erp/sync-report", token=token).get_json()
    assert {"code": "V03", "email": "lea@acme.test", "name": "Léa Petit", "user_id": old["user"]["user_id"],
            "active": True, "user_status": "active"} in report["matched"]
    assert "V03" not in [c["code"] for c in report["collaborators_without_user"]]
    assert "lea.old@acme.test" not in [u["email"] for u in report["users_without_collaborator"]]
    r = s.post("/api/v1/erp/collaborators/link", json={"code": "V99", "user_id": old["user"]["user_id"]}, token=token)
    assert r.status_code == 404


def test_a_deactivated_user_is_linked_in_the_report_as_in_the_preview_and_never_invited_again(system):
    """Seed 002: a collaborator whose Paraph user an admin deactivated is linked by the preview, the import and the
    sync report alike (one rule: logic.LicenseAccounts.standing): the report lists them matched, "deactivated",
    not without an account; inviting them from the review is skipped, saying how to have them back (the users page
    reactivates them), and takes no seat. The export's same rows run again change nothing."""
    s = system("identity")
    admin = s.new_license("ACME", "admin@acme.test", seats=5)
    token = admin["access_token"]
    gone = s.add_user(admin, "gone@acme.test", name="Gaston Parti")["user"]
    r = s.post(f"/api/v1/users/{gone['user_id']}/deactivate", token=token)
    assert r.status_code == 200, r.get_json()
    export = "Code;Nom;E-mail\nV01;Parti;GONE@acme.test\nV02;Neuf;new@acme.test\n"
    preview = s.post("/api/v1/erp/collaborators/preview", json={"format": "csv", "content": export},
                     token=token).get_json()
    assert [(c["code"], c["user_id"], c["user_status"]) for c in preview["linked"]] == [
        ("V01", gone["user_id"], "deactivated")]
    assert [c["code"] for c in preview["to_create"]] == ["V02"] and preview["seats_needed"] == 1

    r = s.post("/api/v1/erp/collaborators/import", json={"format": "csv", "content": export}, token=token)
    assert r.status_code == 200, r.get_json()
    for report in (r.get_json(), s.get("/api/v1/erp/sync-report", token=token).get_json()):
        assert report["matched"] == [{"code": "V01", "email": "gone@acme.test", "name": "Parti",
                                      "user_id": gone["user_id"], "active": True, "user_status": "deactivated"}]
        assert [c["code"] for c in report["collaborators_without_user"]] == ["V02"]
        assert report["portal_clients"] == []
        assert "gone@acme.test" not in [u["email"] for u in report["users_without_collaborator"]]
    seats_before = s.get("/api/v1/license", token=token).get_json()["seats_used"]

    # the review's page shown before the sync, or an integration, still asks: skipped, no seat, no invitation
    r = s.post("/api/v1/erp/collaborators/invite", json={"codes": ["V01"]}, token=token)
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {"invited": [], "skipped": [
        {"code": "V01", "email": "gone@acme.test", "name": "Parti",
         "reason": "deactivated in Paraph: reactivate the user to give them a seat again"}]}
    member = s.get(f"/api/v1/users/{gone['user_id']}", token=token).get_json()
    assert (member["status"], member["erp_code"]) == ("deactivated", "V01")
    assert s.get("/api/v1/license", token=token).get_json()["seats_used"] == seats_before
    assert len(s.invitation_links("gone@acme.test")) == 1  # his first invitation only
    # nor does a sync that invites the new ones
    r = s.post("/api/v1/erp/collaborators/import", token=token,
               json={"format": "csv", "content": export, "invite_new": True})
    assert [m["email"] for m in r.get_json()["invited"]] == ["new@acme.test"] and r.get_json()["errors"] == []
    assert len(s.invitation_links("gone@acme.test")) == 1

    # the admin wants him back: reactivated from the users page, he is matched as invited
    r = s.post(f"/api/v1/users/{gone['user_id']}/reactivate", token=token)
    assert r.status_code == 200, r.get_json()
    matched = s.get("/api/v1/erp/sync-report", token=token).get_json()["matched"]
    assert {c["code"]: c["user_status"] for c in matched} == {"V01": "invited", "V02": "invited"}


def test_a_portal_clients_email_is_counted_as_such_by_the_preview_and_the_report_and_takes_no_seat(
        system, rabbit_config):
    """A collaborator whose email is a current client portal account's of the company: one email is one person in
    a license, so the run refuses to invite them (not_invited). The preview lists them apart (portal_clients), not
    to create, and counts no seat for them; the report too, not without an account; the review's invitation skips
    them. A portal access withdrawn holds the email no more: that collaborator is to create again."""
    from nameko.standalone.rpc import ClusterRpcProxy

    from paraph_platform.actor import system_actor

    s = system("identity")
    admin = s.new_license("ACME", "admin@acme.test", seats=3)  # the admin's seat and two free
    token = admin["access_token"]
    actor = {"user_id": admin["user"]["user_id"], "license_id": admin["license_id"], "role": admin["role"]}
    rpc_config = {"AMQP_URI": rabbit_config["AMQP_URI"], "serializer": "json"}
    with ClusterRpcProxy(rpc_config, timeout=10) as rpc:  # as contracts grants it
        client = rpc.identity.grant_client_access(actor, {
            "email": "Alice@acme.test", "name": "Alice", "user_code": "A-1", "contact_id": "c1", "customer_id": "k1",
            "company": None, "allowed_ip": None, "branch": None, "locale": "fr", "send_email": False})
    export = "Code;Nom;E-mail\nV01;Alice;alice@acme.test\nV02;Bruno;bruno@acme.test\n"
    preview = s.post("/api/v1/erp/collaborators/preview", json={"format": "csv", "content": export},
                     token=token).get_json()
    assert [(c["row"], c["code"], c["user_id"]) for c in preview["portal_clients"]] == [(1, "V01", client["user_id"])]
    assert [c["code"] for c in preview["to_create"]] == ["V02"] and preview["linked"] == []
    assert (preview["seats_needed"], preview["seats_free"]) == (1, 2)

    r = s.post("/api/v1/erp/collaborators/import", token=token,
               json={"format": "csv", "content": export, "invite_new": True})
    assert r.status_code == 200, r.get_json()
    result = r.get_json()
    assert [m["email"] for m in result["invited"]] == ["bruno@acme.test"]  # what the preview said: one seat
    assert [(e["row"], e["code"], e["reason"], e["error"]) for e in result["errors"]] == [
        (1, "V01", "not_invited", "alice@acme.test is the email of a client portal account of this company.")]
    assert [(c["code"], c["user_id"]) for c in result["portal_clients"]] == [("V01", client["user_id"])]
    assert result["collaborators_without_user"] == []
    report = s.get("/api/v1/erp/sync-report", token=token).get_json()
    assert report["portal_clients"] == [{"code": "V01", "email": "alice@acme.test", "name": "Alice", "active": True,
                                         "user_id": client["user_id"]}]
    r = s.post("/api/v1/erp/collaborators/invite", json={"codes": ["V01"]}, token=token)
    assert r.get_json()["skipped"][0]["reason"] == "the email of a client portal account of this company"
    clients = s.get("/api/v1/users?role=client", token=token).get_json()["items"]
    assert [(u["email"], u["status"]) for u in clients] == [("alice@acme.test", "invited")]  # as she was

    # her portal access withdrawn (her contact deleted), the collaborator is one to invite: invite_user takes the
    # membership over
    with ClusterRpcProxy(rpc_config, timeout=10) as rpc:  # as portal ends it
        rpc.identity.deactivate_user(system_actor(admin["license_id"]), client["user_id"])
    report = s.get("/api/v1/erp/sync-report", token=token).get_json()
    assert (report["portal_clients"], [c["code"] for c in report["collaborators_without_user"]]) == ([], ["V01"])


def test_inviting_skips_collaborators_inactive_in_the_erp_and_those_with_an_account_saying_why(system):
    """The review page lists only active collaborators, but the API is the rule: one marked inactive in the ERP
    (left the company, a page shown before the last sync) is not invited and takes no seat."""
    s = system("identity")
    admin = s.new_license("ACME", "admin@acme.test", seats=10)
    token = admin["access_token"]
    r = s.post("/api/v1/erp/collaborators/import", token=token, json={"format": "csv", "content": (
        "Code;Nom;Prénom;E-mail;Actif\nV01;Durand;Anne;anne@acme.test;1\nV02;Martin;Luc;luc@acme.test;0\n"
        "V03;Petit;Léa;lea@acme.test;1\n")})
    assert r.status_code == 200, r.get_json()
    s.post("/api/v1/users", json={"email": "lea@acme.test"}, token=token)  # invited meanwhile, from the users page
    seats_before = s.get("/api/v1/license", token=token).get_json()["seats_used"]

    r = s.post("/api/v1/erp/collaborators/invite", json={"codes": ["V01", "V02", "V03"]}, token=token)
    assert r.status_code == 200, r.get_json()
    assert [m["email"] for m in r.get_json()["invited"]] == ["anne@acme.test"]
    assert r.get_json()["skipped"] == [
        {"code": "V02", "email": "luc@acme.test", "name": "Luc Martin", "reason": "inactive in the ERP"},
        {"code": "V03", "email": "lea@acme.test", "name": "Léa Petit", "reason": "already invited in this license"}]
    assert not s.invitation_links("luc@acme.test")
    assert s.get("/api/v1/license", token=token).get_json()["seats_used"] == seats_before + 1  # Anne's seat only
    users = [u["email"] for u in s.get("/api/v1/users", token=token).get_json()["items"]]
    assert "luc@acme.test" not in users


def test_a_run_in_steps_refuses_an_email_repeated_in_a_later_step_as_one_run_does(system):
    """Each step sends the whole export and the rows it imports (first_row, row_count): an email the export
    already gave in an earlier step is refused with the export's row number, as in one run, instead of taking the
    first collaborator's place; the last step's missing collaborators are those of the whole export."""
    s = system("identity")
    admin = s.new_license("ACME", "admin@acme.test", seats=10)
    token = admin["access_token"]
    s.post("/api/v1/erp/collaborators/import", token=token, json={
        "format": "csv", "content": "Code;E-mail\nV00;parti@acme.test\n"})
    export = "Code;E-mail\nV01;anne@acme.test\nV02;luc@acme.test\nV03;ANNE@acme.test\nV04;lea@acme.test\n"

    def step(first_row, row_count):
        r = s.post("/api/v1/erp/collaborators/import", token=token, json={
            "format": "csv", "content": export, "first_row": first_row, "row_count": row_count,
            "deactivate_missing": True})
        assert r.status_code == 200, r.get_json()
        return r.get_json()
    first, second = step(1, 2), step(3, 2)
    assert (first["total"], second["total"]) == (4, 4)
    assert (first["created"], first["errors"]) == (2, [])
    assert second["created"] == 1  # V04; V03 refused
    assert [(e["row"], e["code"], e["reason"], e["same_email_as_row"]) for e in second["errors"]] == [
        (3, "V03", "duplicate_email", 1)]
    assert first["missing_marked_inactive"] + second["missing_marked_inactive"] == 1  # V00 only, not V03/V04
    report = s.get("/api/v1/erp/sync-report", token=token).get_json()
    assert {c["email"]: (c["code"], c["active"]) for c in report["collaborators_without_user"]} == {
        "anne@acme.test": ("V01", True), "luc@acme.test": ("V02", True), "lea@acme.test": ("V04", True),
        "parti@acme.test": ("V00", False)}

    r = s.post("/api/v1/erp/collaborators/import", token=token, json={
        "format": "csv", "content": export, "first_row": 0})
    assert r.status_code == 422 and "first_row" in r.get_json()["errors"], r.get_json()


def test_a_sync_with_invitations_answers_the_report_after_them_and_running_it_again_changes_nothing(system):
    """The answer's report is the one after its invitations (one just invited is matched, not "without an
    account"); the same export again links, creates and invites nobody; a collaborator the next export leaves
    out (deactivate_missing) stays matched, marked inactive, and their user keeps the seat until deactivated."""
    s = system("identity")
    admin = s.new_license("ACME", "admin@acme.test", seats=10)
    token = admin["access_token"]
    export = "Code;Nom;E-mail\nV01;Durand;Anne@ACME.test\nV02;Martin;luc@acme.test\n"

    def sync(content, **options):
        r = s.post("/api/v1/erp/collaborators/import", token=token, json={
            "format": "csv", "content": content, "invite_new": True, **options})
        assert r.status_code == 200, r.get_json()
        return r.get_json()
    first = sync(export)
    assert sorted(m["email"] for m in first["invited"]) == ["anne@acme.test", "luc@acme.test"]
    assert first["collaborators_without_user"] == []
    assert sorted((c["code"], c["active"]) for c in first["matched"]) == [("V01", True), ("V02", True)]
    again = sync(export)
    assert (again["created"], again["updated"], again["linked"], again["invited"], again["errors"]) == (
        0, 0, 0, [], [])

    left = sync("Code;Nom;E-mail\nV01;Durand;anne@acme.test\n", deactivate_missing=True)
    assert left["missing_marked_inactive"] == 1
    assert {c["code"]: c["active"] for c in left["matched"]} == {"V01": True, "V02": False}
    luc = next(u for u in s.get("/api/v1/users", token=token).get_json()["items"] if u["email"] == "luc@acme.test")
    assert luc["status"] == "invited"  # the sync never deactivates a user: the admin does, from the review


def test_an_export_nested_too_deep_is_a_422_not_a_500(system):
    s = system("identity")
    admin = s.new_license("ACME", "admin@acme.test", seats=10)
    r = s.post("/api/v1/erp/collaborators/import", token=admin["access_token"], json={
        "format": "json", "content": "[" * 5000 + "]" * 5000})
    assert r.status_code == 422 and r.mimetype == "application/problem+json", r.get_json()
