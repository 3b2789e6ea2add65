"""A whole number with a fraction is refused, not cut (paraph_platform.numbers.Integer)."""
import pytest
from marshmallow import Schema, ValidationError

from paraph_platform.numbers import Integer


class Reminders(Schema):
    reminder_max = Integer(allow_none=True)


def test_a_fraction_is_refused_where_a_whole_number_is_asked():
    """marshmallow took 0.9 for 0: PATCH /signing/settings {"reminder_max": 0.9} turned reminders off without a
    word. A number with a fraction is "Not a valid integer." as the text "0.9" was; 3.0, "3" and 3 are 3."""
    for fraction in (0.9, 45.9, -0.5):
        with pytest.raises(ValidationError) as refused:
            Reminders().load({"reminder_max": fraction})
        assert refused.value.messages == {"reminder_max": ["Not a valid integer."]}
    assert [Reminders().load({"reminder_max": v})["reminder_max"] for v in (3, 3.0, "3", None)] == [3, 3, 3, None]
