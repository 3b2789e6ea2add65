"""A new customer, contract, deal... was last updated when it was created, to the microsecond: an integrator
syncing by ``updated_at`` (``GET /customers?updated_since=``) must never read a row changed before it existed.
``paraph_platform.db.created_at_of_row`` gives it, provided created_at's default is computed first: the
tables built from the ``Edited`` mixin put updated_at first until its bases were ordered."""
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from contracts_service.models import Base, Customer, Deal


def test_created_at_comes_before_updated_at_in_every_table():
    late = [t.name for t in Base.metadata.sorted_tables
            if {"created_at", "updated_at"} <= set(t.c.keys())
            and list(t.c.keys()).index("updated_at") < list(t.c.keys()).index("created_at")]
    assert late == []


def test_a_new_customer_and_deal_were_last_updated_when_created():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine, tables=[Customer.__table__, Deal.__table__])
    with Session(engine) as s:
        s.add(Customer(id="k1", license_id="l1", kind="company", code="C1", name="Client", created_by="u1"))
        s.add(Deal(id="d1", license_id="l1", customer_id="k1", title="Renewal", stage="prospecting",
                   currency="EUR", owner_id="u1", created_by="u1"))
        s.commit()
        for row in (s.get(Customer, "k1"), s.get(Deal, "d1")):
            assert row.updated_at == row.created_at
