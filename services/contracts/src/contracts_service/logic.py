"""Pure contracts rules: statuses, totals and taxes, numbering, uploads, custom values, abandon delays."""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from paraph_platform.dates import long_date
from paraph_platform.errors import article
from paraph_platform.totals import discount_text, rate_text

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
# the statuses only a manager (a license admin or a front user manager) moves a document to: a signed contract or
# an accepted quote validated
MANAGER_STATUSES = frozenset({"validated"})
INITIAL_STATUS = {"contract": "draft", "quote": "draft", "order": "draft", "invoice": "draft"}
# what the customer has bought: a document in one of these statuses can feed its equipment base, and counts in
# its deal's won total
BOUGHT_STATUSES = {"contract": ("signed", "validated"), "quote": ("accepted", "validated"),
                   "order": ("confirmed", "delivered"), "invoice": ("issued", "paid")}
UNSIGNED = ("draft", "sent")  # auto-abandon applies to these (contracts and quotes)
EDITABLE = ("draft", "sent", "refused")  # content can change (sent -> back to draft on edit)
SIGNED_STATUS = {"contract": "signed", "quote": "accepted"}

# Why the system (not a person) changed a status: a code that the web app and integrators read, and its English
# wording (the ``reason`` of the history entry and of ``contract.status_changed.v1``), filled from the code's
# parameters. A person's own reason (a manual status change) has no code: it is their words.
STATUS_REASONS = {
    "sent_for_signature": "sent for signature",
    "signed_electronically": "signed electronically",
    "signature_declined": "declined by {declined_by}: {decline_reason}",
    "edited_after_sending": "edited after sending",
    "not_signed_in_time": "not signed within {delay_days} days",
    "erp_import": "ERP import",
}


def next_statuses(kind: str, current: str, manager: bool, signature_pending: bool = False) -> list[str]:
    """The statuses a person may move a document to from ``current`` by hand (``change_status``), sorted: its
    kind's lifecycle, without those only a manager may set unless ``manager``, nor, while a signature request is
    under way, the one its completion sets (:func:`check_not_signed_by_hand`)."""
    allowed = TRANSITIONS.get(kind, {}).get(current, set())
    return sorted(target for target in allowed if (manager or target not in MANAGER_STATUSES)
                  and not (signature_pending and target == SIGNED_STATUS.get(kind)))


def check_not_signed_by_hand(kind: str, target: str, signature_pending: bool):
    """A quote accepted (a contract signed) by hand while its e-signature request is under way would say so
    before the signers have signed: the request's completion does it, or a cancelled request lets a person."""
    if signature_pending and target == SIGNED_STATUS.get(kind):
        raise Conflict(f"A signature request is under way: the {kind} becomes {target} when its signers have "
                       f"signed. Cancel the request to mark it {target} by hand.",
                       {"to_status": target, "signature_pending": True})


def check_transition(kind: str, current: str, target: str):
    allowed = TRANSITIONS[kind].get(current, set())
    if target == current:
        return
    if target not in allowed:
        raise Conflict(f"{article(kind)} {kind} cannot go from {current} to {target}.",
                       {"contract_status": current, "allowed": sorted(allowed)})


def format_number(kind: str, year: int, value: int) -> str:
    return f"{NUMBER_PREFIX[kind]}-{year}-{value:05d}"


# -- money --------------------------------------------------------------------------------------

CENT = Decimal("0.01")


def money(value) -> Decimal:
    """To the cent; a zero is 0.00, never -0.00 (a quantity of -0 or 0.000 times a negative price made one)."""
    amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    return amount if amount else abs(amount)


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


BABEL_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def format_money(amount, currency: str, locale: str) -> str:
    from babel.numbers import format_currency
    return format_currency(Decimal(amount), currency, locale=BABEL_LOCALES.get(locale, locale))


def format_quantity(value, locale: str) -> str:
    """A quantity as people write it: ``1``, ``2,5`` (fr) / ``2.5`` (en), never the stored ``1.000``."""
    from babel.numbers import format_decimal
    return format_decimal(Decimal(value).normalize(), locale=BABEL_LOCALES.get(locale, locale),
                          decimal_quantization=False)


def format_rate(value, locale: str) -> str:
    """A rate in percent (``20`` -> ``20 %`` in French, ``20%`` in English; ``5.50`` -> ``5,5 %``)."""
    return rate_text(value or 0, BABEL_LOCALES.get(locale, locale))


def format_discount(value, locale: str) -> str:
    """A line's discount (``10`` -> ``10 %``), empty when there is none."""
    return discount_text(value, BABEL_LOCALES.get(locale, locale))


def format_date(value, locale: str, country=None) -> str:
    """A document's date as every service writes one (paraph_platform.dates): "1er mars 2027", "1 March 2027";
    "March 1, 2027" for a company established in the United States (``country``: the license's)."""
    return "" if value is None else long_date(value, locale, country)


# -- the issuer's legal identifiers (France's; another country's company number) --------------------------------

def digits_only(value: str | None) -> str | None:
    """An identifier as typed (``732 829 320``, ``FR 44 732...``) without its spaces, dots and dashes."""
    cleaned = re.sub(r"[\s.\-]", "", value or "").upper()
    return cleaned or None


def luhn_valid(number: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char) * (2 if position % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


def siren_error(siren: str) -> str | None:
    if not re.fullmatch(r"[0-9]{9}", siren):
        return "A SIREN has 9 digits."
    return None if luhn_valid(siren) else "This SIREN's check digit is wrong."


LA_POSTE_SIREN = "356000000"  # its establishments' SIRETs follow another key (digit sum multiple of 5)


def siret_error(siret: str) -> str | None:
    if not re.fullmatch(r"[0-9]{14}", siret):
        return "A SIRET has 14 digits."
    if siret.startswith(LA_POSTE_SIREN):
        valid = sum(int(c) for c in siret) % 5 == 0
    else:
        valid = luhn_valid(siret)
    return None if valid else "This SIRET's check digit is wrong."


CUSTOMER_NUMBER_MAX = 20  # a customer's company number outside France: letters and digits


def customer_number_error(number: str, french: bool) -> str | None:
    """What is wrong with a customer's company number (cleaned: :func:`digits_only`), None when nothing: a French
    company's is its SIREN (9 digits) or one of its SIRETs (14), with their check digit, as the company profile's
    are checked; another country's is up to 20 letters and digits (a British company number, "SC123456")."""
    if not french:
        if re.fullmatch(rf"[0-9A-Z]{{1,{CUSTOMER_NUMBER_MAX}}}", number):
            return None
        return f"A company number has up to {CUSTOMER_NUMBER_MAX} letters and digits."
    if len(number) == 9:
        return siren_error(number)
    if len(number) == 14:
        return siret_error(number)
    return "A French company number is a SIREN (9 digits) or a SIRET (14 digits)."


def french_vat_number(siren: str) -> str:
    """The intra-community VAT number of a French SIREN: FR, a 2-digit key, the SIREN."""
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


def vat_error(vat: str) -> str | None:
    if not re.fullmatch(r"[A-Z]{2}[0-9A-Z+*]{2,13}", vat):
        return "A VAT number starts with its country code (FR, BE...) followed by 2 to 13 letters or digits."
    if not vat.startswith("FR"):
        return None  # other countries' keys are theirs to check
    if not re.fullmatch(r"FR[0-9A-Z]{2}[0-9]{9}", vat):
        return "A French VAT number is FR, a 2-character key and the 9-digit SIREN."
    if siren_error(vat[4:]):
        return "The SIREN in this VAT number is not valid."
    if vat[2:4].isdigit() and vat != french_vat_number(vat[4:]):
        return "This French VAT number's key does not match its SIREN."
    return None


def company_id_errors(siren: str | None, siret: str | None, vat: str | None) -> dict:
    """{field: message} for the identifiers that are wrong, or that do not belong to the same company."""
    errors = {}
    for field, value, check in (("siren", siren, siren_error), ("siret", siret, siret_error),
                                ("vat_number", vat, vat_error)):
        if value and check(value):
            errors[field] = check(value)
    if siren and "siren" not in errors:
        if siret and "siret" not in errors and siret[:9] != siren:
            errors["siret"] = "The SIRET must start with the SIREN."
        if vat and "vat_number" not in errors and vat.startswith("FR") and vat[4:] != siren:
            errors["vat_number"] = "The VAT number must contain the SIREN."
    return errors


def foreign_company_id_errors(number: str | None, registration: str | None, vat: str | None) -> dict:
    """{field: message} for the identifiers of a company outside France that are wrong: the profile's ``siren`` and
    ``siret`` hold its country's company number and registration number (a British company's Companies House
    number, "SC123456"), which follow no French rule; they are letters and digits, as long as the fields hold. Its VAT
    number is checked as any (its country code first)."""
    errors = {}
    for field, value, longest, name in (("siren", number, 9, "company number"),
                                        ("siret", registration, 14, "registration number")):
        if value and not re.fullmatch(rf"[0-9A-Z]{{1,{longest}}}", value):
            errors[field] = f"A {name} has up to {longest} letters and digits."
    if vat and vat_error(vat):
        errors["vat_number"] = vat_error(vat)
    return errors


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


def decoded_upload(data: dict, limit: int, allowed: dict = ALLOWED_TYPES) -> tuple[str, str, bytes]:
    """(clean filename, verified content type, bytes) of an uploaded file, or a 413/415/422."""
    if len(data["content_base64"]) > (limit * 4) // 3 + 8:
        raise PayloadTooLarge(f"The file exceeds {limit} bytes.", {"limit": limit})
    try:
        content = base64.b64decode(data["content_base64"], validate=True)
    except ValueError:
        raise InvalidInput("content_base64 is not valid base64.") from None
    filename = clean_filename(data["filename"])
    return filename, check_upload(filename, data["content_type"], content, limit, allowed), content


# -- custom columns and merge fields ------------------------------------------------------------

COLUMN_TYPES = ("text", "number", "date", "boolean", "choice")


def check_custom_values(columns: dict, values: dict) -> dict:
    """columns: key -> {"type", "choices", "label"}; returns normalised values or raises 422. The messages
    are marshmallow's for the same mistakes, so clients (the web app's translations) know them already."""
    errors: dict[str, list[str]] = {}
    out = {}
    for key, value in values.items():
        col = columns.get(key)
        if col is None:
            errors[key] = ["Unknown column."]
            continue
        try:
            out[key] = None if value is None else _custom_value(col, value)
        except ValueError as exc:
            errors[key] = [str(exc)]
    if errors:
        raise InvalidInput("Some custom column values are invalid.", {"fields": {"custom": errors}})
    return out


def _custom_value(column: dict, value):
    """``value`` as a column of this type keeps it, or ValueError saying what was expected."""
    kind = column["type"]
    if kind == "text":
        if not isinstance(value, str):
            raise ValueError("Not a valid string.")
        if len(value) > 2000:
            raise ValueError("Longer than maximum length 2000.")
        return value
    if kind == "number":
        try:
            number = Decimal(str(value)) if not isinstance(value, bool) else None
        except ArithmeticError:  # "douze": decimal.InvalidOperation
            number = None
        if number is None or not number.is_finite():  # NaN and Infinity are Decimals too
            raise ValueError("Not a valid number.")
        return str(number)
    if kind == "date":
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValueError("Not a valid date.") from None
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ValueError("Not a valid boolean.")
        return value
    if kind == "choice":
        if value not in column.get("choices", []):
            raise ValueError(f"Must be one of: {', '.join(map(str, column.get('choices', [])))}.")
        return value
    return value


# a number column's stored text (``_custom_value``'s str(Decimal): "1234.50", "1E+3") that the database may turn
# into a number to compare it: a stale value (a column deleted, then made again with the same key as another kind)
# or a number too long for PostgreSQL's NUMERIC is left out rather than failing the list (255: the longest
# repetition PostgreSQL's regular expressions take)
NUMBER_TEXT = r"^[+-]?([0-9]{1,255}(\.[0-9]{0,255})?|\.[0-9]{1,255})([eE][+-]?[0-9]{1,3})?$"


def custom_number_filter(value: str) -> Decimal:
    """The number a list's filter on a number column looks for, whatever its writing ("1234.5" finds "1234.50"),
    or 422 on ``custom_value``: the API reads numbers as it writes them (a dot before the decimals); the web app
    reads the page's language's writing ("1 234,5") before it asks."""
    try:
        number = _custom_value({"type": "number"}, value)
    except ValueError:
        number = ""
    if not re.fullmatch(NUMBER_TEXT, number):  # "douze", "NaN", or beyond what the stored values can be compared to
        raise InvalidInput("custom_value is not a number (a number column's filter compares numbers: 1234.5).",
                           {"fields": {"custom_value": ["Not a valid number."]}})
    return Decimal(number)


MERGE_FIELD_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


def missing_merge_fields(merge_fields: list, data: dict) -> list[str]:
    return [f["key"] for f in merge_fields
            if f.get("required") and (data.get(f["key"]) is None or str(data[f["key"]]).strip() == "")]


def require_merge_fields(merge_fields: list, data: dict) -> None:
    """The contract type's required merge fields must be filled: checked when a contract is created, when its
    values change and when it is sent (one rule, one message)."""
    missing = missing_merge_fields(merge_fields, data)
    if missing:
        raise InvalidInput("Fill in the required fields before sending.",
                           {"fields": {"data": {k: ["required"] for k in missing}}})


# -- abandon ------------------------------------------------------------------------------------

def abandon_deadline(created_at: datetime, delay_days: int) -> datetime:
    return created_at + timedelta(days=delay_days)


def effective_delay(type_delay: int | None, license_delay: int | None) -> int:
    return type_delay or license_delay or DEFAULT_ABANDON_DAYS


# -- customer history ------------------------------------------------------------------------------

def merge_patch(target, patch):
    """``target`` changed by ``patch`` as a JSON merge patch says (RFC 7396): an object's keys given replace
    theirs (objects merged the same way), a key given null is removed, the others stay; a patch that is not an
    object replaces the target (null: none)."""
    if not isinstance(patch, dict):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


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


def changed_fields(changes: list[dict]) -> set[str]:
    """The fields ``changes`` (:func:`field_changes`) touched, an address's lines named ``address``: what the
    events' ``changed`` lists."""
    return {x["field"].split(".")[0] for x in changes}
