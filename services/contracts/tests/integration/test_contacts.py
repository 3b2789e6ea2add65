"""Deleting a contact: kept in the customer's history and published as contact.deleted.v1 in the same
transaction (portal revokes the contact's portal access); a retried call replays its answer, a later one is a
404 that publishes nothing, and a contact outside the caller's perimeters is a 404 — real services, broker,
database."""
import pytest


pytestmark = pytest.mark.integration


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
