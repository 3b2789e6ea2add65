"""Access-token signing keys: Ed25519 (EdDSA), held by identity only, published as a JWKS.

The private key is ``JWT_PRIVATE_KEY`` (PEM text or the path of a PEM file) when it is set; otherwise
identity generates one the first time it signs and keeps it in its own database. Rotation makes a new
current key; the retired keys' public parts stay in the JWKS until every token they signed has expired,
so the gateway (which fetches the JWKS again on an unknown ``kid``) never refuses a live token.
"""
from __future__ import annotations

import base64
import hashlib
import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import or_, select

from paraph_platform.config import ConfigError

from .exceptions import Conflict
from .models import TokenKey

ALGORITHM = "EdDSA"
# another identity replica may rotate: a cached current key is re-read after this many seconds
CURRENT_KEY_CACHE_SECONDS = 30.0


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def public_jwk(private_key: Ed25519PrivateKey) -> dict:
    """The public JWK (RFC 8037) with its RFC 7638 thumbprint as ``kid``."""
    x = _b64url(private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    members = {"crv": "Ed25519", "kty": "OKP", "x": x}  # the thumbprint's required members, in order
    kid = _b64url(hashlib.sha256(json.dumps(members, separators=(",", ":")).encode()).digest())
    return {**members, "kid": kid, "alg": ALGORITHM, "use": "sig"}


def private_pem(private_key: Ed25519PrivateKey) -> str:
    return private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()).decode()


def load_private_key(value: str) -> Ed25519PrivateKey:
    """``JWT_PRIVATE_KEY``: PEM text, or the path of a PEM file (a mounted secret). A value that gives no
    Ed25519 key is a :class:`ConfigError` (identity then stops at start with that one line)."""
    expected = "an Ed25519 private key in PEM, or the path of its file (openssl genpkey -algorithm ed25519)"
    try:
        text = value if "-----BEGIN" in value else Path(value).read_text()
    except OSError as exc:
        raise ConfigError(f"JWT_PRIVATE_KEY must be {expected}: cannot read {value!r} ({exc.strerror})") from None
    try:
        key = serialization.load_pem_private_key(text.encode(), password=None)
    except (ValueError, TypeError) as exc:  # not PEM, encrypted, unsupported
        raise ConfigError(f"JWT_PRIVATE_KEY must be {expected}: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"JWT_PRIVATE_KEY must be {expected}, not a {type(key).__name__.lstrip('_')}")
    return key


class TokenKeys:
    """The signing key of this identity process (cached) and the published public keys."""

    def __init__(self, configured: str | None, access_ttl: timedelta):
        self.configured = load_private_key(configured) if configured else None
        self.access_ttl = access_ttl
        self._current: tuple[str, Ed25519PrivateKey, float] | None = None

    def sign(self, s, claims: dict) -> str:
        kid, key = self._current_key(s)
        return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": kid})

    def _current_key(self, s) -> tuple[str, Ed25519PrivateKey]:
        cached = self._current
        if cached is not None and time.monotonic() - cached[2] < CURRENT_KEY_CACHE_SECONDS:
            return cached[0], cached[1]
        kid, key, already_stored = self._configured_key(s) if self.configured else self._stored_key(s)
        # a key added in this transaction is cached only once it is read back committed: a rollback
        # must not leave this process signing with a key the JWKS does not publish
        self._current = (kid, key, time.monotonic()) if already_stored else None
        return kid, key

    def _configured_key(self, s) -> tuple[str, Ed25519PrivateKey, bool]:
        """Publish JWT_PRIVATE_KEY's public part (once) and retire the keys it replaced."""
        jwk = public_jwk(self.configured)
        if s.get(TokenKey, jwk["kid"]) is not None:
            return jwk["kid"], self.configured, True
        s.add(TokenKey(kid=jwk["kid"], public_jwk=jwk, private_pem=None))
        self._retire_others(s, jwk["kid"])
        s.flush()
        return jwk["kid"], self.configured, False

    def _stored_key(self, s) -> tuple[str, Ed25519PrivateKey, bool]:
        row = s.execute(select(TokenKey).where(TokenKey.retired_at.is_(None), TokenKey.private_pem.is_not(None))
                        .order_by(TokenKey.created_at.desc()).limit(1)).scalar_one_or_none()
        if row is None:
            return (*self._new_stored_key(s), False)
        return row.kid, serialization.load_pem_private_key(row.private_pem.encode(), password=None), True

    def _new_stored_key(self, s) -> tuple[str, Ed25519PrivateKey]:
        key = Ed25519PrivateKey.generate()
        jwk = public_jwk(key)
        s.add(TokenKey(kid=jwk["kid"], public_jwk=jwk, private_pem=private_pem(key)))
        self._retire_others(s, jwk["kid"])
        s.flush()
        return jwk["kid"], key

    @staticmethod
    def _retire_others(s, kid: str):
        now = datetime.now(timezone.utc)
        for row in s.execute(select(TokenKey).where(TokenKey.retired_at.is_(None), TokenKey.kid != kid)).scalars():
            row.retired_at = now

    def rotate(self, s) -> dict:
        """A new current key (tokens already issued keep verifying until they expire)."""
        if self.configured:
            raise Conflict("The signing key comes from JWT_PRIVATE_KEY: rotate it by deploying a new key there.")
        kid, _ = self._new_stored_key(s)
        self._current = None
        return {"kid": kid}

    def jwks(self, s) -> dict:
        """Current and recently retired public keys: a retired key stays until its last token expired."""
        if self.configured or s.execute(select(TokenKey.kid).where(TokenKey.retired_at.is_(None))).first() is None:
            self._current_key(s)  # publish the first key before anyone needs it
        horizon = datetime.now(timezone.utc) - self.access_ttl - timedelta(minutes=1)
        rows = s.execute(select(TokenKey).where(or_(TokenKey.retired_at.is_(None), TokenKey.retired_at > horizon))
                         .order_by(TokenKey.created_at.desc())).scalars()
        return {"keys": [dict(r.public_jwk) for r in rows]}
