"""Notification templates: sandboxed rendering and validation (pure), over the catalog of templates and
variables (template_catalog.py) and the built-in fr/en templates (template_defaults.py, from the wording in
template_defaults.toml).

A template has four parts: ``subject``, ``text`` (plain-text email), ``html`` (HTML email; when a
license's version has none, it is derived from ``text``) and ``sms``. Parts are Jinja templates
rendered in a :class:`jinja2.sandbox.SandboxedEnvironment` with ``StrictUndefined``; HTML parts
are autoescaped. A license admin's version is validated when saved: it may only use the variables
documented for that template (unknown ones are a 422), must keep the link (or code) the message
exists for, and must render with sample values.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from functools import lru_cache

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, meta
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from paraph_platform import french, line_breaks
from paraph_platform import time_zones as named_zones  # the zones' places, as people name them
from paraph_platform.dates import date_and_time, long_date, month_first

from .exceptions import InvalidInput, NotFound
from .template_catalog import (DEFAULT_LOCALE, LIST_VARIABLES, LOCALES, PARTS, REQUIRED_VARIABLE, SECRET_MASK,
                               SECRET_VARIABLES, TEMPLATE_NAMES, VARIABLES, Written)
from .template_defaults import BUTTON_LABELS, DEFAULTS, EMAIL_LAYOUT, WORDING, button_html

MAX_PART = {"subject": 500, "text": 50_000, "html": 200_000, "sms": 2_000}
MAX_OUTPUT = 1_000_000
MAX_SMS_OUTPUT = 1_000

# -- variables and defaults -----------------------------------------------------------------------

def masked(name: str, variables: dict) -> dict:
    """``variables`` with the template's secrets replaced by :data:`SECRET_MASK`."""
    secrets = SECRET_VARIABLES.get(name, ())
    return {k: (SECRET_MASK if k in secrets else v) for k, v in (variables or {}).items()}


def variables_doc(name: str) -> dict:
    return {var: desc for var, (desc, _sample) in VARIABLES[name].items()}


def sample_vars(name: str, locale: str) -> dict:
    """The documented samples of ``name``'s variables, typed text in ``locale``'s language."""
    language = locale if locale in LOCALES else DEFAULT_LOCALE
    return {var: getattr(sample, language) if isinstance(sample, Written) else sample
            for var, (_desc, sample) in VARIABLES[name].items()}


def blank_vars(name: str) -> dict:
    return {var: ([] if var in LIST_VARIABLES else "") for var in VARIABLES[name]}


def default_parts(name: str, locale: str) -> dict:
    return dict(DEFAULTS[name][locale if locale in LOCALES else DEFAULT_LOCALE])


def check_name(name: str) -> str:
    if name not in VARIABLES:
        raise NotFound(f"Unknown template {name!r}.", {"templates": list(TEMPLATE_NAMES)})
    return name


def check_locale(locale) -> str:
    if locale not in LOCALES:
        raise InvalidInput(f"Unknown locale {locale!r}; use one of {', '.join(LOCALES)}.",
                           {"fields": {"locale": [f"one of {', '.join(LOCALES)}"]}})
    return locale


# -- sandboxed environments -----------------------------------------------------------------------

class _Sandbox(SandboxedEnvironment):
    """No globals (no range/lipsum/cycler), and no huge strings or powers from * and **."""
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator, left, right):
        if operator == "**":
            if isinstance(right, (int, float)) and abs(right) > 64:
                raise SecurityError("exponent too large")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > 10_000:
                    raise SecurityError("repetition too large")
        return super().call_binop(context, operator, left, right)


# -- dates and times, in the license's time zone (licenses.py) --------------------------------------

def _parse_dt(value):
    if isinstance(value, datetime):
        return value
    if not value:
        return None
    try:
        text = str(value).strip().replace("Z", "+00:00")
        dt = datetime.fromisoformat(text)
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=timezone.utc)
        return dt
    except ValueError:
        return None


# the zone of a license that chose none (Paraph's customers are French companies)
DEFAULT_TIME_ZONE = named_zones.DEFAULT


time_zone = named_zones.zone  # the named IANA zone; Paris time for none or an unknown name


def zone_name(zone: str, locale: str) -> str:
    """The zone as a time's reader reads it after the hour: "heure de Paris", "heure de La Réunion", "Paris time",
    "UTC" (the places as the license settings page names them: paraph_platform.time_zones)."""
    key = time_zone(zone).key
    if key in ("UTC", "Etc/UTC"):
        return "UTC"
    place = named_zones.place(key, locale)
    return f"heure {french.de(place)}" if locale == "fr" else f"{place} time"


def format_date(value, locale: str, zone: str = DEFAULT_TIME_ZONE, country: str | None = None) -> str:
    """A calendar day ("2030-02-28") as it is; a moment's day in ``zone`` (23:30 UTC is the next day in Paris);
    written as every service writes dates (paraph_platform.dates): the day first in English too, but for a company
    established in the United States (``country``, the license's), whose people and customers read the month
    first."""
    dt = _parse_dt(value)
    if dt is None:
        return "" if value is None else str(value)
    if "T" not in str(value) and not isinstance(value, datetime):
        d = dt.date()
    else:
        d = dt.astimezone(time_zone(zone)).date()
    return long_date(d, "fr" if locale == "fr" else "en", country)


def format_datetime(value, locale: str, zone: str = DEFAULT_TIME_ZONE, country: str | None = None) -> str:
    """"15 janvier 2030 à 10:30 (heure de Paris)": the hour in ``zone``, which is named after it (a customer
    abroad reads the seller's hours); "January 15, 2030 at 10:30 AM (New York time)" for a company of the United
    States (``country``)."""
    dt = _parse_dt(value)
    if dt is None:
        return "" if value is None else str(value)
    language = "fr" if locale == "fr" else "en"
    return f"{date_and_time(dt.astimezone(time_zone(zone)), language, country=country)} ({zone_name(zone, language)})"


def _nl2br(value):
    return Markup("<br>\n").join(escape(str(value if value is not None else "")).split("\n"))


def _codes_whole(value) -> Markup:
    """An HTML email's document number on one line, as the pages keep it (paraph_platform.line_breaks)."""
    return Markup(line_breaks.codes_whole(escape("" if value is None else value), line_breaks.NOWRAP_STYLE))


# a field of the customer file or of a contact as customer.self_updated.v1 names it, as the staff app's History tab
# words it ("address.line2" -> "Complément d'adresse"); a field not listed is written as the event names it
FIELD_LABELS = {
    "fr": {"first_name": "Prénom", "last_name": "Nom", "title": "Fonction", "department": "Service",
           "email": "Email", "phone": "Téléphone", "mobile": "Mobile", "fax": "Fax",
           "address.line1": "Adresse", "address.line2": "Complément d'adresse", "address.postal_code": "Code postal",
           "address.city": "Ville", "address.region": "Région", "address.country": "Pays"},
    "en": {"first_name": "First name", "last_name": "Last name", "title": "Job title", "department": "Department",
           "email": "Email", "phone": "Phone", "mobile": "Mobile", "fax": "Fax",
           "address.line1": "Street", "address.line2": "Address (line 2)", "address.postal_code": "Postal code",
           "address.city": "City", "address.region": "Region", "address.country": "Country"},
}


def field_label(field, locale: str) -> str:
    name = "" if field is None else str(field)
    return FIELD_LABELS.get(locale, FIELD_LABELS[DEFAULT_LOCALE]).get(name, name)


@lru_cache(maxsize=None)
def environment(locale: str, html: bool, zone: str = DEFAULT_TIME_ZONE,
                country: str | None = None) -> SandboxedEnvironment:
    """Templates of ``locale`` writing dates and times in ``zone``, in the order of a company of ``country``."""
    env = _Sandbox(autoescape=html, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                   keep_trailing_newline=False)
    env.globals.clear()
    env.filters["date"] = lambda v: format_date(v, locale, zone, country)
    env.filters["datetime"] = lambda v: format_datetime(v, locale, zone, country)
    env.filters["nl2br"] = _nl2br if html else (lambda v: "" if v is None else str(v))
    env.filters["codes_whole"] = _codes_whole if html else (lambda v: "" if v is None else str(v))
    env.filters["de"] = french.de  # a name after French "de": "le portail client d'Immo Conseil", "de Paul"
    env.filters["field_label"] = lambda v: field_label(v, locale)  # customer_self_updated's changes
    return env


# -- rendering ------------------------------------------------------------------------------------

class RenderError(Exception):
    """A template could not be rendered (the message cannot be sent as it is)."""


_URL = re.compile(r"(https?://[^\s<>&\"']+(?:&amp;[^\s<>&\"']+)*)")


def text_to_html(text: str, locale: str, link: str | None = None, button_labels: tuple[str, ...] = (),
                 footer: str = "") -> str:
    """An HTML part for a license template that only has a text part: escaped, links clickable, in the
    built-in emails' layout. The built-in link line kept in the text ("<label>: ``link``", with one of the
    ``button_labels``, the built-in button's now or before) is the built-in button, as in the built-in HTML;
    ``footer`` is HTML."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    button_lines = {f"{label}{WORDING[locale]['label_separator']}{link}".strip(): label
                    for label in button_labels} if link else {}
    out = []
    for p in paragraphs:
        label = button_lines.get(p.strip())
        if label:
            out.append(button_html(str(escape(label)), str(escape(link)), WORDING[locale]["button_fallback"]))
            continue
        # the links clickable, the document numbers of the words between them on one line
        pieces = _URL.split(str(escape(p)))  # words, a link, words, ...
        escaped = "".join(f'<a href="{piece}" style="color:#1f4fd1;word-break:break-all">{piece}</a>' if n % 2
                          else line_breaks.codes_whole(piece, line_breaks.NOWRAP_STYLE)
                          for n, piece in enumerate(pieces))
        out.append("<p>" + escaped.replace("\n", "<br>\n") + "</p>")
    return EMAIL_LAYOUT % {"lang": locale, "body": "\n".join(out), "footer": footer}


@lru_cache(maxsize=1024)
def _compiled(locale: str, html: bool, zone: str, country: str | None, source: str):
    return environment(locale, html, zone, country).from_string(source)


def _render_part(source: str, values: dict, locale: str, html: bool, zone: str = DEFAULT_TIME_ZONE,
                 country: str | None = None) -> str:
    try:
        return _compiled(locale, html, zone, country, source).render(values)
    except UndefinedError as exc:
        raise RenderError(f"unknown variable: {exc.message}") from None
    except SecurityError as exc:
        raise RenderError(f"not allowed in a template: {exc}") from None
    except TemplateError as exc:
        raise RenderError(str(exc)) from None
    except (TypeError, ValueError, ArithmeticError, AttributeError, KeyError, IndexError, RecursionError) as exc:
        raise RenderError(f"{type(exc).__name__}: {exc}") from None


_ASCII_WHITESPACE = re.compile(r"[ \t\r\n\f\v]+")


def _one_line(text: str) -> str:
    """A subject on one line: its runs of ASCII white space made one space. Not str.split(), which takes the
    no-break space of French punctuation ("Relance\u00a0: devis") for white space too."""
    return _ASCII_WHITESPACE.sub(" ", text).strip(" ")


# a customer's SMS starts with the company's name ("ACME Paris : votre code…"); rendered without it (identity did
# not answer), it is left with the colon that followed the name
_NAMELESS_START = re.compile(r":\s*")


def _sms_without_a_missing_name(sms: str) -> str:
    """An SMS whose sender's name came out empty (" : votre code…") starts with what followed it instead ("Votre
    code…"): for the built-in SMS and a license's own alike."""
    nameless = _NAMELESS_START.match(sms)
    if not nameless:
        return sms
    rest = sms[nameless.end():]
    return rest[:1].upper() + rest[1:]


def render(name: str, locale: str, parts: dict, variables: dict, zone: str = DEFAULT_TIME_ZONE,
           country: str | None = None) -> dict:
    """Render every part, times in ``zone`` and dates in the order of ``country`` (the license's: the month first
    in English for a company of the United States); missing documented variables are blank. Raises
    :class:`RenderError`."""
    locale = locale if locale in LOCALES else DEFAULT_LOCALE
    zone = time_zone(zone).key  # one compiled template per zone the database knows
    country = "US" if month_first(locale, country) else None  # one per order, not one per country
    values = {**blank_vars(name), **{k: v for k, v in (variables or {}).items() if isinstance(k, str)}}
    # a secret is never in a subject, even in a license's version saved before validation refused it
    subject = _one_line(_render_part(parts["subject"], masked(name, values), locale, False, zone, country))
    text = _render_part(parts["text"], values, locale, False, zone, country)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    html_source = parts.get("html")
    html = (_render_part(html_source, values, locale, True, zone, country) if html_source else
            text_to_html(text, locale, values.get("link"), BUTTON_LABELS.get((name, locale), ()),
                         _render_part(WORDING[locale]["footer"], values, locale, True, zone, country)))
    sms_source = parts.get("sms") or DEFAULTS[name][locale]["sms"]
    sms = _sms_without_a_missing_name(" ".join(_render_part(sms_source, values, locale, False, zone, country).split()))
    if len(text) > MAX_OUTPUT or len(html) > MAX_OUTPUT:
        raise RenderError("the rendered message is too large")
    if len(sms) > MAX_SMS_OUTPUT:
        sms = sms[: MAX_SMS_OUTPUT - 1] + "…"
    return {"subject": subject[:998], "text": text, "html": html, "sms": sms}


# -- validation of a license's version ------------------------------------------------------------

def validate(name: str, locale: str, parts: dict) -> dict:
    """Check a template a license admin wants to save; raise InvalidInput (422) with per-part errors.
    Returns the cleaned parts (``html``/``sms`` may be None: derived from text / the default)."""
    check_name(name)
    check_locale(locale)
    allowed = set(VARIABLES[name])
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str | None] = {}
    for part in PARTS:
        source = parts.get(part)
        if source is None or (part in ("html", "sms") and not str(source).strip()):
            if part in ("subject", "text"):
                errors.setdefault(part, []).append("required")
            cleaned[part] = None
            continue
        if not isinstance(source, str):
            errors.setdefault(part, []).append("must be a string")
            continue
        if len(source) > MAX_PART[part]:
            errors.setdefault(part, []).append(f"at most {MAX_PART[part]} characters")
            continue
        env = environment(locale, part == "html")
        try:
            ast = env.parse(source)
            used = meta.find_undeclared_variables(ast)  # compiles: unknown filters/tests fail here
        except TemplateSyntaxError as exc:
            errors.setdefault(part, []).append(f"syntax error line {exc.lineno}: {exc.message}")
            continue
        unknown = sorted(used - allowed)
        if unknown:
            errors.setdefault(part, []).append(
                f"unknown variables: {', '.join(unknown)} (available: {', '.join(sorted(allowed))})")
            continue
        secrets = sorted(used & set(SECRET_VARIABLES.get(name, ())))
        if part == "subject" and secrets:
            errors.setdefault(part, []).append(
                f"must not contain {', '.join(secrets)}: a subject shows in previews and the delivery log")
            continue
        required = REQUIRED_VARIABLE.get(name)
        if required and part != "subject" and required not in used:
            errors.setdefault(part, []).append(f"must contain {{{{ {required} }}}}")
            continue
        try:
            env.from_string(source).render({**blank_vars(name), **sample_vars(name, locale)})
            env.from_string(source).render(blank_vars(name))
        except UndefinedError as exc:
            errors.setdefault(part, []).append(f"unknown variable or attribute: {exc.message}")
            continue
        except SecurityError as exc:
            errors.setdefault(part, []).append(f"not allowed in a template: {exc}")
            continue
        except Exception as exc:  # noqa: BLE001 - any rendering failure is the template's fault
            errors.setdefault(part, []).append(f"cannot be rendered: {type(exc).__name__}: {exc}")
            continue
        if part == "subject" and "\n" in source.strip():
            errors.setdefault(part, []).append("must be a single line")
            continue
        cleaned[part] = source
    if errors:
        raise InvalidInput("The template is not valid.", {"fields": errors})
    return cleaned
