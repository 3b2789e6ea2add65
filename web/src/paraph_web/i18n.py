"""Language and formats: the user's language (from their profile, kept in the session at sign-in),
else the browser's ``Accept-Language``; French by default. All strings are in the message catalogs
(translations/<lang>/LC_MESSAGES/messages.po, see web/README.md); dates, money and numbers go
through Babel's locale-aware formatters, exposed to templates as filters."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask import request, session
from flask_babel import Babel, format_currency, format_date, format_datetime, format_decimal, format_time, get_locale

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"


def select_locale() -> str:
    wanted = (session.get("user") or {}).get("locale")
    if wanted in LANGUAGES:
        return wanted
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def _parse_datetime(value):
    if isinstance(value, (date, datetime)) or value is None:
        return value
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def money(amount, currency: str = "EUR") -> str:
    try:
        return format_currency(Decimal(str(amount)), currency or "EUR")
    except (InvalidOperation, ValueError):
        return ""


def number(value) -> str:
    try:
        return format_decimal(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return ""


def day(value, style: str = "medium") -> str:
    parsed = _parse_datetime(value)
    return format_date(parsed, style) if parsed else ""


def moment(value, style: str = "medium") -> str:
    """A date and time, with the time zone (signatures, deliveries); ``short`` without the seconds, for lists
    ("4 déc. 2026, 23:50 UTC": Babel's own short style is all digits, "04/12/2026 23:50", unlike the
    rest of the pages)."""
    parsed = _parse_datetime(value)
    if not isinstance(parsed, datetime):
        return day(parsed)
    if style == "short":
        return f"{format_date(parsed, 'medium')}, {format_time(parsed, 'short')} UTC"
    return format_datetime(parsed, style) + " UTC"


def init_app(app):
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "UTC")
    Babel(app, locale_selector=select_locale)
    app.jinja_env.filters.update(money=money, number=number, day=day, moment=moment)
    app.jinja_env.globals["get_locale"] = get_locale
