"""E-signature settings of the license (embed origins, reminder cadence) and embedded signing: a URL that
opens one participant's signing page once, inside an integrator's page (the page itself is served by
:mod:`.signing_pages`, ``/sign/embed/<token>``)."""
from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema, fields, validate

from ..routing import call, route
from ..service_results import service_result
from .signing import REQUEST_GONE

bp = Blueprint("signing_settings", __name__)

STAFF = ("license_admin", "front_user_manager", "user")
ADMIN = ("license_admin",)
# the shape of an origin (the signing service checks the host and the port, and normalises it)
# (no inline flag: the pattern is also the OpenAPI document's, an ECMA regular expression)
ORIGIN_SHAPE = validate.Regexp(r"^[Hh][Tt][Tt][Pp][Ss]?://[^/?#*\s@;,'\"]+/?$",
                               error="an origin such as https://app.example.com[:port] (no path, no wildcard)")
ORIGIN = fields.String(validate=[validate.Length(min=1, max=300), ORIGIN_SHAPE],
                       metadata={"description": "https://host[:port] (http allowed), no path, no wildcard"})


class SettingsPatch(Schema):
    embed_origins = fields.List(ORIGIN, validate=validate.Length(max=20),
                                metadata={"description": "origins allowed to frame the signing page (embedded "
                                                         "signing); [] refuses every frame"})
    reminder_every_days = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=60),
                                         metadata={"description": "remind whoever's turn it is every N days; null: "
                                                                  "the default"})
    reminder_max = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=20),
                                  metadata={"description": "at most N reminders per participant; null: the default"})


class EmbedIn(Schema):
    origin = fields.String(required=True, validate=[validate.Length(min=1, max=300), ORIGIN_SHAPE],
                           metadata={"description": "the origin of the page that frames the signing page: one of "
                                                    "the license's embed_origins"})
    return_url = fields.Url(allow_none=True, schemes={"http", "https"}, require_tld=False,
                            validate=validate.Length(max=2000),
                            metadata={"description": "where the frame goes once the participant acted (on one of "
                                                     "the embed origins)"})


@route(bp, "/signing/settings", ["GET"], response=service_result("signing", "get_settings"), roles=STAFF,
       tags=["e-signature"])
def get_settings(actor):
    """The license's e-signature settings: the origins allowed to frame the signing page, the reminder
    cadence (null: the service's default, given in `defaults`)."""
    return call("signing", "get_settings", actor)


@route(bp, "/signing/settings", ["PATCH"], body=SettingsPatch,
       response=service_result("signing", "update_settings"), roles=ADMIN,
       tags=["e-signature"])
def update_settings(actor, body):
    """Change the fields sent (license admins). An origin is `https://host[:port]` (or http), without path
    or wildcard: 422 names the bad entry."""
    return call("signing", "update_settings", actor, body)


@route(bp, "/signature-requests/<request_id>/participants/<participant_id>/embed-url", ["POST"], body=EmbedIn,
       response=service_result("signing", "create_embed_url"), roles=STAFF, status=201, tags=["e-signature"],
       responses={410: REQUEST_GONE})
def embed_url(actor, request_id, participant_id, body):
    """A URL showing this participant's signing page inside your page on `origin` (an iframe): it opens
    once, within 10 minutes. The page posts `{type: "paraph:loaded" | "paraph:signed" | "paraph:declined",
    request_id, participant_id}` to the parent window, to `origin` only. 403 unless you are the request's
    requester, the document's owner or a manager; 422 when `origin` is not one of the license's embed
    origins; 409 when it is not the participant's turn."""
    return call("signing", "create_embed_url", actor, request_id, participant_id, body)
