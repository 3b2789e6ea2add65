"""The license's company profile: the issuer its quotes and contracts name (header and legal mentions of the
PDFs), and its logo."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ...downloads import file_response
from ...routing import call, route
from ...service_results import service_result
from .attachments import AssetIn, _upload
from ..portal import _phone
from .common import ADMIN, DEC, STAFF, _dec_range, _json, bp


def _text(max_length: int, **metadata):
    return fields.String(allow_none=True, validate=validate.Length(max=max_length), metadata=metadata)


class CompanyAddress(Schema):
    line1 = fields.String(validate=validate.Length(max=200))
    line2 = fields.String(validate=validate.Length(max=200))
    postal_code = fields.String(validate=validate.Length(max=20))
    city = fields.String(validate=validate.Length(max=120))
    country = fields.String(validate=validate.Length(max=120))


class CompanyProfileIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    address = fields.Nested(CompanyAddress)
    siren = _text(20, description="9 digits (spaces allowed), check digit verified")
    siret = _text(30, description="14 digits (spaces allowed), check digit verified; starts with the SIREN")
    vat_number = _text(30, description="e.g. FR44732829320: a French number's key and SIREN are verified")
    legal_form = _text(60, description="SAS, SARL, SA, EURL...")
    share_capital = fields.Decimal(allow_none=True, places=2, validate=_dec_range(0, 10**13), **DEC,
                                   metadata={"description": "in the license's currency, 0 to 10^13"})
    rcs_city = _text(120, description="the city of the trade register (RCS Lyon)")
    phone = _phone()
    email = fields.Email(allow_none=True)
    website = fields.Url(allow_none=True, schemes={"http", "https"}, require_tld=True,
                         validate=validate.Length(max=300))


@route(bp, "/company-profile", ["GET"], response=service_result("contracts", "get_company_profile"), roles=STAFF,
       tags=["settings"])
def get_company_profile(actor):
    """Your company as your quotes and contracts name it (empty until a license admin saves it)."""
    return call("contracts", "get_company_profile", actor)


@route(bp, "/company-profile", ["PUT"], body=CompanyProfileIn,
       response=service_result("contracts", "update_company_profile"), roles=ADMIN, tags=["settings"])
def update_company_profile(actor, body):
    """Save the company profile (the whole of it: what is not given is cleared; the logo is kept).

    The PDFs show the name, logo and address in their header and the legal mentions (legal form and share
    capital, RCS, SIREN, SIRET, intra-community VAT number) in their footer. A SIREN or SIRET whose check
    digit is wrong, a SIRET not starting with the SIREN, a French VAT number whose key or SIREN does not
    match: 422 naming the field."""
    return call("contracts", "update_company_profile", actor, _json(body))


@route(bp, "/company-profile/logo", ["PUT"], response=service_result("contracts", "set_company_logo"), roles=ADMIN,
       tags=["settings"], raw_body=True,
       description="multipart/form-data with `file`, or JSON {filename, content_type, content_base64}")
def set_company_logo(actor):
    """Upload the company logo (PNG or JPEG, 1 MB by default; the bytes are checked): it replaces the previous one."""
    return call("contracts", "set_company_logo", actor, _upload(AssetIn), timeout=60)


@route(bp, "/company-profile/logo", ["GET"], roles=STAFF, tags=["settings"],
       responses={200: "image/*: the logo as uploaded (PNG or JPEG)"})
def get_company_logo(actor):
    """Download the company logo (404 when there is none)."""
    return file_response(call("contracts", "get_company_logo", actor, timeout=60), inline=True)


@route(bp, "/company-profile/logo", ["DELETE"], roles=ADMIN, tags=["settings"], status=204)
def delete_company_logo(actor):
    """Remove the company logo."""
    call("contracts", "delete_company_logo", actor)
    return None
