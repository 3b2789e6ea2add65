"""A customer's equipment base (Initiative CRM's "parc matériel"): what the customer has installed,
entered by hand or recorded from the lines of what it bought (an order, invoice, signed contract or
accepted quote), with serial numbers and warranty dates. A piece of equipment is visible exactly when
its customer is.
"""
from __future__ import annotations

import collections
from decimal import Decimal

from sqlalchemy import select

from paraph_platform.actor import load_actor
from paraph_platform.db import utcnow
from paraph_platform.envelope import iso
from paraph_platform.pagination import Ordering, keyset_page, page_result
from paraph_platform.service import endpoint

from . import logic
from .base import ContractsBase
from .contracts import contract_lines
from .exceptions import Conflict, InvalidInput
from .models import Contract, Customer, Equipment
from .schemas.equipment import (
    EquipmentFromContractSchema, EquipmentInSchema, EquipmentPatchSchema, EquipmentQuerySchema, check_warranty,
)


def equipment_view(e: Equipment, today=None) -> dict:
    today = today or utcnow().date()
    return {"id": e.id, "customer_id": e.customer_id, "product_code": e.product_code,
            "description": e.description, "serial_number": e.serial_number,
            "quantity": str(Decimal(e.quantity).quantize(Decimal("0.001"))),
            "installed_on": e.installed_on.isoformat() if e.installed_on else None,
            "warranty_until": e.warranty_until.isoformat() if e.warranty_until else None,
            "under_warranty": bool(e.warranty_until and e.warranty_until >= today and e.status == "in_service"),
            "status": e.status, "notes": e.notes,
            "source": ({"contract_id": e.source_contract_id, "number": e.source_number, "line_id": e.source_line_id}
                       if e.source_contract_id else None),
            "created_by": e.created_by, "created_at": iso(e.created_at), "updated_at": iso(e.updated_at)}


def taken_lines(lines) -> list:
    """The lines that feed the equipment base by default: every line taken (not optional, or optional and
    selected) with a product code and a quantity."""
    return [x for x in lines if x.product_code and (not x.optional or x.selected) and x.quantity > 0]


class EquipmentEndpoints(ContractsBase):
    """The customers' equipment base."""

    def _equipment_base(self, s, c: Customer, query) -> dict:
        p = EquipmentQuerySchema().load(query or {})
        q = select(Equipment).where(Equipment.customer_id == c.id)
        if p.get("status"):
            q = q.where(Equipment.status == p["status"])
        order = [Ordering(Equipment.status), Ordering(Equipment.installed_on, True), Ordering(Equipment.created_at),
                 Ordering(Equipment.id)]
        page = keyset_page(s, q, order, limit=p["limit"], cursor=p["cursor"], offset=p["offset"], count=p["count"],
                           order_name="equipment")
        today = utcnow().date()
        return {"customer_id": c.id, "customer_name": c.name,
                **page_result(page, [equipment_view(e, today) for e, in page["rows"]])}

    @endpoint
    def list_equipment(self, actor, customer_id, query=None):
        """A visible customer's equipment base."""
        actor = load_actor(actor)
        with self.db.session() as s:
            return self._equipment_base(s, self._customer(s, actor, customer_id), query)

    @endpoint
    def contract_equipment(self, actor, contract_id, query=None):
        """The equipment base of a contract's or quote's customer, opened from the contract."""
        actor = load_actor(actor)
        with self.db.session() as s:
            k = self._contract(s, actor, contract_id)
            return self._equipment_base(s, s.get(Customer, k.customer_id), query)

    @endpoint(write=True)
    def add_equipment(self, actor, customer_id, payload):
        actor, data = self._caller_and_payload(actor, EquipmentInSchema, payload)
        with self.db.session() as s:
            c = self._customer(s, actor, customer_id)
            e = Equipment(license_id=c.license_id, customer_id=c.id, created_by=actor["user_id"], **data)
            s.add(e)
            s.flush()
            return equipment_view(e)

    def _equipment(self, s, actor, equipment_id) -> Equipment:
        e = self._license_row(s, Equipment, equipment_id, actor["license_id"])
        self._customer(s, actor, e.customer_id)  # visible iff its customer is
        return e

    @endpoint(write=True)
    def update_equipment(self, actor, equipment_id, payload):
        actor, data = self._caller_and_payload(actor, EquipmentPatchSchema, payload)
        with self.db.session() as s:
            e = self._equipment(s, actor, equipment_id)
            check_warranty({"installed_on": data.get("installed_on", e.installed_on),
                            "warranty_until": data.get("warranty_until", e.warranty_until)})
            for key, value in data.items():
                setattr(e, key, value)
            e.updated_at = utcnow()
            return equipment_view(e)

    @endpoint(write=True)
    def delete_equipment(self, actor, equipment_id):
        return self._delete(actor, self._equipment, equipment_id)

    @endpoint(write=True)
    def record_equipment(self, actor, contract_id, payload):
        """Record what a customer bought (an order's, invoice's, signed contract's or accepted quote's lines
        that were taken: not optional, or optional and selected) in its equipment base. Without line_ids,
        every taken line with a product code. A line already recorded is not recorded again, nor is one
        recorded from the quote it was converted from or from that quote's other order or invoice."""
        actor, data = self._caller_and_payload(actor, EquipmentFromContractSchema, payload or {})
        with self.db.session() as s:
            k = self._contract(s, actor, contract_id, lock=True)
            if k.status not in logic.BOUGHT_STATUSES[k.kind]:
                allowed = " or ".join(logic.BOUGHT_STATUSES[k.kind])
                raise Conflict(f"Only a {allowed} {k.kind} feeds the equipment base; this one is {k.status}.")
            lines = contract_lines(s, k.id)
            if data["line_ids"] is not None:
                by_id = {x.id: x for x in lines}
                wanted = list(dict.fromkeys(data["line_ids"]))
                errors = {i: ["not a line of this document"] for i in wanted if i not in by_id}
                errors.update({i: ["an optional product the customer did not take"] for i in wanted
                               if i in by_id and by_id[i].optional and not by_id[i].selected})
                errors.update({i: ["quantity 0"] for i in wanted if i in by_id and by_id[i].quantity <= 0})
                if errors:
                    raise InvalidInput("Some lines cannot be recorded.", {"fields": {"line_ids": errors}})
                chosen = [by_id[i] for i in wanted]
            else:
                chosen = taken_lines(lines)
            created = self._record_lines(s, k, chosen, actor["user_id"], data["installed_on"], data["warranty_until"])
            return {"customer_id": k.customer_id, "contract_id": k.id, "created": [equipment_view(e) for e in created],
                    "already_recorded": len(chosen) - len(created)}

    def _record_lines(self, s, k: Contract, chosen: list, created_by: str, installed_on=None, warranty_until=None,
                      serial_numbers: dict | None = None) -> list[Equipment]:
        """Record lines of ``k`` in its customer's equipment base, one item per line at most (``serial_numbers``:
        {line position: serial number} of the new items); the items created."""
        done = set(s.execute(select(Equipment.source_line_id).where(
            Equipment.source_line_id.in_([x.id for x in chosen]))).scalars()) if chosen else set()
        # a quote and the order and invoice converted from it are one purchase: a line already recorded
        # from another of them (same product, description and quantity) is not recorded twice
        root = k.source_id if k.kind in ("order", "invoice") and k.source_id else k.id
        family = set(s.execute(select(Contract.id).where(
            Contract.license_id == k.license_id, Contract.kind.in_(("order", "invoice")),
            Contract.source_id == root)).scalars()) | {root}
        family.discard(k.id)
        elsewhere = collections.Counter(s.execute(
            select(Equipment.product_code, Equipment.description, Equipment.quantity)
            .where(Equipment.source_contract_id.in_(family))).all())
        created = []
        for x in chosen:
            if x.id in done:
                continue
            key = (x.product_code, x.description, x.quantity)
            if elsewhere[key] > 0:
                elsewhere[key] -= 1
                continue
            e = Equipment(license_id=k.license_id, customer_id=k.customer_id, product_code=x.product_code,
                          description=x.description, quantity=x.quantity, installed_on=installed_on,
                          warranty_until=warranty_until, created_by=created_by,
                          serial_number=(serial_numbers or {}).get(x.position),
                          source_contract_id=k.id, source_number=k.number, source_line_id=x.id)
            s.add(e)
            created.append(e)
        s.flush()
        if created:
            self._history(s, k, created_by, "equipment_recorded", count=len(created),
                          equipment_ids=[e.id for e in created])
        return created



def relink_equipment(s, k: Contract, new_lines: list) -> None:
    """After a document's lines were replaced (re-imported from the ERP with a change), the items recorded from
    its former lines follow the new line with the same product, description and quantity, so that they are
    not recorded twice; an item whose line is gone stays in the base (retire it by hand)."""
    free = collections.defaultdict(list)
    for x in new_lines:
        free[(x.product_code, x.description, x.quantity)].append(x)
    for e in s.execute(select(Equipment).where(Equipment.source_contract_id == k.id)
                       .order_by(Equipment.created_at, Equipment.id)).scalars():
        same = free[(e.product_code, e.description, e.quantity)]
        if same:
            e.source_line_id = same.pop(0).id
    s.flush()
