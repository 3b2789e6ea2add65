"""Notifications: the messages other services ask notify to send (``notification.requested.v1``), the timer
that delivers and retries them, and the delivery log a license's managers read (each user sees the
messages of the customers in their perimeters: notify keeps a replica of every customer's perimeters,
see scope.py). The messages write their times in their license's time zone (a replica too, time_zones.py).
"""
from __future__ import annotations

import logging

from marshmallow import ValidationError
from nameko.timer import timer
from sqlalchemy import func, select

from paraph_platform.actor import MANAGERS, load_actor, require_role
from paraph_platform.envelope import iso
from paraph_platform.events import subscribe, subscribe_to
from paraph_platform.filter_cache import perimeter_filter_invalidation
from paraph_platform.inbox import first_time, handled_once
from paraph_platform.pagination import Ordering, keyset_page, page_result
from paraph_platform.service import endpoint

from . import logic, schemas, scope, template_catalog, time_zones
from .base import POLL_INTERVAL, NotifyBase
from .delivery import FROM_NAME, SUBJECT_OVERRIDE
from .exceptions import NotFound
from .models import Inbox, Notification

log = logging.getLogger(__name__)

# the log's order, newest first, ending with the unique id (the cursor's keyset; index
# (license_id, created_at, id) of migration 5d1f0c2a7e41, read backwards)
NOTIFICATIONS_ORDER = [Ordering(Notification.created_at, descending=True),
                       Ordering(Notification.id, descending=True)]


def notification_view(n: Notification) -> dict:
    return {"id": n.id, "channel": n.channel, "template": n.template, "locale": n.locale, "recipient": n.recipient,
            "recipient_name": n.recipient_name, "user_id": n.user_id, "customer_id": n.customer_id,
            "status": n.status, "attempts": n.attempts, "in_doubt_resends": n.in_doubt_resends, "next_attempt_at": iso(n.next_attempt_at), "subject": n.subject,
            "message_id": n.message_id, "provider_id": n.provider_id, "error": n.error, "warnings": n.warnings,
            "event_id": n.event_id, "event_type": n.event_type, "source": n.source, "dedupe_key": n.dedupe_key,
            "created_at": iso(n.created_at), "updated_at": iso(n.updated_at), "sent_at": iso(n.sent_at)}


class NotificationsEndpoints(NotifyBase):
    # -- notification.requested.v1 (identity, signing, portal; contracts through its "#" queue) ---

    on_identity_notification = subscribe_to("_notification_requested", "identity", "notification.requested.v1")
    on_signing_notification = subscribe_to("_notification_requested", "signing", "notification.requested.v1")
    on_portal_notification = subscribe_to("_notification_requested", "portal", "notification.requested.v1")

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
            written, error = logic.sms_recipient(recipient)
            recipient = written or recipient  # E.164; a refused number is logged as received, failed with the reason
        variables = dict(data["vars"])
        if data.get("reply_to"):
            variables["reply_to"] = data["reply_to"]
        if data.get("subject") and data["subject"].strip():
            variables[SUBJECT_OVERRIDE] = data["subject"]
        if data["template"] in template_catalog.CUSTOMER_TEMPLATES and variables.get("license_name"):
            variables[FROM_NAME] = variables["license_name"]  # the company the customer deals with
        customer_id = data.get("customer_id")
        self._know_customer_scope(event.get("license_id"), customer_id)
        with self.db.session() as s:
            if not first_time(s, Inbox, event["id"], "notify.notification_requested"):
                return
            row = self._deliverer().enqueue(
                s, license_id=event.get("license_id"), channel=data["channel"], template=data["template"],
                locale=data["locale"] or template_catalog.DEFAULT_LOCALE, recipient=recipient,
                recipient_name=data["to_name"],
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

    # -- the licenses' time zones (the dates and times of their messages) -----------------------

    @subscribe("identity", "license.updated.v1")
    @handled_once(Inbox, "notify.on_license_updated")
    def on_license_updated(self, s, event):
        data = event["data"]
        time_zones.write(s, self.db.dialect, data["license_id"], data.get("settings") or {},
                         int(data.get("version") or 0))

    @perimeter_filter_invalidation
    def forget_perimeter_filter(self, event):
        """Every process (not one replica): a user's cached log filter is stale once their perimeters change."""
        self.perimeter_filter.forget(event)

    # -- delivery timer -----------------------------------------------------------------------

    @timer(interval=POLL_INTERVAL)
    def deliver_notifications(self):
        """Due and retryable notifications, and rows whose sender died (lease expired)."""
        deliverer = self._deliverer()
        rows = deliverer.claim(limit=self.settings.batch)
        if rows:
            deliverer.send(rows, self.concurrent, self.settings.concurrency)

    # -- delivery log -------------------------------------------------------------------------

    def _readable(self, actor: dict):
        """The rows of the log ``actor`` may read (perimeter policy compiled to SQL; see scope.py)."""
        if actor["role"] in scope.FULL_LOG_ROLES:
            return scope.readable_by(actor, "")
        return scope.readable_by(actor, self.perimeter_filter.where(actor, self.db.dialect))

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
            page = keyset_page(s, q, NOTIFICATIONS_ORDER, limit=p["limit"], cursor=p["cursor"],
                               offset=p["offset"], count=p["count"], order_name="notifications")
            return page_result(page, [notification_view(n) for n, in page["rows"]])

    @endpoint
    def get_notification(self, actor, notification_id):
        actor = require_role(load_actor(actor), *MANAGERS)
        with self.db.session() as s:
            n = s.execute(select(Notification).where(Notification.id == str(notification_id),
                                                     self._readable(actor))).scalar_one_or_none()
            if n is None:
                raise NotFound("Notification not found.")
            return notification_view(n)
