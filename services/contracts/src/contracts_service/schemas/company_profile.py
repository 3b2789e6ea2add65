"""Schemas of the company profile: the issuer the PDFs name."""
from __future__ import annotations

from urllib.parse import urlsplit

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from paraph_platform.phones import Phone

from ..logic import company_id_errors, digits_only
from . import COUNTRY_DESCRIPTION, StrictSchema


# -- the company profile (the issuer the PDFs name) -------------------------------------------------------

class CompanyAddressSchema(StrictSchema):
    line1 = fields.String(load_default="", validate=validate.Length(max=200))
    line2 = fields.String(load_default="", validate=validate.Length(max=200))
    postal_code = fields.String(load_default="", validate=validate.Length(max=20))
    city = fields.String(load_default="", validate=validate.Length(max=120))
    country = fields.String(load_default="", validate=validate.Length(max=120),
                            metadata={"description": COUNTRY_DESCRIPTION})


def _identifier(max_length: int):
    """A legal identifier as typed: spaces, dots and dashes are dropped (logic.digits_only) before it is checked."""
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=max_length))



def _port_in_range(url: str) -> None:
    """marshmallow's URL validator takes any digits as a port ("https://example.com:99999")."""
    try:
        urlsplit(url).port
    except ValueError:
        raise ValidationError("Not a valid URL.") from None

class CompanyProfileSchema(StrictSchema):
    """The whole company profile (PUT): what is not given is cleared. SIREN, SIRET and a French VAT number
    are checked (format, check digit, the same company); a wrong one is a 422 naming its field."""
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    address = fields.Nested(CompanyAddressSchema, load_default=dict)
    siren = _identifier(20)
    siret = _identifier(30)
    vat_number = _identifier(30)
    legal_form = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60),
                               metadata={"description": "SAS, SARL, SA, EURL..."})
    share_capital = fields.Decimal(load_default=None, allow_none=True, places=2, as_string=True, allow_nan=False,
                                   validate=validate.Range(min=0, max=10**13))
    rcs_city = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120),
                             metadata={"description": "the city of the trade register (RCS Lyon)"})
    phone = Phone(load_default=None, allow_none=True)
    email = fields.Email(load_default=None, allow_none=True)
    website = fields.String(load_default=None, allow_none=True,
                            validate=[validate.Length(max=300),
                                      validate.URL(schemes={"http", "https"}, require_tld=True), _port_in_range])

    @validates_schema(skip_on_field_errors=False)  # said with a wrong email or website, not at the next save
    def _identifiers_valid(self, data, **kwargs):
        """Each identifier's format and check digit, and that they name one company (cross-field)."""
        errors = company_id_errors(*(digits_only(data.get(key)) for key in ("siren", "siret", "vat_number")))
        if errors:
            raise ValidationError({field: [message] for field, message in errors.items()})

    @post_load
    def _identifiers_cleaned(self, data, **kwargs):
        for key in ("siren", "siret", "vat_number"):
            data[key] = digits_only(data.get(key))
        return data
