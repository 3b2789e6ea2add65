"""What the identity aggregates share: the base of their endpoint mixins. It finds a license and its seat
pool and counts the seats the pool's licenses hold, finds a membership (and hides a portal client from a
caller outside the client's perimeters), issues and checks the one-time secrets of emailed links and
refresh tokens, sends invitations, signs a session's tokens, announces access changes to the gateways and
counts failed sign-ins. The dependency providers it uses (``self.db``, ``self.outbox``, ``self.settings``,
``self.perimeter``) are declared on ``IdentityService`` in service.py only."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select

from paraph_platform import phones
from paraph_platform.actor import CLIENT, SYSTEM
from paraph_platform.db import Db, utcnow
from paraph_platform.envelope import iso
from paraph_platform.outbox import OutboxWriter

from . import logic
from .dependencies import IdentitySettings
from .exceptions import Conflict, Forbidden, Gone, NotFound, TooManyRequests
from .models import License, LoginFailure, Membership, SeatPool, Token, User

USER_NOT_FOUND = "User not found in this license."


def member_view(user: User, m: Membership) -> dict:
    return {
        "user_id": user.id, "email": user.email, "name": user.name, "phone": user.phone,
        "locale": user.locale, "license_id": m.license_id, "role": m.role, "status": m.status,
        "erp_code": m.erp_code, "user_code": m.user_code, "contact_id": m.contact_id,
        "customer_id": m.customer_id, "company": m.company, "allowed_ip": m.allowed_ip,
        "branch": m.branch, "created_at": iso(m.created_at), "activated_at": iso(m.activated_at),
        "deactivated_at": iso(m.deactivated_at),
    }


def set_phone(user: User, number: str | None, country: str | None) -> None:
    """A user's own mobile (their SMS), kept as typed, and the country it was read in when it was checked: the
    license's it was typed in (``country``: :meth:`IdentityServiceBase._phone_country`), where it is read again when
    an SMS leaves (:func:`sms_phone`), whichever of the person's companies sends it."""
    user.phone = number
    user.phone_country = phones.reading_country(country) if number else None


def sms_phone(user: User) -> str | None:
    """The user's number in E.164, the number their SMS go to (signing's one-time codes, notify's notifications),
    read in the country it was checked in (France for a number from before: as it was checked); None for none."""
    return phones.e164(user.phone, user.phone_country)


class IdentityServiceBase:
    """Helpers of the endpoint mixins. The attributes below are nameko dependencies, bound per worker by
    the providers declared on ``IdentityService`` (service.py)."""

    db: Db  # Database(idempotency_model=IdempotencyKey)
    outbox: OutboxWriter  # Outbox(models.Outbox): events committed with the change they announce
    settings: IdentitySettings  # token keys, public URL, sign-in throttle
    perimeter: object  # Rpc("perimeter"): who may see a portal client

    # -- licenses and seats ------------------------------------------------------------------

    def _license(self, s, license_id: str, lock_pool: bool = False,
                 lock_license: bool = False) -> tuple[License, SeatPool]:
        """The license and its seat pool; ``lock_license`` for a read-modify-write of its settings (two
        concurrent changes must not lose one, nor publish two versions with the same number)."""
        locking = lock_license and self.db.dialect == "postgresql"
        lic = s.get(License, license_id, with_for_update=locking, populate_existing=locking)
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
        if pool.expires_at <= utcnow():
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

    def _license_event(self, s, lic: License, pool: SeatPool):
        self.outbox.add(s, "license.updated.v1", {
            "license_id": lic.id, "name": lic.name, "pool_id": pool.id, "seats_total": pool.seats,
            "expires_at": iso(pool.expires_at), "settings": dict(lic.settings or {}), "version": lic.version,
        }, subject=lic.id, license_id=lic.id)

    # -- memberships -------------------------------------------------------------------------

    def _phone_country(self, license_id: str) -> str | None:
        """The country the staff's numbers typed in the license without their country code are read in: the
        license's own setting (paraph_platform.company_country: identity is where the company's country lives, so
        reading its staff's numbers asks no other service), None (France) for a license that has not said it."""
        with self.db.session() as s:
            lic = s.get(License, license_id)
            return (lic.settings or {}).get("country") if lic is not None else None

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

    # -- one-time secrets: emailed links and refresh tokens ----------------------------------

    def _issue_secret(self, s, user: User, purpose: str, license_id: str | None, ttl: timedelta) -> str:
        secret = logic.new_secret()
        s.add(Token(token_hash=logic.hash_secret(secret), purpose=purpose, user_id=user.id,
                    license_id=license_id, expires_at=utcnow() + ttl))
        return secret

    def _consume(self, s, secret: str, purpose: str) -> Token:
        token = self._usable(s, secret, purpose, lock=True)
        token.used_at = utcnow()
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
        if token.expires_at <= utcnow():
            raise Gone("This link has expired; ask for a new one.")
        return token

    def _send_invitation(self, s, user: User, m: Membership, lic: License, inviter_email: str | None):
        """The invitation email (and its webhook event); ``inviter_email`` is the inviting person's (none from an
        activation or a service account): the email names them by the name of their profile, else by it."""
        inviter = s.execute(select(User).where(User.email == inviter_email)).scalar_one_or_none() \
            if inviter_email else None
        inviter_name = (inviter.name if inviter is not None else "") or inviter_email
        secret = self._issue_secret(s, user, "invitation", lic.id, logic.INVITATION_TTL)
        expires = utcnow() + logic.INVITATION_TTL
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
            "vars": {"name": user.name or "", "license_name": lic.name,
                     "inviter": inviter_name or "", "user_code": m.user_code or "",
                     "link": logic.set_password_url(self.settings.public_url, secret),
                     "expires_at": iso(expires)},
        }, subject=user.id, license_id=lic.id)

    # -- sessions: their tokens, the sign-in throttle ----------------------------------------

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

    def _check_login_throttle(self, s, limits: dict[str, int]):
        """429 while the account or the client address has too many recent failed sign-ins; the same
        answer for a known and an unknown account."""
        throttle, now = self.settings.login_throttle, utcnow()
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
