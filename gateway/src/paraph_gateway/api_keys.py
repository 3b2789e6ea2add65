"""API keys of service accounts (integrations): ``Authorization: Bearer pk_live_...`` or ``X-Api-Key``.

identity owns the keys (hashed, scoped, allow-listed, revocable); the gateway asks it who a key stands for
on every request (``identity.api_key_actor``), so a revocation applies to the next one, and checks here that
the route's area is in the key's scopes.
"""
from __future__ import annotations

from paraph_platform.errors import Forbidden

from .rpc import identity_lookup

HEADER = "X-Api-Key"
# The area (paraph_platform.api_keys.AREAS) of each OpenAPI tag: a key needs ``<area>:read`` on GET/HEAD and ``<area>:write`` (which implies
# read) on other methods. Routes whose tags have no area here (sign-in and sessions, the operator, the
# clients' portal, service accounts themselves...) and a person's own account (``/me...``, whatever its
# tag) refuse API keys.
AREAS = {
    "customers": "customers", "equipment": "customers", "customer portal": "customers",
    "contracts": "contracts", "quotes": "contracts", "deals": "contracts", "contract types": "contracts",
    "attachments": "contracts", "milestones": "contracts", "tasks": "contracts", "assets": "contracts",
    "settings": "contracts",
    "e-signature": "signing", "offline signing": "signing",
    "webhooks": "webhooks",
    "users": "users", "perimeters": "users", "erp": "users",
}
READ_METHODS = ("GET", "HEAD")


def area(rule: str, tags) -> str | None:
    """The area of a route, None when API keys may not call it."""
    if rule == "/me" or rule.startswith("/me/"):
        return None
    return next((AREAS[tag] for tag in tags if tag in AREAS), None)


def scope_needed(route_area: str, method: str) -> str:
    return f"{route_area}:{'read' if method in READ_METHODS else 'write'}"


def require_scope(actor: dict, route_area: str | None, method: str):
    """An API key's request: the route's area must be in the key's scopes (403 naming the one missing)."""
    if route_area is None:
        raise Forbidden("API keys cannot use this endpoint.")
    needed = scope_needed(route_area, method)
    scopes = set(actor.get("scopes") or ())
    if needed not in scopes and f"{route_area}:write" not in scopes:
        raise Forbidden(f"This API key lacks the scope {needed}.", {"missing_scope": needed})


def actor(key: str, client_ip: str | None) -> dict:
    """The service account a key stands for, asked to identity on every request: a revoked or expired key,
    or a disabled account, is refused from its next request, and the key's IP allow-list is checked
    against the caller's address."""
    return identity_lookup("api_key_actor", key, client_ip)
