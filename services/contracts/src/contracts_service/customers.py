"""Customers and their contacts: the customer file (staff create, list, read and edit it), its History
tab (staff edits and the clients' self-service, :class:`~.models.CustomerHistory`), the self-service
of portal clients (their own contact and company details, through the portal service), and the
internal reads other services name customers and contacts with.
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy import func, or_, select

from paraph_platform import phones
from paraph_platform.actor import MANAGERS, STAFF_ROLES, load_actor, require_role
from paraph_platform.db import utcnow
from paraph_platform.envelope import iso
from paraph_platform.errors import DeadlineExceeded
from paraph_platform.pagination import Ordering, keyset_page, page_result
from paraph_platform.idempotency import stable_id
from paraph_platform.service import endpoint

from . import logic
from .base import ContractsBase
from .exceptions import Conflict, Forbidden, InvalidInput, NotFound, Unavailable
from .models import Contact, Customer, CustomerHistory, CustomerScope
from .schemas.customers import (
    ClientCompanyUpdateSchema, ClientContactUpdateSchema, ContactInSchema, ContactPatchSchema, CustomerInSchema,
    CustomerListSchema, CustomerPatchSchema,
)

# the refusal of a plain user's deletion of a contact with a live portal access (the web app translates it)
PORTAL_CLIENT_DELETION = ("This contact has a client portal access: ask a license admin or a front user manager to "
                          "delete the contact, or to revoke the access first.")


def customer_view(c: Customer, perimeter_ids=None, contacts=None) -> dict:
    view = {"id": c.id, "kind": c.kind, "code": c.code, "name": c.name, "email": c.email, "phone": c.phone,
            "address": dict(c.address or {}), "vat_number": c.vat_number,
            "registration_number": c.registration_number, "locale": c.locale,
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


class CustomersEndpoints(ContractsBase):
    """Customers, contacts, the customer history and the clients' self-service."""

    # -- the country their phone numbers are read in (paraph_platform.phones) ---------------------------

    def _phone_country(self, license_id: str, sent=None, visible_to: dict | None = None,
                       **customer) -> Callable[[], str]:
        """The country the numbers of a payload about a customer (its file, its contacts) written without their
        country code are read in, for ``phones.read_in`` (and its company number: a SIREN or SIRET in France): the address's country the payload sends (``sent``),
        else the stored customer's (``customer``: its ``id`` or ``code``, or a ``contact_id`` of theirs), else the
        company's (the license's country: paraph_platform.company_country), else France. The database is read only
        when such a number is loaded. ``visible_to``: the caller, whose perimeters a stored customer must be in (one
        they may not see is read as none: a refusal does not say where a customer they cannot see is)."""
        address = sent.get("address") if isinstance(sent, dict) else None

        def country() -> str:
            with self.db.session() as s:
                if isinstance(address, dict) and "country" in address:  # the country given replaces the stored one
                    own = address["country"]
                else:
                    where = self._customer_filter(visible_to) if visible_to is not None else None
                    own = (self._stored_address(s, license_id, where, **customer) or {}).get("country")
                return phones.reading_country(own, self._company_country(s, license_id))
        return country

    @staticmethod
    def _stored_address(s, license_id: str, where=None, id=None, code=None, contact_id=None) -> dict | None:
        """The stored address of the customer of that id, of that code, or of that contact (and ``where``, a
        condition on it); None for none."""
        q = select(Customer.address).where(Customer.license_id == license_id, *([where] if where is not None else []))
        if contact_id is not None:
            q = q.join(Contact, Contact.customer_id == Customer.id).where(Contact.id == str(contact_id))
        elif id is not None:
            q = q.where(Customer.id == str(id))
        elif code is not None:
            q = q.where(Customer.code == str(code))
        else:
            return None
        return s.execute(q.limit(1)).scalar_one_or_none()

    def _load_with_phones(self, actor, schema, payload, **customer) -> tuple[dict, dict]:
        """_caller_and_payload, the payload's phone numbers read in their customer's country (_phone_country)."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with phones.read_in(self._phone_country(actor["license_id"], payload, actor, **customer)):
            return actor, schema().load(payload)

    def _customer_history(self, s, customer: Customer, actor: dict, action: str, kind: str = "staff", **details):
        """One line of the customer file's History tab (staff edits and the clients' self-service)."""
        s.add(CustomerHistory(license_id=customer.license_id, customer_id=customer.id, actor_id=actor["user_id"],
                              actor_name=actor.get("name") or actor.get("email") or "", actor_kind=kind,
                              action=action, details={k: v for k, v in details.items() if v is not None}))

    def _customer_updated(self, s, c: Customer, changed: set[str], actor_id: str):
        """customer.updated.v1: the customer as it is now and the fields the change touched."""
        self.outbox.add(s, "customer.updated.v1", {"customer_id": c.id, "name": c.name, "kind": c.kind, "code": c.code,
                                                   "changed": sorted(changed), "updated_by": actor_id},
                        subject=c.id, license_id=c.license_id)

    def _contact_event(self, s, x: Contact, event_type: str, **extra):
        """contact.created.v1 / contact.updated.v1: the contact as it is now (flushed: its id and defaults set),
        and ``extra`` (who, what changed)."""
        self.outbox.add(s, event_type, {"customer_id": x.customer_id, "contact_id": x.id, "first_name": x.first_name,
                                        "last_name": x.last_name, "email": x.email, **extra},
                        subject=x.id, license_id=x.license_id)

    @endpoint(write=True)
    def create_customer(self, actor, payload):
        """A customer created by a user inherits all the user's perimeters."""
        actor, data = self._load_with_phones(actor, CustomerInSchema, payload)
        return self._new_customer(actor, data)

    def _new_customer(self, actor: dict, data: dict, purpose: str = "customer") -> dict:
        """Create a customer (``data`` as CustomerInSchema loads it) with its contacts: it inherits all the
        caller's perimeters. ``purpose`` names it among the customers one call creates (see stable_id)."""
        data = dict(data)
        contacts = data.pop("contacts")
        with self.db.session() as s:
            if data["code"] and s.execute(select(Customer.id).where(Customer.license_id == actor["license_id"],
                                                                    Customer.code == data["code"])).first():
                raise Conflict(f"Customer code {data['code']} is already used.",
                               {"fields": {"code": ["already used"]}})
        # sent to perimeter before our commit: a redelivery must send the same id (see paraph_platform.idempotency)
        customer_id = stable_id(self.ctx, purpose)
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
            for x in rows:
                self._contact_event(s, x, "contact.created.v1", created_by=actor["user_id"])
            return customer_view(c, inherited["perimeter_ids"], rows)

    @endpoint
    def list_customers(self, actor, params=None):
        actor, p = self._caller_and_payload(actor, CustomerListSchema, params or {})
        with self.db.session() as s:
            q = select(Customer).where(self._customer_filter(actor))
            if p["q"]:
                like = f"%{p['q'].lower()}%"
                q = q.where(or_(func.lower(Customer.name).like(like), func.lower(Customer.code).like(like)))
            if p["kind"]:
                q = q.where(Customer.kind == p["kind"])
            if p["code"]:
                q = q.where(Customer.code == p["code"])
            if p["updated_since"]:
                q = q.where(Customer.updated_at >= p["updated_since"])
            if p["perimeter_id"]:
                q = q.where(Customer.id.in_(select(CustomerScope.customer_id)
                                            .where(CustomerScope.perimeter_id == p["perimeter_id"])))
            if p["without_perimeter"]:  # the replica's '' row: in no perimeter
                q = q.where(Customer.id.in_(select(CustomerScope.customer_id).where(CustomerScope.perimeter_id == "")))
            descending = p["sort"].startswith("-")
            order = [Ordering(getattr(Customer, p["sort"].lstrip("-")), descending), Ordering(Customer.id, descending)]
            page = keyset_page(s, q, order, limit=p["limit"], cursor=p["cursor"], offset=p["offset"],
                               count=p["count"], order_name=p["sort"])
            rows = [c for c, in page["rows"]]
            scopes = self._scope_ids(s, CustomerScope, "customer_id", [c.id for c in rows])
            return page_result(page, [customer_view(c, scopes[c.id]) for c in rows])

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
        existed have none: visible to all and editable). Published as customer.updated.v1 when it changes.
        The address is merged into the stored one (JSON merge patch): the lines given replace those lines, a
        line given null is removed, the others stay."""
        actor, data = self._load_with_phones(actor, CustomerPatchSchema, payload, id=customer_id)
        with self.db.session() as s:
            c = self._customer(s, actor, customer_id)
            if "code" in data and data["code"] != c.code and s.execute(select(Customer.id).where(
                    Customer.license_id == c.license_id, Customer.code == data["code"])).first():
                raise Conflict(f"Customer code {data['code']} is already used.")
            # the address's lines as sent (a null line is a removal, to None) are the changes to it
            changes = logic.field_changes(customer_view(c), {k: v for k, v in data.items() if k != "notes"})
            # the notes' text is not copied into the history, only that they changed (a form sends them unchanged)
            notes_changed = "notes" in data and data["notes"] != c.notes
            if "address" in data:
                data["address"] = logic.merge_patch(c.address or {}, data["address"])
            for key, value in data.items():
                setattr(c, key, value)
            changed = logic.changed_fields(changes) | ({"notes"} if notes_changed else set())
            if changed:  # the same values again change nothing: no history, no event, not even the update time
                c.updated_at = utcnow()
                self._customer_history(s, c, actor, "customer_updated", changes=changes,
                                       notes_changed=notes_changed or None)
                self._customer_updated(s, c, changed, actor["user_id"])
            return customer_view(c, self._scope_ids(s, CustomerScope, "customer_id", [c.id])[c.id])

    @endpoint(write=True)
    def set_customer_perimeters(self, actor, customer_id, payload):
        """Front user managers and license admins change a customer's perimeters (policy decides)."""
        return self._set_perimeters(actor, "customer", customer_id, payload)

    @endpoint(write=True)
    def add_contact(self, actor, customer_id, payload):
        actor, data = self._load_with_phones(actor, ContactInSchema, payload, id=customer_id)
        with self.db.session() as s:
            c = self._customer(s, actor, customer_id)
            x = Contact(license_id=c.license_id, customer_id=c.id, **data)
            s.add(x)
            s.flush()
            self._customer_history(s, c, actor, "contact_added", contact_id=x.id, contact_name=contact_view(x)["name"])
            self._contact_event(s, x, "contact.created.v1", created_by=actor["user_id"])
            return contact_view(x)

    @endpoint
    def get_contact(self, actor, contact_id):
        actor = load_actor(actor)
        with self.db.session() as s:
            x = self._contact(s, actor, contact_id)
            c = s.get(Customer, x.customer_id)
            return {**contact_view(x), "customer_name": c.name}

    @endpoint(write=True)
    def update_contact(self, actor, contact_id, payload):
        actor, data = self._load_with_phones(actor, ContactPatchSchema, payload, contact_id=contact_id)
        with self.db.session() as s:
            x = self._contact(s, actor, contact_id)
            changes = logic.field_changes(contact_view(x), data)
            for key, value in data.items():
                setattr(x, key, value)
            if changes:  # the same values again change nothing: no history, no event, not even the update time
                x.updated_at = utcnow()
                self._customer_history(s, s.get(Customer, x.customer_id), actor, "contact_updated",
                                       contact_id=x.id, contact_name=contact_view(x)["name"], changes=changes)
                self._contact_event(s, x, "contact.updated.v1", changed=sorted(logic.changed_fields(changes)),
                                    updated_by=actor["user_id"])
            return contact_view(x)

    @endpoint(write=True)
    def delete_contact(self, actor, contact_id):
        """Delete a contact: kept in the customer's history and published as contact.deleted.v1 (portal revokes
        the contact's portal access). A retried call (same key) replays this answer, a refusal included; a later
        one is a 404. A contact with a portal access is deleted by those who may revoke it (see below)."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        if actor["role"] not in MANAGERS:
            with self.db.session() as s:
                self._contact(s, actor, contact_id)  # outside the perimeter: a 404 before portal is asked
            self._check_no_portal_access(actor, contact_id)
        with self.db.session() as s:
            x = self._contact(s, actor, contact_id)
            c = s.get(Customer, x.customer_id)
            self._customer_history(s, c, actor, "contact_deleted", contact_id=x.id,
                                   contact_name=contact_view(x)["name"])
            self.outbox.add(s, "contact.deleted.v1", {
                "license_id": c.license_id, "customer_id": c.id, "contact_id": x.id, "deleted_by": actor["user_id"],
                "deleted_at": iso(utcnow())}, subject=x.id, license_id=c.license_id)
            s.delete(x)
        return {"deleted": True}

    def _check_no_portal_access(self, actor, contact_id):
        """Deleting a contact revokes their portal access, which only license admins and front user managers may
        do (identity's deactivate_user): a plain user may delete a contact whose access is revoked or who never
        had one, not one whose access is live (invited or active). Portal unreachable: a 503, not a guess."""
        try:
            status = self.portal.access_status_internal(actor["license_id"], contact_id)["status"]
        except (Unavailable, DeadlineExceeded) as exc:
            raise Unavailable("The client portal cannot say now whether this contact has a portal access; "
                              "try again shortly.") from exc
        if status in ("invited", "active"):
            raise Forbidden(PORTAL_CLIENT_DELETION, {"portal_access": status})

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

    @endpoint
    def get_contacts_internal(self, license_id, contact_ids):
        if not isinstance(contact_ids, list) or len(contact_ids) > 1000:
            raise InvalidInput("contact_ids must be a list of at most 1000 ids")
        with self.db.session() as s:
            rows = s.execute(select(Contact, Customer.name, Customer.address)
                             .join(Customer, Customer.id == Contact.customer_id).where(
                Contact.license_id == license_id, Contact.id.in_(contact_ids))).all()
            company = self._company_country(s, license_id) if rows else None
            # the number their SMS go to (signing's one-time codes), in E.164: their mobile, else their phone, read
            # in their customer's country, else the company's, else France (paraph_platform.phones)
            return {x.id: {**contact_view(x), "customer_name": name, "sms_phone": phones.sms_number(
                        x.mobile, x.phone, country=phones.reading_country((address or {}).get("country"), company))}
                    for x, name, address in rows}

    @endpoint
    def phone_country_internal(self, license_id, customer_id=None):
        """Internal (signing): the country a phone number written without its country code is read in, for the
        people of a customer (``customer_id``) or, without one, for the license's own and anybody else: the
        customer's address country, else the company's (the license's country), else France
        (paraph_platform.phones)."""
        customer = {"id": customer_id} if customer_id else {}
        return {"country": self._phone_country(license_id, **customer)()}

    # -- the clients' self-service (portal) ------------------------------------------------------

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
        with phones.read_in(self._phone_country(license_id, id=customer_id)):
            wanted = ClientContactUpdateSchema().load(payload or {})
        return self._apply_client_update(license_id, customer_id, contact_id, by, "contact", wanted)

    @endpoint(write=True)
    def apply_client_company_update(self, license_id, customer_id, contact_id, by, payload):
        """Internal (portal): a portal client changes their company's address, phone or email."""
        with phones.read_in(self._phone_country(license_id, payload, id=customer_id)):
            wanted = ClientCompanyUpdateSchema().load(payload or {})
        return self._apply_client_update(license_id, customer_id, contact_id, by, "company", wanted)

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
                    wanted = {**wanted, "address": logic.merge_patch(c.address or {}, wanted["address"])}
                changes = logic.field_changes(customer_view(c), wanted)
                for key, value in wanted.items():
                    setattr(c, key, value)
            if changes:  # the same values again change nothing, not even the update time
                (x if target == "contact" else c).updated_at = utcnow()
                contact_name = contact_view(x)["name"]
                self._customer_history(s, c, client, f"self_service_{target}", kind="client", contact_id=x.id,
                                       contact_name=contact_name, changes=changes)
                self.outbox.add(s, "customer.self_updated.v1", {
                    "customer_id": c.id, "customer_name": c.name, "owner_id": c.created_by,  # a customer's owner is its creator
                    "contact_id": x.id,
                    "contact_name": contact_name, "target": target, "changes": changes,
                    "by_user_id": client["user_id"], "at": iso(utcnow())}, subject=c.id, license_id=c.license_id)
            s.flush()
            return {**self._client_profile(c, x), "changes": changes}
