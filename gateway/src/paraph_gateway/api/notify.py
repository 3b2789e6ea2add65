"""Notifications (email/SMS templates, delivery log) and webhooks for integrators."""
from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema, fields, validate

from paraph_platform.actor import ADMINS, MANAGERS

from ..routing import call, forward, route
from ..service_results import service_params, service_result

bp = Blueprint("notify", __name__)

LOCALES = ("fr", "en")
NAME = "<name>"


# -- schemas ------------------------------------------------------------------------------------------

class LocaleQuery(Schema):
    locale = fields.String(load_default="fr", validate=validate.OneOf(LOCALES))


# -- templates -------------------------------------------------------------------------------------

forward(bp, "GET", "/notification-templates", "notify.list_templates", roles=ADMINS, tags=["notifications"],
        doc="""Every template in every locale: the license's version or the built-in default (a fixed set, one per
    template and locale: not paginated).""")


@route(bp, f"/notification-templates/{NAME}", ["GET"], query=LocaleQuery,
       response=service_result("notify", "get_template"), roles=ADMINS, tags=["notifications"])
def get_template(actor, name, query):
    """One template (?locale=fr|en), its variables and the built-in default."""
    return call("notify", "get_template", actor, name, query["locale"])


@route(bp, f"/notification-templates/{NAME}", ["PUT"], query=LocaleQuery, body=service_params("notify", "put_template"),
       response=service_result("notify", "put_template"), roles=ADMINS, tags=["notifications"])
def put_template(actor, name, query, body):
    """Save the license's version of a template; unknown variables or syntax errors are a 422."""
    return call("notify", "put_template", actor, name, query["locale"], body)


@route(bp, f"/notification-templates/{NAME}", ["DELETE"], query=LocaleQuery,
       response=service_result("notify", "reset_template"), roles=ADMINS, tags=["notifications"])
def reset_template(actor, name, query):
    """Go back to the built-in default."""
    return call("notify", "reset_template", actor, name, query["locale"])


@route(bp, f"/notification-templates/{NAME}/preview", ["POST"], query=LocaleQuery,
       body=service_params("notify", "preview_template"),
       response=service_result("notify", "preview_template"), tags=["notifications"])
def preview_template(actor, name, query, body):
    """Render the saved template, or the draft parts sent, with sample (or given) variables (license admins).
    Salespeople may preview the saved `quote_send` and `quote_reminder` with their own variables (the send
    screen shows what the customer will read); anything else is a 403."""
    return call("notify", "preview_template", actor, name, query["locale"], body)


# -- delivery log ----------------------------------------------------------------------------------

forward(bp, "GET", "/notifications", "notify.list_notifications", query=service_params("notify", "list_notifications"),
        roles=MANAGERS, tags=["notifications"],
        doc="""Emails and SMS sent (or being sent) for this license, newest first. A front user manager sees only the
    messages about customers in their perimeter and the staff invitations (other messages about no customer are
    for license admins). One-time codes are masked in subjects and logged SMS texts. Walk the log with
    `next_cursor`; `count=true` adds `total`.""")

forward(bp, "GET", "/notifications/<notification_id>", "notify.get_notification", roles=MANAGERS,
        tags=["notifications"], doc="One notification of the delivery log.")


# -- webhooks --------------------------------------------------------------------------------------

forward(bp, "GET", "/webhooks/event-types", "notify.webhook_event_types", roles=ADMINS, tags=["webhooks"],
        doc="Event types a webhook can subscribe to, the retry schedule and the signature scheme.")

forward(bp, "POST", "/webhooks", "notify.create_webhook", roles=ADMINS, status=201, tags=["webhooks"],
        doc="Subscribe an endpoint to events; the answer holds the signing secret (shown once).")

forward(bp, "GET", "/webhooks", "notify.list_webhooks", roles=ADMINS, tags=["webhooks"],
        doc="""Webhooks of this license (without their secrets): all of them, not paginated (a license subscribes a
    handful of endpoints).""")

forward(bp, "GET", "/webhooks/<webhook_id>", "notify.get_webhook", roles=ADMINS, tags=["webhooks"],
        doc="One webhook and its health (failures, disabled reason).")

forward(bp, "PATCH", "/webhooks/<webhook_id>", "notify.update_webhook", roles=ADMINS, tags=["webhooks"],
        doc="""Change the URL, event types or description; enable or disable. Disabling (here, or by Paraph after
    repeated failures) also ends the deliveries waiting for a retry as `failed` ("endpoint disabled"), and
    enabling clears `failing_since`: read it first, to replay from it.""")

forward(bp, "DELETE", "/webhooks/<webhook_id>", "notify.delete_webhook", roles=ADMINS, tags=["webhooks"], status=204,
        doc="Delete a webhook and its delivery log.")

forward(bp, "POST", "/webhooks/<webhook_id>/rotate-secret", "notify.rotate_webhook_secret", roles=ADMINS,
        tags=["webhooks"],
        doc="A new signing secret (shown once); the previous one keeps signing during grace_seconds.")

forward(bp, "GET", "/webhooks/<webhook_id>/deliveries", "notify.list_webhook_deliveries",
        query=service_params("notify", "list_webhook_deliveries"), roles=ADMINS, tags=["webhooks"],
        doc="Delivery log of a webhook, newest first; walk it with `next_cursor`, `count=true` adds `total`.")

forward(bp, "GET", "/webhooks/<webhook_id>/deliveries/<delivery_id>", "notify.get_webhook_delivery", roles=ADMINS,
        tags=["webhooks"], doc="One delivery with its payload and attempts.")

forward(bp, "POST", "/webhooks/<webhook_id>/deliveries/<delivery_id>/replay", "notify.replay_webhook_delivery",
        roles=ADMINS, status=202, tags=["webhooks"], doc="Send a past delivery again (same event, same Webhook-Id).")

forward(bp, "POST", "/webhooks/<webhook_id>/test", "notify.send_test_webhook", roles=ADMINS, status=202,
        tags=["webhooks"],
        doc="Send a test delivery (event type webhook.tested.v1, signed like any other) to this endpoint now.")

forward(bp, "POST", "/webhooks/<webhook_id>/replay", "notify.replay_webhook_deliveries", roles=ADMINS, status=202,
        tags=["webhooks"],
        doc="""Send again every failed delivery created since `since` (and before `until`) whose event was never
    delivered, oldest first: at most 1,000 a call (`replayed` says how many): call again while it is 1,000.""")
