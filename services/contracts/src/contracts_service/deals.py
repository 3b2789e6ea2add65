"""The deal aggregate (Initiative CRM's "affaire"): a customer's sales opportunity with its stage, expected
amount, owner and expected close date, grouping the quotes, orders and invoices made for it.

A deal is visible exactly when its customer is: every query here joins the customer and takes the
caller's customer visibility condition (the perimeter policy compiled to SQL) from
:class:`~.base.ContractsBase`, whose ``_deal`` looks one deal up. :class:`DealsEndpoints` holds the
deal's entrypoints; the functions above it are its queries, rules and views.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import and_, case, func, or_, select

from paraph_platform.actor import STAFF_ROLES, load_actor, require_role
from paraph_platform.envelope import iso
from paraph_platform.pagination import Ordering, keyset_page, page_result
from paraph_platform.service import endpoint

from .base import ContractsBase
from .exceptions import Conflict, InvalidInput
from .logic import BOUGHT_STATUSES
from .models import Contract, Customer, Deal
from .schemas.deals import DEAL_STAGES, DealInSchema, DealListSchema, DealPatchSchema


# the kinds of documents a deal groups, in the order the deal page shows them
DOCUMENT_KINDS = ("quote", "contract", "order", "invoice")
# a stage's rank in the pipeline: the stage sort's order (and its cursors' value)
STAGE_RANK = {stage: i for i, stage in enumerate(DEAL_STAGES)}
# what a PATCH may change (the customer is fixed: the deal's documents belong to it)
EDITABLE = ("title", "stage", "amount", "currency", "owner_id", "expected_close_date", "notes")


def _dec(value):
    return None if value is None else str(value)


def deal_view(d: Deal, customer_name: str, documents: dict | None = None) -> dict:
    out = {"id": d.id, "title": d.title, "stage": d.stage, "customer_id": d.customer_id,
           "customer_name": customer_name, "amount": _dec(d.amount), "currency": d.currency,
           "expected_close_date": d.expected_close_date.isoformat() if d.expected_close_date else None,
           "owner_id": d.owner_id, "owner_name": d.owner_name, "notes": d.notes, "created_by": d.created_by,
           "created_at": iso(d.created_at), "updated_at": iso(d.updated_at), "version": d.version}
    if documents is not None:
        out["documents"] = documents
    return out


def deal_event(d: Deal, changed: list[str] | None = None) -> dict:
    data = {"deal_id": d.id, "title": d.title, "stage": d.stage, "customer_id": d.customer_id,
            "owner_id": d.owner_id, "amount": _dec(d.amount), "currency": d.currency,
            "expected_close_date": d.expected_close_date.isoformat() if d.expected_close_date else None}
    if changed is not None:
        data["changed"] = changed
    return data


def deal_documents(s, deal_id: str) -> dict:
    """How many quotes, contracts, orders and invoices the deal has and their total (incl. tax) per kind, and the
    total of those the customer has bought (``won_total``: an accepted quote, a signed contract...). The plain
    total adds drafts, variants and refused ones: a deal with three variants of one 10,000 € quote has won
    nothing, not 30,000 €."""
    out = {kind: {"count": 0, "total": "0.00", "won_total": "0.00"} for kind in DOCUMENT_KINDS}
    won = or_(*(and_(Contract.kind == kind, Contract.status.in_(statuses))
                for kind, statuses in BOUGHT_STATUSES.items()))
    rows = s.execute(select(Contract.kind, func.count(), func.coalesce(func.sum(Contract.total), 0),
                            func.coalesce(func.sum(case((won, Contract.total), else_=0)), 0))
                     .where(Contract.deal_id == deal_id).group_by(Contract.kind))
    for kind, count, total, won_total in rows:
        out[kind] = {"count": count, "total": f"{total:.2f}", "won_total": f"{won_total:.2f}"}
    return out


def new_deal(actor: dict, customer: Customer, owner: tuple, data: dict, default_currency: str) -> Deal:
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


def list_page(s, license_id: str, customer_visible, p: dict) -> dict:
    """A page of (deal, customer name) rows, filters applied (paraph_platform.pagination.keyset_page)."""
    q = (select(Deal, Customer.name).join(Customer, Customer.id == Deal.customer_id)
         .where(Deal.license_id == license_id, customer_visible))
    for key in ("stage", "owner_id", "customer_id"):
        if p[key]:
            q = q.where(getattr(Deal, key) == p[key])
    if p["updated_since"]:
        q = q.where(Deal.updated_at >= p["updated_since"])
    if p["q"]:
        like = f"%{p['q'].lower()}%"
        q = q.where(or_(func.lower(Deal.title).like(like), func.lower(Customer.name).like(like)))
    sort_key, descending = p["sort"].lstrip("-"), p["sort"].startswith("-")
    if sort_key == "stage":  # the pipeline's order, not the alphabet's
        column = case(STAGE_RANK, value=Deal.stage)
    else:
        column = Customer.name if sort_key == "customer_name" else getattr(Deal, sort_key)
    order = [Ordering(column, descending), Ordering(Deal.id, True)]

    def key(row):  # the row's values of the order's columns, for the cursor
        d, customer_name = row
        first = {"stage": STAGE_RANK[d.stage], "customer_name": customer_name}.get(sort_key)
        return [getattr(d, sort_key) if first is None else first, d.id]
    return keyset_page(s, q, order, limit=p["limit"], cursor=p["cursor"], offset=p["offset"], count=p["count"],
                       order_name=p["sort"], key=key)


def check_empty(s, d: Deal):
    """A deal with documents is kept (they would lose their deal); it is closed as won or lost instead."""
    if s.execute(select(Contract.id).where(Contract.deal_id == d.id).limit(1)).first():
        raise Conflict("This deal has quotes, contracts, orders or invoices: close it as won or lost instead.")


def check_same_customer(d: Deal, customer_id: str):
    """A contract joins a deal of its own customer only (the deal page lists the customer's documents)."""
    if d.customer_id != customer_id:
        raise InvalidInput("The deal belongs to another customer.",
                           {"fields": {"deal_id": ["a deal of another customer"]}})


class DealsEndpoints(ContractsBase):
    """Deals: a customer's sales opportunities."""

    @endpoint(write=True)
    def create_deal(self, actor, payload):
        actor, data = self._caller_and_payload(actor, DealInSchema, payload)
        owner = self._owner(actor, data["owner_id"])
        with self.db.session() as s:
            customer = self._customer(s, actor, data["customer_id"], field="customer_id")
            settings = self._settings(s, actor["license_id"])
            d = new_deal(actor, customer, owner, data, settings.currency if settings else "EUR")
            s.add(d)
            s.flush()
            self.outbox.add(s, "deal.created.v1", deal_event(d), subject=d.id, license_id=d.license_id)
            return deal_view(d, customer.name, deal_documents(s, d.id))

    @endpoint
    def get_deal(self, actor, deal_id):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with self.db.session() as s:
            d, customer_name = self._deal(s, actor, deal_id)
            return deal_view(d, customer_name, deal_documents(s, d.id))

    @endpoint
    def list_deals(self, actor, params=None):
        actor, p = self._caller_and_payload(actor, DealListSchema, params or {})
        with self.db.session() as s:
            page = list_page(s, actor["license_id"], self._customer_filter(actor), p)
            return page_result(page, [deal_view(d, name) for d, name in page["rows"]])

    @endpoint(write=True)
    def update_deal(self, actor, deal_id, payload):
        """Change a deal's stage, amount, owner...; a PATCH that changes nothing publishes nothing."""
        actor, data = self._caller_and_payload(actor, DealPatchSchema, payload)
        owner = self._new_owner(actor, Deal, deal_id, data.get("owner_id"))
        with self.db.session() as s:
            d, customer_name = self._deal(s, actor, deal_id, lock=True)
            changed = apply_patch(d, data, owner)
            if changed:
                s.flush()
                self.outbox.add(s, "deal.updated.v1", deal_event(d, changed), subject=d.id, license_id=d.license_id)
            return deal_view(d, customer_name, deal_documents(s, d.id))

    @endpoint(write=True)
    def delete_deal(self, actor, deal_id):
        """Delete a deal opened by mistake: only while no quote, contract, order or invoice is in it."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with self.db.session() as s:
            d, _name = self._deal(s, actor, deal_id, lock=True)
            check_empty(s, d)
            self.outbox.add(s, "deal.deleted.v1", {"deal_id": d.id, "title": d.title, "customer_id": d.customer_id,
                                                   "deleted_by": actor["user_id"]},
                            subject=d.id, license_id=d.license_id)
            s.delete(d)
        return {"deleted": True}
