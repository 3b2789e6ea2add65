"""Deleting a contact: kept in the customer's history and published as contact.deleted.v1 in the same
transaction (portal revokes the contact's portal access); a retried call replays its answer, a later one is a
404 that publishes nothing, and a contact outside the caller's perimeters is a 404; a contact with a live portal
access is deleted only by those who may revoke it — real services, broker, database."""
import pytest


pytestmark = pytest.mark.integration

PORTAL_CLIENT = ("This contact has a client portal access: ask a license admin or a front user manager to delete "
                 "the contact, or to revoke the access first.")


@pytest.fixture
def north_south_services():
    """portal too: contracts asks it whether a contact a plain user deletes has a portal access."""
    return ("identity", "perimeter", "contracts", "portal")


def test_a_deleted_contact_is_in_the_history_and_published_once(north_south):
    w = north_south
    s, T = w.s, w.T
    alpha = w.customer("Alpha SARL", w.north, contacts=[{"first_name": "Jean", "last_name": "Dupont"},
                                                        {"first_name": "Anne", "last_name": "Roy"}])
    zeta = w.customer("Zeta SA", w.south, contacts=[{"first_name": "Zoé", "last_name": "Sud"}])
    jean = next(c for c in alpha["contacts"] if c["first_name"] == "Jean")
    key = {"Idempotency-Key": "delete-jean"}
    assert s.delete(f"/api/v1/contacts/{jean['id']}", token=T, headers=key).status_code == 204
    # a retry of the same request is answered the same; a new request finds nothing to delete
    assert s.delete(f"/api/v1/contacts/{jean['id']}", token=T, headers=key).status_code == 204
    assert s.delete(f"/api/v1/contacts/{jean['id']}", token=T).status_code == 404
    assert s.get(f"/api/v1/contacts/{jean['id']}", token=T).status_code == 404
    # outside the seller's perimeters: a 404, nothing deleted, nothing published
    assert s.delete(f"/api/v1/contacts/{zeta['contacts'][0]['id']}", token=T).status_code == 404
    assert s.get(f"/api/v1/contacts/{zeta['contacts'][0]['id']}", token=w.A).status_code == 200

    [event] = s.outbox_payloads("contracts", "contact.deleted.v1")
    assert event["subject"] == jean["id"] and event["data"]["license_id"] == event["license_id"]
    assert {k: v for k, v in event["data"].items() if k not in ("license_id", "deleted_at")} == {
        "customer_id": alpha["id"], "contact_id": jean["id"], "deleted_by": w.seller_id}
    assert event["data"]["deleted_at"].startswith("20")

    history = s.get(f"/api/v1/customers/{alpha['id']}/history", token=T).get_json()["items"]
    assert [(h["action"], h["details"], h["actor_name"]) for h in history] == [
        ("contact_deleted", {"contact_id": jean["id"], "contact_name": "Jean Dupont"}, "Paul Vendeur")]
    assert [c["first_name"] for c in s.get(f"/api/v1/customers/{alpha['id']}", token=T).get_json()["contacts"]] \
        == ["Anne"]


def test_a_contact_with_a_portal_access_is_deleted_by_those_who_may_revoke_it(north_south):
    """Deleting a contact revokes their portal access (portal, on contact.deleted.v1), which only license admins
    and front user managers may do: a plain user's deletion of a contact whose access is invited or active is a
    403 saying why (the refusal replayed under its key), the contact stays and nothing is published; once the
    access is revoked, or for a manager, the deletion goes through."""
    w = north_south
    s, T, A = w.s, w.T, w.A
    alpha = w.customer("Alpha SARL", w.north, contacts=[
        {"first_name": "Jean", "last_name": "Dupont", "email": "jean@alpha.test"},
        {"first_name": "Anne", "last_name": "Roy", "email": "anne@alpha.test"}])
    jean, anne = alpha["contacts"]
    for contact, code in ((jean, "J-1"), (anne, "A-1")):
        r = s.post(f"/api/v1/contacts/{contact['id']}/portal-access", token=T, json={"user_code": code})
        assert r.status_code == 201, r.get_json()

    key = {"Idempotency-Key": "delete-jean-client"}
    r = s.delete(f"/api/v1/contacts/{jean['id']}", token=T, headers=key)
    assert r.status_code == 403 and r.mimetype == "application/problem+json"
    assert r.get_json()["detail"] == PORTAL_CLIENT and r.get_json()["portal_access"] == "invited"
    again = s.delete(f"/api/v1/contacts/{jean['id']}", token=T, headers=key)
    assert again.status_code == 403 and again.get_json()["detail"] == PORTAL_CLIENT
    assert "Idempotent-Replayed" not in r.headers and again.headers["Idempotent-Replayed"] == "true"  # its refusal
    assert s.get(f"/api/v1/contacts/{jean['id']}", token=T).status_code == 200
    assert s.outbox_payloads("contracts", "contact.deleted.v1") == []

    # revoked by the admin, the access no longer holds the seller back
    assert s.delete(f"/api/v1/contacts/{jean['id']}/portal-access", token=A).status_code == 200
    assert s.delete(f"/api/v1/contacts/{jean['id']}", token=T).status_code == 204
    # a license admin deletes a contact whose access is live (portal revokes it)
    assert s.delete(f"/api/v1/contacts/{anne['id']}", token=A).status_code == 204
    assert sorted(e["data"]["contact_id"] for e in s.outbox_payloads("contracts", "contact.deleted.v1")) == \
        sorted([jean["id"], anne["id"]])


@pytest.mark.parametrize("north_south_services", [("identity", "perimeter", "contracts")])
def test_without_portal_a_plain_users_deletion_waits(north_south):
    """Portal not running: whether the contact has a portal access is unknown, so a plain user's deletion is a 503
    to retry (nothing deleted), not a guess; a manager's does not need portal."""
    w = north_south
    s, T, A = w.s, w.T, w.A
    alpha = w.customer("Alpha SARL", w.north, contacts=[{"first_name": "Jean", "last_name": "Dupont"},
                                                        {"first_name": "Anne", "last_name": "Roy"}])
    jean, anne = alpha["contacts"]
    r = s.delete(f"/api/v1/contacts/{jean['id']}", token=T)
    assert r.status_code == 503 and r.mimetype == "application/problem+json", r.get_json()
    assert "try again" in r.get_json()["detail"]
    assert s.get(f"/api/v1/contacts/{jean['id']}", token=T).status_code == 200
    assert s.delete(f"/api/v1/contacts/{anne['id']}", token=A).status_code == 204
