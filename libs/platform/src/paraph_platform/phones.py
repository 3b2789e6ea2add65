"""Phone numbers an SMS can be sent to: one rule for the services that store such a number and for notify,
which sends the SMS.

SMS providers take numbers in E.164 only ("+447700900456"): a number handed to them as typed ("07700 900456")
has no country, and is not delivered, or to someone else. :func:`e164` writes a number so. A number written with
its country code ("+44 7700 900456", "0044 ...") is that country's; one written as dialled inside a country
("07700 900456", "06 12 34 56 78") is read in the country of the address it belongs to (:func:`reading_country`):
a contact's and a customer's in their customer's address country, else in the company's (the license's country:
paraph_platform.company_country), else in France (``DEFAULT_COUNTRY``: Paraph's customers were French companies). A
user's (identity's staff numbers) is read in their license's country, and identity keeps the country it read it in
with it: a number must be read in the same country when it is checked and when an SMS leaves (read in France when
typed and in the United Kingdom when sent, "06 12 34 56 78" is someone else's +44 number), and a person of two
companies has one number.

Why the numbers are kept as typed, and written in E.164 only when an SMS leaves (notify; signing when it
freezes a request's participants): the API has always answered them as they were typed (integrators and the ERP
sync compare them, and "07700 900456" is how their owner reads their number), and a customer's country may be
set or corrected after its numbers were typed: read when the SMS leaves, a number is read in the country the
address says that day. What is checked when a number is entered (:class:`Phone`) is that it can be read in the
country known then (``read_in``); a number stored before that check and read nowhere is not texted: notify's
delivery log says why.

Only the country's numbering plan is checked (phonenumbers' "possible" number: its length there), not that the
number is in service: the numbers a plan reserves for examples and fiction (Ofcom's 07700 900xxx) are accepted.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable

import phonenumbers
from marshmallow import ValidationError, fields

from .countries import country_code

PHONE_MAX_LENGTH = 40  # as typed, in the phone columns (identity's users, contracts' customers and contacts)
DEFAULT_COUNTRY = "FR"
PHONE_RULE = ("a number as dialled in the country of the address it belongs to (a contact's: their customer's, "
              "else the company's; else France), or any number with its country code (+44 7700 900456); SMS go to "
              "it in E.164 (+447700900456)")
# "UK", typed as a country before the forms had a list, is no ISO 3166 code (ISO reserves it for GB) nor a name
COUNTRY_ALIASES = {"UK": "GB"}

# the country the numbers a payload holds are read in (read_in); none: France
_READING: ContextVar[Callable[[], str] | None] = ContextVar("paraph_phone_reading_country", default=None)


def _region(country) -> str | None:
    """The country ``country`` names as phonenumbers knows it: a code (without Babel: identity and signing have
    none), else a name in French or English (paraph_platform.countries)."""
    text = "" if country is None else str(country).strip()
    if not text:
        return None
    code = COUNTRY_ALIASES.get(text.upper(), text.upper())
    if len(code) == 2 and code in phonenumbers.SUPPORTED_REGIONS:
        return code
    code = country_code(text) if len(text) > 2 else None
    return code if code in phonenumbers.SUPPORTED_REGIONS else None


def reading_country(*countries) -> str:
    """The country a number written without its country code is read in: the first of ``countries`` (stored
    countries, most particular first: an address's ``country``, an ISO code or, in older records, a name) that
    names one, else France."""
    return next((code for code in map(_region, countries) if code), DEFAULT_COUNTRY)


def e164(number, country=None) -> str | None:
    """``number`` written in E.164 ("+447700900456"), read in ``country`` (a stored country, as
    :func:`reading_country` takes it) when written without its country code; None when it is no number there."""
    text = "" if number is None else str(number).strip()
    if not text or len(text) > PHONE_MAX_LENGTH:
        return None
    # digits and separators only (letters, extensions, another script's digits: no number an SMS goes to)
    cleaned = re.sub(r"[\s.\-()/]", "", text)
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    if not re.fullmatch(r"\+?[0-9]{6,16}", cleaned):  # [0-9]: \d takes any script's digits
        return None
    try:
        parsed = phonenumbers.parse(cleaned, reading_country(country))
    except phonenumbers.NumberParseException:
        return None
    # IS_POSSIBLE_LOCAL_ONLY (a number without its area code, dialled from inside the area) reaches no phone from an
    # SMS provider
    if phonenumbers.is_possible_number_with_reason(parsed) != phonenumbers.ValidationResult.IS_POSSIBLE:
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def sms_number(*numbers, country=None) -> str | None:
    """The first of ``numbers`` an SMS can go to, in E.164 (a contact's mobile, else their landline: numbers
    stored on customer files before :class:`Phone` checked them may not be readable, and a one-time code sent
    to one notify cannot read is never received)."""
    return next((written for written in (e164(number, country) for number in numbers) if written), None)


def phone_error(country=None) -> str:
    """Why a number is refused, with what would do in the country it was read in (the web app translates it
    and names the country: paraph_web.api_messages)."""
    region = reading_country(country)
    example = (phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
               or phonenumbers.example_number(region))
    if example is None:  # a plan without examples (Antarctica's): France's
        region = DEFAULT_COUNTRY
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    international = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return f"Not a valid phone number in {region}: e.g. {national} or {international}."


PHONE_ERROR = phone_error()  # said of a number read in France (no reading country given)


@contextmanager
def read_in(country):
    """Read the numbers :class:`Phone` loads inside the block in ``country`` (a stored country, or a function
    giving one: called once, when a number written without its country code is loaded, so that a payload
    without one asks nothing of the database or of another service)."""
    known: list = []

    def current() -> str:
        if not known:
            known.append(reading_country(country() if callable(country) else country))
        return known[0]

    token = _READING.set(current)
    try:
        yield
    finally:
        _READING.reset(token)


def reading_country_now() -> str:
    """The country :func:`read_in` gives (asked for now, once per block), else France: the country a payload's numbers
    are read in, its phone numbers' and its company number's (a SIREN or a SIRET in France: contracts' customers)."""
    current = _READING.get()
    return current() if current is not None else DEFAULT_COUNTRY


def written(number) -> str | None:
    """``number`` in E.164, read, when written without its country code, in the country :func:`read_in` gives
    (asked for only then), else in France; None when it is no number there."""
    if re.match(r"\s*(\+|00)", "" if number is None else str(number)):
        return e164(number)  # written with its country code: read alike in any country, none to ask for
    return e164(number, reading_country_now())


class Phone(fields.String):
    """A phone number SMS can go to, kept as typed (without the spaces around it), read in the country
    :func:`read_in` gives (else France); empty (or null, with ``allow_none``) means none: it loads as None."""

    def __init__(self, **kwargs):
        kwargs["metadata"] = {"maxLength": PHONE_MAX_LENGTH, "description": PHONE_RULE,  # documented
                              **(kwargs.get("metadata") or {})}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            return None
        if written(text) is None:
            raise ValidationError(phone_error(reading_country_now()))
        return text
