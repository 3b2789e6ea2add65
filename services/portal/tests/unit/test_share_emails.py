"""The emails of a share (shares.share_contract): the requester and each observer get contract_shared; an
observer's says whose request they are copied on (notify's template words it: "Vous êtes en copie, en tant
qu'observateur : le demandeur de ce document est …")."""
import pytest
from nameko.testing.services import worker_factory

from paraph_platform.db import Db, make_engine
from portal_service.models import Base, ClientAccess
from portal_service.service import PortalService

STAFF = {"user_id": "u-paul", "license_id": "lic", "role": "user", "name": "Paul Martin"}
PEOPLE = {"c-mireille": "Mireille Couture", "c-marc": "Marc Dubois", "c-julie": ""}


@pytest.fixture
def service(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'portal.db'}", shared=False)
    Base.metadata.create_all(engine)
    db = Db(engine)
    with db.session() as s:
        for contact_id, name in PEOPLE.items():
            s.add(ClientAccess(license_id="lic", contact_id=contact_id, customer_id="cu", user_id=f"u-{contact_id}",
                               email=f"{contact_id}@hd.test", name=name, user_code=contact_id.upper(),
                               company="Hervé David", status="active", granted_by="u-paul"))
    service = worker_factory(PortalService, db=db, ctx={})
    service.contracts.get_contract.return_value = {
        "id": "k1", "customer_id": "cu", "customer_name": "Hervé David", "kind": "contract", "number": "C-1",
        "title": "Maintenance", "status": "sent", "owner_id": "u-paul"}
    service.contracts.get_contacts_internal.return_value = {
        cid: {"id": cid, "name": name or cid, "customer_id": "cu", "branch": None} for cid, name in PEOPLE.items()}
    service.identity.license_settings.return_value = {"name": "ACME Paris", "settings": {}}
    yield service
    engine.dispose()


def emails(service) -> dict:
    return {call.args[2]["to"]: call.args[2] for call in service.outbox.add.call_args_list
            if call.args[1] == "notification.requested.v1"}


def test_an_observer_is_told_whose_request_they_are_copied_on(service):
    service.share_contract(STAFF, "k1", {"requester_contact_id": "c-mireille",
                                         "observer_contact_ids": ["c-marc", "c-julie"]})
    sent = emails(service)
    assert {to: (e["template"], e["vars"]["role"], e["vars"]["requester"]) for to, e in sent.items()} == {
        "c-mireille@hd.test": ("contract_shared", "requester", ""),
        "c-marc@hd.test": ("contract_shared", "observer", "Mireille Couture"),
        "c-julie@hd.test": ("contract_shared", "observer", "Mireille Couture")}


def test_a_requester_without_a_name_is_named_by_their_email(service):
    service.share_contract(STAFF, "k1", {"requester_contact_id": "c-julie", "observer_contact_ids": ["c-marc"]})
    assert emails(service)["c-marc@hd.test"]["vars"]["requester"] == "c-julie@hd.test"


def test_the_email_of_a_shared_quote_names_it_a_quote_and_links_to_its_portal_page(service):
    """notify words the email by what was shared ("Le devis Q-1 a été partagé avec vous…"): the kind goes with it,
    and its link is the document's own portal page, the one the email says its button opens."""
    service.contracts.get_contract.return_value = {**service.contracts.get_contract.return_value, "kind": "quote",
                                                   "number": "Q-1"}
    service.share_contract(STAFF, "k1", {"requester_contact_id": "c-mireille", "observer_contact_ids": []})
    shared = emails(service)["c-mireille@hd.test"]["vars"]
    assert (shared["kind"], shared["number"]) == ("quote", "Q-1")
    assert shared["link"].endswith("/portal/contracts/k1")
