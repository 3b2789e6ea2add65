"""The country of a postal address: an ISO 3166-1 alpha-2 code ("FR"), named in the reader's language by Babel's
territory names ("France"; "Allemagne" / "Germany" of "DE").

Why the forms store the code: a customer's address is read in several languages (the staff app's and the client
portal's pages in French or English, a quote's PDF in the customer's language) and by ERPs; a code is the same
value whoever chose it, and each reader names it in its own language. A name stored as typed would be French on
an English PDF, and "Allemagne", "Germany" and "Deutschland" three countries to an integration.

Why a name is still accepted and kept: the contracts API took ``address.country`` as free text (up to 120
characters) before the forms had a list, and integrators and the ERP import still send names. Such a value is
stored and answered as it was sent (no breaking change for them), and every reader shows it through
``country_name``: a code's name, any other text as it is. A form offers a name it recognises (``country_code``) as
that country, and a text it does not as itself, so that saving the form keeps it.

Babel is imported when used: the services and apps that name countries (contracts, portal, web) depend on it,
as for ``totals``."""
from __future__ import annotations

import unicodedata
from functools import cache

# Babel's territories with two letters that are not countries of ISO 3166-1: groupings (EU, EZ, UN, QO), the
# unknown region (ZZ), pseudo-locales' (XA, XB) and the codes ISO only reserves (Ascension, Clipperton, Sark, Diego
# Garcia, Ceuta and Melilla, the Canary Islands, Tristan da Cunha). Kosovo's XK, the code the EU and banks use for
# it, stays: a customer there needs a country too.
NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB", "AC", "CP", "CQ", "DG", "EA", "IC", "TA"})
# the languages whose names ``country_code`` recognises: the pages' and the documents' (the API's locales)
NAMED_IN = ("fr", "en")
DEFAULT_LOCALE = "fr"


def _babel_locale(locale: str | None):
    from babel import Locale, UnknownLocaleError
    try:
        return Locale.parse(str(locale or DEFAULT_LOCALE).replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return Locale.parse(DEFAULT_LOCALE)


def _folded(text: str) -> str:
    """A name as compared and sorted: no accents, no case ("Émirats" among the E, "ÉTATS-UNIS" = "États-Unis")."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@cache
def _names(locale: str) -> dict[str, str]:
    """{code: name} of every country, in ``locale``."""
    territories = _babel_locale(locale).territories
    return {code: name for code, name in territories.items()
            if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES}


@cache
def countries(locale: str | None) -> tuple[tuple[str, str], ...]:
    """(code, name) of every country, named in ``locale`` and in its alphabetical order, as a list offers them."""
    return tuple(sorted(_names(str(locale or DEFAULT_LOCALE)).items(), key=lambda item: _folded(item[1])))


@cache
def _codes_by_name() -> dict[str, str]:
    return {_folded(name): code for locale in NAMED_IN for code, name in _names(locale).items()}


def country_code(value) -> str | None:
    """The code of the country ``value`` names: a code in any case ("fr" is FR), or a country's name in French or
    English, accents and case aside ("france", "Royaume-Uni", "United Kingdom" are FR, GB, GB); None for anything
    else (a name in another language, a misspelling, nothing)."""
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    if len(text) == 2 and text.upper() in _names(DEFAULT_LOCALE):
        return text.upper()
    return _codes_by_name().get(_folded(text))


def country_name(value, locale: str | None) -> str:
    """How a reader in ``locale`` reads a stored country: a code's name ("FR" -> "France"), any other text as it was
    typed ("Deutschland"); "" for none."""
    text = "" if value is None else str(value).strip()
    if len(text) == 2:
        return _names(str(locale or DEFAULT_LOCALE)).get(text.upper(), text)
    return text
