"""Pure notify rules (no I/O): event catalogue, preferences, retry schedules, webhook signatures,
URL checks, SMTP settings, stable Message-IDs."""
from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import random
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.utils import parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

from paraph_platform import countries, staff_pages
from paraph_platform import phones
from paraph_platform.envelope import as_utc

from .exceptions import InvalidInput

# -- SMS numbers -----------------------------------------------------------------------------------

def sms_recipient(number: str | None) -> tuple[str | None, str | None]:
    """(the number in E.164, None) or (None, why no SMS can go to it). The SMS providers take E.164 only. The
    services write a recipient so (signing: a contact's number read in their customer's country); a number
    without its country code that reaches notify is one stored before they did (a signature request's
    participant; a user's own number from an older identity, which read them in France), read in France as they were
    checked."""
    if not (number or "").strip():
        return None, "no phone number"
    written = phones.e164(number)
    if written is None:
        return None, (f"not a phone number an SMS can be sent to: {number!r} is no number in France nor one with "
                      "its country code (e.g. +44 7700 900456); the SMS was not sent")
    return written, None


def owner_sms_recipient(owner: dict) -> tuple[str, str | None]:
    """(the number an SMS to a user goes to, None) or (the number as typed, or "", why no SMS can go to it):
    identity writes it in E.164 (``sms_phone``: read in the country it was checked in, its license's); from an older
    identity, their number as typed, read in France as it was checked then."""
    typed = (owner.get("phone") or "").strip()
    if not typed:
        return "", "the user has no phone number"
    if "sms_phone" not in owner:
        recipient, error = sms_recipient(typed)
        return recipient or typed, error
    if owner["sms_phone"]:
        return owner["sms_phone"], None
    return typed, (f"not a phone number an SMS can be sent to: {typed!r} is no number in the country it was checked "
                   "in; the SMS was not sent")


# -- events --------------------------------------------------------------------------------------

INTERNAL_EVENT_TYPES = frozenset({"notification.requested.v1", "user.access_changed.v1",
                                  "service_account.created.v1", "signature.document_downloaded.v1"})

# every public event of docs/EVENTS.md (what integrators may subscribe to), with its producer
PUBLIC_EVENT_TYPES: dict[str, tuple[str, str]] = {
    "user.invited.v1": ("identity", "A user was invited to the license (or re-invited)."),
    "user.activated.v1": ("identity", "An invited user accepted the invitation."),
    "user.deactivated.v1": ("identity", "A user was deactivated (their seat is free)."),
    "license.updated.v1": ("identity", "The license's name, seats, expiry or settings changed."),
    "perimeter.created.v1": ("perimeter", "A perimeter was created."),
    "perimeter.updated.v1": ("perimeter", "A perimeter was renamed or described."),
    "perimeter.deleted.v1": ("perimeter", "A perimeter was deleted."),
    "perimeter.assignments_changed.v1": ("perimeter", "The perimeters of a user, customer or contract type changed."),
    "customer.created.v1": ("contracts", "A customer was created."),
    "contract_type.created.v1": ("contracts", "A contract type (model) was created."),
    "contract_type.updated.v1": ("contracts", "A contract type's name, template, merge fields or settings changed, "
                                              "or it was restored from the archive."),
    "contract_type.archived.v1": ("contracts", "A contract type was archived (no new contract is made from it)."),
    "customer.updated.v1": ("contracts", "A customer file was edited."),
    "customer.self_updated.v1": ("contracts", "A portal client updated their own details or their company's."),
    "contact.created.v1": ("contracts", "A contact was added to a customer."),
    "contact.updated.v1": ("contracts", "A customer's contact was edited."),
    "contact.deleted.v1": ("contracts", "A customer's contact was deleted (their portal access is revoked)."),
    "contract.created.v1": ("contracts", "A contract, quote, order or invoice was created."),
    "contract.updated.v1": ("contracts", "A contract's details changed: title, lines and amounts, owner, contact, "
                                         "custom columns, flags..."),
    "contract.sent.v1": ("contracts", "A contract or quote was sent (or a reminder was sent) to its contact."),
    "contract.status_changed.v1": ("contracts", "A contract's status changed."),
    "contract.abandoned.v1": ("contracts", "An unsigned contract was abandoned after the license's delay."),
    "quote.converted.v1": ("contracts", "A quote was converted into an order or an invoice."),
    "attachment.added.v1": ("contracts", "A file was attached to a contract."),
    "attachment.updated.v1": ("contracts", "A contract's attachment was shown or hidden on the customer portal, "
                                           "renamed or moved."),
    "attachment.deleted.v1": ("contracts", "A contract's attachment was deleted."),
    "milestone.created.v1": ("contracts", "A milestone was added to a contract."),
    "milestone.updated.v1": ("contracts", "A contract's milestone was edited, marked done or not, shown or hidden "
                                          "on the customer portal."),
    "milestone.deleted.v1": ("contracts", "A contract's milestone was deleted."),
    "task.created.v1": ("contracts", "A task was added to a contract."),
    "task.updated.v1": ("contracts", "A task was edited, reassigned, marked done or not."),
    "task.deleted.v1": ("contracts", "A task was deleted."),
    "deal.created.v1": ("contracts", "A deal (sales opportunity) was created."),
    "deal.updated.v1": ("contracts", "A deal's stage, amount, owner or details changed."),
    "deal.deleted.v1": ("contracts", "A deal without documents was deleted."),
    "signature.requested.v1": ("signing", "Signatures (and approvals) were requested on a contract."),
    "approver.approved.v1": ("signing", "An approver approved the document."),
    "approver.declined.v1": ("signing", "An approver refused the document."),
    "signature.collected.v1": ("signing", "Every participant acted; the document is being sealed."),
    "signature.cancelled.v1": ("signing", "A signature request was cancelled by its owner."),
    "signature.expired.v1": ("signing", "A signature request expired before completion."),
    "signature.reassigned.v1": ("signing", "A participant was replaced by someone else before acting."),
    "signer.signed.v1": ("signing", "A signer signed."),
    "signer.declined.v1": ("signing", "A signer declined to sign."),
    "signature.completed.v1": ("signing", "Every signer signed; the sealed document is available."),
    "bulk_send.completed.v1": ("signing", "Every row of a bulk send was tried; its requests are created."),
    "contract.shared.v1": ("portal", "A contract was shared on the customer portal."),
    "contract.unshared.v1": ("portal", "A contract is no longer shown on the customer portal."),
    "quote.viewed.v1": ("portal", "A contact viewed a quote online."),
    "quote.downloaded.v1": ("portal", "A contact downloaded a quote's PDF."),
    "quote.feedback_sent.v1": ("portal", "A contact sent feedback on a quote."),
    "webhook.endpoint_disabled.v1": ("notify", "A webhook endpoint was disabled after failing repeatedly."),
}
WILDCARD = "*"
# the event of "send a test delivery": sent to one endpoint on request, never published on the bus
TEST_EVENT_TYPE = "webhook.tested.v1"

# sources whose every event is offered to webhooks (queues evt-<source>-#--notify.<method>)
WEBHOOK_SOURCES = ("identity", "perimeter", "contracts", "signing", "portal", "notify")


def validate_event_types(values) -> list[str]:
    if not isinstance(values, list) or not values:
        raise InvalidInput("Choose at least one event type (or '*').", {"fields": {"event_types": ["required"]}})
    out: list[str] = []
    unknown = []
    for value in values:
        if value == WILDCARD:
            return [WILDCARD]
        if value in INTERNAL_EVENT_TYPES or value not in PUBLIC_EVENT_TYPES:
            unknown.append(value)
        elif value not in out:
            out.append(value)
    if unknown:
        raise InvalidInput(f"Unknown event types: {', '.join(map(str, unknown))}.",
                           {"fields": {"event_types": [f"unknown: {', '.join(map(str, unknown))}; "
                                                       "see GET /webhooks/event-types"]}})
    return sorted(out)


def subscription_matches(event_types: list[str], event_type: str) -> bool:
    if event_type in INTERNAL_EVENT_TYPES:
        return False
    return WILDCARD in (event_types or []) or event_type in (event_types or [])


# -- preferences (owner notifications) -----------------------------------------------------------

# event type -> (preference key or None = always by email, template)
OWNER_EVENTS: dict[str, tuple[str | None, str]] = {
    "quote.viewed.v1": ("quote_viewed", "quote_viewed"),
    "quote.downloaded.v1": ("quote_downloaded", "quote_downloaded"),
    "contract.shared.v1": ("contract_shared", "contract_shared_owner"),
    "signature.completed.v1": ("signed", "signature_completed_owner"),
    "quote.feedback_sent.v1": (None, "quote_feedback"),
    "customer.self_updated.v1": ("customer_self_updated", "customer_self_updated"),
}
DEFAULT_PREFERENCES = {
    "quote_viewed": {"email": True, "sms": False},
    "quote_downloaded": {"email": True, "sms": False},
    "contract_shared": {"email": True, "sms": False},
    "signed": {"email": True, "sms": False},
    "customer_self_updated": {"email": True, "sms": False},
}


# a contact viewing a quote again (another day, another device) is told to its owner at most this often;
# every view is still counted on the quote (contracts) and listed in its activity (portal)
VIEW_NOTICE_INTERVAL_SECONDS = 3600


def owner_notice_prefix(event: dict) -> str:
    """The start of the dedupe keys of owner notifications about the same thing: a contact viewing a quote
    (told at most once per VIEW_NOTICE_INTERVAL_SECONDS); empty for events told every time."""
    data = event.get("data") or {}
    if event.get("type") != "quote.viewed.v1" or not data.get("contract_id"):
        return ""
    viewer = data.get("contact_id") or str(data.get("contact_email") or "").strip().lower()
    return f"quote_viewed:{data['contract_id']}:{viewer}:"


def owner_notice_key(event: dict, prefix: str, template: str, channel: str) -> str:
    """The dedupe key of an owner notification: one per event, except for a notice told at most once per
    VIEW_NOTICE_INTERVAL_SECONDS (``prefix`` not empty), keyed by the interval its event's time falls in. Two
    views handled at the same moment then share a key and the database's unique key lets one through; the
    look-back over earlier notices (the caller's) alone would let both through. A redelivered event keeps its
    key either way."""
    try:
        moment = as_utc(datetime.fromisoformat(str(event.get("time"))))
    except ValueError:
        moment = None  # a time it cannot read: keyed by the event, as any other
    if not prefix or moment is None:
        return f"{prefix}{event['id']}:{template}:{channel}"
    return f"{prefix}{int(moment.timestamp()) // VIEW_NOTICE_INTERVAL_SECONDS}:{template}:{channel}"


def owner_channels(preference_key: str | None, preferences: dict | None) -> list[str]:
    """Channels to notify the owner on, from their preferences (defaults: email on, SMS off)."""
    if preference_key is None:
        return ["email"]
    chosen = dict(DEFAULT_PREFERENCES.get(preference_key, {"email": True, "sms": False}))
    mine = (preferences or {}).get(preference_key)
    if isinstance(mine, dict):
        chosen.update({k: bool(v) for k, v in mine.items() if k in ("email", "sms")})
    return [c for c in ("email", "sms") if chosen.get(c)]


def owner_vars(event: dict, owner: dict, public_url: str) -> dict:
    """Template variables of an owner notification built from a portal/signing event."""
    data = event.get("data") or {}
    contract_id = str(data.get("contract_id") or "")
    values = {
        "name": owner.get("name") or "",
        "number": str(data.get("number") or ""),
        "title": str(data.get("title") or ""),
        "contact_name": str(data.get("contact_name") or ""),
        "at": str(data.get("at") or data.get("completed_at") or event.get("time") or ""),
        "link": staff_pages.document_page(public_url, contract_id, str(data.get("request_id") or "")),
    }
    if event.get("type") == "quote.feedback_sent.v1":
        values["message"] = str(data.get("message") or "")
        values["contact_email"] = str(data.get("contact_email") or "")
    if event.get("type") == "signature.completed.v1":
        values["completed_at"] = str(data.get("completed_at") or "")
        values["signers"] = [{"name": str(s.get("name") or ""), "email": str(s.get("email") or ""),
                              "signed_at": str(s.get("signed_at") or "")}
                             for s in (data.get("signers") or []) if isinstance(s, dict)]
    if event.get("type") == "contract.shared.v1":
        values["shared_by"] = str(data.get("shared_by_name") or "")
    if event.get("type") == "customer.self_updated.v1":
        values.update(customer_self_vars(data, public_url, owner.get("locale") or "fr"))
    return values


def customer_self_vars(data: dict, public_url: str, locale: str = "fr") -> dict:
    """Variables of customer_self_updated: who changed what of the customer file (customer.self_updated.v1), a
    country by its name in the email's ``locale`` (the portal stores its code: paraph_platform.countries)."""
    def shown(field: str, value) -> str:
        text = "" if value is None else str(value)
        return countries.country_name(text, locale) if field == "address.country" else text

    return {"customer_name": str(data.get("customer_name") or ""), "target": str(data.get("target") or ""),
            "changes": [{"field": str(c.get("field") or ""), "from": shown(c.get("field"), c.get("from")),
                         "to": shown(c.get("field"), c.get("to"))}
                        for c in (data.get("changes") or []) if isinstance(c, dict)],
            "link": staff_pages.customer_history_page(public_url, str(data.get("customer_id") or ""))}


# -- retry schedules -----------------------------------------------------------------------------

# seconds: the maximum wait before retry n (full jitter draws uniformly in [0, value])
DEFAULT_WEBHOOK_SCHEDULE = (5, 30, 120, 600, 1800, 3600, 10800, 21600, 43200, 86400)
DEFAULT_NOTIFY_SCHEDULE = (10, 30, 120, 600, 1800, 3600, 7200)


def parse_schedule(raw: str | None, default: tuple) -> tuple[float, ...]:
    """``"5,30,120"`` (seconds; ``2m``, ``1h`` and ``1d`` suffixes accepted) -> (5.0, 30.0, 120.0)."""
    if raw is None or str(raw).strip() == "":
        return tuple(float(x) for x in default)
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    out = []
    for part in str(raw).split(","):
        part = part.strip().lower()
        if not part:
            continue
        mult = 1
        if part[-1] in units:
            mult, part = units[part[-1]], part[:-1]
        try:
            value = float(part) * mult
        except ValueError:
            raise ValueError(f"invalid retry schedule entry {part!r}") from None
        if value < 0:
            raise ValueError("retry delays must be >= 0")
        out.append(value)
    if not out:
        raise ValueError("a retry schedule needs at least one delay")
    return tuple(out)


def retry_delay(schedule: tuple, failed_attempts: int, rand=random.random) -> float | None:
    """Delay before the next attempt after ``failed_attempts`` failures, or None when the schedule
    is exhausted. Full jitter: uniform in [0, schedule[n]] so retries of many deliveries spread out."""
    if failed_attempts < 1 or failed_attempts > len(schedule):
        return None
    return rand() * float(schedule[failed_attempts - 1])


def max_attempts(schedule: tuple) -> int:
    return len(schedule) + 1


# -- webhook signatures (Standard Webhooks) ------------------------------------------------------

SECRET_PREFIX = "whsec_"


def new_webhook_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def secret_key(secret: str) -> bytes:
    raw = secret[len(SECRET_PREFIX):] if secret.startswith(SECRET_PREFIX) else secret
    try:
        return base64.b64decode(raw, validate=True)
    except (ValueError, TypeError):
        return raw.encode()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">``."""
    signed = f"{msg_id}.{int(timestamp)}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(secrets_: list[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """Space-separated signatures, one per valid secret (two during a secret rotation)."""
    return " ".join(sign(s, msg_id, timestamp, body) for s in secrets_ if s)


def verify(secret: str, headers: dict, body: bytes, tolerance: int = 300, now: float | None = None) -> bool:
    """What a receiver does: check the timestamp window and any ``v1`` signature, in constant time."""
    import time as _time
    lower = {k.lower(): v for k, v in headers.items()}
    msg_id = lower.get("webhook-id")
    ts = lower.get("webhook-timestamp")
    sigs = lower.get("webhook-signature") or ""
    if not msg_id or not ts:
        return False
    try:
        ts_int = int(ts)
    except ValueError:
        return False
    if abs((now if now is not None else _time.time()) - ts_int) > tolerance:
        return False
    expected = sign(secret, msg_id, ts_int, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in sigs.split(" ") if candidate)


def webhook_body(envelope: dict) -> bytes:
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False).encode()


def webhook_headers(envelope: dict, body: bytes, secrets_: list[str], timestamp: int) -> dict:
    return {
        "Content-Type": "application/json",
        "User-Agent": "Paraph-Webhooks/1.0",
        "Webhook-Id": envelope["id"],
        "Webhook-Timestamp": str(int(timestamp)),
        "Webhook-Signature": signature_header(secrets_, envelope["id"], timestamp, body),
        "Paraph-Event-Type": envelope["type"],
    }


# -- webhook URLs --------------------------------------------------------------------------------

MAX_URL_LENGTH = 2000
_BLOCKED_HOSTNAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
                or ip.is_unspecified or getattr(ip, "is_site_local", False))


def _url_error(message: str) -> InvalidInput:
    return InvalidInput(message, {"fields": {"url": [message]}})


# a DNS name's label: letters, digits and hyphens, neither first nor last ("xn--" alone, "" of ".com" are not)
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def _is_host_name_or_address(host: str) -> bool:
    """An IP address, or a name each of whose labels is one (a Unicode name, by its IDNA form)."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        ascii_name = host.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        return False
    return 0 < len(ascii_name) <= 253 and all(_LABEL.fullmatch(label) for label in ascii_name.split("."))


# what a refused scheme is told: https only, unless the operator allows local receivers (WEBHOOK_ALLOW_PRIVATE)
HTTPS_ONLY = "Only https:// URLs are accepted."
HTTP_OR_HTTPS = "Only http:// and https:// URLs are accepted."


def validate_webhook_url(url, allow_private: bool = False) -> str:
    """https only, a host, no credentials; literal private/loopback addresses refused. ``allow_private``, the
    operator's setting for local receivers (WEBHOOK_ALLOW_PRIVATE: development, tests), also accepts those and plain
    http (a receiver on 127.0.0.1 has no certificate). The one rule of an endpoint's URL: the API's and the web
    page's. (Host names are resolved and checked again at each delivery, which connects to the checked address.)"""
    if not isinstance(url, str) or not url.strip():
        raise _url_error("A URL is required.")
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise _url_error(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise _url_error("The URL contains spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _url_error("The URL is not valid.") from None
    scheme = parts.scheme.lower()
    if scheme != "https" and not (allow_private and scheme == "http"):
        raise _url_error(HTTP_OR_HTTPS if allow_private else HTTPS_ONLY)
    host = parts.hostname
    if not host:
        raise _url_error("The URL has no host.")
    if not _is_host_name_or_address(host):
        raise _url_error("The URL's host is not a valid name or address.")
    if parts.username or parts.password:
        raise _url_error("Do not put credentials in the URL; authenticate requests with the signature.")
    if port == 0:
        raise _url_error("The URL's port is not valid.")
    if not allow_private:
        if host.lower().rstrip(".") in _BLOCKED_HOSTNAMES or host.lower().endswith(".localhost"):
            raise _url_error("Local addresses are not accepted.")
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None and not is_public_address(host):
            raise _url_error("Private, loopback and link-local addresses are not accepted.")
    return url


def check_resolved(addresses: list[str], allow_private: bool) -> str | None:
    """An error message when a delivery must not go to these resolved addresses."""
    if not addresses:
        return "the host name does not resolve"
    if allow_private:
        return None
    blocked = [a for a in addresses if not is_public_address(a)]
    if blocked:
        return f"refused: the host resolves to a non-public address ({', '.join(sorted(set(blocked)))})"
    return None


# -- SMTP ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    ssl: bool = False          # implicit TLS (smtps://)
    starttls: bool = False     # upgrade with STARTTLS (required when set)
    verify: bool = True        # verify the server certificate

    def describe(self) -> str:
        mode = "ssl" if self.ssl else "starttls" if self.starttls else "plain"
        return f"{self.host}:{self.port} ({mode}{', auth' if self.username else ''})"


_TRUE = ("1", "true", "yes", "on", "required")


def parse_smtp_url(url: str) -> SmtpTarget:
    """``smtp://[user:pass@]host[:port][?starttls=1&verify=0]``, ``smtps://...`` (implicit TLS, port 465),
    ``smtp+starttls://...``. Port 587 implies STARTTLS unless ``starttls=0``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValueError(f"SMTP_URL is not a valid URL: {url!r}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("smtp", "smtps", "smtp+starttls"):
        raise ValueError("SMTP_URL must start with smtp://, smtps:// or smtp+starttls://")
    if not parts.hostname:
        raise ValueError("SMTP_URL has no host")
    query = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
    ssl = scheme == "smtps"
    if port is None:
        port = 465 if ssl else 587 if scheme == "smtp+starttls" else 25
    if "starttls" in query:
        starttls = query["starttls"] in _TRUE
    else:
        starttls = scheme == "smtp+starttls" or (scheme == "smtp" and port == 587)
    if ssl:
        starttls = False
    verify = query.get("verify", "1") in _TRUE
    return SmtpTarget(host=parts.hostname, port=port,
                      username=unquote(parts.username) if parts.username else None,
                      password=unquote(parts.password) if parts.password else None,
                      ssl=ssl, starttls=starttls, verify=verify)


def mail_domain(mail_from: str) -> str:
    match = re.search(r"@([A-Za-z0-9.-]+)", mail_from or "")
    return match.group(1).lower() if match else "paraph.local"


def message_id(dedupe_key: str, domain: str) -> str:
    """The same Message-ID for every attempt of one notification, so receivers spot duplicates."""
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:40]
    return f"<notify.{digest}@{domain}>"


def effective_dedupe_key(template: str, dedupe_key: str, license_id: str | None, recipient: str,
                         variables: dict | None) -> str:
    """The key a notification is deduplicated on.

    A quote's feedback reaches its owner two ways: the portal asks for it (notification.requested.v1,
    keyed on its own activity id) and notify reacts to quote.feedback_sent.v1 (keyed on the event).
    Both carry the quote number and the feedback's ``at`` timestamp, so both map to one key and the
    owner gets a single email whichever comes first (or if only one of them exists)."""
    variables = variables or {}
    if template == "quote_feedback" and variables.get("number") and variables.get("at"):
        return f"quote_feedback:{license_id}:{(recipient or '').strip().lower()}:{variables['number']}:{variables['at']}"
    return dedupe_key


def delivery_key(channel: str, dedupe_key: str) -> str:
    """Unique key of one notification: at most one per (channel, dedupe_key)."""
    return hashlib.sha256(f"{channel}\n{dedupe_key}".encode()).hexdigest()


def looks_like_email(value: str | None) -> bool:
    return bool(value) and re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", value) is not None


def sender_named(mail_from: str, display_name: str | None) -> str:
    """The From of an email: the platform's sender address (``MAIL_FROM``) under ``display_name`` (a customer's
    email comes from the company they deal with), quoted as needed; ``mail_from`` itself without a name."""
    name = " ".join(str(display_name or "").split())[:200]  # one line: a header cannot carry a line break
    address = parseaddr(mail_from)[1]
    if not name or not address:
        return mail_from
    return str(Address(display_name=name, addr_spec=address))


def truncate(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"
