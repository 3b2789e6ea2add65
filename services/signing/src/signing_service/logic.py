"""Pure signing rules (no I/O): link tokens, one-time codes, masking, consent wording, turn order,
the hash chain of the audit trail, signature images."""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from paraph_platform import time_zones
from paraph_platform.dates import date_and_time
from paraph_platform.envelope import iso  # the times of views and of the audit chain's entries (hashed)

from .exceptions import InvalidInput, PayloadTooLarge, UnsupportedMediaType

GENESIS_HASH = "0" * 64
OTP_DIGITS = 6
MAX_SIGNATURE_IMAGE_BYTES = 300 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

APPROVER, SIGNER = "approver", "signer"
# the languages of a request (its emails, its proof) and of its signing page: the page may be shown in either,
# whatever the request's, and its consent text with it
LOCALES = ("fr", "en")
DONE = {APPROVER: "approved", SIGNER: "signed"}
FINAL_REQUEST_STATUSES = ("completed", "declined", "cancelled", "expired")


# -- secrets ------------------------------------------------------------------------------------

def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def derive_key(secret: str, purpose: str) -> bytes:
    """A purpose-bound key from a configured secret (HMAC-based, one step of HKDF-Expand)."""
    return hmac.new(secret.encode("utf-8"), f"paraph-signing:{purpose}".encode(), hashlib.sha256).digest()


def link_token(key: bytes, participant_id: str, version: int = 1) -> str:
    """The secret of a participant's signing link: deterministic (so a reminder or the portal can show
    the same link again) yet unguessable without the key; only its SHA-256 is stored."""
    mac = hmac.new(key, f"link:{participant_id}:{version}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def token_hash(token: str) -> str:
    return sha256_hex(token)


TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


def valid_token_shape(token) -> bool:
    return isinstance(token, str) and bool(TOKEN_RE.match(token))


def new_otp() -> str:
    return f"{secrets.randbelow(10 ** OTP_DIGITS):0{OTP_DIGITS}d}"


def otp_hash(key: bytes, challenge_id: str, code: str) -> str:
    return hmac.new(key, f"otp:{challenge_id}:{code}".encode(), hashlib.sha256).hexdigest()


def otp_matches(key: bytes, challenge_id: str, code: str, stored_hash: str) -> bool:
    code = (code or "").strip()
    if not re.fullmatch(r"\d{6}", code):
        # still spend the same time as a real comparison
        hmac.compare_digest(otp_hash(key, challenge_id, "000000"), stored_hash)
        return False
    return hmac.compare_digest(otp_hash(key, challenge_id, code), stored_hash)


def mask_email(email: str | None) -> str:
    if not email or "@" not in email:
        return ""
    local, _, domain = email.partition("@")
    head = local[:1]
    return f"{head}{'*' * max(3, len(local) - 1)}@{domain}"


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    digits = [c for c in phone if c.isdigit()]
    if len(digits) < 4:
        return "*" * len(digits)
    head = phone.strip()[:3 if phone.strip().startswith("+") else 2]
    hidden = len(digits) - sum(c.isdigit() for c in head) - 2
    return head + "*" * max(2, hidden) + "".join(digits[-2:])


def otp_destination(participant_channel: str, email: str, phone: str | None, requested: str | None):
    """(channel, address, masked address): SMS only when a phone number is known and SMS was chosen."""
    channel = requested or participant_channel or "email"
    if channel == "sms" and phone:
        return "sms", phone, mask_phone(phone)
    return "email", email, mask_email(email)


# -- canonical JSON and the audit chain ----------------------------------------------------------

def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def audit_body(request_id: str, seq: int, at: datetime, type: str, actor: dict | None, data: dict | None) -> str:
    return canonical_json({"request_id": request_id, "seq": seq, "at": iso(at), "type": type,
                           "actor": actor or {"type": "system"}, "data": data or {}})


def chain_hash(prev_hash: str, body: str) -> str:
    return sha256_hex(prev_hash + body)


@dataclass
class ChainEntry:
    seq: int
    prev_hash: str
    entry_hash: str
    body: str


def verify_chain(entries: list, request_id: str | None = None) -> dict:
    """Recompute the chain: each entry's prev_hash is the previous entry_hash, each entry_hash is
    sha256(prev_hash || body), the body is canonical JSON naming this request and this seq."""
    errors = []
    prev = GENESIS_HASH
    expected_seq = 1
    for e in entries:
        problems = []
        if e.seq != expected_seq:
            problems.append(f"sequence gap: expected {expected_seq}, found {e.seq}")
        if e.prev_hash != prev:
            problems.append("prev_hash does not match the previous entry")
        if chain_hash(e.prev_hash, e.body) != e.entry_hash:
            problems.append("entry_hash does not match its content")
        try:
            parsed = json.loads(e.body)
            if canonical_json(parsed) != e.body:
                problems.append("body is not canonical JSON")
            if parsed.get("seq") != e.seq or (request_id and parsed.get("request_id") != request_id):
                problems.append("body does not name this request and sequence number")
        except (ValueError, AttributeError):
            problems.append("body is not JSON")
        if problems:
            errors.append({"seq": e.seq, "problems": problems})
        prev = e.entry_hash
        expected_seq = e.seq + 1
    return {"valid": not errors and bool(entries), "entries": len(entries), "head": prev if entries else None,
            "errors": errors}


# -- participants and turns -----------------------------------------------------------------------

@dataclass
class Turn:
    stage: str                 # approval | signing | done
    active: list               # participant ids whose turn it is (pending or to be asked)


def next_turn(participants: list) -> Turn:
    """participants: objects with id, role, order, status. Every approver must approve before any signer
    is asked; within a role the lowest ``order`` not yet done goes first (ties act in parallel)."""
    for role, stage in ((APPROVER, "approval"), (SIGNER, "signing")):
        open_ = [p for p in participants if p.role == role and p.status != DONE[role]]
        if open_:
            first = min(p.order for p in open_)
            return Turn(stage, [p.id for p in open_ if p.order == first])
    return Turn("done", [])


def normalize_orders(items: list, parallel: bool = False) -> list:
    """Default order: the position in the list (sequential), or 1 for everybody (``parallel``); explicit
    equal orders act in parallel."""
    out = []
    for index, item in enumerate(items, start=1):
        order = item.get("order")
        default = 1 if parallel else index
        out.append({**item, "order": int(order) if order is not None else default, "position": index})
    return out


# -- consent -----------------------------------------------------------------------------------------

# the document's fingerprint ends the text, a sentence of its own: the signing page shows it on a line of its own
# (64 characters in one piece, inside the sentence, broke it across three lines on a phone) with the same words
CONSENT = {
    ("fr", SIGNER): ("J'ai pris connaissance du document {number} et j'accepte de le signer "
                     "électroniquement. Je reconnais que ma signature électronique a la même valeur qu'une "
                     "signature manuscrite et exprime mon consentement à son contenu. "
                     "Empreinte SHA-256 du document\u00a0: {sha256}"),
    ("en", SIGNER): ("I have read the document {number} and I agree to sign it electronically. I acknowledge "
                     "that my electronic signature has the same value as a handwritten signature and expresses my "
                     "consent to its content. SHA-256 fingerprint of the document: {sha256}"),
    ("fr", APPROVER): ("J'ai pris connaissance du document {number} et j'approuve son envoi en signature. "
                       "Empreinte SHA-256 du document\u00a0: {sha256}"),
    ("en", APPROVER): ("I have read the document {number} and I approve sending it for signature. "
                       "SHA-256 fingerprint of the document: {sha256}"),
}


UPLOADED_KIND = "document"  # the contract_kind of a request on an uploaded document, without a contract


def emailed_names(kind: str, number: str, title: str | None) -> dict:
    """How a request's emails name its document (``number``, ``title``): a contract or a quote by its number and
    title; an uploaded document by its title alone, as ``number`` (its number is the file's name, "scan_0012",
    which the emails would show as a reference: "Document à signer : scan_0012 – Contrat de prestation")."""
    if kind == UPLOADED_KIND and title:
        return {"number": title, "title": None}
    return {"number": number, "title": title}


# in a title made a file name: path separators and the characters Windows refuses, with the spaces around them
_NOT_IN_FILE_NAMES = re.compile(r"\s*[/\\:*?\"<>|]+\s*")
# a title in a file name: whole in a download bar or an email's attachment, and far below the 255 bytes that file
# systems allow a name (a title may have 300 characters, each up to 4 bytes in UTF-8)
FILE_STEM_MAX_CHARS = 100
FILE_STEM_MAX_BYTES = 200


def file_stem(text: str | None) -> str:
    """A title typed by a person as the stem of a file name every system saves as it is: never a path ("Contrat
    2024/05" → "Contrat 2024-05"), none of the characters Windows refuses ("Offre : Dupont" → "Offre - Dupont"),
    no control or invisible character (a right-to-left override would disguise the name), one space between
    words, no dot or dash at its ends (no hidden file), accents kept (in NFC, as typed on any system); past
    FILE_STEM_MAX_CHARS characters or FILE_STEM_MAX_BYTES bytes, cut at a word. "" when nothing is left."""
    text = "".join(" " if unicodedata.category(ch) == "Cc" else "" if unicodedata.category(ch)[0] == "C" else ch
                   for ch in unicodedata.normalize("NFC", text or ""))
    text = _NOT_IN_FILE_NAMES.sub(lambda found: "-" if found.group(0).strip() == found.group(0) else " - ", text)
    text = " ".join(text.split())
    if len(text) > FILE_STEM_MAX_CHARS or len(text.encode()) > FILE_STEM_MAX_BYTES:
        cut = text[:FILE_STEM_MAX_CHARS]
        while len(cut.encode()) > FILE_STEM_MAX_BYTES:
            cut = cut[:-1]
        last_space = cut.rfind(" ")
        text = cut[:last_space] if last_space > len(cut) // 2 else cut  # a word cut only when words are long
    return text.strip(" .-_")


# what a request's files are, in their names: the document to sign, the sealed PDF, the proof of signature
TO_SIGN, SIGNED, PROOF = "", "-signed", "-proof"


def file_name(r, ending: str) -> str:
    """The name of a file of the request ``r`` (its contract_kind, contract_number, contract_title) as downloaded
    or attached to the emails, ``ending`` saying which file (TO_SIGN, SIGNED, PROOF): a contract or a quote by its
    number ("D-2026-0042-signed.pdf"); an uploaded document by the title its sender gave, as its emails and signing
    page name it ("Contrat de prestation-signed.pdf", not its file's name "scan_0012"), its number when the title
    leaves nothing. The name only: the stored request, its evidence and the sealed PDF keep theirs."""
    stem = file_stem(r.contract_title) if r.contract_kind == UPLOADED_KIND else ""
    return f"{stem or r.contract_number}{ending}.pdf"


def consent_text(locale: str, role: str, number: str, title: str, sha256: str, kind: str | None = None) -> str:
    """The words a participant accepts (recorded with their act, as they read them). An uploaded document is
    named by its title alone, quoted ("le document « Contrat de prestation »"): its number is its file's name."""
    locale = locale if locale in LOCALES else "fr"
    if kind == UPLOADED_KIND and (title or number):
        number, title = "", title or number
    quoted = (f"«\u00a0{title}\u00a0»" if locale == "fr" else f"\"{title}\"") if title else ""
    name = " ".join(part for part in (number, quoted) if part)
    return CONSENT[(locale, role)].format(number=name, sha256=sha256)


def consent_texts(locale: str, role: str, number: str, title: str, sha256: str, kind: str | None = None) -> list[str]:
    """The consent text, then the earlier wordings a participant may have read (a page opened, or an offline
    package downloaded, before the wording changed): an uploaded document was named as a contract, by its file's
    name then its title ("le document contrat « Contrat de prestation »"). A signature records the words its
    signer accepted; stored evidence is never rewritten."""
    current = consent_text(locale, role, number, title, sha256, kind)
    earlier = consent_text(locale, role, number, title, sha256)
    return [current] if earlier == current else [current, earlier]


# -- signature images -------------------------------------------------------------------------------

def decode_signature_image(value: str | None) -> bytes | None:
    """A drawn signature: a PNG as base64 or a data: URL, at most 300 KB."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise InvalidInput("signature_image must be a base64 PNG.",
                           {"fields": {"signature_image": ["not a string"]}})
    raw = value
    if raw.startswith("data:"):
        head, _, raw = raw.partition(",")
        if head.lower() not in ("data:image/png;base64",):
            raise InvalidInput("The drawn signature must be a PNG image.",
                               {"fields": {"signature_image": ["only data:image/png;base64 is accepted"]}})
    if len(raw) > (MAX_SIGNATURE_IMAGE_BYTES * 4) // 3 + 8:
        raise InvalidInput("The drawn signature is too large.",
                           {"fields": {"signature_image": [f"at most {MAX_SIGNATURE_IMAGE_BYTES} bytes"]}})
    try:
        data = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("The drawn signature is not valid base64.",
                           {"fields": {"signature_image": ["invalid base64"]}}) from None
    if not data.startswith(PNG_MAGIC):
        raise InvalidInput("The drawn signature must be a PNG image.",
                           {"fields": {"signature_image": ["not a PNG"]}})
    return data


# files a signer may attach (an ID, a proof of address): the declared type must match the first bytes
ATTACHMENT_TYPES = {"image/png": (b"\x89PNG\r\n\x1a\n", "png"), "image/jpeg": (b"\xff\xd8\xff", "jpg"),
                    "application/pdf": (b"%PDF-", "pdf")}
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


def decode_attachment(content_type: str, content_base64: str) -> tuple[str, bytes]:
    """(verified content type, bytes) of a signer's file, or a 413 (over 10 MB), 415 (not a PNG, JPEG or PDF,
    or bytes not of the declared type) or 422 (empty, bad base64)."""
    if len(content_base64) > (ATTACHMENT_MAX_BYTES * 4) // 3 + 8:
        raise PayloadTooLarge("The file is larger than 10 MB.", {"limit": ATTACHMENT_MAX_BYTES})
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared not in ATTACHMENT_TYPES:
        raise UnsupportedMediaType(f"Files of type {declared or 'unknown'} are not accepted: send a PNG, JPEG "
                                   "or PDF.", {"allowed": sorted(ATTACHMENT_TYPES)})
    try:
        content = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("The file is not valid base64.", {"fields": {"content_base64": ["invalid"]}}) from None
    if not content:
        raise InvalidInput("The file is empty.", {"fields": {"content": ["Empty file."]}})
    if len(content) > ATTACHMENT_MAX_BYTES:
        raise PayloadTooLarge("The file is larger than 10 MB.", {"limit": ATTACHMENT_MAX_BYTES, "size": len(content)})
    if not content.startswith(ATTACHMENT_TYPES[declared][0]):
        raise UnsupportedMediaType(f"The content is not a valid {declared} file.",
                                   {"allowed": sorted(ATTACHMENT_TYPES)})
    return declared, content


def attachment_filename(filename: str | None, name: str, content_type: str) -> str:
    """The uploaded file's own name (never a path), else the requested name with the type's extension."""
    cleaned = re.sub(r"[\x00-\x1f/\\:*?\"<>|]+", "_", re.split(r"[\\/]", (filename or "").strip())[-1]).strip(". ")
    return (cleaned or f"{name}.{ATTACHMENT_TYPES[content_type][1]}")[:255]


def check_png(data: bytes) -> None:
    """Parse the PNG for real (Pillow): a truncated or hostile file is refused."""
    from PIL import Image
    import io
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format != "PNG" or img.width > 4000 or img.height > 4000:
                raise ValueError("unexpected image")
            img.verify()
    except Exception:  # noqa: BLE001 - any decoder error means a bad image
        raise InvalidInput("The drawn signature is not a readable PNG image.",
                           {"fields": {"signature_image": ["unreadable PNG"]}}) from None


def clock_skew_seconds(device_time: datetime | None, server_time: datetime) -> float | None:
    if device_time is None:
        return None
    return round((server_time - device_time).total_seconds(), 3)


def item_fingerprint(item: dict) -> str:
    return sha256_hex(canonical_json(item))


# -- times as a person reads them (the proof of signature, the stamped fields) -----------------------------

# the zone of a time nobody's device gave (Paraph's customers are French companies)
DEFAULT_TIME_ZONE = time_zones.DEFAULT

time_zone = time_zones.zone  # the named IANA zone; Paris time for none or an unknown name


def utc_offset(offset: timedelta) -> str:
    """"UTC+1", "UTC-3", "UTC+5:30", "UTC+0"."""
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def format_time(value: str | datetime | None, locale: str, zone: str | None = None, country: str | None = None) -> str:
    """An instant (ISO 8601 or aware datetime) as a person reads it, in ``zone`` with its offset, as every service
    writes a date and time (paraph_platform.dates: the day first in English too, the 24-hour clock):
    "1er décembre 2026 à 21:24:38 (UTC+1)" / "1 December 2026 at 21:24:38 (UTC+1)"; "December 1, 2026 at 9:24:38 PM
    (UTC-5)" in English for a company established in the United States (``country``: the license's)."""
    if not value:
        return ""
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = at.astimezone(time_zone(zone))
    language = "en" if locale == "en" else "fr"
    return f"{date_and_time(local, language, seconds=True, country=country)} ({utc_offset(local.utcoffset())})"
