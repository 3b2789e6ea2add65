"""What integrators follow through webhooks: every real change of a customer, a contact, a contract (or quote,
order, invoice), its attachments and a contract type is published once, in the transaction of the write, naming
the fields it touched and who did it (customer.updated.v1, contact.created.v1, contact.updated.v1,
contract.updated.v1, attachment.added.v1, attachment.deleted.v1, contract_type.updated.v1,
contract_type.archived.v1); the history names the same fields; the same values again publish nothing and leave
no trace (a contract keeps its version), and a retried call (same Idempotency-Key) does not publish twice — real
services, broker, database."""
import base64

import pytest

pytestmark = pytest.mark.integration


@pytest.fixture
def env(system):
    s = system("identity", "perimeter", "contracts")
    admin = s.new_license("Initiative SA", "admin@init.test")
    seller = s.add_user(admin, "vendeur@init.test", name="Paul Vendeur")
    return {"s": s, "A": admin["access_token"], "T": seller["access_token"], "admin_id": admin["user"]["user_id"],
            "seller_id": seller["user"]["user_id"]}


def _data(s, event_type):
    return [e["data"] for e in s.outbox_payloads("contracts", event_type)]


def _patch(s, path, token, body, key=None):
    """PATCH ``body``; with ``key``, sent twice under that Idempotency-Key (a retry), answered the same."""
    r = s.patch(path, token=token, json=body, headers={"Idempotency-Key": key} if key else {})
    assert r.status_code == 200, r.get_json()
    if key:
        again = s.patch(path, token=token, json=body, headers={"Idempotency-Key": key})
        assert again.status_code == 200 and again.get_json() == r.get_json()
    return r.get_json()


def test_customer_and_contact_changes_are_published_once(env):
    s, T = env["s"], env["T"]
    r = s.post("/api/v1/customers", token=T, json={
        "name": "Hervé David", "address": {"city": "Lyon", "country": "France"},
        "contacts": [{"first_name": "Mireille", "last_name": "Couture", "email": "mireille@hd.test"}]})
    assert r.status_code == 201, r.get_json()
    customer = r.get_json()
    mireille = customer["contacts"][0]
    # the contacts made with the customer are published too
    assert _data(s, "contact.created.v1") == [{
        "customer_id": customer["id"], "contact_id": mireille["id"], "first_name": "Mireille", "last_name": "Couture",
        "email": "mireille@hd.test", "created_by": env["seller_id"]}]

    path = f"/api/v1/customers/{customer['id']}"
    first = _patch(s, path, T, {"name": "Hervé David SA", "address": {"city": "Lyon 3e", "country": "France"}},
                   key="c-1")
    # the same values again (and a blank for an empty field) change nothing: no event, no history line
    same = _patch(s, path, T, {"name": "Hervé David SA", "address": {"city": "Lyon 3e", "country": "France"},
                               "vat_number": ""})
    assert same["updated_at"] == first["updated_at"]
    _patch(s, path, T, {"notes": "Client historique", "name": "Hervé David SA"})
    assert _data(s, "customer.updated.v1") == [
        {"customer_id": customer["id"], "name": "Hervé David SA", "kind": "company", "code": customer["code"],
         "changed": ["address", "name"], "updated_by": env["seller_id"]},
        {"customer_id": customer["id"], "name": "Hervé David SA", "kind": "company", "code": customer["code"],
         "changed": ["notes"], "updated_by": env["seller_id"]}]
    history = s.get(f"{path}/history", token=T).get_json()["items"]
    assert [h["action"] for h in history] == ["customer_updated", "customer_updated"]

    # a contact added (a retry adds nothing more), then edited
    key = {"Idempotency-Key": "contact-1"}
    added = [s.post(f"{path}/contacts", token=T, headers=key, json={"last_name": "Roy", "email": "roy@hd.test"})
             for _ in range(2)]
    assert [a.status_code for a in added] == [201, 201] and added[0].get_json() == added[1].get_json()
    roy = added[0].get_json()
    assert _data(s, "contact.created.v1")[1:] == [{
        "customer_id": customer["id"], "contact_id": roy["id"], "first_name": "", "last_name": "Roy",
        "email": "roy@hd.test", "created_by": env["seller_id"]}]
    contact_path = f"/api/v1/contacts/{roy['id']}"
    _patch(s, contact_path, env["A"], {"first_name": "Anne", "title": "DAF", "email": "roy@hd.test"}, key="k-2")
    _patch(s, contact_path, T, {"first_name": "Anne", "title": "DAF", "branch": None})
    assert _data(s, "contact.updated.v1") == [{
        "customer_id": customer["id"], "contact_id": roy["id"], "first_name": "Anne", "last_name": "Roy",
        "email": "roy@hd.test", "changed": ["first_name", "title"], "updated_by": env["admin_id"]}]


def test_a_customer_patch_merges_the_address_into_the_stored_one(env):
    s, T = env["s"], env["T"]
    customer = s.post("/api/v1/customers", token=T, json={"name": "Hervé David", "address": {
        "line1": "12 rue des Lilas", "line2": "Bât. B", "postal_code": "69003", "city": "Lyon"}}).get_json()
    path = f"/api/v1/customers/{customer['id']}"
    # one line sent changes that line only (JSON merge patch); a line sent null is removed
    moved = _patch(s, path, T, {"address": {"city": "Lyon 3e", "line2": None, "country": "France"}}, key="a-1")
    assert moved["address"] == {"line1": "12 rue des Lilas", "postal_code": "69003", "city": "Lyon 3e",
                                "country": "France"}
    assert _patch(s, path, T, {"address": {"city": "Lyon 3e", "line2": None}}) == moved  # nothing changes
    [entry] = s.get(f"{path}/history", token=T).get_json()["items"]
    assert entry["details"]["changes"] == [  # in the order of an address's lines
        {"field": "address.line2", "from": "Bât. B", "to": None},
        {"field": "address.city", "from": "Lyon", "to": "Lyon 3e"},
        {"field": "address.country", "from": None, "to": "France"}]
    assert [e["changed"] for e in _data(s, "customer.updated.v1")] == [["address"]]
    # the address itself is not nullable: its lines are removed one by one
    r = s.patch(path, token=T, json={"address": None})
    assert r.status_code == 422 and r.mimetype == "application/problem+json"


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_contracts_attachments_added_and_deleted_are_published(env):
    s, T = env["s"], env["T"]
    customer = s.post("/api/v1/customers", token=T, json={"name": "Alpha SARL"}).get_json()
    contract = s.post("/api/v1/contracts", token=T, json={"title": "Bail", "customer_id": customer["id"]}).get_json()
    key = {"Idempotency-Key": "file-1"}
    added = [s.post(f"/api/v1/contracts/{contract['id']}/attachments", token=T, headers=key, json={
        "filename": "plan.pdf", "content_type": "application/pdf", "content_base64": base64.b64encode(PDF).decode(),
        "portal_visible": True}) for _ in range(2)]  # a retry adds nothing more
    assert [a.status_code for a in added] == [201, 201] and added[0].get_json() == added[1].get_json()
    a = added[0].get_json()
    what = {"attachment_id": a["id"], "contract_id": contract["id"], "filename": "plan.pdf",
            "content_type": "application/pdf", "size": len(PDF), "portal_visible": True}
    assert _data(s, "attachment.added.v1") == [{**what, "added_by": env["seller_id"]}]
    assert s.delete(f"/api/v1/attachments/{a['id']}", token=env["A"]).status_code == 204
    assert s.delete(f"/api/v1/attachments/{a['id']}", token=env["A"]).status_code == 404
    assert _data(s, "attachment.deleted.v1") == [{**what, "deleted_by": env["admin_id"]}]
    assert [e["subject"] for e in s.outbox_payloads("contracts", "attachment.deleted.v1")] == [a["id"]]


LINES = [{"product_code": "SRV-1", "description": "Installation", "quantity": "2", "unit_price": "150.00",
          "tax_rate": "20"},
         {"description": "Licence", "quantity": "1", "unit_price": "1000", "discount_pct": "10", "tax_rate": "20"}]


def test_a_contracts_changes_are_published_with_what_they_touched(env):
    s, A, T = env["s"], env["A"], env["T"]
    assert s.post("/api/v1/settings/columns", token=A, json={
        "key": "region", "label": "Région", "type": "choice", "choices": ["Nord", "Sud"]}).status_code == 201
    assert s.post("/api/v1/settings/flags", token=A, json={"key": "urgent", "label": "Urgent"}).status_code == 201
    customer = s.post("/api/v1/customers", token=T, json={"name": "Alpha SARL"}).get_json()
    r = s.post("/api/v1/quotes", token=T, json={"title": "Parc", "customer_id": customer["id"], "lines": LINES})
    assert r.status_code == 201, r.get_json()
    quote = r.get_json()
    path = f"/api/v1/contracts/{quote['id']}"

    # the lines sent again as written otherwise ("2.000", "150") are no change: only the title is
    same_lines = [dict(LINES[0], quantity="2.000", unit_price="150"), LINES[1]]
    first = _patch(s, path, T, {"title": "Parc 2026", "lines": same_lines, "notes": ""}, key="q-1")
    # nothing changes: a no-op answering the quote as it is (its version, updated_at and lines' ids kept)
    assert _patch(s, path, T, {"title": "Parc 2026", "lines": LINES, "flags": [], "custom": {},
                               "owner_id": env["seller_id"]}, key="q-2") == first
    _patch(s, path, T, {"lines": [dict(LINES[0], quantity="3"), LINES[1]]})
    changed = _patch(s, path, T, {"custom": {"region": "Sud"}, "flags": ["urgent"], "owner_id": env["admin_id"],
                                  "valid_until": "2027-01-31"})
    # a status change is its own event, not an update
    assert s.post(f"{path}/status", token=A, json={"status": "abandoned"}).status_code == 200
    base = {"contract_id": quote["id"], "kind": "quote", "number": quote["number"], "title": "Parc 2026",
            "customer_id": customer["id"], "currency": "EUR", "updated_by": env["seller_id"]}
    assert _data(s, "contract.updated.v1") == [
        {**base, "owner_id": env["seller_id"], "total": "1440.00", "changed": ["title"]},
        {**base, "owner_id": env["seller_id"], "total": "1620.00", "changed": ["lines"]},
        {**base, "owner_id": env["admin_id"], "total": "1620.00",
         "changed": ["custom", "flags", "owner_id", "valid_until"]}]
    assert changed["owner_id"] == env["admin_id"] and changed["flags"] == ["urgent"]
    assert (first["version"], changed["version"]) == (quote["version"] + 1, quote["version"] + 3)
    assert [e["to_status"] for e in _data(s, "contract.status_changed.v1")] == ["abandoned"]
    # the quote's history names what each edit really changed, as its event does; the no-op left no entry
    history = s.get(f"{path}/history", token=T).get_json()
    assert [h["details"]["fields"] for h in history if h["action"] == "updated"] == [
        e["changed"] for e in _data(s, "contract.updated.v1")]


def test_a_sent_quote_edited_with_the_same_values_stays_sent(env):
    s, T = env["s"], env["T"]
    customer = s.post("/api/v1/customers", token=T, json={"name": "Alpha SARL"}).get_json()
    quote = s.post("/api/v1/quotes", token=T, json={"title": "Parc", "customer_id": customer["id"],
                                                    "lines": LINES}).get_json()
    path = f"/api/v1/contracts/{quote['id']}"
    sent = s.post(f"{path}/mark-sent", token=T, json={}).get_json()
    assert sent["status"] == "sent"
    # the editor's whole form saved as it is: nothing changed, the quote is not back to draft
    assert _patch(s, path, T, {"title": "Parc", "lines": LINES, "notes": "", "data": {},
                               "expected_version": sent["version"]}) == sent
    edited = _patch(s, path, T, {"title": "Parc 2026", "lines": LINES, "expected_version": sent["version"]})
    assert (edited["status"], edited["version"]) == ("draft", sent["version"] + 1)
    history = s.get(f"{path}/history", token=T).get_json()
    assert sorted(h["action"] for h in history) == ["created", "sent", "status_changed", "status_changed", "updated"]
    assert [h["details"]["fields"] for h in history if h["action"] == "updated"] == [["title"]]
    assert [h["details"].get("reason_code") for h in history if h["action"] == "status_changed"] == [
        None, "edited_after_sending"]


def test_a_contract_types_changes_and_its_archiving_are_published(env):
    s, A = env["s"], env["A"]
    r = s.post("/api/v1/contract-types", token=A, json={"name": "Maintenance", "kind": "quote"})
    assert r.status_code == 201, r.get_json()
    ctype = r.get_json()
    path = f"/api/v1/contract-types/{ctype['id']}"
    _patch(s, path, A, {"description": "Contrat annuel", "abandon_delay_days": 30}, key="t-1")
    _patch(s, path, A, {"description": "Contrat annuel", "name": "Maintenance"})  # nothing changes
    _patch(s, path, A, {"archived": True}, key="t-2")
    _patch(s, path, A, {"archived": True})  # archived already
    _patch(s, path, A, {"archived": False, "name": "Maintenance annuelle"})  # restored and renamed
    _patch(s, path, A, {"archived": True, "locale": "en"})  # changed and archived at once
    base = {"contract_type_id": ctype["id"], "kind": "quote", "updated_by": env["admin_id"]}
    assert _data(s, "contract_type.updated.v1") == [
        {**base, "name": "Maintenance", "archived": False, "changed": ["abandon_delay_days", "description"]},
        {**base, "name": "Maintenance annuelle", "archived": False, "changed": ["archived", "name"]},
        {**base, "name": "Maintenance annuelle", "archived": True, "changed": ["locale"]}]
    assert _data(s, "contract_type.archived.v1") == [
        {"contract_type_id": ctype["id"], "name": "Maintenance", "archived_by": env["admin_id"]},
        {"contract_type_id": ctype["id"], "name": "Maintenance annuelle", "archived_by": env["admin_id"]}]


def test_a_contract_type_name_taken_in_the_license_is_a_409_said_of_the_name_field(env):
    """Created or renamed to the name another type has: refused, the problem's ``errors`` naming the field (a form
    says it next to the name), and nothing published."""
    s, A = env["s"], env["A"]
    assert s.post("/api/v1/contract-types", token=A, json={"name": "Maintenance", "kind": "quote"}).status_code == 201
    other = s.post("/api/v1/contract-types", token=A, json={"name": "Installation", "kind": "quote"}).get_json()
    for r in (s.post("/api/v1/contract-types", token=A, json={"name": "Maintenance", "kind": "quote"}),
              s.patch(f"/api/v1/contract-types/{other['id']}", token=A, json={"name": "Maintenance"})):
        assert r.status_code == 409, r.get_json()
        assert r.get_json()["errors"] == {"name": ["Another contract type already has this name."]}
    assert [t["name"] for t in s.get("/api/v1/contract-types", token=A).get_json()] == ["Installation", "Maintenance"]
    assert _data(s, "contract_type.updated.v1") == []


def _import(s, token, what, rows):
    r = s.post(f"/api/v1/erp/{what}/import", json={"rows": rows}, token=token)
    assert r.status_code == 200 and not r.get_json()["errors"], r.get_json()
    return r.get_json()


def test_an_erp_import_publishes_what_it_changes(env):
    s, A = env["s"], env["A"]
    row = {"code": "C001", "name": "Hervé David SA", "contacts": [{"first_name": "Paul", "last_name": "Roy"}]}
    _import(s, A, "customers", [row])
    _import(s, A, "customers", [row])  # the same rows again change nothing
    [created] = _data(s, "contact.created.v1")
    assert (created["first_name"], created["last_name"], created["created_by"]) == ("Paul", "Roy", env["admin_id"])
    assert _data(s, "customer.updated.v1") == [] and _data(s, "contact.updated.v1") == []
    _import(s, A, "customers", [{"code": "C001", "phone": "+33 4 72 00 00 00", "address": {"city": "Lyon"},
                                 "contacts": [{"first_name": "Paul", "last_name": "Roy", "title": "DAF"},
                                              {"last_name": "Neuve"}]}])
    [updated] = _data(s, "customer.updated.v1")
    assert (updated["changed"], updated["updated_by"]) == (["address", "phone"], env["admin_id"])
    assert [(e["contact_id"], e["changed"]) for e in _data(s, "contact.updated.v1")] == [
        (created["contact_id"], ["title"])]
    assert [e["last_name"] for e in _data(s, "contact.created.v1")] == ["Roy", "Neuve"]

    order = {"kind": "order", "number": "BC-1", "customer_code": "C001", "date": "2025-03-14", "title": "Parc",
             "lines": [{"description": "Imprimante", "quantity": "2", "unit_price": "450"}]}
    _import(s, A, "sales", [order])
    _import(s, A, "sales", [order])
    assert _data(s, "contract.updated.v1") == []
    # the ERP's changed title and lines are an update; its status change is a status change
    _import(s, A, "sales", [dict(order, title="Parc 2025", status="delivered",
                                 lines=[{"description": "Imprimante", "quantity": "3", "unit_price": "450"}])])
    [event] = _data(s, "contract.updated.v1")
    assert (event["number"], event["changed"], event["total"]) == ("BC-1", ["lines", "title"], "1350.00")
    assert [(e["from_status"], e["to_status"]) for e in _data(s, "contract.status_changed.v1")] == [
        ("confirmed", "delivered")]
