"""What the notify endpoint mixins share: the roles that may administer templates and webhooks, the delivery
timers' interval, and the helpers every kind of message goes through (queue a notification and try it at
once, the license's name for the templates, the inbox check, learning a customer's perimeters). Each
aggregate module (notifications.py, owner_notifications.py, webhook_subscriptions.py,
notification_templates.py, retention.py) holds a mixin built on :class:`NotifyBase`; the nameko service
class in service.py is made of those mixins.
"""
from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from paraph_platform.actor import LICENSE_ADMIN, system_actor
from paraph_platform.config import env_float
from paraph_platform.db import Database
from paraph_platform.errors import PlatformError
from paraph_platform.filter_cache import PerimeterFilter
from paraph_platform.outbox import Outbox as OutboxProvider
from paraph_platform.rpc import Rpc
from paraph_platform.service import RequestContext

from . import scope
from .delivery import Deliverer
from .dependencies import Channels, Concurrent, Settings
from .exceptions import NotFound
from .models import Inbox

log = logging.getLogger(__name__)

ADMINS = (LICENSE_ADMIN,)
POLL_INTERVAL = env_float("NOTIFY_POLL_INTERVAL", 0.5)


class NotifyBase:
    """Helpers of the notify endpoint mixins. The dependency providers annotated below are declared on
    ``NotifyService`` (service.py) only: nameko binds them per worker, so ``self.db`` and the others are
    what those providers inject."""

    db: Database
    outbox: OutboxProvider
    ctx: RequestContext
    settings: Settings
    channels: Channels
    concurrent: Concurrent
    identity: Rpc
    contracts: Rpc
    signing: Rpc
    perimeter: Rpc
    perimeter_filter: PerimeterFilter

    def _deliverer(self) -> Deliverer:
        return Deliverer(self.db, self.settings, self.channels, self._fetch_attachment)

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
