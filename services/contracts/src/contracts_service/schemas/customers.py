"""Schemas of the customers aggregate: customers and their contacts, the customer list, and what a portal
client may change of their own contact and company.

Phone numbers (the customer's, a contact's phone, mobile and fax) are checked by the one rule of
:mod:`paraph_platform.phones` whoever types them (staff, the ERP import, a client on the portal): signing
texts its one-time code to a contact's mobile, else their phone. Kept as typed; empty means none. A PATCH
that does not send a number leaves the stored one as it is, even one typed before the rule."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from paraph_platform.company_country import registers_siren
from paraph_platform.pagination import PageParams
from paraph_platform.phones import Phone, reading_country_now

from ..logic import customer_number_error, digits_only
from . import CURRENCY, LOCALES, AddressPatchSchema, AddressSchema, StrictSchema, updated_since


class CompanyNumber(fields.String):
    """A customer's company number, as its quotes show it: kept without its spaces, dots and dashes ("732 829 320"
    is 732829320); for a French customer (its address's country, else the company's: the country the payload's
    numbers are read in, paraph_platform.phones.read_in) its SIREN or a SIRET, check digit included, else up to 20
    letters and digits (logic.customer_number_error). Empty (or null) is none."""

    def __init__(self, **kwargs):
        kwargs["metadata"] = {"description": "the customer's company number: in France its SIREN (9 digits) or SIRET "
                                             "(14), spaces allowed; elsewhere up to 20 letters and digits",
                              "maxLength": 40}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        typed = super()._deserialize(value, attr, data, **kwargs)
        number = digits_only(typed)
        if number is None:
            return None
        error = "Longer than maximum length 40." if len(typed) > 40 else \
            customer_number_error(number, registers_siren(reading_country_now()))
        if error:
            raise ValidationError(error)
        return number


class ContactInSchema(StrictSchema):
    first_name = fields.String(load_default="", validate=validate.Length(max=100))
    last_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    department = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    type = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))
    email = fields.Email(load_default=None, allow_none=True)
    phone = Phone(load_default=None, allow_none=True)
    mobile = Phone(load_default=None, allow_none=True)
    fax = Phone(load_default=None, allow_none=True)
    branch = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class ContactPatchSchema(StrictSchema):
    first_name = fields.String(validate=validate.Length(max=100))
    last_name = fields.String(validate=validate.Length(min=1, max=100))
    title = fields.String(allow_none=True, validate=validate.Length(max=100))
    department = fields.String(allow_none=True, validate=validate.Length(max=100))
    type = fields.String(allow_none=True, validate=validate.Length(max=60))
    email = fields.Email(allow_none=True)
    phone = Phone(allow_none=True)
    mobile = Phone(allow_none=True)
    fax = Phone(allow_none=True)
    branch = fields.String(allow_none=True, validate=validate.Length(max=200))


class CustomerInSchema(StrictSchema):
    kind = fields.String(load_default="company", validate=validate.OneOf(["company", "person"]))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    code = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))
    email = fields.Email(load_default=None, allow_none=True)
    phone = Phone(load_default=None, allow_none=True)
    address = fields.Nested(AddressSchema, load_default=dict)
    vat_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    registration_number = CompanyNumber(load_default=None, allow_none=True)
    locale = fields.String(load_default=None, allow_none=True, validate=LOCALES)
    currency = fields.String(load_default=None, allow_none=True, validate=CURRENCY)
    notes = fields.String(load_default="", validate=validate.Length(max=10000))
    contacts = fields.List(fields.Nested(ContactInSchema), load_default=list, validate=validate.Length(max=200))


class CustomerPatchSchema(StrictSchema):
    kind = fields.String(validate=validate.OneOf(["company", "person"]))
    name = fields.String(validate=validate.Length(min=1, max=200))
    code = fields.String(validate=validate.Length(min=1, max=64))
    email = fields.Email(allow_none=True)
    phone = Phone(allow_none=True)
    address = fields.Nested(AddressPatchSchema, metadata={
        "description": "merged into the stored address (JSON merge patch, RFC 7396): the lines given replace "
                       "those lines, a line given null is removed, the lines not given stay "
                       '(`{"city": "Lyon"}` changes the city only)'})
    vat_number = fields.String(allow_none=True, validate=validate.Length(max=40))
    registration_number = CompanyNumber(allow_none=True)
    locale = fields.String(allow_none=True, validate=LOCALES)
    currency = fields.String(allow_none=True, validate=CURRENCY)
    notes = fields.String(validate=validate.Length(max=10000))


CUSTOMER_SORTS = ("name", "-name", "code", "-code", "created_at", "-created_at")


class CustomerListSchema(StrictSchema, PageParams):
    q = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(["company", "person"]))
    perimeter_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64),
                                 metadata={"description": "only the customers of this perimeter"})
    without_perimeter = fields.Boolean(load_default=False, metadata={
        "description": "only the customers in no perimeter (visible to every user): those created before the "
                       "license used perimeters, left to put in one; not with perimeter_id"})
    code = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64),
                         metadata={"description": "only the customer of this code, exactly (an ERP's key; `q` "
                                                  "searches names and codes)"})
    updated_since = updated_since("customers", "whose own fields changed (contacts keep their own updated_at)")
    sort = fields.String(load_default="name", validate=validate.OneOf(CUSTOMER_SORTS),
                         metadata={"description": "default name; -key sorts descending"})

    @validates_schema
    def _one_perimeter_filter(self, data, **kwargs):
        if data.get("perimeter_id") and data.get("without_perimeter"):
            raise ValidationError("perimeter_id and without_perimeter exclude each other.", "without_perimeter")


# -- client self-service (a portal client updates their own contact and their company) -------------------

class ClientContactUpdateSchema(ContactPatchSchema):
    """What a portal client may change of their own contact: what staff may (ContactPatchSchema), not their
    branch nor type."""
    class Meta(StrictSchema.Meta):
        exclude = ("type", "branch")  # staff decide


class ClientCompanyUpdateSchema(StrictSchema):
    """What a portal client may change of their company (the customer file): address, phone, email."""
    email = fields.Email(allow_none=True)
    phone = Phone(allow_none=True)
    address = fields.Nested(AddressSchema, metadata={"description": "the lines given replace those lines"})
