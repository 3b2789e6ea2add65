"""identity nameko entrypoints: seat pools, licenses, users, invitations, login, ERP sync."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, or_, select

from paraph_platform.actor import (
    CLIENT, FRONT_USER_MANAGER, LICENSE_ADMIN, STAFF_ROLES, SYSTEM, load_actor, require_role, require_staff,
)
from paraph_platform import offhub
from paraph_platform.db import Database
from paraph_platform.envelope import iso
from paraph_platform.outbox import Outbox as OutboxProvider
from paraph_platform.rpc import Rpc
from paraph_platform.readiness import PlatformService
from paraph_platform.service import RequestContext, endpoint

from . import logic, schemas
from .dependencies import Settings
from .exceptions import Conflict, Forbidden, Gone, InvalidInput, NotFound, TooManyRequests, Unauthorized
from .models import (
    ErpCollaborator, IdempotencyKey, License, LoginFailure, Membership, Outbox, SeatPool, Token, User,
)

log = logging.getLogger(__name__)

MANAGERS = (LICENSE_ADMIN, FRONT_USER_MANAGER)
USER_NOT_FOUND = "User not found in this license."


def _now():
    return datetime.now(timezone.utc)


def member_view(user: User, m: Membership) -> dict:
    return {
        "user_id": user.id, "email": user.email, "name": user.name, "phone": user.phone,
        "locale": user.locale, "license_id": m.license_id, "role": m.role, "status": m.status,
        "erp_code": m.erp_code, "user_code": m.user_code, "contact_id": m.contact_id,
        "customer_id": m.customer_id, "company": m.company, "allowed_ip": m.allowed_ip,
        "branch": m.branch, "created_at": iso(m.created_at), "activated_at": iso(m.activated_at),
        "deactivated_at": iso(m.deactivated_at),
    }


class IdentityService(PlatformService):
    name = "identity"

    db = Database(idempotency_model=IdempotencyKey)
    outbox = OutboxProvider(Outbox)
    ctx = RequestContext()
    settings = Settings()
    perimeter = Rpc("perimeter")

    # -- helpers ------------------------------------------------------------------------------

    def _license(self, s, license_id: str, lock_pool: bool = False) -> tuple[License, SeatPool]:
        lic = s.get(License, license_id)
        if lic is None:
            raise NotFound("License not found.")
        q = select(SeatPool).where(SeatPool.id == lic.pool_id)
        if lock_pool and self.db.dialect == "postgresql":
            q = q.with_for_update()
        pool = s.execute(q).scalar_one()
        return lic, pool

    def _usage(self, s, pool: SeatPool) -> logic.SeatUsage:
        rows = s.execute(
            select(Membership.license_id, func.count())
            .join(License, License.id == Membership.license_id)
            .where(License.pool_id == pool.id, Membership.role != CLIENT,
                   Membership.status.in_(logic.SEAT_HOLDING_STATUSES))
            .group_by(Membership.license_id)).all()
        return logic.SeatUsage(total=pool.seats, used_by_license={k: v for k, v in rows})

    def _pool_names(self, s, pool: SeatPool) -> dict:
        return {lid: name for lid, name in s.execute(
            select(License.id, License.name).where(License.pool_id == pool.id)).all()}

    def _check_pool_open(self, pool: SeatPool):
        if pool.expires_at <= _now():
            raise Forbidden(f"The subscription expired on {pool.expires_at.date().isoformat()}.",
                            {"expires_at": iso(pool.expires_at)})

    def _take_seat(self, s, pool: SeatPool):
        """Refuse with a clear error when the pool shared by the licenses is full."""
        self._check_pool_open(pool)
        usage = self._usage(s, pool)
        if usage.free <= 0:
            raise Conflict(f"No seat left: {usage.describe(self._pool_names(s, pool))}. "
                           "Deactivate a user or add seats to the subscription.",
                           {"seats_total": usage.total, "seats_used": usage.used})

    def _license_view(self, s, lic: License, pool: SeatPool) -> dict:
        usage = self._usage(s, pool)
        active = s.execute(select(func.count()).select_from(Membership).where(
            Membership.license_id == lic.id, Membership.status == "active", Membership.role != CLIENT)).scalar_one()
        return {
            "id": lic.id, "name": lic.name, "pool_id": pool.id, "settings": dict(lic.settings or {}),
            "expires_at": iso(pool.expires_at), "seats_total": pool.seats, "seats_used": usage.used,
            "seats_used_here": usage.used_by_license.get(lic.id, 0), "active_users": active,
        }

    def _license_event(self, s, lic: License, pool: SeatPool):
        self.outbox.add(s, "license.updated.v1", {
            "license_id": lic.id, "name": lic.name, "pool_id": pool.id, "seats_total": pool.seats,
            "expires_at": iso(pool.expires_at), "settings": dict(lic.settings or {}), "version": lic.version,
        }, subject=lic.id, license_id=lic.id)

    def _issue_secret(self, s, user: User, purpose: str, license_id: str | None, ttl: timedelta) -> str:
        secret = logic.new_secret()
        s.add(Token(token_hash=logic.hash_secret(secret), purpose=purpose, user_id=user.id,
                    license_id=license_id, expires_at=_now() + ttl))
        return secret

    def _send_invitation(self, s, user: User, m: Membership, lic: License, inviter_name: str | None):
        secret = self._issue_secret(s, user, "invitation", lic.id, logic.INVITATION_TTL)
        expires = _now() + logic.INVITATION_TTL
        self.outbox.add(s, "user.invited.v1", {
            "user_id": user.id, "email": user.email, "name": user.name, "role": m.role,
            "license_id": lic.id, "license_name": lic.name, "invited_by": m.invited_by,
            "expires_at": iso(expires), "has_password": bool(user.password_hash),
        }, subject=user.id, license_id=lic.id)
        # internal request to the notify service; carries the secret link, never exposed to webhooks
        self.outbox.add(s, "notification.requested.v1", {
            "channel": "email", "to": user.email, "locale": user.locale,
            "template": "client_invitation" if m.role == CLIENT else "invitation",
            "user_id": user.id, "dedupe_key": f"invitation:{logic.hash_secret(secret)}",
            "customer_id": m.customer_id,  # a portal client's customer (the delivery log's scope); staff: none
            "vars": {"name": user.name or user.email, "license_name": lic.name,
                     "inviter": inviter_name or "", "user_code": m.user_code or "",
                     "link": logic.set_password_url(self.settings.public_url, secret),
                     "expires_at": iso(expires)},
        }, subject=user.id, license_id=lic.id)

    def _membership(self, s, license_id: str, user_id: str) -> tuple[User, Membership]:
        row = s.execute(select(User, Membership).join(Membership, Membership.user_id == User.id).where(
            Membership.license_id == license_id, User.id == user_id)).first()
        if row is None:
            raise NotFound(USER_NOT_FOUND)
        return row[0], row[1]

    def _visible_membership(self, s, actor: dict, user_id: str) -> tuple[User, Membership]:
        """A membership the caller may see. A portal client belongs to a customer: a caller outside that
        customer's perimeters (perimeter policy) gets the same 404 as for an unknown user, so neither
        the client's email nor their existence leaks."""
        user, m = self._membership(s, actor["license_id"], user_id)
        if m.role == CLIENT and actor["role"] != SYSTEM and actor["user_id"] != user.id:
            perimeter_ids = (self.perimeter.perimeters_of(m.license_id, "customer", [m.customer_id])
                             .get(m.customer_id, []) if m.customer_id else [])
            if not self.perimeter.decide(actor, perimeter_ids):
                raise NotFound(USER_NOT_FOUND)
        return user, m

    def _tokens(self, s, user: User, m: Membership, lic: License) -> dict:
        claims, exp = logic.access_claims(user=user, membership=m, license_id=lic.id)
        access = self.settings.token_keys.sign(s, claims)
        refresh = self._issue_secret(s, user, "refresh", lic.id, logic.REFRESH_TTL)
        user.last_license_id = lic.id
        licenses = [
            {"license_id": l.id, "name": l.name, "role": mm.role}
            for mm, l in s.execute(select(Membership, License).join(License, License.id == Membership.license_id)
                                   .where(Membership.user_id == user.id, Membership.status == "active")
                                   .order_by(License.name)).all()
        ]
        return {"access_token": access, "token_type": "Bearer", "expires_at": iso(exp),
                "refresh_token": refresh, "license_id": lic.id, "role": m.role,
                "user": {"user_id": user.id, "email": user.email, "name": user.name}, "licenses": licenses}

    def _access_changed(self, s, m: Membership, *, end_sessions: bool = False):
        """The rights of a membership changed: gateways drop their cached access state of it, so the
        next request of every live token is checked against the new state. ``end_sessions`` also bumps
        the access version, which refuses every access token issued before."""
        if end_sessions:
            m.access_version += 1
        self.outbox.add(s, "user.access_changed.v1", {
            "license_id": m.license_id, "user_id": m.user_id, "version": m.access_version,
            "status": m.status, "role": m.role}, subject=m.user_id, license_id=m.license_id)

    def _check_client_restrictions(self, m: Membership, client_ip: str | None):
        if m.role != CLIENT:
            return
        if m.allowed_ip and client_ip != m.allowed_ip:
            raise Forbidden("Access from this IP address is not allowed for this account.")

    # -- access tokens: keys and freshness (for the gateway) -------------------------------------

    @endpoint
    def jwks(self):
        """The public keys verifying access tokens (JWKS): the current key and retired keys whose
        tokens may still be live."""
        with self.db.session() as s:
            return self.settings.token_keys.jwks(s)

    @endpoint(write=True)
    def rotate_token_key(self, actor):
        """Operator: sign new access tokens with a new key (tokens already issued stay valid)."""
        require_role(load_actor(actor), SYSTEM)
        with self.db.session() as s:
            return self.settings.token_keys.rotate(s)

    @endpoint
    def access_state(self, license_id, user_id):
        """Internal (gateway): a membership's current rights, which every request of its access tokens
        is checked against (cached by the gateway until a ``user.access_changed.v1`` or
        ``license.updated.v1`` event)."""
        if not isinstance(license_id, str) or not isinstance(user_id, str):
            raise InvalidInput("license_id and user_id must be strings.")
        with self.db.session() as s:
            row = s.execute(select(Membership, SeatPool.expires_at)
                            .join(License, License.id == Membership.license_id)
                            .join(SeatPool, SeatPool.id == License.pool_id)
                            .where(Membership.license_id == license_id, Membership.user_id == user_id)).first()
            if row is None:
                return {"license_id": license_id, "user_id": user_id, "active": False, "version": 0, "role": None,
                        "expires_at": None, "contact_id": None, "customer_id": None, "company": None,
                        "allowed_ip": None, "branch": None}
            m, expires_at = row
            return {"license_id": license_id, "user_id": user_id, "active": m.status == "active",
                    "version": m.access_version, "role": m.role, "expires_at": iso(expires_at),
                    "contact_id": m.contact_id, "customer_id": m.customer_id, "company": m.company,
                    "allowed_ip": m.allowed_ip, "branch": m.branch}

    # -- operator: seat pools ------------------------------------------------------------------

    @endpoint(write=True)
    def create_pool(self, actor, payload):
        actor = require_role(load_actor(actor), SYSTEM)
        data = schemas.CreatePoolSchema().load(payload)
        with self.db.session() as s:
            code = data.get("activation_code") or logic.new_activation_code()
            if s.execute(select(SeatPool.id).where(SeatPool.activation_code == code)).first():
                raise Conflict("This activation code already exists.")
            pool = SeatPool(name=data["name"], seats=data["seats"], expires_at=data["expires_at"],
                            activation_code=code)
            s.add(pool)
            s.flush()
            return {"id": pool.id, "name": pool.name, "seats": pool.seats,
                    "expires_at": iso(pool.expires_at), "activation_code": code}

    @endpoint(write=True)
    def update_pool(self, actor, pool_id, payload):
        require_role(load_actor(actor), SYSTEM)
        data = schemas.UpdatePoolSchema().load(payload)
        with self.db.session() as s:
            pool = s.get(SeatPool, pool_id)
            if pool is None:
                raise NotFound("Seat pool not found.")
            if "seats" in data:
                usage = self._usage(s, pool)
                if data["seats"] < usage.used:
                    raise Conflict(f"Cannot lower the pool to {data['seats']} seats: "
                                   f"{usage.describe(self._pool_names(s, pool))}.")
            for key, value in data.items():
                setattr(pool, key, value)
            pool.version += 1
            for lic in s.execute(select(License).where(License.pool_id == pool.id)).scalars():
                lic.version += 1
                self._license_event(s, lic, pool)
            return {"id": pool.id, "name": pool.name, "seats": pool.seats, "expires_at": iso(pool.expires_at)}

    # -- licenses ------------------------------------------------------------------------------

    @endpoint(write=True)
    def activate_license(self, payload):
        """A company activates its environment with the subscription's activation code; its first
        user becomes license admin and receives a set-password invitation."""
        data = schemas.ActivateLicenseSchema().load(payload)
        email = logic.normalize_email(data["admin_email"])
        with self.db.session() as s:
            q = select(SeatPool).where(SeatPool.activation_code == data["activation_code"].strip().upper())
            if self.db.dialect == "postgresql":
                q = q.with_for_update()
            pool = s.execute(q).scalar_one_or_none()
            if pool is None:
                raise NotFound("Unknown activation code.")
            self._take_seat(s, pool)
            lic = License(pool_id=pool.id, name=data["company_name"],
                          settings={"abandon_delay_days": 60, "default_locale": "fr", "currency": "EUR",
                                    "portal_attachments_visible_by_default": False,
                                    "electronic_signature_enabled": True})
            s.add(lic)
            user = s.execute(select(User).where(User.email == email)).scalar_one_or_none()
            if user is None:
                user = User(email=email, name=data["admin_name"] or "")
                s.add(user)
            s.flush()
            m = Membership(user_id=user.id, license_id=lic.id, role=LICENSE_ADMIN, status="invited")
            s.add(m)
            s.flush()
            self._license_event(s, lic, pool)
            self._send_invitation(s, user, m, lic, None)
            return {"license": self._license_view(s, lic, pool), "admin": member_view(user, m)}

    @endpoint
    def get_license(self, actor):
        actor = load_actor(actor)
        with self.db.session() as s:
            lic, pool = self._license(s, actor["license_id"])
            view = self._license_view(s, lic, pool)
            if actor["role"] != LICENSE_ADMIN and actor["role"] != SYSTEM:
                view = {k: view[k] for k in ("id", "name", "settings")}
            return view

    @endpoint
    def license_settings(self, license_id):
        """Internal: settings other services need (abandon delay, locale, currency)."""
        with self.db.session() as s:
            lic, pool = self._license(s, license_id)
            return {"license_id": lic.id, "name": lic.name, "settings": dict(lic.settings or {}),
                    "expires_at": iso(pool.expires_at), "version": lic.version}

    @endpoint(write=True)
    def update_license(self, actor, payload):
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        data = schemas.LicenseSettingsSchema().load(payload)
        with self.db.session() as s:
            lic, pool = self._license(s, actor["license_id"])
            if "name" in data:
                lic.name = data.pop("name")
            lic.settings = {**(lic.settings or {}), **data}
            lic.version += 1
            self._license_event(s, lic, pool)
            return self._license_view(s, lic, pool)

    # -- users -----------------------------------------------------------------------------------

    @endpoint(write=True)
    def invite_user(self, actor, payload):
        actor = require_role(load_actor(actor), *MANAGERS)
        data = schemas.InviteUserSchema().load(payload)
        if not logic.can_manage(actor["role"], data["role"]):
            raise Forbidden(f"A {actor['role']} cannot invite a {data['role']}.")
        email = logic.normalize_email(data["email"])
        with self.db.session() as s:
            lic, pool = self._license(s, actor["license_id"], lock_pool=True)
            user = s.execute(select(User).where(User.email == email)).scalar_one_or_none()
            if user is None:
                user = User(email=email, name=data["name"], phone=data["phone"], locale=data["locale"])
                s.add(user)
                s.flush()
            m = s.execute(select(Membership).where(Membership.user_id == user.id,
                                                   Membership.license_id == lic.id)).scalar_one_or_none()
            if m is not None and m.status in ("active", "invited"):
                raise Conflict(f"{email} is already {m.status} in this license.",
                               {"user_id": user.id, "status": m.status})
            self._take_seat(s, pool)
            erp_code = data["erp_code"]
            if erp_code is None:  # SSM: an email already known in the ERP gets its collaborator code
                collab = s.execute(select(ErpCollaborator).where(
                    ErpCollaborator.license_id == lic.id, ErpCollaborator.email == email)).scalar_one_or_none()
                if collab is not None:
                    erp_code = collab.code
                    collab.user_id = user.id
            if m is None:
                m = Membership(user_id=user.id, license_id=lic.id)
                s.add(m)
            m.role, m.status, m.erp_code, m.invited_by = data["role"], "invited", erp_code, actor["user_id"]
            m.deactivated_at = None
            s.flush()
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

    @endpoint(write=True)
    def resend_invitation(self, actor, user_id):
        actor = require_role(load_actor(actor), *MANAGERS, "user")
        with self.db.session() as s:
            lic, _ = self._license(s, actor["license_id"])
            user, m = self._visible_membership(s, actor, user_id)
            if not logic.can_manage(actor["role"], m.role) and not (actor["role"] == "user" and m.role == CLIENT):
                raise Forbidden("You cannot manage this user.")
            if m.status != "invited":
                raise Conflict(f"This user is {m.status}; only pending invitations can be re-sent.")
            for t in s.execute(select(Token).where(Token.user_id == user.id, Token.purpose == "invitation",
                                                   Token.license_id == lic.id, Token.used_at.is_(None))).scalars():
                t.used_at = _now()  # older links stop working
            self._send_invitation(s, user, m, lic, actor.get("email"))
            return member_view(user, m)

    @endpoint
    def list_users(self, actor, params=None):
        actor = require_role(load_actor(actor), *MANAGERS)
        p = schemas.ListUsersSchema().load(params or {})
        with self.db.session() as s:
            q = select(User, Membership).join(Membership, Membership.user_id == User.id).where(
                Membership.license_id == actor["license_id"])
            if p["role"]:
                q = q.where(Membership.role == p["role"])
            if p["status"]:
                q = q.where(Membership.status == p["status"])
            if p["q"]:
                like = f"%{p['q'].lower()}%"
                q = q.where(or_(User.email.like(like), func.lower(User.name).like(like)))
            total = s.execute(select(func.count()).select_from(q.subquery())).scalar_one()
            rows = s.execute(q.order_by(User.email).limit(p["limit"]).offset(p["offset"])).all()
            return {"items": [member_view(u, m) for u, m in rows], "total": total,
                    "limit": p["limit"], "offset": p["offset"]}

    @endpoint
    def list_colleagues(self, actor, params=None):
        """The active staff of the caller's license, name and email only: whom a salesperson may add as an
        approver or signer (the full user list, with roles and statuses, stays for managers)."""
        actor = require_staff(load_actor(actor))
        p = schemas.ListColleaguesSchema().load(params or {})
        with self.db.session() as s:
            q = select(User).join(Membership, Membership.user_id == User.id).where(
                Membership.license_id == actor["license_id"], Membership.status == "active",
                Membership.role.in_(STAFF_ROLES))
            if p["q"]:
                like = f"%{p['q'].lower()}%"
                q = q.where(or_(User.email.like(like), func.lower(User.name).like(like)))
            rows = s.execute(q.order_by(func.lower(User.name), User.email).limit(p["limit"])).scalars().all()
            return {"items": [{"user_id": u.id, "name": u.name or u.email, "email": u.email} for u in rows]}

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
        """Internal: contact details of users of a license (for notifications, owner display)."""
        if not isinstance(user_ids, list) or len(user_ids) > 1000:
            raise InvalidInput("user_ids must be a list of at most 1000 ids")
        with self.db.session() as s:
            rows = s.execute(select(User, Membership).join(Membership, Membership.user_id == User.id).where(
                Membership.license_id == license_id, User.id.in_(user_ids))).all()
            return {u.id: {**member_view(u, m), "preferences": dict(m.preferences or {})} for u, m in rows}

    @endpoint(write=True)
    def update_member(self, actor, user_id, payload):
        actor = require_role(load_actor(actor), *MANAGERS)
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
            for key in ("name", "phone"):
                if key in data:
                    setattr(user, key, data[key] or ("" if key == "name" else None))
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
        actor = require_role(load_actor(actor), *MANAGERS)
        with self.db.session() as s:
            lic, _ = self._license(s, actor["license_id"])
            user, m = self._visible_membership(s, actor, user_id)
            if not logic.can_manage(actor["role"], m.role):
                raise Forbidden("You cannot deactivate this user.")
            if m.status == "deactivated":
                return member_view(user, m)
            if m.role == LICENSE_ADMIN:
                self._ensure_other_admin(s, lic.id, user.id)
            m.status, m.deactivated_at = "deactivated", _now()
            self._access_changed(s, m, end_sessions=True)  # live access tokens die on their next request
            for t in s.execute(select(Token).where(Token.user_id == user.id, Token.license_id == lic.id,
                                                   Token.used_at.is_(None))).scalars():
                t.used_at = _now()  # refresh tokens and pending invitations die with the seat
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

    # -- authentication ------------------------------------------------------------------------

    def _consume(self, s, secret: str, purpose: str) -> Token:
        token = self._usable(s, secret, purpose, lock=True)
        token.used_at = _now()
        return token

    def _usable(self, s, secret: str, purpose: str, lock: bool = False) -> Token:
        """The unused, unexpired token of this secret: 404 unknown, 410 used or expired."""
        q = select(Token).where(Token.token_hash == logic.hash_secret(secret), Token.purpose == purpose)
        if lock and self.db.dialect == "postgresql":
            q = q.with_for_update()
        token = s.execute(q).scalar_one_or_none()
        if token is None:
            raise NotFound("This link is not valid.")
        if token.used_at is not None:
            raise Gone("This link was already used.")
        if token.expires_at <= _now():
            raise Gone("This link has expired; ask for a new one.")
        return token

    @endpoint
    def link_info(self, payload):
        """Who an emailed link is for (the set-password page shows the company and the email), without
        using it; the same 404/410 answers as using it."""
        data = schemas.LinkInfoSchema().load(payload)
        with self.db.session() as s:
            token = self._usable(s, data["token"], data["purpose"])
            user = s.get(User, token.user_id)
            company = None
            if token.license_id:
                company = s.get(License, token.license_id).name
            return {"purpose": data["purpose"], "email": user.email, "name": user.name, "company": company,
                    "has_password": bool(user.password_hash), "expires_at": iso(token.expires_at)}

    @endpoint
    def accept_invitation(self, payload):
        data = schemas.AcceptInvitationSchema().load(payload)
        with self.db.session() as s:
            token = self._consume(s, data["token"], "invitation")
            user = s.get(User, token.user_id)
            lic, pool = self._license(s, token.license_id, lock_pool=True)
            m = s.execute(select(Membership).where(Membership.user_id == user.id,
                                                   Membership.license_id == lic.id)).scalar_one()
            if m.status == "deactivated":
                raise Gone("This access was withdrawn.")
            self._check_pool_open(pool)
            self._check_client_restrictions(m, data["client_ip"])
            if data["password"]:
                logic.validate_password(data["password"])
                user.password_hash = offhub.run(logic.hash_password, data["password"])
            elif not user.password_hash:
                raise InvalidInput("Choose a password.", {"fields": {"password": ["Missing data for required field."]}})
            if data["name"]:
                user.name = data["name"]
            if m.status != "active":
                m.status, m.activated_at = "active", _now()
                self._access_changed(s, m)
                self.outbox.add(s, "user.activated.v1", {
                    "user_id": user.id, "email": user.email, "name": user.name, "role": m.role,
                    "license_id": lic.id}, subject=user.id, license_id=lic.id)
            return self._tokens(s, user, m, lic)

    @endpoint
    def login(self, payload):
        data = schemas.LoginSchema().load(payload)
        generic = Unauthorized("Wrong email or password.")
        try:
            email = logic.normalize_email(data["email"])
        except InvalidInput:
            raise generic from None
        throttle = self.settings.login_throttle.limits(email, data["client_ip"])
        with self.db.session() as s:
            self._check_login_throttle(s, throttle)
            user = s.execute(select(User).where(User.email == email)).scalar_one_or_none()
            ok = offhub.run(logic.verify_password, user.password_hash if user else None, data["password"])
            if not ok:
                # counted for the account whether or not it exists, so the answers never tell them apart
                s.add_all(LoginFailure(key=key) for key in throttle)
                # the table only needs the window: older failures go (keeps it small without a purge job)
                s.execute(delete(LoginFailure).where(
                    LoginFailure.failed_at <= _now() - self.settings.login_throttle.window))
                s.commit()  # the failed attempt must be counted, so commit before refusing
                raise generic
            self._forget_login_failures(s, email)
            q = select(Membership, License).join(License, License.id == Membership.license_id).where(
                Membership.user_id == user.id, Membership.status == "active")
            rows = s.execute(q).all()
            if data["user_code"]:
                rows = [(m, l) for m, l in rows if m.user_code == data["user_code"]]
            if not rows:
                s.commit()
                raise Forbidden("Your account has no active access.")
            wanted = data["license_id"] or user.last_license_id
            chosen = next(((m, l) for m, l in rows if l.id == wanted), None)
            if chosen is None:
                if data["license_id"]:
                    s.commit()
                    raise Forbidden("You have no active access to this license.")
                chosen = sorted(rows, key=lambda r: r[1].name)[0]
            m, lic = chosen
            pool = s.get(SeatPool, lic.pool_id)
            if pool.expires_at <= _now():
                s.commit()
                raise Forbidden(f"The license {lic.name} expired on {pool.expires_at.date().isoformat()}.")
            self._check_client_restrictions(m, data["client_ip"])
            return self._tokens(s, user, m, lic)

    def _check_login_throttle(self, s, limits: dict[str, int]):
        """429 while the account or the client address has too many recent failed sign-ins; the same
        answer for a known and an unknown account."""
        throttle, now = self.settings.login_throttle, _now()
        waits = []
        for key, limit in limits.items():
            failures = s.execute(select(LoginFailure.failed_at).where(
                LoginFailure.key == key, LoginFailure.failed_at > now - throttle.window)
                .order_by(LoginFailure.failed_at.desc()).limit(limit)).scalars().all()
            wait = throttle.retry_after(failures, limit, now)
            if wait is not None:
                waits.append(wait)
        if waits:
            retry_after = max(waits)
            raise TooManyRequests(f"Too many failed sign-in attempts; try again in {retry_after} seconds "
                                  "or reset your password.", {"retry_after": retry_after})

    def _forget_login_failures(self, s, email: str):
        """A successful sign-in or password reset clears the account's count (not the address's)."""
        s.execute(delete(LoginFailure).where(LoginFailure.key == logic.LoginThrottle.account_key(email)))

    @endpoint
    def refresh(self, refresh_token, client_ip=None):
        if not isinstance(refresh_token, str) or len(refresh_token) > 200:
            raise Unauthorized("Invalid refresh token.")
        with self.db.session() as s:
            try:
                token = self._consume(s, refresh_token, "refresh")
            except (NotFound, Gone):
                raise Unauthorized("This session has ended; sign in again.") from None
            user = s.get(User, token.user_id)
            row = s.execute(select(Membership, License).join(License, License.id == Membership.license_id).where(
                Membership.user_id == user.id, Membership.license_id == token.license_id,
                Membership.status == "active")).first()
            if row is None:
                raise Unauthorized("Your access was withdrawn.")
            m, lic = row
            self._check_pool_open(s.get(SeatPool, lic.pool_id))
            self._check_client_restrictions(m, client_ip)
            return self._tokens(s, user, m, lic)

    @endpoint(write=True)
    def logout(self, refresh_token):
        with self.db.session() as s:
            token = s.execute(select(Token).where(Token.token_hash == logic.hash_secret(str(refresh_token)),
                                                  Token.purpose == "refresh")).scalar_one_or_none()
            if token is not None and token.used_at is None:
                token.used_at = _now()
        return {"logged_out": True}

    @endpoint
    def switch_license(self, actor, license_id, client_ip=None):
        """One user, several licenses: a new session in another license the user belongs to."""
        actor = load_actor(actor)
        with self.db.session() as s:
            row = s.execute(select(User, Membership, License)
                            .join(Membership, Membership.user_id == User.id)
                            .join(License, License.id == Membership.license_id)
                            .where(User.id == actor["user_id"], Membership.license_id == license_id,
                                   Membership.status == "active")).first()
            if row is None:
                raise NotFound("You have no active access to this license.")
            user, m, lic = row
            pool = s.get(SeatPool, lic.pool_id)
            if pool.expires_at <= _now():
                raise Forbidden(f"The license {lic.name} expired on {pool.expires_at.date().isoformat()}.")
            self._check_client_restrictions(m, client_ip)
            return self._tokens(s, user, m, lic)

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
        """The signed-in person's own name and language (the language of their emails and pages)."""
        actor = load_actor(actor)
        data = schemas.UpdateProfileSchema().load(payload)
        with self.db.session() as s:
            user, m = self._membership(s, actor["license_id"], actor["user_id"])
            for key, value in data.items():
                setattr(user, key, value)
            return member_view(user, m)

    @endpoint(write=True)
    def end_sessions(self, actor):
        """Sign out everywhere: every refresh token of the person ends, and the access tokens issued before
        are refused from the next request (access version bumped in each of their licenses)."""
        actor = load_actor(actor)
        with self.db.session() as s:
            user, _ = self._membership(s, actor["license_id"], actor["user_id"])
            ended = 0
            for t in s.execute(select(Token).where(Token.user_id == user.id, Token.purpose == "refresh",
                                                   Token.used_at.is_(None))).scalars():
                t.used_at, ended = _now(), ended + 1
            for m in s.execute(select(Membership).where(Membership.user_id == user.id)).scalars():
                self._access_changed(s, m, end_sessions=True)
            return {"ended_sessions": ended}

    @endpoint(write=True)
    def request_password_reset(self, email):
        """Always answers the same way, whether or not the email is known."""
        try:
            email = logic.normalize_email(email)
        except InvalidInput:
            return {"requested": True}
        with self.db.session() as s:
            user = s.execute(select(User).where(User.email == email)).scalar_one_or_none()
            if user is not None and user.password_hash:
                secret = self._issue_secret(s, user, "reset", None, logic.RESET_TTL)
                self.outbox.add(s, "notification.requested.v1", {
                    "channel": "email", "to": user.email, "locale": user.locale, "template": "password_reset",
                    "user_id": user.id, "dedupe_key": f"reset:{logic.hash_secret(secret)}",
                    "vars": {"name": user.name or user.email,
                             "link": logic.set_password_url(self.settings.public_url, secret).replace(
                                 "/set-password?", "/reset-password?"),
                             "expires_at": iso(_now() + logic.RESET_TTL)}}, subject=user.id, license_id=None)
        return {"requested": True}

    @endpoint(write=True)
    def reset_password(self, payload):
        data = schemas.ResetPasswordSchema().load(payload)
        logic.validate_password(data["password"])
        with self.db.session() as s:
            token = self._consume(s, data["token"], "reset")
            user = s.get(User, token.user_id)
            self._set_password(s, user, data["password"])
            return {"reset": True}

    def _set_password(self, s, user: User, password: str):
        """A new password ends every session of the person: refresh tokens now, access tokens issued
        before from their next request (access version bumped in each license)."""
        user.password_hash = offhub.run(logic.hash_password, password)
        for t in s.execute(select(Token).where(Token.user_id == user.id, Token.purpose == "refresh",
                                               Token.used_at.is_(None))).scalars():
            t.used_at = _now()
        for m in s.execute(select(Membership).where(Membership.user_id == user.id)).scalars():
            self._access_changed(s, m, end_sessions=True)
        self._forget_login_failures(s, user.email)

    @endpoint(write=True)
    def change_password(self, actor, payload):
        """My password, proven with the current one. A wrong current password counts as a failed sign-in
        (same throttle: guessing it here is no faster than at the sign-in page). Every session ends,
        and this one goes on with the new session returned."""
        actor = load_actor(actor)
        data = schemas.ChangePasswordSchema().load(payload)
        logic.validate_password(data["new_password"], field="new_password")
        with self.db.session() as s:
            user, m = self._membership(s, actor["license_id"], actor["user_id"])
            throttle = self.settings.login_throttle.limits(user.email, data["client_ip"])
            self._check_login_throttle(s, throttle)
            if not offhub.run(logic.verify_password, user.password_hash, data["current_password"]):
                s.add_all(LoginFailure(key=key) for key in throttle)
                s.commit()  # the failed attempt must be counted, so commit before refusing
                raise InvalidInput("The current password is wrong.",
                                   {"fields": {"current_password": ["This is not your current password."]}})
            self._set_password(s, user, data["new_password"])
            return self._tokens(s, user, m, s.get(License, m.license_id))

    # -- ERP one-way user sync -----------------------------------------------------------------------

    def _staff_by_email(self, s, license_id) -> dict[str, dict]:
        return {u.email: {"user_id": u.id, "email": u.email, "name": u.name, "erp_code": m.erp_code}
                for u, m in s.execute(select(User, Membership).join(Membership, Membership.user_id == User.id)
                                      .where(Membership.license_id == license_id, Membership.role != CLIENT,
                                             Membership.status != "deactivated")).all()}

    @endpoint
    def preview_collaborators(self, actor, payload):
        """What importing this export would do (linked by email, to create, to check by hand), writing nothing."""
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        data = schemas.PreviewCollaboratorsSchema().load(payload)
        rows, errors = logic.parse_collaborators(data["content"], data["format"])
        with self.db.session() as s:
            self._license(s, actor["license_id"])
            return logic.preview_collaborators(rows, errors, self._staff_by_email(s, actor["license_id"]))

    def _invite_new_collaborators(self, actor, rows, known_emails, role):
        """Invite the active collaborators of one import chunk who have no account yet; a refusal (no seat
        left, email of a client user...) becomes that row's error instead of failing the whole chunk."""
        invited, errors = [], []
        for row in rows:
            if not row.active or row.email in known_emails:
                continue
            try:
                invited.append(self.invite_user.__wrapped__(self, actor, {
                    "email": row.email, "name": row.name, "role": role, "erp_code": row.code}))
            except (Conflict, InvalidInput, Forbidden) as exc:
                errors.append({"row": row.row, "code": row.code, "reason": "not_invited", "error": exc.message})
        return invited, errors

    @endpoint(write=True)
    def import_collaborators(self, actor, payload):
        """Import ERP collaborators keyed by email; link existing users; list what needs review;
        with ``invite_new``, invite the collaborators of this export who have no account yet."""
        raw_actor = actor
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        data = schemas.ImportCollaboratorsSchema().load(payload)
        rows, errors = logic.parse_collaborators(data["content"], data["format"])
        license_id = actor["license_id"]
        created = updated = linked = 0
        with self.db.session() as s:
            self._license(s, license_id)
            existing = {c.email: c for c in s.execute(select(ErpCollaborator).where(
                ErpCollaborator.license_id == license_id)).scalars()}
            codes = {c.code: c.email for c in existing.values()}
            users = {u.email: (u, m) for u, m in s.execute(
                select(User, Membership).join(Membership, Membership.user_id == User.id).where(
                    Membership.license_id == license_id, Membership.role != CLIENT)).all()}
            seen = set()
            for row in rows:
                owner = codes.get(row.code)
                if owner and owner != row.email and owner not in seen:
                    # the code moved to another email in the ERP: the old row gives it up
                    existing[owner].code = f"{row.code}~{existing[owner].id[:8]}"
                seen.add(row.email)
                c = existing.get(row.email)
                if c is None:
                    c = ErpCollaborator(license_id=license_id, email=row.email, code=row.code)
                    s.add(c)
                    existing[row.email] = c
                    created += 1
                elif (c.code, c.name, c.active) != (row.code, row.name, row.active):
                    updated += 1
                c.code, c.name, c.active, c.imported_at = row.code, row.name, row.active, _now()
                codes[row.code] = row.email
                match = users.get(row.email)
                if match is not None:
                    u, m = match
                    if c.user_id != u.id or m.erp_code != row.code:
                        linked += 1
                    c.user_id = u.id
                    m.erp_code = row.code
            deactivated_missing = 0
            if data["deactivate_missing"]:
                for email, c in existing.items():
                    if email not in seen and c.active:
                        c.active = False
                        deactivated_missing += 1
            s.flush()
            report = self._sync_report(s, license_id)
        invited = []
        if data["invite_new"]:
            invited, invite_errors = self._invite_new_collaborators(raw_actor, rows, users, data["role"])
            errors = sorted(errors + invite_errors, key=lambda e: e["row"])
        return {"created": created, "updated": updated, "linked": linked, "errors": errors,
                "missing_marked_inactive": deactivated_missing, "invited": invited, **report}

    def _sync_report(self, s, license_id):
        collabs = s.execute(select(ErpCollaborator).where(ErpCollaborator.license_id == license_id)
                            .order_by(ErpCollaborator.code)).scalars().all()
        members = s.execute(select(User, Membership).join(Membership, Membership.user_id == User.id).where(
            Membership.license_id == license_id, Membership.role != CLIENT,
            Membership.status != "deactivated")).all()
        member_emails = {u.email for u, _ in members}
        collab_emails = {c.email for c in collabs}
        return {
            "matched": [{"code": c.code, "email": c.email, "user_id": c.user_id} for c in collabs
                        if c.email in member_emails],
            "collaborators_without_user": [{"code": c.code, "email": c.email, "name": c.name, "active": c.active}
                                           for c in collabs if c.email not in member_emails],
            "users_without_collaborator": [{"user_id": u.id, "email": u.email, "name": u.name, "erp_code": m.erp_code}
                                           for u, m in members if u.email not in collab_emails],
        }

    @endpoint
    def sync_report(self, actor):
        actor = require_role(load_actor(actor), *MANAGERS)
        with self.db.session() as s:
            return self._sync_report(s, actor["license_id"])

    @endpoint(write=True)
    def link_collaborator(self, actor, payload):
        """Manual review: attach a user to a collaborator code whose email differs."""
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        data = schemas.LinkCollaboratorSchema().load(payload)
        with self.db.session() as s:
            c = s.execute(select(ErpCollaborator).where(ErpCollaborator.license_id == actor["license_id"],
                                                        ErpCollaborator.code == data["code"])).scalar_one_or_none()
            if c is None:
                raise NotFound("Unknown collaborator code.")
            user, m = self._membership(s, actor["license_id"], data["user_id"])
            c.user_id = user.id
            m.erp_code = c.code
            return member_view(user, m)

    @endpoint
    def invite_collaborators(self, actor, payload):
        """Activation wizard: invite ERP collaborators (by code) who have no account yet."""
        actor_l = require_role(load_actor(actor), LICENSE_ADMIN)
        data = schemas.InviteCollaboratorsSchema().load(payload)
        with self.db.session() as s:
            collabs = {c.code: c for c in s.execute(select(ErpCollaborator).where(
                ErpCollaborator.license_id == actor_l["license_id"],
                ErpCollaborator.code.in_(data["codes"]))).scalars()}
        unknown = [c for c in data["codes"] if c not in collabs]
        if unknown:
            raise NotFound(f"Unknown collaborator codes: {', '.join(unknown)}", {"codes": unknown})
        invited, skipped = [], []
        for code in data["codes"]:
            c = collabs[code]
            try:
                invited.append(self.invite_user.__wrapped__(self, actor, {
                    "email": c.email, "name": c.name, "role": data["role"], "erp_code": c.code}))
            except Conflict as exc:
                if "seat" in exc.message.lower():
                    raise
                skipped.append({"code": code, "email": c.email, "reason": exc.message})
        return {"invited": invited, "skipped": skipped}


SERVICE = IdentityService
