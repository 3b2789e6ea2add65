"""The phone numbers an SMS can go to: what notify sends to and what a service storing such a number accepts
(``Phone``) follow one rule."""
import pytest
from marshmallow import Schema, ValidationError

from paraph_platform.phones import PHONE_ERROR, Phone, normalize_phone, sms_number


class Mine(Schema):
    phone = Phone(allow_none=True)


@pytest.mark.parametrize("typed", ["06 12 34 56 78", "+33 6 12 34 56 78", "0033 6.12.34.56.78", "(514) 555-0100",
                                   "06\u00a012\u00a034\u00a056\u00a078"])
def test_a_number_notify_can_send_to_is_kept_as_typed(typed):
    assert normalize_phone(typed) is not None
    assert Mine().load({"phone": f"  {typed} "}) == {"phone": typed}


@pytest.mark.parametrize("typed", ["appelez-moi", "1234", "06/12", "+33 6 12 34 56 78 90 12 34 56",
                                   "\u0660\u0661\u0662\u0663\u0664\u0665\u0666", "0" * 41])
def test_a_number_notify_would_refuse_is_refused(typed):
    assert normalize_phone(typed) is None or len(typed) > 40
    with pytest.raises(ValidationError) as refused:
        Mine().load({"phone": typed})
    assert refused.value.messages == {"phone": [PHONE_ERROR]}


def test_empty_or_null_means_no_number():
    assert Mine().load({"phone": ""}) == Mine().load({"phone": "  "}) == Mine().load({"phone": None}) == {"phone": None}
    assert Mine().load({}) == {}



def test_a_contacts_sms_number_is_the_first_of_their_numbers_notify_can_send_to():
    assert sms_number(" 06 12 34 56 78 ", "01 23 45 67 89") == "06 12 34 56 78"
    assert sms_number("06 12", "01 23 45 67 89") == "01 23 45 67 89"  # typed on a customer file before the rule
    assert sms_number(None, "") is None and sms_number("standard", None) is None
