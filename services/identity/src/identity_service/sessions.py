"""Sessions: signing in (throttled per account and per address), refreshing, switching license, signing
out here or everywhere, and what the gateway checks every access token against: the token keys (JWKS,
rotated by the operator) and a membership's current access state."""
from __future__ import annotations

from sqlalchemy import delete, select

from paraph_platform.actor import SYSTEM, load_actor, require_role
from paraph_platform import offhub
from paraph_platform.db import utcnow
from paraph_platform.envelope import iso
from paraph_platform.service import endpoint

from . import logic, schemas
from .base import IdentityServiceBase
from .exceptions import Forbidden, Gone, InvalidInput, NotFound, Unauthorized
from .licenses import license_rate_limit
from .models import License, LoginFailure, Membership, SeatPool, Token, User


class SessionsEndpoints(IdentityServiceBase):
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
            row = s.execute(select(Membership, SeatPool.expires_at, License.settings)
                            .join(License, License.id == Membership.license_id)
                            .join(SeatPool, SeatPool.id == License.pool_id)
                            .where(Membership.license_id == license_id, Membership.user_id == user_id)).first()
            if row is None:
                return {"license_id": license_id, "user_id": user_id, "active": False, "version": 0, "role": None,
                        "expires_at": None, "contact_id": None, "customer_id": None, "company": None,
                        "allowed_ip": None, "branch": None, "rate_limit_per_window": None}
            m, expires_at, settings = row
            return {"license_id": license_id, "user_id": user_id, "active": m.status == "active",
                    "version": m.access_version, "role": m.role, "expires_at": iso(expires_at),
                    "contact_id": m.contact_id, "customer_id": m.customer_id, "company": m.company,
                    "allowed_ip": m.allowed_ip, "branch": m.branch,
                    "rate_limit_per_window": license_rate_limit(settings)}

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
                    LoginFailure.failed_at <= utcnow() - self.settings.login_throttle.window))
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
            if pool.expires_at <= utcnow():
                s.commit()
                raise Forbidden(f"The license {lic.name} expired on {pool.expires_at.date().isoformat()}.")
            self._check_client_restrictions(m, data["client_ip"])
            return self._tokens(s, user, m, lic)

    @endpoint
    def refresh(self, payload):
        data = schemas.RefreshSchema().load(payload)
        with self.db.session() as s:
            try:
                token = self._consume(s, data["refresh_token"], "refresh")
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
            self._check_client_restrictions(m, data["client_ip"])
            return self._tokens(s, user, m, lic)

    @endpoint(write=True)
    def logout(self, payload):
        refresh_token = schemas.SessionSchema().load(payload)["refresh_token"]
        with self.db.session() as s:
            token = s.execute(select(Token).where(Token.token_hash == logic.hash_secret(refresh_token),
                                                  Token.purpose == "refresh")).scalar_one_or_none()
            if token is not None and token.used_at is None:
                token.used_at = utcnow()
        return {"logged_out": True}

    @endpoint
    def switch_license(self, actor, payload):
        """One user, several licenses: a new session in another license the user belongs to."""
        actor = load_actor(actor)
        data = schemas.SwitchLicenseSchema().load(payload)
        with self.db.session() as s:
            row = s.execute(select(User, Membership, License)
                            .join(Membership, Membership.user_id == User.id)
                            .join(License, License.id == Membership.license_id)
                            .where(User.id == actor["user_id"], Membership.license_id == data["license_id"],
                                   Membership.status == "active")).first()
            if row is None:
                raise NotFound("You have no active access to this license.")
            user, m, lic = row
            pool = s.get(SeatPool, lic.pool_id)
            if pool.expires_at <= utcnow():
                raise Forbidden(f"The license {lic.name} expired on {pool.expires_at.date().isoformat()}.")
            self._check_client_restrictions(m, data["client_ip"])
            return self._tokens(s, user, m, lic)

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
                t.used_at, ended = utcnow(), ended + 1
            for m in s.execute(select(Membership).where(Membership.user_id == user.id)).scalars():
                self._access_changed(s, m, end_sessions=True)
            return {"ended_sessions": ended}
