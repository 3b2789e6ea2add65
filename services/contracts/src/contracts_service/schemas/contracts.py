"""Schemas of the contracts aggregate: contracts and quotes (their lines and totals), converting a quote,
the contract list."""
from __future__ import annotations

from datetime import timezone

from marshmallow import ValidationError, fields, validate, validates_schema

from paraph_platform.dates import AwareDateTime, Date
from paraph_platform.numbers import Integer
from paraph_platform.pagination import PageParams

from . import CURRENCY, ID, LOCALES, StrictSchema, updated_since


class LineInSchema(StrictSchema):
    product_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    description = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    quantity = fields.Decimal(required=True, places=3, validate=validate.Range(min=0, max=10**9),
                              allow_nan=False, as_string=True)
    unit = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))
    unit_price = fields.Decimal(required=True, places=2, validate=validate.Range(min=-(10**10), max=10**10),
                                allow_nan=False, as_string=True)
    discount_pct = fields.Decimal(load_default="0", places=2, validate=validate.Range(min=0, max=100),
                                  allow_nan=False, as_string=True)
    tax_rate = fields.Decimal(load_default="0", places=2, validate=validate.Range(min=0, max=100), allow_nan=False,
                              as_string=True)
    optional = fields.Boolean(load_default=False)
    selected = fields.Boolean(load_default=False)


class TotalsInSchema(StrictSchema):
    """Lines whose totals are computed without saving anything (the quote editor's live totals)."""
    lines = fields.List(fields.Nested(LineInSchema), load_default=list, validate=validate.Length(max=1000))


class ContractInSchema(StrictSchema):
    kind = fields.String(load_default="contract", validate=validate.OneOf(["contract", "quote"]))
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    customer_id = fields.String(load_default=None, allow_none=True, validate=ID)
    contact_id = fields.String(load_default=None, allow_none=True, validate=ID)
    contract_type_id = fields.String(load_default=None, allow_none=True, validate=ID)
    owner_id = fields.String(load_default=None, allow_none=True, validate=ID)
    currency = fields.String(load_default=None, allow_none=True, validate=CURRENCY)
    locale = fields.String(load_default=None, allow_none=True, validate=LOCALES)
    data = fields.Dict(keys=fields.String(), load_default=dict)
    custom = fields.Dict(keys=fields.String(), load_default=dict)
    flags = fields.List(fields.String(validate=validate.Length(max=60)), load_default=list,
                        validate=validate.Length(max=50))
    notes = fields.String(load_default="", validate=validate.Length(max=20000))
    deal_ref = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    deal_id = fields.String(load_default=None, allow_none=True, validate=ID,
                            metadata={"description": "the deal it belongs to (same customer)"})
    valid_until = Date(load_default=None, allow_none=True)
    lines = fields.List(fields.Nested(LineInSchema), load_default=list, validate=validate.Length(max=1000))

    @validates_schema
    def _who(self, data, **kwargs):
        if not data.get("customer_id") and not data.get("contact_id") and not data.get("deal_id"):
            raise ValidationError("give the customer (account), one of its contacts or a deal", "customer_id")


class ContractPatchSchema(StrictSchema):
    title = fields.String(validate=validate.Length(min=1, max=300))
    contact_id = fields.String(allow_none=True, validate=ID)
    owner_id = fields.String(validate=ID)
    currency = fields.String(validate=CURRENCY)
    locale = fields.String(validate=LOCALES)
    data = fields.Dict(keys=fields.String())
    custom = fields.Dict(keys=fields.String())
    flags = fields.List(fields.String(validate=validate.Length(max=60)), validate=validate.Length(max=50))
    notes = fields.String(validate=validate.Length(max=20000))
    deal_ref = fields.String(allow_none=True, validate=validate.Length(max=120))
    deal_id = fields.String(allow_none=True, validate=ID, metadata={"description": "null: no deal"})
    valid_until = Date(allow_none=True)
    lines = fields.List(fields.Nested(LineInSchema), validate=validate.Length(max=1000))
    expected_version = Integer(validate=validate.Range(min=1),
                                      metadata={"description": "optimistic concurrency: refuse if changed since"})


class ConvertSchema(StrictSchema):
    target = fields.String(required=True, validate=validate.OneOf(["order", "invoice"]))


# the columns a list of contracts can be sorted by (the web app's sortable columns)
LIST_SORT_KEYS = ("number", "title", "customer_name", "status", "owner_name", "total", "view_count",
                  "download_count", "created_at", "sent_at", "last_viewed_at")


class ListSchema(StrictSchema, PageParams):
    kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(["contract", "quote", "order",
                                                                                         "invoice"]))
    status = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100), metadata={
        "description": "a status, or several separated by commas (`accepted,validated`: the quotes accepted or "
                       "validated)"})
    customer_id = fields.String(load_default=None, allow_none=True, validate=ID)
    owner_id = fields.String(load_default=None, allow_none=True, validate=ID)
    contract_type_id = fields.String(load_default=None, allow_none=True, validate=ID)
    deal_id = fields.String(load_default=None, allow_none=True, validate=ID,
                            metadata={"description": "the documents of this deal"})
    custom_column = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60),
                                  metadata={"description": "with `custom_value`: that custom column has that value "
                                                           "(whatever its case)"})
    custom_value = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000), metadata={
        "description": "the value `custom_column` holds: a number column's compared as a number (`1234.5` finds "
                       "`1234.50`; a value that is not a number, such as `1 234,5`, is a 422), the others' as text "
                       "whatever its case: a yes/no (boolean) column's `true` or `false`, a date column's "
                       "`YYYY-MM-DD`, one of a choice column's choices; ignored without `custom_column`"})
    flag = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))
    q = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    sort = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(
        [f"{sign}{key}" for key in LIST_SORT_KEYS for sign in ("", "-")]),
        metadata={"description": "a column, '-' first for descending; default: newest first"})
    viewed_since = AwareDateTime(load_default=None, allow_none=True, default_timezone=timezone.utc,
                                        metadata={"description": "only those the customer viewed online since "
                                                                 "then, most recently viewed first"})
    updated_since = updated_since(
        "documents", "changed (their fields, lines, flags, status, an attachment added or removed, a signature "
        "request opened or ended, a quote converted; not a view or download online: `viewed_since`)")
    converted = fields.Boolean(load_default=None, allow_none=True, metadata={
        "description": "quotes an order or an invoice was made from (`true`), or none yet (`false`: an accepted "
                       "quote still to be turned into its order)"})
    with_total = fields.Boolean(load_default=False, metadata={
        "description": "deprecated alias of count (before cursors it defaulted to true)", "deprecated": True})
