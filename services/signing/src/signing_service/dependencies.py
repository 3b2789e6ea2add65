"""signing dependencies: settings from the environment, and the sealing key material."""
from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timezone

from nameko.extensions import DependencyProvider
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from paraph_platform import offhub
from paraph_platform.config import env, env_float, env_int, public_url
from paraph_platform.db import Database

from . import crypto, logic
from .models import DevCredential

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SigningSettings:
    public_url: str
    otp_ttl: int
    otp_max_attempts: int
    otp_send_limit: int
    otp_send_window: int
    request_ttl_days: int
    reminder_after: float
    reminder_max: int
    reminder_min_interval: float
    seal_retry_after: float
    max_document_bytes: int
    embed_url_ttl: int = 600  # seconds an embedded signing URL may wait to be opened
    max_document_pages: int = 200  # most pages of an uploaded document
    bulk_send_concurrency: int = 4  # a bulk send's requests created at the same time (the others wait)
    bulk_send_lease: float = 60.0  # seconds a claimed bulk send belongs to its replica, renewed as rows go


def _setting(config: dict, name: str, value):
    """A value from the container config (tests) wins over the environment's."""
    return config.get(name) if config.get(name) not in (None, "") else value


class Settings(DependencyProvider):
    def setup(self):
        c = self.container.config
        self.settings = SigningSettings(
            public_url=(c.get("PUBLIC_URL") or public_url()).rstrip("/"),
            otp_ttl=int(_setting(c, "OTP_TTL_SECONDS", env_int("OTP_TTL_SECONDS", 600))),
            otp_max_attempts=int(_setting(c, "OTP_MAX_ATTEMPTS", env_int("OTP_MAX_ATTEMPTS", 5))),
            otp_send_limit=int(_setting(c, "OTP_SEND_LIMIT", env_int("OTP_SEND_LIMIT", 5))),
            otp_send_window=int(_setting(c, "OTP_SEND_WINDOW_SECONDS", env_int("OTP_SEND_WINDOW_SECONDS", 900))),
            request_ttl_days=int(_setting(c, "SIGNATURE_REQUEST_TTL_DAYS", env_int("SIGNATURE_REQUEST_TTL_DAYS", 30))),
            reminder_after=float(_setting(c, "SIGNATURE_REMINDER_AFTER_HOURS",
                                          env_float("SIGNATURE_REMINDER_AFTER_HOURS", 72.0))) * 3600,
            reminder_max=int(_setting(c, "SIGNATURE_REMINDER_MAX", env_int("SIGNATURE_REMINDER_MAX", 3))),
            reminder_min_interval=float(_setting(c, "SIGNATURE_REMINDER_MIN_INTERVAL",
                                                 env_float("SIGNATURE_REMINDER_MIN_INTERVAL", 300.0))),
            seal_retry_after=float(_setting(c, "SEAL_RETRY_AFTER_SECONDS", env_float("SEAL_RETRY_AFTER_SECONDS", 300.0))),
            max_document_bytes=int(_setting(c, "MAX_DOCUMENT_BYTES", env_int("MAX_DOCUMENT_BYTES", 25 * 1024 * 1024))),
            embed_url_ttl=int(_setting(c, "EMBED_URL_TTL_SECONDS", env_int("EMBED_URL_TTL_SECONDS", 600))),
            max_document_pages=int(_setting(c, "MAX_DOCUMENT_PAGES", env_int("MAX_DOCUMENT_PAGES", 200))),
            bulk_send_concurrency=max(1, int(_setting(c, "BULK_SEND_CONCURRENCY",
                                                      env_int("BULK_SEND_CONCURRENCY", 4)))),
            bulk_send_lease=float(_setting(c, "BULK_SEND_LEASE_SECONDS", env_float("BULK_SEND_LEASE_SECONDS", 60.0))),
        )

    def get_dependency(self, worker_ctx):
        return self.settings


def key_environment(config: dict) -> dict:
    """The key-related variables (container config first, for tests)."""
    return {
        "SIGNING_LINK_SECRET": _setting(config, "SIGNING_LINK_SECRET", env("SIGNING_LINK_SECRET")),
        "SIGNING_P12_PATH": _setting(config, "SIGNING_P12_PATH", env("SIGNING_P12_PATH")),
        "SIGNING_P12_PASSWORD": _setting(config, "SIGNING_P12_PASSWORD", env("SIGNING_P12_PASSWORD")),
        "SIGNING_KEY_PEM": _setting(config, "SIGNING_KEY_PEM", env("SIGNING_KEY_PEM")),
        "SIGNING_CERT_PEM": _setting(config, "SIGNING_CERT_PEM", env("SIGNING_CERT_PEM")),
        "SIGNING_CHAIN_PEM": _setting(config, "SIGNING_CHAIN_PEM", env("SIGNING_CHAIN_PEM")),
        "SIGNING_KEY_PASSWORD": _setting(config, "SIGNING_KEY_PASSWORD", env("SIGNING_KEY_PASSWORD")),
        "SIGNING_TRUST_ROOTS_PEM": _setting(config, "SIGNING_TRUST_ROOTS_PEM", env("SIGNING_TRUST_ROOTS_PEM")),
        "TSA_URL": _setting(config, "TSA_URL", env("TSA_URL", None, "signing")),
        "TSA_TIMEOUT": _setting(config, "TSA_TIMEOUT", env_float("TSA_TIMEOUT", 10.0)),
        "SIGNATURE_PADES_LEVEL": _setting(config, "SIGNATURE_PADES_LEVEL", env("SIGNATURE_PADES_LEVEL")),
    }


# where the gateway serves the development CA's CRL (named by the certificates generated with it)
CRL_PATH = "/api/v1/signing/ca.crl"


# the dev_credentials row of the generated link secret (when SIGNING_LINK_SECRET is unset)
LINK_SECRET_NAME = "link.secret"


@dataclass(frozen=True)
class LinkKeys:
    """Purpose-bound keys of the signing links and of the one-time codes, from one secret."""
    link: bytes
    otp: bytes

    @classmethod
    def from_secret(cls, secret: str) -> "LinkKeys":
        return cls(link=logic.derive_key(secret, "links"), otp=logic.derive_key(secret, "otp"))


class Keys:
    """Per-process cache of the key material, loaded on first use."""

    def __init__(self, config: dict):
        self._env = key_environment(config)
        self._crl_url = (config.get("PUBLIC_URL") or public_url()).rstrip("/") + CRL_PATH
        self._lock = threading.Lock()
        self._material: crypto.KeyMaterial | None = None
        self._creds: dict[str, bytes] | None = None  # the development material in use, if any
        self._crl: tuple[bytes, datetime] | None = None  # the development CRL and when to reissue it
        self._fingerprints: set[str] = set()
        self._link_keys: LinkKeys | None = None

    def link_keys(self, db) -> LinkKeys:
        """SIGNING_LINK_SECRET, or a random secret generated once and kept in the signing database: links
        survive restarts and are the same on every replica, and no other process can compute them."""
        if self._link_keys is None:
            with self._lock:
                if self._link_keys is None:
                    secret = self._env.get("SIGNING_LINK_SECRET") or self._stored_link_secret(db)
                    self._link_keys = LinkKeys.from_secret(secret)
        return self._link_keys

    @staticmethod
    def _stored_link_secret(db) -> str:
        with db.session() as s:
            row = s.get(DevCredential, LINK_SECRET_NAME)
            if row is not None:
                return row.value.decode()
        try:
            with db.session() as s:
                s.add(DevCredential(name=LINK_SECRET_NAME, value=secrets.token_urlsafe(32).encode()))
        except IntegrityError:  # another worker or replica generated it first: use theirs
            pass
        with db.session() as s:
            return s.get(DevCredential, LINK_SECRET_NAME).value.decode()

    def _dev_credentials(self, db) -> dict[str, bytes]:
        with db.session() as s:
            rows = {r.name: r.value for r in s.execute(select(DevCredential)).scalars()}
        if all(n in rows for n in crypto.DEV_NAMES):
            return rows
        generated = offhub.run(crypto.generate_dev_credentials, self._crl_url)
        try:
            with db.session() as s:
                for name, value in generated.items():
                    s.add(DevCredential(name=name, value=value))
            log.warning("signing: generated a development CA and sealing certificate (set SIGNING_P12_PATH or "
                        "SIGNING_KEY_PEM/SIGNING_CERT_PEM in production)")
            return generated
        except IntegrityError:  # another worker or replica generated them first
            with db.session() as s:
                return {r.name: r.value for r in s.execute(select(DevCredential)).scalars()}

    def material(self, db) -> crypto.KeyMaterial:
        if self._material is None:
            with self._lock:
                if self._material is None:
                    km = self._load(db)
                    self._refresh_crl(km)
                    self._material = km
        self._refresh_crl(self._material)
        return self._material

    def dev_crl(self, db) -> bytes | None:
        """The development CA's current CRL (DER), or None when no development CA key is in use."""
        self.material(db)
        return self._crl[0] if self._crl else None

    def dev_ca_pem(self, db) -> bytes | None:
        self.material(db)
        return self._creds["ca.pem"] if self._creds else None

    def _refresh_crl(self, km: crypto.KeyMaterial):
        """The development CRL, issued off the hub (an RSA signature) and again once half its validity has
        passed: what B-LT embeds must not be stale, and what the gateway serves neither."""
        if self._creds is None or crypto.DEV_CA_KEY not in self._creds:
            return
        now = datetime.now(timezone.utc)
        if self._crl is not None and self._crl[1] > now:
            return
        der = offhub.run(crypto.issue_crl, self._creds)
        self._crl = (der, now + crypto.CRL_VALIDITY / 2)
        crypto.set_crls(km, [der])

    def _load(self, db) -> crypto.KeyMaterial:
        get = self._env.get
        km = crypto.configured_material(get)
        creds = None
        if km is None or not get("TSA_URL"):
            creds = self._dev_credentials(db)
        if km is None:
            km = crypto.dev_material(creds)
        if get("TSA_URL"):
            km.tsa_url = get("TSA_URL")
            km.tsa_timeout = float(get("TSA_TIMEOUT") or 10.0)
        else:
            if km.source != "dev":
                log.warning("signing: no TSA_URL; timestamps come from the in-process development TSA")
            crypto.attach_dev_tsa(km, creds)
        crypto.add_trust_roots(km, get("SIGNING_TRUST_ROOTS_PEM"))
        km.pades_level = crypto.pades_level(get("SIGNATURE_PADES_LEVEL"))
        self._fingerprints = km.fingerprints()
        if creds:
            self._fingerprints |= {crypto._certs_from_pem(creds["signer.pem"])[0].sha256.hex()}
        # the development CA's certificate and CRL are served and embedded only when it made the sealing
        # certificate: a configured certificate using the development TSA is not vouched for by that CA
        self._creds = creds if km.source == "dev" else None
        return km

    def fingerprints(self, db) -> set[str]:
        self.material(db)
        return set(self._fingerprints)

    @property
    def tsa_label(self) -> str:
        return self._env.get("TSA_URL") or "development TSA (in-process)"


class KeyStore(DependencyProvider):
    def setup(self):
        crypto.prepare_off_hub()
        self.keys = Keys(self.container.config)

    def start(self):
        # the link keys are loaded before any worker runs: workers use them inside their own transaction,
        # where generating the secret (a write on a second connection) would wait for that very transaction
        # on SQLite; every Database provider has its engine once the container's setup is done
        db = next(ext.db for ext in self.container.dependencies if isinstance(ext, Database))
        self.keys.link_keys(db)

    def get_dependency(self, worker_ctx):
        return self.keys
