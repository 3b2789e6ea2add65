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


def test_a_date_time_whose_utc_leaves_the_calendar_is_refused_not_a_server_error():
    """'0001-01-01T00:00:00+01:00' is valid ISO 8601, but its UTC is before year 1: converting it raised an
    OverflowError in the service (a 500). The platform's AwareDateTime refuses it, and dates before 1900, with
    a message naming the range."""
    import pytest
    from marshmallow import Schema, ValidationError
    from paraph_platform.dates import AwareDateTime

    class Since(Schema):
        since = AwareDateTime(default_timezone=None)

    for extreme in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00Z",
                    "1899-12-31T23:00:00Z"):
        with pytest.raises(ValidationError) as refused:
            Since().load({"since": extreme})
        assert "between the years 1900 and 9999" in str(refused.value.messages["since"])
    assert Since().load({"since": "2026-12-07T10:00:00+01:00"})["since"].isoformat() == "2026-12-07T10:00:00+01:00"


def test_a_date_people_cannot_mean_is_refused():
    """A quote valid until "0001-01-01", a task due in year 1: stored and shown as such. Refused now."""
    import pytest
    from marshmallow import Schema, ValidationError
    from paraph_platform.dates import Date

    class Due(Schema):
        due_date = Date(allow_none=True)

    with pytest.raises(ValidationError) as refused:
        Due().load({"due_date": "0001-01-01"})
    assert refused.value.messages == {"due_date": ["Give a date between the years 1900 and 9999."]}
    assert str(Due().load({"due_date": "2027-02-28"})["due_date"]) == "2027-02-28"


def test_a_long_date_is_written_day_first_in_english_too():
    """The emails, the proof of signature, the portal and the PDFs write English dates as the UK does, the day
    before the month, as the staff pages' en_GB formats: "December 7, 2026" is read the other way round outside
    the United States."""
    from datetime import date
    from paraph_platform.dates import long_date
    assert long_date(date(2026, 12, 7), "en") == "7 December 2026"
    assert long_date(date(2027, 3, 1), "en") == "1 March 2027"
    assert long_date(date(2027, 3, 1), "fr") == "1er mars 2027"
    assert long_date(date(2026, 8, 21), "en_GB") == "21 August 2026" and long_date(date(2026, 8, 21), "fr-CA") == \
        "21 août 2026"


def test_a_long_date_is_babels_british_long_date():
    """One rule whoever writes it: Babel's en_GB and fr_FR long dates (the staff app, the PDFs before) agree with it
    on every day of a year."""
    from datetime import date, timedelta
    from babel.dates import format_date
    from paraph_platform.dates import long_date
    day = date(2028, 1, 1)  # a leap year
    while day.year == 2028:
        assert long_date(day, "en") == format_date(day, "long", locale="en_GB")
        assert long_date(day, "fr") == first_of_month(format_date(day, "long", locale="fr_FR"), "fr")
        day += timedelta(days=1)


def test_a_date_and_time_is_on_the_24_hour_clock_in_both_languages():
    from datetime import datetime
    from paraph_platform.dates import date_and_time
    evening = datetime(2026, 12, 1, 21, 24, 38)
    assert date_and_time(evening, "en") == "1 December 2026 at 21:24"  # not "December 1, 2026 at 9:24 PM"
    assert date_and_time(evening, "fr", seconds=True) == "1er décembre 2026 à 21:24:38"
    assert date_and_time(datetime(2026, 12, 1, 7, 5), "en") == "1 December 2026 at 07:05"


def test_a_staff_page_writes_dates_as_its_company_writes_its_language():
    """The staff pages' formats (paraph_platform.dates.formats_locale): English day first, as the emails and PDFs
    write it, in every company but one of the United States (or its territories); French as France writes it; the
    same for a license that has not said its country (None) or whose setting is no country's code."""
    from datetime import date

    from babel.dates import format_date
    from paraph_platform.dates import formats_locale
    for country in ("GB", "FR", "IE", "DE", "CA", "gb", None, "", "France", "ZZ"):
        assert formats_locale("en", country) == "en_GB", country
        assert formats_locale("fr", country) == "fr", country
    for country in ("US", "us", "PR", "VI"):
        assert formats_locale("en", country) == "en_US" and formats_locale("fr", country) == "fr", country
    day = date(2026, 12, 7)
    assert format_date(day, "medium", locale=formats_locale("en", "FR")) == "7 Dec 2026"
    assert format_date(day, "medium", locale=formats_locale("en", "US")) == "Dec 7, 2026"
    # the same rule for the pages' scripts (Intl.DateTimeFormat tags)
    from paraph_platform.dates import browser_locale
    assert [browser_locale(*asked) for asked in (("fr", "US"), ("en", "GB"), ("en", None), ("en", "US"))] == [
        "fr-FR", "en-GB", "en-GB", "en-US"]


def test_a_us_company_reads_its_english_dates_month_first():
    """A company of the United States (or its territories) reads its English emails, proofs, PDFs and customer
    pages month first on the 12-hour clock, as its staff pages (formats_locale); a British company, or one whose
    country is unknown, day first; French is France's whatever the country."""
    from datetime import date, datetime
    from paraph_platform.dates import date_and_time, long_date
    assert long_date(date(2026, 12, 7), "en", "US") == "December 7, 2026"
    assert long_date(date(2027, 3, 1), "en", "pr") == "March 1, 2027"
    assert long_date(date(2026, 12, 7), "en", "GB") == long_date(date(2026, 12, 7), "en", None) == "7 December 2026"
    assert long_date(date(2027, 3, 1), "fr", "US") == "1er mars 2027"
    afternoon, night = datetime(2026, 12, 7, 15, 8, 38), datetime(2026, 12, 1, 0, 5, 9)
    assert date_and_time(afternoon, "en", country="US") == "December 7, 2026 at 3:08 PM"
    assert date_and_time(afternoon, "en", seconds=True, country="US") == "December 7, 2026 at 3:08:38 PM"
    assert date_and_time(night, "en", country="US") == "December 1, 2026 at 12:05 AM"
    assert date_and_time(datetime(2026, 12, 1, 12, 0), "en", country="US") == "December 1, 2026 at 12:00 PM"
    assert date_and_time(afternoon, "en", country="GB") == "7 December 2026 at 15:08"
    assert date_and_time(afternoon, "fr", country="US") == "7 décembre 2026 à 15:08"


def test_a_us_long_date_is_babels_american_long_date():
    from datetime import date, timedelta
    from babel.dates import format_date
    from paraph_platform.dates import long_date
    day = date(2028, 1, 1)
    while day.year == 2028:
        assert long_date(day, "en", "US") == format_date(day, "long", locale="en_US")
        day += timedelta(days=1)
