"""Schemas of embedded signing: the one-use URL opening a participant's signing page in a frame on one of
the license's embed origins, or at the top of a member of staff's browser for in-person signing."""
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


class InPersonIn(_In):
    """Nothing to choose: the page opens at the top of the caller's browser, and sends back to the document's
    page of the staff app."""


class InPersonOut(Schema):
    url = fields.String(required=True, metadata={"description": "opens the signing page once, at the top of the "
                                                                "caller's browser (not in a frame)"})
    expires_at = fields.String(required=True)
    participant_name = fields.String(required=True, metadata={"description": "whom to hand the device to"})
