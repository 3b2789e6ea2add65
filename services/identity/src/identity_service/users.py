"""Users and their memberships of a license: the staff list and the colleagues list, a user's details for
managers and other services, role and status changes (deactivation frees the seat and ends the sessions;
at least one active license admin remains), portal access for a customer's contacts (role Client, with
user code, IP and branch restrictions), and the signed-in person's own profile and preferences."""
from __future__ import annotations

from sqlalchemy import func, or_, select

from paraph_platform import phones
from paraph_platform.actor import CLIENT, LICENSE_ADMIN, MANAGERS, STAFF_ROLES, SYSTEM, load_actor, require_role, require_staff
from paraph_platform.db import utcnow
from paraph_platform.pagination import Ordering, keyset_page, page_result
from paraph_platform.service import endpoint

from . import logic, schemas
from .base import IdentityServiceBase, member_view, set_phone, sms_phone
from .exceptions import Conflict, Forbidden, InvalidInput, NotFound
from .models import License, Membership, ServiceAccount, Token, User

# list orders, each ending with the unique id (the keyset of the cursor)
USERS_ORDER = [Ordering(User.email), Ordering(User.id)]
COLLEAGUES_ORDER = [Ordering(func.lower(User.name), not_null=True), Ordering(User.email), Ordering(User.id)]


class UsersEndpoints(IdentityServiceBase):
    @endpoint
    def list_users(self, actor, params=None):
        actor = require_role(load_actor(actor), *MANAGERS)
        p = schemas.ListUsersSchema().load(params or {})
        with self.db.session() as s:
            q = select(User, Membership).join(Membership, Membership.user_id == User.id).where(
                Membership.license_id == actor["license_id"])
            if p["role"]:
                q = q.where(Membership.role == p["role"])
            if p["staff"]:
                q = q.where(Membership.role.in_(STAFF_ROLES))
            if p["status"]:
                q = q.where(Membership.status == p["status"])
            if p["q"]:
                like = f"%{p['q'].lower()}%"
                q = q.where(or_(User.email.like(like), func.lower(User.name).like(like)))
            page = keyset_page(s, q, USERS_ORDER, limit=p["limit"], cursor=p["cursor"], offset=p["offset"],
                               count=p["count"], order_name="users")
            return page_result(page, [member_view(u, m) for u, m in page["rows"]])

    @endpoint
    def list_colleagues(self, actor, params=None):
        """The active staff of the caller's license, name and email only: whom a salesperson may add as an
        approver or signer (the full user list, with roles and statuses, stays for managers)."""
        actor = require_staff(load_actor(actor))
        p = schemas.ListColleaguesSchema().load(params or {})
        with self.db.session() as s:
            # the sort key is selected: the cursor holds the database's lower(), not Python's
            q = select(User, COLLEAGUES_ORDER[0].column.label("sort_name")).join(
                Membership, Membership.user_id == User.id).where(
                Membership.license_id == actor["license_id"], Membership.status == "active",
                Membership.role.in_(STAFF_ROLES))
            if p["q"]:
                like = f"%{p['q'].lower()}%"
                q = q.where(or_(User.email.like(like), func.lower(User.name).like(like)))
            page = keyset_page(s, q, COLLEAGUES_ORDER, limit=p["limit"], cursor=p["cursor"], offset=p["offset"],
                               count=p["count"], order_name="colleagues",
                               key=lambda row: [row.sort_name, row[0].email, row[0].id])
            return page_result(page, [{"user_id": u.id, "name": u.name or u.email, "email": u.email}
                                      for u, _ in page["rows"]])

    @endpoint
    def get_user(self, actor, user_id):
        actor = load_actor(actor)
        if actor["user_id"] != user_id:
            require_role(actor, *MANAGERS)
        with self.db.session() as s:
            user, m = self._visible_membership(s, actor, user_id)
            return member_view(user, m)

    @endpoint
    def resolve_users(self, license_id, user_ids):
        """Internal: contact details of users of a license (for notifications, owner display), with the number their
        SMS go to in E.164 (``sms_phone``: base.sms_phone)."""
        if not isinstance(user_ids, list) or len(user_ids) > 1000:
            raise InvalidInput("user_ids must be a list of at most 1000 ids")
        with self.db.session() as s:
            rows = s.execute(select(User, Membership).join(Membership, Membership.user_id == User.id).where(
                Membership.license_id == license_id, User.id.in_(user_ids))).all()
            return {u.id: {**member_view(u, m), "preferences": dict(m.preferences or {}), "sms_phone": sms_phone(u)}
                    for u, m in rows}

    @endpoint
    def known_users_internal(self, license_id, user_ids):
        """Internal (perimeter's vouching): those of the ids that may hold perimeters in the license, its users
        and its service accounts (whose keys act as users), so that a perimeter assignment made right after
        either is created does not wait for the creation event."""
        if not isinstance(user_ids, list) or len(user_ids) > 1000 or not all(isinstance(i, str) for i in user_ids):
            raise InvalidInput("user_ids must be a list of at most 1000 ids")
        with self.db.session() as s:
            members = s.execute(select(Membership.user_id).where(
                Membership.license_id == license_id, Membership.user_id.in_(user_ids))).scalars()
            accounts = s.execute(select(ServiceAccount.id).where(
                ServiceAccount.license_id == license_id, ServiceAccount.id.in_(user_ids))).scalars()
            return {"ids": sorted({*members, *accounts})}

    @endpoint(write=True)
    def update_member(self, actor, user_id, payload):
        actor = require_role(load_actor(actor), *MANAGERS)
        country = self._phone_country(actor["license_id"])
        with phones.read_in(country):
            data = schemas.UpdateMemberSchema().load(payload)
        with self.db.session() as s:
            lic, pool = self._license(s, actor["license_id"])
            user, m = self._visible_membership(s, actor, user_id)
            if not logic.can_manage(actor["role"], m.role) or (
                    "role" in data and not logic.can_manage(actor["role"], data["role"])):
                raise Forbidden("You cannot change this user's role.")
            if m.role == CLIENT and "role" in data:
                raise Conflict("A portal client cannot be given a staff role; invite the person as a user.")
            if data.get("role") and data["role"] != LICENSE_ADMIN and m.role == LICENSE_ADMIN:
                self._ensure_other_admin(s, lic.id, user.id)
            if "name" in data:
                user.name = data["name"] or ""
            if "phone" in data:
                set_phone(user, data["phone"], country)
            if "role" in data and data["role"] != m.role:
                m.role = data["role"]
                self._access_changed(s, m)
            if "erp_code" in data:
                m.erp_code = data["erp_code"]
            return member_view(user, m)

    def _ensure_other_admin(self, s, license_id, user_id):
        others = s.execute(select(func.count()).select_from(Membership).where(
            Membership.license_id == license_id, Membership.role == LICENSE_ADMIN,
            Membership.status == "active", Membership.user_id != user_id)).scalar_one()
        if others == 0:
            raise Conflict("A license keeps at least one active license admin.")

    @endpoint(write=True)
    def deactivate_user(self, actor, user_id):
        """Managers deactivate whom they manage; the system (portal, when a contact is deleted) a portal client."""
        actor = require_role(load_actor(actor), *MANAGERS)
        with self.db.session() as s:
            lic, _ = self._license(s, actor["license_id"])
            user, m = self._visible_membership(s, actor, user_id)
            if not (logic.can_manage(actor["role"], m.role) or (actor["role"] == SYSTEM and m.role == CLIENT)):
                raise Forbidden("You cannot deactivate this user.")
            if m.status == "deactivated":
                return member_view(user, m)
            if m.role == LICENSE_ADMIN:
                self._ensure_other_admin(s, lic.id, user.id)
            m.status, m.deactivated_at = "deactivated", utcnow()
            self._access_changed(s, m, end_sessions=True)  # live access tokens die on their next request
            for t in s.execute(select(Token).where(Token.user_id == user.id, Token.license_id == lic.id,
                                                   Token.used_at.is_(None))).scalars():
                t.used_at = utcnow()  # refresh tokens and pending invitations die with the seat
            self.outbox.add(s, "user.deactivated.v1", {
                "user_id": user.id, "email": user.email, "role": m.role, "license_id": lic.id,
                "deactivated_by": actor["user_id"]}, subject=user.id, license_id=lic.id)
            return member_view(user, m)

    @endpoint(write=True)
    def reactivate_user(self, actor, user_id):
        """Give a deactivated user a seat again (a new set-password invitation is sent)."""
        actor = require_role(load_actor(actor), *MANAGERS)
        with self.db.session() as s:
            lic, pool = self._license(s, actor["license_id"], lock_pool=True)
            user, m = self._visible_membership(s, actor, user_id)
            if not logic.can_manage(actor["role"], m.role):
                raise Forbidden("You cannot reactivate this user.")
            if m.status != "deactivated":
                raise Conflict(f"This user is {m.status}.")
            if m.role != CLIENT:
                self._take_seat(s, pool)
            m.status, m.deactivated_at = "invited", None
            self._access_changed(s, m)
            self._send_invitation(s, user, m, lic, actor.get("email"))
            return member_view(user, m)

    @endpoint(write=True)
    def grant_client_access(self, actor, payload):
        """Give a customer's contact portal access (role Client): user code, optional IP and branch."""
        actor = require_role(load_actor(actor), *MANAGERS, "user")
        data = schemas.GrantClientSchema().load(payload)
        email = logic.normalize_email(data["email"])
        with self.db.session() as s:
            lic, pool = self._license(s, actor["license_id"])
            self._check_pool_open(pool)
            clash = s.execute(select(Membership).where(Membership.license_id == lic.id,
                                                       Membership.user_code == data["user_code"])).scalar_one_or_none()
            user = s.execute(select(User).where(User.email == email)).scalar_one_or_none()
            if clash is not None and (user is None or clash.user_id != user.id):
                raise Conflict("This user code is already used by another portal account.",
                               {"fields": {"user_code": ["already used"]}})
            if user is None:
                user = User(email=email, name=data["name"], locale=data["locale"])
                s.add(user)
                s.flush()
            m = s.execute(select(Membership).where(Membership.user_id == user.id,
                                                   Membership.license_id == lic.id)).scalar_one_or_none()
            if m is not None and m.role != CLIENT and m.status != "deactivated":
                raise Conflict(f"{email} is a staff user of this license; a staff account cannot be a portal client.")
            if m is None:
                m = Membership(user_id=user.id, license_id=lic.id, status="invited")
                s.add(m)
            m.role = CLIENT
            for key in ("user_code", "contact_id", "customer_id", "company", "allowed_ip", "branch"):
                setattr(m, key, data[key])
            if m.status == "deactivated":
                m.status, m.deactivated_at = "invited", None
            m.invited_by = actor["user_id"]
            s.flush()
            self._access_changed(s, m)
            if data["send_email"] or user.password_hash is None:
                self._send_invitation(s, user, m, lic, actor.get("email"))
            return member_view(user, m)

    @endpoint(write=True)
    def update_client_access(self, actor, user_id, payload):
        actor = require_role(load_actor(actor), *MANAGERS, "user")
        data = schemas.UpdateClientSchema().load(payload)
        with self.db.session() as s:
            user, m = self._visible_membership(s, actor, user_id)
            if m.role != CLIENT:
                raise NotFound("No portal access for this user.")
            if data.get("user_code") and data["user_code"] != m.user_code and s.execute(select(Membership.id).where(
                    Membership.license_id == m.license_id, Membership.user_code == data["user_code"])).first():
                raise Conflict("This user code is already used by another portal account.",
                               {"fields": {"user_code": ["already used"]}})
            for key, value in data.items():
                setattr(m, key, value)
            self._access_changed(s, m)
            return member_view(user, m)

    @endpoint
    def me(self, actor):
        actor = load_actor(actor)
        with self.db.session() as s:
            user, m = self._membership(s, actor["license_id"], actor["user_id"])
            licenses = [{"license_id": l.id, "name": l.name, "role": mm.role}
                        for mm, l in s.execute(select(Membership, License)
                                               .join(License, License.id == Membership.license_id)
                                               .where(Membership.user_id == user.id, Membership.status == "active")
                                               .order_by(License.name)).all()]
            return {**member_view(user, m), "licenses": licenses, "preferences": dict(m.preferences or {})}

    @endpoint(write=True)
    def update_preferences(self, actor, payload):
        actor = load_actor(actor)
        data = schemas.PreferencesSchema().load(payload)
        with self.db.session() as s:
            user, m = self._membership(s, actor["license_id"], actor["user_id"])
            prefs = dict(m.preferences or {})
            for key, channels in data.items():
                prefs[key] = {**prefs.get(key, {}), **channels}
            m.preferences = prefs
            return prefs

    @endpoint(write=True)
    def update_profile(self, actor, payload):
        """The signed-in person's own name, language (the language of their emails and pages) and mobile number
        (their SMS notifications: notify asks ``resolve_users`` for it at each sending, so the next SMS goes to
        the new number; empty clears it)."""
        actor = load_actor(actor)
        country = self._phone_country(actor["license_id"])
        with phones.read_in(country):
            data = schemas.UpdateProfileSchema().load(payload)
        with self.db.session() as s:
            user, m = self._membership(s, actor["license_id"], actor["user_id"])
            for key, value in data.items():
                if key == "phone":
                    set_phone(user, value, country)
                else:
                    setattr(user, key, value)
            return member_view(user, m)
