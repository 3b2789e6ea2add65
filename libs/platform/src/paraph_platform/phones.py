"""Phone numbers an SMS can be sent to: one rule for the services that store such a number and for notify,
which sends the SMS.

notify reads a recipient with :func:`normalize_phone` (spaces, dots, dashes, brackets and slashes dropped, a leading
``00`` read as ``+``, then 6 to 16 digits) and refuses what it cannot read. A number a person gives for their
SMS is checked by :class:`Phone` in the payload's schema, with that same rule: a number accepted there is one
notify can send to."""
from __future__ import annotations

import re

from marshmallow import ValidationError, fields

PHONE_MAX_LENGTH = 40  # as typed, in the phone columns (identity's users, contracts' customers and contacts)
PHONE_RULE = "6 to 16 digits, possibly after a +, separated if you like by spaces, dots, dashes, slashes or brackets"
PHONE_ERROR = f"Not a valid phone number ({PHONE_RULE})."


def normalize_phone(value: str | None) -> str | None:
    if not value:
        return None
    cleaned = re.sub(r"[\s.\-()/]", "", str(value))
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    return cleaned if re.fullmatch(r"\+?[0-9]{6,16}", cleaned) else None  # [0-9]: \d takes any script's digits


def sms_number(*numbers: str | None) -> str | None:
    """The first of ``numbers`` an SMS can go to, as typed (a contact's mobile, else their landline: numbers
    stored on customer files before :class:`Phone` checked them may not be readable, and a one-time code sent
    to one notify cannot read is never received)."""
    return next((number.strip() for number in numbers if normalize_phone(number)), None)


class Phone(fields.String):
    """A phone number SMS can go to, kept as typed (without the spaces around it); empty (or null, with
    ``allow_none``) means none: it loads as None."""

    def __init__(self, **kwargs):
        kwargs["metadata"] = {"maxLength": PHONE_MAX_LENGTH, "description": PHONE_RULE,  # documented
                              **(kwargs.get("metadata") or {})}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            return None
        if len(text) > PHONE_MAX_LENGTH or normalize_phone(text) is None:
            raise ValidationError(PHONE_ERROR)
        return text
