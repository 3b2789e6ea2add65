"""portal's event consumers on the real broker and database: the client access status mirrored from
identity, the status snapshot of shared contracts from contracts; redeliveries are harmless."""
import time

import pytest
from nameko.standalone.events import event_dispatcher
from sqlalchemy import select

from paraph_platform.db import Db, make_engine
from paraph_platform.envelope import make_event
from portal_service.models import ClientAccess, Share

pytestmark = pytest.mark.integration


def wait_for(predicate, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.fixture
def portal(start_service, rabbit_config):
    container = start_service("portal")
    db = Db(make_engine(container.db_url))
    dispatch = event_dispatcher(rabbit_config)

    def publish(source, type_, data, id=None):
        event = make_event(source, type_, data, subject=data.get("user_id") or data.get("contract_id"),
                           license_id="lic", id=id)
        dispatch(source, type_, event)
        return event

    return db, publish


def test_access_status_follows_identity(portal):
    db, publish = portal
    with db.session() as s:
        s.add(ClientAccess(license_id="lic", contact_id="c1", customer_id="cu", user_id="u1", email="a@x.test",
                           user_code="1", status="invited", granted_by="g"))

    def status():
        with db.session() as s:
            return s.execute(select(ClientAccess.status).where(ClientAccess.user_id == "u1")).scalar_one()

    data = {"user_id": "u1", "email": "a@x.test", "name": "A", "role": "client", "license_id": "lic"}
    activated = publish("identity", "user.activated.v1", data)
    wait_for(lambda: status() == "active")
    publish("identity", "user.deactivated.v1", {**data, "deactivated_by": "admin"})
    wait_for(lambda: status() == "deactivated")
    # a redelivered (or late) activation does not bring a withdrawn access back
    publish("identity", "user.activated.v1", data, id=activated["id"])
    publish("identity", "user.activated.v1", data)
    # staff users are not portal accesses
    publish("identity", "user.deactivated.v1", {**data, "user_id": "u2", "role": "user", "deactivated_by": "x"})
    time.sleep(0.5)
    assert status() == "deactivated"


def test_shared_contract_status_snapshot(portal):
    db, publish = portal
    with db.session() as s:
        s.add(Share(id="s1", license_id="lic", contract_id="k1", customer_id="cu", company="ACME",
                    requester_contact_id="c1", kind="quote", number="Q-1", status="sent", owner_id="o",
                    shared_by="u"))

    def status():
        with db.session() as s:
            return s.get(Share, "s1").status

    publish("contracts", "contract.status_changed.v1", {
        "contract_id": "k1", "kind": "quote", "number": "Q-1", "customer_id": "cu", "owner_id": "o",
        "from_status": "sent", "to_status": "accepted", "reason": "signed electronically"})
    wait_for(lambda: status() == "accepted")
    # an unknown contract is simply ignored
    publish("contracts", "contract.status_changed.v1", {
        "contract_id": "nope", "kind": "quote", "number": "Q-2", "customer_id": "cu", "owner_id": "o",
        "from_status": "draft", "to_status": "sent", "reason": None})
    time.sleep(0.3)
    assert status() == "accepted"
