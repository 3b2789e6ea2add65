"""French writes the first day of a month "1er": the one rule the services' and the web app's dates share."""
import pytest

from paraph_platform.dates import first_of_month


@pytest.mark.parametrize("written, read", [
    ("1 mars 2027", "1er mars 2027"),                                      # Babel's long date
    ("1 déc. 2026", "1er déc. 2026"),                                      # its medium one
    ("mardi 1 décembre 2026", "mardi 1er décembre 2026"),                  # its full one
    ("1 décembre 2026 à 21:24:38 (UTC+1)", "1er décembre 2026 à 21:24:38 (UTC+1)"),  # a proof's time
    ("1 janvier 2031, 10:00:00", "1er janvier 2031, 10:00:00"),            # only the day, not the year's 1
    ("11 mars 2027", "11 mars 2027"),
    ("21 mars 2027", "21 mars 2027"),
    ("31 décembre 2031", "31 décembre 2031"),
    ("1er mars 2027", "1er mars 2027"),                                    # never twice
    ("", ""),
])
def test_the_first_of_a_month_is_an_ordinal_in_french(written, read):
    assert first_of_month(written, "fr") == read


@pytest.mark.parametrize("locale", ["fr", "fr_FR", "fr-CA", "FR"])
def test_every_french_locale_writes_it(locale):
    assert first_of_month("1 mars 2027", locale) == "1er mars 2027"


@pytest.mark.parametrize("locale", ["en", "en_GB", "de", "", None])
def test_other_languages_are_left_as_written(locale):
    assert first_of_month("1 March 2027", locale) == "1 March 2027"
    assert first_of_month("March 1, 2027", locale) == "March 1, 2027"
