"""Whole numbers as the services load them.

marshmallow's ``fields.Integer`` takes 45.9 for 45: a reminder count of 0.9 became 0 and silently turned
reminders off. Every service's schemas take their integers from here: a number with a fraction is refused
("Not a valid integer."), as the text "45.9" already was; 45.0 and "45" stay 45."""
from __future__ import annotations

from marshmallow import fields


class Integer(fields.Integer):
    def _validated(self, value):
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid")
        return super()._validated(value)
