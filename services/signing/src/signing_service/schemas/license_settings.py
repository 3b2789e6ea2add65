"""Schemas of a license's signing settings (embed origins, reminder cadence), and what an embed origin is
(:func:`normalize_origin`, also checked by embedded signing)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from marshmallow import Schema, ValidationError, fields, validate

from paraph_platform.numbers import Integer

from . import _In

_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
                   r"|\[[0-9a-f:.]+\])$")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_origin(value: str) -> str:
    """``scheme://host[:port]`` as a browser serialises an origin (lower case, no default port), or
    ValueError: the value goes into a Content-Security-Policy header and a postMessage target, so it is
    one exact origin (no path, credentials, wildcard or separator)."""
    if not isinstance(value, str) or len(value) > 300 or "*" in value:
        raise ValueError("an exact origin such as https://app.example.com (no wildcard)")
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        raise ValueError("an origin such as https://app.example.com[:port]") from None
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in _DEFAULT_PORTS:
        raise ValueError("the scheme must be https or http")
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment \
            or parts.path not in ("", "/"):
        raise ValueError("an origin only: scheme://host[:port], without path, query or credentials")
    if ":" in host:
        host = f"[{host}]"
    if not _HOST.match(host):
        raise ValueError("not a valid host name")
    return f"{scheme}://{host}" + (f":{port}" if port not in (None, _DEFAULT_PORTS[scheme]) else "")


class Origin(fields.String):
    """A web origin, normalised by :func:`normalize_origin`."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return normalize_origin(super()._deserialize(value, attr, data, **kwargs))
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class SettingsIn(_In):
    """Only the fields sent change; null puts a reminder field back to the service's default."""
    embed_origins = fields.List(Origin(validate=validate.Length(max=300)), validate=validate.Length(max=20),
                                metadata={"description": "origins (https://host[:port]) allowed to frame the "
                                                         "signing page (embedded signing); [] refuses framing"})
    reminder_every_days = Integer(allow_none=True, validate=validate.Range(min=1, max=60),
                                         metadata={"description": "remind whoever's turn it is every N days"})
    reminder_max = Integer(allow_none=True, validate=validate.Range(min=0, max=20),
                                  metadata={"description": "at most N reminders per participant (0: none)"})


class SettingsOut(Schema):
    embed_origins = fields.List(fields.String(), required=True)
    reminder_every_days = Integer(required=True, allow_none=True)
    reminder_max = Integer(required=True, allow_none=True)
    defaults = fields.Dict(required=True, metadata={"description": "what null means: reminder_every_days, "
                                                                  "reminder_max"})
    updated_at = fields.String(required=True, allow_none=True)
