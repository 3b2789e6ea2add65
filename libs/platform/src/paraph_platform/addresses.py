"""A postal address written as the post of its country reads it: the one rule for every address Paraph prints (the
quotes' and contracts' PDFs, their issuer and their customer) and for the order the forms ask for its parts in.

The street lines come first everywhere; what differs is the line of the place. France and most of Europe write the
postcode before the city ("75002 Paris", "10115 Berlin", "1000 Bruxelles"); the United Kingdom writes the town on
its own line and the postcode on the next ("London" / "NW1 6XE"), as Ireland with its county and Eircode; the
United States writes "Springfield, IL 62701" (city, state, ZIP), Canada and Australia "Ottawa ON K1A 0B1". An
address with "SW1A 1AA London" on a British quote, or "62701 Springfield" on an American one, looks foreign to
the customer reading it, and the post sorts by the line it expects. The formats follow the Universal Postal
Union's, as Google's address data (libaddressinput) writes them, for the countries whose order differs from the
postcode-first one; the others are written postcode first.

An address's ``country`` is what the forms store (an ISO code, or a name typed before the lists:
paraph_platform.countries); an address without one is written as its reader's company writes its own
(``default_country``: a customer's address on a quote is written in the issuer's country's order), else France's.
"""
from __future__ import annotations

from . import countries
from .phones import COUNTRY_ALIASES

# how the place is written (the street lines before it, the country's name after it)
POSTCODE_CITY = "postcode city"  # "75002 Paris": France, most of Europe, and any country not listed below
CITY_THEN_POSTCODE = "city / postcode"  # "London" then "NW1 6XE": the town and the postcode each on its own line
CITY_REGION_POSTCODE = "city, region postcode"  # "Springfield, IL 62701"
CITY_REGION_POSTCODE_NO_COMMA = "city region postcode"  # "Ottawa ON K1A 0B1", "Sydney NSW 2000"
CITY_POSTCODE = "city postcode"  # "Auckland 1010", "Singapore 018956": one line, the city first

FORMATS = {
    # the United Kingdom, its Crown Dependencies and territories, Ireland (its county on a line of its own)
    **dict.fromkeys(("GB", "GG", "JE", "IM", "GI", "FK", "SH", "IE", "ZA"), CITY_THEN_POSTCODE),
    # the United States and the territories its post serves
    **dict.fromkeys(("US", "PR", "GU", "VI", "AS", "MP"), CITY_REGION_POSTCODE),
    **dict.fromkeys(("CA", "AU"), CITY_REGION_POSTCODE_NO_COMMA),
    **dict.fromkeys(("NZ", "SG"), CITY_POSTCODE),
}
# where the region (county, state, province) is part of the address; elsewhere the forms' optional "Region" is
# kept but not printed (a French customer's "Île-de-France" is no part of its postal address)
PRINTS_REGION = frozenset({"IE", "US", "PR", "GU", "VI", "AS", "MP", "CA", "AU"})


def _code(country) -> str | None:
    """A stored country's code: a code, a name in French or English, or "UK" (typed before the lists)."""
    text = "" if country is None else str(country).strip()
    return countries.country_code(COUNTRY_ALIASES.get(text.upper(), text)) if text else None


def format_of(country, default_country=None) -> str:
    """How the place of an address in ``country`` (stored: a code or a name), else in ``default_country``, is
    written: one of the formats above."""
    return FORMATS.get(_code(country) or _code(default_country) or "", POSTCODE_CITY)


def city_first(country, default_country=None) -> bool:
    """Whether the address's city comes before its postcode (the order a form asks for them in)."""
    return format_of(country, default_country) != POSTCODE_CITY


def place_lines(address: dict | None, default_country=None) -> list[str]:
    """The line(s) of an address's place, its postcode, city and (where the country's post wants it) region, as
    its country writes them: ["75002 Paris"], ["London", "NW1 6XE"], ["Springfield, IL 62701"]. Empty parts are
    left out, and so is a line left empty."""
    address = address or {}

    def part(key: str) -> str:
        return str(address.get(key) or "").strip()

    postcode, city = part("postal_code"), part("city")
    country = _code(address.get("country")) or _code(default_country)
    kind = FORMATS.get(country or "", POSTCODE_CITY)
    region = part("region") if country in PRINTS_REGION else ""
    if kind == CITY_THEN_POSTCODE:
        lines = [city, region, postcode]
    elif kind == CITY_REGION_POSTCODE:
        lines = [", ".join(x for x in (city, " ".join(x for x in (region, postcode) if x)) if x)]
    elif kind == CITY_REGION_POSTCODE_NO_COMMA:
        lines = [" ".join(x for x in (city, region, postcode) if x)]
    elif kind == CITY_POSTCODE:
        lines = [" ".join(x for x in (city, postcode) if x)]
    else:
        lines = [" ".join(x for x in (postcode, city) if x)]
    return [line for line in lines if line]


def address_lines(address: dict | None, locale: str | None, default_country=None) -> list[str]:
    """The lines an address is printed in: its street lines, its place (:func:`place_lines`) and its country named
    in ``locale`` (paraph_platform.countries: a name typed before the lists as it was typed)."""
    address = address or {}
    streets = [str(address.get(key) or "").strip() for key in ("line1", "line2")]
    country = countries.country_name(address.get("country"), locale)
    return [line for line in (*streets, *place_lines(address, default_country), country) if line]
