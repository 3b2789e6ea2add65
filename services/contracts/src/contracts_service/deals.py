"""The deal aggregate (Initiative CRM's "affaire"): a customer's sales opportunity with its stage, expected
amount, owner and expected close date, grouping the quotes, orders and invoices made for it.

A deal is visible exactly when its customer is: every query here joins the customer and takes the
caller's customer visibility condition (the perimeter policy compiled to SQL) from the service.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import case, func, or_, select

from paraph_platform.envelope import iso

from .exceptions import Conflict, InvalidInput, NotFound
from .models import Contract, Customer, Deal
from .schemas import DEAL_STAGES

# the kinds of documents a deal groups, in the order the deal page shows them
DOCUMENT_KINDS = ("quote", "contract", "order", "invoice")
# what a PATCH may change (the customer is fixed: the deal's documents belong to it)
EDITABLE = ("title", "stage", "amount", "currency", "owner_id", "expected_close_date", "notes")


def _dec(value):
    return None if value is None else str(value)


def view(d: Deal, customer_name: str, documents: dict | None = None) -> dict:
    out = {"id": d.id, "title": d.title, "stage": d.stage, "customer_id": d.customer_id,
           "customer_name": customer_name, "amount": _dec(d.amount), "currency": d.currency,
           "expected_close_date": d.expected_close_date.isoformat() if d.expected_close_date else None,
           "owner_id": d.owner_id, "owner_name": d.owner_name, "notes": d.notes, "created_by": d.created_by,
           "created_at": iso(d.created_at), "updated_at": iso(d.updated_at), "version": d.version}
    if documents is not None:
        out["documents"] = documents
    return out


def event(d: Deal, changed: list[str] | None = None) -> dict:
    data = {"deal_id": d.id, "title": d.title, "stage": d.stage, "customer_id": d.customer_id,
            "owner_id": d.owner_id, "amount": _dec(d.amount), "currency": d.currency,
            "expected_close_date": d.expected_close_date.isoformat() if d.expected_close_date else None}
    if changed is not None:
        data["changed"] = changed
    return data


def documents(s, deal_id: str) -> dict:
    """How many quotes, contracts, orders and invoices the deal has, and their total (incl. tax) per kind."""
    out = {kind: {"count": 0, "total": "0.00"} for kind in DOCUMENT_KINDS}
    rows = s.execute(select(Contract.kind, func.count(), func.coalesce(func.sum(Contract.total), 0))
                     .where(Contract.deal_id == deal_id).group_by(Contract.kind))
    for kind, count, total in rows:
        out[kind] = {"count": count, "total": f"{total:.2f}"}
    return out


def visible(s, license_id: str, deal_id: str, customer_visible, lock: bool = False) -> tuple[Deal, str]:
    """(the deal, its customer's name), or NotFound when the caller does not see its customer."""
    q = (select(Deal, Customer.name).join(Customer, Customer.id == Deal.customer_id)
         .where(Deal.id == deal_id, Deal.license_id == license_id, customer_visible))
    if lock:
        q = q.with_for_update(of=Deal)
    row = s.execute(q).first()
    if row is None:
        raise NotFound("Deal not found.")
    return row[0], row[1]


def new(actor: dict, customer: Customer, owner: tuple, data: dict, default_currency: str) -> Deal:
    owner_id, owner_name, _email = owner
    return Deal(license_id=actor["license_id"], customer_id=customer.id, title=data["title"], stage=data["stage"],
                amount=data["amount"], currency=data["currency"] or customer.currency or default_currency,
                expected_close_date=data["expected_close_date"], owner_id=owner_id, owner_name=owner_name,
                notes=data["notes"], created_by=actor["user_id"])


def apply_patch(d: Deal, data: dict, owner: tuple | None) -> list[str]:
    """Apply a PATCH; returns the names of the fields that really changed (a repeated PATCH changes none)."""
    expected = data.pop("expected_version", None)
    if expected is not None and expected != d.version:
        raise Conflict("The deal was changed by someone else; reload it.", {"version": d.version})
    if owner is not None:
        data["owner_id"] = owner[0]
    changed = sorted(key for key in EDITABLE if key in data and getattr(d, key) != data[key])
    for key in changed:
        setattr(d, key, data[key])
    if "owner_id" in changed:
        d.owner_name = owner[1]
    if changed:
        d.updated_at = datetime.now(timezone.utc)
        d.version += 1
    return changed


def list_query(license_id: str, customer_visible, p: dict):
    """The select of a page of deals (with the customer's name) and of its total, filters applied."""
    q = (select(Deal, Customer.name).join(Customer, Customer.id == Deal.customer_id)
         .where(Deal.license_id == license_id, customer_visible))
    for key in ("stage", "owner_id", "customer_id"):
        if p[key]:
            q = q.where(getattr(Deal, key) == p[key])
    if p["q"]:
        like = f"%{p['q'].lower()}%"
        q = q.where(or_(func.lower(Deal.title).like(like), func.lower(Customer.name).like(like)))
    total = select(func.count()).select_from(q.with_only_columns(Deal.id).subquery())
    key = p["sort"].lstrip("-")
    if key == "stage":  # the pipeline's order, not the alphabet's
        column = case({stage: i for i, stage in enumerate(DEAL_STAGES)}, value=Deal.stage)
    else:
        column = Customer.name if key == "customer_name" else getattr(Deal, key)
    order = column.desc().nulls_last() if p["sort"].startswith("-") else column.asc().nulls_last()
    page = q.order_by(order, Deal.id.desc()).limit(p["limit"]).offset(p["offset"])
    return page, total


def check_empty(s, d: Deal):
    """A deal with documents is kept (they would lose their deal); it is closed as won or lost instead."""
    if s.execute(select(Contract.id).where(Contract.deal_id == d.id).limit(1)).first():
        raise Conflict("This deal has quotes, contracts, orders or invoices: close it as won or lost instead.")


def check_same_customer(d: Deal, customer_id: str):
    """A contract joins a deal of its own customer only (the deal page lists the customer's documents)."""
    if d.customer_id != customer_id:
        raise InvalidInput("The deal belongs to another customer.",
                           {"fields": {"deal_id": ["a deal of another customer"]}})
