"""Pure contracts rules: statuses, totals and taxes, numbering, uploads, custom values, abandon delays."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .exceptions import Conflict, InvalidInput, PayloadTooLarge, UnsupportedMediaType

KINDS = ("contract", "quote", "order", "invoice")
NUMBER_PREFIX = {"contract": "C", "quote": "Q", "order": "O", "invoice": "I", "customer": "CU"}
DEFAULT_ABANDON_DAYS = 60

# status lifecycles per kind: from -> allowed targets (manual transitions)
TRANSITIONS = {
    "contract": {
        "draft": {"sent", "abandoned"},
        "sent": {"signed", "refused", "abandoned", "draft"},
        "signed": {"validated", "refused"},
        "validated": set(),
        "refused": {"draft"},
        "abandoned": {"draft"},
    },
    "quote": {
        "draft": {"sent", "abandoned"},
        "sent": {"accepted", "refused", "abandoned", "draft"},
        "accepted": {"validated"},
        "validated": set(),
        "refused": {"draft"},
        "abandoned": {"draft"},
    },
    "order": {"draft": {"confirmed", "cancelled"}, "confirmed": {"delivered", "cancelled"},
              "delivered": set(), "cancelled": set()},
    "invoice": {"draft": {"issued", "cancelled"}, "issued": {"paid", "cancelled"}, "paid": set(),
                "cancelled": set()},
}
INITIAL_STATUS = {"contract": "draft", "quote": "draft", "order": "draft", "invoice": "draft"}
# what the customer has bought: a document in one of these statuses can feed its equipment base
EQUIPMENT_SOURCE_STATUSES = {"contract": ("signed", "validated"), "quote": ("accepted", "validated"),
                             "order": ("confirmed", "delivered"), "invoice": ("issued", "paid")}
UNSIGNED = ("draft", "sent")  # auto-abandon applies to these (contracts and quotes)
EDITABLE = ("draft", "sent", "refused")  # content can change (sent -> back to draft on edit)
SIGNED_STATUS = {"contract": "signed", "quote": "accepted"}


def check_transition(kind: str, current: str, target: str):
    allowed = TRANSITIONS[kind].get(current, set())
    if target == current:
        return
    if target not in allowed:
        raise Conflict(f"A {kind} cannot go from {current} to {target}.",
                       {"status": current, "allowed": sorted(allowed)})


def format_number(kind: str, year: int, value: int) -> str:
    return f"{NUMBER_PREFIX[kind]}-{year}-{value:05d}"


# -- money --------------------------------------------------------------------------------------

CENT = Decimal("0.01")


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Totals:
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal
    taxes: list  # [{"rate": "20.00", "base": "100.00", "tax": "20.00"}]
    optional_total: Decimal


def line_net(quantity, unit_price, discount_pct) -> Decimal:
    gross = Decimal(quantity) * Decimal(unit_price)
    return money(gross * (Decimal(100) - Decimal(discount_pct)) / Decimal(100))


def compute_totals(lines) -> Totals:
    """Lines are dicts or objects with quantity, unit_price, discount_pct, tax_rate, optional, selected.
    Optional products count only when selected; tax is computed per rate on the summed bases."""
    def get(line, key, default=None):
        return line.get(key, default) if isinstance(line, dict) else getattr(line, key, default)

    bases: dict[Decimal, Decimal] = {}
    subtotal = Decimal(0)
    optional_total = Decimal(0)
    for line in lines:
        net = line_net(get(line, "quantity"), get(line, "unit_price"), get(line, "discount_pct", 0) or 0)
        if get(line, "optional", False) and not get(line, "selected", False):
            optional_total += net
            continue
        rate = Decimal(get(line, "tax_rate", 0) or 0).quantize(CENT)
        bases[rate] = bases.get(rate, Decimal(0)) + net
        subtotal += net
    taxes = []
    tax_total = Decimal(0)
    for rate in sorted(bases):
        tax = money(bases[rate] * rate / Decimal(100))
        tax_total += tax
        taxes.append({"rate": str(rate), "base": str(money(bases[rate])), "tax": str(tax)})
    return Totals(money(subtotal), money(tax_total), money(subtotal + tax_total), taxes, money(optional_total))


def format_money(amount, currency: str, locale: str) -> str:
    from babel.numbers import format_currency
    return format_currency(Decimal(amount), currency, locale={"fr": "fr_FR", "en": "en_GB"}.get(locale, locale))


def format_date(value, locale: str) -> str:
    if value is None:
        return ""
    from babel.dates import format_date as babel_format_date
    if isinstance(value, datetime):
        value = value.date()
    return babel_format_date(value, format="long", locale={"fr": "fr_FR", "en": "en_GB"}.get(locale, locale))


# -- uploads ------------------------------------------------------------------------------------

ALLOWED_TYPES = {
    "application/pdf": [b"%PDF-"],
    "image/png": [b"\x89PNG\r\n\x1a\n"],
    "image/jpeg": [b"\xff\xd8\xff"],
    "image/gif": [b"GIF87a", b"GIF89a"],
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": [b"PK\x03\x04"],
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [b"PK\x03\x04"],
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": [b"PK\x03\x04"],
    "application/vnd.oasis.opendocument.text": [b"PK\x03\x04"],
    "application/zip": [b"PK\x03\x04"],
    "text/plain": [],
    "text/csv": [],
}
EXTENSIONS = {
    ".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".gif": "image/gif", ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text", ".zip": "application/zip", ".txt": "text/plain",
    ".csv": "text/csv",
}
# images a template may embed: formats whose bytes are sniffed (no SVG: it could fetch URLs itself)
IMAGE_TYPES = {t: ALLOWED_TYPES[t] for t in ("image/png", "image/jpeg")}
_FILENAME_BAD = re.compile(r"[\x00-\x1f/\\:*?\"<>|]+")


def clean_filename(name: str) -> str:
    name = re.split(r"[\\/]", (name or "").strip())[-1]  # never a path, only the last component
    name = _FILENAME_BAD.sub("_", name).strip(". ")
    if not name:
        raise InvalidInput("The file needs a name.", {"fields": {"filename": ["Missing file name."]}})
    return name[:255]


def check_upload(filename: str, content_type: str | None, content: bytes, max_bytes: int,
                 allowed: dict = ALLOWED_TYPES) -> str:
    """Return the verified content type, or refuse: too large (413), type not allowed or not
    matching the bytes (415), empty (422)."""
    if len(content) == 0:
        raise InvalidInput("The file is empty.", {"fields": {"content": ["Empty file."]}})
    if len(content) > max_bytes:
        raise PayloadTooLarge(f"The file is {len(content)} bytes; the limit is {max_bytes} bytes.",
                              {"limit": max_bytes, "size": len(content)})
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared in ("", "application/octet-stream"):
        ext = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        declared = EXTENSIONS.get(ext, "")
    if declared not in allowed:
        raise UnsupportedMediaType(f"Files of type {declared or 'unknown'} are not accepted.",
                                   {"allowed": sorted(allowed)})
    magics = allowed[declared]
    if magics and not any(content.startswith(m) for m in magics):
        raise UnsupportedMediaType(f"The content of {filename} is not a valid {declared} file.")
    if not magics:
        try:
            content[:4096].decode("utf-8")
        except UnicodeDecodeError:
            raise UnsupportedMediaType(f"{filename} is not a UTF-8 text file.") from None
    return declared


# -- custom columns and merge fields ------------------------------------------------------------

COLUMN_TYPES = ("text", "number", "date", "boolean", "choice")


def check_custom_values(columns: dict, values: dict) -> dict:
    """columns: key -> {"type", "choices", "label"}; returns normalised values or raises 422."""
    errors: dict[str, list[str]] = {}
    out = {}
    for key, value in values.items():
        col = columns.get(key)
        if col is None:
            errors[key] = ["Unknown column."]
            continue
        if value is None:
            out[key] = None
            continue
        kind = col["type"]
        try:
            if kind == "text":
                if not isinstance(value, str) or len(value) > 2000:
                    raise ValueError("a text of at most 2000 characters")
                out[key] = value
            elif kind == "number":
                if isinstance(value, bool):
                    raise ValueError("a number")
                out[key] = str(Decimal(str(value)))
            elif kind == "date":
                out[key] = date.fromisoformat(str(value)).isoformat()
            elif kind == "boolean":
                if not isinstance(value, bool):
                    raise ValueError("true or false")
                out[key] = value
            elif kind == "choice":
                if value not in col.get("choices", []):
                    raise ValueError(f"one of {', '.join(map(str, col.get('choices', [])))}")
                out[key] = value
        except (ValueError, ArithmeticError) as exc:
            errors[key] = [f"Must be {exc}." if str(exc) else "Invalid value."]
    if errors:
        raise InvalidInput("Some custom column values are invalid.", {"fields": {"custom": errors}})
    return out


MERGE_FIELD_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


def missing_merge_fields(merge_fields: list, data: dict) -> list[str]:
    return [f["key"] for f in merge_fields if f.get("required") and data.get(f["key"]) in (None, "")]


# -- abandon ------------------------------------------------------------------------------------

def abandon_deadline(created_at: datetime, delay_days: int) -> datetime:
    return created_at + timedelta(days=delay_days)


def effective_delay(type_delay: int | None, license_delay: int | None) -> int:
    return type_delay or license_delay or DEFAULT_ABANDON_DAYS


# -- customer history ------------------------------------------------------------------------------

def field_changes(current: dict, wanted: dict) -> list[dict]:
    """[{field, from, to}] of the ``wanted`` values that differ from ``current`` (an address is compared
    line by line, named ``address.city`` etc.; blank strings count as empty)."""
    def blank(value):
        return None if value in ("", None) else value

    out = []
    for key, value in wanted.items():
        if isinstance(value, dict):
            before = current.get(key) or {}
            out += [{"field": f"{key}.{k}", "from": blank(before.get(k)), "to": blank(v)}
                    for k, v in value.items() if blank(before.get(k)) != blank(v)]
        elif blank(current.get(key)) != blank(value):
            out.append({"field": key, "from": blank(current.get(key)), "to": blank(value)})
    return out
