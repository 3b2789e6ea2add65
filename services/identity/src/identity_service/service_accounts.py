"""Service accounts and their API keys: how integrations call Paraph without a person's session.

A license admin creates service accounts (a name and a staff role; no seat, no membership, not in the
users list) and gives each API keys: ``pk_live_`` + 43 base62 characters, shown once by the create call
and stored as their SHA-256 (a fast hash suits a 256-bit random secret: nothing to brute-force), with
``<area>:read|write`` scopes, an optional IP allow-list and an optional expiry. The gateway resolves the
key of every request with ``api_key_actor``: a revoked or expired key, or a disabled account, is refused
from its very next request. A new account is announced (``service_account.created.v1``) so that the
perimeter service registers it as a user subject: its perimeters then limit what its keys see."""
from __future__ import annotations

import hashlib
import ipaddress
import secrets
import string
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from paraph_platform.actor import LICENSE_ADMIN, load_actor, require_role
from paraph_platform.api_keys import KEY_PREFIX
from paraph_platform.db import utcnow
from paraph_platform.envelope import iso
from paraph_platform.idempotency import stable_id
from paraph_platform.service import endpoint

from . import schemas
from .base import IdentityServiceBase
from .exceptions import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from .licenses import license_rate_limit
from .models import ApiKey, ServiceAccount

KEY_LENGTH = len(KEY_PREFIX) + 43  # 43 base62 characters hold 256 bits
SHOWN_PREFIX_LENGTH = 12  # what lists show of a key: "pk_live_AbCd"
BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
# last_used_at is precise to this: a busy key is written at most once per period, not once per request
LAST_USED_RESOLUTION = timedelta(minutes=1)
# the same answer for an unknown, revoked or expired key and a disabled account: no oracle
INVALID_KEY = "This API key is not valid (unknown, revoked or expired)."
ACCOUNT_NOT_FOUND = "Service account not found."


# -- keys: pure rules ------------------------------------------------------------------------

def new_api_key() -> str:
    """``pk_live_`` + 32 random bytes in base62 (letters and digits only: one token for scanners' regexes)."""
    n, digits = int.from_bytes(secrets.token_bytes(32), "big"), []
    for _ in range(KEY_LENGTH - len(KEY_PREFIX)):
        n, digit = divmod(n, 62)
        digits.append(BASE62[digit])
    return KEY_PREFIX + "".join(digits)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def looks_like_api_key(value) -> bool:
    return isinstance(value, str) and value.startswith(KEY_PREFIX) and len(value) <= 2 * KEY_LENGTH


def ip_allowed(client_ip: str | None, allowed: list[str]) -> bool:
    """Is the caller's address in the allow-list (addresses or CIDR networks)? An empty list allows any."""
    if not allowed:
        return True
    try:
        address = ipaddress.ip_address(client_ip or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False) for network in allowed)


# -- views -----------------------------------------------------------------------------------

def account_view(a: ServiceAccount) -> dict:
    return {"id": a.id, "license_id": a.license_id, "name": a.name, "description": a.description,
            "role": a.role, "status": "disabled" if a.disabled_at else "active", "created_by": a.created_by,
            "created_at": iso(a.created_at), "disabled_at": iso(a.disabled_at)}


def key_view(k: ApiKey) -> dict:
    return {"id": k.id, "service_account_id": k.service_account_id, "name": k.name, "prefix": k.prefix,
            "scopes": list(k.scopes), "allowed_ips": list(k.allowed_ips), "expires_at": iso(k.expires_at),
            "last_used_at": iso(k.last_used_at), "created_by": k.created_by, "created_at": iso(k.created_at),
            "revoked_at": iso(k.revoked_at)}


class ServiceAccountsEndpoints(IdentityServiceBase):
    def _account(self, s, license_id: str, service_account_id) -> ServiceAccount:
        account = s.get(ServiceAccount, service_account_id) if isinstance(service_account_id, str) else None
        if account is None or account.license_id != license_id:
            raise NotFound(ACCOUNT_NOT_FOUND)
        return account

    # -- accounts (license admins) ----------------------------------------------------------

    @endpoint(write=True)
    def create_service_account(self, actor, payload):
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        data = schemas.CreateServiceAccountSchema().load(payload)
        with self.db.session() as s:
            lic, _ = self._license(s, actor["license_id"])
            account = ServiceAccount(id=stable_id(self.ctx, "service_account"), license_id=lic.id,
                                     created_by=actor["user_id"], **data)
            s.add(account)
            s.flush()
            # internal: the perimeter service registers the account as a user subject of the license
            self.outbox.add(s, "service_account.created.v1", {
                "service_account_id": account.id, "license_id": lic.id, "name": account.name,
                "role": account.role}, subject=account.id, license_id=lic.id)
            return account_view(account)

    @endpoint
    def list_service_accounts(self, actor):
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        with self.db.session() as s:
            return [account_view(a) for a in s.execute(select(ServiceAccount).where(
                ServiceAccount.license_id == actor["license_id"]).order_by(
                ServiceAccount.name, ServiceAccount.id)).scalars()]

    @endpoint
    def get_service_account(self, actor, service_account_id):
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        with self.db.session() as s:
            return account_view(self._account(s, actor["license_id"], service_account_id))

    @endpoint(write=True)
    def update_service_account(self, actor, service_account_id, payload):
        """Rename, describe or change the role (its keys act with the new role from their next request)."""
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        data = schemas.UpdateServiceAccountSchema().load(payload)
        with self.db.session() as s:
            account = self._account(s, actor["license_id"], service_account_id)
            for field, value in data.items():
                setattr(account, field, value)
            return account_view(account)

    @endpoint(write=True)
    def disable_service_account(self, actor, service_account_id):
        """Every key of the account is refused from its next request (the keys stay listed)."""
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        with self.db.session() as s:
            account = self._account(s, actor["license_id"], service_account_id)
            account.disabled_at = account.disabled_at or utcnow()
            return account_view(account)

    # -- keys (license admins) --------------------------------------------------------------

    @endpoint
    def create_api_key(self, actor, service_account_id, payload):
        """A new key; its text is in this answer only. Not ``write=True``: that would store the answer,
        key included, with the Idempotency-Key. Idempotent all the same: the key's id comes from the
        request's key (stable_id), and a repeated request gets the key's record without its text."""
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        data = schemas.CreateApiKeySchema().load(payload)
        key_id = stable_id(self.ctx, "api_key")
        try:
            with self.db.session() as s:
                account = self._account(s, actor["license_id"], service_account_id)
                if s.get(ApiKey, key_id) is None:
                    if account.disabled_at:
                        raise Conflict("This service account is disabled.")
                    key = new_api_key()
                    record = ApiKey(id=key_id, service_account_id=account.id, license_id=account.license_id,
                                    name=data["name"], prefix=key[:SHOWN_PREFIX_LENGTH], key_hash=hash_api_key(key),
                                    scopes=sorted(set(data["scopes"])), allowed_ips=data["allowed_ips"],
                                    expires_at=data["expires_at"], created_by=actor["user_id"])
                    s.add(record)
                    s.flush()
                    return {**key_view(record), "key": key}
        except IntegrityError:  # a concurrent delivery of this request created it first
            pass
        with self.db.session() as s:
            record = s.get(ApiKey, key_id)
            if record is None or (record.service_account_id, record.name, record.scopes) != (
                    service_account_id, data["name"], sorted(set(data["scopes"]))):
                raise Conflict("This Idempotency-Key was already used for a different request.")
            return {**key_view(record), "key": None}

    @endpoint
    def list_api_keys(self, actor, service_account_id):
        """The account's keys, newest first: their prefix, never their text."""
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        with self.db.session() as s:
            account = self._account(s, actor["license_id"], service_account_id)
            return [key_view(k) for k in s.execute(select(ApiKey).where(
                ApiKey.service_account_id == account.id).order_by(
                ApiKey.created_at.desc(), ApiKey.id)).scalars()]

    @endpoint(write=True)
    def revoke_api_key(self, actor, service_account_id, key_id):
        """The key is refused from its next request."""
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        with self.db.session() as s:
            account = self._account(s, actor["license_id"], service_account_id)
            record = s.get(ApiKey, key_id) if isinstance(key_id, str) else None
            if record is None or record.service_account_id != account.id:
                raise NotFound("API key not found.")
            record.revoked_at = record.revoked_at or utcnow()
            return key_view(record)

    # -- the gateway ------------------------------------------------------------------------

    @endpoint
    def api_key_actor(self, key, client_ip=None):
        """Internal (gateway): the caller an API key stands for, checked on every request: 401 for a key
        that is unknown, revoked, expired or of a disabled account (one message for all), 403 outside
        its IP allow-list or after the subscription's end."""
        if not looks_like_api_key(key):
            raise Unauthorized(INVALID_KEY)
        if client_ip is not None and not isinstance(client_ip, str):
            raise InvalidInput("client_ip must be a string.")
        now = utcnow()
        with self.db.session() as s:
            row = s.execute(select(ApiKey, ServiceAccount).join(
                ServiceAccount, ServiceAccount.id == ApiKey.service_account_id).where(
                ApiKey.key_hash == hash_api_key(key))).first()
            if row is None:
                raise Unauthorized(INVALID_KEY)
            record, account = row
            if record.revoked_at or account.disabled_at or (record.expires_at and record.expires_at <= now):
                raise Unauthorized(INVALID_KEY)
            if not ip_allowed(client_ip, record.allowed_ips):
                raise Forbidden("Access from this IP address is not allowed for this API key.")
            lic, pool = self._license(s, account.license_id)
            self._check_pool_open(pool)
            if record.last_used_at is None or now - record.last_used_at >= LAST_USED_RESOLUTION:
                record.last_used_at = now
            return {"user_id": account.id, "license_id": account.license_id, "role": account.role,
                    "email": None, "name": account.name, "service_account": True,
                    "api_key_id": record.id, "scopes": list(record.scopes),
                    "rate_limit_per_window": license_rate_limit(lic.settings, api_key=True)}
