"""A bulk send's CSV rows are checked before any request is made: a row notify could not text a one-time code to
is reported as that row's problem, with the rule notify sends SMS by."""
from signing_service.bulk_sends import row_problem


def test_a_rows_phone_is_one_an_sms_can_go_to():
    row = {"name": "Léa Martin", "email": "lea@client.test"}
    assert row_problem({**row, "phone": "+33 6 12 34 56 78"}, needs_customer=False) is None
    assert row_problem({**row, "phone": ""}, needs_customer=False) is None  # none: codes go by email
    for unreadable in ("06 12", "standard", "------"):
        assert row_problem({**row, "phone": unreadable}, needs_customer=False)[0] == "bad_phone"
