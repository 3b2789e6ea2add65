"""notify: the messages Paraph sends (email, SMS) and the webhooks integrators receive.

The nameko service class below is only the list of its entrypoints' mixins and its dependency providers;
each mixin lives in the module of its aggregate:

- notifications.py: the notification requests of the other services (consumers), the delivery timer, the
  delivery log and the replica of the customers' perimeters that decides who may read it, the replica of the
  licenses' time zones (time_zones.py);
- owner_notifications.py: telling a salesperson when a customer acts on what they sent (consumers);
- webhook_subscriptions.py: the webhooks RPC API, the fan-out of every public event, the webhook delivery timer;
- notification_templates.py: the templates RPC API (list, get, put, reset, preview);
- retention.py: the purge of old notifications and webhook deliveries (timer);
- base.py: what they share (delivering a notification now, the license's name, customer perimeters).

Sending is in delivery.py (notifications) and webhooks.py (webhook deliveries); the templates are
template_catalog.py, template_defaults.py and templates.py (rendering, validation).
"""
from __future__ import annotations

from paraph_platform.filter_cache import PerimeterFilter
from paraph_platform.readiness import PlatformService
from paraph_platform.rpc import Rpc

from .dependencies import Channels, Concurrent, Settings
from .models import IdempotencyKey, Outbox
from .notification_templates import NotificationTemplatesEndpoints
from .notifications import NotificationsEndpoints
from .owner_notifications import OwnerNotificationsEndpoints
from .retention import RetentionEndpoints
from .webhook_subscriptions import WebhookSubscriptionsEndpoints


class NotifyService(NotificationsEndpoints, OwnerNotificationsEndpoints, WebhookSubscriptionsEndpoints,
                    NotificationTemplatesEndpoints, RetentionEndpoints, PlatformService,
                    idempotency_model=IdempotencyKey, outbox_model=Outbox):
    name = "notify"

    settings = Settings()
    channels = Channels()
    concurrent = Concurrent()
    identity = Rpc("identity")
    contracts = Rpc("contracts")
    signing = Rpc("signing")
    perimeter = Rpc("perimeter")
    perimeter_filter = PerimeterFilter()


SERVICE = NotifyService
