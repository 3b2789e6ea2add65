"""contracts nameko entrypoints: customers, contacts, contract types, contracts and quotes,
attachments, milestones, tasks, custom columns and flags, PDFs, automatic abandon.

Visibility follows the perimeter policy: every list and every object access is filtered in SQL by
the condition the perimeter service compiles from its Rego policy for the caller (over the
``customer_scopes`` / ``contract_type_scopes`` replicas); an object outside the caller's
perimeter is a 404.
"""
from __future__ import annotations

import base64
import hashlib
import logging
import collections
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from nameko.timer import timer
from sqlalchemy import and_, delete, false, func, or_, select, text, true, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased

from paraph_platform.actor import (
    FRONT_USER_MANAGER, LICENSE_ADMIN, STAFF_ROLES, SYSTEM, load_actor, require_role, system_actor,
)
from paraph_platform import offhub, pdf_sandbox
from paraph_platform.config import env_float, env_int
from paraph_platform.db import Database
from paraph_platform.envelope import iso
from paraph_platform.events import subscribe
from paraph_platform.inbox import first_time
from paraph_platform.outbox import Outbox as OutboxProvider
from paraph_platform.rpc import Rpc
from paraph_platform.readiness import PlatformService
from paraph_platform.idempotency import stable_id
from paraph_platform.service import RequestContext, endpoint

from . import deals, logic, pdf, schemas
from .exceptions import Conflict, InvalidInput, NotFound, PayloadTooLarge, Unavailable
from .models import (
    Asset, Attachment, Contact, Contract, ContractType, ContractTypeScope, Counter, CustomColumn, Customer,
    ContractFlag, CustomerScope, Document, Equipment, Flag, SignatureTracking, History, IdempotencyKey, Inbox, LicenseSettings, Line, Milestone, Outbox,
    ScopeVersion, Task,
)

from .models import CustomerHistory

log = logging.getLogger(__name__)

MANAGERS = (LICENSE_ADMIN, FRONT_USER_MANAGER)
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_ASSET_BYTES = 1024 * 1024


def _now():
    return datetime.now(timezone.utc)


def _dec(value):
    return None if value is None else str(value)


# -- views --------------------------------------------------------------------------------------

def customer_view(c: Customer, perimeter_ids=None, contacts=None) -> dict:
    view = {"id": c.id, "kind": c.kind, "code": c.code, "name": c.name, "email": c.email, "phone": c.phone,
            "address": dict(c.address or {}), "vat_number": c.vat_number, "locale": c.locale,
            "currency": c.currency, "notes": c.notes, "created_by": c.created_by,
            "created_at": iso(c.created_at), "updated_at": iso(c.updated_at)}
    if perimeter_ids is not None:
        view["perimeter_ids"] = perimeter_ids
    if contacts is not None:
        view["contacts"] = [contact_view(x) for x in contacts]
    return view


def contact_view(x: Contact) -> dict:
    return {"id": x.id, "customer_id": x.customer_id, "first_name": x.first_name, "last_name": x.last_name,
            "name": f"{x.first_name} {x.last_name}".strip(), "title": x.title, "department": x.department,
            "type": x.type, "email": x.email, "phone": x.phone, "mobile": x.mobile, "fax": x.fax,
            "branch": x.branch, "created_at": iso(x.created_at)}


def type_view(t: ContractType, perimeter_ids=None, full=True) -> dict:
    view = {"id": t.id, "name": t.name, "kind": t.kind, "description": t.description,
            "merge_fields": list(t.merge_fields or []), "locale": t.locale,
            "attachments_portal_visible": t.attachments_portal_visible,
            "abandon_delay_days": t.abandon_delay_days, "archived": t.archived,
            "created_at": iso(t.created_at), "updated_at": iso(t.updated_at)}
    if full:
        view["template_html"] = t.template_html
    if perimeter_ids is not None:
        view["perimeter_ids"] = perimeter_ids
    return view


def asset_view(a: Asset) -> dict:
    return {"id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size, "sha256": a.sha256,
            "url": pdf_sandbox.asset_url(a.id), "created_by": a.created_by, "created_at": iso(a.created_at)}


def _decoded_upload(data: dict, limit: int, allowed: dict = logic.ALLOWED_TYPES) -> tuple[str, str, bytes]:
    """(clean filename, verified content type, bytes) of an uploaded file, or a 413/415/422."""
    if len(data["content_base64"]) > (limit * 4) // 3 + 8:
        raise PayloadTooLarge(f"The file exceeds {limit} bytes.", {"limit": limit})
    try:
        content = base64.b64decode(data["content_base64"], validate=True)
    except ValueError:
        raise InvalidInput("content_base64 is not valid base64.") from None
    filename = logic.clean_filename(data["filename"])
    return filename, logic.check_upload(filename, data["content_type"], content, limit, allowed), content


def line_view(x: Line) -> dict:
    return {"id": x.id, "position": x.position, "product_code": x.product_code, "description": x.description,
            "quantity": _dec(x.quantity), "unit": x.unit, "unit_price": _dec(x.unit_price),
            "discount_pct": _dec(x.discount_pct), "tax_rate": _dec(x.tax_rate), "optional": x.optional,
            "selected": x.selected,
            "amount": _dec(logic.line_net(x.quantity, x.unit_price, x.discount_pct))}


def attachment_view(a: Attachment) -> dict:
    return {"id": a.id, "contract_id": a.contract_id, "folder": a.folder, "filename": a.filename,
            "content_type": a.content_type, "size": a.size, "sha256": a.sha256,
            "portal_visible": a.portal_visible, "created_by": a.created_by, "created_at": iso(a.created_at)}


def milestone_view(m: Milestone) -> dict:
    return {"id": m.id, "contract_id": m.contract_id, "title": m.title, "description": m.description,
            "due_date": m.due_date.isoformat() if m.due_date else None, "done": m.done_at is not None,
            "done_at": iso(m.done_at), "portal_visible": m.portal_visible, "position": m.position}


def task_view(t: Task) -> dict:
    return {"id": t.id, "contract_id": t.contract_id, "title": t.title,
            "due_date": t.due_date.isoformat() if t.due_date else None, "assignee_id": t.assignee_id,
            "done": t.done, "created_by": t.created_by, "created_at": iso(t.created_at)}


def equipment_view(e: Equipment, today=None) -> dict:
    today = today or _now().date()
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


def contract_summary(c: Contract, customer_name: str | None = None, flags=None) -> dict:
    return {"id": c.id, "kind": c.kind, "number": c.number, "title": c.title, "status": c.status,
            "customer_id": c.customer_id, "customer_name": customer_name, "contact_id": c.contact_id,
            "contract_type_id": c.contract_type_id, "owner_id": c.owner_id, "owner_name": c.owner_name,
            "currency": c.currency, "subtotal": _dec(c.subtotal), "tax_total": _dec(c.tax_total),
            "total": _dec(c.total), "flags": sorted(flags or []), "custom": dict(c.custom or {}),
            "portal_shared": c.portal_shared, "view_count": c.view_count, "download_count": c.download_count,
            "last_viewed_at": iso(c.last_viewed_at), "created_at": iso(c.created_at), "updated_at": iso(c.updated_at), "sent_at": iso(c.sent_at),
            "signed_at": iso(c.signed_at), "version": c.version, "deal_id": c.deal_id}


class ContractsService(PlatformService):
    name = "contracts"

    db = Database(idempotency_model=IdempotencyKey)
    outbox = OutboxProvider(Outbox)
    ctx = RequestContext()
    perimeter = Rpc("perimeter")
    identity = Rpc("identity")

    # -- visibility (perimeter policy compiled to SQL) ----------------------------------------

    def _where(self, actor: dict):
        """The caller's visibility condition from the perimeter policy: '' all, None nothing, else SQL."""
        if actor["role"] == SYSTEM:
            return ""
        if actor["role"] not in STAFF_ROLES:
            return None
        return self.perimeter.compile_filter(actor, self.db.dialect)["where"]

    @staticmethod
    def _scoped(column, scope_model, key_column, where):
        if where == "":
            return true()
        if where is None:
            return false()
        scope = aliased(scope_model, name="scope")
        return column.in_(select(getattr(scope, key_column)).where(text(where)))

    def _customer_filter(self, actor, where=None):
        where = self._where(actor) if where is None else where
        return and_(Customer.license_id == actor["license_id"],
                    self._scoped(Customer.id, CustomerScope, "customer_id", where))

    def _type_filter(self, actor, where=None):
        where = self._where(actor) if where is None else where
        return and_(ContractType.license_id == actor["license_id"],
                    self._scoped(ContractType.id, ContractTypeScope, "contract_type_id", where))

    def _customer(self, s, actor, customer_id, where=None) -> Customer:
        c = s.execute(select(Customer).where(Customer.id == customer_id,
                                             self._customer_filter(actor, where))).scalar_one_or_none()
        if c is None:
            raise NotFound("Customer not found.")
        return c

    def _contract(self, s, actor, contract_id, lock=False) -> Contract:
        """A contract is visible iff its customer is."""
        q = (select(Contract).join(Customer, Customer.id == Contract.customer_id)
             .where(Contract.id == contract_id, Contract.license_id == actor["license_id"],
                    self._customer_filter(actor)))
        if lock and self.db.dialect == "postgresql":
            q = q.with_for_update(of=Contract)
        c = s.execute(q).scalar_one_or_none()
        if c is None:
            raise NotFound("Contract not found.")
        return c

    def _contract_type(self, s, actor, type_id, where=None) -> ContractType:
        t = s.execute(select(ContractType).where(ContractType.id == type_id,
                                                 self._type_filter(actor, where))).scalar_one_or_none()
        if t is None:
            raise NotFound("Contract type not found.")
        return t

    def _scope_ids(self, s, model, key, ids) -> dict:
        out = {i: [] for i in ids}
        if ids:
            col = getattr(model, key)
            for sid, pid in s.execute(select(col, model.perimeter_id).where(col.in_(ids))):
                if pid:
                    out[sid].append(pid)
        return {k: sorted(v) for k, v in out.items()}

    def _write_scope(self, s, model, key, subject_id, perimeter_ids, version, subject_type):
        """Replace a subject's scope rows unless a newer version was already applied. The version row
        is created with the subject, so concurrent writers (RPC and event) serialise on its lock."""
        q = select(ScopeVersion).where(ScopeVersion.subject_type == subject_type,
                                       ScopeVersion.subject_id == subject_id)
        if self.db.dialect == "postgresql":
            q = q.with_for_update()
        sv = s.execute(q).scalar_one_or_none()
        if sv is None:
            s.add(ScopeVersion(subject_type=subject_type, subject_id=subject_id, version=version))
        elif sv.version >= version:
            return False
        else:
            sv.version = version
        col = getattr(model, key)
        s.execute(delete(model).where(col == subject_id))
        for pid in (perimeter_ids or [""]):
            s.add(model(**{key: subject_id, "perimeter_id": pid}))
        return True

    def _set_perimeters(self, actor, subject_type, subject_id, payload):
        """The perimeter service decides and records (policy: who may assign); the scope replica
        follows at once, so the caller's next list already reflects it."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schemas.PerimetersSchema().load(payload)
        lookup, model, key = {"customer": (self._customer, CustomerScope, "customer_id"),
                              "contract_type": (self._contract_type, ContractTypeScope, "contract_type_id")}[subject_type]
        with self.db.session() as s:
            lookup(s, actor, subject_id)  # 404 unless the caller sees it
        result = self.perimeter.set_assignments(actor, subject_type, subject_id, data)
        with self.db.session() as s:
            self._write_scope(s, model, key, subject_id, result["perimeter_ids"], result["version"], subject_type)
        return result

    # -- helpers ------------------------------------------------------------------------------------

    def _customer_history(self, s, customer: Customer, actor: dict, action: str, kind: str = "staff", **details):
        """One line of the customer file's History tab (staff edits and the clients' self-service)."""
        s.add(CustomerHistory(license_id=customer.license_id, customer_id=customer.id, actor_id=actor["user_id"],
                              actor_name=actor.get("name") or actor.get("email") or "", actor_kind=kind,
                              action=action, details={k: v for k, v in details.items() if v is not None}))

    def _history(self, s, c: Contract, actor_id: str, action: str, **details):
        s.add(History(license_id=c.license_id, contract_id=c.id, actor_id=actor_id, action=action,
                      details={k: v for k, v in details.items() if v is not None}))

    def _settings(self, s, license_id) -> LicenseSettings | None:
        row = s.get(LicenseSettings, license_id)
        if row is not None:
            return row
        try:
            remote = self.identity.license_settings(license_id)
        except (Unavailable, NotFound, Exception) as exc:  # noqa: BLE001 - fall back to defaults
            log.warning("license settings of %s unavailable: %s", license_id, exc)
            return None
        return self._apply_settings(s, license_id, remote.get("settings") or {}, remote.get("version", 0))

    def _apply_settings(self, s, license_id, settings: dict, version: int):
        row = s.get(LicenseSettings, license_id)
        if row is None:
            row = LicenseSettings(license_id=license_id, version=-1)
            s.add(row)
        if version >= row.version:
            row.abandon_delay_days = int(settings.get("abandon_delay_days") or logic.DEFAULT_ABANDON_DAYS)
            row.locale = settings.get("default_locale") or "fr"
            row.currency = settings.get("currency") or "EUR"
            row.portal_attachments_visible_by_default = bool(settings.get("portal_attachments_visible_by_default"))
            row.version = version
        s.flush()
        return row

    def _next_number(self, s, license_id: str, kind: str) -> str:
        year = _now().year
        # the year's first number: concurrent creations each insert the counter, the first one wins
        # (a plain insert made the others fail with a duplicate key, a 500)
        insert = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}[self.db.dialect]
        s.execute(insert(Counter).values(license_id=license_id, kind=kind, year=year, value=0)
                  .on_conflict_do_nothing())
        q = select(Counter).where(Counter.license_id == license_id, Counter.kind == kind, Counter.year == year)
        if self.db.dialect == "postgresql":
            q = q.with_for_update()
        counter = s.execute(q).scalar_one()
        counter.value += 1
        s.flush()
        return logic.format_number(kind, year, counter.value)

    def _columns(self, s, license_id) -> dict:
        return {c.key: {"type": c.type, "choices": list(c.choices or []), "label": c.label}
                for c in s.execute(select(CustomColumn).where(CustomColumn.license_id == license_id)).scalars()}

    def _check_flags(self, s, license_id, flags):
        known = {k for (k,) in s.execute(select(Flag.key).where(Flag.license_id == license_id))}
        unknown = [f for f in flags if f not in known]
        if unknown:
            raise InvalidInput("Unknown flags.", {"fields": {"flags": [f"unknown: {', '.join(unknown)}"]}})
        return sorted(set(flags))

    def _set_flags(self, s, c: Contract, flags):
        s.execute(delete(ContractFlag).where(ContractFlag.contract_id == c.id))
        s.add_all([ContractFlag(contract_id=c.id, key=k) for k in flags])

    def _flags(self, s, ids) -> dict:
        out = {i: [] for i in ids}
        if ids:
            for cid, key in s.execute(select(ContractFlag.contract_id, ContractFlag.key)
                                      .where(ContractFlag.contract_id.in_(ids))):
                out[cid].append(key)
        return out

    def _owner(self, actor, owner_id):
        """Owner (assigned salesperson) snapshot: must be an active staff member of the license."""
        if not owner_id or owner_id == actor["user_id"]:
            return actor["user_id"], actor.get("name") or actor.get("email") or "", actor.get("email") or ""
        users = self.identity.resolve_users(actor["license_id"], [owner_id])
        user = users.get(owner_id)
        if not user or user["status"] != "active" or user["role"] == "client":
            raise InvalidInput("The owner must be an active user of this license.",
                               {"fields": {"owner_id": ["not an active user of this license"]}})
        return owner_id, user["name"] or user["email"], user["email"]

    def _set_lines(self, s, c: Contract, lines: list):
        s.execute(delete(Line).where(Line.contract_id == c.id))
        for position, line in enumerate(lines, start=1):
            s.add(Line(contract_id=c.id, position=position, **line))
        totals = logic.compute_totals(lines)
        c.subtotal, c.tax_total, c.total = totals.subtotal, totals.tax_total, totals.total

    def _lines(self, s, contract_id) -> list[Line]:
        return s.execute(select(Line).where(Line.contract_id == contract_id).order_by(Line.position)).scalars().all()

    def _detail(self, s, c: Contract) -> dict:
        customer = s.get(Customer, c.customer_id)
        view = contract_summary(c, customer.name if customer else None, self._flags(s, [c.id])[c.id])
        lines = self._lines(s, c.id)
        totals = logic.compute_totals(lines)
        view.update({
            "locale": c.locale, "data": dict(c.data or {}), "notes": c.notes, "deal_ref": c.deal_ref,
            "valid_until": c.valid_until.isoformat() if c.valid_until else None, "source_id": c.source_id,
            "owner_email": c.owner_email, "closed_at": iso(c.closed_at), "signers": list(c.signers or []),
            "signature_request_id": c.signature_request_id, "last_viewed_at": iso(c.last_viewed_at),
            "lines": [line_view(x) for x in lines],
            "taxes": totals.taxes, "optional_total": _dec(totals.optional_total),
            "contact": contact_view(s.get(Contact, c.contact_id)) if c.contact_id else None,
            "attachments": [attachment_view(a) for a in s.execute(
                select(Attachment).where(Attachment.contract_id == c.id).order_by(Attachment.created_at)).scalars()],
            "milestones": [milestone_view(m) for m in s.execute(
                select(Milestone).where(Milestone.contract_id == c.id)
                .order_by(Milestone.position, Milestone.due_date)).scalars()],
            "tasks": [task_view(t) for t in s.execute(
                select(Task).where(Task.contract_id == c.id).order_by(Task.created_at)).scalars()],
        })
        view["portal"] = {
            "shared": c.portal_shared,
            "visible_attachments": sum(1 for a in view["attachments"] if a["portal_visible"]),
            "visible_milestones": sum(1 for m in view["milestones"] if m["portal_visible"]),
        }
        return view

    def _touch(self, c: Contract):
        c.updated_at = _now()
        c.version += 1

    def _status_event(self, s, c: Contract, before: str, actor_id: str, reason=None):
        self._history(s, c, actor_id, "status_changed", from_status=before, to_status=c.status, reason=reason)
        self.outbox.add(s, "contract.status_changed.v1", {
            "contract_id": c.id, "kind": c.kind, "number": c.number, "customer_id": c.customer_id,
            "owner_id": c.owner_id, "from_status": before, "to_status": c.status, "reason": reason},
            subject=c.id, license_id=c.license_id)

    # -- customers -------------------------------------------------------------------------------

    @endpoint(write=True)
    def create_customer(self, actor, payload):
        """A customer created by a user inherits all the user's perimeters."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schemas.CustomerInSchema().load(payload)
        contacts = data.pop("contacts")
        with self.db.session() as s:
            if data["code"] and s.execute(select(Customer.id).where(Customer.license_id == actor["license_id"],
                                                                    Customer.code == data["code"])).first():
                raise Conflict(f"Customer code {data['code']} is already used.",
                               {"fields": {"code": ["already used"]}})
        # sent to perimeter before our commit: a redelivery must send the same id (see paraph_platform.idempotency)
        customer_id = stable_id(self.ctx, "customer")
        inherited = self.perimeter.inherit(actor, "customer", customer_id)
        with self.db.session() as s:
            code = data.pop("code") or self._next_number(s, actor["license_id"], "customer")
            c = Customer(id=customer_id, license_id=actor["license_id"], created_by=actor["user_id"], code=code, **data)
            s.add(c)
            s.flush()
            self._write_scope(s, CustomerScope, "customer_id", c.id, inherited["perimeter_ids"],
                              inherited["version"], "customer")
            rows = [Contact(license_id=c.license_id, customer_id=c.id, **x) for x in contacts]
            s.add_all(rows)
            s.flush()
            self.outbox.add(s, "customer.created.v1", {
                "customer_id": c.id, "name": c.name, "kind": c.kind, "code": c.code, "created_by": c.created_by,
                "perimeter_ids": inherited["perimeter_ids"]}, subject=c.id, license_id=c.license_id)
            return customer_view(c, inherited["perimeter_ids"], rows)

    @endpoint
    def list_customers(self, actor, params=None):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        p = schemas.CustomerListSchema().load(params or {})
        with self.db.session() as s:
            q = select(Customer).where(self._customer_filter(actor))
            if p["q"]:
                like = f"%{p['q'].lower()}%"
                q = q.where(or_(func.lower(Customer.name).like(like), func.lower(Customer.code).like(like)))
            if p["kind"]:
                q = q.where(Customer.kind == p["kind"])
            if p["perimeter_id"]:
                q = q.where(Customer.id.in_(select(CustomerScope.customer_id)
                                            .where(CustomerScope.perimeter_id == p["perimeter_id"])))
            total = s.execute(select(func.count()).select_from(q.subquery())).scalar_one()
            column = getattr(Customer, p["sort"].lstrip("-"))
            order = column.desc() if p["sort"].startswith("-") else column.asc()
            rows = s.execute(q.order_by(order, Customer.id).limit(p["limit"]).offset(p["offset"])).scalars().all()
            scopes = self._scope_ids(s, CustomerScope, "customer_id", [c.id for c in rows])
            return {"items": [customer_view(c, scopes[c.id]) for c in rows], "total": total,
                    "limit": p["limit"], "offset": p["offset"]}

    @endpoint
    def get_customer(self, actor, customer_id):
        actor = load_actor(actor)
        with self.db.session() as s:
            c = self._customer(s, actor, customer_id)
            contacts = s.execute(select(Contact).where(Contact.customer_id == c.id)
                                 .order_by(Contact.last_name, Contact.first_name)).scalars().all()
            return customer_view(c, self._scope_ids(s, CustomerScope, "customer_id", [c.id])[c.id], contacts)

    @endpoint(write=True)
    def update_customer(self, actor, customer_id, payload):
        """Any user who sees the customer may edit its file (customers created before perimeters
        existed have none: visible to all and editable)."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schemas.CustomerPatchSchema().load(payload)
        with self.db.session() as s:
            c = self._customer(s, actor, customer_id)
            if "code" in data and data["code"] != c.code and s.execute(select(Customer.id).where(
                    Customer.license_id == c.license_id, Customer.code == data["code"])).first():
                raise Conflict(f"Customer code {data['code']} is already used.")
            changes = logic.field_changes(customer_view(c), {k: v for k, v in data.items() if k != "notes"})
            for key, value in data.items():
                setattr(c, key, value)
            c.updated_at = _now()
            if changes or "notes" in data:
                self._customer_history(s, c, actor, "customer_updated", changes=changes,
                                       notes_changed=("notes" in data) or None)
            self.outbox.add(s, "customer.updated.v1", {"customer_id": c.id, "name": c.name, "kind": c.kind,
                                                       "code": c.code, "changed": sorted(data)},
                            subject=c.id, license_id=c.license_id)
            return customer_view(c, self._scope_ids(s, CustomerScope, "customer_id", [c.id])[c.id])

    @endpoint(write=True)
    def set_customer_perimeters(self, actor, customer_id, payload):
        """Front user managers and license admins change a customer's perimeters (policy decides)."""
        return self._set_perimeters(actor, "customer", customer_id, payload)

    @endpoint(write=True)
    def add_contact(self, actor, customer_id, payload):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schemas.ContactInSchema().load(payload)
        with self.db.session() as s:
            c = self._customer(s, actor, customer_id)
            x = Contact(license_id=c.license_id, customer_id=c.id, **data)
            s.add(x)
            s.flush()
            self._customer_history(s, c, actor, "contact_added", contact_id=x.id, contact_name=contact_view(x)["name"])
            return contact_view(x)

    def _contact(self, s, actor, contact_id) -> Contact:
        x = s.execute(select(Contact).join(Customer, Customer.id == Contact.customer_id).where(
            Contact.id == contact_id, self._customer_filter(actor))).scalar_one_or_none()
        if x is None:
            raise NotFound("Contact not found.")
        return x

    @endpoint
    def get_contact(self, actor, contact_id):
        actor = load_actor(actor)
        with self.db.session() as s:
            x = self._contact(s, actor, contact_id)
            c = s.get(Customer, x.customer_id)
            return {**contact_view(x), "customer_name": c.name}

    @endpoint(write=True)
    def update_contact(self, actor, contact_id, payload):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schemas.ContactPatchSchema().load(payload)
        with self.db.session() as s:
            x = self._contact(s, actor, contact_id)
            changes = logic.field_changes(contact_view(x), data)
            for key, value in data.items():
                setattr(x, key, value)
            x.updated_at = _now()
            if changes:
                self._customer_history(s, s.get(Customer, x.customer_id), actor, "contact_updated",
                                       contact_id=x.id, contact_name=contact_view(x)["name"], changes=changes)
            return contact_view(x)

    @endpoint(write=True)
    def delete_contact(self, actor, contact_id):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with self.db.session() as s:
            x = self._contact(s, actor, contact_id)
            s.delete(x)
        return {"deleted": True}

    # -- contract types -------------------------------------------------------------------------------

    def _assets(self, s, license_id, urls) -> dict[str, pdf_sandbox.Asset]:
        """The license's assets the URLs name (another license's asset id is simply absent)."""
        names = pdf_sandbox.asset_names(urls)
        if not names:
            return {}
        rows = s.execute(select(Asset).where(Asset.license_id == license_id, Asset.id.in_(names))).scalars()
        return {a.id: pdf_sandbox.Asset(a.content, a.content_type) for a in rows}

    def _check_template(self, s, license_id, source, merge_fields):
        """Refuse (422) a template that does not render on sample data or fetches anything but data: URLs
        and this license's assets."""
        urls = offhub.run(pdf.check_template, source, merge_fields)
        pdf.refuse_urls(pdf_sandbox.forbidden_urls(urls, self._assets(s, license_id, urls)))

    @endpoint(write=True)
    def create_contract_type(self, actor, payload):
        actor = require_role(load_actor(actor), *MANAGERS)
        data = schemas.ContractTypeInSchema().load(payload)
        with self.db.session() as s:
            if data["template_html"]:
                self._check_template(s, actor["license_id"], data["template_html"], data["merge_fields"])
            if s.execute(select(ContractType.id).where(ContractType.license_id == actor["license_id"],
                                                       ContractType.name == data["name"])).first():
                raise Conflict(f"A contract type named {data['name']!r} already exists.")
            t = ContractType(license_id=actor["license_id"], created_by=actor["user_id"], **data)
            s.add(t)
            s.flush()
            self._write_scope(s, ContractTypeScope, "contract_type_id", t.id, [], 0, "contract_type")
            self.outbox.add(s, "contract_type.created.v1", {
                "contract_type_id": t.id, "name": t.name, "created_by": t.created_by},
                subject=t.id, license_id=t.license_id)
            return type_view(t, [])

    @endpoint
    def list_contract_types(self, actor, include_archived=False):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with self.db.session() as s:
            q = select(ContractType).where(self._type_filter(actor))
            if not include_archived:
                q = q.where(ContractType.archived.is_(False))
            rows = s.execute(q.order_by(ContractType.name)).scalars().all()
            scopes = self._scope_ids(s, ContractTypeScope, "contract_type_id", [t.id for t in rows])
            return [type_view(t, scopes[t.id], full=False) for t in rows]

    @endpoint
    def get_contract_type(self, actor, type_id):
        actor = load_actor(actor)
        with self.db.session() as s:
            t = self._contract_type(s, actor, type_id)
            return type_view(t, self._scope_ids(s, ContractTypeScope, "contract_type_id", [t.id])[t.id])

    @endpoint(write=True)
    def update_contract_type(self, actor, type_id, payload):
        actor = require_role(load_actor(actor), *MANAGERS)
        data = schemas.ContractTypePatchSchema().load(payload)
        with self.db.session() as s:
            t = self._contract_type(s, actor, type_id)
            if "template_html" in data or "merge_fields" in data:
                source = data.get("template_html", t.template_html)
                if source:
                    self._check_template(s, t.license_id, source, data.get("merge_fields", t.merge_fields))
            if "name" in data and data["name"] != t.name and s.execute(select(ContractType.id).where(
                    ContractType.license_id == t.license_id, ContractType.name == data["name"])).first():
                raise Conflict(f"A contract type named {data['name']!r} already exists.")
            for key, value in data.items():
                setattr(t, key, value)
            t.updated_at = _now()
            return type_view(t, self._scope_ids(s, ContractTypeScope, "contract_type_id", [t.id])[t.id])

    @endpoint(write=True)
    def set_contract_type_perimeters(self, actor, type_id, payload):
        return self._set_perimeters(actor, "contract_type", type_id, payload)

    # -- deals (module deals.py) ---------------------------------------------------------------------

    def _deal(self, s, actor, deal_id, where=None, lock=False):
        """(deal, customer name) if the caller sees the deal's customer, else 404."""
        return deals.visible(s, actor["license_id"], deal_id, self._customer_filter(actor, where),
                             lock=lock and self.db.dialect == "postgresql")

    @endpoint(write=True)
    def create_deal(self, actor, payload):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schemas.DealInSchema().load(payload)
        owner = self._owner(actor, data["owner_id"])
        with self.db.session() as s:
            customer = self._customer(s, actor, data["customer_id"])
            settings = self._settings(s, actor["license_id"])
            d = deals.new(actor, customer, owner, data, settings.currency if settings else "EUR")
            s.add(d)
            s.flush()
            self.outbox.add(s, "deal.created.v1", deals.event(d), subject=d.id, license_id=d.license_id)
            return deals.view(d, customer.name, deals.documents(s, d.id))

    @endpoint
    def get_deal(self, actor, deal_id):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with self.db.session() as s:
            d, customer_name = self._deal(s, actor, deal_id)
            return deals.view(d, customer_name, deals.documents(s, d.id))

    @endpoint
    def list_deals(self, actor, params=None):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        p = schemas.DealListSchema().load(params or {})
        with self.db.session() as s:
            page, total = deals.list_query(actor["license_id"], self._customer_filter(actor), p)
            items = [deals.view(d, name) for d, name in s.execute(page).all()]
            return {"items": items, "total": s.execute(total).scalar_one(), "limit": p["limit"],
                    "offset": p["offset"]}

    @endpoint(write=True)
    def update_deal(self, actor, deal_id, payload):
        """Change a deal's stage, amount, owner...; a PATCH that changes nothing publishes nothing."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schemas.DealPatchSchema().load(payload)
        owner = self._owner(actor, data["owner_id"]) if "owner_id" in data else None
        with self.db.session() as s:
            d, customer_name = self._deal(s, actor, deal_id, lock=True)
            changed = deals.apply_patch(d, data, owner)
            if changed:
                s.flush()
                self.outbox.add(s, "deal.updated.v1", deals.event(d, changed), subject=d.id, license_id=d.license_id)
            return deals.view(d, customer_name, deals.documents(s, d.id))

    @endpoint(write=True)
    def delete_deal(self, actor, deal_id):
        """Delete a deal opened by mistake: only while no quote, contract, order or invoice is in it."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with self.db.session() as s:
            d, _name = self._deal(s, actor, deal_id, lock=True)
            deals.check_empty(s, d)
            self.outbox.add(s, "deal.deleted.v1", {"deal_id": d.id, "title": d.title, "customer_id": d.customer_id,
                                                   "deleted_by": actor["user_id"]},
                            subject=d.id, license_id=d.license_id)
            s.delete(d)
        return {"deleted": True}

    # -- contracts and quotes -------------------------------------------------------------------------

    @endpoint(write=True)
    def create_contract(self, actor, payload):
        """Create a contract or a quote for a customer (from the account, one of its contacts or a deal)."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schemas.ContractInSchema().load(payload)
        where = self._where(actor)
        owner_id, owner_name, owner_email = self._owner(actor, data["owner_id"])
        with self.db.session() as s:
            if data["contact_id"]:
                contact = self._contact(s, actor, data["contact_id"])
                if data["customer_id"] and data["customer_id"] != contact.customer_id:
                    raise InvalidInput("The contact belongs to another customer.",
                                       {"fields": {"contact_id": ["not a contact of this customer"]}})
                data["customer_id"] = contact.customer_id
            if data["deal_id"]:  # made from a deal: its customer, unless one was chosen (then it must match)
                deal, _name = self._deal(s, actor, data["deal_id"], where, lock=True)  # vs delete_deal: 404, not 500
                deals.check_same_customer(deal, data["customer_id"] or deal.customer_id)
                data["customer_id"] = deal.customer_id
            customer = self._customer(s, actor, data["customer_id"], where)
            ctype = None
            if data["contract_type_id"]:
                ctype = self._contract_type(s, actor, data["contract_type_id"], where)
                if ctype.archived:
                    raise Conflict("This contract type is archived.")
                if ctype.kind != data["kind"]:
                    raise InvalidInput(f"This contract type is for {ctype.kind}s.",
                                       {"fields": {"contract_type_id": [f"a {ctype.kind} type"]}})
            settings = self._settings(s, actor["license_id"])
            custom = logic.check_custom_values(self._columns(s, actor["license_id"]), data["custom"])
            flags = self._check_flags(s, actor["license_id"], data["flags"])
            c = Contract(
                license_id=actor["license_id"], kind=data["kind"], title=data["title"],
                number=self._next_number(s, actor["license_id"], data["kind"]),
                status=logic.INITIAL_STATUS[data["kind"]], customer_id=customer.id, contact_id=data["contact_id"],
                contract_type_id=ctype.id if ctype else None, owner_id=owner_id, owner_name=owner_name,
                owner_email=owner_email,
                currency=data["currency"] or customer.currency or (settings.currency if settings else "EUR"),
                locale=data["locale"] or (ctype.locale if ctype else None) or customer.locale
                or (settings.locale if settings else "fr"),
                data=data["data"], custom=custom, notes=data["notes"], deal_ref=data["deal_ref"],
                deal_id=data["deal_id"], valid_until=data["valid_until"], created_by=actor["user_id"])
            s.add(c)
            s.flush()
            self._set_lines(s, c, data["lines"])
            self._set_flags(s, c, flags)
            self._history(s, c, actor["user_id"], "created", number=c.number)
            self.outbox.add(s, "contract.created.v1", {
                "contract_id": c.id, "kind": c.kind, "number": c.number, "title": c.title,
                "customer_id": c.customer_id, "contract_type_id": c.contract_type_id, "owner_id": c.owner_id,
                "status": c.status}, subject=c.id, license_id=c.license_id)
            s.flush()
            return self._detail(s, c)

    @endpoint
    def list_contracts(self, actor, params=None):
        """Contracts of customers the caller may see (perimeter filter compiled to SQL)."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        p = schemas.ListSchema().load(params or {})
        where = self._where(actor)
        with self.db.session() as s:
            q = (select(Contract, Customer.name).join(Customer, Customer.id == Contract.customer_id)
                 .where(Contract.license_id == actor["license_id"], self._customer_filter(actor, where)))
            for key in ("kind", "status", "customer_id", "owner_id", "contract_type_id", "deal_id"):
                if p[key]:
                    q = q.where(getattr(Contract, key) == p[key])
            if p["q"]:
                like = f"%{p['q'].lower()}%"
                q = q.where(or_(func.lower(Contract.title).like(like), func.lower(Contract.number).like(like),
                                func.lower(Customer.name).like(like)))
            if p["flag"]:
                q = q.where(Contract.id.in_(select(ContractFlag.contract_id).where(ContractFlag.key == p["flag"])))
            if p["custom_column"] and p["custom_value"] is not None:  # values are stored as text (but booleans)
                q = q.where(Contract.custom[p["custom_column"]].as_string() == p["custom_value"])
            order = Contract.created_at.desc()
            if p["viewed_since"]:  # "recently viewed online": the latest views first
                q = q.where(Contract.last_viewed_at >= p["viewed_since"])
                order = Contract.last_viewed_at.desc()
            if p["sort"]:
                key = p["sort"].lstrip("-")
                column = Customer.name if key == "customer_name" else getattr(Contract, key)
                order = column.desc().nulls_last() if p["sort"].startswith("-") else column.asc().nulls_last()
            rows = s.execute(q.order_by(order, Contract.id.desc())
                             .limit(p["limit"]).offset(p["offset"])).all()
            flags = self._flags(s, [c.id for c, _ in rows])
            items = [contract_summary(c, name, flags[c.id]) for c, name in rows]
            result = {"items": items, "limit": p["limit"], "offset": p["offset"]}
            if p["with_total"]:
                result["total"] = s.execute(select(func.count()).select_from(
                    q.with_only_columns(Contract.id).subquery())).scalar_one()
            return result

    @endpoint
    def get_contract(self, actor, contract_id):
        actor = load_actor(actor)
        with self.db.session() as s:
            return self._detail(s, self._contract(s, actor, contract_id))

    @endpoint
    def compute_totals(self, actor, payload):
        """The totals lines would have, by the same rule as a saved quote's, without saving anything: the
        editor shows them while the salesperson types (one rule, never a second copy in the browser)."""
        require_role(load_actor(actor), *STAFF_ROLES)
        lines = schemas.TotalsInSchema().load(payload)["lines"]
        totals = logic.compute_totals(lines)
        return {"subtotal": _dec(totals.subtotal), "tax_total": _dec(totals.tax_total), "total": _dec(totals.total),
                "taxes": totals.taxes, "optional_total": _dec(totals.optional_total),
                "line_amounts": [_dec(logic.line_net(x["quantity"], x["unit_price"], x["discount_pct"]))
                                 for x in lines]}

    @endpoint(write=True)
    def update_contract(self, actor, contract_id, payload):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schemas.ContractPatchSchema().load(payload)
        owner = self._owner(actor, data["owner_id"]) if "owner_id" in data else None
        with self.db.session() as s:
            c = self._contract(s, actor, contract_id, lock=True)
            expected = data.pop("expected_version", None)
            if expected is not None and expected != c.version:
                raise Conflict("The contract was changed by someone else; reload it.",
                               {"version": c.version})
            content_keys = {"title", "data", "lines", "currency", "locale", "valid_until", "contact_id", "notes"}
            if content_keys & set(data) and c.status not in logic.EDITABLE:
                raise Conflict(f"A {c.status} {c.kind} cannot be edited; duplicate it instead.")
            if content_keys & set(data) and self._signature_pending(s, c.id):
                raise Conflict("A signature request is under way on this document; cancel it before editing.")
            changed = sorted(data)
            if "contact_id" in data and data["contact_id"]:
                contact = self._contact(s, actor, data["contact_id"])
                if contact.customer_id != c.customer_id:
                    raise InvalidInput("The contact belongs to another customer.")
            if data.get("deal_id"):
                deals.check_same_customer(self._deal(s, actor, data["deal_id"], lock=True)[0], c.customer_id)
            if "custom" in data:
                data["custom"] = {**(c.custom or {}), **logic.check_custom_values(
                    self._columns(s, c.license_id), data["custom"])}
            if "flags" in data:
                self._set_flags(s, c, self._check_flags(s, c.license_id, data.pop("flags")))
            lines = data.pop("lines", None)
            data.pop("owner_id", None)
            for key, value in data.items():
                setattr(c, key, value)
            if owner is not None:
                c.owner_id, c.owner_name, c.owner_email = owner
            if lines is not None:
                self._set_lines(s, c, lines)
            if content_keys & set(changed) and c.status == "sent":
                before = c.status
                c.status = "draft"
                self._status_event(s, c, before, actor["user_id"], "edited after sending")
            self._touch(c)
            self._history(s, c, actor["user_id"], "updated", fields=changed)
            s.flush()
            return self._detail(s, c)

    @endpoint(write=True)
    def change_status(self, actor, contract_id, payload):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schemas.StatusSchema().load(payload)
        with self.db.session() as s:
            c = self._contract(s, actor, contract_id, lock=True)
            if c.kind not in logic.TRANSITIONS or data["status"] not in logic.TRANSITIONS[c.kind]:
                raise InvalidInput(f"Unknown status for a {c.kind}.",
                                   {"fields": {"status": [f"one of {', '.join(logic.TRANSITIONS[c.kind])}"]}})
            if data["status"] == "validated":
                require_role(actor, *MANAGERS)
            logic.check_transition(c.kind, c.status, data["status"])
            if c.status == data["status"]:
                return self._detail(s, c)
            before = c.status
            c.status = data["status"]
            if c.status in ("signed", "accepted") and c.signed_at is None:
                c.signed_at = _now()
            if c.status in ("validated", "refused", "abandoned", "paid", "cancelled", "delivered"):
                c.closed_at = _now()
            elif c.status == "draft":
                c.closed_at = None
            self._touch(c)
            self._status_event(s, c, before, actor["user_id"], data["reason"])
            if c.status == "abandoned":
                self._abandoned_event(s, c, None)
            s.flush()
            return self._detail(s, c)

    @endpoint(write=True)
    def mark_sent(self, actor, contract_id, payload=None):
        """Record that the contract/quote was sent (or a reminder was) to a contact of its customer."""
        actor = load_actor(actor)
        data = schemas.SendSchema().load(payload or {})
        with self.db.session() as s:
            c = self._contract(s, actor, contract_id, lock=True)
            if c.kind not in ("contract", "quote"):
                raise Conflict(f"An {c.kind} is not sent for agreement.")
            if c.status not in ("draft", "sent"):
                raise Conflict(f"A {c.status} {c.kind} cannot be sent.")
            contact_id = data["contact_id"] or c.contact_id
            if contact_id:
                contact = self._contact(s, actor, contact_id)
                if contact.customer_id != c.customer_id:
                    raise InvalidInput("The contact belongs to another customer.")
            if c.contract_type_id:
                t = s.get(ContractType, c.contract_type_id)
                missing = logic.missing_merge_fields(t.merge_fields or [], c.data or {})
                if missing:
                    raise InvalidInput("Fill in the required fields before sending.",
                                       {"fields": {"data": {k: ["required"] for k in missing}}})
            before = c.status
            c.status = "sent"
            c.sent_at = c.sent_at or _now()
            self._touch(c)
            self._history(s, c, actor["user_id"], "reminded" if data["reminder"] else "sent", contact_id=contact_id)
            if before != "sent":
                self._status_event(s, c, before, actor["user_id"])
            self.outbox.add(s, "contract.sent.v1", {
                "contract_id": c.id, "kind": c.kind, "number": c.number, "customer_id": c.customer_id,
                "owner_id": c.owner_id, "contact_id": contact_id, "reminder": data["reminder"]},
                subject=c.id, license_id=c.license_id)
            s.flush()
            return self._detail(s, c)

    def _copy(self, s, src: Contract, actor, kind: str, title: str, status: str) -> Contract:
        c = Contract(
            license_id=src.license_id, kind=kind, number=self._next_number(s, src.license_id, kind), title=title,
            status=status, customer_id=src.customer_id, contact_id=src.contact_id,
            contract_type_id=src.contract_type_id if kind == src.kind else None, owner_id=src.owner_id,
            owner_name=src.owner_name, owner_email=src.owner_email, currency=src.currency, locale=src.locale,
            data=dict(src.data or {}), custom=dict(src.custom or {}), notes=src.notes,
            deal_ref=src.deal_ref, deal_id=src.deal_id, valid_until=src.valid_until, source_id=src.id,
            created_by=actor["user_id"])
        s.add(c)
        s.flush()
        self._set_flags(s, c, self._flags(s, [src.id])[src.id])
        lines = [{k: getattr(x, k) for k in ("product_code", "description", "quantity", "unit", "unit_price",
                                             "discount_pct", "tax_rate", "optional", "selected")}
                 for x in self._lines(s, src.id)]
        if kind in ("order", "invoice"):
            # an order/invoice keeps what the customer took: optional products only if selected
            lines = [dict(x, optional=False) for x in lines if not x["optional"] or x["selected"]]
        self._set_lines(s, c, lines)
        return c

    @endpoint(write=True)
    def duplicate(self, actor, contract_id):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with self.db.session() as s:
            src = self._contract(s, actor, contract_id)
            if src.kind not in ("contract", "quote"):
                raise Conflict(f"An {src.kind} cannot be duplicated.")
            c = self._copy(s, src, actor, src.kind, src.title, logic.INITIAL_STATUS[src.kind])
            self._history(s, c, actor["user_id"], "created", duplicated_from=src.number)
            self._history(s, src, actor["user_id"], "duplicated", to=c.number)
            self.outbox.add(s, "contract.created.v1", {
                "contract_id": c.id, "kind": c.kind, "number": c.number, "title": c.title,
                "customer_id": c.customer_id, "contract_type_id": c.contract_type_id, "owner_id": c.owner_id,
                "status": c.status}, subject=c.id, license_id=c.license_id)
            s.flush()
            return self._detail(s, c)

    @endpoint(write=True)
    def convert(self, actor, contract_id, payload):
        """Create a customer order or an invoice from a quote."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schemas.ConvertSchema().load(payload)
        with self.db.session() as s:
            quote = self._contract(s, actor, contract_id)
            if quote.kind != "quote":
                raise Conflict("Only quotes are converted to orders and invoices.")
            if quote.status in ("refused", "abandoned", "draft"):
                raise Conflict(f"A {quote.status} quote cannot be converted.")
            target = self._copy(s, quote, actor, data["target"], quote.title, "draft")
            self._history(s, quote, actor["user_id"], "converted", target_kind=target.kind, target=target.number)
            self._history(s, target, actor["user_id"], "created", from_quote=quote.number)
            for type_, payload_ in (
                    ("contract.created.v1", {"contract_id": target.id, "kind": target.kind, "number": target.number,
                                             "title": target.title, "customer_id": target.customer_id,
                                             "contract_type_id": None, "owner_id": target.owner_id,
                                             "status": target.status}),
                    ("quote.converted.v1", {"quote_id": quote.id, "quote_number": quote.number,
                                            "target_kind": target.kind, "target_id": target.id,
                                            "target_number": target.number, "customer_id": quote.customer_id,
                                            "owner_id": quote.owner_id})):
                self.outbox.add(s, type_, payload_, subject=quote.id if type_.startswith("quote") else target.id,
                                license_id=quote.license_id)
            s.flush()
            return self._detail(s, target)

    @endpoint
    def history(self, actor, contract_id):
        actor = load_actor(actor)
        with self.db.session() as s:
            c = self._contract(s, actor, contract_id)
            return [{"at": iso(h.at), "actor_id": h.actor_id, "action": h.action, "details": h.details}
                    for h in s.execute(select(History).where(History.contract_id == c.id)
                                       .order_by(History.at, History.id)).scalars()]

    # -- PDF ---------------------------------------------------------------------------------------

    def _document(self, s, c: Contract) -> Document:
        customer = s.get(Customer, c.customer_id)
        contact = s.get(Contact, c.contact_id) if c.contact_id else None
        ctype = s.get(ContractType, c.contract_type_id) if c.contract_type_id else None
        lines = [{k: getattr(x, k) for k in ("product_code", "description", "quantity", "unit", "unit_price",
                                             "discount_pct", "tax_rate", "optional", "selected")}
                 for x in self._lines(s, c.id)]
        context = pdf.build_context(
            contract={"kind": c.kind, "number": c.number, "title": c.title, "status": c.status,
                      "created_at": c.created_at, "valid_until": c.valid_until, "currency": c.currency,
                      "locale": c.locale, "deal_ref": c.deal_ref, "notes": c.notes, "data": dict(c.data or {}),
                      "custom": dict(c.custom or {})},
            customer={"name": customer.name, "code": customer.code, "kind": customer.kind,
                      "email": customer.email, "phone": customer.phone, "address": dict(customer.address or {}),
                      "vat_number": customer.vat_number},
            contact=contact_view(contact) if contact else None, lines=lines,
            owner={"name": c.owner_name, "email": c.owner_email})
        template = ctype.template_html if ctype and ctype.template_html else None
        fp = pdf.fingerprint(template, context)
        doc = s.execute(select(Document).where(Document.contract_id == c.id,
                                               Document.fingerprint == fp)).scalar_one_or_none()
        if doc is not None:
            return doc
        try:
            html = pdf.render_html(template, context)
        except Exception as exc:  # noqa: BLE001 - a template error is the user's to fix
            raise Conflict(f"The contract type's template cannot be rendered: {exc}") from None
        # the assets are read here: the render thread only sees them in memory (no DB, no I/O, no logging)
        assets = self._assets(s, c.license_id, pdf_sandbox.fetched_urls(html))
        try:
            content = offhub.run(pdf.render_pdf, html, assets)  # CPU work off the eventlet hub
        except pdf_sandbox.FetchRefused as exc:
            pdf.refuse_urls(exc.urls)
        doc = Document(contract_id=c.id, fingerprint=fp, sha256=hashlib.sha256(content).hexdigest(),
                       size=len(content), content=content)
        s.add(doc)
        s.flush()
        return doc

    def _pdf_result(self, c: Contract, doc: Document) -> dict:
        return {"contract_id": c.id, "number": c.number, "filename": f"{c.number}.pdf",
                "content_type": "application/pdf", "sha256": doc.sha256, "size": doc.size,
                "rendered_at": iso(doc.rendered_at), "content_base64": base64.b64encode(doc.content).decode()}

    @endpoint
    def download_pdf(self, actor, contract_id):
        """The contract's PDF, rendered from its type's template (cached while nothing changes)."""
        actor = load_actor(actor)
        with self.db.session() as s:
            c = self._contract(s, actor, contract_id)
            return self._pdf_result(c, self._document(s, c))

    @endpoint
    def get_pdf(self, license_id, contract_id):
        """Internal (signing, portal, notify): the current PDF of a contract."""
        return self.download_pdf.__wrapped__(self, system_actor(license_id), contract_id)

    # -- assets: images a license's templates embed by id --------------------------------------------

    @endpoint(write=True)
    def upload_asset(self, actor, payload):
        """Store a PNG/JPEG image (its logo...) that templates show with <img src="paraph-asset:<id>">."""
        actor = require_role(load_actor(actor), *MANAGERS)
        data = schemas.AssetInSchema().load(payload)
        filename, content_type, content = _decoded_upload(
            data, env_int("MAX_ASSET_BYTES", MAX_ASSET_BYTES), logic.IMAGE_TYPES)
        with self.db.session() as s:
            a = Asset(license_id=actor["license_id"], filename=filename, content_type=content_type,
                      size=len(content), sha256=hashlib.sha256(content).hexdigest(), content=content,
                      created_by=actor["user_id"])
            s.add(a)
            s.flush()
            return asset_view(a)

    def _asset(self, s, actor, asset_id) -> Asset:
        a = s.execute(select(Asset).where(Asset.id == asset_id,
                                          Asset.license_id == actor["license_id"])).scalar_one_or_none()
        if a is None:
            raise NotFound("Asset not found.")
        return a

    @endpoint
    def list_assets(self, actor):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with self.db.session() as s:
            return [asset_view(a) for a in s.execute(select(Asset).where(Asset.license_id == actor["license_id"])
                                                     .order_by(Asset.created_at, Asset.id)).scalars()]

    @endpoint
    def get_asset(self, actor, asset_id):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with self.db.session() as s:
            a = self._asset(s, actor, asset_id)
            return {**asset_view(a), "content_base64": base64.b64encode(a.content).decode()}

    @endpoint(write=True)
    def delete_asset(self, actor, asset_id):
        """Templates still naming a deleted asset fail to render (422) until they are changed."""
        actor = require_role(load_actor(actor), *MANAGERS)
        with self.db.session() as s:
            s.delete(self._asset(s, actor, asset_id))
        return {"deleted": True}

    # -- attachments ---------------------------------------------------------------------------------

    @endpoint(write=True)
    def add_attachment(self, actor, contract_id, payload):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schemas.AttachmentInSchema().load(payload)
        filename, content_type, content = _decoded_upload(
            data, env_int("MAX_ATTACHMENT_BYTES", MAX_ATTACHMENT_BYTES))
        with self.db.session() as s:
            c = self._contract(s, actor, contract_id)
            visible = data["portal_visible"]
            if visible is None:
                t = s.get(ContractType, c.contract_type_id) if c.contract_type_id else None
                if t is not None and t.attachments_portal_visible is not None:
                    visible = t.attachments_portal_visible
                else:
                    settings = self._settings(s, c.license_id)
                    visible = bool(settings and settings.portal_attachments_visible_by_default)
            a = Attachment(license_id=c.license_id, contract_id=c.id, folder=data["folder"], filename=filename,
                           content_type=content_type, size=len(content),
                           sha256=hashlib.sha256(content).hexdigest(), content=content, portal_visible=visible,
                           created_by=actor["user_id"])
            s.add(a)
            self._touch(c)
            s.flush()
            self._history(s, c, actor["user_id"], "attachment_added", attachment_id=a.id, filename=filename)
            return attachment_view(a)

    def _attachment(self, s, actor, attachment_id) -> tuple[Attachment, Contract]:
        a = s.execute(select(Attachment).where(Attachment.id == attachment_id,
                                               Attachment.license_id == actor["license_id"])).scalar_one_or_none()
        if a is None:
            raise NotFound("Attachment not found.")
        return a, self._contract(s, actor, a.contract_id)

    @endpoint
    def get_attachment(self, actor, attachment_id):
        actor = load_actor(actor)
        with self.db.session() as s:
            a, _ = self._attachment(s, actor, attachment_id)
            return {**attachment_view(a), "content_base64": base64.b64encode(a.content).decode()}

    @endpoint(write=True)
    def update_attachment(self, actor, attachment_id, payload):
        """Show/hide an attachment on the customer portal, move or rename it."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schemas.AttachmentPatchSchema().load(payload)
        with self.db.session() as s:
            a, c = self._attachment(s, actor, attachment_id)
            if "filename" in data:
                data["filename"] = logic.clean_filename(data["filename"])
            for key, value in data.items():
                setattr(a, key, value)
            self._history(s, c, actor["user_id"], "attachment_updated", attachment_id=a.id, **{
                k: v for k, v in data.items()})
            return attachment_view(a)

    @endpoint(write=True)
    def delete_attachment(self, actor, attachment_id):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with self.db.session() as s:
            a, c = self._attachment(s, actor, attachment_id)
            self._history(s, c, actor["user_id"], "attachment_deleted", attachment_id=a.id, filename=a.filename)
            s.delete(a)
        return {"deleted": True}

    @endpoint(write=True)
    def set_portal_visibility(self, actor, contract_id, payload):
        """Show or hide every attachment (or those of one folder) and/or every milestone of a contract on
        the portal at once."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schemas.PortalVisibilitySchema().load(payload or {})
        with self.db.session() as s:
            c = self._contract(s, actor, contract_id)
            if "attachments" in data:
                which = Attachment.contract_id == c.id
                if data.get("folder") is not None:
                    which = and_(which, Attachment.folder == data["folder"].strip())
                s.execute(update(Attachment).where(which).values(portal_visible=data["attachments"]))
            if "milestones" in data:
                s.execute(update(Milestone).where(Milestone.contract_id == c.id)
                          .values(portal_visible=data["milestones"]))
            self._history(s, c, actor["user_id"], "portal_visibility", **data)
            s.flush()
            return self._detail(s, c)["portal"]

    # -- milestones and tasks ---------------------------------------------------------------------------

    @endpoint(write=True)
    def add_milestone(self, actor, contract_id, payload):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schemas.MilestoneInSchema().load(payload)
        with self.db.session() as s:
            c = self._contract(s, actor, contract_id)
            position = (s.execute(select(func.max(Milestone.position)).where(
                Milestone.contract_id == c.id)).scalar_one() or 0) + 1
            m = Milestone(license_id=c.license_id, contract_id=c.id, title=data["title"],
                          description=data["description"], due_date=data["due_date"],
                          portal_visible=data["portal_visible"], position=position,
                          done_at=_now() if data["done"] else None)
            s.add(m)
            s.flush()
            self._history(s, c, actor["user_id"], "milestone_added", milestone_id=m.id, title=m.title)
            return milestone_view(m)

    def _child(self, s, actor, model, child_id):
        x = s.execute(select(model).where(model.id == child_id, model.license_id == actor["license_id"])
                      ).scalar_one_or_none()
        if x is None:
            raise NotFound(f"{model.__name__} not found.")
        return x, self._contract(s, actor, x.contract_id)

    @endpoint(write=True)
    def update_milestone(self, actor, milestone_id, payload):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schemas.MilestonePatchSchema().load(payload)
        with self.db.session() as s:
            m, c = self._child(s, actor, Milestone, milestone_id)
            if "done" in data:
                done = data.pop("done")
                m.done_at = (m.done_at or _now()) if done else None
            for key, value in data.items():
                setattr(m, key, value)
            self._history(s, c, actor["user_id"], "milestone_updated", milestone_id=m.id)
            return milestone_view(m)

    @endpoint(write=True)
    def delete_milestone(self, actor, milestone_id):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with self.db.session() as s:
            m, c = self._child(s, actor, Milestone, milestone_id)
            self._history(s, c, actor["user_id"], "milestone_deleted", milestone_id=m.id, title=m.title)
            s.delete(m)
        return {"deleted": True}

    def _check_assignee(self, s, actor, c: Contract, assignee_id):
        """A task goes to an active staff user of the license who can see the contract (its customer,
        by the perimeter policy applied to the assignee), never to a stranger or a portal client."""
        if assignee_id is None or assignee_id == actor["user_id"]:
            return
        user = self.identity.resolve_users(actor["license_id"], [assignee_id]).get(assignee_id)
        visible = False
        if user and user["status"] == "active" and user["role"] in STAFF_ROLES:
            assignee = {"user_id": assignee_id, "license_id": actor["license_id"], "role": user["role"]}
            visible = s.execute(select(Customer.id).where(
                Customer.id == c.customer_id, self._customer_filter(assignee))).first() is not None
        if not visible:
            raise InvalidInput("The assignee must be an active user of this license who can see this contract.",
                               {"fields": {"assignee_id": ["not an active user who can see this contract"]}})

    @endpoint(write=True)
    def add_task(self, actor, contract_id, payload):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schemas.TaskInSchema().load(payload)
        with self.db.session() as s:
            c = self._contract(s, actor, contract_id)
            self._check_assignee(s, actor, c, data["assignee_id"])
            t = Task(license_id=c.license_id, contract_id=c.id, created_by=actor["user_id"], **data)
            s.add(t)
            s.flush()
            self._history(s, c, actor["user_id"], "task_added", task_id=t.id, title=t.title)
            return task_view(t)

    @endpoint
    def list_tasks(self, actor, params=None):
        """Open tasks on contracts of customers the caller may see (the perimeter filter of every list),
        soonest due first."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        p = schemas.TaskListSchema().load(params or {})
        with self.db.session() as s:
            q = (select(Task, Contract, Customer.name).join(Contract, Contract.id == Task.contract_id)
                 .join(Customer, Customer.id == Contract.customer_id)
                 .where(Task.license_id == actor["license_id"], Task.done == p["done"],
                        self._customer_filter(actor, self._where(actor))))
            if p["assignee"]:
                q = q.where(Task.assignee_id == (actor["user_id"] if p["assignee"] == "me" else p["assignee"]))
            if p["due_before"]:
                q = q.where(Task.due_date <= p["due_before"])
            rows = s.execute(q.order_by(Task.due_date.is_(None), Task.due_date, Task.created_at, Task.id)
                             .limit(p["limit"]).offset(p["offset"])).all()
            return {"items": [{**task_view(t), "contract": {"id": c.id, "kind": c.kind, "number": c.number,
                                                            "title": c.title, "customer_name": name}}
                              for t, c, name in rows],
                    "limit": p["limit"], "offset": p["offset"]}

    @endpoint(write=True)
    def update_task(self, actor, task_id, payload):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schemas.TaskPatchSchema().load(payload)
        with self.db.session() as s:
            t, c = self._child(s, actor, Task, task_id)
            if "assignee_id" in data and data["assignee_id"] != t.assignee_id:
                self._check_assignee(s, actor, c, data["assignee_id"])
            for key, value in data.items():
                setattr(t, key, value)
            self._history(s, c, actor["user_id"], "task_updated", task_id=t.id)
            return task_view(t)

    # -- equipment base (Initiative CRM "parc matériel") ------------------------------------------------

    def _equipment_base(self, s, c: Customer, query) -> dict:
        query = schemas.EquipmentQuerySchema().load(query or {})
        q = select(Equipment).where(Equipment.customer_id == c.id)
        if query.get("status"):
            q = q.where(Equipment.status == query["status"])
        today = _now().date()
        items = [equipment_view(e, today) for e in s.execute(
            q.order_by(Equipment.status, Equipment.installed_on.desc().nulls_last(), Equipment.created_at,
                       Equipment.id)).scalars()]
        return {"customer_id": c.id, "customer_name": c.name, "items": items}

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
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schemas.EquipmentInSchema().load(payload)
        with self.db.session() as s:
            c = self._customer(s, actor, customer_id)
            e = Equipment(license_id=c.license_id, customer_id=c.id, created_by=actor["user_id"], **data)
            s.add(e)
            s.flush()
            return equipment_view(e)

    def _equipment(self, s, actor, equipment_id) -> Equipment:
        e = s.execute(select(Equipment).where(Equipment.id == equipment_id,
                                              Equipment.license_id == actor["license_id"])).scalar_one_or_none()
        if e is None:
            raise NotFound("Equipment not found.")
        self._customer(s, actor, e.customer_id)  # visible iff its customer is
        return e

    @endpoint(write=True)
    def update_equipment(self, actor, equipment_id, payload):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schemas.EquipmentPatchSchema().load(payload)
        with self.db.session() as s:
            e = self._equipment(s, actor, equipment_id)
            schemas.check_warranty({"installed_on": data.get("installed_on", e.installed_on),
                                    "warranty_until": data.get("warranty_until", e.warranty_until)})
            for key, value in data.items():
                setattr(e, key, value)
            e.updated_at = _now()
            return equipment_view(e)

    @endpoint(write=True)
    def delete_equipment(self, actor, equipment_id):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with self.db.session() as s:
            s.delete(self._equipment(s, actor, equipment_id))
        return {"deleted": True}

    @endpoint(write=True)
    def record_equipment(self, actor, contract_id, payload):
        """Record what a customer bought (an order's, invoice's, signed contract's or accepted quote's lines
        that were taken: not optional, or optional and selected) in its equipment base. Without line_ids,
        every taken line with a product code. A line already recorded is not recorded again, nor is one
        recorded from the quote it was converted from or from that quote's other order or invoice."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schemas.EquipmentFromContractSchema().load(payload or {})
        with self.db.session() as s:
            k = self._contract(s, actor, contract_id, lock=True)
            if k.status not in logic.EQUIPMENT_SOURCE_STATUSES[k.kind]:
                allowed = " or ".join(logic.EQUIPMENT_SOURCE_STATUSES[k.kind])
                raise Conflict(f"Only a {allowed} {k.kind} feeds the equipment base; this one is {k.status}.")
            lines = self._lines(s, k.id)
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
                chosen = [x for x in lines if x.product_code and (not x.optional or x.selected) and x.quantity > 0]
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
                              description=x.description, quantity=x.quantity, installed_on=data["installed_on"],
                              warranty_until=data["warranty_until"], created_by=actor["user_id"],
                              source_contract_id=k.id, source_number=k.number, source_line_id=x.id)
                s.add(e)
                created.append(e)
            s.flush()
            if created:
                self._history(s, k, actor["user_id"], "equipment_recorded", count=len(created),
                              equipment_ids=[e.id for e in created])
            return {"customer_id": k.customer_id, "contract_id": k.id, "created": [equipment_view(e) for e in created],
                    "already_recorded": len(chosen) - len(created)}

    # -- custom columns and flags (back office) ---------------------------------------------------------

    # license-level settings rows (columns, flags) share one CRUD shape
    SETTINGS = {
        "column": (CustomColumn, ("key", "label", "type", "choices", "position"),
                   (CustomColumn.position, CustomColumn.key)),
        "flag": (Flag, ("key", "label", "color"), (Flag.key,)),
    }

    def _setting_view(self, kind, row) -> dict:
        fields_ = self.SETTINGS[kind][1]
        return {"id": row.id, **{f: list(getattr(row, f) or []) if f == "choices" else getattr(row, f)
                                 for f in fields_}}

    def _setting(self, s, kind, actor, row_id):
        row = s.get(self.SETTINGS[kind][0], row_id)
        if row is None or row.license_id != actor["license_id"]:
            raise NotFound(f"{kind.capitalize()} not found.")
        return row

    def _list_settings(self, kind, actor):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        model, _, order = self.SETTINGS[kind]
        with self.db.session() as s:
            return [self._setting_view(kind, row) for row in s.execute(
                select(model).where(model.license_id == actor["license_id"]).order_by(*order)).scalars()]

    def _create_setting(self, kind, actor, data):
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        model = self.SETTINGS[kind][0]
        with self.db.session() as s:
            if s.execute(select(model.id).where(model.license_id == actor["license_id"],
                                                model.key == data["key"])).first():
                raise Conflict(f"A {kind} {data['key']!r} already exists.")
            row = model(license_id=actor["license_id"], **data)
            s.add(row)
            s.flush()
            return self._setting_view(kind, row)

    def _update_setting(self, kind, actor, row_id, data):
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        with self.db.session() as s:
            row = self._setting(s, kind, actor, row_id)
            for key, value in data.items():
                setattr(row, key, value)
            return self._setting_view(kind, row)

    @endpoint
    def list_columns(self, actor):
        return self._list_settings("column", actor)

    @endpoint(write=True)
    def create_column(self, actor, payload):
        return self._create_setting("column", actor, schemas.ColumnInSchema().load(payload))

    @endpoint(write=True)
    def update_column(self, actor, column_id, payload):
        return self._update_setting("column", actor, column_id, schemas.ColumnPatchSchema().load(payload))

    @endpoint(write=True)
    def delete_column(self, actor, column_id):
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        with self.db.session() as s:
            s.delete(self._setting(s, "column", actor, column_id))
        return {"deleted": True}

    @endpoint
    def list_flags(self, actor):
        return self._list_settings("flag", actor)

    @endpoint(write=True)
    def create_flag(self, actor, payload):
        return self._create_setting("flag", actor, schemas.FlagInSchema().load(payload))

    @endpoint(write=True)
    def update_flag(self, actor, flag_id, payload):
        return self._update_setting("flag", actor, flag_id, schemas.FlagPatchSchema().load(payload))

    @endpoint(write=True)
    def delete_flag(self, actor, flag_id):
        """Delete a flag; it is removed from the contracts carrying it."""
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        with self.db.session() as s:
            f = self._setting(s, "flag", actor, flag_id)
            removed = s.execute(delete(ContractFlag).where(
                ContractFlag.key == f.key,
                ContractFlag.contract_id.in_(select(Contract.id).where(Contract.license_id == f.license_id))
            )).rowcount
            s.delete(f)
            return {"deleted": True, "removed_from_contracts": removed}

    # -- automatic abandon -------------------------------------------------------------------------------

    def _abandoned_event(self, s, c: Contract, delay_days):
        self.outbox.add(s, "contract.abandoned.v1", {
            "contract_id": c.id, "kind": c.kind, "number": c.number, "customer_id": c.customer_id,
            "owner_id": c.owner_id, "delay_days": delay_days, "created_at": iso(c.created_at)},
            subject=c.id, license_id=c.license_id)

    def _abandon_due(self, now: datetime, batch: int = 500) -> int:
        done = 0
        with self.db.session() as s:
            licenses = [lid for (lid,) in s.execute(select(Contract.license_id).where(
                Contract.status.in_(logic.UNSIGNED), Contract.kind.in_(("contract", "quote"))).distinct())]
        for license_id in licenses:
            with self.db.session() as s:
                settings = self._settings(s, license_id)
            if settings is None:
                continue  # identity unreachable and nothing replicated yet: try again next round
            with self.db.session() as s:
                types = {t.id: t.abandon_delay_days for t in s.execute(select(ContractType).where(
                    ContractType.license_id == license_id, ContractType.abandon_delay_days.is_not(None))).scalars()}
            groups = [(settings.abandon_delay_days, None)] + [(d, tid) for tid, d in types.items()]
            for delay, type_id in groups:
                cutoff = now - timedelta(days=delay)
                while True:
                    with self.db.session() as s:
                        q = select(Contract).where(Contract.license_id == license_id,
                                                   Contract.status.in_(logic.UNSIGNED),
                                                   Contract.kind.in_(("contract", "quote")),
                                                   Contract.created_at < cutoff)
                        if type_id is None:
                            q = q.where(or_(Contract.contract_type_id.is_(None),
                                            Contract.contract_type_id.not_in(list(types)) if types else true()))
                        else:
                            q = q.where(Contract.contract_type_id == type_id)
                        if self.db.dialect == "postgresql":
                            q = q.with_for_update(skip_locked=True)
                        rows = s.execute(q.limit(batch)).scalars().all()
                        for c in rows:
                            before = c.status
                            c.status, c.closed_at = "abandoned", now
                            self._touch(c)
                            self._status_event(s, c, before, "system", f"not signed within {delay} days")
                            self._abandoned_event(s, c, delay)
                        done += len(rows)
                    if len(rows) < batch:
                        break
        return done

    @timer(interval=env_float("ABANDON_SCAN_INTERVAL", 3600.0))
    def abandon_scan(self):
        try:
            n = self._abandon_due(_now())
            if n:
                log.info("abandoned %d unsigned contracts", n)
        except Exception:  # noqa: BLE001 - next tick retries
            log.exception("abandon scan failed")

    @endpoint(write=True)
    def run_abandon(self, actor, now=None):
        """Operations/tests: run the abandon scan now (optionally as of a given ISO time)."""
        require_role(load_actor(actor), SYSTEM, LICENSE_ADMIN)
        at = _now()
        if now:
            try:
                at = datetime.fromisoformat(str(now).replace("Z", "+00:00"))
            except ValueError:
                raise InvalidInput("now must be an ISO 8601 date-time") from None
            if at.tzinfo is None:
                at = at.replace(tzinfo=timezone.utc)
        return {"abandoned": self._abandon_due(at)}

    # -- events from other services ----------------------------------------------------------------------

    @subscribe("perimeter", "perimeter.assignments_changed.v1")
    def on_assignments_changed(self, event):
        data = event["data"]
        kinds = {"customer": (CustomerScope, "customer_id", Customer),
                 "contract_type": (ContractTypeScope, "contract_type_id", ContractType)}
        if data.get("subject_type") not in kinds:
            return
        model, key, owner = kinds[data["subject_type"]]
        with self.db.session() as s:
            if not first_time(s, Inbox, event["id"], "contracts.on_assignments_changed"):
                return
            if s.get(owner, data["subject_id"]) is None:
                return  # not (yet) ours: the creator writes the scope with the customer itself
            self._write_scope(s, model, key, data["subject_id"], data["perimeter_ids"], data["version"],
                              data["subject_type"])

    @subscribe("identity", "license.updated.v1")
    def on_license_updated(self, event):
        data = event["data"]
        with self.db.session() as s:
            if not first_time(s, Inbox, event["id"], "contracts.on_license_updated"):
                return
            self._apply_settings(s, data["license_id"], data.get("settings") or {}, int(data.get("version", 0)))

    def _contract_by_id(self, s, license_id, contract_id, lock=True) -> Contract | None:
        q = select(Contract).where(Contract.id == contract_id, Contract.license_id == license_id)
        if lock and self.db.dialect == "postgresql":
            q = q.with_for_update()
        return s.execute(q).scalar_one_or_none()

    @subscribe("signing", "signature.completed.v1")
    def on_signature_completed(self, event):
        """Signed electronically: a quote becomes Accepted, a contract Signed."""
        data = event["data"]
        with self.db.session() as s:
            if not first_time(s, Inbox, event["id"], "contracts.on_signature_completed"):
                return
            c = self._contract_by_id(s, event["license_id"], data["contract_id"])
            if c is None:
                log.warning("signature completed for unknown contract %s", data.get("contract_id"))
                return
            self._track_signature(s, data["request_id"], c.id, closed=True)
            c.signers = list(data.get("signers") or [])
            c.signature_request_id = data.get("request_id")
            target = logic.SIGNED_STATUS.get(c.kind)
            if target and c.status in ("draft", "sent"):
                before = c.status
                c.status = target
                c.signed_at = _now()
                self._touch(c)
                self._status_event(s, c, before, "system", "signed electronically")
            self._history(s, c, "system", "signature_completed", request_id=data.get("request_id"),
                          signers=[x.get("name") or x.get("email") for x in c.signers])

    def _track_signature(self, s, request_id, contract_id, closed: bool):
        row = s.get(SignatureTracking, request_id)
        if row is None:
            s.add(SignatureTracking(request_id=request_id, contract_id=contract_id, closed=closed))
        elif closed:
            row.closed = True

    def _signature_pending(self, s, contract_id) -> bool:
        return s.execute(select(SignatureTracking.request_id).where(
            SignatureTracking.contract_id == contract_id, SignatureTracking.closed.is_(False))).first() is not None

    @subscribe("signing", "signature.requested.v1")
    def on_signature_requested(self, event):
        """Sending a draft for signature sends it; its content is locked until the request is over."""
        data = event["data"]
        with self.db.session() as s:
            if not first_time(s, Inbox, event["id"], "contracts.on_signature_requested"):
                return
            c = self._contract_by_id(s, event["license_id"], data["contract_id"])
            if c is None:
                return
            self._track_signature(s, data["request_id"], c.id, closed=False)
            self._history(s, c, "system", "signature_requested", request_id=data.get("request_id"))
            if c.status == "draft":
                c.status, c.sent_at = "sent", c.sent_at or _now()
                self._touch(c)
                self._status_event(s, c, "draft", "system", "sent for signature")

    @subscribe("signing", "signer.declined.v1")
    def on_signer_declined(self, event):
        data = event["data"]
        with self.db.session() as s:
            if not first_time(s, Inbox, event["id"], "contracts.on_signer_declined"):
                return
            c = self._contract_by_id(s, event["license_id"], data["contract_id"])
            if c is None:
                return
            if data.get("request_id"):
                self._track_signature(s, data["request_id"], c.id, closed=True)
            if c.status in ("draft", "sent"):
                before = c.status
                c.status, c.closed_at = "refused", _now()
                self._touch(c)
                self._status_event(s, c, before, "system",
                                   f"declined by {data.get('name') or data.get('email')}: {data.get('reason') or ''}")

    def _signature_closed(self, event, action):
        data = event["data"]
        with self.db.session() as s:
            if not first_time(s, Inbox, event["id"], f"contracts.on_{action}"):
                return
            # lock the contract first, like every other signing handler: the same lock order means a
            # "cancelled" racing its own "requested" waits instead of deadlocking on the tracking row
            c = self._contract_by_id(s, event["license_id"], data["contract_id"])
            if c is None:
                return
            self._track_signature(s, data["request_id"], c.id, closed=True)
            self._history(s, c, "system", action, request_id=data["request_id"])

    @subscribe("signing", "signature.cancelled.v1")
    def on_signature_cancelled(self, event):
        self._signature_closed(event, "signature_cancelled")

    @subscribe("signing", "signature.expired.v1")
    def on_signature_expired(self, event):
        self._signature_closed(event, "signature_expired")

    def _portal_activity(self, event, action):
        data = event["data"]
        with self.db.session() as s:
            if not first_time(s, Inbox, event["id"], f"contracts.on_{action}"):
                return
            c = self._contract_by_id(s, event["license_id"], data["contract_id"])
            if c is None:
                return
            if action == "viewed":
                c.view_count += 1
                c.last_viewed_at = _now()
            elif action == "downloaded":
                c.download_count += 1
            elif action == "shared":
                c.portal_shared = True
            elif action == "unshared":
                c.portal_shared = False
            self._history(s, c, data.get("contact_id") or data.get("shared_by") or data.get("unshared_by") or "portal",
                          f"portal_{action}",
                          contact_id=data.get("contact_id"), at=data.get("at"), ip=data.get("ip"),
                          channel=data.get("channel"))  # quote_page | portal (absent from older events)

    @subscribe("portal", "quote.viewed.v1")
    def on_quote_viewed(self, event):
        self._portal_activity(event, "viewed")

    @subscribe("portal", "quote.downloaded.v1")
    def on_quote_downloaded(self, event):
        self._portal_activity(event, "downloaded")

    @subscribe("portal", "contract.shared.v1")
    def on_contract_shared(self, event):
        self._portal_activity(event, "shared")

    @subscribe("portal", "contract.unshared.v1")
    def on_contract_unshared(self, event):
        """No longer shown on the customer portal: the green line goes off."""
        self._portal_activity(event, "unshared")

    # -- customer history and the clients' self-service (portal) -----------------------------------------

    @endpoint
    def customer_history(self, actor, customer_id):
        """Changes of a customer file and its contacts, newest first (staff edits and self-service)."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with self.db.session() as s:
            c = self._customer(s, actor, customer_id)
            rows = s.execute(select(CustomerHistory).where(CustomerHistory.customer_id == c.id)
                             .order_by(CustomerHistory.at.desc(), CustomerHistory.id).limit(500)).scalars()
            return {"items": [{"at": iso(h.at), "actor_id": h.actor_id, "actor_name": h.actor_name,
                               "actor_kind": h.actor_kind, "action": h.action, "details": h.details}
                              for h in rows]}

    def _client_target(self, s, license_id, customer_id, contact_id) -> tuple[Customer, Contact]:
        x = s.execute(select(Contact).where(Contact.id == contact_id, Contact.license_id == license_id,
                                            Contact.customer_id == customer_id)).scalar_one_or_none()
        if x is None:
            raise NotFound("Your contact record no longer exists; ask your contact person.")
        return s.get(Customer, customer_id), x

    @staticmethod
    def _client_profile(c: Customer, x: Contact) -> dict:
        return {"contact": {**contact_view(x), "customer_name": c.name},
                "company": {"id": c.id, "name": c.name, "kind": c.kind, "email": c.email, "phone": c.phone,
                            "address": dict(c.address or {})}}

    @endpoint
    def client_profile_internal(self, license_id, customer_id, contact_id):
        """Internal (portal): a portal client's own contact and their company, as they may edit them."""
        with self.db.session() as s:
            return self._client_profile(*self._client_target(s, license_id, customer_id, contact_id))

    @endpoint(write=True)
    def apply_client_contact_update(self, license_id, customer_id, contact_id, by, payload):
        """Internal (portal): a portal client changes their own contact details."""
        return self._apply_client_update(license_id, customer_id, contact_id, by, "contact",
                                         schemas.ClientContactUpdateSchema().load(payload or {}))

    @endpoint(write=True)
    def apply_client_company_update(self, license_id, customer_id, contact_id, by, payload):
        """Internal (portal): a portal client changes their company's address, phone or email."""
        return self._apply_client_update(license_id, customer_id, contact_id, by, "company",
                                         schemas.ClientCompanyUpdateSchema().load(payload or {}))

    def _apply_client_update(self, license_id, customer_id, contact_id, by: dict, target: str, wanted: dict):
        """The self-service change: written to the customer's history and published as customer.self_updated.v1
        (notify tells the customer's owner); the same values again change nothing (no history, no event)."""
        if not wanted:
            raise InvalidInput("Nothing to change.", {"fields": {target: ["Give at least one field."]}})
        if not isinstance(by, dict) or not isinstance(by.get("user_id"), str) or not by["user_id"]:
            raise InvalidInput("by must name the portal client: {user_id, name}.")
        client = {"user_id": by["user_id"], "name": str(by.get("name") or "")[:200]}
        with self.db.session() as s:
            c, x = self._client_target(s, license_id, customer_id, contact_id)
            if target == "contact":
                changes = logic.field_changes(contact_view(x), wanted)
                for key, value in wanted.items():
                    setattr(x, key, value)
            else:
                if "address" in wanted:  # the lines given replace those lines only
                    wanted = {**wanted, "address": {**(c.address or {}), **wanted["address"]}}
                changes = logic.field_changes(customer_view(c), wanted)
                for key, value in wanted.items():
                    setattr(c, key, value)
            if changes:  # the same values again change nothing, not even the update time
                (x if target == "contact" else c).updated_at = _now()
                contact_name = contact_view(x)["name"]
                self._customer_history(s, c, client, f"self_service_{target}", kind="client", contact_id=x.id,
                                       contact_name=contact_name, changes=changes)
                self.outbox.add(s, "customer.self_updated.v1", {
                    "customer_id": c.id, "customer_name": c.name, "owner_id": c.created_by,  # a customer's owner is its creator
                    "contact_id": x.id,
                    "contact_name": contact_name, "target": target, "changes": changes,
                    "by_user_id": client["user_id"], "at": iso(_now())}, subject=c.id, license_id=c.license_id)
            s.flush()
            return {**self._client_profile(c, x), "changes": changes}

    @endpoint
    def visible_customers(self, actor, customer_ids):
        """{id: name} of those of the ids the caller may see (the perimeter filter in SQL): lists kept by
        other services (the portal's clients) are filtered and named with it."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        if not isinstance(customer_ids, list) or len(customer_ids) > 5000:
            raise InvalidInput("customer_ids must be a list of at most 5000 ids")
        with self.db.session() as s:
            return {"names": dict(s.execute(select(Customer.id, Customer.name).where(
                Customer.id.in_(customer_ids), self._customer_filter(actor))).all())}

    # -- internal reads for portal and signing -----------------------------------------------------------

    @endpoint
    def get_contract_internal(self, license_id, contract_id):
        """Internal: the full contract (portal, signing), no perimeter filter."""
        with self.db.session() as s:
            c = self._contract_by_id(s, license_id, contract_id, lock=False)
            if c is None:
                raise NotFound("Contract not found.")
            return self._detail(s, c)

    @endpoint
    def get_attachment_internal(self, license_id, attachment_id):
        with self.db.session() as s:
            a = s.execute(select(Attachment).where(Attachment.id == attachment_id,
                                                   Attachment.license_id == license_id)).scalar_one_or_none()
            if a is None:
                raise NotFound("Attachment not found.")
            return {**attachment_view(a), "content_base64": base64.b64encode(a.content).decode()}

    @endpoint
    def get_contacts_internal(self, license_id, contact_ids):
        if not isinstance(contact_ids, list) or len(contact_ids) > 1000:
            raise InvalidInput("contact_ids must be a list of at most 1000 ids")
        with self.db.session() as s:
            rows = s.execute(select(Contact, Customer.name).join(Customer, Customer.id == Contact.customer_id).where(
                Contact.license_id == license_id, Contact.id.in_(contact_ids))).all()
            return {x.id: {**contact_view(x), "customer_name": name} for x, name in rows}

    @endpoint
    def known_subjects_internal(self, license_id, subject_type, ids):
        """Internal (perimeter): those of the ids that are customers or contract types of the license,
        so that the perimeter service registers objects created before it registered them."""
        model = {"customer": Customer, "contract_type": ContractType}.get(subject_type)
        if model is None:
            raise InvalidInput("subject_type must be customer or contract_type")
        if not isinstance(ids, list) or len(ids) > 1000:
            raise InvalidInput("ids must be a list of at most 1000 ids")
        with self.db.session() as s:
            return {"ids": sorted(i for (i,) in s.execute(select(model.id).where(
                model.license_id == license_id, model.id.in_(ids))))}


SERVICE = ContractsService
