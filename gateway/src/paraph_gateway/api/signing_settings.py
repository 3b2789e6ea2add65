"""E-signature settings of the license (embed origins, reminder cadence), embedded signing (a URL that opens
one participant's signing page once, inside an integrator's page) and in-person signing (a URL that opens it
once at the top of the caller's browser, for the participant to sign on the caller's device); the pages
themselves are served by :mod:`.signing_pages`, ``/sign/embed/<token>`` and ``/sign/in-person/<token>``."""
from __future__ import annotations

from flask import Blueprint

from paraph_platform.actor import ADMINS, STAFF_ROLES

from ..routing import forward
from .signing import REQUEST_GONE

bp = Blueprint("signing_settings", __name__)



forward(bp, "GET", "/signing/settings", "signing.get_settings", roles=STAFF_ROLES, tags=["e-signature"],
        doc="""The license's e-signature settings: the origins allowed to frame the signing page, the reminder
    cadence (null: the service's default, given in `defaults`).""")

forward(bp, "PATCH", "/signing/settings", "signing.update_settings", roles=ADMINS, tags=["e-signature"],
        doc="""Change the fields sent (license admins). An origin is `https://host[:port]` (or http), without path
    or wildcard: 422 names the bad entry.""")

forward(bp, "POST", "/signature-requests/<request_id>/participants/<participant_id>/embed-url",
        "signing.create_embed_url", roles=STAFF_ROLES, status=201, tags=["e-signature"], responses={410: REQUEST_GONE},
        endpoint="embed_url",
        doc="""A URL showing this participant's signing page inside your page on `origin` (an iframe): it opens
    once, within 10 minutes. The page posts `{type: "paraph:loaded" | "paraph:signed" | "paraph:declined",
    request_id, participant_id}` to the parent window, to `origin` only. 403 unless you are the request's
    requester, the document's owner or a manager; 422 when `origin` is not one of the license's embed
    origins; 409 when it is not the participant's turn.""")

forward(bp, "POST", "/signature-requests/<request_id>/participants/<participant_id>/in-person-url",
        "signing.create_in_person_url", roles=STAFF_ROLES, status=201, tags=["e-signature"], responses={410: REQUEST_GONE},
        endpoint="in_person_url",
        doc="""A URL showing this participant's signing page at the top of your own browser (never in a frame), for
    them to sign face to face on your device: it opens once, within 10 minutes, and once they acted the page
    asks them to give the device back, with a link to the document's page in the staff app. You vouch for who
    signs (the proof of signature says it was signed in person on your device, and names you); signing still
    takes the one-time code sent to the participant. 403 unless you are the request's requester, the
    document's owner or a manager; 409 when it is not the participant's turn.""")
