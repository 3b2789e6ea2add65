"""Test helpers for the signing service (used by its integration tests and tests/e2e).

Signing links and one-time codes are secrets only the notify service sees: tests read them from the
signing service's own outbox (``notification.requested.v1`` rows).
"""
from __future__ import annotations

import base64
import io
import json
import struct
import uuid
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
    return [e["data"] for e in events(system, "notification.requested.v1")
            if (template is None or e["data"]["template"] == template) and (to is None or e["data"]["to"] == to)]


def events(system, type_: str) -> list[dict]:
    """The events of ``type_`` the signing service wrote, oldest first; on a system shared by a module's tests
    (``System.for_license``), only those of the test's own license."""
    payloads = [(p if isinstance(p, dict) else json.loads(p))
                for (p,) in _rows(system, "select payload from outbox where type = :t order by seq", t=type_)]
    license_id = getattr(system, "license_id", None)
    return [p for p in payloads if license_id is None or p["license_id"] == license_id]


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
    """Validate every signature of a PDF with pyHanko (no trust roots: integrity, coverage, timestamp, and
    what was appended after it: ``LTA_UPDATES`` = only DSS and document timestamps)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext
    out = []
    for sig in PdfFileReader(io.BytesIO(data)).embedded_regular_signatures:
        vc = ValidationContext(allow_fetching=False, revocation_mode="soft-fail")
        status = validate_pdf_signature(sig, signer_validation_context=vc, ts_validation_context=vc)
        out.append({"intact": status.intact, "coverage": status.coverage.name, "timestamp": status.timestamp_validity,
                    "modification_level": status.modification_level.name if status.modification_level else None,
                    "subfilter": str(sig.sig_object.get("/SubFilter"))})
    return out


def pdf_long_term(data: bytes, ca_pem: bytes) -> dict:
    """pyHanko's validation of a PAdES B-LT/B-LTA file with ``ca_pem`` as the only trust root and the
    document security store (DSS) as the only source of revocation information (``require``: every
    certificate must have some): the DSS's CRLs, each signature's status and each document timestamp's."""
    from asn1crypto import crl, pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    _, _, der = pem.unarmor(ca_pem)
    reader = PdfFileReader(io.BytesIO(data))
    dss = DocumentSecurityStore.read_dss(reader)

    def context():
        return dss.as_validation_context({"trust_roots": [x509.Certificate.load(der)], "allow_fetching": False,
                                          "revocation_mode": "require"})
    return {"crls": [crl.CertificateList.load(ref.get_object().data) for ref in dss.crls],
            "signatures": [validate_pdf_signature(sig, signer_validation_context=context(),
                                                  ts_validation_context=context())
                           for sig in reader.embedded_regular_signatures],
            "document_timestamps": [validate_pdf_timestamp(sig, validation_context=context())
                                    for sig in reader.embedded_timestamp_signatures]}


# -- uploaded documents: files the upload refuses or accepts --------------------------------------------

def pdf_file(pages: int = 1, *, encrypt: bool = False, javascript: bool = False, embedded_file: bool = False,
             open_action_script: bool = False) -> bytes:
    """A blank PDF of ``pages`` A4 pages, with the requested defect."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595.28, height=841.89)
    script = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject("app.alert('hello');")})
    if javascript:  # a document-level script: the catalog's names tree /JavaScript (pypdf has no helper)
        scripts = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("hello"),
                                                                      writer._add_object(script)])})
        writer._root_object[NameObject("/Names")] = DictionaryObject(
            {NameObject("/JavaScript"): writer._add_object(scripts)})
    if open_action_script:
        writer._root_object[NameObject("/OpenAction")] = script
    if embedded_file:
        writer.add_attachment("notes.txt", b"hidden")
    if encrypt:
        writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_file() -> bytes:
    """The smallest zip a Word document is recognised by (word/document.xml)."""
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def word_document(*paragraphs: str) -> bytes:
    """A real (minimal) Word document LibreOffice opens: one paragraph per string."""
    import zipfile
    from xml.sax.saxutils import escape
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(f"<w:p><w:r><w:t>{escape(text)}</w:t></w:r></w:p>" for text in paragraphs)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
            'document.main+xml"/></Types>'))
        z.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'))
        z.writestr("word/document.xml", f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{w}">'
                                        f'<w:body>{body}</w:body></w:document>')
    return out.getvalue()


def quote_to_sign(system, *, title: str = "Maintenance 2027", line: str = "Maintenance annuelle",
                  unit_price: str = "1200.00", render: bool = True) -> dict:
    """A license with a salesperson, a customer with two contacts (Jeanne Dupont, Paul Martin) and a quote
    for Jeanne, ready to be sent for signature. ``render``: its PDF rendered (and cached) now, so that the
    request's own fetch of it is quick on a busy machine. ``system``: the ``system`` fixture (the four
    services of its own), or a running ``System`` that the module's tests share (``esign_system`` in
    tests/e2e/conftest.py): then the users' addresses are the test's own and the returned ``s`` reads this
    license's outbox rows only."""
    from paraph_platform.testing import System
    shared = isinstance(system, System)
    s = system if shared else system("identity", "perimeter", "contracts", "signing")
    domain = f"{uuid.uuid4().hex[:10]}.vendeur.test" if shared else "vendeur.test"
    admin = s.new_license("Vendeur SA", f"admin@{domain}")
    if shared:
        s = s.for_license(admin["license_id"])
    sales = s.add_user(admin, f"sales@{domain}", name="Sam Sales")
    r = s.post("/api/v1/customers", json={"name": "Client SARL", "contacts": [
        {"first_name": "Jeanne", "last_name": "Dupont", "email": "jeanne@client.test"},
        {"first_name": "Paul", "last_name": "Martin", "email": "paul@client.test"}]}, token=sales["access_token"])
    assert r.status_code == 201, r.get_json()
    jeanne, paul = sorted(r.get_json()["contacts"], key=lambda c: c["first_name"])
    r = s.post("/api/v1/quotes", json={"title": title, "contact_id": jeanne["id"], "lines": [
        {"description": line, "quantity": "1", "unit_price": unit_price, "tax_rate": "20"}]},
        token=sales["access_token"])
    assert r.status_code == 201, r.get_json()
    if render:
        assert s.get(f"/api/v1/contracts/{r.get_json()['id']}/pdf", token=sales["access_token"]).status_code == 200
    return {"s": s, "sales": sales["access_token"], "jeanne": jeanne, "paul": paul, "quote": r.get_json()}
