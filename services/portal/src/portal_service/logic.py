"""Pure portal rules (no I/O): who may be on a share, what a client sees (company and branch),
page tokens, quote email templates, what a client sees of a contract, the quote page context.

Visibility of a share for a signed-in client (the rule the SQL filter in service.py implements):

* same license and same customer (the contract's customer is the client's customer);
* same company: the share's company (the requester's company label at share time) equals the
  client's company label (case-insensitive), or the client is the share's requester or an observer;
* branch: a client whose access is limited to a branch only sees shares made for that branch
  (``share.branch`` equal to the client's branch, case-insensitive); a client without a branch
  restriction sees every branch of their company;
* the share is active (not revoked) and the client's access is not deactivated.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from importlib import resources
from urllib.parse import urlsplit

from paraph_platform.dates import browser_locale, date_and_time, long_date
from paraph_platform.totals import discount_text, rate_text, vat_lines

from .exceptions import InvalidInput

LOCALES = ("fr", "en")
DEFAULT_LOCALE = "fr"
ACTIVE_ACCESS = ("invited", "active")
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32,128}$")
MAX_FEEDBACK = 5000
FEEDBACK_PER_HOUR = 10
# the online quote opened again this soon by the same browser (language switch, reload) is the same view
SAME_VIEW_WITHIN = timedelta(minutes=2)
SETTINGS_HINT = ("Manage portal clients in Settings > Client portal > Client portal contacts "
                 "(POST /api/v1/contacts/{contact_id}/portal-access).")


# -- tokens --------------------------------------------------------------------------------------

def new_secret() -> str:
    """An unguessable page token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_well_formed(token) -> bool:
    return isinstance(token, str) and bool(TOKEN_RE.match(token))


def quote_url(public_url: str, secret: str) -> str:
    return f"{public_url.rstrip('/')}/q/{secret}"


def portal_contract_url(public_url: str, contract_id: str) -> str:
    return f"{public_url.rstrip('/')}/portal/contracts/{contract_id}"


# -- labels (company, branch) ----------------------------------------------------------------------

def norm(label) -> str | None:
    """Company and branch labels compare trimmed and case-insensitively; blank = none."""
    if label is None:
        return None
    value = " ".join(str(label).split()).lower()
    return value or None


def clean_label(label) -> str | None:
    if label is None:
        return None
    value = " ".join(str(label).split())
    return value or None


@dataclass(frozen=True)
class ClientScope:
    """What scopes a signed-in client: their contact, customer, company label and branch."""
    license_id: str
    user_id: str
    contact_id: str | None
    customer_id: str | None
    company: str | None
    branch: str | None


def share_visible(client: ClientScope, share: dict, participant_ids) -> bool:
    """The visibility rule above, on plain values (the service applies the same rule in SQL)."""
    if share.get("revoked_at") or not client.customer_id:
        return False
    if share["license_id"] != client.license_id or share["customer_id"] != client.customer_id:
        return False
    participant = client.contact_id is not None and client.contact_id in set(participant_ids)
    same_company = client.company is not None and norm(share.get("company")) == norm(client.company)
    if not (participant or same_company):
        return False
    if norm(client.branch) is not None and norm(share.get("branch")) != norm(client.branch):
        return False
    return True


def share_branch(explicit, requester_contact: dict, requester_access: dict) -> str | None:
    """The branch a share is made for: the one given, else the requester contact's branch, else the
    branch the requester's access is limited to."""
    for value in (explicit, requester_contact.get("branch"), requester_access.get("branch")):
        if clean_label(value):
            return clean_label(value)
    return None


def check_participants(customer_id: str, customer_name: str, requester_id: str, observer_ids: list,
                       contacts: dict, accesses: dict, branch: str | None) -> str | None:
    """Requester and observers must be contacts of the contract's customer, hold an active portal
    access, belong to the same company as the requester, and (when their access is limited to a
    branch) to the share's branch. Returns the share's company; raises InvalidInput otherwise."""
    problems: dict[str, list[str]] = {}
    ids = [requester_id] + [o for o in observer_ids if o != requester_id]
    for cid in ids:
        field = "requester_contact_id" if cid == requester_id else "observer_contact_ids"
        contact = contacts.get(cid)
        label = contact.get("name") if contact else cid
        if contact is None or contact.get("customer_id") != customer_id:
            problems.setdefault(field, []).append(
                f"{label} is not a contact of {customer_name}: requester and observers must be contacts of the "
                f"contract's customer.")
            continue
        access = accesses.get(cid)
        if access is None or access.get("status") not in ACTIVE_ACCESS:
            state = "has no portal access" if access is None else "has a deactivated portal access"
            problems.setdefault(field, []).append(
                f"{label} {state}. " + SETTINGS_HINT.replace("{contact_id}", cid))
    if problems:
        raise InvalidInput(_summary(problems), {"fields": problems, "settings": SETTINGS_HINT})
    company = clean_label(accesses[requester_id].get("company"))
    for cid in ids[1:]:
        if norm(accesses[cid].get("company")) != norm(company):
            problems.setdefault("observer_contact_ids", []).append(
                f"{contacts[cid]['name']} belongs to the company {accesses[cid].get('company') or '(none)'}, not "
                f"{company or '(none)'} like the requester: observers must be listed in the same company. "
                "Set the company of each client in the portal client settings "
                f"(PATCH /api/v1/contacts/{cid}/portal-access).")
    for cid in ids:
        limited = norm(accesses[cid].get("branch"))
        if limited is not None and limited != norm(branch):
            field = "requester_contact_id" if cid == requester_id else "observer_contact_ids"
            problems.setdefault(field, []).append(
                f"{contacts[cid]['name']}'s portal access is limited to the branch {accesses[cid]['branch']}; "
                f"this share is for {branch or 'no branch'}.")
    if problems:
        raise InvalidInput(_summary(problems), {"fields": problems, "settings": SETTINGS_HINT})
    return company


def _summary(problems: dict) -> str:
    first = next(iter(problems.values()))[0]
    more = sum(len(v) for v in problems.values()) - 1
    return first + (f" ({more} more problem{'s' if more > 1 else ''})" if more else "")


# -- what a client sees of a contract ------------------------------------------------------------

CLIENT_CONTRACT_KEYS = ("id", "kind", "number", "title", "status", "customer_name", "owner_name", "currency",
                        "subtotal", "tax_total", "total", "taxes", "optional_total", "valid_until", "locale",
                        "sent_at", "signed_at", "signers")


def client_contract_view(detail: dict) -> dict:
    """A contract as a portal client sees it: only the attachments and milestones flagged
    portal-visible, no internal fields (notes, tasks, custom columns, history)."""
    view = {k: detail.get(k) for k in CLIENT_CONTRACT_KEYS}
    view["owner_email"] = detail.get("owner_email")
    view["lines"] = [{k: line.get(k) for k in ("position", "product_code", "description", "quantity", "unit",
                                               "unit_price", "discount_pct", "tax_rate", "optional", "selected",
                                               "amount")} for line in detail.get("lines") or []]
    view["attachments"] = [{k: a.get(k) for k in ("id", "folder", "filename", "content_type", "size", "created_at")}
                           for a in detail.get("attachments") or [] if a.get("portal_visible")]
    view["milestones"] = [{k: m.get(k) for k in ("id", "title", "description", "due_date", "done", "done_at")}
                          for m in detail.get("milestones") or [] if m.get("portal_visible")]
    return view


def portal_summary(detail: dict) -> dict:
    """Staff view of what the portal shows of a contract."""
    attachments = [a for a in detail.get("attachments") or [] if a.get("portal_visible")]
    milestones = [m for m in detail.get("milestones") or [] if m.get("portal_visible")]
    return {
        "visible_attachments": [{k: a.get(k) for k in ("id", "filename", "folder", "size")} for a in attachments],
        "visible_milestones": [{k: m.get(k) for k in ("id", "title", "due_date", "done")} for m in milestones],
        "counts": {"attachments": len(detail.get("attachments") or []), "visible_attachments": len(attachments),
                   "milestones": len(detail.get("milestones") or []), "visible_milestones": len(milestones),
                   "views": detail.get("view_count") or 0, "downloads": detail.get("download_count") or 0},
    }


# -- quotes ---------------------------------------------------------------------------------------------

def quote_template(previous_sends: int) -> str:
    """The email of a recipient ``previous_sends`` emails of the quote reached: the first sending, then the
    reminder ("Nous revenons vers vous") once they had it."""
    return "quote_reminder" if previous_sends > 0 else "quote_send"


def pick_locale(*candidates) -> str:
    for value in candidates:
        if isinstance(value, str) and value[:2].lower() in LOCALES:
            return value[:2].lower()
    return DEFAULT_LOCALE


def check_feedback(message) -> str:
    text = (message or "").strip() if isinstance(message, str) else ""
    if not text:
        raise InvalidInput("Write your remarks first.", {"fields": {"message": ["Missing data for required field."]}})
    if len(text) > MAX_FEEDBACK:
        raise InvalidInput(f"Your remarks are limited to {MAX_FEEDBACK} characters.",
                           {"fields": {"message": [f"At most {MAX_FEEDBACK} characters."]}})
    return text


def clip(value, size: int) -> str | None:
    if value is None:
        return None
    return str(value)[:size]


# -- views and downloads ----------------------------------------------------------------------------

CHANNELS = ("quote_page", "portal")  # the online quote page (/q/<token>) | a signed-in portal client
VIEW_BURST_SECONDS = 30  # a client opening the same quote again within this delay (reloads) counts once
# link scanners and previewers (mail security gateways, chat unfurlers, crawlers, scripts): matched
# case-insensitively anywhere in the User-Agent
PREFETCH_AGENTS = (
    "slackbot", "slack-imgproxy", "facebookexternalhit", "twitterbot", "linkedinbot", "discordbot",
    "telegrambot", "whatsapp", "skypeuripreview", "microsoftpreview", "ms-office", "microsoft office",
    "googlebot", "bingbot", "bingpreview", "python-requests", "curl/", "wget/", "barracuda", "proofpoint",
    "mimecast",
)


def prefetch(method, user_agent) -> bool:
    """True when a request opening a quote is a link scanner or previewer, not the customer: a HEAD
    request, no User-Agent, or a well-known bot. It gets the page but is not counted as a view."""
    if str(method or "GET").upper() == "HEAD":
        return True
    agent = " ".join(str(user_agent or "").split()).lower()
    return not agent or any(bot in agent for bot in PREFETCH_AGENTS)


def sign_path(value) -> str | None:
    """The signing page of a participant, as a same-site path (/sign/<token>), or None."""
    if not isinstance(value, str) or not value:
        return None
    path = urlsplit(value).path if "://" in value else value
    if not path.startswith("/sign/") or not re.match(r"^/sign/[A-Za-z0-9_\-.~]{8,200}$", path):
        return None
    return path


PATH_KEYS = ("sign_path", "url", "sign_url", "signing_url", "path", "url_path")
OPEN_REQUEST_STATUSES = ("pending",)
# the contracts one call to signing's requests_for_contracts may ask about (its MAX_CONTRACTS_PER_LOOKUP, as its
# committed contract says: tests/contract/schemas/signing/rpc/requests_for_contracts.params.json)
SIGNATURE_LOOKUP_MAX = 200
UNSIGNED_PARTICIPANT_STATUSES = ("waiting", "pending")  # named, not acted yet (waiting = not their turn)


def _participants_of(request, contact_id: str | None, email: str | None) -> list[dict]:
    """The participants of a signature request who are this contact (by contact id, else email)."""
    if not isinstance(request, dict):
        return []
    mail = (email or "").strip().lower()
    return [p for p in request.get("participants") or request.get("signers") or []
            if isinstance(p, dict) and ((contact_id and p.get("contact_id") == contact_id)
                                        or (mail and str(p.get("email") or "").strip().lower() == mail))]


def _participant_view(p: dict, request_status: str) -> dict:
    """{role, status, path, signed_at, request_status, open, signed_pdf, proof_pdf}: ``path`` (their /sign/<token>
    page) is set only when it is their turn to approve or sign a request still under way; ``signed_pdf`` and
    ``proof_pdf``, the sealed document and the proof of signature their link downloads, once everybody signed
    (the quote's own PDF is the one before the signatures)."""
    status = str(p.get("status") or "pending")
    link = next((path for path in (sign_path(p.get(key)) for key in PATH_KEYS) if path), None)
    acted = status in ("signed", "approved")
    sealed = acted and request_status == "completed" and link
    return {"role": p.get("role", "signer"), "status": status,
            "path": link if status == "pending" and request_status in OPEN_REQUEST_STATUSES else None,
            "signed_at": p.get("acted_at") if status == "signed" else None,
            "request_status": request_status,
            "open": request_status in OPEN_REQUEST_STATUSES and status in UNSIGNED_PARTICIPANT_STATUSES,
            "signed_pdf": f"/api/v1{link}/signed.pdf" if sealed else None,
            "proof_pdf": f"/api/v1{link}/proof.pdf" if sealed else None}


def sealed_request_id(request) -> str | None:
    """The id of a signature request signed by everybody (completed: sealed, as ``_participant_view`` reads it too),
    else None: from then on its sealed copy is the document its readers are given, not the PDF sent for signature."""
    if isinstance(request, dict) and request.get("status") == "completed":
        return request.get("id")
    return None


def signer_for(request, contact_id: str | None, email: str | None) -> dict | None:
    """The signer of a signature request who is this contact (the quote page's "Signer"), as
    ``_participant_view`` says it; None when the contact does not sign it."""
    return next((_participant_view(p, request.get("status") or "pending")
                 for p in _participants_of(request, contact_id, email) if p.get("role", "signer") == "signer"), None)


def participant_for(request, contact_id: str | None, email: str | None) -> dict | None:
    """What this contact has to do on a signature request (the portal's document page): the approval or signature
    whose turn it is, else their signature, else their approval; None when they take no part in it. An approver
    is led to the signing page as a signer is: the document and what they consent to are read there before they
    act."""
    mine = _participants_of(request, contact_id, email)
    if not mine:
        return None
    chosen = (next((p for p in mine if str(p.get("status") or "pending") == "pending"), None)
              or next((p for p in mine if p.get("role", "signer") == "signer"), mine[0]))
    return _participant_view(chosen, request.get("status") or "pending")


def reader_status(status: str | None, request, contact_id: str | None, email: str | None) -> str | None:
    """A contract's status as this portal client reads it: "sent" says it awaits *their* answer, so while its
    signature request is under way and it is not their turn (an approver's or another signer's, or they take no
    part in it), it reads "signing" instead."""
    if status != "sent" or not isinstance(request, dict) or request.get("status") not in OPEN_REQUEST_STATUSES:
        return status
    mine = participant_for(request, contact_id, email)
    return status if mine and mine["status"] == "pending" else "signing"


# -- formatting and page context ----------------------------------------------------------------------

_BABEL = {"fr": "fr_FR", "en": "en_GB"}


def money(amount, currency: str, locale: str) -> str:
    if amount in (None, ""):
        return ""
    from babel.numbers import format_currency
    try:
        return format_currency(Decimal(str(amount)), currency or "EUR", locale=_BABEL.get(locale, "fr_FR"))
    except (InvalidOperation, ValueError):
        return str(amount)


def number(value, locale: str) -> str:
    if value in (None, ""):
        return ""
    from babel.numbers import format_decimal
    try:
        return format_decimal(Decimal(str(value)).normalize(), locale=_BABEL.get(locale, "fr_FR"))
    except (InvalidOperation, ValueError):
        return str(value)


def rate(value, locale: str) -> str:
    """A rate in percent as the totals write it, like the quote's PDF: "5,5 %" in French, "5.5%" in English."""
    try:
        return rate_text(value, _BABEL.get(locale, "fr_FR"))
    except (InvalidOperation, ValueError):
        return str(value)


def day(value, locale: str, country=None) -> str:
    """A day as every service writes one (paraph_platform.dates): "7 décembre 2026", "7 December 2026";
    "December 7, 2026" for a company of ``country`` (the license's setting) that writes the month first."""
    if not value:
        return ""
    try:
        d = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return long_date(d, locale, country)


def moment(value, locale: str, country=None) -> str:
    """A time as the page writes its days, without seconds, in UTC: "7 décembre 2026 à 07:27 UTC" ("December 7,
    2026 at 7:27 AM UTC" for a company of ``country`` that writes the month first). The page's
    script (clientPages.localTimes) rewrites it in the reader's own zone, as the signing page does; this is what
    a browser without JavaScript shows."""
    if not value:
        return ""
    try:
        dt = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    dt = dt.astimezone(timezone.utc)
    return f"{date_and_time(dt, locale, country=country)} UTC"


def quote_context(detail: dict, locale: str, signer: dict | None, feedback_sent: bool = False,
                  error: str | None = None, seller_name: str = "", signed_document: bool = False,
                  country: str | None = None, own_feedback: list | None = None) -> dict:
    """Everything the quote page shows, formatted for the locale (the template escapes it); ``seller_name``:
    the company sending the quote (the license's name, as on the signing page and in the quote emails);
    ``country``: the company's (the license's setting), the order its English dates read in;
    ``signed_document``: signed by everybody, the page's PDF is the sealed copy (``sealed_request_id``);
    ``own_feedback``: what the reader sent from the page (when, what), shown back to them."""
    currency = detail.get("currency") or "EUR"

    def line(x):
        return {"description": x.get("description") or "", "code": x.get("product_code") or "",
                "quantity": number(x.get("quantity"), locale), "unit": x.get("unit") or "",
                "unit_price": money(x.get("unit_price"), currency, locale),
                # rates as the PDF writes them ("10 %", "5,5 %"; no discount, an empty cell)
                "discount": discount_text(x.get("discount_pct"), _BABEL.get(locale, "fr_FR")),
                "tax_rate": rate(x.get("tax_rate"), locale),
                "amount": money(x.get("amount"), currency, locale), "selected": bool(x.get("selected")),
                "optional": bool(x.get("optional"))}

    shown = [line(x) for x in detail.get("lines") or []]
    valid_until = detail.get("valid_until")
    expired = False
    if valid_until:
        try:
            expired = date.fromisoformat(str(valid_until)[:10]) < datetime.now(timezone.utc).date()
        except ValueError:
            expired = False
    contact = detail.get("contact") or {}
    return {
        "locale": locale, "t": LABELS[locale], "number": detail.get("number") or "",
        "title": detail.get("title") or "", "status": detail.get("status") or "",
        "status_label": LABELS[locale]["statuses"].get(detail.get("status"), detail.get("status") or ""),
        "customer_name": detail.get("customer_name") or "", "contact_name": contact.get("name") or "",
        "owner_name": detail.get("owner_name") or "", "owner_email": detail.get("owner_email") or "",
        "seller_name": seller_name or "",
        "lines": [x for x in shown if not x["optional"]], "optional_lines": [x for x in shown if x["optional"]],
        # the table's discount column only when one of its lines has a discount (as the staff page and the PDF)
        "has_discount": any(x["discount"] for x in shown),
        # the VAT lines as the staff quote page and the PDF show them (paraph_platform.totals)
        "vat_lines": [{"rate": rate(v["rate"], locale) if v["rate"] else "",
                       "base": money(v["base"], currency, locale) if v["base"] else "",
                       "tax": money(v["tax"], currency, locale)}
                      for v in vat_lines(detail.get("taxes") or [], detail.get("tax_total"))],
        "subtotal": money(detail.get("subtotal"), currency, locale),
        "tax_total": money(detail.get("tax_total"), currency, locale),
        "total": money(detail.get("total"), currency, locale),
        "optional_total": money(detail.get("optional_total"), currency, locale)
        if Decimal(str(detail.get("optional_total") or 0)) else "",
        "valid_until": day(valid_until, locale, country), "validity_expired": expired,
        "created_at": day(detail.get("created_at"), locale, country),
        "signer": signer, "signed_at": moment((signer or {}).get("signed_at"), locale, country),
        "date_locale": browser_locale(locale, country),  # the page's script's, by the same rule
        "signed_at_iso": (signer or {}).get("signed_at"),  # for the page's script, which writes it in local time
        "signed_document": signed_document, "feedback_sent": feedback_sent, "error": error,
        "max_feedback": MAX_FEEDBACK, "own_feedback": own_feedback or [],
    }


# the pages' wording, per language: data, in templates/labels.toml
LABELS = tomllib.loads(resources.files("portal_service").joinpath("templates/labels.toml").read_text("utf-8"))


def label(locale: str, key: str) -> str:
    return LABELS.get(locale, LABELS[DEFAULT_LOCALE])[key]
