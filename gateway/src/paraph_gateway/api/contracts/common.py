"""What the modules of the contracts API share: their blueprint, the roles, field helpers, the perimeter
schema, and the conversions to and from the contracts service's RPC."""
from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema, fields, validate

# one blueprint for the whole package: every endpoint is contracts.<view>, its OpenAPI operationId contracts_<view>
bp = Blueprint("contracts", __name__)

STAFF = ("license_admin", "front_user_manager", "user")
MANAGERS = ("license_admin", "front_user_manager")
ADMIN = ("license_admin",)
ID = validate.Length(min=1, max=64)
DEC = dict(as_string=True, allow_nan=False)


def _dec_range(lo, hi, **kwargs):
    """The service's bounds of a decimal (wrapped: apispec would print a string decimal's bounds as strings,
    which is not valid OpenAPI; the field descriptions say them)."""
    return validate.And(validate.Range(min=lo, max=hi, **kwargs))


class PerimetersIn(Schema):
    perimeter_ids = fields.List(fields.String(validate=ID), required=True, validate=validate.Length(max=1000))


def _json(data: dict) -> dict:
    """Dates and decimals as JSON for the RPC."""
    out = {}
    for key, value in data.items():
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif key == "lines" and isinstance(value, list):
            value = [_json(line) for line in value]
        elif value.__class__.__name__ == "Decimal":
            value = str(value)
        out[key] = value
    return out


