"""notify nameko entrypoints: notification requests and owner notifications (consumers), webhook
fan-out (every public event), delivery and retention timers, and the template / log / webhook RPC API."""
from __future__ import annotations

import logging
from datetime import timedelta

from marshmallow import ValidationError
from nameko.timer import timer
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from paraph_platform.actor import (FRONT_USER_MANAGER, LICENSE_ADMIN, load_actor, require_role, require_staff,
                                   system_actor)
from paraph_platform.config import env_float
from paraph_platform.db import Database, utcnow
from paraph_platform.envelope import iso, make_event
from paraph_platform.errors import PlatformError
from paraph_platform.events import subscribe
from paraph_platform.inbox import first_time
from paraph_platform.outbox import Outbox as OutboxProvider
from paraph_platform.rpc import Rpc
from paraph_platform.readiness import PlatformService
from paraph_platform.service import RequestContext, endpoint

from . import logic, retention, schemas, scope, templates
from .delivery import SUBJECT_OVERRIDE, Deliverer, effective_parts
from .dependencies import Channels, Concurrent, Settings
from .exceptions import Conflict, InvalidInput, NotFound
from .models import (IdempotencyKey, Inbox, Notification, NotificationTemplate, Outbox, WebhookDelivery,
                     WebhookSubscription)
from .webhooks import WebhookEngine

log = logging.getLogger(__name__)

ADMINS = (LICENSE_ADMIN,)
MANAGERS = (LICENSE_ADMIN, FRONT_USER_MANAGER)
POLL_INTERVAL = env_float("NOTIFY_POLL_INTERVAL", 0.5)
PURGE_INTERVAL = env_float("NOTIFY_PURGE_INTERVAL", 3600.0)


# -- views ----------------------------------------------------------------------------------------

def notification_view(n: Notification) -> dict:
    return {"id": n.id, "channel": n.channel, "template": n.template, "locale": n.locale, "recipient": n.recipient,
            "recipient_name": n.recipient_name, "user_id": n.user_id, "customer_id": n.customer_id,
            "status": n.status, "attempts": n.attempts, "in_doubt_resends": n.in_doubt_resends, "next_attempt_at": iso(n.next_attempt_at), "subject": n.subject,
            "message_id": n.message_id, "provider_id": n.provider_id, "error": n.error, "warnings": n.warnings,
            "event_id": n.event_id, "event_type": n.event_type, "source": n.source, "dedupe_key": n.dedupe_key,
            "created_at": iso(n.created_at), "updated_at": iso(n.updated_at), "sent_at": iso(n.sent_at)}


def template_view(name: str, locale: str, parts: dict, row: NotificationTemplate | None) -> dict:
    return {"name": name, "locale": locale, "customized": row is not None, "subject": parts["subject"],
            "text": parts["text"], "html": parts.get("html"), "sms": parts.get("sms"),
            "variables": templates.variables_doc(name), "required_variable": templates.REQUIRED_VARIABLE.get(name),
            "updated_at": iso(row.updated_at) if row else None, "updated_by": row.updated_by if row else None}


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


class NotifyService(PlatformService):
    name = "notify"

    db = Database(idempotency_model=IdempotencyKey)
    outbox = OutboxProvider(Outbox)
    ctx = RequestContext()
    settings = Settings()
    channels = Channels()
    concurrent = Concurrent()
    identity = Rpc("identity")
    contracts = Rpc("contracts")
    signing = Rpc("signing")
    perimeter = Rpc("perimeter")

    # -- helpers ------------------------------------------------------------------------------

    def _deliverer(self) -> Deliverer:
        return Deliverer(self.db, self.settings, self.channels, self._fetch_attachment)

    def _webhooks(self) -> WebhookEngine:
        return WebhookEngine(self.db, self.settings, self.channels.webhooks, self.outbox)

    def _fetch_attachment(self, license_id, spec):
        kind, ident = spec["kind"], spec["id"]
        if kind == "contract_pdf":
            return self.contracts.get_pdf(license_id, ident)
        if kind == "signed_pdf":
            return self.signing.get_signed_pdf(license_id, ident)
        if kind == "proof":
            return self.signing.get_proof(license_id, ident)
        raise ValueError(f"unknown attachment kind {kind!r}")

    def _send_now(self, ids):
        """Try the new notifications at once (the timer retries whatever this does not finish)."""
        if not ids:
            return
        try:
            deliverer = self._deliverer()
            rows = deliverer.claim(ids=ids)
            deliverer.send(rows, self.concurrent, self.settings.concurrency)
        except Exception:  # noqa: BLE001 - the rows are committed; the timer will deliver them
            log.exception("notify: immediate delivery failed; the delivery timer will retry")

    def _license_name(self, license_id: str) -> str:
        """The company name for the templates ('' if identity does not know the license; identity being
        unreachable raises, so the event is retried)."""
        try:
            return (self.identity.license_settings(license_id) or {}).get("name", "") or ""
        except NotFound:
            return ""

    @staticmethod
    def _seen(session, event_id: str, consumer: str) -> bool:
        return session.execute(select(Inbox.event_id).where(Inbox.event_id == event_id,
                                                            Inbox.consumer == consumer)).first() is not None

    # -- notification.requested.v1 (identity, signing, portal; contracts through its "#" queue) ---

    @subscribe("identity", "notification.requested.v1")
    def on_identity_notification(self, event):
        self._notification_requested(event)

    @subscribe("signing", "notification.requested.v1")
    def on_signing_notification(self, event):
        self._notification_requested(event)

    @subscribe("portal", "notification.requested.v1")
    def on_portal_notification(self, event):
        self._notification_requested(event)

    def _notification_requested(self, event: dict):
        raw = event.get("data") or {}
        error = None
        try:
            data = schemas.NotificationRequest().load(raw)
        except ValidationError as exc:
            # retrying cannot fix a malformed request: log it (as a failed row when possible)
            log.error("notify: invalid notification request %s from %s: %s", event["id"], event["source"], exc.messages)
            if not all(isinstance(raw.get(k), str) and raw.get(k) for k in ("channel", "to", "dedupe_key")):
                return
            error = f"invalid request: {exc.messages}"
            data = {"channel": raw["channel"][:8], "to": raw["to"], "to_name": None, "locale": "fr",
                    "template": str(raw.get("template") or "unknown")[:64], "user_id": None,
                    "dedupe_key": raw["dedupe_key"], "vars": {}, "attachments": []}
        recipient = data["to"].strip()
        if not error and data["channel"] == "email" and not logic.looks_like_email(recipient):
            error = f"not a valid email address: {recipient!r}"
        if not error and data["channel"] == "sms":
            recipient = logic.normalize_phone(recipient) or recipient
            if not logic.normalize_phone(recipient):
                error = f"not a valid phone number: {recipient!r}"
        variables = dict(data["vars"])
        if data.get("reply_to"):
            variables["reply_to"] = data["reply_to"]
        if data.get("subject") and data["subject"].strip():
            variables[SUBJECT_OVERRIDE] = data["subject"]
        customer_id = data.get("customer_id")
        self._know_customer_scope(event.get("license_id"), customer_id)
        with self.db.session() as s:
            if not first_time(s, Inbox, event["id"], "notify.notification_requested"):
                return
            row = self._deliverer().enqueue(
                s, license_id=event.get("license_id"), channel=data["channel"], template=data["template"],
                locale=data["locale"] or templates.DEFAULT_LOCALE, recipient=recipient, recipient_name=data["to_name"],
                user_id=data["user_id"], customer_id=customer_id, variables=variables,
                attachments=data["attachments"], dedupe_key=data["dedupe_key"], event=event, error=error)
            ids = [row.id] if row is not None and row.status == "queued" else []
        self._send_now(ids)

    # -- customer perimeters (who may read a message in the delivery log) ---------------------

    @subscribe("perimeter", "perimeter.assignments_changed.v1")
    def on_assignments_changed(self, event):
        data = event["data"]
        if data.get("subject_type") != "customer":
            return
        with self.db.session() as s:
            if not first_time(s, Inbox, event["id"], "notify.on_assignments_changed"):
                return
            scope.write_customer_scope(s, self.db.dialect, data["license_id"], data["subject_id"],
                                       data["perimeter_ids"], data["version"])

    def _know_customer_scope(self, license_id: str | None, customer_id: str | None):
        """A customer notify never heard about (created before the replica existed, or its event is still
        on its way): read its perimeters once. If the perimeter service cannot answer, the message is still
        sent; only license admins see it in the log until the customer's next assignments event."""
        if not license_id or not customer_id:
            return
        with self.db.session() as s:
            if scope.has_customer_scope(s, customer_id):
                return
        try:
            current = self.perimeter.get_assignments(system_actor(license_id), "customer", customer_id)
        except PlatformError as exc:
            log.warning("notify: perimeters of customer %s unavailable: %s", customer_id, exc)
            return
        try:
            with self.db.session() as s:
                scope.write_customer_scope(s, self.db.dialect, license_id, customer_id, current["perimeter_ids"],
                                           current["version"])
        except IntegrityError:
            pass  # the customer's assignments event was applied at the same time: it wins

    # -- owner notifications (preferences) ----------------------------------------------------

    @subscribe("portal", "quote.viewed.v1")
    def on_quote_viewed(self, event):
        self._owner_event(event)

    @subscribe("portal", "quote.downloaded.v1")
    def on_quote_downloaded(self, event):
        self._owner_event(event)

    @subscribe("portal", "quote.feedback_sent.v1")
    def on_quote_feedback(self, event):
        self._owner_event(event)

    @subscribe("portal", "contract.shared.v1")
    def on_contract_shared(self, event):
        self._owner_event(event)

    @subscribe("signing", "signature.completed.v1")
    def on_signature_completed(self, event):
        self._owner_event(event)

    @subscribe("contracts", "customer.self_updated.v1")
    def on_customer_self_updated(self, event):
        """A portal client changed their or their company's details: the customer's owner is told."""
        self._owner_event(event)

    def _owner_event(self, event: dict):
        consumer = "notify.owner"
        with self.db.session() as s:
            if self._seen(s, event["id"], consumer):
                return
        data = event.get("data") or {}
        owner_id, license_id = data.get("owner_id"), event.get("license_id")
        customer_id = data.get("customer_id") if isinstance(data.get("customer_id"), str) else None
        self._know_customer_scope(license_id, customer_id)
        rule = logic.OWNER_EVENTS.get(event["type"])
        owner, license_name = None, ""
        if rule and owner_id and license_id:
            owner = (self.identity.resolve_users(license_id, [str(owner_id)]) or {}).get(str(owner_id))
            if owner is not None:
                license_name = self._license_name(license_id)
        ids = []
        with self.db.session() as s:
            if not first_time(s, Inbox, event["id"], consumer):
                return
            if owner is None or owner.get("status") == "deactivated":
                log.info("notify: %s %s: no active owner to notify", event["type"], event["id"])
                return
            if event["type"] == "contract.shared.v1" and data.get("shared_by") == owner_id:
                return  # nobody needs to be told about their own action
            preference_key, template = rule
            variables = {**logic.owner_vars(event, owner, self.settings.public_url), "license_name": license_name}
            for channel in logic.owner_channels(preference_key, owner.get("preferences")):
                recipient = owner.get("email") if channel == "email" else logic.normalize_phone(owner.get("phone"))
                row = self._deliverer().enqueue(
                    s, license_id=license_id, channel=channel, template=template, locale=owner.get("locale") or "fr",
                    recipient=recipient or "", recipient_name=owner.get("name"), user_id=owner.get("user_id"),
                    customer_id=customer_id, variables=variables, dedupe_key=f"{event['id']}:{template}:{channel}",
                    event=event,
                    error=None if recipient else f"the user has no {'phone number' if channel == 'sms' else 'email'}")
                if row is not None and row.status == "queued":
                    ids.append(row.id)
        self._send_now(ids)

    # -- webhooks: every public event of every producer --------------------------------------

    @subscribe("identity", "#")
    def on_identity_event(self, event):
        self._fanout(event)

    @subscribe("perimeter", "#")
    def on_perimeter_event(self, event):
        self._fanout(event)

    @subscribe("contracts", "#")
    def on_contracts_event(self, event):
        # contracts publishes no notification request today; if it does, they arrive on this queue
        # (a dedicated subscription to an event a producer never publishes is refused by tests/contract)
        if event["type"] == "notification.requested.v1":
            self._notification_requested(event)
            return
        self._fanout(event)

    @subscribe("signing", "#")
    def on_signing_event(self, event):
        self._fanout(event)

    @subscribe("portal", "#")
    def on_portal_event(self, event):
        self._fanout(event)

    @subscribe("notify", "#")
    def on_notify_event(self, event):
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

    # -- delivery timers ----------------------------------------------------------------------

    @timer(interval=POLL_INTERVAL)
    def deliver_notifications(self):
        """Due and retryable notifications, and rows whose sender died (lease expired)."""
        deliverer = self._deliverer()
        rows = deliverer.claim(limit=self.settings.batch)
        if rows:
            deliverer.send(rows, self.concurrent, self.settings.concurrency)

    @timer(interval=POLL_INTERVAL)
    def deliver_webhooks(self):
        engine = self._webhooks()
        items = engine.claim(limit=self.settings.batch)
        if items:
            self.concurrent(engine.attempt, items, self.settings.concurrency)

    @timer(interval=PURGE_INTERVAL)
    def purge_old_rows(self):
        """Delivery logs and webhook deliveries past their retention (the platform purges the inbox)."""
        try:
            counts = retention.purge(self.db, self.settings)
            if any(counts.values()):
                log.info("notify: purged %s", counts)
        except Exception:  # noqa: BLE001 - next tick retries
            log.exception("notify: retention purge failed")

    # -- templates API ------------------------------------------------------------------------

    @endpoint
    def list_templates(self, actor):
        actor = require_role(load_actor(actor), *ADMINS)
        with self.db.session() as s:
            custom = {(r.name, r.locale): r for r in s.execute(select(NotificationTemplate).where(
                NotificationTemplate.license_id == actor["license_id"])).scalars()}
        out = []
        for name in templates.TEMPLATE_NAMES:
            for locale in templates.LOCALES:
                row = custom.get((name, locale))
                parts = ({"subject": row.subject, "text": row.text, "html": row.html, "sms": row.sms} if row
                         else templates.default_parts(name, locale))
                out.append(template_view(name, locale, parts, row))
        return out

    @endpoint
    def get_template(self, actor, name, locale="fr"):
        actor = require_role(load_actor(actor), *ADMINS)
        templates.check_name(name)
        templates.check_locale(locale)
        with self.db.session() as s:
            parts, row = effective_parts(s, actor["license_id"], name, locale)
            view = template_view(name, locale, parts, row)
        view["default"] = templates.default_parts(name, locale)
        return view

    @endpoint(write=True)
    def put_template(self, actor, name, locale, payload):
        actor = require_role(load_actor(actor), *ADMINS)
        templates.check_name(name)
        templates.check_locale(locale)
        data = schemas.TemplateIn().load(payload)
        cleaned = templates.validate(name, locale, data)
        now = utcnow()
        with self.db.session() as s:
            row = s.execute(select(NotificationTemplate).where(
                NotificationTemplate.license_id == actor["license_id"], NotificationTemplate.name == name,
                NotificationTemplate.locale == locale)).scalar_one_or_none()
            if row is None:
                row = NotificationTemplate(license_id=actor["license_id"], name=name, locale=locale, created_at=now)
                s.add(row)
            row.subject, row.text, row.html, row.sms = cleaned["subject"], cleaned["text"], cleaned["html"], cleaned["sms"]
            row.updated_by, row.updated_at = actor["user_id"], now
            try:
                s.flush()
            except IntegrityError:
                raise Conflict("This template was saved by someone else at the same time; try again.") from None
            return template_view(name, locale, cleaned, row)

    @endpoint(write=True)
    def reset_template(self, actor, name, locale="fr"):
        actor = require_role(load_actor(actor), *ADMINS)
        templates.check_name(name)
        templates.check_locale(locale)
        with self.db.session() as s:
            s.execute(delete(NotificationTemplate).where(
                NotificationTemplate.license_id == actor["license_id"], NotificationTemplate.name == name,
                NotificationTemplate.locale == locale))
        return template_view(name, locale, templates.default_parts(name, locale), None)

    @endpoint
    def preview_template(self, actor, name, locale, payload):
        """Render the saved template (or the draft parts sent) with sample or given variables. Salespeople
        may preview, with their own variables, the saved version of the emails they send by hand (what the
        customer will read), never a draft."""
        actor = load_actor(actor)
        templates.check_name(name)
        templates.check_locale(locale)
        data = schemas.PreviewIn().load(payload or {})
        drafting = any(data.get(k) is not None for k in templates.PARTS)
        if name in templates.SENT_BY_HAND and not drafting:
            require_staff(actor)
        else:
            require_role(actor, *ADMINS)
        with self.db.session() as s:
            parts, _row = effective_parts(s, actor["license_id"], name, locale)
        draft = {k: data[k] for k in templates.PARTS if data.get(k) is not None}
        if draft:
            parts = templates.validate(name, locale, {**parts, **draft})
        variables = {**templates.sample_vars(name), **data["vars"]}
        try:
            return templates.render(name, locale, parts, variables)
        except templates.RenderError as exc:
            raise InvalidInput(f"The template cannot be rendered with these variables: {exc}",
                               {"fields": {"vars": [str(exc)]}}) from None

    # -- delivery log -------------------------------------------------------------------------

    def _readable(self, actor: dict):
        """The rows of the log ``actor`` may read (perimeter policy compiled to SQL; see scope.py)."""
        if actor["role"] in scope.FULL_LOG_ROLES:
            return scope.readable_by(actor, "")
        return scope.readable_by(actor, self.perimeter.compile_filter(actor, self.db.dialect)["where"])

    @endpoint
    def list_notifications(self, actor, query=None):
        actor = require_role(load_actor(actor), *MANAGERS)
        p = schemas.NotificationQuery().load(query or {})
        N = Notification
        q = select(N).where(self._readable(actor))
        for key in ("status", "channel", "template", "user_id", "event_id"):
            if p[key]:
                q = q.where(getattr(N, key) == p[key])
        if p["recipient"]:
            q = q.where(func.lower(N.recipient) == p["recipient"].strip().lower())
        if p["since"]:
            q = q.where(N.created_at >= p["since"])
        if p["until"]:
            q = q.where(N.created_at < p["until"])
        with self.db.session() as s:
            total = s.execute(select(func.count()).select_from(q.subquery())).scalar_one()
            rows = s.execute(q.order_by(N.created_at.desc(), N.id).limit(p["limit"]).offset(p["offset"])).scalars()
            return {"items": [notification_view(n) for n in rows], "total": total,
                    "limit": p["limit"], "offset": p["offset"]}

    @endpoint
    def get_notification(self, actor, notification_id):
        actor = require_role(load_actor(actor), *MANAGERS)
        with self.db.session() as s:
            n = s.execute(select(Notification).where(Notification.id == str(notification_id),
                                                     self._readable(actor))).scalar_one_or_none()
            if n is None:
                raise NotFound("Notification not found.")
            return notification_view(n)

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
            total = s.execute(select(func.count()).select_from(q.subquery())).scalar_one()
            rows = s.execute(q.order_by(D.created_at.desc(), D.id).limit(p["limit"]).offset(p["offset"])).scalars()
            return {"items": [delivery_view(d) for d in rows], "total": total, "limit": p["limit"],
                    "offset": p["offset"]}

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


SERVICE = NotifyService
