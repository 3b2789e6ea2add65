"""Client accesses: staff give a customer's contact access to the portal (role Client: identity creates the
membership and emails the invitation; the access is mirrored here as a ClientAccess row), change, revoke or
re-invite it, and list the license's portal clients; identity's user.activated / user.deactivated events keep
the mirrored status up to date, and contracts' contact.deleted revokes a deleted contact's access.
"""
from __future__ import annotations

from sqlalchemy import func, or_, select

from paraph_platform.actor import CLIENT, MANAGERS, system_actor
from paraph_platform.db import utcnow
from paraph_platform.events import subscribe
from paraph_platform.inbox import first_time, handled_once
from paraph_platform.pagination import Ordering, keyset_page, page_result
from paraph_platform.service import endpoint

from . import logic, schemas
from .base import UNAVAILABLE, PortalBase, access_view
from .exceptions import Conflict, Forbidden, InvalidInput, NotFound
from .models import ClientAccess, Inbox


# the clients list's order, ending with the unique id (the cursor's keyset; index ix_access_license_company_name).
# No company sorts as "" (first): a NOT NULL key is an index range for any page, where NULLs last is an OR
# PostgreSQL cannot seek (280 ms in the middle of 100,000 clients, 0.3 ms at either end)
CLIENTS_ORDER = [Ordering(func.lower(func.coalesce(ClientAccess.company, "")), not_null=True),
                 Ordering(ClientAccess.name), Ordering(ClientAccess.id)]


# a plain user's revocation of a portal access (the web app offers it to managers only, and translates this)
REVOKE_REFUSED = "Only a license admin or a front user manager can revoke a client portal access."


class ClientAccessesEndpoints(PortalBase):
    """A contact's portal access (staff), and identity's status events."""

    @endpoint(write=True)
    def grant_access(self, actor, contact_id, payload):
        """Give a contact of a customer portal access (role Client): user code, email (the contact's
        by default), company (the customer's name by default), optional IP and branch restrictions.
        identity creates the membership and emails a set-password invitation."""
        actor = self._staff(actor)
        data = schemas.GrantAccessSchema().load(payload or {})
        contact = self.contracts.get_contact(actor, contact_id)  # 404 outside the caller's perimeter
        email = (data["email"] or contact.get("email") or "").strip().lower()
        if not email:
            raise InvalidInput("This contact has no email address: give the email the client signs in with.",
                               {"fields": {"email": ["Missing data for required field."]}})
        company = logic.clean_label(data["company"]) or contact.get("customer_name")
        branch = logic.clean_label(data["branch"])
        with self.db.session() as s:
            mine = self._access(s, actor["license_id"], contact_id)
            if mine is not None and mine.status != "deactivated" and mine.email != email:
                raise Conflict(f"This contact already has a portal access with {mine.email}; change it or "
                               "deactivate it first.", {"fields": {"email": ["the contact already has an access"]}})
            other = s.execute(select(ClientAccess).where(
                ClientAccess.license_id == actor["license_id"], ClientAccess.email == email,
                ClientAccess.contact_id != contact_id, ClientAccess.status != "deactivated")).scalars().first()
            if other is not None:
                raise Conflict(f"{email} already gives portal access to another contact "
                               f"({other.name or other.contact_id}).",
                               {"fields": {"email": ["used by another contact's access"]}})
        member = self.identity.grant_client_access(actor, {
            "email": email, "name": contact.get("name") or "", "user_code": data["user_code"],
            "contact_id": contact_id, "customer_id": contact["customer_id"], "company": company,
            "allowed_ip": str(data["allowed_ip"]) if data["allowed_ip"] is not None else None, "branch": branch,
            "locale": data["locale"] or self._customer_language(actor, contact["customer_id"]),
            "send_email": data["send_email"]})
        with self.db.session() as s:
            a = self._access(s, actor["license_id"], contact_id)
            if a is None:
                a = ClientAccess(license_id=actor["license_id"], contact_id=contact_id)
                s.add(a)
            a.customer_id, a.user_id, a.email = contact["customer_id"], member["user_id"], member["email"]
            a.name = member.get("name") or contact.get("name") or ""
            a.user_code, a.company, a.branch = member["user_code"], member["company"], member["branch"]
            a.allowed_ip, a.locale, a.status = member["allowed_ip"], member.get("locale") or "fr", member["status"]
            a.granted_by, a.updated_at = actor["user_id"], utcnow()
            s.flush()
            return access_view(a)

    def _customer_language(self, actor, customer_id: str) -> str:
        """The language of the customer's documents (its own, else the license's default): its contact's invitation
        and portal speak it, as the quotes she receives do (an English customer's contact read a French email)."""
        locale = self.contracts.get_customer(actor, customer_id).get("locale") or (
            self._license_settings(actor["license_id"]).get("settings") or {}).get("default_locale")
        return locale if locale in logic.LOCALES else logic.DEFAULT_LOCALE

    def _known_access(self, s, actor, contact_id, *, deleted_contact: bool = False) -> ClientAccess:
        """The contact's access, the contact seen through the caller's perimeter (404 outside it). With
        ``deleted_contact``, that of a contact deleted since too (revoked with it, ``on_contact_deleted``): its
        customer is then what the caller must see; a deleted contact who never had an access stays a 404."""
        try:
            self.contracts.get_contact(actor, contact_id)  # perimeter check
        except NotFound:
            a = self._access(s, actor["license_id"], contact_id) if deleted_contact else None
            if a is None:
                raise
            self.contracts.get_customer(actor, a.customer_id)  # a contact is visible exactly when its customer is
            return a
        a = self._access(s, actor["license_id"], contact_id)
        if a is None:
            raise NotFound("This contact has no portal access.")
        return a

    @endpoint
    def get_access(self, actor, contact_id):
        """The contact's access; that of a deleted contact too (deactivated with it): what they had stays readable."""
        actor = self._staff(actor)
        with self.db.session() as s:
            a = self._known_access(s, actor, contact_id, deleted_contact=True)
            try:  # refresh the mirrored status (activation happens in identity)
                member = self.identity.resolve_users(actor["license_id"], [a.user_id]).get(a.user_id)
            except UNAVAILABLE:
                member = None
            if member and member.get("role") == CLIENT and member.get("status") != a.status:
                a.status = member["status"]
            return access_view(a)

    @endpoint
    def access_status_internal(self, license_id, contact_id):
        """Whether a contact has a portal access, and its status (contracts asks before a plain user deletes the
        contact: that revokes the access, which only managers may do). The caller checked the perimeter."""
        with self.db.session() as s:
            a = self._access(s, license_id, contact_id)
            return {"status": a.status if a is not None else None}

    @endpoint(write=True)
    def update_access(self, actor, contact_id, payload):
        """Change a client's company, IP restriction, branch restriction or user code."""
        actor = self._staff(actor)
        data = schemas.UpdateAccessSchema().load(payload or {})
        if not data:
            raise InvalidInput("Nothing to change.")
        if "allowed_ip" in data and data["allowed_ip"] is not None:
            data["allowed_ip"] = str(data["allowed_ip"])
        for key in ("company", "branch"):
            if key in data:
                data[key] = logic.clean_label(data[key])
        with self.db.session() as s:
            a = self._known_access(s, actor, contact_id)
            member = self.identity.update_client_access(actor, a.user_id, data)
            for key in ("user_code", "company", "branch", "allowed_ip"):
                setattr(a, key, member.get(key))
            a.updated_at = utcnow()
            return access_view(a)

    @endpoint(write=True)
    def revoke_access(self, actor, contact_id):
        """Deactivate a client's portal access (their sessions end; shares stop showing to them). License admins
        and front user managers only, as identity's deactivate_user, which it calls: said here in words."""
        actor = self._staff(actor)
        if actor["role"] not in MANAGERS:
            raise Forbidden(REVOKE_REFUSED)
        with self.db.session() as s:
            a = self._known_access(s, actor, contact_id)
            self._deactivate(actor, a)
            return access_view(a)

    def _deactivate(self, actor, a: ClientAccess):
        """Revoke an access, if still active: identity deactivates the client's membership (their sessions end)."""
        if a.status != "deactivated":
            self.identity.deactivate_user(actor, a.user_id)
            a.status, a.updated_at = "deactivated", utcnow()

    @endpoint(write=True)
    def resend_access_invitation(self, actor, contact_id):
        actor = self._staff(actor)
        with self.db.session() as s:
            a = self._known_access(s, actor, contact_id)
            if a.status != "invited":
                raise Conflict(f"This access is {a.status}; only pending invitations can be re-sent.")
            self.identity.resend_invitation(actor, a.user_id)
            return access_view(a)

    @endpoint
    def list_accesses(self, actor, customer_id):
        """Portal clients of a customer (Settings > Client portal > Client portal contacts)."""
        actor = self._staff(actor)
        self.contracts.get_customer(actor, customer_id)  # perimeter check
        with self.db.session() as s:
            rows = s.execute(select(ClientAccess).where(ClientAccess.license_id == actor["license_id"],
                                                        ClientAccess.customer_id == customer_id)
                             .order_by(ClientAccess.company, ClientAccess.name)).scalars().all()
            return [access_view(a) for a in rows]

    @endpoint
    def list_clients(self, actor, params=None):
        """The license's portal clients with their customer (Settings > Client portal > Client portal contacts),
        filtered in SQL; a user who is not a license admin sees those of the customers of their perimeters."""
        actor = self._staff(actor)
        p = schemas.ClientListSchema().load(params or {})
        conds = [ClientAccess.license_id == actor["license_id"]]
        if p["q"]:
            like = f"%{p['q'].lower()}%"
            conds.append(or_(*(func.lower(col).like(like) for col in (ClientAccess.name, ClientAccess.email,
                                                                       ClientAccess.user_code, ClientAccess.company))))
        if p["status"]:
            conds.append(ClientAccess.status == p["status"])
        if p["company"]:
            conds.append(func.lower(ClientAccess.company) == logic.norm(p["company"]))
        if p["customer_id"]:
            conds.append(ClientAccess.customer_id == p["customer_id"])
        with self.db.session() as s:
            customer_ids = [i for (i,) in s.execute(select(ClientAccess.customer_id).where(*conds).distinct())]
        # the perimeter filter is contracts' (SQL over its scope replica): it answers which of these customers
        # the caller sees, with their names
        names = self.contracts.visible_customers(actor, customer_ids)["names"] if customer_ids else {}
        conds.append(ClientAccess.customer_id.in_(list(names)))
        with self.db.session() as s:
            # the sort key is selected: the cursor holds the database's lower(), not Python's
            q = select(ClientAccess, CLIENTS_ORDER[0].column.label("sort_company")).where(*conds)
            page = keyset_page(s, q, CLIENTS_ORDER, limit=p["limit"], cursor=p["cursor"], offset=p["offset"],
                               count=p["count"], order_name="clients",
                               key=lambda row: [row.sort_company, row[0].name, row[0].id])
            return page_result(page, [{**access_view(a), "customer_name": names.get(a.customer_id, "")}
                                      for a, _ in page["rows"]])

    @subscribe("contracts", "contact.deleted.v1")
    @handled_once(Inbox, "portal.on_contact_deleted")
    def on_contact_deleted(self, s, event):
        """A deleted contact loses their portal access, as revoke_access does (identity deactivates the client's
        membership: their sessions end), and the access records when (the shares naming them say so). Once per
        event; a contact without an access: nothing."""
        data = event["data"]
        a = self._access(s, data["license_id"], data["contact_id"])
        if a is not None:
            self._deactivate(system_actor(data["license_id"]), a)
            a.contact_deleted_at = a.contact_deleted_at or utcnow()

    @subscribe("identity", "user.activated.v1")
    def on_user_activated(self, event):
        self._mirror_status(event, "active", "portal.on_user_activated")

    @subscribe("identity", "user.deactivated.v1")
    def on_user_deactivated(self, event):
        self._mirror_status(event, "deactivated", "portal.on_user_deactivated")

    def _mirror_status(self, event, status, consumer):
        data = event["data"]
        if data.get("role") != CLIENT:
            return
        with self.db.session() as s:
            if not first_time(s, Inbox, event["id"], consumer):
                return
            for a in s.execute(select(ClientAccess).where(ClientAccess.license_id == data["license_id"],
                                                          ClientAccess.user_id == data["user_id"])).scalars():
                if status == "active" and a.status == "deactivated":
                    continue  # an old activation arriving after a deactivation
                a.status, a.updated_at = status, utcnow()
