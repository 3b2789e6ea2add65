"""Language and formats: the user's language (from their profile, kept in the session at sign-in), else (signed
out) the one chosen on the public pages, else the browser's ``Accept-Language``; French by default. All strings
are in the message catalogs (translations/<lang>/LC_MESSAGES/messages.po, see web/README.md); dates, money and
numbers go through Babel's locale-aware formatters, exposed to templates as filters.

Times are shown in the browser's time zone (``static/app.js`` keeps its name in the ``tz`` cookie), else in
UTC, always with their offset ("23:52:55 UTC+1"): a salesperson in Paris read "23:52 UTC" for a signature
made at 00:52 the next day, and the sealed PDF said that next day."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import get_currency_name
from flask import g, request, session
from flask_babel import lazy_gettext as _l
from flask_babel import (Babel, format_currency, format_date, format_datetime, format_decimal, format_time,
                         get_locale, get_translations, gettext, refresh, to_user_timezone)
from jinja2 import pass_context
from markupsafe import Markup, escape

from paraph_platform import addresses, client_pages, countries, french, line_breaks
from paraph_platform.dates import first_of_month, formats_locale
from paraph_platform.totals import discount_text, rate_text

from .api_messages import translate

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
# the languages a customer's documents may be in (the API's locales), named in the page's language
DOCUMENT_LANGUAGES = {"fr": _l("French"), "en": _l("English")}
# the currencies the forms offer by name (macros.html currency_field); any other 3-letter ISO code may be typed after
# choosing OTHER_CURRENCY (the API's rule)
COMMON_CURRENCIES = ("EUR", "CAD", "USD", "GBP", "CHF")
OTHER_CURRENCY = "other"


# the language chosen on the pages before signing in (sign-in, activation, forgotten password: their "Français /
# English" switch, pages/auth.py), kept for the visit: a French admin's English browser chose English for her
LANGUAGE_COOKIE = "lang"


# the country the signed-in user's company is established in (the license's ``country``, read at sign-in:
# pages/auth.py), kept in the session: the order of the pages' dates follows it (select_locale)
COMPANY_COUNTRY = "company_country"


def select_locale() -> str:
    """The page's language (``chosen_language``), its dates, times and numbers written as its company writes that
    language (paraph_platform.dates.formats_locale: the day first in English but for a company of the United
    States), whatever region the reader's browser says; signed out, as a company that has not said its country."""
    return formats_locale(chosen_language(), session.get(COMPANY_COUNTRY))


def chosen_language() -> str:
    """The page of an emailed link in its email's language (use_locale), else the signed-in user's profile language,
    else, signed out, the language chosen with the public pages' switch (LANGUAGE_COOKIE), else the browser's."""
    user = session.get("user")
    wanted = g.get("page_locale") or (user or {}).get("locale")
    if wanted in LANGUAGES:
        return wanted
    chosen = None if user else request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def page_language() -> str:
    """The language this request's page is in: one of LANGUAGES (what the page's words, its codes and the
    API's locale parameters follow)."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else DEFAULT_LANGUAGE


def use_locale(locale) -> None:
    """This request's page in ``locale`` (ignored unless one of LANGUAGES), whatever the reader's profile or browser
    says: a customer's contact reads the page of her emailed link in the email's language (pages/auth.py)."""
    if locale in LANGUAGES:
        g.page_locale = locale
        refresh()  # the locale this request chose before, if any, is chosen again


TIME_ZONE_COOKIE = "tz"


def select_timezone() -> str:
    name = request.cookies.get(TIME_ZONE_COOKIE, "")
    try:
        ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):  # none, or not a zone name ("../x", "Mars/Olympus")
        return "UTC"
    return name


def _parse_datetime(value):
    if isinstance(value, (date, datetime)) or value is None:
        return value
    text = str(value)
    try:
        if len(text) == 10:  # a calendar day ("2027-01-15"): the same day in every time zone
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _offset(value: datetime) -> str:
    """The offset a time is shown at, as the sealed PDF writes it: "UTC", "UTC+1", "UTC-3:30"."""
    offset = to_user_timezone(value).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    if not minutes:
        return "UTC"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{'+' if minutes > 0 else '-'}{hours}" + (f":{rest:02d}" if rest else "")


def money(amount, currency: str = "EUR") -> str:
    try:
        return format_currency(Decimal(str(amount)), currency or "EUR")
    except (InvalidOperation, ValueError):
        return ""


def currency_name(code) -> str:
    """A currency named in the page's language, with its code: "Dollar canadien (CAD)", "Canadian Dollar (CAD)"
    (Babel's names); a code Babel does not know as it is ("XYZ")."""
    code = (code or "").strip().upper()
    try:
        name = get_currency_name(code, locale=get_locale())
    except (ValueError, TypeError):
        name = code
    return f"{name[:1].upper()}{name[1:]} ({code})" if name and name != code else code


def posted_currency(form) -> str:
    """The currency posted by a form's currency field (macros.html currency_field): the code chosen in the list, or,
    "Other currency" chosen, the code typed beside it (``currency_other``); in capitals as the API wants them ("cad"
    is CAD). "Other currency" with no code typed stays OTHER_CURRENCY, which the API refuses next to the field (an
    empty currency would silently be the company's)."""
    chosen = (form.get("currency") or "").strip()
    if chosen == OTHER_CURRENCY:
        chosen = (form.get("currency_other") or "").strip() or OTHER_CURRENCY
    return chosen if chosen == OTHER_CURRENCY else chosen.upper()


def country(value) -> str:
    """A stored country as the page names it (paraph_platform.countries): "Allemagne" of DE on a French page, a
    name typed before the forms had a list ("Deutschland") as it is."""
    return countries.country_name(value, page_language())


def country_choice(value) -> dict:
    """What a country list offers for a stored ``value`` (macros.html country_field): every country named in the
    page's language, the one ``value`` is chosen (a code, or a name the list recognises: "Canada" is CA), and
    ``kept``: a text it does not recognise, offered as it is so that saving the form keeps it."""
    code = countries.country_code(value)
    kept = "" if code or value is None else str(value).strip()
    return {"choices": countries.countries(page_language()), "chosen": code or kept, "kept": kept}


def posted_country(posted, stored) -> str:
    """The country a form's list posted (macros.html country_field), or the stored value when the list showed it as
    the country posted: a name typed before the list ("Canada", shown as CA) stays as it was until another country
    is chosen (no history line for an unchanged country, no change for an integration reading it)."""
    posted = (posted or "").strip()
    stored = "" if stored is None else str(stored).strip()
    return stored if posted and posted == countries.country_code(stored) else posted


def number(value) -> str:
    try:
        return format_decimal(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return ""


def ngettext(singular: str, plural: str, num, /, **variables) -> str:
    """Flask-Babel's ngettext, the count grouped as the reader's language writes it ("1 234 devis"; Babel put
    the raw number in: "1234 devis"). The templates' ngettext does the same (init_app)."""
    variables.setdefault("num", number(num))
    return get_translations().ungettext(singular, plural, num) % variables


def percent(value) -> str:
    """A rate given in percent (a tax rate of 20, a discount of 5.5) as the PDF and the client's quote page write
    it, in the reader's language: "20 %" with a no-break space in French, "20%" in English; "5,5 %" of "5.50"."""
    try:
        return rate_text(value, str(get_locale()))
    except (InvalidOperation, ValueError):
        return ""


def discount(value) -> str:
    """A line's discount as the PDF and the client's quote page write it, empty when there is none."""
    try:
        return discount_text(value, str(get_locale()))
    except (InvalidOperation, ValueError):
        return ""


# French writes the first of a month as an ordinal ("1er mars"), which Babel's patterns do not: the rule the
# services' PDFs, emails and portal share
def _first_of_month(text: str) -> str:
    return first_of_month(text, get_locale().language)


def _date(parsed, style: str) -> str:
    return _first_of_month(format_date(parsed, style))


def day(value, style: str = "medium") -> str:
    parsed = _parse_datetime(value)
    return _date(parsed, style) if parsed else ""


def moment(value, style: str = "medium") -> str:
    """A date and time in the reader's time zone, with its offset (signatures, deliveries); ``short`` without
    the seconds, for lists ("4 déc. 2026, 23:50 UTC": Babel's own short style is all digits, "04/12/2026
    23:50", unlike the rest of the pages)."""
    parsed = _parse_datetime(value)
    if not isinstance(parsed, datetime):
        return day(parsed)
    if style == "short":
        return f"{_date(parsed, 'medium')}, {format_time(parsed, 'short')} {_offset(parsed)}"
    return f"{_first_of_month(format_datetime(parsed, style))} {_offset(parsed)}"


# -- in a spreadsheet (the CSV exports: pages/csv_export.py) ---------------------------------------------------
# What a spreadsheet in the reader's language reads as a value, not as text: a French one takes "1234,5" for a
# number and "1234.5" for text (or a date); neither reads a grouped "1 234,5" or an ISO time with its "T" and "Z".

def sheet_number(value) -> str:
    """A decimal number (the API's "1234.50") as a spreadsheet in the page's language reads it: "1234,50" in
    French, "1234.50" in English, never grouped; anything else as it is."""
    try:
        text = f"{Decimal(str(value)):f}"  # "1E+3" (a custom column's) is 1000
    except (InvalidOperation, ValueError):
        return "" if value is None else str(value)
    return text.replace(".", ",") if page_language() == "fr" else text


def sheet_separator() -> str:
    """The separator of a CSV's cells that a spreadsheet in the page's language splits a double-clicked file by: ";"
    in French (French Excel's list separator, "," being its decimal mark), "," in English."""
    return ";" if page_language() == "fr" else ","


def sheet_moment(value) -> str:
    """A date and time as every spreadsheet reads it, whatever its language, in the reader's time zone (the pages'):
    "2026-12-04 23:50"; a calendar day as it is ("2027-01-15"); nothing for none."""
    parsed = _parse_datetime(value)
    if isinstance(parsed, datetime):
        return to_user_timezone(parsed).strftime("%Y-%m-%d %H:%M")
    return parsed.isoformat() if parsed else ""


def yes_no(value) -> str:
    """A yes/no answer as a word of the page's language ("Oui", "No"): a CSV export's True/False were Python's."""
    return gettext("Yes") if value else gettext("No")


def codes_whole(text) -> Markup:
    """``text`` (escaped) with each document number kept on one line (paraph_platform.line_breaks): browsers
    break lines after a hyphen, and a phone showed a quote's title as "Devis Q-2026-" over "00001"."""
    return Markup(line_breaks.codes_whole(escape(text)))


def de(name) -> str:
    """A person's or company's name as a French string puts it after "de": "d'Anna", "de Paul"
    (paraph_platform.french); in another language the name as it is, its msgid writing its own "of". The
    catalog's strings take it as ``%(de_name)s``: "Accès portail %(de_name)s" of "Portal access of %(de_name)s"."""
    return french.de(name) if get_locale().language == "fr" else ("" if name is None else str(name))


def init_app(app):
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "UTC")
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.filters.update(money=money, number=number, percent=percent, discount=discount, day=day, moment=moment,
                                 api_text=translate, codes_whole=codes_whole, de=de, currency_name=currency_name,
                                 country=country)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["OTHER_CURRENCY"] = OTHER_CURRENCY
    app.jinja_env.globals["country_choice"] = country_choice
    # whether an address of that country writes its city before its postcode (paraph_platform.addresses): the order
    # the forms ask for them in
    app.jinja_env.globals["city_first"] = addresses.city_first
    app.jinja_env.globals["language_names"] = client_pages.LANGUAGE_NAMES  # each language named in itself
    counted = app.jinja_env.globals["ngettext"]  # Jinja's, which fills %(num)s with the raw number

    @pass_context
    def ngettext_grouped(context, singular, plural, num, /, **variables):
        variables.setdefault("num", number(num))
        return counted(context, singular, plural, num, **variables)
    app.jinja_env.globals["ngettext"] = ngettext_grouped
