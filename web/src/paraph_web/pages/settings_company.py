"""``/settings/company-profile``: the company the license's quotes and contracts name as their issuer (name,
address, legal identifiers, contact details) and its logo, shown in the PDFs' header and footer. License
admins only; the API checks the SIREN, SIRET and VAT number and the logo's bytes, its refusals are said
next to the field. A company outside France (its address's country, else its license's) gives its own country's
company number in the fields the API names after France's SIREN and SIRET, and the page names them so."""
from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _

from paraph_platform import addresses, company_country

from .. import api
from ..api import ApiError
from ..api_messages import translate
from ..auth import admin_only
from ..i18n import posted_country
from .contracts import _stream
from .forms import as_typed, form_values, refusal_said, typed_number
from .settings import render_section

bp = Blueprint("settings_company", __name__)

SECTION = "company-profile"
ADDRESS_FIELDS = ("line1", "line2", "postal_code", "city", "region", "country")
# a currency written with the share capital ("10 000 €", "10 000 EUR", "10 000 euros")
CURRENCY_WRITTEN = re.compile(r"[€$£]|\b(?:EUR|euros?)\b", re.IGNORECASE)
PROFILE_FIELDS = ("name", "siren", "siret", "vat_number", "legal_form", "share_capital", "rcs_city", "phone",
                  "email", "website")


def _page(profile: dict, values: dict | None = None, errors: dict | None = None, message: str | None = None,
          status: int = 200):
    """The form shows ``values`` (what was typed, after a refusal) or the saved profile, its address's country the
    company's (its license's) until one is saved; its identifiers named as that country names them."""
    established_in = (api.get("/license").get("settings") or {}).get("country")
    if values is None:
        values = {key: profile.get(key) or "" for key in PROFILE_FIELDS}
        values.update({f"address.{key}": (profile.get("address") or {}).get(key) or "" for key in ADDRESS_FIELDS})
        values["address.country"] = values["address.country"] or established_in or ""
        values["share_capital"] = as_typed(profile.get("share_capital"), money=True, grouped=True)  # "10 000,50"
    country = (values.get("address.country"), established_in)
    return render_section("settings/company_profile.html", SECTION, status, profile=profile, values=values,
                          errors=errors or {}, message=message, french=company_country.registers_siren(*country),
                          eu_vat=company_country.eu_vat(*country), city_first=addresses.city_first(*country))


def _refused(exc: ApiError) -> tuple[dict, str | None]:
    """A refusal the form can show (next to its fields, else on top); anything else is raised."""
    if exc.status not in (413, 415, 422):
        raise exc
    return exc.field_errors, None if exc.field_errors else translate(exc.detail)


@bp.get("/settings/company-profile")
@admin_only
def company_profile():
    return _page(api.get("/company-profile"))


@bp.post("/settings/company-profile")
@admin_only
def save_company_profile():
    values = form_values(*PROFILE_FIELDS, *(f"address.{key}" for key in ADDRESS_FIELDS))
    body = {key: values[key] or None for key in PROFILE_FIELDS}
    body["name"] = values["name"]
    if body["share_capital"]:  # "10 000,00" as a French admin types it, "10 000 €" too (the PDF adds the currency)
        body["share_capital"] = typed_number(CURRENCY_WRITTEN.sub("", body["share_capital"]))
    body["address"] = {key: values[f"address.{key}"] for key in ADDRESS_FIELDS}
    # a country typed before the list, shown as the country it names, stays as typed until another is chosen
    body["address"]["country"] = posted_country(
        values["address.country"], (api.get("/company-profile").get("address") or {}).get("country"))
    try:
        api.put("/company-profile", body)
    except ApiError as exc:
        errors, message = _refused(exc)
        return _page(api.get("/company-profile"), values, errors, message, 422)
    flash(_("The company profile is saved."), "success")
    return redirect(url_for("settings_company.company_profile"))


@bp.post("/settings/company-profile/logo")
@admin_only
def upload_logo():
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise ApiError(422, {"errors": {"file": [_("Choose a file.")]}})
        api.call("PUT", "/company-profile/logo",
                 files={"file": (upload.filename, upload.stream, upload.mimetype or "application/octet-stream")})
    except ApiError as exc:
        errors, message = _refused(exc)
        if exc.status == 415:  # the API names the file's media type ("text/plain"): the admin needs what to choose
            message, errors = _("Choose a PNG or JPEG image."), {}
        # too large, not a PNG or JPEG, empty: said next to the file field
        return _page(api.get("/company-profile"), errors={"file": next(iter(errors.values()), message)}, status=422)
    flash(_("The logo is saved."), "success")
    return redirect(url_for("settings_company.company_profile") + "#logo")


@bp.post("/settings/company-profile/logo/delete")
@admin_only
@refusal_said(back=lambda: redirect(url_for("settings_company.company_profile") + "#logo"))
def delete_logo():
    api.delete("/company-profile/logo")
    flash(_("The logo is removed."), "success")
    return redirect(url_for("settings_company.company_profile") + "#logo")


@bp.get("/settings/company-profile/logo")
@admin_only
def logo():
    """The logo as the API gives it (an <img> of the page: same origin, the session's token)."""
    return _stream("/company-profile/logo")
