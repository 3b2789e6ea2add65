"""Test helpers for the signing service (used by its integration tests and tests/e2e).

Signing links and one-time codes are secrets only the notify service sees: tests read them from the
signing service's own outbox (``notification.requested.v1`` rows).
"""
from __future__ import annotations

import base64
import io
import json
import struct
import zlib

from sqlalchemy import create_engine, text

from paraph_platform.db import normalize_url


def _rows(system, sql: str, **params) -> list:
    engine = create_engine(normalize_url(system.db_url("signing")))
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).all()
    finally:
        engine.dispose()


def notifications(system, template: str | None = None, to: str | None = None) -> list[dict]:
    """``data`` of the notification.requested.v1 events the signing service wrote, oldest first."""
    out = []
    for (payload,) in _rows(system, "select payload from outbox where type = 'notification.requested.v1' "
                                    "order by seq"):
        data = (payload if isinstance(payload, dict) else json.loads(payload))["data"]
        if (template is None or data["template"] == template) and (to is None or data["to"] == to):
            out.append(data)
    return out


def events(system, type_: str) -> list[dict]:
    return [(p if isinstance(p, dict) else json.loads(p))
            for (p,) in _rows(system, "select payload from outbox where type = :t order by seq", t=type_)]


def link(system, email: str) -> str:
    """The latest signing link sent to ``email``."""
    sent = notifications(system, "signature_request", email.lower())
    assert sent, f"no signing link was sent to {email}"
    return sent[-1]["vars"]["link"]


def token(system, email: str) -> str:
    return link(system, email).rsplit("/sign/", 1)[1]


def otp(system, to: str) -> str:
    """The latest one-time code sent to ``to`` (email address or phone number)."""
    sent = notifications(system, "signature_otp", to)
    assert sent, f"no one-time code was sent to {to}"
    return sent[-1]["vars"]["code"]


def signature_png(width: int = 60, height: int = 20) -> str:
    """A small valid PNG (a diagonal stroke) as a data: URL."""
    raw = b""
    for y in range(height):
        raw += b"\x00" + bytes(0 if abs(x - y * width // height) < 2 else 255 for x in range(width))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(png).decode()


def sign_via_link(system, email: str, *, consent: bool = True, typed_name: str | None = None,
                  image: bool = True, headers: dict | None = None):
    """Open the link, ask for a code, sign: returns the last response."""
    tok = token(system, email)
    info = system.get(f"/api/v1/sign/{tok}", headers=headers).get_json()
    r = system.post(f"/api/v1/sign/{tok}/otp", json={}, headers=headers)
    assert r.status_code == 200, r.get_json()
    code = otp(system, email.lower())
    body = {"otp": code, "consent": consent, "consent_sha256": info["consent_sha256"],
            "typed_name": typed_name or info["participant"]["name"]}
    if image:
        body["signature_image"] = signature_png()
    return system.post(f"/api/v1/sign/{tok}/sign", json=body, headers=headers)


def approve_via_link(system, email: str, headers: dict | None = None):
    tok = token(system, email)
    info = system.get(f"/api/v1/sign/{tok}").get_json()
    return system.post(f"/api/v1/sign/{tok}/approve",
                       json={"consent": True, "consent_sha256": info["consent_sha256"]}, headers=headers)


def pdf_signatures(data: bytes) -> list[dict]:
    """Validate every signature of a PDF with pyHanko (no trust roots: integrity, coverage, timestamp)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext
    out = []
    for sig in PdfFileReader(io.BytesIO(data)).embedded_signatures:
        vc = ValidationContext(allow_fetching=False, revocation_mode="soft-fail")
        status = validate_pdf_signature(sig, signer_validation_context=vc, ts_validation_context=vc)
        out.append({"intact": status.intact, "coverage": status.coverage.name, "timestamp": status.timestamp_validity,
                    "subfilter": str(sig.sig_object.get("/SubFilter"))})
    return out
