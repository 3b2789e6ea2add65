"""The phone numbers an SMS can go to: what notify sends to (E.164) and what a service storing such a number
accepts (``Phone``) follow one rule, a national number read in the country of the address it belongs to."""
import pytest
from marshmallow import Schema, ValidationError

from paraph_platform.phones import (PHONE_ERROR, Phone, e164, phone_error, read_in, reading_country, written,
                                    sms_number)


class Mine(Schema):
    phone = Phone(allow_none=True)


@pytest.mark.parametrize("typed, country, written", [
    # France (the default): the national "0" dropped, +33 added, whatever the separators
    ("06 12 34 56 78", "FR", "+33612345678"), ("06.12.34.56.78", None, "+33612345678"),
    ("06\u00a012\u00a034\u00a056\u00a078", "FR", "+33612345678"), ("01-23-45-67-89", "FR", "+33123456789"),
    # the United Kingdom: the walkthrough's contact, and a London landline
    ("07700 900456", "GB", "+447700900456"), ("020 7946 0958", "GB", "+442079460958"),
    # Belgium: a mobile and a Brussels landline
    ("0470 12 34 56", "BE", "+32470123456"), ("02 555 12 34", "BE", "+3225551234"),
    # already with its country code: that country's, whatever the address says
    ("+33 6 12 34 56 78", "GB", "+33612345678"), ("+447700900456", "FR", "+447700900456"),
    ("0033 6.12.34.56.78", "BE", "+33612345678"), ("+44 (0)7700 900456", None, "+447700900456"),
    ("+32 470 12 34 56", "FR", "+32470123456"), ("+1 (514) 555-0100", "FR", "+15145550100"),
])
def test_a_number_is_written_in_e164_read_in_its_country(typed, country, written):
    assert e164(typed, country) == written


@pytest.mark.parametrize("typed, country", [
    ("07700 900456", "FR"),   # a UK mobile read in France: one digit too many
    ("06 12", "FR"), ("1234", "GB"), ("+33 6 12", None), ("+33 6 12 34 56 78 90 12", None),
    ("appelez-moi", "FR"), ("call me", "GB"), ("06 12 34 56 78 ext. 12", "FR"), ("", "FR"), (None, "FR"),
    ("\u0660\u0666\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668", "FR"),  # another script's digits
    ("+999 1234567", None), ("0" * 41, "FR"),
])
def test_junk_and_numbers_of_no_plan_have_no_e164(typed, country):
    assert e164(typed, country) is None


def test_the_country_a_national_number_is_read_in():
    # a stored address country: an ISO code (the forms') or, in older records, a name in French or English
    assert reading_country("GB") == reading_country("gb") == reading_country("Royaume-Uni") == "GB"
    assert reading_country("United Kingdom") == reading_country("UK") == "GB"
    assert reading_country("Belgique") == "BE"
    # the first that names a country: the customer's, else the company's, else France
    assert reading_country("", "BE") == reading_country(None, "Belgium") == "BE"
    assert reading_country("Syldavie", "GB") == "GB"
    assert reading_country(None, "") == reading_country() == reading_country("Syldavie") == "FR"
    assert e164("07700 900456", "Royaume-Uni") == "+447700900456"


@pytest.mark.parametrize("typed", ["06 12 34 56 78", "+33 6 12 34 56 78", "0033 6.12.34.56.78", "+1 (514) 555-0100",
                                   "06\u00a012\u00a034\u00a056\u00a078", "+44 7700 900456"])
def test_a_number_notify_can_send_to_is_kept_as_typed(typed):
    assert e164(typed) is not None
    assert Mine().load({"phone": f"  {typed} "}) == {"phone": typed}


@pytest.mark.parametrize("typed", ["appelez-moi", "1234", "06/12", "+33 6 12 34 56 78 90 12 34 56",
                                   "\u0660\u0661\u0662\u0663\u0664\u0665\u0666", "0" * 41, "07700 900456"])
def test_a_number_notify_would_refuse_is_refused(typed):
    with pytest.raises(ValidationError) as refused:
        Mine().load({"phone": typed})
    assert refused.value.messages == {"phone": [PHONE_ERROR]}
    assert PHONE_ERROR == "Not a valid phone number in FR: e.g. 06 12 34 56 78 or +33 6 12 34 56 78."


def test_a_number_is_checked_in_the_country_it_will_be_read_in():
    with read_in("GB"):
        assert Mine().load({"phone": "07700 900456"}) == {"phone": "07700 900456"}  # kept as typed
        with pytest.raises(ValidationError) as refused:
            Mine().load({"phone": "07700 9"})
    assert refused.value.messages == {"phone": ["Not a valid phone number in GB: e.g. 07400 123456 or "
                                                "+44 7400 123456."]}
    assert phone_error("Belgique") == "Not a valid phone number in BE: e.g. 0450 00 12 34 or +32 450 00 12 34."
    with read_in(None):  # no country known: France
        assert Mine().load({"phone": "06 12 34 56 78"}) == {"phone": "06 12 34 56 78"}


def test_the_reading_country_is_asked_for_once_and_only_for_a_national_number():
    asked = []

    def company_country():
        asked.append(1)
        return "BE"

    with read_in(company_country):
        assert Mine().load({"phone": "+44 7700 900456"}) == {"phone": "+44 7700 900456"}
        assert Mine().load({"phone": None}) == {"phone": None}
        assert asked == []
        assert Mine().load({"phone": "0470 12 34 56"}) == {"phone": "0470 12 34 56"}
        assert Mine().load({"phone": "0471 12 34 56"}) == {"phone": "0471 12 34 56"}
    assert asked == [1]


def test_empty_or_null_means_no_number():
    assert Mine().load({"phone": ""}) == Mine().load({"phone": "  "}) == Mine().load({"phone": None}) == {"phone": None}
    assert Mine().load({}) == {}


def test_a_contacts_sms_number_is_the_first_of_their_numbers_notify_can_send_to():
    assert sms_number(" 06 12 34 56 78 ", "01 23 45 67 89") == "+33612345678"
    assert sms_number("06 12", "01 23 45 67 89") == "+33123456789"  # typed on a customer file before the rule
    assert sms_number(None, "") is None and sms_number("standard", None) is None
    assert sms_number("07700 900456", None, country="GB") == "+447700900456"
    assert sms_number("07700 900456", None) is None  # read in France


def test_a_number_is_written_in_the_country_of_its_block():
    """``written``: what a service stores for an SMS (signing's participants), read as the payload's ``Phone`` was."""
    assert written("07700 900456") is None and written(None) is None
    with read_in(lambda: "GB"):
        assert written("07700 900456") == "+447700900456"
        assert written("+33 6 12 34 56 78") == "+33612345678"
    assert written("0033 6 12 34 56 78") == "+33612345678"
