"""Marshmallow schemas for contracts' RPC payloads.

This package's own module holds what the aggregates' schemas share (the LOCALES, CURRENCY and ID
validators, StrictSchema: an input refusing unknown fields, AddressSchema, the perimeters of a customer or
contract type, an uploaded image asset) and the small schemas of contract_statuses (a status change, sending,
the abandon run). The other aggregates' schemas are in a module of the same name as the aggregate's:
customers.py (and the portal clients' self-service), contract_types.py, contracts.py, deals.py,
attachments.py, milestones.py, tasks.py, equipment.py, erp_import.py (built on customers.py's and
contracts.py's), settings.py (custom columns and flags), portal.py and company_profile.py. They import from
this module, never the reverse, so import the one you need (``from .schemas.deals import DealInSchema``).
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from paraph_platform.dates import AwareDateTime

LOCALES = validate.OneOf(["fr", "en"])
CURRENCY = validate.Regexp(r"^[A-Z]{3}$", error="Use a 3-letter ISO currency code.")
ID = validate.Length(min=1, max=64)


class StrictSchema(Schema):
    class Meta:
        unknown = "raise"


def updated_since(rows: str, changes: str) -> AwareDateTime:
    """A list's ``updated_since`` (customers, contracts, deals): the rows whose ``updated_at`` is at or after the
    given ISO 8601 date-time with its offset (a time without one, or out of range, is a 422 naming the field),
    as an integration's sync asks, paging through them by cursor. ``changes``: what changes a row's time."""
    return AwareDateTime(load_default=None, allow_none=True, metadata={
        "description": f"only the {rows} created or {changes} at or after this time: an integration's sync asks "
                      f"from its last run's start, and pages by cursor"})


# any text is taken and answered as it was sent, as before the forms had a list of countries (integrations and the ERP
# import send names): the staff app and the client portal store the code, and name it in each reader's language
# (paraph_platform.countries says why)
COUNTRY_DESCRIPTION = ("an ISO 3166-1 alpha-2 code (FR), as the web app and the client portal store it; a country's "
                       "name is also accepted and kept as sent")


class AddressSchema(StrictSchema):
    """The lines of a postal address."""
    line1 = fields.String(validate=validate.Length(max=200))
    line2 = fields.String(validate=validate.Length(max=200))
    postal_code = fields.String(validate=validate.Length(max=20))
    city = fields.String(validate=validate.Length(max=120))
    region = fields.String(validate=validate.Length(max=120))
    country = fields.String(validate=validate.Length(max=120), metadata={"description": COUNTRY_DESCRIPTION})


class AddressPatchSchema(AddressSchema):
    """The lines of a postal address to change, as a JSON merge patch (RFC 7396): a line given replaces the
    stored one, a line given null is removed, a line not given stays."""

    def on_bind_field(self, field_name, field_obj):
        field_obj.allow_none = True  # null: remove the line


class PerimetersSchema(StrictSchema):
    perimeter_ids = fields.List(fields.String(validate=ID), required=True, validate=validate.Length(max=1000))


class AssetInSchema(StrictSchema):
    filename = fields.String(required=True, validate=validate.Length(min=1, max=255))
    content_type = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    content_base64 = fields.String(required=True)


# -- contract_statuses.py: a status change, sending, the automatic abandon's run -------------------------

class StatusSchema(StrictSchema):
    status = fields.String(required=True, validate=validate.Length(min=1, max=16))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class SendSchema(StrictSchema):
    contact_id = fields.String(load_default=None, allow_none=True, validate=ID)
    reminder = fields.Boolean(load_default=False)


class AbandonRunSchema(StrictSchema):
    now = AwareDateTime(load_default=None, allow_none=True,
                               metadata={"description": "run as of this time (tests/ops)"})
