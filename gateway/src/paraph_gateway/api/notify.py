"""Notifications (email/SMS templates, delivery log) and webhooks for integrators."""
from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema, fields, validate

from paraph_platform.pagination import PageParams, PageResult

from ..routing import call, route

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


class TemplateOut(Schema):
    name = fields.String()
    locale = fields.String()
    customized = fields.Boolean()
    subject = fields.String()
    text = fields.String()
    html = fields.String(allow_none=True)
    sms = fields.String(allow_none=True)
    variables = fields.Dict(metadata={"description": "variable -> description"})
    required_variable = fields.String(allow_none=True, metadata={"description": "must appear in text/html/sms"})
    updated_at = fields.String(allow_none=True)
    updated_by = fields.String(allow_none=True)


class TemplateDetailOut(TemplateOut):
    default = fields.Dict(metadata={"description": "the built-in version"})


class RenderedOut(Schema):
    subject = fields.String()
    text = fields.String()
    html = fields.String()
    sms = fields.String()


class NotificationQuery(PageParams):
    status = fields.String(load_default=None, validate=validate.OneOf(["queued", "sending", "sent", "failed"]))
    channel = fields.String(load_default=None, validate=validate.OneOf(["email", "sms"]))
    template = fields.String(load_default=None, validate=validate.OneOf(TEMPLATE_NAMES))
    recipient = fields.String(load_default=None, validate=validate.Length(max=320))
    user_id = fields.String(load_default=None, validate=validate.Length(max=64))
    event_id = fields.String(load_default=None, validate=validate.Length(max=64))
    since = fields.AwareDateTime(load_default=None)
    until = fields.AwareDateTime(load_default=None)


class NotificationOut(Schema):
    id = fields.String()
    channel = fields.String()
    template = fields.String()
    locale = fields.String()
    recipient = fields.String()
    recipient_name = fields.String(allow_none=True)
    user_id = fields.String(allow_none=True)
    customer_id = fields.String(allow_none=True, metadata={
        "description": "the customer the message is about; a front user manager only sees messages about "
                       "customers in their perimeter (license admins see every message)"})
    status = fields.String(metadata={"description": "queued | sending | sent | failed"})
    attempts = fields.Integer()
    in_doubt_resends = fields.Integer()
    next_attempt_at = fields.String(allow_none=True)
    subject = fields.String(allow_none=True)
    message_id = fields.String(allow_none=True)
    provider_id = fields.String(allow_none=True)
    error = fields.String(allow_none=True)
    warnings = fields.List(fields.String(), allow_none=True)
    event_id = fields.String(allow_none=True)
    event_type = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    dedupe_key = fields.String()
    created_at = fields.String()
    updated_at = fields.String()
    sent_at = fields.String(allow_none=True)


class NotificationPage(PageResult):
    items = fields.List(fields.Nested(NotificationOut))


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


class WebhookOut(Schema):
    id = fields.String()
    url = fields.String()
    description = fields.String()
    event_types = fields.List(fields.String())
    enabled = fields.Boolean()
    disabled_at = fields.String(allow_none=True)
    disabled_reason = fields.String(allow_none=True)
    consecutive_failures = fields.Integer()
    failed_deliveries_in_a_row = fields.Integer()
    failing_since = fields.String(allow_none=True)
    last_success_at = fields.String(allow_none=True)
    last_failure_at = fields.String(allow_none=True)
    last_error = fields.String(allow_none=True)
    previous_secret_expires_at = fields.String(allow_none=True)
    created_by = fields.String(allow_none=True)
    created_at = fields.String()
    updated_at = fields.String()


class WebhookWithSecretOut(WebhookOut):
    secret = fields.String(metadata={"description": "only when created or rotated: keep it, it is not shown again"})


class DeliveryQuery(PageParams):
    status = fields.String(load_default=None, validate=validate.OneOf(["pending", "sending", "succeeded", "failed"]))
    event_type = fields.String(load_default=None, validate=validate.Length(max=128))
    event_id = fields.String(load_default=None, validate=validate.Length(max=64))
    since = fields.AwareDateTime(load_default=None)


class DeliveryOut(Schema):
    id = fields.String()
    webhook_id = fields.String()
    event_id = fields.String(metadata={"description": "also the Webhook-Id header (same on retries and replays)"})
    event_type = fields.String()
    status = fields.String(metadata={"description": "pending | sending | succeeded | failed"})
    attempts = fields.Integer()
    next_attempt_at = fields.String(allow_none=True)
    first_attempt_at = fields.String(allow_none=True)
    last_attempt_at = fields.String(allow_none=True)
    response_status = fields.Integer(allow_none=True)
    response_body = fields.String(allow_none=True)
    duration_ms = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    attempt_log = fields.List(fields.Dict())
    replay_of = fields.String(allow_none=True)
    created_at = fields.String()
    succeeded_at = fields.String(allow_none=True)
    payload = fields.Dict()


class DeliveryPage(PageResult):
    items = fields.List(fields.Nested(DeliveryOut))


class ReplayIn(Schema):
    since = fields.AwareDateTime(required=True, metadata={"description": "failed deliveries created from this time"})
    until = fields.AwareDateTime(load_default=None, allow_none=True)


class ReplayOut(Schema):
    replayed = fields.Integer()
    delivery_ids = fields.List(fields.String())


class EventTypesOut(Schema):
    event_types = fields.List(fields.Dict(), metadata={"description": "type, source, description"})
    wildcard = fields.String()
    delivery = fields.Dict(metadata={"description": "retry schedule, timeout, headers, signature scheme"})


# -- templates -------------------------------------------------------------------------------------

@route(bp, "/notification-templates", ["GET"], response=TemplateOut(many=True), roles=ADMIN, tags=["notifications"])
def list_templates(actor):
    """Every template in every locale: the license's version or the built-in default (a fixed set, one per
    template and locale: not paginated)."""
    return call("notify", "list_templates", actor)


@route(bp, f"/notification-templates/{NAME}", ["GET"], query=LocaleQuery, response=TemplateDetailOut,
       roles=ADMIN, tags=["notifications"])
def get_template(actor, name, query):
    """One template (?locale=fr|en), its variables and the built-in default."""
    return call("notify", "get_template", actor, name, query["locale"])


@route(bp, f"/notification-templates/{NAME}", ["PUT"], query=LocaleQuery, body=TemplateIn, response=TemplateOut,
       roles=ADMIN, tags=["notifications"])
def put_template(actor, name, query, body):
    """Save the license's version of a template; unknown variables or syntax errors are a 422."""
    return call("notify", "put_template", actor, name, query["locale"], body)


@route(bp, f"/notification-templates/{NAME}", ["DELETE"], query=LocaleQuery, response=TemplateOut, roles=ADMIN,
       tags=["notifications"])
def reset_template(actor, name, query):
    """Go back to the built-in default."""
    return call("notify", "reset_template", actor, name, query["locale"])


@route(bp, f"/notification-templates/{NAME}/preview", ["POST"], query=LocaleQuery, body=PreviewIn,
       response=RenderedOut, tags=["notifications"])
def preview_template(actor, name, query, body):
    """Render the saved template, or the draft parts sent, with sample (or given) variables (license admins).
    Salespeople may preview the saved `quote_send` and `quote_reminder` with their own variables (the send
    screen shows what the customer will read); anything else is a 403."""
    return call("notify", "preview_template", actor, name, query["locale"], body)


# -- delivery log ----------------------------------------------------------------------------------

@route(bp, "/notifications", ["GET"], query=NotificationQuery, response=NotificationPage, roles=MANAGERS,
       tags=["notifications"])
def list_notifications(actor, query):
    """Emails and SMS sent (or being sent) for this license, newest first. A front user manager sees only the
    messages about customers in their perimeter and the staff invitations (other messages about no customer are
    for license admins). One-time codes are masked in subjects and logged SMS texts. Walk the log with
    `next_cursor`; `count=true` adds `total`."""
    return call("notify", "list_notifications", actor, query)


@route(bp, "/notifications/<notification_id>", ["GET"], response=NotificationOut, roles=MANAGERS,
       tags=["notifications"])
def get_notification(actor, notification_id):
    """One notification of the delivery log."""
    return call("notify", "get_notification", actor, notification_id)


# -- webhooks --------------------------------------------------------------------------------------

@route(bp, "/webhooks/event-types", ["GET"], response=EventTypesOut, roles=ADMIN, tags=["webhooks"])
def webhook_event_types(actor):
    """Event types a webhook can subscribe to, the retry schedule and the signature scheme."""
    return call("notify", "webhook_event_types", actor)


@route(bp, "/webhooks", ["POST"], body=WebhookIn, response=WebhookWithSecretOut, roles=ADMIN, status=201,
       tags=["webhooks"])
def create_webhook(actor, body):
    """Subscribe an endpoint to events; the answer holds the signing secret (shown once)."""
    return call("notify", "create_webhook", actor, body)


@route(bp, "/webhooks", ["GET"], response=WebhookOut(many=True), roles=ADMIN, tags=["webhooks"])
def list_webhooks(actor):
    """Webhooks of this license (without their secrets): all of them, not paginated (a license subscribes a
    handful of endpoints)."""
    return call("notify", "list_webhooks", actor)


@route(bp, "/webhooks/<webhook_id>", ["GET"], response=WebhookOut, roles=ADMIN, tags=["webhooks"])
def get_webhook(actor, webhook_id):
    """One webhook and its health (failures, disabled reason)."""
    return call("notify", "get_webhook", actor, webhook_id)


@route(bp, "/webhooks/<webhook_id>", ["PATCH"], body=WebhookPatch, response=WebhookOut, roles=ADMIN,
       tags=["webhooks"])
def update_webhook(actor, webhook_id, body):
    """Change the URL, event types or description; enable or disable."""
    return call("notify", "update_webhook", actor, webhook_id, body)


@route(bp, "/webhooks/<webhook_id>", ["DELETE"], roles=ADMIN, tags=["webhooks"], status=204)
def delete_webhook(actor, webhook_id):
    """Delete a webhook and its delivery log."""
    call("notify", "delete_webhook", actor, webhook_id)
    return None


@route(bp, "/webhooks/<webhook_id>/rotate-secret", ["POST"], body=RotateIn, response=WebhookWithSecretOut,
       roles=ADMIN, tags=["webhooks"])
def rotate_webhook_secret(actor, webhook_id, body):
    """A new signing secret (shown once); the previous one keeps signing during grace_seconds."""
    return call("notify", "rotate_webhook_secret", actor, webhook_id, body)


@route(bp, "/webhooks/<webhook_id>/deliveries", ["GET"], query=DeliveryQuery, response=DeliveryPage, roles=ADMIN,
       tags=["webhooks"])
def list_webhook_deliveries(actor, webhook_id, query):
    """Delivery log of a webhook, newest first; walk it with `next_cursor`, `count=true` adds `total`."""
    return call("notify", "list_webhook_deliveries", actor, webhook_id, query)


@route(bp, "/webhooks/<webhook_id>/deliveries/<delivery_id>", ["GET"], response=DeliveryOut, roles=ADMIN,
       tags=["webhooks"])
def get_webhook_delivery(actor, webhook_id, delivery_id):
    """One delivery with its payload and attempts."""
    return call("notify", "get_webhook_delivery", actor, webhook_id, delivery_id)


@route(bp, "/webhooks/<webhook_id>/deliveries/<delivery_id>/replay", ["POST"], response=DeliveryOut, roles=ADMIN,
       status=202, tags=["webhooks"])
def replay_webhook_delivery(actor, webhook_id, delivery_id):
    """Send a past delivery again (same event, same Webhook-Id)."""
    return call("notify", "replay_webhook_delivery", actor, webhook_id, delivery_id)


@route(bp, "/webhooks/<webhook_id>/test", ["POST"], response=DeliveryOut, roles=ADMIN, status=202, tags=["webhooks"])
def send_test_webhook(actor, webhook_id):
    """Send a test delivery (event type webhook.tested.v1, signed like any other) to this endpoint now."""
    return call("notify", "send_test_webhook", actor, webhook_id)


@route(bp, "/webhooks/<webhook_id>/replay", ["POST"], body=ReplayIn, response=ReplayOut, roles=ADMIN, status=202,
       tags=["webhooks"])
def replay_webhook_deliveries(actor, webhook_id, body):
    """Send again every failed delivery since a time whose event was never delivered."""
    return call("notify", "replay_webhook_deliveries", actor, webhook_id, body)
