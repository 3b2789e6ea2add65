"""The country a company (a license) is established in, and what follows from it.

Where it lives, once: identity's license setting ``country`` (an ISO 3166-1 alpha-2 code). The company says it when
it activates its environment (``POST /licenses/activate``, the web app's /activate page), its license admins change
it with the other settings (``PATCH /license``), and identity publishes it with them in ``license.updated.v1`` and
answers it in ``license_settings``, the way every service already learns a license's language, currency and time
zone. Why there and not in contracts' company profile (the issuer the PDFs print, whose address also has a
country): identity needs the country itself, to read the numbers its staff users type without their country code
(paraph_platform.phones: "07700 900456" is British in a British company), and a setting it owns costs it no call
to another service and no replica; it exists from the activation, before anyone fills the company profile; and it
reaches the other services through the channel they already follow. Contracts keeps it in its replica of the
license settings and reads its contacts' numbers in it when their customer has no country; the profile's address
is what the PDFs print (its country is offered the license's when empty).

A license activated before the setting has none, until an admin chooses its country in the settings: meanwhile
each number is read where it was read when it was checked (identity's staff numbers in France; contracts' contacts'
in the country of the company profile's address, which was read as the company's until then), and its defaults
stay what they were.

:func:`defaults` is what a company of that country starts with: the time zone its emails write their times in, the
currency and the language of its documents (each still changeable in the settings). :func:`registers_siren` says
whether its legal identifiers are a SIREN and a SIRET (France's), or another country's company number.
"""
from __future__ import annotations

from typing import NamedTuple

import phonenumbers

from .phones import COUNTRY_ALIASES, reading_country

# ISO 3166-1's countries (and Kosovo's XK), without Babel (identity has none): the regions with a numbering plan,
# less Ascension and Tristan da Cunha (which ISO counts in SH), and the territories without one; the unit tests
# check it against Babel's list, the one the forms offer (paraph_platform.countries)
COUNTRY_CODES = (frozenset(phonenumbers.SUPPORTED_REGIONS) - {"AC", "TA"}) \
    | {"AQ", "BV", "GS", "HM", "PN", "TF", "UM"}


def known_code(value) -> str | None:
    """``value`` as a country's code ("gb" and "UK" are GB), None when it is no code of a country (a license's
    setting is a code; a country's name is paraph_platform.countries' to read)."""
    text = "" if value is None else str(value).strip().upper()
    text = COUNTRY_ALIASES.get(text, text)
    return text if text in COUNTRY_CODES else None


class Defaults(NamedTuple):
    time_zone: str  # an IANA zone
    currency: str  # an ISO 4217 code
    locale: str  # the documents' language: "fr" or "en" (Paraph's)


# a company of a country not listed: UTC, the euro and English (its admins set their own in the settings)
OTHER = Defaults("UTC", "EUR", "en")
FRANCE = Defaults("Europe/Paris", "EUR", "fr")  # and a license without a country (Paraph's customers were French)

_DEFAULTS = {
    # French-speaking countries, France's overseas departments and collectivities
    "FR": FRANCE,
    "BE": Defaults("Europe/Brussels", "EUR", "fr"),
    "LU": Defaults("Europe/Luxembourg", "EUR", "fr"),
    "MC": Defaults("Europe/Monaco", "EUR", "fr"),
    "CH": Defaults("Europe/Zurich", "CHF", "fr"),
    "GP": Defaults("America/Guadeloupe", "EUR", "fr"),
    "MQ": Defaults("America/Martinique", "EUR", "fr"),
    "GF": Defaults("America/Cayenne", "EUR", "fr"),
    "RE": Defaults("Indian/Reunion", "EUR", "fr"),
    "YT": Defaults("Indian/Mayotte", "EUR", "fr"),
    "PM": Defaults("America/Miquelon", "EUR", "fr"),
    "BL": Defaults("America/St_Barthelemy", "EUR", "fr"),
    "MF": Defaults("America/Marigot", "EUR", "fr"),
    "NC": Defaults("Pacific/Noumea", "XPF", "fr"),
    "PF": Defaults("Pacific/Tahiti", "XPF", "fr"),
    "WF": Defaults("Pacific/Wallis", "XPF", "fr"),
    "MA": Defaults("Africa/Casablanca", "MAD", "fr"),
    "TN": Defaults("Africa/Tunis", "TND", "fr"),
    "DZ": Defaults("Africa/Algiers", "DZD", "fr"),
    "SN": Defaults("Africa/Dakar", "XOF", "fr"),
    "CI": Defaults("Africa/Abidjan", "XOF", "fr"),
    "CM": Defaults("Africa/Douala", "XAF", "fr"),
    # English-speaking countries (the largest zone of a country of several: New York, Toronto, Sydney)
    "GB": Defaults("Europe/London", "GBP", "en"),
    "IE": Defaults("Europe/Dublin", "EUR", "en"),
    "US": Defaults("America/New_York", "USD", "en"),
    "CA": Defaults("America/Toronto", "CAD", "en"),
    "AU": Defaults("Australia/Sydney", "AUD", "en"),
    "NZ": Defaults("Pacific/Auckland", "NZD", "en"),
    "ZA": Defaults("Africa/Johannesburg", "ZAR", "en"),
    "SG": Defaults("Asia/Singapore", "SGD", "en"),
    "IN": Defaults("Asia/Kolkata", "INR", "en"),
    "HK": Defaults("Asia/Hong_Kong", "HKD", "en"),
    "MT": Defaults("Europe/Malta", "EUR", "en"),
    # the rest of Europe and a few others, their documents in English (Paraph speaks French and English)
    "DE": Defaults("Europe/Berlin", "EUR", "en"),
    "AT": Defaults("Europe/Vienna", "EUR", "en"),
    "NL": Defaults("Europe/Amsterdam", "EUR", "en"),
    "ES": Defaults("Europe/Madrid", "EUR", "en"),
    "IT": Defaults("Europe/Rome", "EUR", "en"),
    "PT": Defaults("Europe/Lisbon", "EUR", "en"),
    "DK": Defaults("Europe/Copenhagen", "DKK", "en"),
    "SE": Defaults("Europe/Stockholm", "SEK", "en"),
    "NO": Defaults("Europe/Oslo", "NOK", "en"),
    "FI": Defaults("Europe/Helsinki", "EUR", "en"),
    "IS": Defaults("Atlantic/Reykjavik", "ISK", "en"),
    "PL": Defaults("Europe/Warsaw", "PLN", "en"),
    "CZ": Defaults("Europe/Prague", "CZK", "en"),
    "SK": Defaults("Europe/Bratislava", "EUR", "en"),
    "HU": Defaults("Europe/Budapest", "HUF", "en"),
    "SI": Defaults("Europe/Ljubljana", "EUR", "en"),
    "HR": Defaults("Europe/Zagreb", "EUR", "en"),
    "RO": Defaults("Europe/Bucharest", "RON", "en"),
    "BG": Defaults("Europe/Sofia", "EUR", "en"),
    "GR": Defaults("Europe/Athens", "EUR", "en"),
    "CY": Defaults("Asia/Nicosia", "EUR", "en"),
    "EE": Defaults("Europe/Tallinn", "EUR", "en"),
    "LV": Defaults("Europe/Riga", "EUR", "en"),
    "LT": Defaults("Europe/Vilnius", "EUR", "en"),
    "TR": Defaults("Europe/Istanbul", "TRY", "en"),
    "IL": Defaults("Asia/Jerusalem", "ILS", "en"),
    "AE": Defaults("Asia/Dubai", "AED", "en"),
    "JP": Defaults("Asia/Tokyo", "JPY", "en"),
    "CN": Defaults("Asia/Shanghai", "CNY", "en"),
    "BR": Defaults("America/Sao_Paulo", "BRL", "en"),
    "MX": Defaults("America/Mexico_City", "MXN", "en"),
}


def defaults(country) -> Defaults:
    """What a company established in ``country`` (a code) starts with: France's for none, :data:`OTHER` for a
    country not listed."""
    code = known_code(country)
    return FRANCE if code is None else _DEFAULTS.get(code, OTHER)


# the standard rate of VAT (GST in Australia and New Zealand) of a country's sales, in percent: what a new line of a
# quote starts with in the staff editor (reduced rates are typed on their lines); none where a company's sales tax is
# not one national rate (the United States', Canada's...) or is not listed: its lines start at 0 %
STANDARD_VAT_RATES = {
    "FR": "20", "MC": "20", "GP": "8.5", "MQ": "8.5", "RE": "8.5", "BE": "21", "LU": "17", "CH": "8.1",
    "GB": "20", "IE": "23", "MT": "18", "DE": "19", "AT": "20", "NL": "21", "ES": "21", "IT": "22", "PT": "23",
    "DK": "25", "SE": "25", "NO": "25", "PL": "23", "CZ": "21", "HU": "27", "SI": "22", "HR": "25", "BG": "20",
    "GR": "24", "CY": "19", "LV": "21", "LT": "21", "MA": "20", "TR": "20", "AU": "10", "NZ": "15", "ZA": "15",
    "AE": "5",
}


def standard_vat_rate(country) -> str:
    """The standard VAT rate of a company established in ``country`` (a code), France's for none (as
    :func:`defaults`); "" when it has none listed."""
    code = known_code(country)
    return STANDARD_VAT_RATES.get("FR" if code is None else code, "")


# France and its overseas departments and collectivities whose companies INSEE registers (the SIRENE directory):
# their legal identifiers are a SIREN (the company's, 9 digits) and a SIRET (an establishment's, 14); New
# Caledonia's and French Polynesia's have registers of their own (RIDET, TAHITI), like any other country
SIREN_COUNTRIES = frozenset({"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF"})


def registers_siren(*countries) -> bool:
    """Whether a company's identifiers are a SIREN and a SIRET: the first of ``countries`` (stored countries, most
    particular first: its address's, then the license's; a code or, in older records, a name) that names one is
    France or a territory of the SIRENE directory; none named, France."""
    return reading_country(*countries) in SIREN_COUNTRIES  # the same reading of stored countries, France for none


# the European Union's members: their companies' VAT numbers are "intra-community" ones (not the United Kingdom's
# since 2021, nor Switzerland's)
EU_MEMBERS = frozenset({"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
                        "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"})


def eu_vat(*countries) -> bool:
    """Whether a company's VAT number is an intra-community one: the first of ``countries`` that names one (else
    France) is a member of the European Union, or a territory of France's SIRENE (its companies' numbers are French:
    FR and their SIREN)."""
    code = reading_country(*countries)
    return code in EU_MEMBERS or code in SIREN_COUNTRIES
