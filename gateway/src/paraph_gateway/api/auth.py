"""Sign-in, sessions, invitations and password resets."""
from __future__ import annotations

from flask import Blueprint, jsonify

from ..routing import call, client_ip, forward, route
from ..service_results import service_params, service_result

# a one-time link (invitation, password reset) answers 410 once used or expired
LINK_GONE = "The link was already used or has expired"

bp = Blueprint("auth", __name__)


# identity keeps the caller's address with a sign-in (throttle, a client's IP restriction): the view sets it
CALLER_IP = "client_ip"


def _identity_params(method: str):
    """The payload of ``identity.method`` as the client sends it: without the caller's address."""
    return service_params("identity", method, not_from_client=(CALLER_IP,))


def _from_caller(body: dict) -> dict:
    return {**body, CALLER_IP: client_ip()}


@route(bp, "/auth/login", ["POST"], body=_identity_params("login"), response=service_result("identity", "login"),
       public=True, tags=["auth"],
       responses={401: "Wrong email or password",
                  429: "Too many failed sign-ins for this account or address: retry after `Retry-After` seconds"})
def login(body):
    """Sign in with email and password; returns an access token (15 min) and a refresh token."""
    return call("identity", "login", _from_caller(body))


@route(bp, "/auth/refresh", ["POST"], body=_identity_params("refresh"), response=service_result("identity", "refresh"),
       public=True, tags=["auth"])
def refresh(body):
    """Exchange a refresh token (single use) for a new session."""
    return call("identity", "refresh", _from_caller(body))


forward(bp, "POST", "/auth/logout", "identity.logout", public=True, tags=["auth"], status=204,
        doc="End a session (revokes its refresh token).")


forward(bp, "POST", "/auth/logout-everywhere", "identity.end_sessions", tags=["auth"], endpoint="logout_everywhere",
        doc="""Sign out of every session of mine (every device, every license): refresh tokens end now, access
    tokens are refused from their next request.""")


@route(bp, "/auth/switch-license", ["POST"], body=_identity_params("switch_license"),
       response=service_result("identity", "switch_license"), tags=["auth"])
def switch_license(actor, body):
    """Open a session in another license (environment) the user belongs to."""
    return call("identity", "switch_license", actor, _from_caller(body))


@route(bp, "/auth/accept-invitation", ["POST"], body=_identity_params("accept_invitation"),
       response=service_result("identity", "accept_invitation"), public=True, tags=["auth"],
       responses={410: LINK_GONE + ", or the access was withdrawn"})
def accept_invitation(body):
    """Use a single-use invitation link: set a password and activate the account."""
    return call("identity", "accept_invitation", _from_caller(body))


forward(bp, "POST", "/auth/link-info", "identity.link_info", public=True, tags=["auth"], responses={410: LINK_GONE},
        doc="""Who an emailed set-password (``invitation``) or reset link is for, without using it: the page it
    opens shows the company and the email. 404 unknown link, 410 used or expired (its problem still gives
    `company` and `role`: whom to ask for a new link). The token travels in the body, never in a logged URL.""")


@route(bp, "/auth/forgot-password", ["POST"], body=_identity_params("request_password_reset"),
       response=service_result("identity", "request_password_reset"), public=True, status=202, tags=["auth"])
def forgot_password(body):
    """Send a password reset link to a person who has a password, and a fresh invitation (a set-password link)
    for each of their accesses still invited: a lost or expired invitation, a company's only license admin
    included. The answer is the same whether or not the email is known; beyond `PASSWORD_LINKS_PER_ACCOUNT`
    requests for one email, or `PASSWORD_LINKS_PER_ADDRESS` from one address, in the sign-in throttle's window,
    nothing more is sent (the same answer)."""
    return call("identity", "request_password_reset", _from_caller(body))


forward(bp, "POST", "/auth/reset-password", "identity.reset_password", public=True, tags=["auth"],
        responses={410: LINK_GONE}, doc="Set a new password with a single-use reset link; other sessions end.")


@route(bp, "/.well-known/jwks.json", ["GET"], response=service_result("identity", "jwks"), public=True, tags=["auth"])
def jwks():
    """The public keys (Ed25519, EdDSA) verifying Paraph access tokens, by `kid`: the current key and
    retired keys whose tokens may still be live."""
    resp = jsonify(call("identity", "jwks"))
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp


forward(bp, "GET", "/me", "identity.me", tags=["auth"],
        doc="The signed-in user, their role here and the licenses they can switch to.")


@route(bp, "/me/password", ["POST"], body=_identity_params("change_password"),
       response=service_result("identity", "change_password"), tags=["auth"])
def change_password(actor, body):
    """Change my password with the current one (422 with `errors.current_password` when it is wrong; the
    failures count with the sign-in's, 429 when too many). Every session of mine ends, access tokens from
    their next request; the answer is a new session for the caller."""
    return call("identity", "change_password", actor, _from_caller(body))
