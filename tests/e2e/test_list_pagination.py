"""Cursor pagination and the opt-in count of the lists of identity, perimeter, notify, portal and signing,
through the gateway with the real services (issue 13).

Each list is walked by ``next_cursor`` with ``limit=50`` over ~120 rows seeded in the service's database
(with ties on the sort columns, so the id decides): every row comes exactly once, in the list's order;
``total`` only with ``count=true``; an offset beyond the maximum, an offset with a cursor, a tampered cursor
and a cursor of another list are 422 problem+json; a front user manager's perimeter filter applies on every
page (their customers' rows only, on page 2 too)."""
from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from paraph_platform.db import new_id, normalize_url
from paraph_platform.pagination import MAX_OFFSET

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

ROWS = 120
T0 = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


def at(i: int) -> datetime:
    return T0 + timedelta(minutes=i // 3)  # three rows per instant: the id breaks the ties


def walk(s, path: str, token: str, **params) -> list[dict]:
    """Every item of a list, page by page with ``next_cursor`` (50 a page); checks the page shape."""
    items, cursor, pages = [], None, 0
    while True:
        query = {"limit": 50, **params, **({"cursor": cursor} if cursor else {})}
        r = s.get(path, token=token, query_string=query)
        assert r.status_code == 200, r.get_json()
        page = r.get_json()
        assert page["limit"] == 50 and page["offset"] == 0 and "total" not in page
        assert len(page["items"]) <= 50
        items += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return items
        assert len(page["items"]) == 50 and pages < 20


def problem(r, field: str):
    assert r.status_code == 422 and r.mimetype == "application/problem+json", (r.status_code, r.get_data())
    assert field in r.get_json()["errors"], r.get_json()


def check_paging_errors(s, path: str, token: str, foreign_cursor: str):
    """Offsets beyond the maximum, offset with cursor, a tampered cursor, a cursor of another order."""
    problem(s.get(path, token=token, query_string={"offset": MAX_OFFSET + 1}), "offset")
    for beyond_64_bits in (2 ** 64, -(10 ** 23)):  # the service's range refuses them: no database sees them
        problem(s.get(path, token=token, query_string={"offset": beyond_64_bits}), "offset")
    assert s.get(path, token=token, query_string={"offset": MAX_OFFSET}).status_code == 200
    first = s.get(path, token=token, query_string={"limit": 50}).get_json()
    cursor = first["next_cursor"]
    assert cursor
    problem(s.get(path, token=token, query_string={"cursor": cursor, "offset": 5}), "offset")
    raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw["v"][-1] = {"evil": "'; drop table users; --"}
    tampered = base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")
    for bad in (tampered, cursor[:-3], "not a cursor", foreign_cursor):
        problem(s.get(path, token=token, query_string={"cursor": bad}), "cursor")


def check_count(s, path: str, token: str, expected: int, **params):
    page = s.get(path, token=token, query_string={"limit": 5, "count": "true", **params}).get_json()
    assert page["total"] == expected and len(page["items"]) == min(5, expected)
    assert "total" not in s.get(path, token=token, query_string={"limit": 5, **params}).get_json()


@pytest.fixture
def world(system, mail_sink):
    s = system("identity", "perimeter", "contracts", "notify", "portal", "signing",
               gateway_config={"RPC_TIMEOUT": 30.0},  # argon2 on a loaded test machine
               service_config={"notify": {"SMTP_URL": mail_sink.smtp_url, "MAIL_FROM": "Paraph <no-reply@pages.test>"}})
    admin = s.new_license("Pages Corp", "admin@pages.test", seats=500)
    A = admin["access_token"]
    fum = s.add_user(admin, "fum@pages.test", role="front_user_manager", name="Fum")
    per = {}
    for name in ("North", "South"):
        r = s.post("/api/v1/perimeters", json={"name": name}, token=A)
        assert r.status_code == 201, r.get_json()
        per[name] = r.get_json()["id"]
    r = s.put(f"/api/v1/users/{fum['user']['user_id']}/perimeters", json={"perimeter_ids": [per["North"]]}, token=A)
    assert r.status_code == 200, r.get_json()
    customers = {}
    for name in ("North", "South"):
        r = s.post("/api/v1/customers", json={"name": f"{name} Ltd", "kind": "company"}, token=A)
        assert r.status_code == 201, r.get_json()
        customers[name] = r.get_json()["id"]
        r = s.put(f"/api/v1/customers/{customers[name]}/perimeters", json={"perimeter_ids": [per[name]]}, token=A)
        assert r.status_code == 200, r.get_json()
    return {"s": s, "admin": admin, "fum": fum, "per": per, "customers": customers,
            "license_id": s.get("/api/v1/license", token=A).get_json()["id"]}


def test_users_colleagues_and_perimeters_walk_by_cursor(world):
    from identity_service.models import Membership, User
    from perimeter_service.models import Perimeter
    s, A, lic = world["s"], world["admin"]["access_token"], world["license_id"]
    users = [User(id=new_id(), email=f"u{(i * 37) % ROWS:03d}@pages.test",
                  name=["Zoé", "alice", "Bob", "ALICE"][i % 4] + f" {i % 7}") for i in range(ROWS)]
    s.seed("identity", users)
    s.seed("identity", [Membership(user_id=u.id, license_id=lic, role="user", status="active") for u in users])
    s.seed("perimeter", [Perimeter(license_id=lic, name=f"Zone {(i * 53) % ROWS:03d}") for i in range(ROWS)])

    walked = walk(s, "/api/v1/users", A)
    emails = [u["email"] for u in walked]
    assert len(emails) == ROWS + 2 and len(set(emails)) == len(emails) and emails == sorted(emails)
    check_count(s, "/api/v1/users", A, ROWS + 2)
    check_count(s, "/api/v1/users", A, 1, q="fum@")

    colleagues = walk(s, "/api/v1/colleagues", A)
    keys = [("" if c["name"] == c["email"] else c["name"].lower(), c["email"]) for c in colleagues]  # no name
    assert len(colleagues) == ROWS + 2 and len({c["user_id"] for c in colleagues}) == ROWS + 2
    assert [k[1] for k in keys] == [k[1] for k in sorted(keys)]

    perimeters = walk(s, "/api/v1/perimeters", A)
    names = [p["name"] for p in perimeters]
    assert len(names) == ROWS + 2 and names == sorted(names) and len(set(names)) == len(names)
    north = next(p for p in perimeters if p["name"] == "North")
    assert north["counts"]["user"] == 1 and north["counts"]["customer"] == 1
    check_count(s, "/api/v1/perimeters", A, ROWS + 2)

    perimeters_cursor = s.get("/api/v1/perimeters", token=A, query_string={"limit": 50}).get_json()["next_cursor"]
    check_paging_errors(s, "/api/v1/users", A, perimeters_cursor)
    users_cursor = s.get("/api/v1/users", token=A, query_string={"limit": 50}).get_json()["next_cursor"]
    check_paging_errors(s, "/api/v1/perimeters", A, users_cursor)
    check_paging_errors(s, "/api/v1/colleagues", A, users_cursor)


def test_logs_clients_and_requests_walk_by_cursor_within_the_perimeter(world):
    from notify_service.models import CustomerScopeVersion, Notification, WebhookDelivery, WebhookSubscription
    from portal_service.models import ClientAccess
    from signing_service.models import SignatureRequest
    s, A, F, lic = world["s"], world["admin"]["access_token"], world["fum"]["access_token"], world["license_id"]
    north, south = world["customers"]["North"], world["customers"]["South"]
    # notify's replica of the customers' perimeters (perimeter.assignments_changed.v1) filters the log
    engine = create_engine(normalize_url(s.db_url("notify")))
    with Session(engine) as session:
        s.wait_for(lambda: session.query(CustomerScopeVersion).filter(
            CustomerScopeVersion.customer_id.in_([north, south])).count() == 2, message="notify's customer scopes")
    engine.dispose()

    def customer(i):
        return north if i % 2 else south

    s.seed("notify", [Notification(
        license_id=lic, channel="email", template="quote_send", locale="fr", recipient=f"c{i}@x.test",
        customer_id=customer(i), status="sent", dedupe_key=f"page-{i}", delivery_key=f"page-{i}", created_at=at(i),
        updated_at=at(i)) for i in range(ROWS)])
    hook = WebhookSubscription(id=new_id(), license_id=lic, url="https://hooks.example/p",
                               event_types=["contract.signed.v1"], secret="s" * 40)
    s.seed("notify", [hook])
    s.seed("notify", [WebhookDelivery(
        subscription_id=hook.id, license_id=lic, event_id=f"e{i}", event_type="contract.signed.v1", payload={},
        status="succeeded", dedupe_key=f"d{i}", created_at=at(i)) for i in range(ROWS)])
    s.seed("portal", [ClientAccess(
        license_id=lic, contact_id=f"contact-{i}", customer_id=customer(i), user_id=f"user-{i}",
        email=f"client{i}@x.test", name=f"Client {(i * 7) % 11}", user_code=f"C{i}",
        company=[None, "acme", "Acme", "Été SA"][i % 4], status="active", granted_by="admin") for i in range(ROWS)])
    admin_id = world["admin"]["user"]["user_id"]
    s.seed("signing", [SignatureRequest(
        license_id=lic, contract_id=f"contract-{i}", contract_kind="contract", contract_number=f"N{i}",
        owner_id=admin_id, created_by=admin_id, status="cancelled", stage="done", expires_at=at(i) + timedelta(days=30),
        document_filename="a.pdf", document_sha256="0" * 64, document_size=1, document=b"%",
        created_at=at(i), updated_at=at(i)) for i in range(ROWS)])

    def newest_first(items):
        return [i["created_at"] for i in items] == sorted((i["created_at"] for i in items), reverse=True)

    # the delivery log: everything for the admin (plus the invitations sent), the FUM's customers' only
    log = [n for n in walk(s, "/api/v1/notifications", A, template="quote_send")]
    assert len(log) == ROWS and len({n["id"] for n in log}) == ROWS and newest_first(log)
    mine = walk(s, "/api/v1/notifications", F, template="quote_send")
    assert len(mine) == ROWS // 2 and {n["customer_id"] for n in mine} == {north} and newest_first(mine)
    page2 = s.get("/api/v1/notifications", token=F, query_string={
        "limit": 25, "template": "quote_send",
        "cursor": s.get("/api/v1/notifications", token=F, query_string={"limit": 25, "template": "quote_send"})
        .get_json()["next_cursor"]}).get_json()
    assert len(page2["items"]) == 25 and {n["customer_id"] for n in page2["items"]} == {north}
    check_count(s, "/api/v1/notifications", F, ROWS // 2, template="quote_send")

    deliveries = walk(s, f"/api/v1/webhooks/{hook.id}/deliveries", A)
    assert len(deliveries) == ROWS and len({d["id"] for d in deliveries}) == ROWS and newest_first(deliveries)
    check_count(s, f"/api/v1/webhooks/{hook.id}/deliveries", A, ROWS)

    clients = walk(s, "/api/v1/portal-clients", A)
    assert len(clients) == ROWS and len({c["contact_id"] for c in clients}) == ROWS
    companies = [(c["company"] or "").lower() for c in clients]
    assert companies == sorted(companies) and companies[0] == ""  # no company first
    theirs = walk(s, "/api/v1/portal-clients", F)
    assert len(theirs) == ROWS // 2 and {c["customer_id"] for c in theirs} == {north}
    check_count(s, "/api/v1/portal-clients", F, ROWS // 2)

    requests = walk(s, "/api/v1/signature-requests", A)
    assert len(requests) == ROWS and len({r["id"] for r in requests}) == ROWS and newest_first(requests)
    check_count(s, "/api/v1/signature-requests", A, ROWS)

    requests_cursor = s.get("/api/v1/signature-requests", token=A, query_string={"limit": 50}).get_json()["next_cursor"]
    log_cursor = s.get("/api/v1/notifications", token=A, query_string={"limit": 50}).get_json()["next_cursor"]
    check_paging_errors(s, "/api/v1/notifications", A, requests_cursor)
    check_paging_errors(s, f"/api/v1/webhooks/{hook.id}/deliveries", A, requests_cursor)
    check_paging_errors(s, "/api/v1/portal-clients", A, log_cursor)
    check_paging_errors(s, "/api/v1/signature-requests", A, log_cursor)
