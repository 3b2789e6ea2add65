"""The ERP user-sync CLI prints the collaborators whose email is a client portal account's, as the web app's preview
page shows them: in its --preview (nothing imported) and after a run."""
import pytest

from identity_service import cli
from services.identity.tests.integration.test_erp_sync import run_cli

pytestmark = pytest.mark.integration

EXPORT = ("Code;Nom;Prénom;E-mail\n"
          "V01;Durand;Anne;anne@acme.test\n"      # a user already: linked by email
          "V02;Lemoine;Alice;alice@acme.test\n"   # a customer's contact with portal access
          "V03;Martin;Luc;luc@acme.test\n"        # to create
          "V04;Sans;Mail;\n")                     # a row error


@pytest.fixture
def acme(system, rabbit_config):
    """ACME with Anne (a user), Alice (a client portal account, granted as contracts grants it) and Bob (a user
    missing from the export)."""
    from nameko.standalone.rpc import ClusterRpcProxy

    s = system("identity")
    admin = s.new_license("ACME", "admin@acme.test", seats=10)
    s.add_user(admin, "anne@acme.test")
    s.add_user(admin, "bob@acme.test")
    actor = {"user_id": admin["user"]["user_id"], "license_id": admin["license_id"], "role": admin["role"]}
    with ClusterRpcProxy({"AMQP_URI": rabbit_config["AMQP_URI"], "serializer": "json"}, timeout=10) as rpc:
        client = rpc.identity.grant_client_access(actor, {
            "email": "alice@acme.test", "name": "Alice", "user_code": "A-1", "contact_id": "c1", "customer_id": "k1",
            "company": None, "allowed_ip": None, "branch": None, "locale": "fr", "send_email": False})
    return s, admin, client


def test_the_preview_prints_the_portal_clients_apart_and_imports_nothing(acme, capsys, monkeypatch, tmp_path):
    s, admin, client = acme
    _, preview, said = run_cli(s, admin, monkeypatch, capsys, tmp_path, EXPORT, "--preview")
    # the API's preview (logic.LicenseAccounts.standing): the web page's groups
    assert [c["code"] for c in preview["portal_clients"]] == ["V02"]
    assert preview["portal_clients"][0]["user_id"] == client["user_id"]
    assert ([c["code"] for c in preview["linked"]], [c["code"] for c in preview["to_create"]]) == (["V01"], ["V03"])
    lines = said.splitlines()
    assert lines[0] == ("Preview, nothing changed: linked by email 1, to create 1, emails of client portal accounts 1, "
                        "free seats 7, missing from this file 2, rows with errors 1"), said
    # each group under its heading, as the web page's sections, the portal clients' apart
    assert lines[1:] == [
        "Linked by email (the account gets the collaborator code):",
        "  V01          anne@acme.test  Anne Durand",
        "To create (--invite invites them by email; each takes a seat):",
        "  V03          luc@acme.test  Luc Martin",
        cli.PORTAL_CLIENTS,
        "  V02          alice@acme.test  Alice Lemoine",
        "Paraph users missing from this file (the sync leaves them as they are):",
        "  admin@acme.test",
        "  bob@acme.test",
        "Rows with errors (skipped; correct them in the ERP):",
        "  row 4: invalid or missing email ''"], said
    # nothing imported: no collaborator stored
    report = s.get("/api/v1/erp/sync-report", token=admin["access_token"]).get_json()
    assert report["matched"] == report["portal_clients"] == report["collaborators_without_user"] == []


def test_a_run_prints_the_portal_clients_of_its_report(acme, capsys, monkeypatch, tmp_path):
    s, admin, client = acme
    _, summary, said = run_cli(s, admin, monkeypatch, capsys, tmp_path, EXPORT, "--invite")
    assert [(c["code"], c["user_id"]) for c in summary["portal_clients"]] == [("V02", client["user_id"])]
    lines = said.splitlines()
    assert lines[lines.index(cli.PORTAL_CLIENTS) + 1] == "  V02          alice@acme.test  Alice Lemoine", said
    assert summary["invited"] == ["luc@acme.test"]  # not Alice: one email is one person
