"""What every aggregate of the contracts service shares (:class:`ContractsBase`).

Visibility follows the perimeter policy: every list and every object access is filtered in SQL by
the condition the perimeter service compiles from its Rego policy for the caller (over the
``customer_scopes`` / ``contract_type_scopes`` replicas); an object outside the caller's perimeter is
a 404. A contract, a contact, a deal, a piece of equipment is visible exactly when its customer is.
"""
from __future__ import annotations

import functools
import logging

from sqlalchemy import and_, delete, false, select, text, true
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased

from paraph_platform.actor import STAFF_ROLES, SYSTEM, load_actor, require_role
from paraph_platform import company_country, offhub, pdf_sandbox
from paraph_platform.db import Db, utcnow
from paraph_platform.inbox import handled_once
from paraph_platform.outbox import OutboxWriter

from . import logic, pdf, schemas
from .exceptions import InvalidInput, NotFound, Unavailable
from .models import (
    Asset, CompanyProfile, Contact, Contract, ContractType, ContractTypeScope, Counter, CustomColumn, Customer,
    CustomerScope, Deal, History, Inbox, LicenseSettings, ScopeVersion,
)


log = logging.getLogger(__name__)


def contract_event(inbox_name: str):
    """For the handler of another service's event about one contract (``data["contract_id"]``): applied once
    (:func:`handled_once`), to the contract locked first (every such handler takes the same lock order: a
    "cancelled" racing its own "requested" waits instead of deadlocking); an event naming no contract of its
    license here is dropped. The handler is called as ``handler(self, s, contract, data)``."""
    def decorate(handler):
        @handled_once(Inbox, inbox_name)
        @functools.wraps(handler)
        def handle(self, s, event):
            data = event["data"]
            c = self._contract_by_id(s, event["license_id"], data["contract_id"])
            if c is None:
                log.warning("%s: no contract %s here, event %s dropped", inbox_name, data["contract_id"], event["id"])
                return
            handler(self, s, c, data)
        return handle
    return decorate


def not_found(what: str, field: str | None = None) -> NotFound:
    """The 404 of a ``what`` that does not exist or that the caller may not see. Looked up by an id the request
    body references (``field``: ``customer_id``, ``deal_id``...), it also names that field in the problem's
    ``errors``, as a refused field's 422 does: a client that sent several ids can tell which one was wrong. The
    status stays a 404 (/v1 clients test it)."""
    detail = f"{what} not found."
    return NotFound(detail, {"fields": {field: [f"No such {what.lower()}."]}} if field else None)


def publish_about(s, outbox: OutboxWriter, event_type: str, row, data: dict):
    """Publish ``event_type`` about ``row`` (its id the envelope's subject, in its license) with the write
    that changed it: in the same transaction, through the outbox."""
    outbox.add(s, event_type, data, subject=row.id, license_id=row.license_id)


def publish_change(s, outbox: OutboxWriter, event_type: str, row, view, event_data, patch: dict, actor_id: str,
                   assign=setattr) -> list[str]:
    """Apply a change (``patch``: field -> value, set by ``assign(row, field, value)``) to ``row``, a contract's
    attachment, milestone or task, and publish ``event_type`` (``event_data(row)``, ``changed``, ``updated_by``)
    when it really changed something: ``changed`` names the fields of ``patch`` whose value in ``view(row)``
    differs after. The same values again (a retry, a form saved as it is) publish nothing. Returns ``changed``."""
    before = view(row)
    for field, value in patch.items():
        assign(row, field, value)
    after = view(row)
    changed = sorted(field for field in patch if after[field] != before[field])
    if changed:
        publish_about(s, outbox, event_type, row, {**event_data(row), "changed": changed, "updated_by": actor_id})
    return changed


def license_name(settings: LicenseSettings | None) -> str:
    """The name in a license's settings replica (``_settings(named=True)``); "" while identity cannot tell it."""
    return (settings.name if settings is not None else None) or ""


class ContractsBase:
    """What the aggregate mixins share: who sees what, the lookups of visible objects (404 outside the
    caller's perimeter), the perimeter scope replica, contract history, status and update events, the
    license's settings, numbering and owners.

    The dependency providers are declared once, on :class:`contracts_service.service.ContractsService`
    (nameko binds them per worker); the annotations say what each one injects into ``self``."""

    db: Db  # Database(idempotency_model=IdempotencyKey)
    outbox: OutboxWriter  # Outbox(models.Outbox): events committed with the change they announce
    ctx: dict  # RequestContext(): the call's context data (idempotency key, deadline)
    perimeter: object  # Rpc("perimeter"): perimeter assignments and inheritance
    identity: object  # Rpc("identity"): users and license settings
    portal: object  # Rpc("portal"): whether a contact has a client portal access
    perimeter_filter: object  # PerimeterFilter(): the caller's visibility condition (SQL), cached

    @staticmethod
    def _caller_and_payload(actor, schema, payload, roles=STAFF_ROLES) -> tuple[dict, dict]:
        """What an endpoint checks first: the caller, who must hold one of ``roles`` (else 403), and the
        payload loaded by ``schema`` (else 422)."""
        return require_role(load_actor(actor), *roles), schema().load(payload)

    # -- visibility (perimeter policy compiled to SQL) ----------------------------------------

    def _where(self, actor: dict):
        """The caller's visibility condition from the perimeter policy: '' all, None nothing, else SQL."""
        if actor["role"] == SYSTEM:
            return ""
        if actor["role"] not in STAFF_ROLES:
            return None
        return self.perimeter_filter.where(actor, self.db.dialect)

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

    # The lookups below take the body's ``field`` when the id is one the request body references rather
    # than the path's: their 404 then names it (:func:`not_found`).

    @staticmethod
    def _one(s, query, what: str, field: str | None = None):
        """The one object the query selects, else a 404 naming ``what`` (and the body's ``field``)."""
        found = s.execute(query).scalar_one_or_none()
        if found is None:
            raise not_found(what, field)
        return found

    def _customer(self, s, actor, customer_id, where=None, field=None) -> Customer:
        return self._one(s, select(Customer).where(Customer.id == customer_id, self._customer_filter(actor, where)),
                         "Customer", field)

    def _contact(self, s, actor, contact_id, field=None) -> Contact:
        return self._one(s, select(Contact).join(Customer, Customer.id == Contact.customer_id).where(
            Contact.id == contact_id, self._customer_filter(actor)), "Contact", field)

    def _contract(self, s, actor, contract_id, lock=False) -> Contract:
        """A contract is visible iff its customer is."""
        q = (select(Contract).join(Customer, Customer.id == Contract.customer_id)
             .where(Contract.id == contract_id, Contract.license_id == actor["license_id"],
                    self._customer_filter(actor)))
        if lock and self.db.dialect == "postgresql":
            q = q.with_for_update(of=Contract)
        return self._one(s, q, "Contract")

    def _contract_type(self, s, actor, type_id, where=None, field=None) -> ContractType:
        return self._one(s, select(ContractType).where(ContractType.id == type_id, self._type_filter(actor, where)),
                         "Contract type", field)

    def _deal(self, s, actor, deal_id, where=None, lock=False, field=None) -> tuple[Deal, str]:
        """(the deal, its customer's name) if the caller sees the deal's customer, else 404."""
        q = (select(Deal, Customer.name).join(Customer, Customer.id == Deal.customer_id)
             .where(Deal.id == deal_id, Deal.license_id == actor["license_id"], self._customer_filter(actor, where)))
        if lock and self.db.dialect == "postgresql":
            q = q.with_for_update(of=Deal)
        row = s.execute(q).first()
        if row is None:
            raise not_found("Deal", field)
        return row[0], row[1]

    def _license_row(self, s, model, row_id, license_id):
        """The license's row of ``model`` with this id; another license's is a 404, as if absent."""
        return self._one(s, select(model).where(model.id == row_id, model.license_id == license_id), model.__name__)

    def _child(self, s, actor, model, child_id):
        """A contract's attachment, milestone or task (``model``) and its contract, if the caller sees the
        contract (else 404)."""
        x = self._license_row(s, model, child_id, actor["license_id"])
        return x, self._contract(s, actor, x.contract_id)

    def _contract_by_id(self, s, license_id, contract_id, lock=True) -> Contract | None:
        q = select(Contract).where(Contract.id == contract_id, Contract.license_id == license_id)
        if lock and self.db.dialect == "postgresql":
            q = q.with_for_update()
        return s.execute(q).scalar_one_or_none()

    def _delete_child(self, actor, model, child_id, kind: str, event_data) -> dict:
        """Delete a contract's milestone or task (``model``, a ``kind``): the contract's history keeps what it
        was (``<kind>_deleted``, its title and its id as ``<kind>_id``) and ``<kind>.deleted.v1`` publishes it
        (``event_data(row)``, and who); a 404 when the caller does not see the contract (so a retried delete
        publishes nothing more)."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with self.db.session() as s:
            x, c = self._child(s, actor, model, child_id)
            self._history(s, c, actor["user_id"], f"{kind}_deleted", **{f"{kind}_id": x.id, "title": x.title})
            publish_about(s, self.outbox, f"{kind}.deleted.v1", x, {**event_data(x), "deleted_by": actor["user_id"]})
            s.delete(x)
        return {"deleted": True}

    def _delete(self, actor, lookup, object_id, roles=STAFF_ROLES) -> dict:
        """Delete what ``lookup(s, actor, object_id)`` finds (a 404 when the caller does not see it)."""
        actor = require_role(load_actor(actor), *roles)
        with self.db.session() as s:
            s.delete(lookup(s, actor, object_id))
        return {"deleted": True}

    # -- perimeter scopes (the replica of the perimeter service's assignments) -------------------

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
        actor, data = self._caller_and_payload(actor, schemas.PerimetersSchema, payload)
        lookup, model, key = {"customer": (self._customer, CustomerScope, "customer_id"),
                              "contract_type": (self._contract_type, ContractTypeScope, "contract_type_id")}[subject_type]
        with self.db.session() as s:
            lookup(s, actor, subject_id)  # 404 unless the caller sees it
        result = self.perimeter.set_assignments(actor, subject_type, subject_id, data)
        with self.db.session() as s:
            self._write_scope(s, model, key, subject_id, result["perimeter_ids"], result["version"], subject_type)
        return result

    # -- shared rules ---------------------------------------------------------------------------

    def _history(self, s, c: Contract, actor_id: str, action: str, **details):
        s.add(History(license_id=c.license_id, contract_id=c.id, actor_id=actor_id, action=action,
                      details={k: v for k, v in details.items() if v is not None}))

    def _touch(self, c: Contract):
        c.updated_at = utcnow()
        c.version += 1

    def _contract_updated_event(self, s, c: Contract, changed: list[str], actor_id: str):
        """contract.updated.v1: the contract as it is now and the fields ``changed`` (a status change is
        contract.status_changed.v1)."""
        self.outbox.add(s, "contract.updated.v1", {
            "contract_id": c.id, "kind": c.kind, "number": c.number, "title": c.title, "customer_id": c.customer_id,
            "owner_id": c.owner_id, "currency": c.currency, "total": str(c.total), "changed": sorted(changed),
            "updated_by": actor_id}, subject=c.id, license_id=c.license_id)

    def _status_event(self, s, c: Contract, before: str, actor_id: str, reason=None, *, reason_code=None,
                      **reason_params):
        """Record a status change: ``reason`` a person's own words, or ``reason_code`` (logic.STATUS_REASONS)
        and its parameters when the system made the change."""
        if reason_code is not None:
            reason = logic.STATUS_REASONS[reason_code].format(**reason_params)
        self._history(s, c, actor_id, "status_changed", from_status=before, to_status=c.status, reason=reason,
                      reason_code=reason_code, reason_params=reason_params or None)
        self.outbox.add(s, "contract.status_changed.v1", {
            "contract_id": c.id, "kind": c.kind, "number": c.number, "customer_id": c.customer_id,
            "owner_id": c.owner_id, "from_status": before, "to_status": c.status, "reason": reason,
            "reason_code": reason_code}, subject=c.id, license_id=c.license_id)

    def _columns(self, s, license_id) -> dict:
        """The license's custom columns by key: type, choices, label (what a contract's values are checked
        against, and what a contract type's PDF preview fills with sample values)."""
        return {c.key: {"type": c.type, "choices": list(c.choices or []), "label": c.label}
                for c in s.execute(select(CustomColumn).where(CustomColumn.license_id == license_id)).scalars()}

    def _column_list(self, s, license_id) -> list[dict]:
        """The license's custom columns as a list (key, type, choices, label): what templates' sample data is made
        of (pdf.sample_values)."""
        return [{"key": key, **column} for key, column in self._columns(s, license_id).items()]

    def _settings(self, s, license_id, *, named: bool = False) -> LicenseSettings | None:
        """The replica of the license's settings (license.updated.v1 keeps it), asked of identity when it is
        missing, or when ``named`` (its name wanted) and it predates the name: once, then kept like the rest."""
        row = s.get(LicenseSettings, license_id)
        if row is not None and not (named and row.name is None):
            return row
        try:
            remote = self.identity.license_settings(license_id)
        except (Unavailable, NotFound, Exception) as exc:  # noqa: BLE001 - fall back to defaults
            log.warning("license settings of %s unavailable: %s", license_id, exc)
            return row
        return self._apply_settings(s, license_id, remote.get("settings") or {}, remote.get("version", 0),
                                    remote.get("name"))

    def _company_country(self, s, license_id) -> str | None:
        """The country the company is established in: identity's license setting, in the replica
        (paraph_platform.company_country); for a license activated before it had one, the country of its company
        profile's address, which was read as the company's until then (a code, or a name typed before the lists);
        None for neither."""
        settings = self._settings(s, license_id)
        if settings is not None and settings.country:
            return settings.country
        profile = s.get(CompanyProfile, license_id)
        return (profile.address or {}).get("country") or None if profile is not None else None

    def _license_name(self, s, license_id) -> str:
        """The license's name (the replica's: see ``_settings``); "" while identity cannot tell it."""
        return license_name(self._settings(s, license_id, named=True))

    def _apply_settings(self, s, license_id, settings: dict, version: int, name: str | None = None):
        """Keep the license's settings and name as of ``version`` (an older version, arriving late, changes
        nothing; the same again changes nothing more)."""
        row = s.get(LicenseSettings, license_id)
        if row is None:
            row = LicenseSettings(license_id=license_id, version=-1)
            s.add(row)
        if version >= row.version:
            row.abandon_delay_days = int(settings.get("abandon_delay_days") or logic.DEFAULT_ABANDON_DAYS)
            row.locale = settings.get("default_locale") or "fr"
            row.currency = settings.get("currency") or "EUR"
            row.portal_attachments_visible_by_default = bool(settings.get("portal_attachments_visible_by_default"))
            row.country = company_country.known_code(settings.get("country"))
            row.version = version
            if name is not None:
                row.name = name
        s.flush()
        return row

    def _next_number(self, s, license_id: str, kind: str) -> str:
        year = utcnow().year
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

    def _new_owner(self, actor, model, row_id, owner_id):
        """The owner snapshot to store when ``owner_id`` changes the owner of the contract or deal (``model``)
        ``row_id``, None when it does not: an unchanged owner is not checked again (an ERP-imported document's owner
        is the service account that imported it, which identity does not list as a user; a user deactivated since
        keeps what they owned until another owner is chosen, and a form showing them saves its other fields).
        Resolved before the write's transaction: no RPC while it is open."""
        if owner_id is None:
            return None
        with self.db.session() as s:
            current = s.execute(select(model.owner_id).where(
                model.id == row_id, model.license_id == actor["license_id"])).scalar_one_or_none()
        return None if owner_id == current else self._owner(actor, owner_id)

    def _check_template(self, s, license_id, source, merge_fields, columns: list | None = None):
        """Refuse (422) a contract type's template that does not render on sample data (the license's custom
        ``columns`` included, read here unless given) or fetches anything but data: URLs and this license's assets:
        when it is saved, and before it is previewed (documents.py)."""
        columns = self._column_list(s, license_id) if columns is None else columns
        urls = offhub.run(pdf.check_template, source, merge_fields, columns)
        pdf.refuse_urls(pdf_sandbox.forbidden_urls(urls, self._assets(s, license_id, urls)))

    def _assets(self, s, license_id, urls) -> dict[str, pdf_sandbox.Asset]:
        """The license's assets the URLs name (another license's asset id is simply absent)."""
        names = pdf_sandbox.asset_names(urls)
        if not names:
            return {}
        rows = s.execute(select(Asset).where(Asset.license_id == license_id, Asset.id.in_(names))).scalars()
        return {a.id: pdf_sandbox.Asset(a.content, a.content_type) for a in rows}
