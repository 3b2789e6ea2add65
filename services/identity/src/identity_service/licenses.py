"""Licenses: one company's environment, drawing its seats from a seat pool. A company activates its license
with the pool's activation code (its first user becomes license admin); license admins rename it and
change its settings (abandon delay, locale, time zone, currency...), which other services read through
``license_settings`` and the ``license.updated.v1`` event. The operator may give a license its own rate limits
(requests per window at the gateway, for its users and for its API keys), kept in its settings too."""
from __future__ import annotations

from sqlalchemy import func, select

from paraph_platform import company_country
from paraph_platform.actor import CLIENT, LICENSE_ADMIN, MANAGERS, SYSTEM, load_actor, require_role
from paraph_platform.envelope import iso
from paraph_platform.service import endpoint

from . import logic, schemas
from .base import IdentityServiceBase, member_view
from .exceptions import Conflict, NotFound
from .models import License, Membership, SeatPool, User


# the settings a license's own rate limits are kept under (absent or null: the gateway's defaults)
USER_RATE_LIMIT = "rate_limit_per_window"
API_KEY_RATE_LIMIT = "api_key_rate_limit_per_window"


def license_rate_limit(settings: dict | None, *, api_key: bool = False) -> int | None:
    """The license's own limit of requests per window for a user (or an API key), None for the default:
    the gateway receives it with the caller (access state, API key actor)."""
    return (settings or {}).get(API_KEY_RATE_LIMIT if api_key else USER_RATE_LIMIT)


def company_name_key(name: str) -> str:
    """What two company names of one subscription must not share: the name without its letter case and
    repeated spaces ("ACME  paris " is "ACME Paris")."""
    return " ".join(name.split()).casefold()


def new_license_settings(country: str | None, locale: str) -> dict:
    """A new license's settings. A company that says its country starts with that country's time zone, currency and
    documents' language (paraph_platform.company_country: a British company's quotes in pounds and English, its emails'
    times in London time), and keeps the country (where its staff's numbers are read); one that does not (the API
    before it asked), with Paris time, the euro and the language it activated in, and no country."""
    start = company_country.defaults(country)
    settings = {"abandon_delay_days": 60, "default_locale": start.locale if country else locale,
                "currency": start.currency, "time_zone": start.time_zone,  # the dates and times of its emails
                "portal_attachments_visible_by_default": False, "electronic_signature_enabled": True}
    return {**settings, "country": country} if country else settings


class LicensesEndpoints(IdentityServiceBase):
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
            self._check_pool_open(pool)
            # a retry (a person's second click, an integrator's retry without Idempotency-Key) must not open a
            # second environment taking another seat: a company is activated once per subscription, by its name
            self._refuse_a_name_taken(s, pool, data["company_name"], "company_name")
            self._take_seat(s, pool)
            lic = License(pool_id=pool.id, name=data["company_name"],
                          settings=new_license_settings(data["country"], data["locale"]))
            s.add(lic)
            user = s.execute(select(User).where(User.email == email)).scalar_one_or_none()
            if user is None:  # a person of another company keeps the language of their account
                user = User(email=email, name=data["admin_name"] or "", locale=data["locale"])
                s.add(user)
            elif data["admin_name"].strip() and not user.name:
                user.name = data["admin_name"]  # a person of another company who had not given a name yet
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
            # the seats and expiry are for those who invite (managers), not for every salesperson
            if actor["role"] not in MANAGERS and actor["role"] != SYSTEM:
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
            lic, pool = self._license(s, actor["license_id"], lock_license=True)
            if "name" in data:
                lic.name = data.pop("name")
                self._refuse_a_name_taken(s, pool, lic.name, "name", but=lic.id)
            lic.settings = {**(lic.settings or {}), **data}
            lic.version += 1
            self._license_event(s, lic, pool)
            return self._license_view(s, lic, pool)

    @endpoint(write=True)
    def set_rate_limits(self, actor, license_id, payload):
        """Operator: a license's own rate limits (null: back to the gateway's defaults); the gateways hear
        ``license.updated.v1`` and apply them from the next request."""
        require_role(load_actor(actor), SYSTEM)
        data = schemas.RateLimitsSchema().load(payload)
        with self.db.session() as s:
            lic, pool = self._license(s, license_id, lock_license=True)
            lic.settings = {**(lic.settings or {}), **data}
            lic.version += 1
            self._license_event(s, lic, pool)
            return {"license_id": lic.id, USER_RATE_LIMIT: license_rate_limit(lic.settings),
                    API_KEY_RATE_LIMIT: license_rate_limit(lic.settings, api_key=True)}

    def _refuse_a_name_taken(self, s, pool: SeatPool, name: str, field: str, but: str | None = None) -> None:
        """409 on ``field`` when another company of the subscription already has this name (letter case and
        extra spaces aside): its companies are told apart by name (the seat usage, the license switcher), and an
        activation sent twice must not open a second environment taking another seat."""
        wanted = company_name_key(name)
        for lic_id, taken in s.execute(select(License.id, License.name).where(License.pool_id == pool.id)).all():
            if lic_id != but and company_name_key(taken) == wanted:
                raise Conflict(
                    f"A company named “{taken}” is already activated on this subscription: its license admin was "
                    "emailed a link to choose a password when it was activated. If that link was lost or has "
                    "expired, they get a new one with “Forgot password?” on the sign-in page "
                    "(POST /api/v1/auth/forgot-password with their email). Another company of the same "
                    "subscription needs another name.",
                    {"fields": {field: ["A company of this subscription already has this name."]},
                     "license_name": taken})

    def _license_view(self, s, lic: License, pool: SeatPool) -> dict:
        usage = self._usage(s, pool)
        active = s.execute(select(func.count()).select_from(Membership).where(
            Membership.license_id == lic.id, Membership.status == "active", Membership.role != CLIENT)).scalar_one()
        return {
            "id": lic.id, "name": lic.name, "pool_id": pool.id, "settings": dict(lic.settings or {}),
            "expires_at": iso(pool.expires_at), "seats_total": pool.seats, "seats_used": usage.used,
            "seats_used_here": usage.used_by_license.get(lic.id, 0), "active_users": active,
        }
