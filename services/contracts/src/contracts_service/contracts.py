"""Contracts and quotes (and the orders and invoices converted from quotes): create, list, read and edit
them with their lines, totals, custom column values and flags; duplicate a contract or quote, convert
a quote; the history of each; the internal read the portal and signing use. :func:`contract_detail`
is the full view every write answers with. Status changes are in :mod:`.contract_statuses`.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Numeric, case, cast, delete, func, literal, or_, select
from sqlalchemy.orm import aliased

from paraph_platform.actor import MANAGERS, STAFF_ROLES, SYSTEM, load_actor, require_role
from paraph_platform.envelope import iso
from paraph_platform.errors import article
from paraph_platform.pagination import Ordering, keyset_page, page_result
from paraph_platform.service import endpoint

from . import deals, logic
from .attachments import attachment_view
from .base import ContractsBase
from .customers import contact_view
from .exceptions import Conflict, InvalidInput, NotFound
from .milestones import milestone_view
from .models import (
    Attachment, Contact, Contract, ContractFlag, ContractType, Customer, Flag, History, Line, Milestone,
    Task,
)
from .schemas.contracts import ContractInSchema, ContractPatchSchema, ConvertSchema, ListSchema, TotalsInSchema
from .signatures import signature_pending
from .tasks import task_view


# what a user may change of a contract besides its status (and its lines and flags): what contract.updated.v1
# compares before and after a write (:func:`contract_state`)
EDITABLE_FIELDS = ("title", "contact_id", "owner_id", "currency", "locale", "data", "custom", "notes", "deal_ref",
                   "deal_id", "valid_until")
LINE_COLUMNS = (Line.product_code, Line.description, Line.quantity, Line.unit, Line.unit_price, Line.discount_pct,
                Line.tax_rate, Line.optional, Line.selected)


def _dec(value):
    return None if value is None else str(value)


def line_view(x: Line) -> dict:
    return {"id": x.id, "position": x.position, "product_code": x.product_code, "description": x.description,
            "quantity": _dec(x.quantity), "unit": x.unit, "unit_price": _dec(x.unit_price),
            "discount_pct": _dec(x.discount_pct), "tax_rate": _dec(x.tax_rate), "optional": x.optional,
            "selected": x.selected,
            "amount": _dec(logic.line_net(x.quantity, x.unit_price, x.discount_pct))}


def contract_summary(c: Contract, customer_name: str | None = None, flags=None) -> dict:
    return {"id": c.id, "kind": c.kind, "number": c.number, "title": c.title, "status": c.status,
            "customer_id": c.customer_id, "customer_name": customer_name, "contact_id": c.contact_id,
            "contract_type_id": c.contract_type_id, "owner_id": c.owner_id, "owner_name": c.owner_name,
            "currency": c.currency, "subtotal": _dec(c.subtotal), "tax_total": _dec(c.tax_total),
            "total": _dec(c.total), "flags": sorted(flags or []), "custom": dict(c.custom or {}),
            "portal_shared": c.portal_shared, "view_count": c.view_count, "download_count": c.download_count,
            "last_viewed_at": iso(c.last_viewed_at), "created_at": iso(c.created_at), "updated_at": iso(c.updated_at), "sent_at": iso(c.sent_at),
            "signed_at": iso(c.signed_at), "version": c.version, "deal_id": c.deal_id}


def converted_filter(converted: bool):
    """The quotes an order or an invoice was converted from (``converted``), or none yet: the documents made
    from them name them by ``source_id`` (a copy of a quote is a quote: it does not count)."""
    made = aliased(Contract)
    made_from = (select(made.id).where(made.source_id == Contract.id, made.kind.in_(("order", "invoice")))
                 .exists())
    return made_from if converted else ~made_from


def contract_list_order(p: dict):
    """(the order's name, its columns, the key of a (contract, customer name) row) of a contract list: the
    chosen sort, else the latest viewed first with ``viewed_since``, else the newest first; then the id
    (unique: the cursor's tie-break). By customer name, a customer's contracts stay together (its id next),
    and the name comes from the joined row."""
    if p["sort"]:
        name, descending = p["sort"], p["sort"].startswith("-")
        sort_key = p["sort"].lstrip("-")
        columns = ([Customer.name, Contract.customer_id] if sort_key == "customer_name"
                   else [getattr(Contract, sort_key)])
        order = [Ordering(column, descending) for column in columns]
    elif p["viewed_since"]:  # the filter (last_viewed_at >= since) leaves no NULL: the index serves any page
        name, order = "viewed", [Ordering(Contract.last_viewed_at, True, not_null=True)]
    else:
        name, order = "-created_at", [Ordering(Contract.created_at, True)]
    order.append(Ordering(Contract.id, True))

    def key(row):
        contract, customer_name = row
        return [customer_name if o.column is Customer.name else getattr(contract, o.column.key) for o in order]
    return name, order, key


def custom_value_filter(key: str, column: dict | None, value: str):
    """The condition "the custom column ``key`` holds ``value``" of a list. A number column's values compare as
    numbers ("1234.5" finds "1234.50"; not a number: 422); the others' as text (stored so, but booleans: "true"),
    whatever the case it is typed in ("cc-42" finds CC-42), both sides lowered by the database alike."""
    stored = Contract.custom[key].as_string()
    if column and column["type"] == "number":
        number = logic.custom_number_filter(value)
        return case((stored.regexp_match(logic.NUMBER_TEXT), cast(stored, Numeric)), else_=None) == number
    return func.lower(stored) == func.lower(literal(value))


def converted_into(s, c: Contract) -> list[dict]:
    """The orders and invoices made from the quote ``c``, the first made first (a copy of a quote is not one:
    ``converted_filter``'s rule). Signing reads it: a quote the customer ordered is not sent for signature."""
    if c.kind != "quote":
        return []
    made = s.execute(select(Contract.id, Contract.kind, Contract.number)
                     .where(Contract.license_id == c.license_id, Contract.source_id == c.id,
                            Contract.kind.in_(("order", "invoice")))
                     .order_by(Contract.created_at, Contract.id)).all()
    return [{"id": id_, "kind": kind, "number": number} for id_, kind, number in made]


def contract_lines(s, contract_id) -> list[Line]:
    """A contract's lines, in their order."""
    return s.execute(select(Line).where(Line.contract_id == contract_id).order_by(Line.position)).scalars().all()


def contract_flags(s, ids) -> dict:
    """{contract id: its flags' keys} of the contracts."""
    out = {i: [] for i in ids}
    if ids:
        for cid, key in s.execute(select(ContractFlag.contract_id, ContractFlag.key)
                                  .where(ContractFlag.contract_id.in_(ids))):
            out[cid].append(key)
    return out


def line_row(line: dict) -> tuple:
    """A line as given (loaded by LineInSchema: its numbers at their columns' precision, a default left as its
    text "0") in the shape :func:`contract_state` reads a stored one."""
    return tuple(Decimal(line[column.key]) if isinstance(column.type, Numeric) else line[column.key]
                 for column in LINE_COLUMNS)


def contract_state(s, c: Contract) -> dict:
    """What a user may change of the contract besides its status, as stored: its lines as their rows in the
    database (lines sent again with the same values, or rounded to the same, are no change) and its flags."""
    s.flush()
    lines = s.execute(select(*LINE_COLUMNS).where(Line.contract_id == c.id).order_by(Line.position)).all()
    return {**{key: getattr(c, key) for key in EDITABLE_FIELDS}, "lines": [tuple(x) for x in lines],
            "flags": sorted(contract_flags(s, [c.id])[c.id])}


def contract_detail(s, c: Contract, actor: dict | None = None) -> dict:
    """The full view of a contract (every read and write of one answers with it): its summary, lines and
    totals, contact, attachments, milestones, tasks, what the customer portal shows of it, and the statuses
    ``actor`` may move it to now (none for an internal read, without a person)."""
    customer = s.get(Customer, c.customer_id)
    view = contract_summary(c, customer.name if customer else None, contract_flags(s, [c.id])[c.id])
    lines = contract_lines(s, c.id)
    totals = logic.compute_totals(lines)
    pending = signature_pending(s, c.id)
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
        "signature_pending": pending,
        "converted_into": converted_into(s, c),
        "allowed_statuses": [] if actor is None else logic.next_statuses(  # change_status's rules
            c.kind, c.status, manager=actor["role"] in (*MANAGERS, SYSTEM), signature_pending=pending),
        "can_record_equipment": c.status in logic.BOUGHT_STATUSES.get(c.kind, ()),
    })
    view["portal"] = {
        "shared": c.portal_shared,
        "visible_attachments": sum(1 for a in view["attachments"] if a["portal_visible"]),
        "visible_milestones": sum(1 for m in view["milestones"] if m["portal_visible"]),
    }
    return view


class ContractsEndpoints(ContractsBase):
    """Contracts and quotes: their content, copies and history."""

    @endpoint(write=True)
    def create_contract(self, actor, payload):
        """Create a contract or a quote for a customer (from the account, one of its contacts or a deal)."""
        actor, data = self._caller_and_payload(actor, ContractInSchema, payload)
        where = self._where(actor)
        owner_id, owner_name, owner_email = self._owner(actor, data["owner_id"])
        with self.db.session() as s:
            if data["contact_id"]:
                contact = self._contact(s, actor, data["contact_id"], field="contact_id")
                if data["customer_id"] and data["customer_id"] != contact.customer_id:
                    raise InvalidInput("The contact belongs to another customer.",
                                       {"fields": {"contact_id": ["not a contact of this customer"]}})
                data["customer_id"] = contact.customer_id
            if data["deal_id"]:  # made from a deal: its customer, unless one was chosen (then it must match)
                deal, _name = self._deal(s, actor, data["deal_id"], where, lock=True,  # vs delete_deal: 404, not 500
                                         field="deal_id")
                deals.check_same_customer(deal, data["customer_id"] or deal.customer_id)
                data["customer_id"] = deal.customer_id
            customer = self._customer(s, actor, data["customer_id"], where, field="customer_id")
            ctype = None
            if data["contract_type_id"]:
                ctype = self._contract_type(s, actor, data["contract_type_id"], where, field="contract_type_id")
                if ctype.archived:
                    raise Conflict("This contract type is archived.")
                if ctype.kind != data["kind"]:
                    raise InvalidInput(f"This contract type is for {ctype.kind}s.",
                                       {"fields": {"contract_type_id": [f"a {ctype.kind} type"]}})
                logic.require_merge_fields(ctype.merge_fields or [], data["data"])
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
            self._created_event(s, c)
            s.flush()
            return contract_detail(s, c, actor)

    @endpoint
    def list_contracts(self, actor, params=None):
        """Contracts of customers the caller may see (perimeter filter compiled to SQL)."""
        actor, p = self._caller_and_payload(actor, ListSchema, params or {})
        where = self._where(actor)
        with self.db.session() as s:
            q = (select(Contract, Customer.name).join(Customer, Customer.id == Contract.customer_id)
                 .where(Contract.license_id == actor["license_id"], self._customer_filter(actor, where)))
            for key in ("kind", "customer_id", "owner_id", "contract_type_id", "deal_id"):
                if p[key]:
                    q = q.where(getattr(Contract, key) == p[key])
            if p["status"]:  # one status, or several: "accepted,validated"
                q = q.where(Contract.status.in_([status.strip() for status in p["status"].split(",")]))
            if p["q"]:
                like = f"%{p['q'].lower()}%"
                q = q.where(or_(func.lower(Contract.title).like(like), func.lower(Contract.number).like(like),
                                func.lower(Customer.name).like(like)))
            if p["flag"]:
                q = q.where(Contract.id.in_(select(ContractFlag.contract_id).where(ContractFlag.key == p["flag"])))
            if p["custom_column"] and p["custom_value"] is not None:
                column = self._columns(s, actor["license_id"]).get(p["custom_column"])
                q = q.where(custom_value_filter(p["custom_column"], column, p["custom_value"]))
            if p["updated_since"]:
                q = q.where(Contract.updated_at >= p["updated_since"])
            if p["viewed_since"]:  # "recently viewed online": the latest views first
                q = q.where(Contract.last_viewed_at >= p["viewed_since"])
            if p["converted"] is not None:
                q = q.where(converted_filter(p["converted"]))
            order_name, order, key = contract_list_order(p)
            page = keyset_page(s, q, order, limit=p["limit"], cursor=p["cursor"], offset=p["offset"],
                               count=p["count"] or p["with_total"], order_name=order_name, key=key)
            flags = contract_flags(s, [c.id for c, _ in page["rows"]])
            return page_result(page, [contract_summary(c, name, flags[c.id]) for c, name in page["rows"]])

    @endpoint
    def get_contract(self, actor, contract_id):
        actor = load_actor(actor)
        with self.db.session() as s:
            return contract_detail(s, self._contract(s, actor, contract_id), actor)

    @endpoint
    def compute_totals(self, actor, payload):
        """The totals lines would have, by the same rule as a saved quote's, without saving anything: the
        editor shows them while the salesperson types (one rule, never a second copy in the browser)."""
        require_role(load_actor(actor), *STAFF_ROLES)
        lines = TotalsInSchema().load(payload)["lines"]
        totals = logic.compute_totals(lines)
        return {"subtotal": _dec(totals.subtotal), "tax_total": _dec(totals.tax_total), "total": _dec(totals.total),
                "taxes": totals.taxes, "optional_total": _dec(totals.optional_total),
                "line_amounts": [_dec(logic.line_net(x["quantity"], x["unit_price"], x["discount_pct"]))
                                 for x in lines]}

    @endpoint(write=True)
    def update_contract(self, actor, contract_id, payload):
        """Edit a contract's details, lines, owner, custom columns or flags: published as contract.updated.v1
        and kept in its history, both naming what really changed. The same values again are a no-op answering
        the contract as it is: no event, no history entry, its version and updated_at stay."""
        actor, data = self._caller_and_payload(actor, ContractPatchSchema, payload)
        owner = self._new_owner(actor, Contract, contract_id, data.get("owner_id"))
        with self.db.session() as s:
            c = self._contract(s, actor, contract_id, lock=True)
            expected = data.pop("expected_version", None)
            if expected is not None and expected != c.version:
                raise Conflict("The contract was changed by someone else; reload it.",
                               {"version": c.version})
            content_keys = {"title", "data", "lines", "currency", "locale", "valid_until", "contact_id", "notes"}
            if content_keys & set(data) and c.status not in logic.EDITABLE:
                raise Conflict(f"{article(c.status)} {c.status} {c.kind} cannot be edited; duplicate it instead.")
            if content_keys & set(data) and signature_pending(s, c.id):
                raise Conflict("A signature request is under way on this document; cancel it before editing.")
            state = contract_state(s, c)
            if "contact_id" in data and data["contact_id"]:
                contact = self._contact(s, actor, data["contact_id"], field="contact_id")
                if contact.customer_id != c.customer_id:
                    raise InvalidInput("The contact belongs to another customer.")
            if data.get("deal_id"):
                deals.check_same_customer(self._deal(s, actor, data["deal_id"], lock=True, field="deal_id")[0],
                                          c.customer_id)
            if "custom" in data:
                data["custom"] = {**(c.custom or {}), **logic.check_custom_values(
                    self._columns(s, c.license_id), data["custom"])}
            if "flags" in data:
                self._set_flags(s, c, self._check_flags(s, c.license_id, data.pop("flags")))
            if "data" in data and c.contract_type_id:
                logic.require_merge_fields(s.get(ContractType, c.contract_type_id).merge_fields or [], data["data"])
            lines = data.pop("lines", None)
            data.pop("owner_id", None)
            for key, value in data.items():
                setattr(c, key, value)
            if owner is not None:
                c.owner_id, c.owner_name, c.owner_email = owner
            if lines is not None and [line_row(x) for x in lines] != state["lines"]:
                self._set_lines(s, c, lines)  # (the same lines again are not rewritten: they keep their ids)
            # what really changed, compared as stored: the one list the event and the history name
            changed = sorted(key for key, value in contract_state(s, c).items() if value != state[key])
            if not changed:  # the same values again: a no-op (no event, no history, the version stays)
                return contract_detail(s, c, actor)
            self._contract_updated_event(s, c, changed, actor["user_id"])
            if content_keys & set(changed) and c.status == "sent":
                before = c.status
                c.status = "draft"
                self._status_event(s, c, before, actor["user_id"], reason_code="edited_after_sending")
            self._touch(c)
            self._history(s, c, actor["user_id"], "updated", fields=changed)
            s.flush()
            return contract_detail(s, c, actor)

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
            self._created_event(s, c)
            s.flush()
            return contract_detail(s, c, actor)

    @endpoint(write=True)
    def convert(self, actor, contract_id, payload):
        """Create a customer order or an invoice from a quote."""
        actor, data = self._caller_and_payload(actor, ConvertSchema, payload)
        with self.db.session() as s:
            quote = self._contract(s, actor, contract_id)
            if quote.kind != "quote":
                raise Conflict("Only quotes are converted to orders and invoices.")
            if quote.status in ("refused", "abandoned", "draft"):
                raise Conflict(f"{article(quote.status)} {quote.status} quote cannot be converted.")
            target = self._copy(s, quote, actor, data["target"], quote.title, "draft")
            self._history(s, quote, actor["user_id"], "converted", target_kind=target.kind, target=target.number)
            self._touch(quote)  # a sync by updated_at learns it was converted
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
            return contract_detail(s, target, actor)

    @endpoint
    def history(self, actor, contract_id):
        actor = load_actor(actor)
        with self.db.session() as s:
            c = self._contract(s, actor, contract_id)
            entries = [{"at": iso(h.at), "actor_id": h.actor_id, "action": h.action, "details": h.details}
                       for h in s.execute(select(History).where(History.contract_id == c.id)
                                          .order_by(History.at, History.id)).scalars()]
        # who did it, named as the license's users are now; "system", a portal contact or a user who left the
        # license: no name (the page says who else it was)
        actor_ids = sorted({e["actor_id"] for e in entries} - {"system", "portal"})[:1000]
        users = self.identity.resolve_users(actor["license_id"], actor_ids) if actor_ids else {}
        names = {user_id: user.get("name") or user.get("email") for user_id, user in users.items()}
        return [{**e, "actor_name": names.get(e["actor_id"])} for e in entries]

    @endpoint
    def get_contract_internal(self, license_id, contract_id):
        """Internal: the full contract (portal, signing), no perimeter filter."""
        with self.db.session() as s:
            c = self._contract_by_id(s, license_id, contract_id, lock=False)
            if c is None:
                raise NotFound("Contract not found.")
            return contract_detail(s, c)

    def _created_event(self, s, c: Contract):
        self.outbox.add(s, "contract.created.v1", {
            "contract_id": c.id, "kind": c.kind, "number": c.number, "title": c.title,
            "customer_id": c.customer_id, "contract_type_id": c.contract_type_id, "owner_id": c.owner_id,
            "status": c.status}, subject=c.id, license_id=c.license_id)

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
        self._set_flags(s, c, contract_flags(s, [src.id])[src.id])
        lines = [{k: getattr(x, k) for k in ("product_code", "description", "quantity", "unit", "unit_price",
                                             "discount_pct", "tax_rate", "optional", "selected")}
                 for x in contract_lines(s, src.id)]
        if kind in ("order", "invoice"):
            # an order/invoice keeps what the customer took: optional products only if selected
            lines = [dict(x, optional=False) for x in lines if not x["optional"] or x["selected"]]
        self._set_lines(s, c, lines)
        return c

    def _set_lines(self, s, c: Contract, lines: list):
        s.execute(delete(Line).where(Line.contract_id == c.id))
        for position, line in enumerate(lines, start=1):
            s.add(Line(contract_id=c.id, position=position, **line))
        totals = logic.compute_totals(lines)
        c.subtotal, c.tax_total, c.total = totals.subtotal, totals.tax_total, totals.total

    def _check_flags(self, s, license_id, flags):
        known = {k for (k,) in s.execute(select(Flag.key).where(Flag.license_id == license_id))}
        unknown = [f for f in flags if f not in known]
        if unknown:
            raise InvalidInput("Unknown flags.", {"fields": {"flags": [f"unknown: {', '.join(unknown)}"]}})
        return sorted(set(flags))

    def _set_flags(self, s, c: Contract, flags):
        s.execute(delete(ContractFlag).where(ContractFlag.contract_id == c.id))
        s.add_all([ContractFlag(contract_id=c.id, key=k) for k in flags])
