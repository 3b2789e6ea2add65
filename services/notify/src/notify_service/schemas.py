"""Marshmallow schemas of notify's inputs (RPC payloads, consumed events) and results."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from paraph_platform import notification_request
from paraph_platform.dates import AwareDateTime
from paraph_platform.notification_request import CHANNELS
from paraph_platform.numbers import Integer
from paraph_platform.pagination import PageParams

from .templates import MAX_PART, TEMPLATE_NAMES

NOTIFICATION_STATUSES = ("queued", "sending", "sent", "failed")
DELIVERY_STATUSES = ("pending", "sending", "succeeded", "failed")


class StrictSchema(Schema):
    class Meta:
        unknown = "raise"


# -- consumed: notification.requested.v1 ------------------------------------------------------------

class NotificationRequest(notification_request.NotificationRequestedV1):
    """``data`` of notification.requested.v1 (the message is declared in paraph_platform.notification_request),
    naming one of notify's templates."""
    template = fields.String(required=True, validate=validate.OneOf(TEMPLATE_NAMES))


# -- templates ----------------------------------------------------------------------------------------

class TemplateIn(StrictSchema):
    subject = fields.String(required=True, validate=validate.Length(min=1, max=MAX_PART["subject"]))
    text = fields.String(required=True, validate=validate.Length(min=1, max=MAX_PART["text"]))
    html = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_PART["html"]),
                         metadata={"description": "HTML email; null = derived from text"})
    sms = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_PART["sms"]),
                        metadata={"description": "SMS text; null = the default SMS text"})


class PreviewIn(StrictSchema):
    subject = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_PART["subject"]))
    text = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_PART["text"]))
    html = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_PART["html"]))
    sms = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_PART["sms"]))
    vars = fields.Dict(keys=fields.String(), load_default=dict)


class TemplateView(Schema):
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
    default = fields.Dict(metadata={"description": "the built-in parts (get_template only)"})


class RenderedView(Schema):
    subject = fields.String()
    text = fields.String()
    html = fields.String()
    sms = fields.String()


# -- delivery log -------------------------------------------------------------------------------------

class NotificationQuery(StrictSchema, PageParams):
    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(NOTIFICATION_STATUSES))
    channel = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(CHANNELS))
    template = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(TEMPLATE_NAMES))
    recipient = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=320))
    user_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    event_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    since = AwareDateTime(load_default=None, allow_none=True, default_timezone=None)
    until = AwareDateTime(load_default=None, allow_none=True, default_timezone=None)


class NotificationView(Schema):
    id = fields.String()
    channel = fields.String()
    template = fields.String()
    locale = fields.String()
    recipient = fields.String()
    recipient_name = fields.String(allow_none=True)
    user_id = fields.String(allow_none=True)
    customer_id = fields.String(allow_none=True, metadata={
        "description": "the customer the message is about; a front user manager only sees messages about "
                       "customers in their perimeter"})
    status = fields.String(metadata={"description": "queued | sending | sent | failed"})
    attempts = Integer()
    in_doubt_resends = Integer(metadata={"description": "re-sent after a crash at the point of no return "
                                                               "(same Message-ID / provider reference)"})
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


# -- webhooks -----------------------------------------------------------------------------------------

def event_types_field(**kwargs) -> fields.List:
    """The event types a webhook subscribes to (1 to 100 names): the same rule on creation and on a change."""
    return fields.List(fields.String(validate=validate.Length(min=1, max=128)), validate=validate.Length(min=1, max=100),
                       **kwargs)


# the rule itself is logic.validate_webhook_url (the service's setting decides on http)
WEBHOOK_URL = ("the receiver's https:// URL, on a public address (plain http:// and private or loopback addresses "
               "only where the operator allows local receivers: WEBHOOK_ALLOW_PRIVATE=1, for development); else 422 "
               "naming url")


class WebhookIn(StrictSchema):
    url = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                        metadata={"description": WEBHOOK_URL})
    event_types = event_types_field(required=True)
    description = fields.String(load_default="", validate=validate.Length(max=500))
    enabled = fields.Boolean(load_default=True)


class WebhookPatch(StrictSchema):
    url = fields.String(validate=validate.Length(min=1, max=2000), metadata={"description": WEBHOOK_URL})
    event_types = event_types_field()
    description = fields.String(validate=validate.Length(max=500))
    enabled = fields.Boolean()

    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError("nothing to change")


class RotateIn(StrictSchema):
    grace_seconds = Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=7 * 86400),
                                   metadata={"description": "how long the previous secret still signs (default 24h)"})


class DeliveryQuery(StrictSchema, PageParams):
    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(DELIVERY_STATUSES))
    event_type = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=128))
    event_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    since = AwareDateTime(load_default=None, allow_none=True, default_timezone=None)


class ReplayIn(StrictSchema):
    since = AwareDateTime(required=True, default_timezone=None)
    until = AwareDateTime(load_default=None, allow_none=True, default_timezone=None)


class WebhookView(Schema):
    id = fields.String()
    url = fields.String()
    description = fields.String()
    event_types = fields.List(fields.String())
    enabled = fields.Boolean()
    disabled_at = fields.String(allow_none=True)
    disabled_reason = fields.String(allow_none=True)
    consecutive_failures = Integer()
    failed_deliveries_in_a_row = Integer()
    failing_since = fields.String(allow_none=True)
    last_success_at = fields.String(allow_none=True)
    last_failure_at = fields.String(allow_none=True)
    last_error = fields.String(allow_none=True)
    previous_secret_expires_at = fields.String(allow_none=True)
    created_by = fields.String(allow_none=True)
    created_at = fields.String()
    updated_at = fields.String()


class WebhookWithSecretView(WebhookView):
    secret = fields.String(metadata={"description": "shown once, when created or rotated: keep it to verify "
                                                   "Webhook-Signature"})


class DeliveryView(Schema):
    id = fields.String()
    webhook_id = fields.String()
    event_id = fields.String(metadata={"description": "also the Webhook-Id header (same on retries and replays)"})
    event_type = fields.String()
    status = fields.String(metadata={"description": "pending | sending | succeeded | failed"})
    attempts = Integer()
    next_attempt_at = fields.String(allow_none=True)
    first_attempt_at = fields.String(allow_none=True)
    last_attempt_at = fields.String(allow_none=True)
    response_status = Integer(allow_none=True)
    response_body = fields.String(allow_none=True)
    duration_ms = Integer(allow_none=True)
    error = fields.String(allow_none=True)
    attempt_log = fields.List(fields.Dict(), allow_none=True)
    replay_of = fields.String(allow_none=True)
    created_at = fields.String()
    succeeded_at = fields.String(allow_none=True)
    payload = fields.Dict(metadata={"description": "the event envelope (single delivery only)"})


class ReplayResult(Schema):
    replayed = Integer()
    delivery_ids = fields.List(fields.String())


class EventTypesView(Schema):
    event_types = fields.List(fields.Dict(), metadata={"description": "type, source, description"})
    wildcard = fields.String()
    delivery = fields.Dict(metadata={"description": "retry schedule, timeout, signature scheme"})
