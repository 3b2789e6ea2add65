"""Sealing and verifying PDFs with pyHanko (PAdES baseline B-T), and the key material it needs.

Every function here is CPU-bound (RSA, hashing, PDF parsing): the service calls them through
``paraph_platform.offhub.run`` (a worker process). pyHanko runs its own asyncio loop inside it.
:func:`prepare_off_hub` (container setup) has the workers import pyHanko when they start and gives them
the levels of its loggers.

Key material, first match wins:

* ``SIGNING_P12_PATH`` (+ ``SIGNING_P12_PASSWORD``): a PKCS#12 file with the sealing key and chain;
* ``SIGNING_KEY_PEM`` + ``SIGNING_CERT_PEM`` (+ ``SIGNING_CHAIN_PEM``, ``SIGNING_KEY_PASSWORD``): PEM
  text, or paths of PEM files;
* otherwise development material: a self-signed "Paraph development CA", a sealing certificate and
  a time-stamping certificate issued by it, generated once and kept in the service's database.

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

from paraph_platform import offhub

log = logging.getLogger(__name__)

FIELD_NAME = "ParaphSeal"
DEV_NAMES = ("ca.pem", "signer.key.pem", "signer.pem", "tsa.key.pem", "tsa.pem")


# -- key material -----------------------------------------------------------------------------------

def _travel_as_der() -> None:
    """Key material goes to the off-hub worker processes by pickle, and asn1crypto values do not pickle
    (their parsed state is lost): certificates and keys travel as DER, re-parsed on arrival."""
    from asn1crypto import keys, x509
    for cls in (x509.Certificate, keys.PrivateKeyInfo):
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


def _issue(cn: str, issuer_key=None, issuer_name=None, *, ca=False, tsa=False, years=10):
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
    cert = builder.sign(issuer_key or key, hashes.SHA256())
    return key, cert


def generate_dev_credentials() -> dict[str, bytes]:
    """A development CA, a sealing certificate and a TSA certificate, as PEM files (name -> bytes)."""
    from cryptography.hazmat.primitives import serialization as ser

    def key_pem(k):
        return k.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption())

    ca_key, ca = _issue("Paraph development CA", ca=True, years=20)
    s_key, s_cert = _issue("Paraph e-signature seal (development)", ca_key, ca.subject)
    t_key, t_cert = _issue("Paraph development TSA", ca_key, ca.subject, tsa=True)
    return {"ca.pem": ca.public_bytes(ser.Encoding.PEM), "signer.key.pem": key_pem(s_key),
            "signer.pem": s_cert.public_bytes(ser.Encoding.PEM), "tsa.key.pem": key_pem(t_key),
            "tsa.pem": t_cert.public_bytes(ser.Encoding.PEM)}


def _pem_or_path(value: str) -> bytes:
    value = value.strip()
    if value.startswith("-----BEGIN"):
        return value.encode()
    return Path(value).read_bytes()


def _certs_from_pem(data: bytes) -> list:
    from asn1crypto import pem, x509
    if not pem.detect(data):
        return [x509.Certificate.load(data)]
    return [x509.Certificate.load(der) for kind, _h, der in pem.unarmor(data, multiple=True)
            if kind == "CERTIFICATE"]


def _key_from_pem(data: bytes, password: bytes | None):
    from asn1crypto import keys
    from cryptography.hazmat.primitives import serialization as ser
    key = ser.load_pem_private_key(data, password=password) if b"-----BEGIN" in data else \
        ser.load_der_private_key(data, password=password)
    return keys.PrivateKeyInfo.load(key.private_bytes(ser.Encoding.DER, ser.PrivateFormat.PKCS8,
                                                      ser.NoEncryption()))


def _is_self_signed(cert) -> bool:
    return cert.subject == cert.issuer


def configured_material(get) -> KeyMaterial | None:
    """Key material from the environment (``get(name)`` returns a variable or None), or None."""
    from asn1crypto import keys, x509
    from cryptography.hazmat.primitives import serialization as ser
    from cryptography.hazmat.primitives.serialization import pkcs12
    p12_path = get("SIGNING_P12_PATH")
    if p12_path:
        password = get("SIGNING_P12_PASSWORD")
        key, cert, extra = pkcs12.load_key_and_certificates(
            Path(p12_path).read_bytes(), password.encode() if password else None)
        if key is None or cert is None:
            raise RuntimeError("SIGNING_P12_PATH holds no private key and certificate")
        km = KeyMaterial(
            signing_key=keys.PrivateKeyInfo.load(key.private_bytes(ser.Encoding.DER, ser.PrivateFormat.PKCS8,
                                                                   ser.NoEncryption())),
            signing_cert=x509.Certificate.load(cert.public_bytes(ser.Encoding.DER)),
            chain=[x509.Certificate.load(c.public_bytes(ser.Encoding.DER)) for c in (extra or [])],
            source="p12")
    elif get("SIGNING_KEY_PEM") and get("SIGNING_CERT_PEM"):
        password = get("SIGNING_KEY_PASSWORD")
        km = KeyMaterial(signing_key=_key_from_pem(_pem_or_path(get("SIGNING_KEY_PEM")),
                                                   password.encode() if password else None),
                         signing_cert=_certs_from_pem(_pem_or_path(get("SIGNING_CERT_PEM")))[0],
                         chain=_certs_from_pem(_pem_or_path(get("SIGNING_CHAIN_PEM")))
                         if get("SIGNING_CHAIN_PEM") else [],
                         source="pem")
    else:
        return None
    km.trust_roots = [c for c in km.chain if _is_self_signed(c)]
    if _is_self_signed(km.signing_cert):
        km.trust_roots.append(km.signing_cert)
    return km


def add_trust_roots(km: KeyMaterial, pem_or_path: str | None):
    """Extra roots for verification (``SIGNING_TRUST_ROOTS_PEM``: e.g. the TSA's CA)."""
    if pem_or_path:
        for cert in _certs_from_pem(_pem_or_path(pem_or_path)):
            if all(cert.sha256 != r.sha256 for r in km.trust_roots):
                km.trust_roots.append(cert)


def dev_material(creds: dict[str, bytes]) -> KeyMaterial:
    ca = _certs_from_pem(creds["ca.pem"])[0]
    return KeyMaterial(signing_key=_key_from_pem(creds["signer.key.pem"], None),
                       signing_cert=_certs_from_pem(creds["signer.pem"])[0], chain=[ca], trust_roots=[ca],
                       tsa_cert=_certs_from_pem(creds["tsa.pem"])[0], tsa_key=_key_from_pem(creds["tsa.key.pem"], None),
                       source="dev")


def attach_dev_tsa(km: KeyMaterial, creds: dict[str, bytes]):
    """No TSA_URL: stamp with the development TSA (trusting its CA for verification)."""
    km.tsa_cert = _certs_from_pem(creds["tsa.pem"])[0]
    km.tsa_key = _key_from_pem(creds["tsa.key.pem"], None)
    ca = _certs_from_pem(creds["ca.pem"])[0]
    if all(ca.sha256 != r.sha256 for r in km.trust_roots):
        km.trust_roots.append(ca)


# -- timestamps ---------------------------------------------------------------------------------------

def _http_timestamper_class():
    from asn1crypto import tsp
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


def seal_pdf(pdf: bytes, km: KeyMaterial, *, reason: str = "", location: str = "", contact: str = "",
             field_name: str = FIELD_NAME) -> bytes:
    """PAdES B-T: a CAdES detached signature over the whole file (incremental update, so the original
    bytes stay a prefix of the result) with an RFC 3161 signature timestamp."""
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
                                name="Paraph")
    out = signers.sign_pdf(writer, meta, signer=signer, timestamper=timestamper(km))
    return out.getvalue()


# -- verification -----------------------------------------------------------------------------------

def _iso(dt):
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def verify_pdf(data: bytes, trust_roots: list, paraph_fingerprints: set[str]) -> dict:
    """pyHanko's validation of every signature of ``data``: integrity, coverage, timestamp, trust."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    report = {"signatures": [], "problems": []}
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # noqa: BLE001 - whatever the parser says, it is not a readable PDF
        report["problems"].append(f"not a readable PDF ({type(exc).__name__})")
        return report
    if not embedded:
        report["problems"].append("the PDF carries no signature")
        return report

    def context():
        return ValidationContext(trust_roots=list(trust_roots), allow_fetching=False, revocation_mode="soft-fail")

    for sig in embedded:
        item = {"field": sig.field_name, "signer": None, "signer_certificate_sha256": None, "paraph_key": False,
                "intact": False, "valid": False, "trusted": False, "coverage": None, "covers_whole_file": False,
                "signing_time": None, "pades": None,
                "timestamp": {"present": False, "time": None, "intact": False, "valid": False, "trusted": False}}
        try:
            cert = sig.signer_cert
            item["signer"] = cert.subject.human_friendly
            item["signer_certificate_sha256"] = cert.sha256.hex()
            item["paraph_key"] = cert.sha256.hex() in paraph_fingerprints
            subfilter = sig.sig_object.get("/SubFilter")
            item["pades"] = str(subfilter) == "/ETSI.CAdES.detached"
            status = validate_pdf_signature(sig, signer_validation_context=context(),
                                            ts_validation_context=context())
            item.update({"intact": bool(status.intact), "valid": bool(status.valid),
                         "trusted": bool(status.trusted),
                         "coverage": status.coverage.name.lower() if status.coverage else None,
                         "covers_whole_file": status.coverage is not None
                         and status.coverage.name == "ENTIRE_FILE",
                         "signing_time": _iso(status.signer_reported_dt)})
            ts = status.timestamp_validity
            if ts is not None:
                item["timestamp"] = {"present": True, "time": _iso(ts.timestamp), "intact": bool(ts.intact),
                                     "valid": bool(ts.valid), "trusted": bool(ts.trusted)}
        except Exception as exc:  # noqa: BLE001 - a malformed signature is a failed signature
            item["error"] = f"{type(exc).__name__}: {exc}"[:300]
        report["signatures"].append(item)
    return report
