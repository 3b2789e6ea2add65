"""Dates as people read them, the rule every service's and the web app's formatters share.

French writes the first day of a month as an ordinal, "1er mars 2027", where Babel's patterns, and a day
number written out by hand, give "1 mars 2027". Each formatter keeps its own style (Babel's long or medium
date, a proof's time with its offset, an email's "à 18:00 (UTC)") and passes its text through
``first_of_month``, so the proof of signature, the emails, the portal, the PDFs and the staff pages agree.
"""
import re
from datetime import date, datetime, timezone

from marshmallow import fields

from .company_country import known_code

# a lone "1" (not "11", "21", "2031") followed by a word: the day of a month written before its name
_FIRST_OF_MONTH = re.compile(r"(?<!\d)1(?= [^\d\s])")


def first_of_month(text: str, locale: str | None) -> str:
    """``text`` (a date written day first) with its "1" as "1er" when ``locale`` is French ("fr", "fr_FR",
    "fr-CA"); any other language's text unchanged ("1 March 2027", "March 1, 2027")."""
    if not text or not locale or re.split(r"[_-]", str(locale))[0].lower() != "fr":
        return text
    return _FIRST_OF_MONTH.sub("1er", text, count=1)


# -- the long date and the time of day every email, proof and document writes ------------------------------------
#
# English is written in British order, the day before the month, as the staff pages' and the PDFs' en_GB formats
# (Babel): "7 December 2026", "21:24". The United States' order ("December 7, 2026", "12/7/2026", "9:24 PM") reads
# the other way round everywhere else, and an email and a proof of signature must say the same day as the quote's
# PDF and the staff app (paraph_platform.dates is what they share; Babel's en_GB long date is this one too). A
# company established in the United States (or its territories) is the one exception, in all of them alike: its
# people and its customers read the month first and the 12-hour clock, "December 7, 2026 at 3:08 PM" (Babel's
# en_US long date), as its staff pages write them (:func:`formats_locale`). Each writer passes the company's
# ``country`` (the license's setting), None where it does not know it: day first.

MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}
_AT = {"fr": "à", "en": "at"}  # between a date and its time


def _language(locale: str | None) -> str:
    """The documents' language of ``locale`` ("fr", "en_GB", "en-US" -> "fr", "en", "en"); French for another."""
    language = re.split(r"[_-]", str(locale or "fr"))[0].lower()
    return language if language in MONTHS else "fr"


def month_first(locale: str | None, country=None) -> bool:
    """Whether ``locale``'s dates are written month first for a company established in ``country`` (a license's
    setting, None when unknown): English in the United States and its territories (:func:`formats_locale`)."""
    return formats_locale(locale, country) == "en_US"


def long_date(day: date, locale: str | None, country=None) -> str:
    """"7 décembre 2026", "1er mars 2027" / "7 December 2026", "1 March 2027": the day, the month's name, the year;
    "December 7, 2026" in English for a company of ``country`` that writes the month first (:func:`month_first`)."""
    language = _language(locale)
    if month_first(language, country):
        return f"{MONTHS[language][day.month - 1]} {day.day}, {day.year}"
    return first_of_month(f"{day.day} {MONTHS[language][day.month - 1]} {day.year}", language)


def date_and_time(moment: datetime, locale: str | None, *, seconds: bool = False, country=None) -> str:
    """``moment`` as it reads where it is (convert it to the reader's zone first), on the 24-hour clock, without its
    zone (each writer names it after its own way: "(heure de Paris)", "(UTC+1)", "UTC"): "1er décembre 2026 à
    21:24" / "1 December 2026 at 21:24" (21:24:38 with ``seconds``); "December 1, 2026 at 9:24 PM" (9:24:38 PM) in
    English for a company of ``country`` that writes the month first."""
    language = _language(locale)
    clock = f"{moment:%H:%M:%S}" if seconds else f"{moment:%H:%M}"
    if month_first(language, country):
        clock = f"{moment.hour % 12 or 12}{clock[2:]} {'AM' if moment.hour < 12 else 'PM'}"
    return f"{long_date(moment, language, country)} {_AT[language]} {clock}"


# -- the formats of the staff pages ---------------------------------------------------------------------------
#
# A staff page writes its dates, times and numbers in its language as its company writes them, whatever region the
# reader's browser says: an American browser turned a French or British company's "7 Dec 2026, 13:18" into "Dec 7,
# 2026, 1:18 PM", the other way round from the company's quotes, emails and proofs. The company is where it is
# established (the license's ``country``, paraph_platform.company_country); its times stay in the reader's own zone.

# the United States and its territories, whose English writes the month before the day and the 12-hour clock
MONTH_FIRST_COUNTRIES = frozenset({"US", "AS", "GU", "MP", "PR", "UM", "VI"})
FORMATS = {"fr": "fr", "en": "en_GB"}  # Babel's locale of each language's formats; "fr" is France's


def formats_locale(language: str | None, country=None) -> str:
    """The Babel locale a staff page in ``language`` ("fr", "en") writes its dates, times and numbers in, for a
    company established in ``country`` (the license's setting: a code, or None for a license that has not said
    it): French as France writes it; English day first on the 24-hour clock (en_GB), as every email, proof and
    PDF writes it, except in a company of the United States, whose people read the month first (en_US)."""
    language = _language(language)
    if language == "en" and known_code(country) in MONTH_FIRST_COUNTRIES:
        return "en_US"
    return FORMATS[language]


def browser_locale(language: str | None, country=None) -> str:
    """The locale tag (BCP 47) a page's script writes dates with (Intl.DateTimeFormat, in the reader's own zone),
    by the same rule (:func:`formats_locale`): "fr-FR" (its "fr" is France's), "en-GB", "en-US"."""
    tag = formats_locale(language, country)
    return "fr-FR" if tag == "fr" else tag.replace("_", "-")


class AwareDateTime(fields.AwareDateTime):
    """marshmallow's AwareDateTime, within the years a database, Python's datetime and an offset all hold:
    "0001-01-01T00:00:00+01:00" is a valid ISO 8601 date-time whose UTC falls before year 1 (an OverflowError
    where the service converts it: a 500), as it does past year 9999. Every service's schemas take their
    date-times from here: a 422 naming the field instead."""
    EARLIEST, LATEST = 1900, 9999
    default_error_messages = {"out_of_range": f"Give a date-time between the years {EARLIEST} and {LATEST}."}

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            year = moment.astimezone(timezone.utc).year if moment.tzinfo is not None else moment.year
        except OverflowError:
            raise self.make_error("out_of_range") from None
        if not self.EARLIEST <= year <= self.LATEST:
            raise self.make_error("out_of_range")
        return moment


class Date(fields.Date):
    """marshmallow's Date within the years people mean: a quote valid until "0001-01-01" or a task due in year 1
    was stored, and shown as such. Every service's schemas take their dates from here."""
    EARLIEST, LATEST = AwareDateTime.EARLIEST, AwareDateTime.LATEST
    default_error_messages = {"out_of_range": f"Give a date between the years {EARLIEST} and {LATEST}."}

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        if not self.EARLIEST <= day.year <= self.LATEST:
            raise self.make_error("out_of_range")
        return day
