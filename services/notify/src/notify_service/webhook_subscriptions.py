"""Webhook subscriptions: a license's webhook endpoints (create, list, update, delete, rotate the secret),
their deliveries (list, replay, test), the fan-out of every public event of every producer to them, the
timer that posts the deliveries, and the email to the license admins when an endpoint gets disabled. The
delivery machinery itself (signing, retries, disabling, replays) is ``WebhookEngine`` in webhooks.py.
"""
from __future__ import annotations

from datetime import timedelta

from nameko.timer import timer
from sqlalchemy import delete, func, select

from paraph_platform.actor import LICENSE_ADMIN, load_actor, require_role, system_actor
from paraph_platform.db import utcnow
from paraph_platform.envelope import iso, make_event
from paraph_platform.events import subscribe, subscribe_to
from paraph_platform.inbox import first_time
from paraph_platform.pagination import Ordering, keyset_page, page_result
from paraph_platform.service import endpoint

from . import logic, schemas
from .base import ADMINS, POLL_INTERVAL, NotifyBase
from .exceptions import Conflict, InvalidInput, NotFound
from .models import Inbox, WebhookDelivery, WebhookSubscription
from .webhooks import WebhookEngine

# a webhook's deliveries, newest first, ending with the unique id (the cursor's keyset; index
# (subscription_id, created_at, id) of migration 5d1f0c2a7e41, read backwards)
DELIVERIES_ORDER = [Ordering(WebhookDelivery.created_at, descending=True),
                    Ordering(WebhookDelivery.id, descending=True)]


def webhook_view(sub: WebhookSubscription, secret: str | None = None) -> dict:
    view = {"id": sub.id, "url": sub.url, "description": sub.description, "event_types": list(sub.event_types),
            "enabled": sub.enabled, "disabled_at": iso(sub.disabled_at), "disabled_reason": sub.disabled_reason,
            "consecutive_failures": sub.consecutive_failures,
            "failed_deliveries_in_a_row": sub.failed_deliveries_in_a_row, "failing_since": iso(sub.failing_since),
            "last_success_at": iso(sub.last_success_at), "last_failure_at": iso(sub.last_failure_at),
            "last_error": sub.last_error, "previous_secret_expires_at": iso(sub.previous_secret_expires_at),
            "created_by": sub.created_by, "created_at": iso(sub.created_at), "updated_at": iso(sub.updated_at)}
    if secret is not None:
        view["secret"] = secret
    return view


def delivery_view(d: WebhookDelivery, payload: bool = False) -> dict:
    view = {"id": d.id, "webhook_id": d.subscription_id, "event_id": d.event_id, "event_type": d.event_type,
            "status": d.status, "attempts": d.attempts, "next_attempt_at": iso(d.next_attempt_at),
            "first_attempt_at": iso(d.first_attempt_at), "last_attempt_at": iso(d.last_attempt_at),
            "response_status": d.response_status, "response_body": d.response_body, "duration_ms": d.duration_ms,
            "error": d.error, "attempt_log": d.attempt_log or [], "replay_of": d.replay_of,
            "created_at": iso(d.created_at), "succeeded_at": iso(d.succeeded_at)}
    if payload:
        view["payload"] = d.payload
    return view


class WebhookSubscriptionsEndpoints(NotifyBase):
    """The webhooks RPC API, the fan-out of every public event and the webhook delivery timer."""

    def _webhooks(self) -> WebhookEngine:
        return WebhookEngine(self.db, self.settings, self.channels.webhooks, self.outbox)

    # -- webhooks: every public event of every producer --------------------------------------

    on_identity_event = subscribe_to("_fanout", "identity", "#")
    on_perimeter_event = subscribe_to("_fanout", "perimeter", "#")
    on_signing_event = subscribe_to("_fanout", "signing", "#")
    on_portal_event = subscribe_to("_fanout", "portal", "#")
    on_notify_event = subscribe_to("_fanout", "notify", "#")

    @subscribe("contracts", "#")
    def on_contracts_event(self, event):
        # contracts publishes no notification request today; if it does, they arrive on this queue
        # (a dedicated subscription to an event a producer never publishes is refused by tests/contract)
        # and go to NotificationsEndpoints._notification_requested (notifications.py)
        if event["type"] == "notification.requested.v1":
            self._notification_requested(event)
            return
        self._fanout(event)

    def _fanout(self, event: dict):
        if event["type"] in logic.INTERNAL_EVENT_TYPES or not event.get("license_id"):
            return
        engine = self._webhooks()
        with self.db.session() as s:
            if not engine.has_subscriptions(s, event["license_id"]):
                return
            if not first_time(s, Inbox, event["id"], "notify.webhooks"):
                return
            engine.fanout(s, event)

    @subscribe("notify", "webhook.endpoint_disabled.v1")
    def on_webhook_disabled(self, event):
        """Tell the license admins by email that an endpoint was disabled."""
        consumer = "notify.webhook_disabled"
        with self.db.session() as s:
            if self._seen(s, event["id"], consumer):
                return
        license_id = event["license_id"]
        admins = self.identity.list_users(system_actor(license_id), {"role": LICENSE_ADMIN, "status": "active",
                                                                     "limit": 200})["items"]
        license_name = self._license_name(license_id)
        data = event["data"]
        ids = []
        with self.db.session() as s:
            if not first_time(s, Inbox, event["id"], consumer):
                return
            for admin in admins:
                row = self._deliverer().enqueue(
                    s, license_id=license_id, channel="email", template="webhook_disabled",
                    locale=admin.get("locale") or "fr", recipient=admin["email"], recipient_name=admin.get("name"),
                    user_id=admin["user_id"],
                    variables={"name": admin.get("name") or admin["email"], "license_name": license_name,
                               "webhook_url": data.get("url", ""), "webhook_id": data.get("webhook_id", ""),
                               "reason": data.get("reason", ""), "last_error": data.get("last_error") or "",
                               "disabled_at": data.get("disabled_at", ""), "link": self.settings.webhooks_url},
                    dedupe_key=f"webhook_disabled:{event['id']}:{admin['user_id']}", event=event)
                if row is not None:
                    ids.append(row.id)
        self._send_now(ids)

    # -- delivery timer -----------------------------------------------------------------------

    @timer(interval=POLL_INTERVAL)
    def deliver_webhooks(self):
        engine = self._webhooks()
        items = engine.claim(limit=self.settings.batch)
        if items:
            self.concurrent(engine.attempt, items, self.settings.concurrency)

    # -- webhooks API -------------------------------------------------------------------------

    def _subscription(self, s, actor, webhook_id, lock: bool = False) -> WebhookSubscription:
        q = select(WebhookSubscription).where(WebhookSubscription.id == str(webhook_id),
                                              WebhookSubscription.license_id == actor["license_id"])
        if lock and self.db.dialect == "postgresql":
            q = q.with_for_update()
        sub = s.execute(q).scalar_one_or_none()
        if sub is None:
            raise NotFound("Webhook not found.")
        return sub

    @endpoint
    def webhook_event_types(self, actor):
        require_role(load_actor(actor), *ADMINS)
        st = self.settings
        return {
            "event_types": [{"type": t, "source": src, "description": desc}
                            for t, (src, desc) in sorted(logic.PUBLIC_EVENT_TYPES.items())],
            "wildcard": logic.WILDCARD,
            "delivery": {
                "method": "POST", "content_type": "application/json", "body": "the event envelope",
                "retry_schedule_seconds": list(st.webhook_schedule),
                "jitter": "full: retry n waits a random time in [0, retry_schedule_seconds[n]]",
                "max_attempts": logic.max_attempts(st.webhook_schedule),
                "timeout_seconds": st.webhook_timeout, "redirects": "not followed",
                "disable_after": "a delivery failing for the whole schedule with no success in between, or "
                                 f"{st.webhook_disable_after_failed_deliveries} failed deliveries in a row",
                "headers": ["Webhook-Id", "Webhook-Timestamp", "Webhook-Signature", "Paraph-Event-Type"],
                "test_event": f"{logic.TEST_EVENT_TYPE} (POST /webhooks/<id>/test), whatever the event types",
                "signature": "Webhook-Signature: v1,<base64(HMAC-SHA256(key, '<Webhook-Id>.<Webhook-Timestamp>.<body>'))>; "
                             "key = base64-decoded secret after 'whsec_'; several space-separated signatures during a "
                             "secret rotation",
            },
        }

    @endpoint(write=True)
    def create_webhook(self, actor, payload):
        actor = require_role(load_actor(actor), *ADMINS)
        data = schemas.WebhookIn().load(payload)
        url = logic.validate_webhook_url(data["url"], self.settings.webhook_allow_private)
        event_types = logic.validate_event_types(data["event_types"])
        secret = logic.new_webhook_secret()
        now = utcnow()
        with self.db.session() as s:
            count = s.execute(select(func.count()).select_from(WebhookSubscription).where(
                WebhookSubscription.license_id == actor["license_id"])).scalar_one()
            if count >= 50:
                raise Conflict("A license can have at most 50 webhooks.")
            sub = WebhookSubscription(license_id=actor["license_id"], url=url, description=data["description"],
                                      event_types=event_types, secret=secret, enabled=data["enabled"],
                                      disabled_at=None if data["enabled"] else now,
                                      disabled_reason=None if data["enabled"] else "created disabled",
                                      created_by=actor["user_id"], created_at=now, updated_at=now)
            s.add(sub)
            s.flush()
            return webhook_view(sub, secret=secret)

    @endpoint
    def list_webhooks(self, actor):
        actor = require_role(load_actor(actor), *ADMINS)
        with self.db.session() as s:
            return [webhook_view(w) for w in s.execute(select(WebhookSubscription).where(
                WebhookSubscription.license_id == actor["license_id"]).order_by(WebhookSubscription.created_at))
                .scalars()]

    @endpoint
    def get_webhook(self, actor, webhook_id):
        actor = require_role(load_actor(actor), *ADMINS)
        with self.db.session() as s:
            return webhook_view(self._subscription(s, actor, webhook_id))

    @endpoint(write=True)
    def update_webhook(self, actor, webhook_id, payload):
        actor = require_role(load_actor(actor), *ADMINS)
        data = schemas.WebhookPatch().load(payload)
        if "url" in data:
            data["url"] = logic.validate_webhook_url(data["url"], self.settings.webhook_allow_private)
        if "event_types" in data:
            data["event_types"] = logic.validate_event_types(data["event_types"])
        now = utcnow()
        with self.db.session() as s:
            sub = self._subscription(s, actor, webhook_id, lock=True)
            for key in ("url", "description", "event_types"):
                if key in data:
                    setattr(sub, key, data[key])
            if "enabled" in data and data["enabled"] != sub.enabled:
                sub.enabled = data["enabled"]
                if sub.enabled:  # a fresh start: counters reset
                    sub.disabled_at = sub.disabled_reason = None
                    sub.consecutive_failures = sub.failed_deliveries_in_a_row = 0
                    sub.failing_since = None
                else:
                    sub.disabled_at, sub.disabled_reason = now, f"disabled by {actor.get('email') or actor['user_id']}"
                    s.execute(WebhookDelivery.__table__.update().where(
                        WebhookDelivery.subscription_id == sub.id, WebhookDelivery.status == "pending")
                        .values(status="failed", error="endpoint disabled", next_attempt_at=None))
            sub.updated_at = now
            sub.version += 1
            return webhook_view(sub)

    @endpoint(write=True)
    def delete_webhook(self, actor, webhook_id):
        actor = require_role(load_actor(actor), *ADMINS)
        with self.db.session() as s:
            sub = self._subscription(s, actor, webhook_id, lock=True)
            s.execute(delete(WebhookDelivery).where(WebhookDelivery.subscription_id == sub.id))
            s.delete(sub)
        return {"deleted": True, "id": str(webhook_id)}

    @endpoint(write=True)
    def rotate_webhook_secret(self, actor, webhook_id, payload=None):
        actor = require_role(load_actor(actor), *ADMINS)
        data = schemas.RotateIn().load(payload or {})
        grace = self.settings.webhook_secret_grace if data["grace_seconds"] is None else data["grace_seconds"]
        now = utcnow()
        secret = logic.new_webhook_secret()
        with self.db.session() as s:
            sub = self._subscription(s, actor, webhook_id, lock=True)
            if grace > 0:
                sub.previous_secret, sub.previous_secret_expires_at = sub.secret, now + timedelta(seconds=grace)
            else:
                sub.previous_secret = sub.previous_secret_expires_at = None
            sub.secret = secret
            sub.updated_at = now
            sub.version += 1
            return webhook_view(sub, secret=secret)

    @endpoint
    def list_webhook_deliveries(self, actor, webhook_id, query=None):
        actor = require_role(load_actor(actor), *ADMINS)
        p = schemas.DeliveryQuery().load(query or {})
        D = WebhookDelivery
        with self.db.session() as s:
            sub = self._subscription(s, actor, webhook_id)
            q = select(D).where(D.subscription_id == sub.id)
            for key in ("status", "event_type", "event_id"):
                if p[key]:
                    q = q.where(getattr(D, key) == p[key])
            if p["since"]:
                q = q.where(D.created_at >= p["since"])
            page = keyset_page(s, q, DELIVERIES_ORDER, limit=p["limit"], cursor=p["cursor"], offset=p["offset"],
                               count=p["count"], order_name="deliveries")
            return page_result(page, [delivery_view(d) for d, in page["rows"]])

    @endpoint
    def get_webhook_delivery(self, actor, webhook_id, delivery_id):
        actor = require_role(load_actor(actor), *ADMINS)
        with self.db.session() as s:
            sub = self._subscription(s, actor, webhook_id)
            d = s.get(WebhookDelivery, str(delivery_id))
            if d is None or d.subscription_id != sub.id:
                raise NotFound("Delivery not found.")
            return delivery_view(d, payload=True)

    @endpoint(write=True)
    def replay_webhook_delivery(self, actor, webhook_id, delivery_id):
        actor = require_role(load_actor(actor), *ADMINS)
        with self.db.session() as s:
            sub = self._subscription(s, actor, webhook_id)
            if not sub.enabled:
                raise Conflict("This webhook is disabled; enable it before replaying deliveries.")
            d = s.get(WebhookDelivery, str(delivery_id))
            if d is None or d.subscription_id != sub.id:
                raise NotFound("Delivery not found.")
            return delivery_view(WebhookEngine.replay(s, d))

    @endpoint(write=True)
    def send_test_webhook(self, actor, webhook_id):
        """A ``webhook.tested.v1`` delivery to this endpoint now (signed and retried like any other), so an
        integrator can check their receiver without waiting for a business event."""
        actor = require_role(load_actor(actor), *ADMINS)
        with self.db.session() as s:
            sub = self._subscription(s, actor, webhook_id)
            if not sub.enabled:
                raise Conflict("This webhook is disabled; enable it before sending a test delivery.")
            event = make_event("notify", logic.TEST_EVENT_TYPE, {"webhook_id": sub.id, "test": True},
                               subject=sub.id, license_id=sub.license_id)
            return delivery_view(self._webhooks().deliver_to(s, sub, event))

    @endpoint(write=True)
    def replay_webhook_deliveries(self, actor, webhook_id, payload):
        """Replay every failed delivery since a time whose event was never delivered."""
        actor = require_role(load_actor(actor), *ADMINS)
        data = schemas.ReplayIn().load(payload)
        if data["until"] is not None and data["until"] <= data["since"]:
            raise InvalidInput("'until' must be after 'since'.", {"fields": {"until": ["must be after since"]}})
        with self.db.session() as s:
            sub = self._subscription(s, actor, webhook_id)
            if not sub.enabled:
                raise Conflict("This webhook is disabled; enable it before replaying deliveries.")
            ids = self._webhooks().replay_failed(s, sub, data["since"], data["until"])
            return {"replayed": len(ids), "delivery_ids": ids}
