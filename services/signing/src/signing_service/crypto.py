"""Sealing PDFs with pyHanko (PAdES baselines B-B to B-LTA), and the key material it needs (verifying
them: signing_service.pdf_verification).

Every function here is CPU-bound (RSA, hashing, PDF parsing): the service calls them through
``paraph_platform.offhub.run`` (a worker process). pyHanko runs its own asyncio loop inside it.
:func:`prepare_off_hub` (container setup) has the workers import pyHanko when they start and gives them
the levels of its loggers.

Key material, first match wins:

* ``SIGNING_P12_PATH`` (+ ``SIGNING_P12_PASSWORD``): a PKCS#12 file with the sealing key and chain;
* ``SIGNING_KEY_PEM`` + ``SIGNING_CERT_PEM`` (+ ``SIGNING_CHAIN_PEM``, ``SIGNING_KEY_PASSWORD``): PEM
  text, or paths of PEM files;
* otherwise development material: a self-signed "Paraph development CA", a sealing certificate and
  a time-stamping certificate issued by it, generated once and kept in the service's database. Material
  generated since PAdES B-LT also keeps the CA's key (``ca.key.pem``): the service signs the CA's CRL with
  it (:func:`issue_crl`), which the certificates name as their CRL distribution point; older material has
  no CA key, so no CRL, and seals at B-T.

A key setting that cannot work (a file missing, a wrong password, one of the PEM pair without the other...)
is a ``ConfigError`` naming it; signing's preflight (:func:`check_settings`) loads them all before it starts.

PAdES levels (``SIGNATURE_PADES_LEVEL``): B-B (signature only), B-T (+ signature timestamp), B-LT (+ the
chain and its revocation information in the document security store, DSS), B-LTA (+ a document timestamp
over all of it). B-LT needs revocation information: the development CRL, or, for a configured certificate,
the CRLs / OCSP responses its certificates point to, fetched at sealing; when there is none, the seal falls
back to B-T and ``pdf_verification.verify_pdf`` reports the level reached.

Timestamps (RFC 3161): ``TSA_URL`` names a real time-stamping authority (HTTP POST of the
TimeStampReq); without it an in-process development TSA (pyHanko's ``DummyTimeStamper``, with the
development TSA certificate) stamps the signature. ``python -m signing_service.devtsa`` runs the same
development TSA over HTTP, to exercise the ``TSA_URL`` path locally.
"""
from __future__ import annotations

import copyreg
import io
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

# asn1crypto.tsp adds "tst_info" to cms.ContentType's names when imported, and ContentType caches its name-to-OID
# map the first time it is used: anything parsed before the import (a PKCS#12 file checked at start) left that
# cache without it, and every time-stamp after it failed ("invalid literal for int(): 'tst_info'")
from asn1crypto import tsp

from paraph_platform import offhub
from paraph_platform.config import ConfigError

log = logging.getLogger(__name__)

FIELD_NAME = "ParaphSeal"
DEV_NAMES = ("ca.pem", "signer.key.pem", "signer.pem", "tsa.key.pem", "tsa.pem")
DEV_CA_KEY = "ca.key.pem"  # development material generated since PAdES B-LT only (signs the CRL)
LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")
CRL_VALIDITY = timedelta(days=7)


# -- key material -----------------------------------------------------------------------------------

def _travel_as_der() -> None:
    """Key material goes to the off-hub worker processes by pickle, and asn1crypto values do not pickle
    (their parsed state is lost): certificates and keys travel as DER, re-parsed on arrival."""
    from asn1crypto import crl, keys, x509
    for cls in (x509.Certificate, keys.PrivateKeyInfo, crl.CertificateList):
        copyreg.pickle(cls, lambda value: (type(value).load, (value.dump(),)))


_travel_as_der()


@dataclass
class KeyMaterial:
    signing_key: object            # asn1crypto.keys.PrivateKeyInfo
    signing_cert: object           # asn1crypto.x509.Certificate
    chain: list = field(default_factory=list)
    trust_roots: list = field(default_factory=list)
    tsa_url: str | None = None
    tsa_timeout: float = 10.0
    tsa_cert: object | None = None  # development TSA (in-process)
    tsa_key: object | None = None
    source: str = "dev"
    pades_level: str = "B-LTA"
    crls: list = field(default_factory=list)  # asn1crypto.crl.CertificateList: the development CA's

    @property
    def fetches_revocation(self) -> bool:
        """A configured certificate's revocation information is fetched where its certificates point."""
        return self.source != "dev"

    @property
    def signer_name(self) -> str:
        return self.signing_cert.subject.human_friendly

    def fingerprints(self) -> set[str]:
        return {self.signing_cert.sha256.hex()}


def _name(cn: str):
    from cryptography import x509
    from cryptography.x509.oid import NameOID
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Paraph (development)")])


def _issue(cn: str, issuer_key=None, issuer_name=None, *, ca=False, tsa=False, years=10, crl_url=None):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = _name(cn)
    now = datetime.now(timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name or subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365 * years))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
               .add_extension(x509.KeyUsage(
                   digital_signature=not ca, content_commitment=not ca and not tsa, key_encipherment=False,
                   data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                   encipher_only=False, decipher_only=False), critical=True))
    if issuer_key is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    if tsa:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    if crl_url:
        builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            [x509.UniformResourceIdentifier(crl_url)], None, None, None)]), critical=False)
    cert = builder.sign(issuer_key or key, hashes.SHA256())
    return key, cert


def generate_dev_credentials(crl_url: str | None = None) -> dict[str, bytes]:
    """A development CA (and its key), a sealing certificate and a TSA certificate, as PEM files (name ->
    bytes); ``crl_url`` (where the CA's CRL is served) goes into the two certificates."""
    from cryptography.hazmat.primitives import serialization as ser

    def key_pem(k):
        return k.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption())

    ca_key, ca = _issue("Paraph development CA", ca=True, years=20)
    s_key, s_cert = _issue("Paraph e-signature seal (development)", ca_key, ca.subject, crl_url=crl_url)
    t_key, t_cert = _issue("Paraph development TSA", ca_key, ca.subject, tsa=True, crl_url=crl_url)
    return {"ca.pem": ca.public_bytes(ser.Encoding.PEM), DEV_CA_KEY: key_pem(ca_key), "signer.key.pem": key_pem(s_key),
            "signer.pem": s_cert.public_bytes(ser.Encoding.PEM), "tsa.key.pem": key_pem(t_key),
            "tsa.pem": t_cert.public_bytes(ser.Encoding.PEM)}


def issue_crl(creds: dict[str, bytes], validity: timedelta = CRL_VALIDITY) -> bytes | None:
    """The development CA's CRL (DER; nothing revoked), valid for ``validity``; None for development
    material without the CA's key. The CRL number is the issuing time, so it grows across replicas."""
    if DEV_CA_KEY not in creds:
        return None
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives import serialization as ser
    ca_key = ser.load_pem_private_key(creds[DEV_CA_KEY], None)
    ca = x509.load_pem_x509_certificate(creds["ca.pem"])
    now = datetime.now(timezone.utc)
    crl = (x509.CertificateRevocationListBuilder().issuer_name(ca.subject)
           .last_update(now - timedelta(minutes=5)).next_update(now + validity)  # 5 min: other hosts' clocks
           .add_extension(x509.CRLNumber(int(now.timestamp() * 1000)), critical=False)
           .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
           .sign(ca_key, hashes.SHA256()))
    return crl.public_bytes(ser.Encoding.DER)


def crl_next_update(der: bytes) -> datetime:
    from asn1crypto import crl
    return crl.CertificateList.load(der)["tbs_cert_list"]["next_update"].native


def set_crls(km: KeyMaterial, ders: list[bytes]) -> None:
    from asn1crypto import crl
    km.crls = [crl.CertificateList.load(der) for der in ders]


def pades_level(value: str | None, has_tsa: bool = True) -> str:
    """``SIGNATURE_PADES_LEVEL``: one of :data:`LEVELS`; by default B-LTA with a TSA (the development TSA
    always is one), else B-LT."""
    if not value:
        return "B-LTA" if has_tsa else "B-LT"
    level = value.strip().upper().removeprefix("PADES-")
    if level not in LEVELS:
        raise ConfigError(f"SIGNATURE_PADES_LEVEL must be one of {', '.join(LEVELS)}, not {value!r}")
    return level


def _pem_or_path(value: str) -> bytes:
    value = value.strip()
    if "-----BEGIN" in value:  # PEM text, maybe after openssl's "Bag Attributes" lines: never a path
        return value.encode()
    return Path(value).read_bytes()


def _certs_from_pem(data: bytes) -> list:
    from asn1crypto import pem, x509
    if not pem.detect(data):
        return [x509.Certificate.load(data)]
    return [x509.Certificate.load(der) for kind, _h, der in pem.unarmor(data, multiple=True)
            if kind == "CERTIFICATE"]


def _private_key(data: bytes, password: bytes | None):
    """The cryptography private key of PEM or DER ``data``."""
    from cryptography.hazmat.primitives import serialization as ser
    return ser.load_pem_private_key(data, password=password) if b"-----BEGIN" in data else \
        ser.load_der_private_key(data, password=password)


def _key_info(key):
    """A cryptography private key as pyHanko takes it (asn1crypto PrivateKeyInfo)."""
    from asn1crypto import keys
    from cryptography.hazmat.primitives import serialization as ser
    return keys.PrivateKeyInfo.load(key.private_bytes(ser.Encoding.DER, ser.PrivateFormat.PKCS8, ser.NoEncryption()))


def _key_from_pem(data: bytes, password: bytes | None):
    return _key_info(_private_key(data, password))


def _is_self_signed(cert) -> bool:
    return cert.subject == cert.issuer


# -- the key settings, each refused with one sentence naming it (signing's preflight loads them at start) --

P12_EXPECTED = "the path of a PKCS#12 file (.p12, .pfx) holding the sealing key and its certificate"
KEY_EXPECTED = "the sealing private key in PEM, or the path of its file"
CERT_EXPECTED = "the sealing certificate in PEM, or the path of its file"
CHAIN_EXPECTED = "the certificates of the sealing certificate's chain in PEM, or the path of their file"
TRUST_ROOTS_EXPECTED = "certificates in PEM, or the path of their file"


def _shown(value: str) -> str:
    """A setting's value in a message: a path, never key material."""
    value = value.strip()
    if "-----BEGIN" in value:
        return "its PEM text"
    return repr(value) if len(value) <= 200 and "\n" not in value else "its value"


def _unreadable(name: str, value: str, expected: str, exc: OSError) -> ConfigError:
    return ConfigError(f"{name} must be {expected}: cannot read {_shown(value)} ({exc.strerror or type(exc).__name__})")


def _setting_bytes(name: str, value: str, expected: str) -> bytes:
    try:
        return _pem_or_path(value)
    except OSError as exc:
        raise _unreadable(name, value, expected, exc) from None


def _certificates_setting(name: str, value: str, expected: str) -> list:
    """The certificates (asn1crypto) of setting ``name``, each one parsed through."""
    from cryptography import x509 as cx509
    data = _setting_bytes(name, value, expected)
    try:
        certs = _certs_from_pem(data)
        for cert in certs:  # asn1crypto parses lazily: a broken certificate would fail at the seal
            cx509.load_der_x509_certificate(cert.dump())
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{name} must be {expected}: {_shown(value)} does not parse as a certificate "
                          f"({exc})") from None
    if not certs:
        raise ConfigError(f"{name} must be {expected}: {_shown(value)} holds no certificate")
    return certs


def _check_pair(key, cert, where: str):
    """The private key must be the certificate's: a seal made otherwise verifies as broken."""
    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import serialization as ser

    def spki(public_key):
        return public_key.public_bytes(ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo)

    certificate = cx509.load_der_x509_certificate(cert.dump())
    if spki(key.public_key()) != spki(certificate.public_key()):
        raise ConfigError(f"{where}: the private key is not the certificate's "
                          f"({certificate.subject.rfc4514_string()})")


def _p12_refusal(path: str, data: bytes, password: str | None) -> ConfigError:
    """Why cryptography refused a PKCS#12 file (its "Invalid password or PKCS12 data" says either)."""
    from asn1crypto import pkcs12 as asn1_pkcs12
    from cryptography.hazmat.primitives.serialization import pkcs12
    try:
        asn1_pkcs12.Pfx.load(data, strict=True).native  # noqa: B018 - parsed through (asn1crypto is lazy)
    except ValueError:
        return ConfigError(f"SIGNING_P12_PATH must be {P12_EXPECTED}: {path!r} is not a PKCS#12 file")
    if not password:
        return ConfigError(f"SIGNING_P12_PASSWORD is not set and the PKCS#12 file {path!r} (SIGNING_P12_PATH) "
                           f"does not open without a password")
    try:
        pkcs12.load_key_and_certificates(data, None)
    except ValueError:
        return ConfigError(f"SIGNING_P12_PASSWORD does not open the PKCS#12 file {path!r} (SIGNING_P12_PATH): "
                           f"wrong password")
    return ConfigError(f"SIGNING_P12_PASSWORD is set but the PKCS#12 file {path!r} (SIGNING_P12_PATH) has no "
                       f"password: unset SIGNING_P12_PASSWORD")


def _p12_material(path: str, password: str | None) -> tuple:
    """(cryptography key, asn1crypto certificate, chain) of ``SIGNING_P12_PATH``."""
    from asn1crypto import x509
    from cryptography.hazmat.primitives import serialization as ser
    from cryptography.hazmat.primitives.serialization import pkcs12
    path = path.strip()
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise _unreadable("SIGNING_P12_PATH", path, P12_EXPECTED, exc) from None
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password.encode() if password else None)
    except ValueError:
        raise _p12_refusal(path, data, password) from None
    if key is None or cert is None:
        raise ConfigError(f"SIGNING_P12_PATH must be {P12_EXPECTED}: {path!r} holds no "
                          f"{'private key' if key is None else 'certificate for its private key'}")

    def der(c):
        return x509.Certificate.load(c.public_bytes(ser.Encoding.DER))

    return key, der(cert), [der(c) for c in (extra or [])]


def _pem_material(get) -> tuple:
    """(cryptography key, asn1crypto certificate, chain) of ``SIGNING_KEY_PEM`` and the settings with it."""
    for name, other in (("SIGNING_KEY_PEM", "SIGNING_CERT_PEM"), ("SIGNING_CERT_PEM", "SIGNING_KEY_PEM")):
        if not get(name):  # half a configuration would seal with the development CA without a word
            raise ConfigError(f"{name} is not set while {other} is: the sealing key and its certificate go "
                              f"together (unset both to seal with the development CA)")
    value, password = get("SIGNING_KEY_PEM"), get("SIGNING_KEY_PASSWORD")
    data = _setting_bytes("SIGNING_KEY_PEM", value, KEY_EXPECTED)
    try:
        key = _private_key(data, password.encode() if password else None)
    except (ValueError, TypeError) as exc:  # not a key, encrypted without SIGNING_KEY_PASSWORD, wrong password
        if isinstance(exc, TypeError) or "password" in str(exc).lower():
            raise ConfigError(f"SIGNING_KEY_PASSWORD does not fit the key SIGNING_KEY_PEM ({_shown(value)}): "
                              f"{exc}") from None
        raise ConfigError(f"SIGNING_KEY_PEM must be {KEY_EXPECTED}: {_shown(value)} does not parse as a "
                          f"private key ({exc})") from None
    cert = _certificates_setting("SIGNING_CERT_PEM", get("SIGNING_CERT_PEM"), CERT_EXPECTED)[0]
    _check_pair(key, cert, "SIGNING_KEY_PEM and SIGNING_CERT_PEM")
    chain = _certificates_setting("SIGNING_CHAIN_PEM", get("SIGNING_CHAIN_PEM"), CHAIN_EXPECTED) \
        if get("SIGNING_CHAIN_PEM") else []
    return key, cert, chain


def configured_material(get) -> KeyMaterial | None:
    """Key material from the environment (``get(name)`` returns a variable or None), or None. A setting
    that gives no usable key is a :class:`ConfigError` naming it."""
    if get("SIGNING_P12_PATH"):
        key, cert, chain = _p12_material(get("SIGNING_P12_PATH"), get("SIGNING_P12_PASSWORD"))
        source = "p12"
    elif get("SIGNING_KEY_PEM") or get("SIGNING_CERT_PEM"):
        key, cert, chain = _pem_material(get)
        source = "pem"
    else:
        return None
    km = KeyMaterial(signing_key=_key_info(key), signing_cert=cert, chain=chain, source=source)
    km.trust_roots = [c for c in km.chain if _is_self_signed(c)]
    if _is_self_signed(km.signing_cert):
        km.trust_roots.append(km.signing_cert)
    return km


def add_trust_roots(km: KeyMaterial, pem_or_path: str | None):
    """Extra roots for verification (``SIGNING_TRUST_ROOTS_PEM``: e.g. the TSA's CA)."""
    if pem_or_path:
        for cert in _certificates_setting("SIGNING_TRUST_ROOTS_PEM", pem_or_path, TRUST_ROOTS_EXPECTED):
            if all(cert.sha256 != r.sha256 for r in km.trust_roots):
                km.trust_roots.append(cert)


def check_settings(get) -> None:
    """Load now what the first seal loads (:class:`~signing_service.dependencies.Keys`): the sealing key
    material, the extra trust roots, the PAdES level. A setting that cannot work is a :class:`ConfigError`
    naming it; signing's preflight calls this before the service starts."""
    configured_material(get)
    if get("SIGNING_TRUST_ROOTS_PEM"):
        _certificates_setting("SIGNING_TRUST_ROOTS_PEM", get("SIGNING_TRUST_ROOTS_PEM"), TRUST_ROOTS_EXPECTED)
    pades_level(get("SIGNATURE_PADES_LEVEL"))


def dev_material(creds: dict[str, bytes], crl: bytes | None = None) -> KeyMaterial:
    """The development material; with ``crl`` (:func:`issue_crl`) it can seal at B-LT and B-LTA."""
    ca = _certs_from_pem(creds["ca.pem"])[0]
    km = KeyMaterial(signing_key=_key_from_pem(creds["signer.key.pem"], None),
                     signing_cert=_certs_from_pem(creds["signer.pem"])[0], chain=[ca], trust_roots=[ca],
                     tsa_cert=_certs_from_pem(creds["tsa.pem"])[0], tsa_key=_key_from_pem(creds["tsa.key.pem"], None),
                     source="dev")
    if crl:
        set_crls(km, [crl])
    return km


def attach_dev_tsa(km: KeyMaterial, creds: dict[str, bytes]):
    """No TSA_URL: stamp with the development TSA (trusting its CA for verification)."""
    km.tsa_cert = _certs_from_pem(creds["tsa.pem"])[0]
    km.tsa_key = _key_from_pem(creds["tsa.key.pem"], None)
    ca = _certs_from_pem(creds["ca.pem"])[0]
    if all(ca.sha256 != r.sha256 for r in km.trust_roots):
        km.trust_roots.append(ca)


# -- timestamps ---------------------------------------------------------------------------------------

def _http_timestamper_class():
    from pyhanko.sign.timestamps.api import TimeStamper
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError, set_tsp_headers

    class BlockingHTTPTimeStamper(TimeStamper):
        """RFC 3161 over HTTP with a plain blocking ``requests.post``: it already runs in an off-hub worker
        process, so no extra executor thread (pyHanko's own client hands the call to asyncio.to_thread)."""

        def __init__(self, url: str, timeout: float = 10.0):
            super().__init__()
            self.url = url
            self.timeout = timeout

        async def async_request_tsa_response(self, req):
            import requests
            try:
                resp = requests.post(self.url, data=req.dump(), headers=set_tsp_headers({}), timeout=self.timeout)
            except OSError as exc:
                raise TimestampRequestError(f"time-stamping authority unreachable: {exc}") from exc
            if resp.status_code != 200 or resp.headers.get("Content-Type", "").split(";")[0].strip() \
                    != "application/timestamp-reply":
                raise TimestampRequestError(f"time-stamping authority answered {resp.status_code}")
            return tsp.TimeStampResp.load(resp.content)

    return BlockingHTTPTimeStamper


def timestamper(km: KeyMaterial):
    """One timestamper per key material: pyHanko caches the size of a timestamp token in it, so only
    the first seal sends an extra (size-estimating) request to the TSA."""
    cached = getattr(km, "_timestamper", None)
    if cached is not None and cached[0] == (km.tsa_url, id(km.tsa_cert)):
        return cached[1]
    if km.tsa_url:
        stamper = _http_timestamper_class()(km.tsa_url, km.tsa_timeout)
    elif km.tsa_cert is None:
        raise RuntimeError("no time-stamping authority: set TSA_URL")
    else:
        from pyhanko.sign.timestamps import DummyTimeStamper
        stamper = DummyTimeStamper(tsa_cert=km.tsa_cert, tsa_key=km.tsa_key)
    km._timestamper = ((km.tsa_url, id(km.tsa_cert)), stamper)
    return stamper


# -- sealing ----------------------------------------------------------------------------------------

PYHANKO_MODULES = ("pyhanko.pdf_utils.incremental_writer", "pyhanko.pdf_utils.reader", "pyhanko.sign",
                   "pyhanko.sign.signers.pdf_signer", "pyhanko.sign.timestamps", "pyhanko.sign.validation",
                   "pyhanko_certvalidator", "pyhanko_certvalidator.registry")


def prepare_off_hub() -> None:
    """Before any off-hub call: the workers import pyHanko as they start, and its validation reports are
    quiet (a verify explains every signature it examines; the service returns that report itself)."""
    offhub.preload(*PYHANKO_MODULES)
    logging.getLogger("pyhanko.sign.diff_analysis").setLevel(logging.CRITICAL)
    logging.getLogger("pyhanko.sign.validation").setLevel(logging.CRITICAL)


class _NoFetchWarningFilter(logging.Filter):
    def filter(self, record):
        return "fetching is not allowed" not in record.getMessage()


# the development CRL is given, never fetched: pyHanko's warning about it would come with every seal (a
# worker's records are handled again by the service's logger of the same name, so this filters both)
logging.getLogger("pyhanko.sign.signers.pdf_signer").addFilter(_NoFetchWarningFilter())


def _revocation_context(km: KeyMaterial):
    """What B-LT embeds: the chain to the roots and the revocation information of every certificate on it
    (``require``: none may lack it), from the development CRL or fetched where a configured certificate
    points; None when no revocation information can be had."""
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend
    anchors = km.trust_roots or km.chain[-1:]  # a configured chain may stop below its root
    if not anchors or not (km.crls or km.fetches_revocation):
        return None
    return ValidationContext(trust_roots=list(anchors), other_certs=list(km.chain), crls=list(km.crls),
                             allow_fetching=km.fetches_revocation, revocation_mode="require",
                             fetcher_backend=RequestsFetcherBackend(per_request_timeout=km.tsa_timeout))


def _no_revocation_info():
    """Why B-LT could not be reached: the chain (signer's or TSA's) or its revocation information did not
    validate, or could not be fetched. A TSA outage (``TimestampRequestError``) is not one of them."""
    from pyhanko.sign.general import SigningError
    from pyhanko_certvalidator.errors import PathError, ValidationError
    return SigningError, PathError, ValidationError


def seal_pdf(pdf: bytes, km: KeyMaterial, *, reason: str = "", location: str = "", contact: str = "",
             field_name: str = FIELD_NAME, level: str | None = None) -> bytes:
    """A PAdES signature (CAdES detached, over the whole file; an incremental update, so the original
    bytes stay a prefix of the result) at ``level`` (default ``km.pades_level``): B-T adds an RFC 3161
    signature timestamp, B-LT a DSS revision with the chain and its CRLs / OCSP responses, B-LTA a document
    timestamp after it. When B-LT cannot be reached (no revocation information) the seal is B-T;
    ``pdf_verification.verify_pdf`` reports the level of the result."""
    level = pades_level(level or km.pades_level)
    if level in ("B-LT", "B-LTA"):
        context = _revocation_context(km)
        if context is not None:
            try:
                return _sign(pdf, km, field_name, reason, location, contact, stamped=True, context=context,
                             lta=level == "B-LTA")
            except _no_revocation_info() as exc:
                log.warning("signing: no revocation information for the sealing chain (%s); sealing at B-T",
                            exc.__cause__ or exc)
        else:
            log.warning("signing: no revocation information for the sealing chain; sealing at B-T")
    return _sign(pdf, km, field_name, reason, location, contact, stamped=level != "B-B")


def _sign(pdf: bytes, km: KeyMaterial, field_name, reason, location, contact, *, stamped: bool,
          context=None, lta: bool = False) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    signer = signers.SimpleSigner(signing_cert=km.signing_cert, signing_key=km.signing_key,
                                  cert_registry=SimpleCertificateStore.from_certs(km.chain))
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    meta = PdfSignatureMetadata(field_name=field_name, md_algorithm="sha256",
                                subfilter=fields.SigSeedSubFilter.PADES, reason=reason[:500] or None,
                                location=location[:200] or None, contact_info=contact[:200] or None,
                                name="Paraph", validation_context=context, embed_validation_info=context is not None,
                                use_pades_lta=lta)
    out = signers.sign_pdf(writer, meta, signer=signer, timestamper=timestamper(km) if stamped else None)
    return out.getvalue()
