"""Schemas of the equipment aggregate: a customer's equipment base, and recording an order's or invoice's
lines in it."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from paraph_platform.dates import Date
from paraph_platform.pagination import WholeListPageParams

from . import ID, StrictSchema

EQUIPMENT_STATUSES = ["in_service", "retired"]


def check_warranty(data):
    """The warranty may not end before the installation (a patch is checked merged with the stored item)."""
    installed, warranty = data.get("installed_on"), data.get("warranty_until")
    if installed and warranty and warranty < installed:
        raise ValidationError({"warranty_until": ["The warranty cannot end before the installation."]})


class EquipmentInSchema(StrictSchema):
    description = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    product_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    serial_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    quantity = fields.Decimal(load_default="1", places=3, allow_nan=False, as_string=True,
                              validate=validate.Range(min=0, max=10**9, min_inclusive=False))
    installed_on = Date(load_default=None, allow_none=True)
    warranty_until = Date(load_default=None, allow_none=True)
    status = fields.String(load_default="in_service", validate=validate.OneOf(EQUIPMENT_STATUSES))
    notes = fields.String(load_default="", validate=validate.Length(max=5000))

    @validates_schema
    def warranty_after_installation(self, data, **kwargs):
        check_warranty(data)


class EquipmentPatchSchema(StrictSchema):
    description = fields.String(validate=validate.Length(min=1, max=5000))
    product_code = fields.String(allow_none=True, validate=validate.Length(max=64))
    serial_number = fields.String(allow_none=True, validate=validate.Length(max=100))
    quantity = fields.Decimal(places=3, validate=validate.Range(min=0, max=10**9, min_inclusive=False),
                              allow_nan=False, as_string=True)
    installed_on = Date(allow_none=True)
    warranty_until = Date(allow_none=True)
    status = fields.String(validate=validate.OneOf(EQUIPMENT_STATUSES))
    notes = fields.String(validate=validate.Length(max=5000))


class EquipmentQuerySchema(StrictSchema, WholeListPageParams):
    status = fields.String(validate=validate.OneOf(EQUIPMENT_STATUSES))


class EquipmentFromContractSchema(StrictSchema):
    """Record an order's or invoice's lines in its customer's equipment base."""
    line_ids = fields.List(fields.String(validate=ID), load_default=None, allow_none=True,
                           validate=validate.Length(min=1, max=1000))
    installed_on = Date(load_default=None, allow_none=True)
    warranty_until = Date(load_default=None, allow_none=True)

    @validates_schema
    def warranty_after_installation(self, data, **kwargs):
        check_warranty(data)
