"""Email/SMS delivery: the send state machine over the ``notifications`` table.

::

    queued --claim--> sending/claimed --point of no return--> sending/committing --reply--> sent
       ^                   |                                        |
       +---- retryable ----+---------- retryable (in doubt) --------+          permanent --> failed

* **Enqueue** (in the consumer's transaction, with the inbox row): one row per
  ``(channel, dedupe_key)`` — the unique ``delivery_key`` makes a second request a no-op.
* **Claim**: an atomic UPDATE of due rows (``queued`` and due, or ``sending`` whose lease
  expired) sets ``sending``, a fresh ``claim_token`` and ``lease_until``; on PostgreSQL the
  candidates are selected ``FOR UPDATE SKIP LOCKED`` so replicas never pick the same row.
* **Heartbeat**: while a claimed batch is being sent, its leases are renewed every third of the lease
  (``send_lease``, 10 s by default), so a live sender keeps its rows however slow the SMTP server is
  (up to ``attempt_timeout``), and a dead sender's rows are resumed one short lease after it died.
* **Point of no return**: right before the SMTP end-of-DATA (or the SMS API call) the row is moved
  to phase ``committing`` by an UPDATE guarded by the claim token (fencing: a sender that lost its
  row stops here, before anything can be delivered) which also renews the lease.
* **Finish**: ``sent`` (vars cleared: they may hold single-use links), ``failed``, or ``queued``
  again with a jittered backoff.

A sender that dies leaves its row in ``sending`` until the lease expires; the next claim then
knows from ``phase`` whether the message may have left: ``claimed`` -> it did not (an SMTP server
never delivers a message whose DATA was not terminated), send it normally; ``committing`` -> it
may have: send it again with the **same Message-ID** (SMS: same provider reference) and count it
in ``in_doubt_resends``. Receivers that deduplicate on Message-ID (the mail sink, most mail
clients) therefore show every notification exactly once, and no notification is ever lost.
One attempt is bounded by ``attempt_timeout``; the heartbeat, not the attempt's length, keeps the row.
"""
from __future__ import annotations

import base64
import binascii
import logging
import uuid
from contextlib import contextmanager
from datetime import timedelta
from email.utils import parseaddr

import eventlet
from eventlet.event import Event
from sqlalchemy import and_, case, or_, select, update
from sqlalchemy.exc import IntegrityError

from paraph_platform.db import utcnow

from . import logic, templates, time_zones
from .channels import DeliveryError, LostClaim, build_email
from .models import Notification, NotificationTemplate

log = logging.getLogger(__name__)

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
# the key under which a request's own subject (notification.requested.v1 ``subject``) is kept with the row's
# variables: the salesperson's wording replaces the template's subject as plain text, never rendered as a template
SUBJECT_OVERRIDE = "_subject"
# the key under which the display name of a customer's email's From is kept with the row's variables: the company
# the customer deals with (template_catalog.CUSTOMER_TEMPLATES), the address staying the platform's sender
FROM_NAME = "_from_name"
DEFAULT_CONTENT_TYPES = {"contract_pdf": "application/pdf", "signed_pdf": "application/pdf", "proof": "application/pdf"}


class AttachmentUnavailable(Exception):
    pass


def decode_attachment(result, spec: dict) -> dict:
    """An RPC result (base64 string, or a dict with content_base64 — what contracts.get_pdf and
    signing.get_signed_pdf/get_proof return — or content_b64/content) -> attachment dict."""
    content_type = DEFAULT_CONTENT_TYPES.get(spec.get("kind"), "application/octet-stream")
    filename = spec.get("filename")
    if isinstance(result, dict):
        raw = next((result.get(k) for k in ("content_base64", "content_b64", "content", "data", "pdf", "base64")
                    if isinstance(result.get(k), str)), None)
        content_type = result.get("content_type") or result.get("mimetype") or content_type
        filename = filename or result.get("filename")
    else:
        raw = result
    if not isinstance(raw, str) or not raw:
        raise AttachmentUnavailable("empty or unrecognised answer")
    try:
        content = base64.b64decode(raw, validate=False)
    except (binascii.Error, ValueError):
        raise AttachmentUnavailable("content is not base64") from None
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise AttachmentUnavailable(f"larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB")
    ext = ".pdf" if content_type == "application/pdf" else ".zip" if "zip" in content_type else ""
    return {"content": content, "content_type": content_type,
            "filename": filename or f"{spec.get('kind', 'document')}-{spec.get('id', '')}{ext}"}


def effective_parts(session, license_id: str | None, name: str, locale: str) -> tuple[dict, NotificationTemplate | None]:
    locale = locale if locale in templates.LOCALES else templates.DEFAULT_LOCALE
    row = None
    if license_id:
        row = session.execute(select(NotificationTemplate).where(
            NotificationTemplate.license_id == license_id, NotificationTemplate.name == name,
            NotificationTemplate.locale == locale)).scalar_one_or_none()
    if row is None:
        return templates.default_parts(name, locale), None
    return {"subject": row.subject, "text": row.text, "html": row.html, "sms": row.sms}, row


class Deliverer:
    def __init__(self, db, settings, channels, fetch_attachment=None):
        self.db = db
        self.settings = settings
        self.channels = channels
        self.fetch_attachment = fetch_attachment

    # -- enqueue --------------------------------------------------------------------------------

    def enqueue(self, session, *, license_id, channel, template, locale, recipient, recipient_name=None,
                user_id=None, customer_id=None, variables=None, attachments=None, dedupe_key, event=None,
                error=None) -> Notification | None:
        """Add a notification in the caller's transaction; None when this (channel, dedupe_key) exists."""
        dedupe_key = logic.effective_dedupe_key(template, dedupe_key, license_id, recipient, variables)
        key = logic.delivery_key(channel, dedupe_key)
        if session.execute(select(Notification.id).where(Notification.delivery_key == key)).first():
            return None
        now = utcnow()
        row = Notification(
            license_id=license_id, channel=channel, template=template,
            locale=locale if locale in templates.LOCALES else templates.DEFAULT_LOCALE,
            recipient=(recipient or "")[:320], recipient_name=(recipient_name or None) and recipient_name[:200],
            user_id=user_id, customer_id=(customer_id or None) and customer_id[:36],
            status="failed" if error else "queued", attempts=0, next_attempt_at=now,
            message_id=logic.message_id(dedupe_key, self.settings.mail_domain) if channel == "email" else None,
            vars=None if error else dict(variables or {}), attachments=list(attachments or []) or None,
            event_id=(event or {}).get("id"), event_type=(event or {}).get("type"), source=(event or {}).get("source"),
            dedupe_key=dedupe_key[:300], delivery_key=key, error=error, created_at=now, updated_at=now)
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:  # a concurrent request with the same key won
            return None
        return row

    # -- claim ----------------------------------------------------------------------------------

    def _due(self, now):
        N = Notification
        return or_(and_(N.status == "queued", N.next_attempt_at <= now),
                   and_(N.status == "sending", N.lease_until < now))

    def claim(self, ids=None, limit: int | None = None) -> list[Notification]:
        N = Notification
        now = utcnow()
        with self.db.session() as s:
            q = select(N.id).where(self._due(now))
            if ids is not None:
                if not ids:
                    return []
                q = q.where(N.id.in_(list(ids)))
            q = q.order_by(N.next_attempt_at).limit(limit or self.settings.batch)
            if self.db.dialect == "postgresql":
                q = q.with_for_update(skip_locked=True)
            candidates = list(s.execute(q).scalars())
            if not candidates:
                return []
            token = str(uuid.uuid4())
            s.execute(update(N).where(N.id.in_(candidates), self._due(now)).values(
                status="sending", claim_token=token, lease_until=now + timedelta(seconds=self.settings.send_lease),
                attempts=N.attempts + 1,
                in_doubt_resends=N.in_doubt_resends + case((N.phase == "committing", 1), else_=0),
                phase="claimed", updated_at=now).execution_options(synchronize_session=False))
            rows = list(s.execute(select(N).where(N.id.in_(candidates), N.claim_token == token)).scalars())
            for row in rows:
                if row.in_doubt_resends and row.attempts > 1:
                    log.info("notify: %s %s may already have been delivered; sending again as %s",
                             row.channel, row.id, row.message_id or row.delivery_key)
            return rows

    # -- leases -----------------------------------------------------------------------------------

    def send(self, rows: list[Notification], run, limit: int):
        """Attempt the claimed ``rows`` with ``run(fn, items, limit)`` (the ``Concurrent`` dependency) while
        their leases are renewed, so rows waiting for a free slot keep their lease too."""
        with self._leases_renewed(rows):
            run(self.attempt, rows, limit)

    @contextmanager
    def _leases_renewed(self, rows: list[Notification]):
        tokens = sorted({row.claim_token for row in rows if row.claim_token})
        if not tokens:
            yield
            return
        done = Event()
        # a plain green thread, stopped by ``done`` rather than killed: killing it in the middle of its
        # UPDATE would leave a database connection half-used
        eventlet.spawn(self._renew_leases, tokens, done)
        try:
            yield
        finally:
            done.send(True)

    def _renew_leases(self, tokens: list[str], done: Event):
        """Push ``lease_until`` forward every third of the lease for the rows still held by these claims (a
        finished row has no claim token any more, one taken over has another: both drop out by themselves)."""
        N = Notification
        lease = self.settings.send_lease
        while done.wait(lease / 3) is None:
            try:
                with self.db.session() as s:
                    held = s.execute(update(N).where(N.claim_token.in_(tokens), N.status == "sending")
                                     .values(lease_until=utcnow() + timedelta(seconds=lease))
                                     .execution_options(synchronize_session=False)).rowcount
            except Exception:  # noqa: BLE001 - a database hiccup: try again at the next beat
                log.warning("notify: could not renew send leases; retrying in %.1fs", lease / 3, exc_info=True)
                continue
            if not held:
                return

    # -- state changes (all fenced by the claim token) ----------------------------------------

    def _update(self, row: Notification, **values) -> bool:
        N = Notification
        values.setdefault("updated_at", utcnow())
        with self.db.session() as s:
            result = s.execute(update(N).where(N.id == row.id, N.claim_token == row.claim_token,
                                               N.status == "sending").values(**values)
                               .execution_options(synchronize_session=False))
            return result.rowcount == 1

    def _point_of_no_return(self, row: Notification, state: dict):
        ok = self._update(row, phase="committing",
                          lease_until=utcnow() + timedelta(seconds=self.settings.send_lease))
        if not ok:
            raise LostClaim(f"notification {row.id} was taken over by another sender")
        state["committed"] = True

    def _sent(self, row, provider_id, subject, warnings):
        if not self._update(row, status="sent", phase=None, claim_token=None, lease_until=None, sent_at=utcnow(),
                            provider_id=(provider_id or "")[:200] or None, subject=subject, error=None,
                            warnings=warnings or None, vars=None, next_attempt_at=None):
            log.warning("notify: %s was sent but another sender owns its row now", row.id)

    def _fail(self, row, error, subject=None):
        self._update(row, status="failed", phase=None, claim_token=None, lease_until=None, error=error[:2000],
                     vars=None, next_attempt_at=None, **({"subject": subject} if subject else {}))

    def _retry(self, row, error, in_doubt: bool):
        delay = logic.retry_delay(self.settings.notify_schedule, row.attempts)
        if delay is None:
            suffix = " (it may have been delivered)" if in_doubt else ""
            self._fail(row, f"gave up after {row.attempts} attempts: {error}{suffix}")
            return
        self._update(row, status="queued", phase="committing" if in_doubt else None, claim_token=None,
                     lease_until=None, error=error[:2000], next_attempt_at=utcnow() + timedelta(seconds=delay))

    # -- one attempt ----------------------------------------------------------------------------

    def attempt(self, row: Notification):
        state = {"committed": False}
        timeout = eventlet.Timeout(self.settings.attempt_timeout)
        try:
            self._attempt(row, state)
        except eventlet.Timeout as exc:
            if exc is not timeout:
                raise
            self._retry(row, f"the attempt took longer than {self.settings.attempt_timeout:.0f}s",
                        in_doubt=state["committed"])
        except LostClaim as exc:
            log.warning("notify: %s", exc)
        except Exception as exc:  # noqa: BLE001 - never leave a row claimed on a bug; retry later
            log.exception("notify: unexpected error sending %s", row.id)
            self._retry(row, f"internal error: {type(exc).__name__}: {exc}", in_doubt=state["committed"])
        finally:
            timeout.cancel()

    def _attempt(self, row: Notification, state: dict):
        with self.db.session() as s:
            parts, saved = effective_parts(s, row.license_id, row.template, row.locale)
            zone = time_zones.of_license(s, row.license_id)
            country = time_zones.country_of_license(s, row.license_id)  # the order its dates are written in
        variables = dict(row.vars or {})
        variables.setdefault("name", row.recipient_name or "")
        if saved is not None and not variables["name"]:
            # Paraph's own wording greets someone with no name known by "Bonjour,"; a template the license saved
            # may say "Bonjour {{ name }}," as the wording did when a name always stood there: its address, then
            variables["name"] = row.recipient
        try:
            rendered = templates.render(row.template, row.locale, parts, variables, zone, country)
        except templates.RenderError as exc:
            self._fail(row, f"template {row.template}/{row.locale} cannot be rendered: {exc}")
            return
        if variables.get(SUBJECT_OVERRIDE):
            rendered["subject"] = " ".join(str(variables[SUBJECT_OVERRIDE]).split())[:998]
        if row.channel == "sms":
            # the log keeps the SMS text with its secrets (one-time codes) masked; the phone gets them
            logged = templates.render(row.template, row.locale, parts, templates.masked(row.template, variables), zone,
                                      country)
            self._send_sms(row, rendered, logged["sms"], state)
        else:
            self._send_email(row, rendered, state)

    def _attachments(self, row: Notification):
        specs = row.attachments or []
        if not specs:
            return [], [], None
        files, problems = [], []
        for spec in specs:
            try:
                if self.fetch_attachment is None:
                    raise AttachmentUnavailable("no attachment source")
                files.append(decode_attachment(self.fetch_attachment(row.license_id, spec), spec))
            except Exception as exc:  # noqa: BLE001 - Unavailable, DeadlineExceeded, NotFound, remote errors
                problems.append(f"{spec.get('kind')} {spec.get('id')}: {getattr(exc, 'message', None) or exc}")
        if problems and row.attempts < self.settings.attachment_attempts:
            return None, None, "attachment not available yet: " + "; ".join(problems)
        return files, [f"sent without attachment {p}" for p in problems], None

    def _send_email(self, row: Notification, rendered: dict, state: dict):
        if not logic.looks_like_email(row.recipient):
            self._fail(row, f"not a valid email address: {row.recipient!r}", rendered["subject"])
            return
        files, warnings, wait = self._attachments(row)
        if wait:
            self._retry(row, wait, in_doubt=False)
            return
        variables = row.vars or {}
        reply_to = variables.get("reply_to") if logic.looks_like_email(variables.get("reply_to")) else None
        message = build_email(mail_from=logic.sender_named(self.settings.mail_from, variables.get(FROM_NAME)),
                              to=row.recipient, to_name=row.recipient_name,
                              subject=rendered["subject"], text=rendered["text"], html=rendered["html"],
                              message_id=row.message_id, reply_to=reply_to, attachments=files,
                              headers={"X-Paraph-Template": row.template, "X-Paraph-Notification": row.id})
        sender = parseaddr(self.settings.mail_from)[1] or f"no-reply@{self.settings.mail_domain}"
        try:
            self.channels.mailer.send(message, sender, [row.recipient],
                                      before_commit=lambda: self._point_of_no_return(row, state))
        except DeliveryError as exc:
            if exc.permanent:
                self._fail(row, exc.message, rendered["subject"])
            else:
                self._retry(row, exc.message, in_doubt=exc.in_doubt)
            return
        self._sent(row, row.message_id, rendered["subject"], warnings)

    def _send_sms(self, row: Notification, rendered: dict, logged_text: str, state: dict):
        phone, refused = logic.sms_recipient(row.recipient)  # E.164 since enqueued; rows queued before, not always
        if not phone:
            self._fail(row, refused)
            return
        self._point_of_no_return(row, state)
        try:
            provider_id = self.channels.sms.send(phone, rendered["sms"], idempotency_key=row.delivery_key)
        except DeliveryError as exc:
            if exc.permanent:
                self._fail(row, exc.message)
            else:
                self._retry(row, exc.message, in_doubt=exc.in_doubt)
            return
        self._sent(row, provider_id, logged_text[:200], None)
