"""Owner notifications: a salesperson is told (by email and/or SMS, as their preferences in identity say)
when a customer acts on what they sent them: a quote viewed, downloaded or answered, a contract shared or
signed, the customer's details changed from the portal.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from paraph_platform.db import utcnow
from paraph_platform.events import subscribe_to
from paraph_platform.inbox import first_time

from . import logic
from .base import NotifyBase
from .models import Inbox, Notification

log = logging.getLogger(__name__)


class OwnerNotificationsEndpoints(NotifyBase):
    """The events an owner is told about (the channels come from their preferences)."""

    on_quote_viewed = subscribe_to("_owner_event", "portal", "quote.viewed.v1")
    on_quote_downloaded = subscribe_to("_owner_event", "portal", "quote.downloaded.v1")
    on_quote_feedback = subscribe_to("_owner_event", "portal", "quote.feedback_sent.v1")
    on_contract_shared = subscribe_to("_owner_event", "portal", "contract.shared.v1")
    on_signature_completed = subscribe_to("_owner_event", "signing", "signature.completed.v1")
    # a portal client changed their or their company's details: the customer's owner is told
    on_customer_self_updated = subscribe_to("_owner_event", "contracts", "customer.self_updated.v1")

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
            prefix = logic.owner_notice_prefix(event)
            if prefix and self._told_lately(s, license_id, prefix):
                log.info("notify: %s %s: the owner was told of this within the hour", event["type"], event["id"])
                return
            preference_key, template = rule
            variables = {**logic.owner_vars(event, owner, self.settings.public_url), "license_name": license_name}
            for channel in logic.owner_channels(preference_key, owner.get("preferences")):
                if channel == "sms":  # the user's own number, read where identity checked it
                    recipient, error = logic.owner_sms_recipient(owner)
                else:
                    recipient = owner.get("email") or ""
                    error = None if recipient else "the user has no email"
                row = self._deliverer().enqueue(
                    s, license_id=license_id, channel=channel, template=template, locale=owner.get("locale") or "fr",
                    recipient=recipient, recipient_name=owner.get("name"), user_id=owner.get("user_id"),
                    customer_id=customer_id, variables=variables, event=event, error=error,
                    dedupe_key=logic.owner_notice_key(event, prefix, template, channel))
                if row is not None and row.status == "queued":
                    ids.append(row.id)
        self._send_now(ids)

    @staticmethod
    def _told_lately(s, license_id, prefix: str) -> bool:
        since = utcnow() - timedelta(seconds=logic.VIEW_NOTICE_INTERVAL_SECONDS)
        return s.execute(select(Notification.id).where(
            Notification.license_id == license_id, Notification.dedupe_key.startswith(prefix, autoescape=True),
            Notification.created_at > since).limit(1)).first() is not None
