"""The public signing page ``/sign/<token>`` (mounted at the root): the document (embedded PDF), the
consent text, the signer's placed fields (text, checkboxes, initials adopted once for every initials
field; listed by page, their boxes drawn on a small map of each page, since the browser's own PDF viewer
cannot show them), the one-time code, and approve / sign / decline buttons. Plain server-rendered HTML
with a little vanilla JavaScript calling the JSON endpoints under ``/api/v1/sign/<token>/...``
(see :mod:`.signing`). The link's token is the credential: no login."""
from __future__ import annotations

import re
import secrets
import tomllib
from importlib import resources

from flask import Blueprint, Response, g, render_template, request
from markupsafe import Markup, escape

from paraph_platform import client_pages, line_breaks
from paraph_platform.dates import browser_locale, first_of_month, month_first
from paraph_platform.errors import PlatformError

from ..routing import call, client_ip

URL_PREFIX = ""

bp = Blueprint("signing_pages", __name__)

# the page's wording, per language: data, in templates/sign_page_text.toml
TEXT = tomllib.loads(resources.files("paraph_gateway").joinpath("templates/sign_page_text.toml").read_text("utf-8"))


@bp.context_processor
def _client_pages_look() -> dict:
    """The look the page shares with the client portal (typography, colours, cards, buttons), inlined in its
    style element (its Content-Security-Policy allows only that one), and how their scripts write a file's size
    and a date, at the top of its script; ``first_of_month`` for the dates it writes itself; ``codes_whole`` keeps
    a document number of a sentence on one line ("Q-" over "2026-00001" on a phone); ``language_link``, the top
    bar's link to the page in the other language, as the portal's pages write it."""
    return {"client_pages_css": Markup(client_pages.stylesheet()), "client_pages_js": Markup(client_pages.script()),
            "client_pages_icon": client_pages.icon_data_uri(), "first_of_month": first_of_month,
            "codes_whole": lambda text: Markup(line_breaks.codes_whole(escape(text))),
            "language_link": lambda href, to: Markup(client_pages.language_link(href, to))}


def _field_groups(info: dict | None) -> list[dict]:
    """The signer's own placed fields grouped by page, in reading order (top to bottom, left to right), each
    with a DOM id (a field id is the server's, not necessarily a valid HTML id); a page's size (points) lets
    the page map draw the boxes where they are on the page."""
    if not info or info.get("action") != "sign":
        return []
    pages = info.get("pages") or []
    groups: dict[int, list[dict]] = {}
    ordered = sorted(info.get("fields") or [], key=lambda f: (f["page"], f["y"], f["x"]))
    for n, field in enumerate(ordered, 1):
        groups.setdefault(field["page"], []).append(
            {**field, "dom_id": f"field-{n}"})  # "asked": false for what Paraph fills in (date, name)
    return [{"page": page, "size": pages[page - 1] if 0 < page <= len(pages) else None, "fields": fields}
            for page, fields in sorted(groups.items())]


# the consent text's last sentence, naming the document's fingerprint: " Empreinte SHA-256 du document : <64 hex>"
_FINGERPRINT = re.compile(r"\s+([^.]*\b[0-9a-fA-F]{64})\s*$")


def _consent(text: str) -> dict:
    """The consent text as shown: its sentences, then the last one, naming the document's fingerprint, on a line
    of its own (64 characters in one piece broke a sentence across three lines on a phone): the words the
    signing service records, in their order. A text naming no fingerprint is shown whole."""
    found = _FINGERPRINT.search(text or "")
    if not found:
        return {"sentence": text, "fingerprint": None}
    return {"sentence": text[:found.start()], "fingerprint": found.group(1)}


def _sender(info: dict | None) -> str | None:
    """Who sends the request, for "De la part de <name>": None when they have no name, the signing service then
    giving their email instead. The page names the company alone: an address says nothing more to the signer,
    and French would need "d'admin@..." before a vowel."""
    name = ((info or {}).get("request") or {}).get("sender_name") or ""
    return None if not name or "@" in name else name


def _dates(locale: str, info: dict | None) -> dict:
    """How the page writes its dates, by the rule every service's share (paraph_platform.dates): in the order its
    sender's company reads them (its ``country``, told by the signing service: month first and the 12-hour clock
    in a United States company's English, "Jan 3, 2027, 11:52 PM UTC", Babel's en_US medium; day first elsewhere,
    "3 Jan 2027, 23:52 UTC"); ``date_locale``, the locale tag the page's script writes them with in the signer's
    own time zone (Intl.DateTimeFormat)."""
    country = ((info or {}).get("request") or {}).get("country")
    return {"date_locale": browser_locale(locale, country), "month_first": month_first(locale, country)}


def _moment_text(iso: str, t: dict, locale: str, month_first: bool) -> str:
    """"2027-01-03T23:52:00Z" (the service's dates are UTC) as the page writes it without script: "3 janv. 2027,
    23:52 UTC", "1er mars 2027, 09:00 UTC", "3 Jan 2027, 23:52 UTC"; "Jan 3, 2027, 11:52 PM UTC" month first."""
    day, month, year = int(iso[8:10]), t["months"][int(iso[5:7]) - 1], iso[:4]
    hour, minute = int(iso[11:13]), iso[14:16]
    if month_first:  # Babel's en_US abbreviations: "Sep", where British English writes "Sept"
        return f"{month[:3]} {day}, {year}, {hour % 12 or 12}:{minute} {'AM' if hour < 12 else 'PM'} UTC"
    return first_of_month(f"{day} {month} {year}, {hour:02d}:{minute} UTC", locale)


def _initials(name: str) -> str:
    """What the initials field proposes: "Jeanne Dupont" -> "JD" (the signer may change it)."""
    return "".join(word[0] for word in (name or "").replace("-", " ").split() if word[:1].isalpha())[:4].upper()


def _secure(resp: Response, nonce: str) -> Response:
    ancestors = " ".join(_frame_ancestors()) or "'none'"
    resp.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; img-src 'self' data:; "
        "frame-src 'self'; object-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
        f"frame-ancestors {ancestors}")
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Referrer-Policy"] = "no-referrer"
    if ancestors == "'none'":  # for old browsers (X-Frame-Options cannot list several origins)
        resp.headers["X-Frame-Options"] = "DENY"
    resp.headers["X-Robots-Tag"] = "noindex, nofollow"
    return resp


def _asked_language() -> str | None:
    """The language the signer switched the page to (``?lang=``: the top bar's link, as on the client's quote page
    and portal); None for none or another (the request's language then)."""
    lang = request.args.get("lang", "")
    return lang if lang in TEXT else None


def _other_language(locale: str) -> str | None:
    """The language the top bar's link switches the page to; none on a page opened by a one-use URL (embedded or in
    person: a link to the page again would lose its frame or its device's hand-back, and the URL is spent)."""
    if g.get("embed") or g.get("in_person"):
        return None
    return "en" if locale == "fr" else "fr"


@bp.get("/sign/<token>")
def sign_page(token):
    nonce = secrets.token_urlsafe(16)
    asked = _asked_language()
    try:
        # the consent text comes in the page's language: what the signer reads is what their act records
        info = call("signing", "public_info", token, {"locale": asked})
        status = 200
    except PlatformError as exc:
        info, status = None, (404 if exc.status in (404, 422) else exc.status if exc.status in (410,) else 503)
    locale = (info or {}).get("locale") or (info or {}).get("request", {}).get("locale") or asked or "fr"
    t = TEXT.get(locale, TEXT["fr"])
    groups = _field_groups(info)
    has_initials = any(f["type"] == "initials" for group in groups for f in group["fields"])
    dates = _dates(locale, info)
    html = render_template("sign.html", info=info, t=t, token=token, nonce=nonce, locale=locale,
                           date_locale=dates["date_locale"],
                           moment_text=lambda iso: _moment_text(iso, t, locale, dates["month_first"]),
                           other_locale=_other_language(locale), groups=groups, has_initials=has_initials,
                           consent=_consent((info or {}).get("consent_text")),
                           sender=_sender(info),
                           initials=_initials((info or {}).get("participant", {}).get("name", "")),
                           # 410: the link of someone whose turn was handed to another person
                           error=None if info else (t["invalid"] if status in (404, 410) else t["unavailable"]))
    return _secure(Response(html, status=status, mimetype="text/html"), nonce)


# -- embedded signing (the page framed by an integrator's page) ------------------------------------------

EMBED_GONE = {"fr": "Ce lien de signature intégrée a déjà servi ou a expiré\u00a0: demandez-en un nouveau.",
              "en": "This embedded signing link was already used or has expired: ask for a new one."}


def _frame_ancestors() -> list[str]:
    """Who may frame the page being answered: the license's embed origins for an embedded signing page
    (set by :func:`embed_page`), nobody otherwise."""
    return g.get("frame_ancestors") or []


def _client() -> dict:
    """The browser opening a one-use URL, for the audit trail."""
    return {"ip": client_ip(), "user_agent": (request.headers.get("User-Agent") or "")[:512] or None}


def _refusal_page(exc: PlatformError, gone) -> Response:
    """The page of a one-use URL that does not open: ``gone(locale)`` says why a 410 (used, expired...), in the
    request's language when the refusal gives it, else in the browser's."""
    locale = exc.details.get("locale") if exc.details.get("locale") in TEXT else None
    locale = locale or request.accept_languages.best_match(["fr", "en"]) or "fr"
    t = TEXT[locale]
    if exc.status == 410:
        status, error = 410, gone(locale)
    else:
        status, error = (404, t["invalid"]) if exc.status in (404, 422) else (503, t["unavailable"])
    nonce = secrets.token_urlsafe(16)
    html = render_template("sign.html", info=None, t=t, token="", nonce=nonce, locale=locale, error=error,
                           date_locale=_dates(locale, None)["date_locale"])
    return _secure(Response(html, status=status, mimetype="text/html"), nonce)


@bp.get("/sign/embed/<token>")
def embed_page(token):
    """An embedded signing URL (``POST /api/v1/signature-requests/<id>/participants/<pid>/embed-url``): the
    participant's signing page, once, framed by the license's embed origins; static/sign-embed.js tells the
    parent window what happens (to the origin the URL was made for, only)."""
    try:
        opened = call("signing", "open_embed", token, _client())
    except PlatformError as exc:
        if exc.status == 410:
            g.frame_ancestors = exc.details.get("frame_ancestors")  # the integrator's frame shows why
        return _refusal_page(exc, EMBED_GONE.get)
    g.frame_ancestors = opened["frame_ancestors"]
    g.embed = {key: opened[key] for key in ("origin", "request_id", "participant_id", "return_url")}
    return sign_page(opened["link_token"])


# -- in-person signing (the page opened on a member of staff's device, handed to the participant) -----------

@bp.get("/sign/in-person/<token>")
def in_person_page(token):
    """An in-person signing URL (``POST /api/v1/signature-requests/<id>/participants/<pid>/in-person-url``):
    the participant's signing page, once, at the top of the browser of the member of staff who asked for it
    (never framed); once the participant acted, the page asks them to give the device back, with a link to
    the document's page of the staff app (``back_url``: a path, the staff app sharing this public address),
    which a refusal (used, expired) shows too."""
    try:
        opened = call("signing", "open_in_person", token, _client())
    except PlatformError as exc:
        if exc.status == 410:
            g.in_person = {"back_url": exc.details.get("back_url")}
        return _refusal_page(exc, lambda locale: TEXT[locale]["in_person_gone"])
    g.in_person = {key: opened[key] for key in ("started_by_name", "back_url")}
    return sign_page(opened["link_token"])
