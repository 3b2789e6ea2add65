"""The home page's "Getting started" checklist of a license admin: what a new company sets up before its team sends
its first quotes, each step read from the API (never from what the admin clicked), linked to the page that does it
and ticked once done. The block goes once every step is done, or when the admin hides it.

Hidden is remembered by a cookie of this browser per company (license): the web app has no database, and a UI hint
is no setting of the license's. Once every step is done the cookie is set too, so that the home page stops asking the
API for them (the setup, once made, is not undone by a later invitation: the block would not come back for it)."""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l

from paraph_platform.actor import ADMINS, USER

from .. import api
from ..api import ApiError, GatewayUnavailable
from ..auth import admin_only

log = logging.getLogger(__name__)
bp = Blueprint("getting_started", __name__)

COOKIE_NAME = "paraph_getting_started_hidden"  # the companies (license ids) whose checklist this browser hides
COOKIE_MAX_AGE = 365 * 24 * 3600
COOKIE_LICENSES_KEPT = 20  # an admin of many companies: the latest hidden ones
TEAM_PAGE = 200  # the API's largest page: a team beyond it has invited people, and salespeople to share out
# what the API is asked for the steps: (path, params), in the order ``steps`` reads the answers
CALLS = (("/company-profile", {}), ("/contract-types", {}), ("/users", {"staff": "true", "limit": TEAM_PAGE}),
         ("/perimeters", {"limit": 1}))


def wanted() -> bool:
    """Shown to license admins (they alone may do every step) who have not hidden it for this company."""
    return session.get("role") in ADMINS and session.get("license_id") not in hidden_licenses()


def hidden_licenses() -> list[str]:
    return [value for value in request.cookies.get(COOKIE_NAME, "").split(".") if value]


def current_steps(me: str | None) -> list[dict]:
    """The steps as they stand now (``steps``); none when the API cannot say: a hint is not worth the home page's
    failing (the day's work under it), it comes back with the next page once the API answers."""
    try:
        return steps(*api.get_many(*CALLS), me=me)
    except (ApiError, GatewayUnavailable) as exc:
        log.warning("getting started: the API did not answer (%s)", exc)
        return []


def steps(profile: dict, contract_types: list[dict], team: dict, perimeters: dict, me: str | None) -> list[dict]:
    """The steps as the API's answers to ``CALLS`` say they stand: ``key``, ``label``, ``hint``, ``url`` (the page
    that does it), ``done``. Perimeters are a step only once more than one salesperson shares the customers."""
    address = profile.get("address") or {}
    colleagues = [member for member in team.get("items") or ()
                  if member.get("status") != "deactivated" and member.get("user_id") != me]
    salespeople = sum(member.get("role") == USER for member in colleagues)
    found = [
        # the issuer every PDF names: saved at least once, with the address the PDF's header prints
        ("company-profile", _l("Fill in your company profile"),
         _l("Your address, legal mentions and logo on every quote and contract."),
         url_for("settings_company.company_profile"),
         bool(profile.get("updated_at") and address.get("line1") and address.get("city"))),
        # the quote editor offers the types of quotes only: without one, "+ Quote" has nothing to choose
        # named as the page it opens names it: a contract type, of the quote kind
        ("quote-type", _l("Create a contract type for your quotes"),
         _l("What your quotes ask for and how their PDF looks: the quote editor needs one."),
         url_for("settings_document_templates.new", kind="quote"),
         any(t.get("kind") == "quote" and not t.get("archived") for t in contract_types)),
        ("team", _l("Invite your team"),
         _l("Your salespeople and managers, each with their role."),
         url_for("admin.invite_form"), bool(colleagues) or bool(team.get("next_cursor")))]
    if salespeople > 1 or team.get("next_cursor"):
        found.append(("perimeters", _l("Share out the customers with perimeters"),
                      _l("Several salespeople: each sees the customers of their team, zone or resellers."),
                      url_for("admin.new_perimeter"), bool(perimeters.get("items"))))
    return [{"key": key, "label": label, "hint": hint, "url": url, "done": done}
            for key, label, hint, url, done in found]


def remember_hidden(response):
    """``response`` setting the cookie that hides the checklist of the signed-in user's company in this browser."""
    kept = [value for value in hidden_licenses() if value != session.get("license_id")]
    kept = (kept + [session.get("license_id") or ""])[-COOKIE_LICENSES_KEPT:]
    response.set_cookie(COOKIE_NAME, ".".join(kept), max_age=COOKIE_MAX_AGE, path="/", httponly=True,
                        samesite="Lax", secure=current_app.session_interface.secure(current_app, request))
    return response


@bp.post("/getting-started/hide")
@admin_only
def hide():
    """"Hide": the checklist goes from the home page of this company in this browser."""
    return remember_hidden(redirect(url_for("home.index")))
