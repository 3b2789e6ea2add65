"""Invitations and passwords: the emailed one-time links and what they set. A manager invites a staff user
(taking a seat) or re-sends a pending invitation; the invited person opens the link, chooses a password
and gets a session. A forgotten password is reset through an emailed link; a known one is changed by
proving the current one. A new password ends every session of the person."""
from __future__ import annotations

from sqlalchemy import delete, func, select

from paraph_platform.actor import CLIENT, MANAGERS, load_actor, require_role
from paraph_platform import offhub, phones
from paraph_platform.db import utcnow
from paraph_platform.envelope import iso
from paraph_platform.service import endpoint

from . import logic, schemas
from .base import IdentityServiceBase, member_view, set_phone
from .exceptions import Conflict, Forbidden, Gone, InvalidInput
from .models import ErpCollaborator, License, LoginFailure, Membership, SeatPool, Token, User


class InvitationsEndpoints(IdentityServiceBase):
    @endpoint(write=True)
    def invite_user(self, actor, payload):
        actor = require_role(load_actor(actor), *MANAGERS)
        country = self._phone_country(actor["license_id"])
        with phones.read_in(country):  # a number typed without its country code: the license's country's
            data = schemas.InviteUserSchema().load(payload)
        if not logic.can_manage(actor["role"], data["role"]):
            raise Forbidden(f"A {actor['role']} cannot invite a {data['role']}.")
        email = logic.normalize_email(data["email"])
        with self.db.session() as s:
            lic, pool = self._license(s, actor["license_id"], lock_pool=True)
            user = s.execute(select(User).where(User.email == email)).scalar_one_or_none()
            if user is None:  # in the company's language unless told: an English company's colleagues read English
                locale = data["locale"] or (lic.settings or {}).get("default_locale") or "fr"
                user = User(email=email, name=data["name"], locale=locale)
                set_phone(user, data["phone"], country)
                s.add(user)
                s.flush()
            m = s.execute(select(Membership).where(Membership.user_id == user.id,
                                                   Membership.license_id == lic.id)).scalar_one_or_none()
            if m is not None and m.status in ("active", "invited"):
                # said on the email field too, for a form to show it there
                raise Conflict(f"{email} is already {m.status} in this license.",
                               {"user_id": user.id, "user_status": m.status,
                                "fields": {"email": [f"already {m.status} in this license"]}})
            self._take_seat(s, pool)
            erp_code = data["erp_code"]
            collab = s.execute(select(ErpCollaborator).where(
                ErpCollaborator.license_id == lic.id, ErpCollaborator.email == email)).scalar_one_or_none()
            if collab is not None and erp_code in (None, collab.code):
                # SSM: an email already known in the ERP gets its collaborator code, and the collaborator its
                # user (invited by the sync too: else its next run counted them as linked again)
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
                t.used_at = utcnow()  # older links stop working
            self._send_invitation(s, user, m, lic, actor.get("email"))
            return member_view(user, m)

    @endpoint
    def link_info(self, payload):
        """Who an emailed link is for (the set-password page shows the company and the email), without
        using it; the same 404/410 answers as using it."""
        data = schemas.LinkInfoSchema().load(payload)
        with self.db.session() as s:
            try:
                token = self._usable(s, data["token"], data["purpose"])
            except Gone as exc:
                # a used or expired link still says whose it was: the page tells a portal client to ask the
                # company that invited them for a new one (they have no administrator there)
                spent = s.execute(select(Token).where(Token.token_hash == logic.hash_secret(data["token"]),
                                                      Token.purpose == data["purpose"])).scalar_one()
                raise Gone(exc.message, self._link_holder(s, spent)) from None
            user = s.get(User, token.user_id)
            holder = self._link_holder(s, token)
            # a portal client's user code: her page repeats it, and her portal's sign-in form is filled with it
            code = (s.execute(select(Membership.user_code).where(
                Membership.user_id == user.id, Membership.license_id == token.license_id)).scalar()
                if holder["role"] == CLIENT else None)
            return {"purpose": data["purpose"], "email": user.email, "name": user.name, **holder,
                    "user_code": code, "has_password": bool(user.password_hash), "expires_at": iso(token.expires_at)}

    @staticmethod
    def _link_holder(s, token: Token) -> dict:
        """The company an emailed link joins and the person's role there (a customer's contact, "client", gets
        the page's wording for the client portal; none for a link of no license), and the language the link's
        email was written in: a client's page and her portal follow it, not her browser's."""
        locale = s.get(User, token.user_id).locale
        if not token.license_id:
            return {"company": None, "role": None, "locale": locale}
        return {"company": s.get(License, token.license_id).name,
                "role": s.execute(select(Membership.role).where(Membership.user_id == token.user_id,
                                                                Membership.license_id == token.license_id)).scalar(),
                "locale": locale}

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
                m.status, m.activated_at = "active", utcnow()
                self._access_changed(s, m)
                self.outbox.add(s, "user.activated.v1", {
                    "user_id": user.id, "email": user.email, "name": user.name, "role": m.role,
                    "license_id": lic.id}, subject=user.id, license_id=lic.id)
            return self._tokens(s, user, m, lic)

    @endpoint(write=True)
    def request_password_reset(self, payload):
        """"Forgot password": a reset link to a person who has a password, and a fresh invitation for each access
        still waiting for its invitation to be used (a link lost or expired: a license's only admin has nobody to
        re-send it, and activating the company again is a 409), so a person without a password gets one too.
        Always answers the same way, whether or not the email is known; beyond ``link_throttle`` requests per
        account (known or not) or per address in its window, it sends nothing and still answers the same."""
        data = schemas.PasswordResetRequestSchema().load(payload)
        try:
            email = logic.normalize_email(data["email"])
        except InvalidInput:
            return {"requested": True}
        throttle = self.settings.link_throttle
        limits = throttle.limits(email, data["client_ip"])
        with self.db.session() as s:
            now = utcnow()
            for key, limit in limits.items():
                recent = s.execute(select(func.count()).select_from(LoginFailure).where(
                    LoginFailure.key == key, LoginFailure.failed_at > now - throttle.window)).scalar_one()
                if recent >= limit:
                    return {"requested": True}
            s.add_all(LoginFailure(key=key) for key in limits)
            s.execute(delete(LoginFailure).where(LoginFailure.key.startswith(throttle.prefix),
                                                 LoginFailure.failed_at <= now - throttle.window))
            user = s.execute(select(User).where(User.email == email)).scalar_one_or_none()
            if user is None:
                return {"requested": True}
            if user.password_hash:
                self._send_reset_link(s, user)
            self._send_pending_invitations(s, user)
        return {"requested": True}

    def _send_reset_link(self, s, user: User):
        portal = self._client_portal(s, user)
        m, lic = portal or (None, None)
        # a client's link is for her company's portal: its page names the company (link_info) and sends
        # her to the portal's sign-in; her email comes from the company
        secret = self._issue_secret(s, user, "reset", lic and lic.id, logic.RESET_TTL)
        self.outbox.add(s, "notification.requested.v1", {
            "channel": "email", "to": user.email, "locale": user.locale,
            "template": "client_password_reset" if portal else "password_reset",
            "user_id": user.id, "dedupe_key": f"reset:{logic.hash_secret(secret)}",
            "customer_id": m and m.customer_id,  # the delivery log's scope, as for her invitation
            "vars": {"name": user.name or "", "license_name": lic.name if lic else "",
                     "link": logic.set_password_url(self.settings.public_url, secret).replace(
                         "/set-password?", "/reset-password?"),
                     "expires_at": iso(utcnow() + logic.RESET_TTL)}},
            subject=user.id, license_id=lic and lic.id)

    def _send_pending_invitations(self, s, user: User):
        """A fresh invitation (a new link; the earlier ones keep working until they expire) for each access of
        the person still invited, in a subscription not expired: the email is the invitation's, naming whoever
        invited them (nobody for the admin of an activation)."""
        rows = s.execute(select(Membership, License, SeatPool).join(License, License.id == Membership.license_id)
                         .join(SeatPool, SeatPool.id == License.pool_id)
                         .where(Membership.user_id == user.id, Membership.status == "invited")
                         .order_by(License.name)).all()
        for m, lic, pool in rows:
            if pool.expires_at <= utcnow():
                continue
            inviter = s.get(User, m.invited_by) if m.invited_by else None
            self._send_invitation(s, user, m, lic, inviter.email if inviter is not None else None)

    @staticmethod
    def _client_portal(s, user: User) -> tuple[Membership, License] | None:
        """The client portal a person whose only active accesses are client ones signs in to (the company she
        last signed in to, else the first by name, as login chooses); None for anyone on a company's staff (her
        password is a Paraph account's) or without an active access."""
        rows = s.execute(select(Membership, License).join(License, License.id == Membership.license_id).where(
            Membership.user_id == user.id, Membership.status == "active").order_by(License.name)).all()
        if not rows or any(m.role != CLIENT for m, _lic in rows):
            return None
        return next(((m, lic) for m, lic in rows if lic.id == user.last_license_id), rows[0])

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
            t.used_at = utcnow()
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
