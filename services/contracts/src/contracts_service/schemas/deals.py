"""Schemas of the deals aggregate: a deal, its stages, the deal list."""
from __future__ import annotations

from marshmallow import fields, validate

from paraph_platform.dates import Date
from paraph_platform.numbers import Integer
from paraph_platform.pagination import PageParams

from . import CURRENCY, ID, StrictSchema, updated_since


# a deal's stages, in the order a deal moves through them (won and lost close it)
DEAL_STAGES = ("prospecting", "qualification", "proposal", "negotiation", "won", "lost")
DEAL_SORT_KEYS = ("title", "customer_name", "stage", "amount", "owner_name", "expected_close_date", "created_at",
                  "updated_at")
# below 1e12 once rounded to the cent: what the amount column (numeric(14, 2)) holds
AMOUNT = validate.Range(min=0, max=10**12, max_inclusive=False)


class DealInSchema(StrictSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    customer_id = fields.String(required=True, validate=ID)
    stage = fields.String(load_default="prospecting", validate=validate.OneOf(DEAL_STAGES))
    amount = fields.Decimal(load_default=None, allow_none=True, places=2, as_string=True, allow_nan=False,
                            validate=AMOUNT, metadata={"description": "expected amount excl. tax, 0 to under 1e12"})
    currency = fields.String(load_default=None, allow_none=True, validate=CURRENCY)
    owner_id = fields.String(load_default=None, allow_none=True, validate=ID,
                             metadata={"description": "default: you"})
    expected_close_date = Date(load_default=None, allow_none=True)
    notes = fields.String(load_default="", validate=validate.Length(max=20000))


class DealPatchSchema(StrictSchema):
    title = fields.String(validate=validate.Length(min=1, max=300))
    stage = fields.String(validate=validate.OneOf(DEAL_STAGES))
    amount = fields.Decimal(allow_none=True, places=2, as_string=True, allow_nan=False, validate=AMOUNT)
    currency = fields.String(validate=CURRENCY)
    owner_id = fields.String(validate=ID)
    expected_close_date = Date(allow_none=True)
    notes = fields.String(validate=validate.Length(max=20000))
    expected_version = Integer(validate=validate.Range(min=1),
                                      metadata={"description": "optimistic concurrency: refuse if changed since"})


class DealListSchema(StrictSchema, PageParams):
    q = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200),
                      metadata={"description": "in the title or the customer's name"})
    stage = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(DEAL_STAGES))
    owner_id = fields.String(load_default=None, allow_none=True, validate=ID)
    customer_id = fields.String(load_default=None, allow_none=True, validate=ID)
    updated_since = updated_since("deals", "whose own fields changed (their documents keep their own updated_at)")
    sort = fields.String(load_default="-updated_at", validate=validate.OneOf(
        [f"{sign}{key}" for key in DEAL_SORT_KEYS for sign in ("", "-")]),
        metadata={"description": "a column, '-' first for descending; default: latest changed first"})
