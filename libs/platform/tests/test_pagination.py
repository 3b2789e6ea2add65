"""Keyset pagination: walking every page gives every row once, in order, NULLs last, on SQLite and
PostgreSQL alike; bad cursors and offsets are 422s."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import Column, DateTime, Integer, Numeric, String, create_engine, select
from sqlalchemy.orm import Session, declarative_base

from paraph_platform.errors import InvalidInput
from paraph_platform.pagination import (MAX_OFFSET, Ordering, check_offset, decode_cursor, encode_cursor,
                                        keyset_page)

Base = declarative_base()


class Row(Base):
    __tablename__ = "rows"
    id = Column(String(8), primary_key=True)
    at = Column(DateTime(timezone=True), nullable=True)
    amount = Column(Numeric(12, 2), nullable=True)
    rank = Column(Integer, nullable=False)


def _rows():
    base = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for i in range(37):
        yield Row(id=f"r{i:03d}", at=None if i % 5 == 0 else base + timedelta(hours=i % 7),
                  amount=None if i % 4 == 0 else Decimal(i % 6), rank=i % 3)


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.add_all(_rows())
        s.commit()
        yield s


ORDERS = {
    "at desc": [Ordering(Row.at, descending=True), Ordering(Row.id, descending=True)],
    "at asc": [Ordering(Row.at), Ordering(Row.id)],
    "amount desc, rank": [Ordering(Row.amount, descending=True), Ordering(Row.rank), Ordering(Row.id)],
}


@pytest.mark.parametrize("name", sorted(ORDERS))
def test_walking_the_cursor_gives_every_row_once_in_order(session, name):
    order = ORDERS[name]
    everything = [r[0].id for r in session.execute(select(Row).order_by(*(o.sql() for o in order))).all()]
    seen, cursor = [], None
    while True:
        page = keyset_page(session, select(Row), order, limit=4, cursor=cursor, order_name=name)
        seen += [r[0].id for r in page["rows"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == everything and len(seen) == 37


def test_count_is_opt_in(session):
    order = ORDERS["at asc"]
    assert "total" not in keyset_page(session, select(Row), order, limit=5)
    assert keyset_page(session, select(Row).where(Row.rank == 1), order, limit=5, count=True)["total"] == 12


def test_cursor_values_keep_their_types():
    values = [datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc), Decimal("12.50"), None, 3, "x"]
    assert decode_cursor(encode_cursor(values, "o"), 5, "o") == values


@pytest.mark.parametrize("cursor", ["", "!!!", "e30", encode_cursor([1], "o"), encode_cursor([1, 2], "other"),
                                    "A" * 5000])
def test_a_foreign_or_broken_cursor_is_a_422(cursor):
    with pytest.raises(InvalidInput) as exc:
        decode_cursor(cursor, 2, "o")
    assert "cursor" in exc.value.details["fields"]


def test_offset_beyond_the_maximum_is_a_422(session):
    assert check_offset(MAX_OFFSET) == MAX_OFFSET
    with pytest.raises(InvalidInput) as exc:
        keyset_page(session, select(Row), ORDERS["at asc"], limit=5, offset=MAX_OFFSET + 1)
    assert "offset" in exc.value.details["fields"]
    with pytest.raises(InvalidInput):
        keyset_page(session, select(Row), ORDERS["at asc"], limit=5, offset=5,
                    cursor=encode_cursor([None, "r000"]))


def test_a_hand_made_cursor_with_values_of_the_wrong_type_is_a_422(session):
    order = ORDERS["at desc"]
    forged = encode_cursor(["not a date", "r001"], "at desc")
    with pytest.raises(InvalidInput) as exc:
        keyset_page(session, select(Row), order, limit=4, cursor=forged, order_name="at desc")
    assert "cursor" in exc.value.details["fields"]
    with pytest.raises(InvalidInput):
        keyset_page(session, select(Row), order, limit=4, cursor=encode_cursor([None, "r\x00"], "at desc"),
                    order_name="at desc")
    # the right types (or NULL) pass
    ok = encode_cursor([None, "r001"], "at desc")
    assert keyset_page(session, select(Row), order, limit=4, cursor=ok, order_name="at desc")["rows"] is not None


@pytest.mark.parametrize("forged", [[True, "r001"], [2**70, "r001"], [-2**63 - 1, "r001"]])
def test_a_hand_made_cursor_with_a_boolean_or_an_oversized_integer_is_a_422(session, forged):
    order = [Ordering(Row.rank), Ordering(Row.id)]
    with pytest.raises(InvalidInput):
        keyset_page(session, select(Row), order, limit=4, cursor=encode_cursor(forged, "rank"), order_name="rank")
    assert keyset_page(session, select(Row), order, limit=4, cursor=encode_cursor([1, "r001"], "rank"),
                       order_name="rank")["rows"]


def test_an_untyped_sort_expression_takes_text_only(session):
    from sqlalchemy import func
    order = [Ordering(func.lower(Row.id), not_null=True), Ordering(Row.id)]
    with pytest.raises(InvalidInput):
        keyset_page(session, select(Row), order, limit=4, cursor=encode_cursor([3, "r001"], "lower"),
                    order_name="lower")
    walked = keyset_page(session, select(Row), order, limit=4, cursor=encode_cursor(["r001", "r001"], "lower"),
                         order_name="lower", key=lambda row: [row[0].id.lower(), row[0].id])
    assert [r[0].id for r in walked["rows"]] == ["r002", "r003", "r004", "r005"]
