"""Schemas of embedded signing: the one-use URL opening a participant's signing page in a frame on one of
the license's embed origins."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from . import _In
from .license_settings import Origin


class EmbedIn(_In):
    origin = Origin(required=True, validate=validate.Length(max=300),
                    metadata={"description": "the page that frames the signing page: one of the license's "
                                             "embed_origins"})
    return_url = fields.Url(load_default=None, allow_none=True, schemes={"http", "https"}, require_tld=False,
                            validate=validate.Length(max=2000),
                            metadata={"description": "where the frame goes once the participant acted (on one of "
                                                     "the license's embed_origins)"})


class EmbedOut(Schema):
    url = fields.String(required=True, metadata={"description": "opens the signing page once, in a frame on origin"})
    expires_at = fields.String(required=True)
