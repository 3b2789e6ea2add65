"""Embedded signing: a participant signs inside an integrator's page (an iframe). Staff in charge of a
request ask for a URL (``create_embed_url``) for one of its participants and one of the license's embed
origins; the URL opens the participant's signing page once (``open_embed``), within EMBED_URL_TTL_SECONDS
(10 minutes by default). Opening it tells the gateway which origin may frame the page (the one the URL
was made for, if the license still allows it) and reports the page's events to. The page then acts with
the URL's own token for an hour (participants.EMBED_SESSION), so the participant's lasting signing link
never reaches the framed page. Only the token's SHA-256 is stored."""
from __future__ import annotations

import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import delete, or_, select, update

from paraph_platform.db import utcnow
from paraph_platform.service import endpoint

from . import logic
from .base import SigningBase, _aware
from .exceptions import Conflict, Gone, InvalidInput, NotFound
from .license_settings import embed_origins
from .logic import iso
from .models import ACTIVE_STATUSES, EmbedToken, Participant
from .participants import EMBED_SESSION
from .schemas.embedded_signing import EmbedIn
from .schemas.license_settings import normalize_origin

# how long a dead embed URL stays known (answering 410 "expired" rather than 404) before it is deleted
EMBED_TOKEN_KEPT = timedelta(days=7)


class EmbeddedSigningEndpoints(SigningBase):
    """create_embed_url (staff in charge of the request), open_embed (the gateway's /sign/embed/<token>)."""

    def _purge_embed_tokens(self, now, license_id: str | None = None) -> int:
        """Delete the embed URLs dead for EMBED_TOKEN_KEPT: never opened and expired, or opened and past
        their session. Returns how many were deleted (the maintenance scan calls this)."""
        dead_before = now - EMBED_TOKEN_KEPT
        q = delete(EmbedToken).where(or_(
            (EmbedToken.opened_at.is_(None)) & (EmbedToken.expires_at <= dead_before),
            EmbedToken.opened_at <= dead_before - EMBED_SESSION))
        if license_id:
            q = q.where(EmbedToken.license_id == license_id)
        with self.db.session() as s:
            return s.execute(q).rowcount or 0

    @endpoint(write=True)
    def create_embed_url(self, actor, request_id, participant_id, payload=None):
        """A one-use URL opening ``participant_id``'s signing page in a frame on ``origin``."""
        actor, by, data = self._staff_in_charge(
            actor, request_id, "Only the requester, the document's owner or a manager can embed this request's "
                               "signing page.", EmbedIn(), payload)
        now = utcnow()

        def work(s):
            r = self._lock_open_request(s, request_id, actor["license_id"], now)
            p = s.execute(select(Participant).where(Participant.id == participant_id,
                                                    Participant.request_id == r.id)).scalar_one_or_none()
            if p is None:
                raise NotFound("Participant not found.")
            if p.status != "pending":
                raise Conflict("Only a participant whose turn it is can be shown the signing page.",
                               {"participant_status": p.status})
            allowed = embed_origins(s, r.license_id)
            if data["origin"] not in allowed:
                raise InvalidInput("This origin may not frame the signing page: add it to the license's "
                                   "signing settings (embed origins).",
                                   {"fields": {"origin": ["not one of the license's embed origins"]},
                                    "embed_origins": allowed})
            return_url = data["return_url"]
            if return_url and not _on(return_url, allowed):
                raise InvalidInput("The return URL must be on one of the license's embed origins.",
                                   {"fields": {"return_url": ["not on one of the license's embed origins"]}})
            token = secrets.token_urlsafe(32)
            expires = now + timedelta(seconds=self.settings.embed_url_ttl)
            s.add(EmbedToken(token_hash=logic.token_hash(token), license_id=r.license_id, request_id=r.id,
                             participant_id=p.id, origin=data["origin"], return_url=return_url,
                             created_by=actor["user_id"], created_at=now, expires_at=expires))
            self._audit(s, r, "embed_url_issued", by,
                        {"participant_id": p.id, "origin": data["origin"], "expires_at": iso(expires)}, at=now)
            return {"url": f"{self.settings.public_url}/sign/embed/{token}", "expires_at": iso(expires)}

        return self._unit(work)

    @endpoint(write=True)
    def open_embed(self, token, client=None):
        """Open an embedded signing URL (once, before it expires): the participant's signing link token, the
        origin the page reports to and the origins that may frame it."""
        client = client or {}
        now = utcnow()
        if not logic.valid_token_shape(token):
            raise NotFound("This embedded signing link is not valid.")
        with self.db.session() as s:
            e = s.execute(select(EmbedToken).where(EmbedToken.token_hash == logic.token_hash(token))) \
                .scalar_one_or_none()
            if e is None:
                raise NotFound("This embedded signing link is not valid.")
            r = self._lock(s, e.request_id)
            allowed = embed_origins(s, e.license_id)
            # the error page may be framed where the page would have been
            if e.opened_at is not None:
                raise Gone("This embedded signing link was already opened: ask for a new one.",
                           {"embed_status": "opened", "frame_ancestors": allowed})
            if _aware(e.expires_at) <= now:
                raise Gone("This embedded signing link has expired: ask for a new one.",
                           {"embed_status": "expired", "frame_ancestors": allowed})
            if e.origin not in allowed:
                raise Gone("This origin may no longer frame the signing page.",
                           {"embed_status": "revoked", "frame_ancestors": allowed})
            p = s.get(Participant, e.participant_id)
            # not used up on a request that ended or a person who acted or was replaced since it was made
            if r.status not in ACTIVE_STATUSES or p.status not in ("waiting", "pending"):
                raise Gone("This signing request no longer waits for this person.",
                           {"embed_status": "ended", "frame_ancestors": [e.origin]})
            # one use, even when two openings race (the request row lock serialises them on PostgreSQL)
            if s.execute(update(EmbedToken).where(EmbedToken.id == e.id, EmbedToken.opened_at.is_(None))
                         .values(opened_at=now)).rowcount != 1:
                raise Gone("This embedded signing link was already opened: ask for a new one.",
                           {"embed_status": "opened", "frame_ancestors": allowed})
            self._audit(s, r, "embed_opened", self._who(p), {
                "participant_id": p.id, "origin": e.origin, "ip": client.get("ip") or None,
                "user_agent": (client.get("user_agent") or "")[:512] or None}, at=now)
            # framed by the one origin the URL was made for, not by every origin of the license; the page
            # acts with this URL's token (for EMBED_SESSION), never with the participant's lasting link
            return {"link_token": token, "origin": e.origin, "frame_ancestors": [e.origin],
                    "return_url": e.return_url, "request_id": r.id, "participant_id": p.id}


def _on(url: str, origins: list[str]) -> bool:
    """Is ``url`` on one of ``origins``?"""
    parts = urlsplit(url)
    try:
        return normalize_origin(f"{parts.scheme}://{parts.netloc}") in origins
    except ValueError:  # credentials in the URL, a bad port...
        return False
