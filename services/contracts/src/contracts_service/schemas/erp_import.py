"""Schemas of the ERP import: its customers (with their contacts) and its sales history (orders and
invoices), built on the customers' and contracts' schemas."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from paraph_platform.dates import Date

from ..logic import TRANSITIONS
from . import CURRENCY, StrictSchema
from .contracts import LineInSchema
from .customers import ContactPatchSchema, CustomerPatchSchema


# -- the ERP import (erp_import.py): the rows are checked one by one, so that a bad row is reported with
# its number and does not refuse the others

ERP_IMPORT_ROWS_MAX = 500
ERP_DOCUMENT_KINDS = ("order", "invoice")


class ErpImportSchema(StrictSchema):
    rows = fields.List(fields.Dict(), required=True, validate=validate.Length(max=ERP_IMPORT_ROWS_MAX))


class ErpContactSchema(ContactPatchSchema):
    """A customer's contact in the ERP: matched by email, else by first and last name; the fields given are set."""
    last_name = fields.String(required=True, validate=validate.Length(min=1, max=100))


class ErpCustomerSchema(CustomerPatchSchema):
    """A customer of the ERP keyed by its code: the fields given are set (name is needed for a new customer)."""
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    contacts = fields.List(fields.Nested(ErpContactSchema), load_default=list, validate=validate.Length(max=200))


class ErpLineSchema(LineInSchema):
    class Meta(StrictSchema.Meta):
        exclude = ("optional", "selected")  # an order or invoice holds what the customer took

    serial_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))


class ErpDocumentSchema(StrictSchema):
    """An order or invoice of the ERP's sales history, keyed by its kind and the ERP's number."""
    kind = fields.String(required=True, validate=validate.OneOf(ERP_DOCUMENT_KINDS))
    number = fields.String(required=True, validate=validate.Length(min=1, max=40))
    customer_code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    date = Date(required=True)
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=300))
    currency = fields.String(load_default=None, allow_none=True, validate=CURRENCY)
    status = fields.String(load_default=None, allow_none=True)
    lines = fields.List(fields.Nested(ErpLineSchema), load_default=list, validate=validate.Length(max=1000))

    @validates_schema
    def known_status(self, data, **kwargs):
        statuses = TRANSITIONS.get(data.get("kind"), {})
        if data.get("status") is not None and statuses and data["status"] not in statuses:
            raise ValidationError(f"one of: {', '.join(statuses)}", "status")
