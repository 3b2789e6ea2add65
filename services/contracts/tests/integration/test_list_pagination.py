"""Cursor pagination and the opt-in count of the contracts service's lists, through the gateway: walking
a list by ``next_cursor`` gives every row once, in the list's order, for every sort offered; the count
only when asked; offsets beyond the maximum, tampered cursors and a cursor of another sort are 422s; the
perimeter filter applies on every page."""
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from contracts_service.models import Contract, Customer
from contracts_service.schemas.contracts import LIST_SORT_KEYS
from contracts_service.schemas.deals import DEAL_SORT_KEYS
from contracts_service.contracts import contract_list_order
from paraph_platform.db import normalize_url
from paraph_platform.pagination import MAX_OFFSET, keyset_page

pytestmark = pytest.mark.integration

STATUSES = ("draft", "sent", "signed", "refused")


def _walk(s, token, path, **query):
    """Every page by cursor: (the ids in the order met, the number of pages)."""
    seen, pages, cursor = [], 0, None
    while True:
        r = s.get(path, token=token, query_string={**query, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.get_json()
        body = r.get_json()
        assert "total" not in body  # the count is opt-in
        seen += [i["id"] for i in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return seen, pages
        assert len(body["items"]) == query["limit"]


def _problem(r, field):
    assert r.status_code == 422 and r.mimetype == "application/problem+json", r.get_data(as_text=True)
    assert field in r.get_json()["errors"], r.get_json()


@pytest.fixture
def world(north_south):
    """A license with 4 customers (two named alike) in 2 perimeters, a seller who sees the north one,
    and 130 contracts with ties, NULLs and equal creation times in every sortable column."""
    s, A, north, south = north_south.s, north_south.A, north_south.north, north_south.south
    customers = [north_south.customer(name, perimeter)
                 for name, perimeter in (("Alpha", north), ("Alpha", north), ("Bravo", north), ("Zoulou", south))]
    first = s.post("/api/v1/contracts", token=A, json={"title": "Via l'API", "customer_id": customers[0]["id"]})
    assert first.status_code == 201, first.get_json()
    base = datetime(2026, 11, 1, tzinfo=timezone.utc)
    engine = create_engine(normalize_url(s.db_url("contracts")))
    with Session(engine) as db, db.begin():
        template = db.get(Contract, first.get_json()["id"])
        for i in range(129):
            customer = customers[i % 4]
            db.add(Contract(
                license_id=template.license_id, kind="contract", number=f"C-P-{i:03d}", title=f"Contrat {i % 7}",
                status=STATUSES[i % 4], customer_id=customer["id"], owner_id=template.owner_id,
                owner_name=("Ana", "Bob", "")[i % 3], currency="EUR", locale="fr", data={}, custom={}, notes="",
                subtotal=Decimal(i % 5), tax_total=Decimal(0), total=Decimal(i % 5) * 10, created_by="test",
                created_at=base + timedelta(minutes=i // 3),  # three contracts a minute: ties on the default order
                sent_at=None if i % 3 else base + timedelta(hours=i % 4),
                last_viewed_at=None if i % 2 else base + timedelta(days=1, minutes=i % 6),
                view_count=i % 4, download_count=i % 2, version=1))
    engine.dispose()
    visible_to_seller = {c["id"] for c in customers[:3]}
    return s, A, north_south.T, customers, visible_to_seller


SORTS = [None] + [f"{sign}{key}" for key in LIST_SORT_KEYS for sign in ("", "-")]


def test_every_contract_sort_walks_every_row_once_in_order(world):
    s, A, _T, _customers, _north = world
    everything = s.get("/api/v1/contracts?limit=200&count=true", token=A).get_json()
    assert everything["total"] == 130 and everything["next_cursor"] is None
    for sort in SORTS:
        query = {"sort": sort} if sort else {}
        reference = [i["id"] for i in s.get("/api/v1/contracts", token=A,
                                            query_string={**query, "limit": 200}).get_json()["items"]]
        walked, pages = _walk(s, A, "/api/v1/contracts", limit=50, **query)
        assert walked == reference and len(set(walked)) == 130 and pages == 3, sort
    # the order is the sort's: by customer name, a customer's contracts together, NULLs last both ways
    by_name = s.get("/api/v1/contracts?limit=200&sort=customer_name", token=A).get_json()["items"]
    runs = [c["customer_id"] for i, c in enumerate(by_name) if i == 0 or by_name[i - 1]["customer_id"] != c["customer_id"]]
    assert len(runs) == 4 and [c["customer_name"] for c in by_name][::40] == ["Alpha", "Alpha", "Bravo", "Zoulou"]
    for sort in ("sent_at", "-sent_at"):
        sent = [c["sent_at"] for c in s.get(f"/api/v1/contracts?limit=200&sort={sort}", token=A).get_json()["items"]]
        dated = [x for x in sent if x is not None]
        assert sent == dated + [None] * (130 - len(dated)) and dated == sorted(dated, reverse=sort.startswith("-"))


def test_viewed_since_and_filters_walk_by_cursor_within_the_perimeter(world):
    s, A, T, _customers, north = world
    since = "2026-11-01T00:00:00+00:00"
    reference = [i["id"] for i in s.get("/api/v1/contracts", token=A, query_string={
        "viewed_since": since, "limit": 200}).get_json()["items"]]
    walked, pages = _walk(s, A, "/api/v1/contracts", limit=20, viewed_since=since)
    assert walked == reference and len(walked) == 65 and pages == 4
    # the seller sees the north customers' contracts only, on every page
    mine = s.get("/api/v1/contracts?limit=200&count=true", token=T).get_json()
    walked, pages = _walk(s, T, "/api/v1/contracts", limit=50)
    assert walked == [i["id"] for i in mine["items"]] and mine["total"] == len(walked) == 98 and pages == 2
    second = s.get("/api/v1/contracts", token=T, query_string={
        "limit": 50, "cursor": s.get("/api/v1/contracts?limit=50", token=T).get_json()["next_cursor"]}).get_json()
    assert second["items"] and {i["customer_id"] for i in second["items"]} <= north
    # a filter and a sort together
    walked, _ = _walk(s, T, "/api/v1/quotes", limit=50)
    assert walked == []
    walked, _ = _walk(s, A, "/api/v1/contracts", limit=7, status="sent", sort="-total")
    assert len(walked) == 32


def test_count_offsets_and_cursors_are_checked(world):
    s, A, _T, _customers, _north = world
    assert "total" not in s.get("/api/v1/contracts", token=A).get_json()
    assert s.get("/api/v1/contracts?count=true", token=A).get_json()["total"] == 130
    assert s.get("/api/v1/contracts?with_total=true", token=A).get_json()["total"] == 130  # deprecated alias
    assert s.get(f"/api/v1/contracts?offset={MAX_OFFSET}", token=A).get_json()["items"] == []
    for path in ("/api/v1/contracts", "/api/v1/quotes", "/api/v1/customers", "/api/v1/deals", "/api/v1/tasks"):
        _problem(s.get(f"{path}?offset={MAX_OFFSET + 1}", token=A), "offset")
        _problem(s.get(f"{path}?cursor=bm90LWEtY3Vyc29y", token=A), "cursor")
    page = s.get("/api/v1/contracts?limit=10&sort=title", token=A).get_json()
    cursor = page["next_cursor"]
    tampered = cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BB")
    _problem(s.get(f"/api/v1/contracts?limit=10&sort=title&cursor={tampered}", token=A), "cursor")
    _problem(s.get(f"/api/v1/contracts?limit=10&sort=-title&cursor={cursor}", token=A), "cursor")  # another sort
    _problem(s.get(f"/api/v1/contracts?limit=10&cursor={cursor}", token=A), "cursor")
    _problem(s.get(f"/api/v1/contracts?limit=10&sort=title&cursor={cursor}&offset=10", token=A), "offset")
    # offsets still work, and agree with the cursor
    by_offset = s.get("/api/v1/contracts?limit=10&sort=title&offset=10", token=A).get_json()["items"]
    by_cursor = s.get(f"/api/v1/contracts?limit=10&sort=title&cursor={cursor}", token=A).get_json()["items"]
    assert [i["id"] for i in by_offset] == [i["id"] for i in by_cursor]


def test_customers_deals_and_tasks_walk_by_cursor(world):
    s, A, T, customers, north = world
    for sort in ("name", "-name", "code", "-code", "created_at", "-created_at"):
        reference = [c["id"] for c in s.get(f"/api/v1/customers?sort={sort}", token=A).get_json()["items"]]
        walked, pages = _walk(s, A, "/api/v1/customers", limit=1, sort=sort)
        assert walked == reference and len(walked) == 4 and pages == 4, sort
    walked, _ = _walk(s, T, "/api/v1/customers", limit=1)
    assert set(walked) == north and len(walked) == 3
    today = date.today()
    for i, customer in enumerate(customers * 2):
        r = s.post("/api/v1/deals", token=A, json={"title": f"Affaire {i % 3}", "customer_id": customer["id"],
                                                   "stage": ("proposal", "prospecting", "won")[i % 3],
                                                   "amount": None if i % 2 else str(i * 100),
                                                   "expected_close_date": None if i % 3 else str(today)})
        assert r.status_code == 201, r.get_json()
    for sort in [f"{sign}{key}" for key in DEAL_SORT_KEYS for sign in ("", "-")]:
        reference = [d["id"] for d in s.get(f"/api/v1/deals?sort={sort}", token=A).get_json()["items"]]
        walked, _ = _walk(s, A, "/api/v1/deals", limit=3, sort=sort)
        assert walked == reference and len(walked) == 8, sort
    assert s.get("/api/v1/deals?count=true", token=T).get_json()["total"] == len(_walk(s, T, "/api/v1/deals", limit=2)[0]) == 6
    contract = s.get("/api/v1/contracts?limit=1", token=A).get_json()["items"][0]
    for i in range(5):
        s.post(f"/api/v1/contracts/{contract['id']}/tasks", token=A, json={
            "title": f"Tâche {i}", "due_date": None if i % 2 else str(today + timedelta(days=i % 3))})
    reference = [t["id"] for t in s.get("/api/v1/tasks", token=A).get_json()["items"]]
    walked, pages = _walk(s, A, "/api/v1/tasks", limit=2)
    assert walked == reference and len(walked) == 5 and pages == 3
    dues = [t["due_date"] for t in s.get("/api/v1/tasks", token=A).get_json()["items"]]
    assert dues[-2:] == [None, None] and dues[:3] == sorted(dues[:3])  # soonest due first, undated last


def test_a_customers_equipment_base_is_whole_by_default_and_walks_by_cursor(world):
    s, A, T, customers, _north = world
    path = f"/api/v1/customers/{customers[0]['id']}/equipment"
    today = date.today()
    for i in range(7):
        r = s.post(path, token=A, json={"description": f"Machine {i}", "status": ("in_service", "retired")[i % 2],
                                        "installed_on": None if i % 3 == 0 else str(today - timedelta(days=i % 4))})
        assert r.status_code == 201, r.get_json()
    whole = s.get(path, token=T).get_json()  # the old callers' call: everything, in one page of up to 200
    assert len(whole["items"]) == 7 and whole["next_cursor"] is None and whole["limit"] == 200
    walked, pages = _walk(s, T, path, limit=3)
    assert walked == [e["id"] for e in whole["items"]] and pages == 3
    assert s.get(path, token=T, query_string={"count": "true", "status": "retired"}).get_json()["total"] == 3
    _problem(s.get(f"{path}?offset={MAX_OFFSET + 1}", token=T), "offset")
    # another perimeter's customer stays a 404, cursor or not
    assert s.get(f"/api/v1/customers/{customers[3]['id']}/equipment", token=T).status_code == 404


def test_cursor_pages_are_index_reads_on_postgresql(world):
    """The page after a cursor, for the orders an index serves whole (newest first, recently viewed), is
    read in index order: no sort of the list (what makes page 2,000 cost what page 1 costs). The planner is
    told to avoid sorts and sequential scans, so a missing index shows as a Sort. (By customer name, the
    join is an incremental sort per customer: seen on 1,000,000 rows, not decidable on 130.)"""
    s, A, _T, _customers, _north = world
    engine = create_engine(normalize_url(s.db_url("contracts")))
    since = datetime(2026, 11, 1, tzinfo=timezone.utc)
    with Session(engine) as db:
        license_id = db.execute(select(Contract.license_id).limit(1)).scalar_one()
        db.execute(text("set enable_seqscan = off"))
        db.execute(text("set enable_sort = off"))
        for viewed_since in (None, since):
            p = {"sort": None, "viewed_since": viewed_since}
            name, order, key = contract_list_order(p)
            q = (select(Contract, Customer.name).join(Customer, Customer.id == Contract.customer_id)
                 .where(Contract.license_id == license_id))
            if viewed_since:
                q = q.where(Contract.last_viewed_at >= viewed_since)
            cursor = keyset_page(db, q, order, limit=10, order_name=name, key=key)["next_cursor"]
            plans = []

            class Explaining:  # runs the page's query under EXPLAIN, then for real
                def execute(self, statement):
                    sql = str(statement.compile(engine, compile_kwargs={"literal_binds": True}))
                    plans.append("\n".join(r[0] for r in db.execute(text("explain " + sql))))
                    return db.execute(statement)
            page = keyset_page(Explaining(), q, order, limit=10, cursor=cursor, order_name=name, key=key)
            assert len(page["rows"]) == 10
            assert "Index" in plans[0] and not re.search(r"Sort ", plans[0]), (name, plans[0])
    engine.dispose()
