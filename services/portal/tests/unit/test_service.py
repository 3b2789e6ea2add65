"""Service methods with nameko's worker_factory: public pages refuse bad tokens without touching the
database, signing is optional, and the SQL visibility filter matches the pure rule."""
import pytest
from nameko.testing.services import worker_factory
from sqlalchemy import select

from paraph_platform.db import Db, make_engine
from paraph_platform.errors import DeadlineExceeded, Forbidden, InvalidInput, Unavailable
from portal_service import logic
from portal_service.dependencies import Renderer
from portal_service.models import Base, ClientAccess, Share, ShareParticipant
from portal_service.service import PortalService


def test_malformed_page_tokens_get_the_not_found_page_without_any_lookup():
    service = worker_factory(PortalService, pages=Renderer(), ctx={})
    for token in ("short", "../../etc", "x" * 500):
        result = service.quote_page(token, {"lang": "en", "nonce": "N"})
        assert result["status"] == 404 and "Link not found" in result["html"]
        assert service.quote_pdf(token, {})["status"] == 404
    assert not service.db.session.called
    assert not service.contracts.get_contract_internal.called


def test_the_quote_page_names_the_sellers_company_and_still_shows_without_it():
    """The license's name (as on the signing page and in the quote emails) in the top bar and under the title;
    identity unavailable: the page still shows, with the quote's number in the top bar."""
    from types import SimpleNamespace
    service = worker_factory(PortalService, pages=Renderer(), ctx={})
    service.signing_lookup.request_for_contract.return_value = None
    link = SimpleNamespace(id="li", license_id="l", contract_id="c", contact_id="k",
                           contact_email="claire@durand.test", locale="fr", contact_name="Claire Durand")
    detail = {"number": "Q-2026-00001", "status": "sent", "customer_name": "Atelier Durand",
              "owner_name": "Paul Martin", "currency": "EUR", "lines": [], "taxes": [], "total": "0"}
    service.identity.license_settings.return_value = {"name": "ACME Paris", "settings": {}}
    page = service._render_quote("tok", link, detail, {"nonce": "N"})
    assert page["status"] == 200 and '<span id="quote-seller">ACME Paris</span>' in page["html"]
    assert 'id="quote-from">De la part de Paul Martin</p>' in page["html"]  # the company once, in the top bar
    service.identity.license_settings.assert_called_once_with("l")
    service.identity.license_settings.side_effect = Unavailable("service identity is not running")
    page = service._render_quote("tok", link, detail, {"nonce": "N"})
    assert page["status"] == 200 and '<span id="quote-seller">Devis Q-2026-00001</span>' in page["html"]
    assert 'id="quote-from">De la part de Paul Martin</p>' in page["html"]


def test_tasks_without_signing_and_actions_validated():
    service = worker_factory(PortalService, ctx={})
    service.signing.tasks_for.side_effect = Unavailable("service signing is not running")
    actor = {"user_id": "u", "license_id": "l", "role": "client", "contact_id": "c"}
    assert service.tasks(actor) == {"items": [], "signing_available": False}
    service.signing.tasks_for.side_effect = None
    service.signing.tasks_for.return_value = [{"participant_id": "p", "sign_path": "/sign/abcdefgh12"},
                                              {"participant_id": "q", "sign_path": "https://evil.test/x"}]
    items = service.tasks(actor)["items"]
    assert items[0]["sign_path"] == "/sign/abcdefgh12" and items[1]["sign_path"] is None
    with pytest.raises(InvalidInput):
        service.act(actor, "p", {"action": "burn"})
    acted = {"participant": {"id": "p", "status": "approved"}, "request_id": "r", "request_status": "pending",
             "stage": "signing", "document_sha256": "0" * 64, "signers_left": 1}
    service.signing.act.return_value = acted
    assert service.act(actor, "p", {"action": "approve", "reason": None}) == acted
    service.signing.act.assert_called_once_with(actor, "p", {"action": "approve", "reason": None})


def test_staff_only_and_client_only_methods():
    service = worker_factory(PortalService, ctx={})
    client = {"user_id": "u", "license_id": "l", "role": "client"}
    staff = {"user_id": "u", "license_id": "l", "role": "user"}
    with pytest.raises(Forbidden):
        service.share_contract(client, "c", {"requester_contact_id": "x"})
    with pytest.raises(Forbidden):
        service.send_quote(client, "c", {})
    with pytest.raises(Forbidden):
        service.client_contracts(staff)


@pytest.fixture
def sqlite_db(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'portal.db'}", shared=False)
    Base.metadata.create_all(engine)
    yield Db(engine)
    engine.dispose()


SHARES = [  # id, customer, company, branch, revoked, participants
    ("s-montreal", "acme", "ACME", "Montréal", False, ["alice", "bob"]),
    ("s-quebec", "acme", "ACME", "Québec", False, ["dave"]),
    ("s-nobranch", "acme", "ACME", None, False, ["alice"]),
    ("s-other-company", "acme", "ACME Logistics", "Montréal", False, ["zoe"]),
    ("s-with-alice", "acme", "ACME Logistics", "Montréal", False, ["zoe", "alice"]),
    ("s-revoked", "acme", "ACME", "Montréal", True, ["alice"]),
    ("s-globex", "globex", "ACME", "Montréal", False, ["carol"]),
]
CLIENTS = [
    logic.ClientScope("lic", "u1", "alice", "acme", "ACME", None),
    logic.ClientScope("lic", "u2", "bob", "acme", "acme", "MONTRÉAL"),
    logic.ClientScope("lic", "u3", "dave", "acme", "ACME", "Québec"),
    logic.ClientScope("lic", "u4", "carol", "globex", "Globex", None),
    logic.ClientScope("lic", "u5", "eve", "acme", None, None),
    logic.ClientScope("lic2", "u6", "alice", "acme", "ACME", None),
]


def test_the_sql_filter_is_the_visibility_rule(sqlite_db):
    from datetime import datetime, timezone
    from sqlalchemy import select
    with sqlite_db.session() as s:
        for sid, customer, company, branch, revoked, people in SHARES:
            s.add(Share(id=sid, license_id="lic", contract_id=f"c-{sid}", customer_id=customer, company=company,
                        branch=branch, requester_contact_id=people[0], kind="contract", number=sid, status="sent",
                        owner_id="o", shared_by="u", revoked_at=datetime.now(timezone.utc) if revoked else None))
            s.flush()
            for i, p in enumerate(people):
                s.add(ShareParticipant(share_id=sid, contact_id=p, role="requester" if i == 0 else "observer",
                                       user_id=f"u-{p}"))
    for c in CLIENTS:
        expected = sorted(sid for sid, customer, company, branch, revoked, people in SHARES if logic.share_visible(
            c, {"license_id": "lic", "customer_id": customer, "company": company, "branch": branch,
                "revoked_at": revoked}, people))
        with sqlite_db.session() as s:
            got = sorted(s.execute(select(Share.id).where(PortalService._visible(c))).scalars())
        assert got == expected, c
    # the cases cover both outcomes for every client kind
    assert {len(sorted(sid for sid, cu, co, br, rv, pp in SHARES if logic.share_visible(
        c, {"license_id": "lic", "customer_id": cu, "company": co, "branch": br, "revoked_at": rv}, pp)))
        for c in CLIENTS} == {0, 1, 4}


def test_a_deactivated_client_is_refused(sqlite_db):
    service = worker_factory(PortalService, db=sqlite_db, ctx={})
    with sqlite_db.session() as s:
        s.add(ClientAccess(license_id="l", contact_id="c", customer_id="cu", user_id="u", email="a@x.test",
                           user_code="1", status="deactivated", granted_by="g"))
    with pytest.raises(Forbidden, match="withdrawn"):
        service.client_contracts({"user_id": "u", "license_id": "l", "role": "client"})


def test_a_deleted_contact_loses_their_access_once(sqlite_db):
    """contracts' contact.deleted.v1: the contact's access is revoked as revoke_access does (identity deactivates
    the client's membership, here as the system); a redelivered event, a contact without access or an access
    already deactivated do nothing."""
    service = worker_factory(PortalService, db=sqlite_db, ctx={})
    with sqlite_db.session() as s:
        s.add(ClientAccess(license_id="l", contact_id="c", customer_id="cu", user_id="u", email="a@x.test",
                           user_code="1", status="active", granted_by="g"))
        s.add(ClientAccess(license_id="l", contact_id="gone", customer_id="cu", user_id="u2", email="b@x.test",
                           user_code="2", status="deactivated", granted_by="g"))
        s.add(ClientAccess(license_id="other", contact_id="c", customer_id="cu", user_id="u3", email="a@x.test",
                           user_code="1", status="active", granted_by="g"))

    def event(id_, contact_id):
        return {"id": id_, "source": "contracts", "type": "contact.deleted.v1", "license_id": "l",
                "data": {"license_id": "l", "customer_id": "cu", "contact_id": contact_id, "deleted_by": "staff",
                         "deleted_at": "2026-12-06T10:00:00Z"}}

    def status(license_id, contact_id):
        with sqlite_db.session() as s:
            return s.execute(select(ClientAccess.status).where(ClientAccess.license_id == license_id,
                                                               ClientAccess.contact_id == contact_id)).scalar_one()

    service.on_contact_deleted(event("e1", "c"))
    service.identity.deactivate_user.assert_called_once_with(
        {"user_id": "system", "license_id": "l", "role": "system", "email": None}, "u")
    assert status("l", "c") == "deactivated" and status("other", "c") == "active"
    service.on_contact_deleted(event("e1", "c"))          # redelivered
    service.on_contact_deleted(event("e2", "nobody"))     # a contact without access
    service.on_contact_deleted(event("e3", "gone"))       # an access already deactivated
    assert service.identity.deactivate_user.call_count == 1
    # each access says its contact was deleted (the shares naming them say so), the other license's does not
    with sqlite_db.session() as s:
        assert {(a.license_id, a.contact_id): a.contact_deleted_at is not None
                for a in s.execute(select(ClientAccess)).scalars()} == {
            ("l", "c"): True, ("l", "gone"): True, ("other", "c"): False}
    # what contracts asks before a plain user deletes a contact
    assert service.access_status_internal("l", "gone") == {"status": "deactivated"}
    assert service.access_status_internal("other", "c") == {"status": "active"}
    assert service.access_status_internal("l", "nobody") == {"status": None}


def test_a_failed_deactivation_is_retried_not_recorded(sqlite_db):
    """identity down: the handler fails (the event is retried), nothing is recorded, so the retry revokes."""
    service = worker_factory(PortalService, db=sqlite_db, ctx={})
    with sqlite_db.session() as s:
        s.add(ClientAccess(license_id="l", contact_id="c", customer_id="cu", user_id="u", email="a@x.test",
                           user_code="1", status="active", granted_by="g"))
    event = {"id": "e1", "source": "contracts", "type": "contact.deleted.v1", "license_id": "l",
             "data": {"license_id": "l", "customer_id": "cu", "contact_id": "c", "deleted_by": "staff",
                      "deleted_at": "2026-12-06T10:00:00Z"}}
    service.identity.deactivate_user.side_effect = Unavailable("service identity is not running")
    with pytest.raises(Unavailable):
        service.on_contact_deleted(event)
    service.identity.deactivate_user.side_effect = None
    service.on_contact_deleted(event)
    assert service.identity.deactivate_user.call_count == 2
    with sqlite_db.session() as s:
        assert s.execute(select(ClientAccess.status)).scalar_one() == "deactivated"


def _shared_with(db, people, deleted=()):
    """Contract k shared (share sh, ACME) with ``people``: (contact_id, role, access status), each a portal client;
    the contacts in ``deleted`` were deleted since (their access says when)."""
    from datetime import datetime, timezone
    with db.session() as s:
        s.add(Share(id="sh", license_id="l", contract_id="k", customer_id="cu", customer_name="ACME", company="ACME",
                    requester_contact_id=people[0][0], kind="contract", number="C-1", title="Copieurs", status="sent",
                    owner_id="o", shared_by="u", shared_by_name="Sales"))
        s.flush()
        for contact_id, role, status in people:
            s.add(ShareParticipant(share_id="sh", contact_id=contact_id, role=role, user_id=f"u-{contact_id}"))
            s.add(ClientAccess(license_id="l", contact_id=contact_id, customer_id="cu", user_id=f"u-{contact_id}",
                               email=f"{contact_id}@acme.test", name=contact_id.title(), user_code=contact_id,
                               company="ACME", status=status, granted_by="g",
                               contact_deleted_at=datetime(2026, 12, 6, tzinfo=timezone.utc)
                               if contact_id in deleted else None))


def test_the_staff_view_of_a_share_says_who_no_longer_sees_it(sqlite_db):
    """A requester whose contact was deleted (on_contact_deleted revoked the access) and an observer whose access
    was revoked are still named on the share, each saying why the contract no longer shows to them; an observer
    with an active access is untouched. The result is the declared one (share: a ShareView)."""
    from paraph_platform.contract import result_violations
    service = worker_factory(PortalService, db=sqlite_db, ctx={})
    _shared_with(sqlite_db, [("jeanne", "requester", "deactivated"), ("paul", "observer", "deactivated"),
                             ("lea", "observer", "active")])
    service.contracts.get_contract.return_value = {"number": "C-1", "portal": {"shared": True}}
    service.contracts.get_contacts_internal.return_value = {  # Jeanne's contact was deleted
        cid: {"id": cid, "customer_id": "cu", "name": cid.title()} for cid in ("paul", "lea")}
    view = service.contract_portal({"user_id": "u", "license_id": "l", "role": "user"}, "k")
    share = view["share"]
    assert share["requester"] == {"contact_id": "jeanne", "name": "Jeanne", "email": "jeanne@acme.test",
                                  "access_status": "deactivated", "contact_deleted": True}
    assert [(o["contact_id"], o["access_status"], o["contact_deleted"]) for o in share["observers"]] == [
        ("lea", "active", False), ("paul", "deactivated", False)]
    assert sorted(service.contracts.get_contacts_internal.call_args.args[1]) == ["jeanne", "lea", "paul"]
    assert result_violations("portal_service.service", "contract_portal", view) == []


def test_a_client_is_not_told_a_contact_was_deleted_on_a_share(sqlite_db):
    """What a signed-in client sees of a share names the requester whose contact was deleted since (their access
    keeps the name), without saying the contact was deleted: that is the staff's business. Declared results."""
    from paraph_platform.contract import result_violations
    service = worker_factory(PortalService, db=sqlite_db, ctx={})
    _shared_with(sqlite_db, [("jeanne", "requester", "deactivated"), ("lea", "observer", "active")], deleted={"jeanne"})
    result = service.client_contracts({"user_id": "u-lea", "license_id": "l", "role": "client"})
    [item] = result["items"]
    assert item["requester"] == {"contact_id": "jeanne", "name": "Jeanne", "email": "jeanne@acme.test"}
    assert [o["name"] for o in item["observers"]] == ["Lea"]
    assert "contact_deleted" not in str(result)
    assert result_violations("portal_service.service", "client_contracts", result) == []


def _online_quote(sqlite_db, status: str, contact_id: str):
    """A service whose quote (in ``status``) has an online page sent to Claire (``contact_id``): it and the token."""
    from datetime import datetime, timedelta, timezone
    from portal_service.models import QuoteLink, QuoteToken
    service = worker_factory(PortalService, db=sqlite_db, pages=Renderer(), ctx={})
    service.identity.license_settings.return_value = {"name": "ACME Paris", "settings": {}}
    service.contracts.get_contract_internal.return_value = {
        "number": "Q-2026-00001", "status": status, "owner_id": "o", "owner_name": "Paul Martin", "currency": "EUR",
        "lines": [], "taxes": [], "total": "0"}
    token = "t" * 40
    with sqlite_db.session() as s:
        s.add(QuoteLink(id="link", license_id="l", contract_id="c", contact_id=contact_id, contact_name="Claire",
                        contact_email="claire@durand.test", created_by="u"))
        s.flush()
        s.add(QuoteToken(token_hash=logic.hash_secret(token), link_id="link",
                         expires_at=datetime.now(timezone.utc) + timedelta(days=30)))
    return service, token


def test_switching_the_quote_pages_language_is_not_a_new_view(sqlite_db):
    """The FR/EN link reloads the online quote with ?lang=: moments later from the same browser it is the view
    already kept (no second quote.viewed.v1, so no second count nor email); another browser is a new view."""
    from portal_service.models import QuoteActivity
    service, token = _online_quote(sqlite_db, "sent", contact_id="k")
    service.signing_lookup.request_for_contract.return_value = None
    firefox = {"ip": "203.0.113.9", "user_agent": "Mozilla/5.0 Firefox/140.0"}

    def views():
        with sqlite_db.session() as s:
            return s.execute(select(QuoteActivity).where(QuoteActivity.kind == "viewed")).scalars().all()

    def events():
        return [c.args[1] for c in service.outbox.add.call_args_list]

    assert 'lang="fr"' in service.quote_page(token, {**firefox, "lang": "fr"})["html"]
    assert 'lang="en"' in service.quote_page(token, {**firefox, "lang": "en"})["html"]
    service.quote_page(token, {**firefox, "lang": "fr"})
    assert len(views()) == 1 and events() == ["quote.viewed.v1"]
    service.quote_page(token, {"ip": "203.0.113.9", "user_agent": "Mozilla/5.0 Safari/18.0", "lang": "fr"})
    assert len(views()) == 2 and events() == ["quote.viewed.v1"] * 2
    with sqlite_db.session() as s:  # the same browser coming back later: a genuinely separate view
        for view in s.execute(select(QuoteActivity)).scalars():
            view.at -= logic.SAME_VIEW_WITHIN
    service.quote_page(token, {**firefox, "lang": "en"})
    assert len(views()) == 3 and events() == ["quote.viewed.v1"] * 3


def _client_with_shares(sqlite_db, statuses) -> dict:
    """A portal client (the requester of every share) and a share of each (share id, status); their actor."""
    from datetime import datetime, timedelta, timezone
    shared_at = datetime(2030, 1, 1, tzinfo=timezone.utc)
    with sqlite_db.session() as s:
        s.add(ClientAccess(license_id="l", contact_id="requester", customer_id="cu", user_id="u",
                           email="claire@durand.test", user_code="1", status="active", granted_by="g"))
        for n, (sid, status) in enumerate(statuses):
            s.add(Share(id=sid, license_id="l", contract_id=f"c-{sid}", customer_id="cu", kind="contract", number=sid,
                        requester_contact_id="requester", status=status, owner_id="o", shared_by="g",
                        shared_at=shared_at - timedelta(minutes=n)))  # listed in this order, the newest first
            s.flush()
            s.add(ShareParticipant(share_id=sid, contact_id="requester", role="requester", user_id="u"))
    return {"user_id": "u", "license_id": "l", "role": "client"}


def test_the_clients_list_says_a_contract_is_being_signed_while_it_is_someone_elses_turn(sqlite_db):
    """The requester of a contract an approver must first approve reads "En cours de signature", not "En attente de
    votre réponse"; once it is their turn, it awaits their answer again. Only contracts awaiting an answer ask
    signing, all in one call."""
    service = worker_factory(PortalService, db=sqlite_db, ctx={})
    actor = _client_with_shares(sqlite_db, [("s-sent", "sent"), ("s-signed", "signed"), ("s-mine", "sent")])
    request = {"status": "pending", "participants": [
        {"role": "approver", "contact_id": "approver", "status": "pending", "sign_path": "/sign/approver-token-1"},
        {"role": "signer", "contact_id": "requester", "status": "waiting", "sign_path": "/sign/requester-token"}]}
    mine = {"status": "pending", "participants": [
        {"role": "signer", "contact_id": "requester", "status": "pending", "sign_path": "/sign/requester-token2"}]}
    service.signing_lookup.requests_for_contracts.return_value = {"c-s-sent": request, "c-s-mine": mine}

    def shown():
        return {i["number"]: (i["status"], i["reader_status"]) for i in service.client_contracts(actor)["items"]}

    assert shown() == {"s-sent": ("sent", "signing"), "s-signed": ("signed", "signed"), "s-mine": ("sent", "sent")}
    service.signing_lookup.requests_for_contracts.assert_called_once_with(
        "l", {"contract_ids": ["c-s-sent", "c-s-mine"]})
    assert not service.signing_lookup.request_for_contract.called  # never once per contract
    request["participants"][0]["status"] = "approved"
    request["participants"][1]["status"] = "pending"
    assert shown() == {"s-sent": ("sent", "sent"), "s-signed": ("signed", "signed"), "s-mine": ("sent", "sent")}


@pytest.mark.parametrize("failure", [Unavailable("service signing is not running"),
                                     DeadlineExceeded("signing.requests_for_contracts did not answer within 3.00s"),
                                     RuntimeError("a bug")])
def test_the_clients_list_shows_the_plain_statuses_when_signing_does_not_answer(sqlite_db, failure):
    """signing down, late or failing: the list still shows, each document with its own status."""
    service = worker_factory(PortalService, db=sqlite_db, ctx={})
    actor = _client_with_shares(sqlite_db, [("s-sent", "sent"), ("s-signed", "signed")])
    service.signing_lookup.requests_for_contracts.side_effect = failure
    items = service.client_contracts(actor)["items"]
    assert [(i["status"], i["reader_status"]) for i in items] == [("sent", "sent"), ("signed", "signed")]
    assert service.signing_lookup.requests_for_contracts.call_count == 1


def test_the_clients_list_asks_signing_about_a_bounded_number_of_documents(sqlite_db, monkeypatch):
    """Past signing's bound, the newest shared documents are asked about (one call still), the others read their
    plain status; nothing awaiting an answer, signing is not asked at all. The bound is signing's, as committed."""
    import json
    from pathlib import Path
    committed = Path(__file__).resolve().parents[4] / "tests/contract/schemas/signing/rpc/" \
        "requests_for_contracts.params.json"
    assert json.loads(committed.read_text())["properties"]["contract_ids"]["maxItems"] == logic.SIGNATURE_LOOKUP_MAX
    monkeypatch.setattr(logic, "SIGNATURE_LOOKUP_MAX", 2)
    service = worker_factory(PortalService, db=sqlite_db, ctx={})
    actor = _client_with_shares(sqlite_db, [(f"s-{n}", "sent") for n in range(3)])
    others_turn = {"status": "pending", "participants": [
        {"role": "signer", "contact_id": "someone-else", "status": "pending", "sign_path": "/sign/someone-else-1"}]}
    service.signing_lookup.requests_for_contracts.side_effect = lambda license_id, payload: {
        cid: others_turn for cid in payload["contract_ids"]}
    items = service.client_contracts(actor)["items"]
    assert [i["reader_status"] for i in items] == ["signing", "signing", "sent"]
    service.signing_lookup.requests_for_contracts.assert_called_once_with("l", {"contract_ids": ["c-s-0", "c-s-1"]})
    service.signing_lookup.reset_mock()
    with sqlite_db.session() as s:
        for share in s.execute(select(Share)).scalars():
            share.status = "signed"
    assert [i["reader_status"] for i in service.client_contracts(actor)["items"]] == ["signed"] * 3
    assert not service.signing_lookup.requests_for_contracts.called


SEALED = {"filename": "C-1-signed.pdf", "content_type": "application/pdf", "sha256": "5" * 64,
          "content_base64": "JVBERi1zZWFsZWQ="}
UNSIGNED = {"filename": "C-1.pdf", "content_type": "application/pdf", "sha256": "0" * 64,
            "content_base64": "JVBERi1zZW50"}


def _signed_by_everybody(service, request_status="completed"):
    """signing's latest request of the document: Alice signed it; the reader (contact "requester") takes no part."""
    service.signing_lookup.request_for_contract.return_value = {
        "id": "req-1", "status": request_status, "participants": [{"role": "signer", "contact_id": "alice", "status": "signed",
                          "sign_path": "/sign/alice-token-1"}]}
    service.signing.get_signed_pdf.return_value = SEALED
    service.contracts.get_pdf.return_value = UNSIGNED


def test_a_shared_document_signed_by_everybody_is_downloaded_as_its_sealed_copy(sqlite_db):
    """Once its signature request is completed, a shared document's PDF is the sealed copy (signing's), for every
    reader of the share, not only its signers (who also have it from their signing link): the unsigned PDF sent for
    signature is no longer handed out as the document. Still sealing, or never sent for signature: the contract's."""
    from paraph_platform.contract import result_violations
    service = worker_factory(PortalService, db=sqlite_db, ctx={})
    actor = _client_with_shares(sqlite_db, [("s-1", "signed")])
    service.contracts.get_contract_internal.return_value = {"number": "s-1", "status": "signed", "currency": "EUR",
                                                            "total": "10", "lines": []}
    _signed_by_everybody(service)
    view = service.client_contract(actor, "c-s-1")
    assert view["signed_document"] is True and view["signature"] is None  # no signing link of her own
    assert result_violations("portal_service.service", "client_contract", view) == []
    assert service.client_pdf(actor, "c-s-1") == SEALED
    service.signing.get_signed_pdf.assert_called_once_with("l", "req-1")
    assert not service.contracts.get_pdf.called
    for request_status in ("sealing", None):
        if request_status:
            _signed_by_everybody(service, request_status)
        else:
            service.signing_lookup.request_for_contract.return_value = None
        assert service.client_contract(actor, "c-s-1")["signed_document"] is False
        assert service.client_pdf(actor, "c-s-1") == UNSIGNED


def test_an_online_quote_signed_by_everybody_is_downloaded_as_its_sealed_copy(sqlite_db):
    """The online quote's link of a contact who did not sign it (another contact did): its download is named and
    is the signed document once everybody signed; signing down, the page still shows and offers the quote's PDF."""
    service, token = _online_quote(sqlite_db, "accepted", contact_id="requester")
    _signed_by_everybody(service)
    page = service.quote_page(token, {"lang": "fr"})["html"]
    assert f'<a class="button" id="download" href="/q/{token}/pdf?lang=fr">Télécharger le document signé</a>' in page
    assert "Télécharger le PDF" not in page and 'id="signed-pdf"' not in page
    assert service.quote_pdf(token, {})["filename"] == SEALED["filename"]
    assert not service.contracts.get_pdf.called
    service.signing_lookup.request_for_contract.side_effect = Unavailable("service signing is not running")
    page = service.quote_page(token, {"lang": "fr"})["html"]
    assert f'id="download" href="/q/{token}/pdf?lang=fr">Télécharger le PDF</a>' in page
    assert service.quote_pdf(token, {})["filename"] == UNSIGNED["filename"]


def test_a_signed_quote_saved_from_a_signing_link_is_one_download_however_often_told(sqlite_db):
    """signing's signature.document_downloaded.v1: a contact's download of the signed quote from their own signing
    link is kept in the quote's activity (channel signing_link, at the download's time) and published as
    quote.downloaded.v1, once per event however often it is delivered; a link scanner's is a prefetch, published
    as nothing; another kind of contract is not a quote's download."""
    from portal_service.models import QuoteActivity
    service = worker_factory(PortalService, db=sqlite_db, ctx={})
    service.contracts.get_contract_internal.return_value = {
        "number": "Q-2026-00001", "title": "Maintenance", "status": "accepted", "owner_id": "o",
        "customer_id": "cu"}

    def event(id_, kind="quote", user_agent="Mozilla/5.0 Firefox/140.0"):
        return {"id": id_, "source": "signing", "type": "signature.document_downloaded.v1", "license_id": "l",
                "data": {"request_id": "r", "contract_id": "c", "kind": kind, "participant_id": "p",
                         "contact_id": "k", "name": "Claire Durand", "email": "claire@durand.test",
                         "ip": "203.0.113.9", "user_agent": user_agent, "at": "2026-12-06T10:00:00Z"}}

    def activity():
        with sqlite_db.session() as s:
            return [(a.kind, a.channel, a.contact_id, a.ip, a.at.isoformat()[:19])
                    for a in s.execute(select(QuoteActivity).order_by(QuoteActivity.at)).scalars()]

    def published():
        return [(c.args[1], c.args[2]) for c in service.outbox.add.call_args_list]

    service.on_signed_document_downloaded(event("e1"))
    service.on_signed_document_downloaded(event("e1"))  # redelivered
    assert activity() == [("downloaded", "signing_link", "k", "203.0.113.9", "2026-12-06T10:00:00")]
    [(type_, data)] = published()
    assert type_ == "quote.downloaded.v1" and data == {
        "contract_id": "c", "number": "Q-2026-00001", "title": "Maintenance", "owner_id": "o", "customer_id": "cu",
        "contact_id": "k", "contact_name": "Claire Durand", "contact_email": "claire@durand.test",
        "at": "2026-12-06T10:00:00Z", "ip": "203.0.113.9", "user_agent": "Mozilla/5.0 Firefox/140.0",
        "channel": "signing_link"}
    service.contracts.get_contract_internal.assert_called_once_with("l", "c")
    service.on_signed_document_downloaded(event("e2", user_agent="Googlebot/2.1"))  # a link scanner
    service.on_signed_document_downloaded(event("e3", kind="contract"))
    assert sorted(a[0] for a in activity()) == ["downloaded", "prefetch"] and len(published()) == 1
    service.on_signed_document_downloaded(event("e4"))  # saved once more: another download
    assert sorted(a[0] for a in activity()) == ["downloaded", "downloaded", "prefetch"] and len(published()) == 2


@pytest.mark.parametrize("country, valid_until, signed_at, script", [
    ("US", "December 7, 2026", "December 7, 2026 at 3:08 PM UTC", "en-US"),
    ("GB", "7 December 2026", "7 December 2026 at 15:08 UTC", "en-GB")])
def test_the_online_quotes_english_dates_read_in_the_order_of_the_sellers_company(country, valid_until, signed_at,
                                                                                 script):
    """The license's country (identity's settings): a United States company's English quote page reads month first
    on the 12-hour clock, as its PDF and emails; a British one day first; the page's script writes the signature's
    time by the same rule."""
    from types import SimpleNamespace
    service = worker_factory(PortalService, pages=Renderer(), ctx={})
    service.signing_lookup.request_for_contract.return_value = {
        "id": "r", "status": "pending", "participants": [
            {"contact_id": "k", "email": "claire@durand.test", "role": "signer", "status": "signed",
             "acted_at": "2026-12-07T15:08:00Z", "signed_at": "2026-12-07T15:08:00Z"}]}
    link = SimpleNamespace(id="li", license_id="l", contract_id="c", contact_id="k",
                           contact_email="claire@durand.test", locale="en", contact_name="Claire Durand")
    detail = {"number": "Q-2026-00001", "status": "accepted", "currency": "USD", "lines": [], "taxes": [],
              "total": "0", "valid_until": "2026-12-07"}
    service.identity.license_settings.return_value = {"name": "ACME", "settings": {"country": country}}
    html = service._render_quote("tok", link, detail, {"nonce": "N", "lang": "en"})["html"]
    assert f'id="quote-valid-until">{valid_until}</dd>' in html
    assert f'<time datetime="2026-12-07T15:08:00Z" data-local-time>{signed_at}</time>' in html
    assert f'clientPages.localTimes("{script}", "long")' in html
    assert logic.moment("2026-12-07T15:08:00Z", "en", country) == signed_at
    assert logic.day("2026-12-07", "fr", country) == "7 décembre 2026"  # French as France writes it
