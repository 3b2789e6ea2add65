"""The country a company is established in (identity's license setting ``country``) and what a company of that
country starts with: its time zone, currency and documents' language; whether its identifiers are a SIREN/SIRET."""
from datetime import date
from pathlib import Path

import pytest

from paraph_platform import company_country, countries, time_zones


def test_the_countries_a_license_may_be_in_are_those_the_forms_offer():
    """Identity (no Babel) and the web app's lists (Babel's) agree on what a country is."""
    assert company_country.COUNTRY_CODES == {code for code, _name in countries.countries("en")}


def test_a_country_is_its_code_in_any_case_and_the_uk_is_gb():
    assert company_country.known_code("gb") == "GB" and company_country.known_code(" UK ") == "GB"
    assert company_country.known_code("US") == "US" and company_country.known_code("AQ") == "AQ"
    for nothing in (None, "", "EU", "ZZ", "France", "XX"):
        assert company_country.known_code(nothing) is None


@pytest.mark.parametrize("country, expected", [
    ("GB", ("Europe/London", "GBP", "en")), ("US", ("America/New_York", "USD", "en")),
    ("IE", ("Europe/Dublin", "EUR", "en")), ("FR", ("Europe/Paris", "EUR", "fr")),
    ("BE", ("Europe/Brussels", "EUR", "fr")), ("CH", ("Europe/Zurich", "CHF", "fr")),
    ("RE", ("Indian/Reunion", "EUR", "fr")), ("CA", ("America/Toronto", "CAD", "en")),
    ("gb", ("Europe/London", "GBP", "en")),
    (None, ("Europe/Paris", "EUR", "fr")),  # no country said: today's defaults
    ("KR", ("UTC", "EUR", "en")),  # a country not listed
])
def test_a_company_starts_with_its_countrys_time_zone_currency_and_language(country, expected):
    assert tuple(company_country.defaults(country)) == expected


def test_every_listed_country_has_a_real_zone_its_legal_currency_and_a_language_of_paraph():
    """Checked against the data the services and the forms use: the zone database (identity's time_zone setting),
    Babel's currency of each territory today, and the zones the system's zone.tab gives each country."""
    from babel.numbers import get_territory_currencies
    zone_tab = Path("/usr/share/zoneinfo/zone.tab")
    zones_of: dict[str, set] = {}
    if zone_tab.exists():
        for line in zone_tab.read_text().splitlines():
            if line and not line.startswith("#"):
                code, _coordinates, zone, *_ = line.split("\t")
                zones_of.setdefault(code, set()).add(zone)
    for code, (zone, currency, locale) in company_country._DEFAULTS.items():
        assert code in company_country.COUNTRY_CODES and time_zones.known(zone), code
        assert currency == get_territory_currencies(code, date.today())[0], code
        assert locale in ("fr", "en")
        if zones_of:
            assert zone in zones_of[code], (code, zone)


@pytest.mark.parametrize("countries_given, siren", [
    ((), True), ((None, ""), True), (("FR",), True), (("RE",), True), (("France",), True),
    (("GB",), False), ((None, "GB"), False), (("", "US"), False), (("NC",), False),
    (("FR", "GB"), True),  # the first that names a country: the company's address before the license's
    (("Royaume-Uni",), False), (("UK",), False),
])
def test_a_company_has_a_siren_and_a_siret_in_france_and_its_sirene_territories(countries_given, siren):
    assert company_country.registers_siren(*countries_given) is siren


@pytest.mark.parametrize("country, eu_vat", [
    (None, True), ("FR", True), ("DE", True), ("IE", True), ("RE", True), ("GB", False), ("CH", False),
    ("US", False), ("NC", False),
])
def test_an_eu_companys_vat_number_is_an_intra_community_one(country, eu_vat):
    assert company_country.eu_vat(country) is eu_vat


@pytest.mark.parametrize("country, rate", [
    ("FR", "20"), (None, "20"), ("", "20"),  # a license that has not said its country: France's, as its defaults
    ("be", "21"), ("UK", "20"), ("DE", "19"), ("CH", "8.1"), ("RE", "8.5"),
    ("US", ""), ("CA", ""), ("JP", ""),  # no one national rate, or none listed: a line starts empty (0 %)
])
def test_a_new_quote_line_starts_at_the_standard_vat_rate_of_the_companys_country(country, rate):
    assert company_country.standard_vat_rate(country) == rate


def test_every_standard_vat_rate_is_a_country_and_a_percentage():
    for code, rate in company_country.STANDARD_VAT_RATES.items():
        assert company_country.known_code(code) == code
        assert 0 < float(rate) < 30
