"""Schemas of the company profile: the issuer the PDFs name."""
from __future__ import annotations

from urllib.parse import urlsplit

from marshmallow import ValidationError, fields, post_load, pre_load, validate, validates_schema

from paraph_platform.company_country import registers_siren
from paraph_platform.phones import Phone

from ..logic import company_id_errors, digits_only, foreign_company_id_errors
from . import COUNTRY_DESCRIPTION, StrictSchema


# -- the company profile (the issuer the PDFs name) -------------------------------------------------------

class CompanyAddressSchema(StrictSchema):
    line1 = fields.String(load_default="", validate=validate.Length(max=200))
    line2 = fields.String(load_default="", validate=validate.Length(max=200))
    postal_code = fields.String(load_default="", validate=validate.Length(max=20))
    city = fields.String(load_default="", validate=validate.Length(max=120))
    region = fields.String(load_default="", validate=validate.Length(max=120),
                           metadata={"description": "state, province or county, where the country's addresses "
                                                    "name it (US: IL; CA: ON); printed in the country's order"})
    country = fields.String(load_default="", validate=validate.Length(max=120),
                            metadata={"description": COUNTRY_DESCRIPTION})


def _identifier(max_length: int, description: str | None = None):
    """A legal identifier as typed: spaces, dots and dashes are dropped (logic.digits_only) before it is checked."""
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=max_length),
                         metadata={"description": description} if description else {})



def _port_in_range(url: str) -> None:
    """marshmallow's URL validator takes any digits as a port ("https://example.com:99999")."""
    try:
        urlsplit(url).port
    except ValueError:
        raise ValidationError("Not a valid URL.") from None

class CompanyProfileSchema(StrictSchema):
    """The whole company profile (PUT): what is not given is cleared. For a French company (its address's country,
    else the license's: ``countries``; none, France) the SIREN, SIRET and a French VAT number are
    checked (format, check digit, the same company); elsewhere ``siren`` and ``siret`` are the country's company
    and registration numbers (the fields keep France's names). A wrong one is a 422 naming its field."""
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    address = fields.Nested(CompanyAddressSchema, load_default=dict)
    siren = _identifier(20, "SIREN (9 digits); outside France, the company number (up to 9 letters and digits)")
    siret = _identifier(30, "SIRET (14 digits, starting with the SIREN); outside France, the registration number "
                            "(up to 14 letters and digits)")
    vat_number = _identifier(30)
    legal_form = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60),
                               metadata={"description": "SAS, SARL, SA, EURL..."})
    share_capital = fields.Decimal(load_default=None, allow_none=True, places=2, as_string=True, allow_nan=False,
                                   validate=validate.Range(min=0, max=10**13))
    rcs_city = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120),
                             metadata={"description": "the city of the trade register (RCS Lyon); outside "
                                                      "France, where the company is registered (England and "
                                                      "Wales)"})
    phone = Phone(load_default=None, allow_none=True)
    email = fields.Email(load_default=None, allow_none=True)
    website = fields.String(load_default=None, allow_none=True,
                            validate=[validate.Length(max=300),
                                      validate.URL(schemes={"http", "https"}, require_tld=True), _port_in_range],
                            metadata={"description": "an http(s) address; written without its scheme "
                                                     "(www.example.fr), saved as its https:// address"})

    def __init__(self, *args, countries: tuple = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.countries = countries  # the company's: its address's as sent, the license's (stored countries)

    @pre_load
    def _website_with_its_scheme(self, data, **kwargs):
        """A website as people write it, "www.boulangerie-martin.fr", is its https:// address (it was refused as
        "Not a valid URL." with nothing saying what was missing); one with a scheme is checked as it is."""
        website = data.get("website") if isinstance(data, dict) else None
        if isinstance(website, str) and website.strip() and "://" not in website:
            data = {**data, "website": "https://" + website.strip()}
        return data

    @validates_schema(skip_on_field_errors=False)  # said with a wrong email or website, not at the next save
    def _identifiers_valid(self, data, **kwargs):
        """Each identifier's format and check digit, and that they name one company (cross-field)."""
        check = company_id_errors if registers_siren(*self.countries) else foreign_company_id_errors
        errors = check(*(digits_only(data.get(key)) for key in ("siren", "siret", "vat_number")))
        if errors:
            raise ValidationError({field: [message] for field, message in errors.items()})

    @post_load
    def _identifiers_cleaned(self, data, **kwargs):
        for key in ("siren", "siret", "vat_number"):
            data[key] = digits_only(data.get(key))
        return data
