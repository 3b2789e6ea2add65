import json

import pytest

from identity_service import logic
from identity_service.exceptions import InvalidInput


def test_emails_are_keys_case_insensitive():
    assert logic.normalize_email("  Marie.Curie@Example.COM ") == "marie.curie@example.com"
    for bad in ("", "no-at-sign", "a@b", "a @b.c"):
        with pytest.raises(InvalidInput):
            logic.normalize_email(bad)


def test_seats_describe_usage_across_companies():
    usage = logic.SeatUsage(total=10, used_by_license={"l1": 7, "l2": 3})
    assert usage.used == 10 and usage.free == 0
    assert usage.describe({"l1": "Paris", "l2": "Lyon"}) == (
        "10 of 10 seats are in use (Lyon uses 3 seats, Paris uses 7 seats)")
    assert logic.SeatUsage(total=2, used_by_license={"l1": 1, "l2": 1}).describe({"l1": "Paris", "l2": "Lyon"}) == (
        "2 of 2 seats are in use (Lyon uses 1 seat, Paris uses 1 seat)")
    assert logic.holds_seat("user", "invited") and logic.holds_seat("license_admin", "active")
    assert not logic.holds_seat("user", "deactivated") and not logic.holds_seat("client", "active")


def test_role_management_rules():
    assert logic.can_manage("license_admin", "license_admin")
    assert logic.can_manage("front_user_manager", "user")
    assert not logic.can_manage("front_user_manager", "license_admin")
    assert not logic.can_manage("user", "user")


def test_passwords_are_argon2id_and_secrets_hashed():
    logic.configure_hasher(1, 8192)
    h = logic.hash_password("correct horse battery")
    assert h.startswith("$argon2id$")
    assert logic.verify_password(h, "correct horse battery")
    assert not logic.verify_password(h, "wrong")
    assert not logic.verify_password(None, "anything")
    secret = logic.new_secret()
    assert len(secret) >= 40 and logic.hash_secret(secret) != secret and len(logic.hash_secret(secret)) == 64
    with pytest.raises(InvalidInput):
        logic.validate_password("short")


def test_parse_sage_csv_export_with_semicolons_and_french_headers():
    content = "\ufeffCode;Nom;Prénom;E-mail;Actif\nV01;Durand;Anne;ANNE@acme.test;1\nV02;Martin;Luc;;1\n" \
              "V03;Petit;Léa;lea@acme.test;0\nV04;Dup;Jean;anne@acme.test;1\n"
    rows, errors = logic.parse_collaborators(content, "csv")
    assert [(r.code, r.email, r.name, r.active) for r in rows] == [
        ("V01", "anne@acme.test", "Anne Durand", True), ("V03", "lea@acme.test", "Léa Petit", False)]
    assert [e["row"] for e in errors] == [2, 4]


def test_parse_json_and_bad_input():
    rows, errors = logic.parse_collaborators('[{"code": "A", "email": "a@x.test", "name": "A"}]', "json")
    assert rows[0].email == "a@x.test" and not errors
    with pytest.raises(InvalidInput):
        logic.parse_collaborators("{not json", "json")
    with pytest.raises(InvalidInput, match="'code' and 'email' columns"):
        logic.parse_collaborators("name;phone\nx;1\n", "csv")


def test_a_json_export_nested_too_deep_is_refused_not_a_crash():
    with pytest.raises(InvalidInput) as refused:  # json.loads' RecursionError was a 500
        logic.parse_collaborators("[" * 100_000 + "]" * 100_000, "json")
    assert refused.value.message == logic.JSON_TOO_DEEP


def test_a_json_value_that_is_not_text_is_a_row_error_not_written_out_as_python():
    content = json.dumps([{"code": "A", "email": ["a@x.test"]}, {"code": {"x": 1}, "email": "b@x.test"},
                          {"code": True, "email": "c@x.test"}, {"code": 42, "email": "D@x.test"}])
    rows, errors = logic.parse_collaborators(content, "json")
    assert [(r.code, r.email) for r in rows] == [("42", "d@x.test")]  # Sage's numeric codes are codes
    assert [(e["row"], e["reason"], e["error"]) for e in errors] == [
        (1, "invalid_email", "email is not text"), (2, "missing_code", "collaborator code is not text"),
        (3, "missing_code", "collaborator code is not text")]


def test_an_unreadable_csv_export_is_refused_with_a_reason_not_a_crash():
    # a quote never closed: the rest of the file is one value, past the csv module's limit
    huge = "Code;E-mail\nV01;\"anne@acme.test\n" + "V02;luc@acme.test\n" * 10_000
    with pytest.raises(InvalidInput) as refused:
        logic.parse_collaborators(huge, "csv")
    assert refused.value.message == logic.CSV_UNREADABLE


def test_a_code_or_name_longer_than_their_columns_is_a_row_error():
    content = f"Code;Nom;E-mail\n{'C' * 65};Durand;a@acme.test\nV02;{'N' * 201};b@acme.test\nV03;Petit;c@acme.test\n"
    rows, errors = logic.parse_collaborators(content, "csv")
    assert [r.code for r in rows] == ["V03"]
    assert [(e["row"], e["reason"], e["error"]) for e in errors] == [
        (1, "code_too_long", "collaborator code longer than 64 characters"),
        (2, "name_too_long", "name longer than 200 characters")]


def test_login_throttle_is_a_sliding_window_per_account_and_address():
    from datetime import datetime, timedelta, timezone
    throttle = logic.LoginThrottle(window=timedelta(minutes=15), max_per_account=3, max_per_address=10)
    limits = throttle.limits("Ann@X.test".lower(), "198.51.100.7")
    assert limits == {logic.LoginThrottle.account_key("ann@x.test"): 3, "ip:198.51.100.7": 10}
    assert "ann@x.test" not in "".join(limits)  # the account key does not store the email
    now = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
    newest_first = [now - timedelta(minutes=m) for m in (1, 5, 14, 20)]  # the 20-minute-old one is out
    assert throttle.retry_after(newest_first, 4, now) is None
    # closed until the third most recent failure leaves the window (14 min ago -> in 1 min)
    assert throttle.retry_after(newest_first, 3, now) == 60
    assert throttle.retry_after([], 3, now) is None


def test_access_tokens_carry_the_access_version():
    from types import SimpleNamespace
    user = SimpleNamespace(id="u1", email="u@x.test", name="U")
    member = SimpleNamespace(role="user", access_version=7)
    claims, exp = logic.access_claims(user=user, membership=member, license_id="l1")
    assert claims["ver"] == 7 and claims["sub"] == "u1" and claims["lic"] == "l1" and claims["typ"] == "access"
    assert claims["exp"] == int(exp.timestamp())


def test_erp_preview_links_by_email_creates_active_collaborators_and_lists_users_to_check():
    rows, errors = logic.parse_collaborators(
        "Code;E-mail;Nom;Actif\nV01;anne@acme.test;Anne;1\nV02;luc@acme.test;Luc;1\nV03;old@acme.test;Old;0\nV04;;X;1\n",
        "csv")
    members = {"anne@acme.test": {"user_id": "u1", "email": "anne@acme.test", "name": "Anne", "erp_code": None,
                                  "status": "active"},
               "boss@acme.test": {"user_id": "u2", "email": "boss@acme.test", "name": "", "erp_code": None,
                                  "status": "active"}}
    preview = logic.preview_collaborators(rows, errors, logic.LicenseAccounts(staff=members),
                                          logic.SeatUsage(total=5, used_by_license={"l1": 2}))
    assert preview["total"] == 4
    assert [(r["row"], r["user_id"]) for r in preview["linked"]] == [(1, "u1")]
    assert [r["code"] for r in preview["to_create"]] == ["V02"]  # the inactive V03 is left alone
    assert [u["user_id"] for u in preview["to_check"]] == ["u2"]
    assert [(e["row"], e["reason"]) for e in preview["errors"]] == [(4, "invalid_email")]
    # one seat for Luc's invitation, three free of the pool's five
    assert [preview[f"seats_{k}"] for k in ("needed", "free", "total", "used")] == [1, 3, 5, 2]


def test_erp_preview_links_a_deactivated_user_and_counts_no_seat_for_them_as_the_import_does():
    """The import links a deactivated user's row and never invites them again: no seat taken, and they are no one
    to check by hand when the export leaves them out."""
    rows, errors = logic.parse_collaborators("Code;E-mail\nV01;gone@acme.test\nV02;new@acme.test\n", "csv")
    full = logic.SeatUsage(total=1, used_by_license={"l1": 1})
    accounts = logic.LicenseAccounts(deactivated={"gone@acme.test": "u9", "left@acme.test": "u8"})
    preview = logic.preview_collaborators(rows, errors, accounts, full)
    assert [(r["code"], r["user_id"], r["user_status"]) for r in preview["linked"]] == [("V01", "u9", "deactivated")]
    assert [r["code"] for r in preview["to_create"]] == ["V02"] and preview["to_check"] == []
    assert (preview["seats_needed"], preview["seats_free"]) == (1, 0)


def test_erp_sync_has_one_rule_for_a_collaborator_whatever_their_email_holds_in_the_license():
    """LicenseAccounts.standing, which the preview, the import, the report and the review's invitations all follow:
    a user active or invited (by email, or linked by hand to another email) is linked; a deactivated one is linked
    too, never to create; a current portal client's email is neither linked nor to create (no seat counted)."""
    accounts = logic.LicenseAccounts(
        staff={"anne@acme.test": {"user_id": "u1", "email": "anne@acme.test", "name": "", "erp_code": None,
                                  "status": "invited"}},
        deactivated={"gone@acme.test": "u9"}, clients={"client@acme.test": "c1"},
        links={"anne.new@acme.test": "u1", "gone.new@acme.test": "u9"})
    assert [accounts.standing(email, True) for email in (
        "anne@acme.test", "anne.new@acme.test", "gone@acme.test", "gone.new@acme.test", "client@acme.test",
        "new@acme.test")] == [
        (logic.LINKED, "u1"), (logic.LINKED, "u1"), (logic.DEACTIVATED, "u9"), (logic.DEACTIVATED, "u9"),
        (logic.PORTAL_CLIENT, "c1"), (logic.TO_CREATE, None)]
    assert accounts.standing("new@acme.test", False) == (logic.INACTIVE, None)
    assert accounts.standing("gone@acme.test", False) == (logic.DEACTIVATED, "u9")  # left both: linked still
    assert (accounts.user_status("u1"), accounts.user_status("u9")) == ("invited", "deactivated")

    rows, errors = logic.parse_collaborators("Code;E-mail\nV01;client@acme.test\nV02;new@acme.test\n"
                                             "V03;anne.new@acme.test\n", "csv")
    preview = logic.preview_collaborators(rows, errors, accounts, logic.SeatUsage(total=5))
    assert [(r["code"], r["user_id"]) for r in preview["portal_clients"]] == [("V01", "c1")]
    assert [r["code"] for r in preview["to_create"]] == ["V02"] and preview["seats_needed"] == 1
    # Anne, linked by hand to V03's email, is in the export: no one to check by hand
    assert [(r["code"], r["user_status"]) for r in preview["linked"]] == [("V03", "invited")]
    assert preview["to_check"] == []
