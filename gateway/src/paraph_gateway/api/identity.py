"""Licenses, seats, users, client access and ERP user sync."""
from __future__ import annotations

import hmac

from flask import Blueprint, current_app, request

from paraph_platform.actor import ADMINS, MANAGERS, STAFF_ROLES, system_actor
from paraph_platform.errors import Forbidden, Unauthorized

from ..routing import call, forward, route
from ..service_results import service_params, service_result

bp = Blueprint("identity", __name__)



def _operator():
    token = current_app.config.get("OPERATOR_TOKEN") or ""
    header = request.headers.get("Authorization", "")
    given = header[7:].strip() if header.lower().startswith("bearer ") else ""
    if not token:
        raise Forbidden("Operator endpoints are disabled (set OPERATOR_TOKEN).")
    if not given or not hmac.compare_digest(given, token):
        raise Unauthorized("Operator token required.")
    return system_actor("operator")


# -- operator (subscription management) --------------------------------------------------------

@route(bp, "/operator/seat-pools", ["POST"], body=service_params("identity", "create_pool"),
       response=service_result("identity", "create_pool"), public=True, status=201, tags=["operator"])
def create_pool(body):
    """Create a subscription: activation code, seat count and expiry (operator token)."""
    return call("identity", "create_pool", _operator(), body)


@route(bp, "/operator/seat-pools/<pool_id>", ["PATCH"], body=service_params("identity", "update_pool"),
       response=service_result("identity", "update_pool"), public=True, tags=["operator"])
def update_pool(pool_id, body):
    """Change a subscription's seats or expiry (operator token)."""
    return call("identity", "update_pool", _operator(), pool_id, body)


@route(bp, "/operator/licenses/<license_id>/rate-limits", ["PATCH"], body=service_params("identity", "set_rate_limits"),
       response=service_result("identity", "set_rate_limits"), public=True, tags=["operator"])
def set_rate_limits(license_id, body):
    """Give a license its own rate limits, per user and per API key, instead of the gateway's defaults
    (operator token)."""
    return call("identity", "set_rate_limits", _operator(), license_id, body)


# -- license ----------------------------------------------------------------------------------

@route(bp, "/operator/token-keys/rotate", ["POST"], response=service_result("identity", "rotate_token_key"),
       public=True, tags=["operator"])
def rotate_token_key():
    """Sign new access tokens with a new key; tokens already issued stay valid until they expire
    (operator token)."""
    return call("identity", "rotate_token_key", _operator())


forward(bp, "POST", "/licenses/activate", "identity.activate_license", public=True, status=201, tags=["licenses"],
        endpoint="activate",
        doc="Activate a company environment with an activation code; its admin receives an invitation. The company "
            "may say its country: its time zone, currency and documents' language start as that country's.")

forward(bp, "GET", "/license", "identity.get_license", tags=["licenses"], api_key_area="users",
        doc="""The current license: seats (active/total across the subscription) and expiry for those who invite
    (license admins and front user managers); a user reads its name and settings only. An API key reads it with
    the scope `users:read` (the seats an ERP sync's invitations take; a `license_admin` account sees the seats,
    a `user` account the name and settings only).""")

forward(bp, "PATCH", "/license", "identity.update_license", roles=ADMINS, tags=["licenses"],
        doc="Change the license name and settings (abandon delay, locale, currency, country...).")


# -- users ------------------------------------------------------------------------------------

forward(bp, "GET", "/users", "identity.list_users", query=service_params("identity", "list_users"), roles=MANAGERS,
        tags=["users"],
        doc="""Users of this license, searchable by email or name, by email order: walk with `next_cursor`;
    `count=true` adds `total`.""")

forward(bp, "GET", "/colleagues", "identity.list_colleagues", query=service_params("identity", "list_colleagues"),
        roles=STAFF_ROLES, tags=["users"],
        doc="""The active staff of your license (name and email): the collaborators you may add as approvers or
    signers.""")

forward(bp, "POST", "/users", "identity.invite_user", roles=MANAGERS, status=201, tags=["users"],
        doc="Invite a user (takes a seat); they receive a single-use link to set their password.")

forward(bp, "GET", "/users/<user_id>", "identity.get_user", tags=["users"], doc="One user of this license.")

forward(bp, "PATCH", "/users/<user_id>", "identity.update_member", roles=MANAGERS, tags=["users"],
        endpoint="update_user", doc="Change a user's role, name or ERP collaborator code.")

forward(bp, "POST", "/users/<user_id>/deactivate", "identity.deactivate_user", roles=MANAGERS, tags=["users"],
        doc="Deactivate a user: frees their seat and ends their sessions.")

forward(bp, "POST", "/users/<user_id>/reactivate", "identity.reactivate_user", roles=MANAGERS, tags=["users"],
        doc="Give a deactivated user a seat again (sends a new invitation).")

forward(bp, "POST", "/users/<user_id>/resend-invitation", "identity.resend_invitation", tags=["users"],
        roles=STAFF_ROLES, doc="Send a pending invitation again (earlier links stop working).")

forward(bp, "PATCH", "/me", "identity.update_profile", tags=["users"],
        doc="""My own name, language (French or English: my emails and the web app's pages) and mobile number
    (`phone`: where my SMS notifications go, the next one included; an empty string or null removes it; a number
    SMS cannot go to is a 422 on `phone`).""")

forward(bp, "PATCH", "/me/preferences", "identity.update_preferences", tags=["users"],
        doc="""Notification preferences: per event (quote viewed/downloaded, contract shared, signed, customer
    details changed on the portal), email and/or SMS (sent to my `phone`, see `PATCH /me`).""")


# -- ERP one-way sync -------------------------------------------------------------------------

forward(bp, "POST", "/erp/collaborators/import", "identity.import_collaborators", roles=ADMINS, tags=["erp"], timeout=60,
        doc="Import ERP collaborators keyed by email; existing users get their collaborator code.")

forward(bp, "POST", "/erp/collaborators/preview", "identity.preview_collaborators", roles=ADMINS, tags=["erp"],
        timeout=60,
        doc="""What importing this export would do: linked by email, to create, to check by hand, errors per row,
    and the seats: `seats_needed` (one per collaborator to create, taken by a run with `invite_new`) and
    `seats_free` (in the subscription's pool). `seats_needed` above `seats_free`: the run invites in the export's
    order while seats are left, and the rows left over are `not_invited` errors (every row is still imported).
    Nothing is written; run it with ``/erp/collaborators/import`` (in steps: ``first_row`` and ``row_count``).""")

forward(bp, "GET", "/erp/sync-report", "identity.sync_report", roles=MANAGERS, tags=["erp"],
        doc="Matched users, collaborators without account, users without collaborator (manual review).")

forward(bp, "POST", "/erp/collaborators/link", "identity.link_collaborator", roles=ADMINS, tags=["erp"],
        doc="Manual review: attach a user to a collaborator code.")

forward(bp, "POST", "/erp/collaborators/invite", "identity.invite_collaborators", roles=ADMINS, tags=["erp"], timeout=60,
        doc="""Invite ERP collaborators (by code) who have no account yet (the activation wizard, the sync review).
    A collaborator marked inactive in the ERP, or already invited or active, is not invited: listed in `skipped`
    with the reason. No seat left: a 409, those before it invited.""")
