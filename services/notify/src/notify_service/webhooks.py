"""Webhooks for integrators: fan-out of public events to subscriptions, signed delivery with
retries, automatic disabling, replays.

Delivery is at least once: a crash between the POST and recording its result means the POST is
made again (same ``Webhook-Id``), so receivers deduplicate on ``Webhook-Id``.
"""
from __future__ import annotations

import logging
import time
import uuid
from datetime import timedelta

from sqlalchemy import and_, func, or_, select, update

from paraph_platform.db import utcnow
from paraph_platform.envelope import iso

from . import logic
from .channels import HttpResult
from .models import WebhookDelivery, WebhookSubscription

log = logging.getLogger(__name__)

MAX_ATTEMPT_LOG = 25


def subscription_secrets(sub: WebhookSubscription, now) -> list[str]:
    """The current secret, plus the previous one during a rotation's grace period."""
    out = [sub.secret]
    if sub.previous_secret and sub.previous_secret_expires_at and sub.previous_secret_expires_at > now:
        out.append(sub.previous_secret)
    return out


class WebhookEngine:
    def __init__(self, db, settings, client, outbox=None):
        self.db = db
        self.settings = settings
        self.client = client
        self.outbox = outbox

    # -- fan-out --------------------------------------------------------------------------------

    def has_subscriptions(self, session, license_id: str) -> bool:
        return session.execute(select(WebhookSubscription.id).where(
            WebhookSubscription.license_id == license_id).limit(1)).first() is not None

    def fanout(self, session, event: dict) -> int:
        """Create one delivery per matching subscription of the event's license (in the caller's
        transaction). Disabled subscriptions get a ``failed`` row ("endpoint disabled") so that a
        replay after re-enabling recovers what they missed."""
        now = utcnow()
        created = 0
        subs = session.execute(select(WebhookSubscription).where(
            WebhookSubscription.license_id == event["license_id"])).scalars().all()
        for sub in subs:
            if not logic.subscription_matches(sub.event_types, event["type"]):
                continue
            key = f"{sub.id}:{event['id']}"
            if session.execute(select(WebhookDelivery.id).where(WebhookDelivery.dedupe_key == key)).first():
                continue
            session.add(WebhookDelivery(
                subscription_id=sub.id, license_id=sub.license_id, event_id=event["id"], event_type=event["type"],
                payload=event, status="pending" if sub.enabled else "failed", attempts=0, next_attempt_at=now,
                error=None if sub.enabled else "endpoint disabled", dedupe_key=key, created_at=now))
            created += 1
        return created

    @staticmethod
    def deliver_to(session, sub: WebhookSubscription, event: dict) -> WebhookDelivery:
        """One pending delivery of ``event`` to ``sub`` whatever its event types (a test delivery)."""
        now = utcnow()
        delivery = WebhookDelivery(
            subscription_id=sub.id, license_id=sub.license_id, event_id=event["id"], event_type=event["type"],
            payload=event, status="pending", attempts=0, next_attempt_at=now,
            dedupe_key=f"{sub.id}:{event['id']}", created_at=now)
        session.add(delivery)
        session.flush()
        return delivery

    # -- claim and send -------------------------------------------------------------------------

    def _due(self, now):
        D = WebhookDelivery
        return or_(and_(D.status == "pending", D.next_attempt_at <= now),
                   and_(D.status == "sending", D.lease_until < now))

    def claim(self, limit: int | None = None) -> list[dict]:
        D, S = WebhookDelivery, WebhookSubscription
        now = utcnow()
        with self.db.session() as s:
            q = (select(D.id).join(S, S.id == D.subscription_id).where(self._due(now), S.enabled.is_(True))
                 .order_by(D.next_attempt_at).limit(limit or self.settings.batch))
            if self.db.dialect == "postgresql":
                q = q.with_for_update(skip_locked=True, of=D)
            ids = list(s.execute(q).scalars())
            if not ids:
                return []
            token = str(uuid.uuid4())
            s.execute(update(D).where(D.id.in_(ids), self._due(now)).values(
                status="sending", claim_token=token, attempts=D.attempts + 1,
                lease_until=now + timedelta(seconds=self.settings.webhook_lease),
                first_attempt_at=func.coalesce(D.first_attempt_at, now), last_attempt_at=now)
                .execution_options(synchronize_session=False))
            rows = s.execute(select(D, S).join(S, S.id == D.subscription_id)
                             .where(D.id.in_(ids), D.claim_token == token)).all()
            return [{"id": d.id, "token": token, "attempts": d.attempts, "payload": d.payload, "url": sub.url,
                     "secrets": subscription_secrets(sub, now), "subscription_id": sub.id}
                    for d, sub in rows]

    def attempt(self, item: dict) -> HttpResult:
        body = logic.webhook_body(item["payload"])
        headers = logic.webhook_headers(item["payload"], body, item["secrets"], int(time.time()))
        result = self.client.post(item["url"], body, headers)
        self.record(item, result)
        return result

    def record(self, item: dict, result: HttpResult):
        D, S = WebhookDelivery, WebhookSubscription
        now = utcnow()
        with self.db.session() as s:
            q = select(S).where(S.id == item["subscription_id"])
            if self.db.dialect == "postgresql":
                q = q.with_for_update()
            sub = s.execute(q).scalar_one_or_none()
            d = s.get(D, item["id"])
            if sub is None or d is None or d.claim_token != item["token"]:
                log.warning("webhooks: delivery %s changed hands; result dropped", item["id"])
                return
            entry = {"attempt": d.attempts, "at": iso(d.last_attempt_at or now), "status": result.status,
                     "error": result.error, "duration_ms": result.duration_ms}
            d.attempt_log = ((d.attempt_log or []) + [entry])[-MAX_ATTEMPT_LOG:]
            d.response_status, d.duration_ms = result.status, result.duration_ms
            d.response_body = logic.truncate(result.body, 2048)
            d.claim_token, d.lease_until = None, None
            if result.ok:
                d.status, d.succeeded_at, d.error, d.next_attempt_at = "succeeded", now, None, None
                sub.consecutive_failures = 0
                sub.failed_deliveries_in_a_row = 0
                sub.failing_since = None
                sub.last_success_at = now
                return
            d.error = result.error
            attempt_started = d.last_attempt_at or now
            sub.consecutive_failures += 1
            sub.failing_since = min(sub.failing_since, attempt_started) if sub.failing_since else attempt_started
            sub.last_failure_at, sub.last_error = now, result.error
            delay = logic.retry_delay(self.settings.webhook_schedule, d.attempts)
            if delay is not None:
                d.status, d.next_attempt_at = "pending", now + timedelta(seconds=delay)
                return
            d.status, d.next_attempt_at = "failed", None
            sub.failed_deliveries_in_a_row += 1
            continuous = sub.failing_since is not None and d.first_attempt_at is not None \
                and sub.failing_since <= d.first_attempt_at
            limit = self.settings.webhook_disable_after_failed_deliveries
            if sub.enabled and (continuous or (limit > 0 and sub.failed_deliveries_in_a_row >= limit)):
                reason = (f"every attempt failed since {iso(sub.failing_since)} (the whole retry schedule)"
                          if continuous else f"{sub.failed_deliveries_in_a_row} deliveries failed in a row")
                self.disable(s, sub, reason, now)

    def disable(self, session, sub: WebhookSubscription, reason: str, now):
        D = WebhookDelivery
        sub.enabled = False
        sub.disabled_at = now
        sub.disabled_reason = reason
        sub.updated_at = now
        sub.version += 1
        session.execute(update(D).where(D.subscription_id == sub.id, D.status == "pending")
                        .values(status="failed", error="endpoint disabled", next_attempt_at=None)
                        .execution_options(synchronize_session=False))
        log.warning("webhooks: %s (%s) disabled: %s", sub.id, sub.url, reason)
        if self.outbox is not None:
            self.outbox.add(session, "webhook.endpoint_disabled.v1", {
                "webhook_id": sub.id, "url": sub.url, "reason": reason, "disabled_at": iso(now),
                "failing_since": iso(sub.failing_since), "last_error": sub.last_error,
                "consecutive_failures": sub.consecutive_failures,
            }, subject=sub.id, license_id=sub.license_id)

    # -- replays --------------------------------------------------------------------------------

    @staticmethod
    def replay(session, original: WebhookDelivery) -> WebhookDelivery:
        """A new delivery of the same event (same payload, same Webhook-Id)."""
        now = utcnow()
        copy = WebhookDelivery(
            subscription_id=original.subscription_id, license_id=original.license_id, event_id=original.event_id,
            event_type=original.event_type, payload=original.payload, status="pending", attempts=0,
            next_attempt_at=now, replay_of=original.id,
            dedupe_key=f"{original.subscription_id}:{original.event_id}:replay:{uuid.uuid4()}", created_at=now)
        session.add(copy)
        session.flush()
        return copy

    def replay_failed(self, session, sub: WebhookSubscription, since, until=None, limit: int = 1000) -> list[str]:
        """Replay the failed deliveries created in [since, until) whose event was never delivered
        (no succeeded, pending or in-flight delivery of the same event id)."""
        D = WebhookDelivery
        q = select(D).where(D.subscription_id == sub.id, D.status == "failed", D.created_at >= since)
        if until is not None:
            q = q.where(D.created_at < until)
        failed = session.execute(q.order_by(D.created_at)).scalars().all()
        if not failed:
            return []
        event_ids = sorted({d.event_id for d in failed})
        settled = set()
        for chunk in range(0, len(event_ids), 500):
            settled.update(session.execute(select(D.event_id).where(
                D.subscription_id == sub.id, D.event_id.in_(event_ids[chunk:chunk + 500]),
                D.status.in_(("succeeded", "pending", "sending")))).scalars())
        latest: dict[str, WebhookDelivery] = {}
        for d in failed:
            if d.event_id not in settled:
                latest[d.event_id] = d
        created = []
        for d in list(latest.values())[:limit]:
            created.append(self.replay(session, d).id)
        return created
