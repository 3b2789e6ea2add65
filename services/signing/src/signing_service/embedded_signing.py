"""Embedded and in-person signing: a participant signs on a page opened by a one-use URL that staff in
charge of a request ask for.

* Embedded (an iframe in an integrator's page): ``create_embed_url`` for one of the participants and one of
  the license's embed origins; the URL opens the participant's signing page once (``open_embed``), within
  EMBED_URL_TTL_SECONDS (10 minutes by default). Opening it tells the gateway which origin may frame the page
  (the one the URL was made for, if the license still allows it) and reports the page's events to.
* In person (face to face, on the device of the member of staff who asks): ``create_in_person_url`` gives a
  URL opened at the top of that person's browser, never framed, so no embed origin is involved; they hand the
  device to the participant, who signs there and then, and the page then sends the device back to the
  document's page of the staff app. The evidence says the signature was made in person, on that member of
  staff's device (mode ``in_person_device``, ``attested_by``): they vouch for who signs, as an integrator
  does for its embedded page; signing still takes the one-time code sent to the participant, as it does
  embedded.

Either page then acts with the URL's own token for an hour (participants.EMBED_SESSION), so the participant's
lasting signing link never reaches it. Only the token's SHA-256 is stored."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import delete, or_, select, update

from paraph_platform import staff_pages
from paraph_platform.db import as_utc, utcnow
from paraph_platform.service import endpoint

from . import logic
from .base import SigningBase
from .exceptions import Conflict, Gone, InvalidInput, NotFound
from .license_settings import embed_origins
from .logic import iso
from .models import ACTIVE_STATUSES, EmbedToken, Participant, SignatureRequest
from .participants import EMBED_SESSION, IN_PERSON_URL
from .schemas.embedded_signing import EmbedIn, InPersonIn
from .schemas.license_settings import normalize_origin

# how long a dead embed URL stays known (answering 410 "expired" rather than 404) before it is deleted
EMBED_TOKEN_KEPT = timedelta(days=7)
EMBED_URL = "embed"  # EmbedToken.kind of a URL framed by an integrator's page (IN_PERSON_URL: see participants.py)


class EmbeddedSigningEndpoints(SigningBase):
    """create_embed_url and create_in_person_url (staff in charge of the request), open_embed and
    open_in_person (the gateway's /sign/embed/<token> and /sign/in-person/<token>)."""

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

    # -- making a URL ------------------------------------------------------------------------------------------

    @staticmethod
    def _whose_turn(s, r: SignatureRequest, participant_id: str) -> Participant:
        """The request's participant whose turn it is (404 unknown, 409 waiting or done)."""
        p = s.execute(select(Participant).where(Participant.id == participant_id,
                                                Participant.request_id == r.id)).scalar_one_or_none()
        if p is None:
            raise NotFound("Participant not found.")
        if p.status != "pending":
            raise Conflict("Only a participant whose turn it is can be shown the signing page.",
                           {"participant_status": p.status})
        return p

    def _new_url(self, s, r: SignatureRequest, p: Participant, actor: dict, now: datetime,
                 **row) -> tuple[str, datetime]:
        """A new one-use URL's token for ``p`` (only its hash is stored, with ``row``) and when it expires."""
        token = secrets.token_urlsafe(32)
        expires = now + timedelta(seconds=self.settings.embed_url_ttl)
        s.add(EmbedToken(token_hash=logic.token_hash(token), license_id=r.license_id, request_id=r.id,
                         participant_id=p.id, created_by=actor["user_id"], created_at=now, expires_at=expires,
                         **row))
        return token, expires

    @endpoint(write=True)
    def create_embed_url(self, actor, request_id, participant_id, payload=None):
        """A one-use URL opening ``participant_id``'s signing page in a frame on ``origin``."""
        actor, by, data = self._staff_in_charge(
            actor, request_id, "Only the requester, the document's owner or a manager can embed this request's "
                               "signing page.", EmbedIn(), payload)
        now = utcnow()

        def work(s):
            r = self._lock_open_request(s, request_id, actor["license_id"], now)
            p = self._whose_turn(s, r, participant_id)
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
            token, expires = self._new_url(s, r, p, actor, now, kind=EMBED_URL, origin=data["origin"],
                                           return_url=return_url)
            self._audit(s, r, "embed_url_issued", by,
                        {"participant_id": p.id, "origin": data["origin"], "expires_at": iso(expires)}, at=now)
            return {"url": f"{self.settings.public_url}/sign/embed/{token}", "expires_at": iso(expires)}

        return self._unit(work)

    @endpoint(write=True)
    def create_in_person_url(self, actor, request_id, participant_id, payload=None):
        """A one-use URL opening ``participant_id``'s signing page at the top of the caller's browser, for the
        participant to sign there and then on the caller's device; afterwards the page links back to the
        document's page of the staff app (a path: the signing pages and the staff app share the public
        address)."""
        actor, by, _data = self._staff_in_charge(
            actor, request_id, "Only the requester, the document's owner or a manager can have this request "
                               "signed in person.", InPersonIn(), payload)
        now = utcnow()

        def work(s):
            r = self._lock_open_request(s, request_id, actor["license_id"], now)
            p = self._whose_turn(s, r, participant_id)
            token, expires = self._new_url(s, r, p, actor, now, kind=IN_PERSON_URL, created_by_name=by["name"],
                                           return_url=staff_pages.document_page("", r.contract_id, r.id))
            self._audit(s, r, "in_person_url_issued", by,
                        {"participant_id": p.id, "name": p.name, "expires_at": iso(expires)}, at=now)
            return {"url": f"{self.settings.public_url}/sign/in-person/{token}", "expires_at": iso(expires),
                    "participant_name": p.name}

        return self._unit(work)

    # -- opening it --------------------------------------------------------------------------------------------

    @staticmethod
    def _url_of(s, token: str, kind: str, what: str) -> EmbedToken:
        """The URL of ``token``, of ``kind`` (404 otherwise: an embed URL does not open as an in-person one)."""
        e = None
        if logic.valid_token_shape(token):
            e = s.execute(select(EmbedToken).where(EmbedToken.token_hash == logic.token_hash(token),
                                                   EmbedToken.kind == kind)).scalar_one_or_none()
        if e is None:
            raise NotFound(f"This {what} is not valid.")
        return e

    @staticmethod
    def _open_once(s, e: EmbedToken, r: SignatureRequest, now: datetime, what: str, refuse,
                   check=None) -> Participant:
        """Mark the URL ``e`` opened: once, before it expires, (``check()``: what its kind adds) while the
        request waits for its participant, who is returned. ``refuse(status, message)`` makes the 410 of each
        refusal (status: opened, expired, ended)."""
        if e.opened_at is not None:
            raise refuse("opened", f"This {what} was already opened: ask for a new one.")
        if as_utc(e.expires_at) <= now:
            raise refuse("expired", f"This {what} has expired: ask for a new one.")
        if check is not None:
            check()
        p = s.get(Participant, e.participant_id)
        # not used up on a request that ended or a person who acted or was replaced since it was made
        if r.status not in ACTIVE_STATUSES or p.status not in ("waiting", "pending"):
            raise refuse("ended", "This signing request no longer waits for this person.")
        # one use, even when two openings race (the request row lock serialises them on PostgreSQL)
        if s.execute(update(EmbedToken).where(EmbedToken.id == e.id, EmbedToken.opened_at.is_(None))
                     .values(opened_at=now)).rowcount != 1:
            raise refuse("opened", f"This {what} was already opened: ask for a new one.")
        return p

    @endpoint(write=True)
    def open_embed(self, token, client=None):
        """Open an embedded signing URL (once, before it expires): the participant's signing link token, the
        origin the page reports to and the origins that may frame it."""
        client = client or {}
        now = utcnow()
        what = "embedded signing link"
        with self.db.session() as s:
            e = self._url_of(s, token, EMBED_URL, what)
            r = self._lock(s, e.request_id)
            allowed = embed_origins(s, e.license_id)

            def refuse(status, message):
                # the error page may be framed where the page would have been (by the one origin it was made
                # for, once the request no longer waits for this person)
                return Gone(message, {"embed_status": status,
                                      "frame_ancestors": [e.origin] if status == "ended" else allowed})

            def origin_still_allowed():
                if e.origin not in allowed:
                    raise refuse("revoked", "This origin may no longer frame the signing page.")

            p = self._open_once(s, e, r, now, what, refuse, check=origin_still_allowed)
            self._audit(s, r, "embed_opened", self._who(p), {
                "participant_id": p.id, "origin": e.origin, **_client_seen(client)}, at=now)
            # framed by the one origin the URL was made for, not by every origin of the license; the page
            # acts with this URL's token (for EMBED_SESSION), never with the participant's lasting link
            return {"link_token": token, "origin": e.origin, "frame_ancestors": [e.origin],
                    "return_url": e.return_url, "request_id": r.id, "participant_id": p.id}

    @endpoint(write=True)
    def open_in_person(self, token, client=None):
        """Open an in-person signing URL (once, before it expires) on the device of the member of staff who
        asked for it: the token the page acts with, who that member of staff is and where the page sends the
        device back to (also in a refusal's details: ``back_url``, with the request's ``locale``)."""
        client = client or {}
        now = utcnow()
        what = "in-person signing link"
        with self.db.session() as s:
            e = self._url_of(s, token, IN_PERSON_URL, what)
            r = self._lock(s, e.request_id)

            def refuse(status, message):  # said in the request's language, as its signing page would be
                return Gone(message, {"in_person_status": status, "back_url": e.return_url, "locale": r.locale})

            p = self._open_once(s, e, r, now, what, refuse)
            self._audit(s, r, "in_person_opened", {"type": "user", "id": e.created_by, "name": e.created_by_name},
                        {"participant_id": p.id, "name": p.name, **_client_seen(client)}, at=now)
            return {"link_token": token, "request_id": r.id, "participant_id": p.id, "participant_name": p.name,
                    "started_by_name": e.created_by_name, "back_url": e.return_url}


def _client_seen(client: dict) -> dict:
    """The browser that opened a URL, as the audit trail keeps it."""
    return {"ip": client.get("ip") or None, "user_agent": (client.get("user_agent") or "")[:512] or None}


def _on(url: str, origins: list[str]) -> bool:
    """Is ``url`` on one of ``origins``?"""
    parts = urlsplit(url)
    try:
        return normalize_origin(f"{parts.scheme}://{parts.netloc}") in origins
    except ValueError:  # credentials in the URL, a bad port...
        return False
