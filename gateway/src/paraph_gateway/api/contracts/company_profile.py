"""The license's company profile: the issuer its quotes and contracts name (header and legal mentions of the
PDFs), and its logo."""
from __future__ import annotations

from paraph_platform.actor import ADMINS, STAFF_ROLES

from ...downloads import file_response
from ...routing import call, forward, route, upload_body
from ...service_results import service_params, service_result
from .attachments import _upload
from .common import bp


forward(bp, "GET", "/company-profile", "contracts.get_company_profile", roles=STAFF_ROLES, tags=["settings"],
        doc="Your company as your quotes and contracts name it (empty until a license admin saves it).")

forward(bp, "PUT", "/company-profile", "contracts.update_company_profile", roles=ADMINS, tags=["settings"],
        doc="""Save the company profile (the whole of it: what is not given is cleared; the logo is kept).

    The PDFs show the name, logo and address in their header and the legal mentions (legal form and share
    capital, RCS, SIREN, SIRET, intra-community VAT number) in their footer. A SIREN or SIRET whose check
    digit is wrong, a SIRET not starting with the SIREN, a French VAT number whose key or SIREN does not
    match: 422 naming the field.""")


LOGO = service_params("contracts", "set_company_logo")


@route(bp, "/company-profile/logo", ["PUT"], response=service_result("contracts", "set_company_logo"), roles=ADMINS,
       tags=["settings"], raw_body=upload_body(LOGO))
def set_company_logo(actor):
    """Upload the company logo (PNG or JPEG, 1 MB by default; the bytes are checked): it replaces the previous one."""
    logo = _upload(LOGO)
    return call("contracts", "set_company_logo", actor, logo, timeout=60)


@route(bp, "/company-profile/logo", ["GET"], roles=STAFF_ROLES, tags=["settings"],
       responses={200: "image/*: the logo as uploaded (PNG or JPEG)"})
def get_company_logo(actor):
    """Download the company logo (404 when there is none)."""
    return file_response(call("contracts", "get_company_logo", actor, timeout=60), inline=True)


forward(bp, "DELETE", "/company-profile/logo", "contracts.delete_company_logo", roles=ADMINS, tags=["settings"],
        status=204, doc="Remove the company logo.")
