"""The one-way import from the ERP (Sage style: "the customer portfolio and the sales history are
synchronised"): customers keyed by their ERP code with their contacts, and the orders and invoices of the
sales history keyed by their kind and ERP number, with their lines. Nothing is written back to the ERP.

Each row is written on its own (a savepoint of the call's transaction): a refused row is reported with
its number and the reason per field, and does not stop the others. Rows are upserts, so importing the
same rows again changes nothing ("unchanged"). Imported orders and invoices keep the ERP's number (their
``source`` is "erp"), show in the customer file like any document, and the lines of a confirmed or
delivered order, an issued or paid invoice feed the customer's equipment base (one item per line).
"""
from __future__ import annotations

from datetime import datetime, time, timezone
from decimal import Decimal

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from paraph_platform import phones
from paraph_platform.actor import STAFF_ROLES, load_actor, require_role
from paraph_platform.db import utcnow
from paraph_platform.service import endpoint

from . import logic
from .contracts import ContractsEndpoints, contract_lines
from .customers import CustomersEndpoints, contact_view, customer_view
from .equipment import EquipmentEndpoints, relink_equipment, taken_lines
from .exceptions import Conflict, InvalidInput, NotFound
from .models import Contact, Contract, Customer
from .schemas.customers import CustomerInSchema
from .schemas.erp_import import ErpCustomerSchema, ErpDocumentSchema, ErpImportSchema

ERP = "erp"  # Contract.source of the imported documents
LINE_FIELDS = ("product_code", "description", "quantity", "unit", "unit_price", "discount_pct", "tax_rate")


class RowRefused(Exception):
    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


def row_errors(exc: Exception) -> dict:
    """{field: [messages]} of why a row was refused (``_row`` for the row as a whole)."""
    if isinstance(exc, RowRefused):
        return exc.errors
    if isinstance(exc, IntegrityError):  # the same code or number stored meanwhile by another import (its savepoint)
        return {"_row": ["Imported at the same time by another call: send it again."]}
    if isinstance(exc, ValidationError):
        return exc.messages if isinstance(exc.messages, dict) else {"_row": exc.messages}
    fields = (getattr(exc, "details", None) or {}).get("fields")
    return fields if isinstance(fields, dict) and fields else {"_row": [str(getattr(exc, "message", exc))]}


def _line_key(line) -> tuple:
    """What a line says, comparable between a row and a stored line (same precision as the columns)."""
    get = line.get if isinstance(line, dict) else lambda key, default=None: getattr(line, key, default)

    def dec(key, places):
        return Decimal(str(get(key) or 0)).quantize(Decimal(places))
    return (get("product_code") or None, get("description"), dec("quantity", "0.001"), get("unit") or None,
            dec("unit_price", "0.01"), dec("discount_pct", "0.01"), dec("tax_rate", "0.01"))


def document_date(day) -> datetime:
    """An imported document is dated by the ERP (its creation date in lists and in the customer file)."""
    return datetime.combine(day, time(0, 0), tzinfo=timezone.utc)


class ErpImportEndpoints(CustomersEndpoints, ContractsEndpoints, EquipmentEndpoints):
    """The ERP's customers and sales history, imported one way."""

    @staticmethod
    def _import_rows(payload, import_row, key: str) -> dict:
        """{created, updated, unchanged, errors: [{row (from 1), <key>: the row's, errors}]} of the rows."""
        rows = ErpImportSchema().load(payload or {})["rows"]
        summary = {"created": 0, "updated": 0, "unchanged": 0, "errors": []}
        for n, row in enumerate(rows, start=1):
            try:
                summary[import_row(row)] += 1
            except (RowRefused, ValidationError, InvalidInput, NotFound, Conflict, IntegrityError) as exc:
                summary["errors"].append({"row": n, key: row.get(key) if isinstance(row, dict) else None,
                                          "errors": row_errors(exc)})
        return summary

    # -- customers ------------------------------------------------------------------------------

    @endpoint(write=True)
    def import_customers(self, actor, payload):
        """Upsert customers by their ERP code (rows as ErpCustomerSchema): a new code creates the customer with
        the caller's perimeters, a known one gets the fields given; contacts are matched by email, else by
        first and last name, and created or updated (never deleted)."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        return self._import_rows(payload, lambda row: self._import_customer(actor, row), "code")

    def _import_customer(self, actor, row: dict) -> str:
        code = row.get("code") if isinstance(row, dict) else None
        with phones.read_in(self._phone_country(actor["license_id"], row, actor, code=code)):
            data = ErpCustomerSchema().load(row)
        with self.db.session() as s:
            known = s.execute(select(Customer.id).where(Customer.license_id == actor["license_id"],
                                                        Customer.code == data["code"])).scalar_one_or_none()
        if known is None:
            if not data.get("name"):
                raise RowRefused({"name": ["Missing data for required field (a new customer)."]})
            with phones.read_in(self._phone_country(actor["license_id"], row)):
                new = CustomerInSchema().load(row)
            self._new_customer(actor, new, purpose=f"customer:{data['code']}")
            return "created"
        contacts = data.pop("contacts")
        data.pop("code")
        with self.db.session() as s:
            c = self._customer(s, actor, known)  # a customer outside the caller's perimeters is not theirs to change
            if "address" in data:  # the lines given replace those lines only
                data["address"] = logic.merge_patch(c.address or {}, data["address"])
            changes = logic.field_changes(customer_view(c), data)
            for key, value in data.items():
                setattr(c, key, value)
            contact_changes = self._import_contacts(s, c, contacts, actor["user_id"])
            if not (changes or contact_changes):
                return "unchanged"
            c.updated_at = utcnow()
            self._customer_history(s, c, actor, "erp_imported", changes=changes or None,
                                   contacts=contact_changes or None)
            if changes:  # its contacts' changes are their own events
                self._customer_updated(s, c, logic.changed_fields(changes), actor["user_id"])
            return "updated"

    def _import_contacts(self, s, c: Customer, contacts: list, actor_id: str) -> list[dict]:
        """Create or update the customer's contacts from the ERP's: [{contact_name, added | changes}], each
        published (contact.created.v1 / contact.updated.v1) as when a user does it."""
        existing = s.execute(select(Contact).where(Contact.customer_id == c.id)).scalars().all()
        out = []
        for data in contacts:
            email = (data.get("email") or "").lower()
            name = ((data.get("first_name") or "").lower(), data["last_name"].lower())
            x = next((x for x in existing if email and (x.email or "").lower() == email), None) or next(
                (x for x in existing if ((x.first_name or "").lower(), x.last_name.lower()) == name), None)
            if x is None:
                x = Contact(license_id=c.license_id, customer_id=c.id, **data)
                s.add(x)
                s.flush()
                existing.append(x)
                out.append({"contact_id": x.id, "contact_name": contact_view(x)["name"], "added": True})
                self._contact_event(s, x, "contact.created.v1", created_by=actor_id)
                continue
            changes = logic.field_changes(contact_view(x), data)
            if changes:
                for key, value in data.items():
                    setattr(x, key, value)
                x.updated_at = utcnow()
                out.append({"contact_id": x.id, "contact_name": contact_view(x)["name"], "changes": changes})
                self._contact_event(s, x, "contact.updated.v1", changed=sorted(logic.changed_fields(changes)),
                                    updated_by=actor_id)
        return out

    # -- sales history ----------------------------------------------------------------------------

    @endpoint(write=True)
    def import_sales(self, actor, payload):
        """Upsert orders and invoices by (kind, ERP number) (rows as ErpDocumentSchema), each for the customer
        of its ERP code; the lines of a taken one (confirmed or delivered order, issued or paid invoice) are
        recorded in the customer's equipment base, once."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        owner = self._owner(actor, None)
        return self._import_rows(payload, lambda row: self._import_document(actor, owner, row),
                                 "number")

    def _import_document(self, actor, owner, row: dict) -> str:
        data = ErpDocumentSchema().load(row)
        kind = data["kind"]
        # a document of the ERP's history was confirmed or issued unless its row says otherwise
        status = data["status"] or logic.BOUGHT_STATUSES[kind][0]
        serial_numbers = {i: x.pop("serial_number") for i, x in enumerate(data["lines"], start=1)}
        lines = [dict(zip(LINE_FIELDS, _line_key(x))) for x in data["lines"]]
        with self.db.session() as s:
            customer = s.execute(select(Customer).where(
                self._customer_filter(actor), Customer.code == data["customer_code"])
            ).scalar_one_or_none()
            if customer is None:
                raise RowRefused({"customer_code": [
                    f"No customer {data['customer_code']} (import the customers first)."]})
            k = s.execute(select(Contract).where(Contract.license_id == actor["license_id"], Contract.kind == kind,
                                                 Contract.number == data["number"])).scalar_one_or_none()
            if k is not None and k.source != ERP:
                raise RowRefused({"number": [f"{data['number']} is the number of a {kind} made in Paraph."]})
            if k is not None:
                self._customer(s, actor, k.customer_id)  # 404 outside the caller's perimeters
            settings = self._settings(s, actor["license_id"])
            wanted = {"customer_id": customer.id, "title": data["title"] or data["number"], "status": status,
                      "currency": data["currency"] or customer.currency or (settings.currency if settings else "EUR"),
                      "created_at": document_date(data["date"])}
            if k is None:
                k = Contract(license_id=actor["license_id"], kind=kind, number=data["number"], source=ERP,
                             owner_id=owner[0], owner_name=owner[1], owner_email=owner[2], created_by=actor["user_id"],
                             locale=customer.locale or (settings.locale if settings else "fr"), **wanted)
                s.add(k)
                s.flush()
                self._set_lines(s, k, lines)
                self._history(s, k, actor["user_id"], "imported", number=k.number)
                self._created_event(s, k)
                outcome = "created"
            elif self._update_imported(s, k, wanted, lines, actor["user_id"]):
                outcome = "updated"
            else:
                return "unchanged"
            s.flush()
            if k.status in logic.BOUGHT_STATUSES[kind]:
                self._record_lines(s, k, taken_lines(contract_lines(s, k.id)), actor["user_id"],
                                   serial_numbers=serial_numbers)
            return outcome

    def _update_imported(self, s, k: Contract, wanted: dict, lines: list, actor_id: str) -> bool:
        """Bring an imported document in line with the ERP's: whether anything changed."""
        before = {key: getattr(k, key) for key in wanted}
        changed = sorted(key for key in wanted if before[key] != wanted[key])
        lines_changed = [_line_key(x) for x in contract_lines(s, k.id)] != [_line_key(x) for x in lines]
        if not changed and not lines_changed:
            return False
        for key in changed:
            setattr(k, key, wanted[key])
        if lines_changed:
            self._set_lines(s, k, lines)
            s.flush()
            relink_equipment(s, k, contract_lines(s, k.id))
        self._touch(k)
        self._history(s, k, actor_id, "imported", fields=changed + ["lines"] * lines_changed)
        details = [key for key in changed if key != "status"] + ["lines"] * lines_changed
        if details:  # a status change is its own event (below)
            self._contract_updated_event(s, k, details, actor_id)
        if "status" in changed:
            self._status_event(s, k, before["status"], actor_id, reason_code="erp_import")
        return True
