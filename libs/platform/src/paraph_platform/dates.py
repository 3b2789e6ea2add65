"""Dates as people read them, the rule every service's and the web app's formatters share.

French writes the first day of a month as an ordinal, "1er mars 2027", where Babel's patterns, and a day
number written out by hand, give "1 mars 2027". Each formatter keeps its own style (Babel's long or medium
date, a proof's time with its offset, an email's "à 18:00 (UTC)") and passes its text through
``first_of_month``, so the proof of signature, the emails, the portal, the PDFs and the staff pages agree.
"""
import re
from datetime import timezone

from marshmallow import fields

# a lone "1" (not "11", "21", "2031") followed by a word: the day of a month written before its name
_FIRST_OF_MONTH = re.compile(r"(?<!\d)1(?= [^\d\s])")


def first_of_month(text: str, locale: str | None) -> str:
    """``text`` (a date written day first) with its "1" as "1er" when ``locale`` is French ("fr", "fr_FR",
    "fr-CA"); any other language's text unchanged ("1 March 2027", "March 1, 2027")."""
    if not text or not locale or re.split(r"[_-]", str(locale))[0].lower() != "fr":
        return text
    return _FIRST_OF_MONTH.sub("1er", text, count=1)


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
