"""What an API key is, in one place for identity (which issues, stores and checks keys), the gateway
(which recognises a key and checks a route's scope) and the web app (which offers the scopes).

A key is ``pk_live_`` + 43 base62 characters. Its scopes are ``<area>:read`` or ``<area>:write`` (write
implies read); the gateway maps each route's OpenAPI tag to one of these areas.
"""
from __future__ import annotations

KEY_PREFIX = "pk_live_"  # fixed and greppable, so that secret scanners recognise a leaked key
AREAS = ("customers", "contracts", "signing", "webhooks", "users")
ACCESS_LEVELS = ("read", "write")
SCOPES = tuple(f"{area}:{access}" for area in AREAS for access in ACCESS_LEVELS)
