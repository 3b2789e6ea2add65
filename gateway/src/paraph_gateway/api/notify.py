"""Notifications (email/SMS templates, delivery log) and webhooks for integrators."""
from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema, fields, validate

from paraph_platform.pagination import PageParams

from ..routing import call, route
from ..service_results import service_result

bp = Blueprint("notify", __name__)

ADMIN = ("license_admin",)
MANAGERS = ("license_admin", "front_user_manager")
LOCALES = ("fr", "en")
NAME = "<name>"
# notify's templates (tests/contract/test_gateway_contract.py keeps this list in step with the service)
TEMPLATE_NAMES = ("invitation", "client_invitation", "password_reset", "quote_send", "quote_reminder",
                  "contract_shared", "signature_request", "signature_reminder", "signature_otp",
                  "signature_completed", "signature_cc", "signature_declined", "signature_expired", "quote_viewed",
                  "quote_downloaded", "quote_feedback", "webhook_disabled")


# -- schemas ------------------------------------------------------------------------------------------

class LocaleQuery(Schema):
    locale = fields.String(load_default="fr", validate=validate.OneOf(LOCALES))


class TemplateIn(Schema):
    subject = fields.String(required=True, validate=validate.Length(min=1, max=500))
    text = fields.String(required=True, validate=validate.Length(min=1, max=50_000),
                         metadata={"description": "plain-text email (Jinja, sandboxed)"})
    html = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200_000),
                         metadata={"description": "HTML email (autoescaped); null = derived from text"})
    sms = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2_000),
                        metadata={"description": "SMS text; null = the default"})


class PreviewIn(Schema):
    subject = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    text = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50_000))
    html = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200_000))
    sms = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2_000))
    vars = fields.Dict(keys=fields.String(), load_default=dict,
                       metadata={"description": "variables (sample values are used for the others)"})


class NotificationQuery(PageParams):
    status = fields.String(load_default=None, validate=validate.OneOf(["queued", "sending", "sent", "failed"]))
    channel = fields.String(load_default=None, validate=validate.OneOf(["email", "sms"]))
    template = fields.String(load_default=None, validate=validate.OneOf(TEMPLATE_NAMES))
    recipient = fields.String(load_default=None, validate=validate.Length(max=320))
    user_id = fields.String(load_default=None, validate=validate.Length(max=64))
    event_id = fields.String(load_default=None, validate=validate.Length(max=64))
    since = fields.AwareDateTime(load_default=None)
    until = fields.AwareDateTime(load_default=None)


EVENT_TYPES = fields.List(fields.String(validate=validate.Length(min=1, max=128)), validate=validate.Length(min=1, max=100),
                          metadata={"description": "event types (GET /webhooks/event-types) or ['*']"})


class WebhookIn(Schema):
    url = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                        metadata={"description": "http(s) endpoint receiving POSTs"})
    event_types = fields.List(fields.String(validate=validate.Length(min=1, max=128)), required=True,
                              validate=validate.Length(min=1, max=100),
                              metadata={"description": "event types (GET /webhooks/event-types) or ['*']"})
    description = fields.String(load_default="", validate=validate.Length(max=500))
    enabled = fields.Boolean(load_default=True)


class WebhookPatch(Schema):
    url = fields.String(validate=validate.Length(min=1, max=2000))
    event_types = fields.List(fields.String(validate=validate.Length(min=1, max=128)),
                              validate=validate.Length(min=1, max=100))
    description = fields.String(validate=validate.Length(max=500))
    enabled = fields.Boolean(metadata={"description": "true re-enables a disabled webhook (failure counters reset)"})


class RotateIn(Schema):
    grace_seconds = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=7 * 86400),
                                   metadata={"description": "the previous secret keeps signing this long (default 86400)"})


class DeliveryQuery(PageParams):
    status = fields.String(load_default=None, validate=validate.OneOf(["pending", "sending", "succeeded", "failed"]))
    event_type = fields.String(load_default=None, validate=validate.Length(max=128))
    event_id = fields.String(load_default=None, validate=validate.Length(max=64))
    since = fields.AwareDateTime(load_default=None)


class ReplayIn(Schema):
    since = fields.AwareDateTime(required=True, metadata={"description": "failed deliveries created from this time"})
    until = fields.AwareDateTime(load_default=None, allow_none=True)


# -- templates -------------------------------------------------------------------------------------

@route(bp, "/notification-templates", ["GET"], response=service_result("notify", "list_templates"), roles=ADMIN,
       tags=["notifications"])
def list_templates(actor):
    """Every template in every locale: the license's version or the built-in default (a fixed set, one per
    template and locale: not paginated)."""
    return call("notify", "list_templates", actor)


@route(bp, f"/notification-templates/{NAME}", ["GET"], query=LocaleQuery,
       response=service_result("notify", "get_template"), roles=ADMIN, tags=["notifications"])
def get_template(actor, name, query):
    """One template (?locale=fr|en), its variables and the built-in default."""
    return call("notify", "get_template", actor, name, query["locale"])


@route(bp, f"/notification-templates/{NAME}", ["PUT"], query=LocaleQuery, body=TemplateIn,
       response=service_result("notify", "put_template"), roles=ADMIN, tags=["notifications"])
def put_template(actor, name, query, body):
    """Save the license's version of a template; unknown variables or syntax errors are a 422."""
    return call("notify", "put_template", actor, name, query["locale"], body)


@route(bp, f"/notification-templates/{NAME}", ["DELETE"], query=LocaleQuery,
       response=service_result("notify", "reset_template"), roles=ADMIN, tags=["notifications"])
def reset_template(actor, name, query):
    """Go back to the built-in default."""
    return call("notify", "reset_template", actor, name, query["locale"])


@route(bp, f"/notification-templates/{NAME}/preview", ["POST"], query=LocaleQuery, body=PreviewIn,
       response=service_result("notify", "preview_template"), tags=["notifications"])
def preview_template(actor, name, query, body):
    """Render the saved template, or the draft parts sent, with sample (or given) variables (license admins).
    Salespeople may preview the saved `quote_send` and `quote_reminder` with their own variables (the send
    screen shows what the customer will read); anything else is a 403."""
    return call("notify", "preview_template", actor, name, query["locale"], body)


# -- delivery log ----------------------------------------------------------------------------------

@route(bp, "/notifications", ["GET"], query=NotificationQuery, response=service_result("notify", "list_notifications"),
       roles=MANAGERS, tags=["notifications"])
def list_notifications(actor, query):
    """Emails and SMS sent (or being sent) for this license, newest first. A front user manager sees only the
    messages about customers in their perimeter and the staff invitations (other messages about no customer are
    for license admins). One-time codes are masked in subjects and logged SMS texts. Walk the log with
    `next_cursor`; `count=true` adds `total`."""
    return call("notify", "list_notifications", actor, query)


@route(bp, "/notifications/<notification_id>", ["GET"], response=service_result("notify", "get_notification"),
       roles=MANAGERS, tags=["notifications"])
def get_notification(actor, notification_id):
    """One notification of the delivery log."""
    return call("notify", "get_notification", actor, notification_id)


# -- webhooks --------------------------------------------------------------------------------------

@route(bp, "/webhooks/event-types", ["GET"], response=service_result("notify", "webhook_event_types"), roles=ADMIN,
       tags=["webhooks"])
def webhook_event_types(actor):
    """Event types a webhook can subscribe to, the retry schedule and the signature scheme."""
    return call("notify", "webhook_event_types", actor)


@route(bp, "/webhooks", ["POST"], body=WebhookIn, response=service_result("notify", "create_webhook"), roles=ADMIN,
       status=201, tags=["webhooks"])
def create_webhook(actor, body):
    """Subscribe an endpoint to events; the answer holds the signing secret (shown once)."""
    return call("notify", "create_webhook", actor, body)


@route(bp, "/webhooks", ["GET"], response=service_result("notify", "list_webhooks"), roles=ADMIN, tags=["webhooks"])
def list_webhooks(actor):
    """Webhooks of this license (without their secrets): all of them, not paginated (a license subscribes a
    handful of endpoints)."""
    return call("notify", "list_webhooks", actor)


@route(bp, "/webhooks/<webhook_id>", ["GET"], response=service_result("notify", "get_webhook"), roles=ADMIN,
       tags=["webhooks"])
def get_webhook(actor, webhook_id):
    """One webhook and its health (failures, disabled reason)."""
    return call("notify", "get_webhook", actor, webhook_id)


@route(bp, "/webhooks/<webhook_id>", ["PATCH"], body=WebhookPatch, response=service_result("notify", "update_webhook"),
       roles=ADMIN, tags=["webhooks"])
def update_webhook(actor, webhook_id, body):
    """Change the URL, event types or description; enable or disable."""
    return call("notify", "update_webhook", actor, webhook_id, body)


@route(bp, "/webhooks/<webhook_id>", ["DELETE"], roles=ADMIN, tags=["webhooks"], status=204)
def delete_webhook(actor, webhook_id):
    """Delete a webhook and its delivery log."""
    call("notify", "delete_webhook", actor, webhook_id)
    return None


@route(bp, "/webhooks/<webhook_id>/rotate-secret", ["POST"], body=RotateIn,
       response=service_result("notify", "rotate_webhook_secret"), roles=ADMIN, tags=["webhooks"])
def rotate_webhook_secret(actor, webhook_id, body):
    """A new signing secret (shown once); the previous one keeps signing during grace_seconds."""
    return call("notify", "rotate_webhook_secret", actor, webhook_id, body)


@route(bp, "/webhooks/<webhook_id>/deliveries", ["GET"], query=DeliveryQuery,
       response=service_result("notify", "list_webhook_deliveries"), roles=ADMIN, tags=["webhooks"])
def list_webhook_deliveries(actor, webhook_id, query):
    """Delivery log of a webhook, newest first; walk it with `next_cursor`, `count=true` adds `total`."""
    return call("notify", "list_webhook_deliveries", actor, webhook_id, query)


@route(bp, "/webhooks/<webhook_id>/deliveries/<delivery_id>", ["GET"],
       response=service_result("notify", "get_webhook_delivery"), roles=ADMIN, tags=["webhooks"])
def get_webhook_delivery(actor, webhook_id, delivery_id):
    """One delivery with its payload and attempts."""
    return call("notify", "get_webhook_delivery", actor, webhook_id, delivery_id)


@route(bp, "/webhooks/<webhook_id>/deliveries/<delivery_id>/replay", ["POST"],
       response=service_result("notify", "replay_webhook_delivery"), roles=ADMIN, status=202, tags=["webhooks"])
def replay_webhook_delivery(actor, webhook_id, delivery_id):
    """Send a past delivery again (same event, same Webhook-Id)."""
    return call("notify", "replay_webhook_delivery", actor, webhook_id, delivery_id)


@route(bp, "/webhooks/<webhook_id>/test", ["POST"], response=service_result("notify", "send_test_webhook"), roles=ADMIN,
       status=202, tags=["webhooks"])
def send_test_webhook(actor, webhook_id):
    """Send a test delivery (event type webhook.tested.v1, signed like any other) to this endpoint now."""
    return call("notify", "send_test_webhook", actor, webhook_id)


@route(bp, "/webhooks/<webhook_id>/replay", ["POST"], body=ReplayIn,
       response=service_result("notify", "replay_webhook_deliveries"), roles=ADMIN, status=202, tags=["webhooks"])
def replay_webhook_deliveries(actor, webhook_id, body):
    """Send again every failed delivery since a time whose event was never delivered."""
    return call("notify", "replay_webhook_deliveries", actor, webhook_id, body)
